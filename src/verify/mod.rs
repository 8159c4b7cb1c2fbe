//! Verifying SigV4-signed S3 requests: presigned URLs (query authentication),
//! `Authorization`-header signed requests and browser POST uploads.
//!
//! Parse, then verify. Each request is first parsed into a typed view borrowing from the
//! request ([`QueryAuth`], [`HeaderAuth`], [`PostAuth`]): duplicate `X-Amz-*` parameters, a
//! malformed credential scope or a signature that is not 64 hex digits are rejected before
//! any secret is looked up or any hash computed. Then the algorithm, the scope (date,
//! region, service), the `X-Amz-Date`, the expiry (at most 7 days, configurable), the clock
//! skew (15 minutes, configurable), the presence of `host` and of every signed header are
//! checked, the secret is looked up by access key id, and the signature is recomputed with
//! the crate's public [`sigv4`](crate::sigv4) types (the same canonicalisation the signer
//! uses) and compared in constant time ([`Signature::ct_eq`](crate::sigv4::Signature::ct_eq)).
//!
//! Errors ([`VerifyError`]) carry S3's error code and HTTP status and never contain the
//! expected signature, the secret or the session token.
//!
//! ```
//! use s3presign::{AmzDate, Credentials, Signer};
//! use s3presign::s3::{Bucket, Endpoint};
//! use s3presign::verify::{VerifyErrorKind, Verifier};
//!
//! let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
//! let signer = Signer::new(creds.clone())?;
//! let bucket = Bucket::new(&Endpoint::aws("us-east-1")?, "examplebucket")?;
//! let signed_at = AmzDate::parse("2026-11-25T12:00:00Z")?;
//! let url = bucket.get_object("report.pdf").expires_in(300).sign_url(&signer, signed_at)?;
//!
//! // The gatekeeper looks secrets up by access key id.
//! let verifier = Verifier::new(move |id: &str| (id == creds.access_key_id()).then(|| creds.clone()))
//!     .with_region("us-east-1");
//! let ok = verifier.verify_url("GET", &url, &[], AmzDate::parse("2026-11-25T12:04:00Z")?)?;
//! assert_eq!(ok.access_key_id(), "AKIAIOSFODNN7EXAMPLE");
//!
//! let late = verifier.verify_url("GET", &url, &[], AmzDate::parse("2026-11-25T12:05:01Z")?).unwrap_err();
//! assert_eq!(late.kind(), VerifyErrorKind::Expired);
//! assert_eq!((late.s3_code(), late.http_status()), ("AccessDenied", 403));
//! assert_eq!(late.message(), "Request has expired");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod credential;
mod error;
mod fast;
mod key_cache;
mod parse;
mod post;
mod redact;
mod request;
mod scan;
mod signed;
mod url;

use alloc::string::String;
use alloc::vec::Vec;
use core::borrow::Borrow;
use core::fmt;

use crate::credentials::Credentials;
use crate::sigv4::SigningKey;
use crate::time::AmzDate;

pub use credential::CredentialScope;
use error::{VResult, err, shown};
pub use error::{VerifyError, VerifyErrorKind};
pub use parse::{HeaderAuth, PostAuth, QueryAuth};
use parse::{Token, has_query_auth};
pub use request::{AuthMethod, IncomingRequest, PostSubmission, SecretLookup, Verified};
pub use url::{UrlParts, parse_url};

/// The longest presigned URL lifetime S3 accepts: 7 days.
pub const DEFAULT_MAX_EXPIRY_SECS: u64 = 604_800;
/// S3's tolerance for a client clock that is off: 15 minutes.
pub const DEFAULT_MAX_CLOCK_SKEW_SECS: u64 = 900;

/// Verifies SigV4 requests for S3 (see the [module docs](self)).
///
/// `Debug` shows the settings, never the lookup (which may hold secrets).
pub struct Verifier<L> {
    lookup: L,
    keys: key_cache::KeyCache,
    region: Option<String>,
    service: String,
    max_expiry: u64,
    max_skew: u64,
}

/// A clone starts with an empty signing-key cache.
impl<L: Clone> Clone for Verifier<L> {
    fn clone(&self) -> Self {
        Self {
            lookup: self.lookup.clone(),
            keys: key_cache::KeyCache::default(),
            region: self.region.clone(),
            service: self.service.clone(),
            max_expiry: self.max_expiry,
            max_skew: self.max_skew,
        }
    }
}

impl<L> fmt::Debug for Verifier<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("region", &self.region)
            .field("service", &self.service)
            .field("max_expiry", &self.max_expiry)
            .field("max_skew", &self.max_skew)
            .finish_non_exhaustive()
    }
}

impl<L: SecretLookup> Verifier<L> {
    /// A verifier for service `s3` in any region, with a 7-day expiry cap and 15 minutes of
    /// clock skew.
    pub fn new(lookup: L) -> Self {
        Self {
            lookup,
            keys: key_cache::KeyCache::default(),
            region: None,
            service: String::from("s3"),
            max_expiry: DEFAULT_MAX_EXPIRY_SECS,
            max_skew: DEFAULT_MAX_CLOCK_SKEW_SECS,
        }
    }

    /// Only accept credential scopes for `region` (recommended: a signature for another
    /// region is otherwise accepted).
    #[must_use]
    pub fn with_region(mut self, region: &str) -> Self {
        self.region = Some(String::from(region));
        self
    }

    /// Accept scopes for `service` instead of `s3`.
    #[must_use]
    pub fn with_service(mut self, service: &str) -> Self {
        self.service = String::from(service);
        self
    }

    /// The longest `X-Amz-Expires` accepted (default 604800 s, 7 days).
    #[must_use]
    pub fn with_max_expiry(mut self, secs: u64) -> Self {
        self.max_expiry = secs;
        self
    }

    /// The clock skew tolerated (default 900 s, 15 minutes). Values above `i64::MAX`
    /// seconds mean `i64::MAX`.
    #[must_use]
    pub fn with_max_clock_skew(mut self, secs: u64) -> Self {
        self.max_skew = secs;
        self
    }

    /// Verifies a presigned URL given as a whole (the `host` header is taken from the URL
    /// unless `headers` has one). `headers` are any other headers the request carries.
    ///
    /// A default port in the URL (`https://host:443/...`, `http://host:80/...`) is left out
    /// of the `host` header, as HTTP clients and the SDKs' signers leave it out.
    ///
    /// # Errors
    /// [`VerifyErrorKind::MalformedUrl`], or as [`verify`](Self::verify).
    pub fn verify_url(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        now: AmzDate,
    ) -> VResult<Verified> {
        // A canonical presigned query is read in one pass, which also proves it free of the
        // bytes a URL may not hold; only the rest of the URL is checked for them then.
        let head = url::parse_head(url);
        let scanned = head.and_then(|u| scan::scan(u.query));
        let u = match (head, scanned) {
            (Some(u), Some(_)) => u,
            _ => parse_url(url)?,
        };
        let verify = |headers: &[(&str, &str)]| {
            let req = IncomingRequest::new(method, u.path, u.query, headers);
            self.verify_scanned(&req, scanned, now)
        };
        if headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
            return verify(headers);
        }
        // The host header first, then the others: on the stack when they are few.
        let mut stack = [("", ""); 8];
        if let Some(rest) = stack.get_mut(1..=headers.len()) {
            rest.copy_from_slice(headers);
            stack[0] = ("host", u.host());
            return verify(&stack[..=headers.len()]);
        }
        let mut all: Vec<(&str, &str)> = Vec::with_capacity(headers.len() + 1);
        all.push(("host", u.host()));
        all.extend_from_slice(headers);
        verify(&all)
    }

    /// Verifies a presigned URL or a header-signed request at time `now`.
    ///
    /// # Errors
    /// A [`VerifyError`] whose kind says what failed (see [`VerifyErrorKind`]).
    pub fn verify(&self, req: &IncomingRequest<'_>, now: AmzDate) -> VResult<Verified> {
        // A canonical presigned query is read in one pass; any other in the general way.
        self.verify_scanned(req, scan::scan(req.query), now)
    }

    /// [`verify`](Self::verify), given the scan of the request's query.
    fn verify_scanned(
        &self,
        req: &IncomingRequest<'_>,
        scanned: Option<scan::Scanned<'_>>,
        now: AmzDate,
    ) -> VResult<Verified> {
        let authorization = req.header("authorization");
        let query_auth = scanned.is_some() || has_query_auth(req.query);
        match (query_auth, authorization) {
            (true, Some(_)) => err(
                VerifyErrorKind::MultipleAuthentication,
                "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified",
            ),
            (true, None) => self.verify_query(req, scanned, now),
            (false, Some(h)) => self.verify_header(req, h, now),
            (false, None) => err(VerifyErrorKind::MissingAuthentication, "Access Denied"),
        }
    }

    fn check_scope(
        &self,
        kind: VerifyErrorKind,
        scope: &CredentialScope<'_>,
        date: &str,
    ) -> VResult<AmzDate> {
        let b = date.as_bytes();
        let basic = b.len() == 16
            && b[8] == b'T'
            && b[15] == b'Z'
            && b[..8].iter().chain(&b[9..15]).all(u8::is_ascii_digit);
        let parsed = if basic {
            AmzDate::parse(date).ok()
        } else {
            None
        };
        let Some(time) = parsed else {
            return err(
                kind,
                "X-Amz-Date must be in the ISO8601 basic format YYYYMMDD'T'HHMMSS'Z'",
            );
        };
        if scope.date != time.date_str() {
            return err(kind, "the credential date does not match X-Amz-Date");
        }
        if let Some(region) = &self.region
            && scope.region != region.as_str()
        {
            return err(
                kind,
                alloc::format!(
                    "the region '{}' is wrong; expecting '{}'",
                    shown(scope.region),
                    shown(region)
                ),
            );
        }
        if scope.service != self.service {
            return err(
                kind,
                alloc::format!("the service '{}' is wrong", shown(scope.service)),
            );
        }
        Ok(time)
    }

    fn lookup(&self, id: &str, token: Option<Token<'_>>) -> VResult<L::Credentials> {
        let Some(found) = self.lookup.credentials(id) else {
            return err(
                VerifyErrorKind::InvalidAccessKeyId,
                "The AWS Access Key Id you provided does not exist in our records.",
            );
        };
        let creds: &Credentials = found.borrow();
        let token_ok = match (creds.session_token(), token) {
            (None, None) => true,
            (Some(a), Some(Token::Decoded(b))) => ct_eq_str(a, b),
            (Some(a), Some(Token::Encoded(b))) => ct_eq_encoded(a, b),
            _ => false,
        };
        if !token_ok {
            return err(
                VerifyErrorKind::InvalidToken,
                "The provided token is malformed or otherwise invalid.",
            );
        }
        Ok(found)
    }

    /// The clock skew in seconds, saturated to `i64::MAX`.
    fn skew_secs(&self) -> i64 {
        i64::try_from(self.max_skew).unwrap_or(i64::MAX)
    }

    /// The signing key for `scope`'s date, region and service (cached, see `key_cache`).
    fn signing_key(&self, creds: &Credentials, scope: &CredentialScope<'_>) -> SigningKey {
        self.keys.get(
            creds.secret_access_key(),
            scope.date,
            scope.region,
            scope.service,
        )
    }
}

/// Equality whose time depends only on the lengths.
fn ct_eq_str(a: &str, b: &str) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y));
    core::hint::black_box(diff) == 0
}

/// Whether `encoded` percent-decodes to `plain`, in a time that depends only on the
/// lengths. `encoded`'s escapes are well formed (checked by the query scan).
fn ct_eq_encoded(plain: &str, encoded: &str) -> bool {
    let e = encoded.as_bytes();
    let escapes = e.iter().filter(|&&c| c == b'%').count();
    if e.len() != plain.len() + 2 * escapes {
        return false;
    }
    let hex = |d: u8| match d {
        b'0'..=b'9' => d - b'0',
        _ => (d | 0x20).wrapping_sub(b'a' - 10),
    };
    let (mut diff, mut i) = (0u8, 0);
    for &p in plain.as_bytes() {
        let c = match (e.get(i), e.get(i + 1), e.get(i + 2)) {
            (Some(b'%'), Some(&h), Some(&l)) => {
                i += 3;
                hex(h) << 4 | (hex(l) & 15)
            }
            (Some(&c), ..) => {
                i += 1;
                c
            }
            (None, ..) => return false,
        };
        diff |= p ^ c;
    }
    core::hint::black_box(diff) == 0 && i == e.len()
}
