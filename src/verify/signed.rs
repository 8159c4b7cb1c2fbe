//! Query (presigned URL) and `Authorization`-header verification.

use alloc::string::String;
use alloc::vec::Vec;
use core::borrow::Borrow;

use super::credential::CredentialScope;
use super::error::{VResult, VerifyErrorKind, err, shown};
use super::parse::{
    HeaderAuth, Params, QueryAuth, Token, decode_component, is_sig_hex, parse_payload_hash,
};
use super::request::{AuthMethod, Expires, IncomingRequest, SecretLookup, Verified};
use super::scan::{CONTENT_SHA256, Scanned, Separated};
use super::{Verifier, fast};
use crate::credentials::Credentials;
use crate::sigv4::{
    ALGORITHM, CanonicalRequest, Payload, Scope, SignableRequest, SigningSettings, UNSIGNED_PAYLOAD,
};
use crate::time::AmzDate;

impl<L: SecretLookup> Verifier<L> {
    /// Verifies a presigned request: from the one-pass scan of its query when the query is
    /// canonical as received (`scanned`), else from the general parser.
    pub(super) fn verify_query(
        &self,
        req: &IncomingRequest<'_>,
        scanned: Option<Scanned<'_>>,
        now: AmzDate,
    ) -> VResult<Verified> {
        match scanned {
            Some(s) => {
                let scope = s.params.validate()?;
                let found = Some((s.canonical, s.content_sha256));
                self.verify_params(req, &s.params, &scope, found, now)
            }
            None => {
                let q = QueryAuth::parse(req.query)?;
                let p = q.params();
                // Parsed and validated: this only splits the credential again.
                let scope = p.validate()?;
                self.verify_params(req, &p, &scope, None, now)
            }
        }
    }

    /// The checks of a presigned request, in S3's order, once its parameters are parsed
    /// and validated (`scope` is their credential); `scanned` is the canonical query and
    /// `X-Amz-Content-Sha256` found by the scan.
    fn verify_params(
        &self,
        req: &IncomingRequest<'_>,
        p: &Params<'_>,
        scope: &CredentialScope<'_>,
        scanned: Option<(&str, Option<&str>)>,
        now: AmzDate,
    ) -> VResult<Verified> {
        let kind = VerifyErrorKind::MalformedQuery;
        if p.algorithm != ALGORITHM {
            return err(kind, "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
        }
        let signed_at = self.check_scope(kind, scope, p.date)?;
        let expires = p.expires_secs();
        self.check_query_times(signed_at, expires, now)?;
        check_signed_present(req, p.signed_headers)?;
        check_amz_headers_signed(req, p.signed_headers)?;
        let creds = self.lookup(scope.access_key_id, p.token)?;
        let payload = match scanned {
            Some((_, None)) => Payload::Unsigned,
            Some((_, Some(claimed))) => parse_payload_hash(claimed, CONTENT_SHA256)?,
            None => query_payload(req.query)?,
        };
        let canonical = scanned.map(|(query, _)| query);
        let digest = query_digest(req, p.signed_headers, canonical, payload)?;
        self.check_digest(digest, creds.borrow(), scope, signed_at, p.signature)?;
        Ok(Verified::new(
            AuthMethod::QueryString,
            scope,
            signed_at,
            Expires::After(expires),
            payload,
        ))
    }

    /// The expiry cap, not-yet-valid (beyond the skew) and expired.
    fn check_query_times(&self, signed_at: AmzDate, expires: u64, now: AmzDate) -> VResult<()> {
        if expires > self.max_expiry {
            return err(
                VerifyErrorKind::ExpiresTooLong,
                alloc::format!(
                    "X-Amz-Expires must be less than a week (in seconds) that is {}",
                    self.max_expiry
                ),
            );
        }
        let (t, n) = (signed_at.unix_timestamp(), now.unix_timestamp());
        if n.saturating_add(self.skew_secs()) < t {
            return err(VerifyErrorKind::NotYetValid, "Request is not yet valid");
        }
        let expires = i64::try_from(expires).unwrap_or(i64::MAX);
        if n > t.saturating_add(expires) {
            return err(VerifyErrorKind::Expired, "Request has expired");
        }
        Ok(())
    }

    pub(super) fn verify_header(
        &self,
        req: &IncomingRequest<'_>,
        authorization: &str,
        now: AmzDate,
    ) -> VResult<Verified> {
        let kind = VerifyErrorKind::MalformedHeader;
        let h = HeaderAuth::parse(authorization)?;
        if h.algorithm() != ALGORITHM {
            return err(
                kind,
                "the authorization mechanism is not supported; use AWS4-HMAC-SHA256",
            );
        }
        let scope = h.credential();
        let Some(date) = req.header("x-amz-date") else {
            return err(
                VerifyErrorKind::MissingAuthentication,
                "AWS authentication requires a valid x-amz-date header",
            );
        };
        let signed_at = self.check_scope(kind, &scope, date)?;
        let (t, n) = (signed_at.unix_timestamp(), now.unix_timestamp());
        if t.abs_diff(n) > self.max_skew {
            return err(
                VerifyErrorKind::RequestTimeTooSkewed,
                "The difference between the request time and the current time is too large.",
            );
        }
        let names = Separated {
            text: h.signed_headers(),
            sep: ";",
        };
        let headers = signed_header_values(req, names)?;
        check_amz_headers_signed(req, names)?;
        let Some(claimed) = req.header("x-amz-content-sha256") else {
            return err(
                VerifyErrorKind::InvalidContentSha256,
                "Missing required header for this request: x-amz-content-sha256",
            );
        };
        let payload = parse_payload_hash(claimed, "x-amz-content-sha256")?;
        let token = req.header("x-amz-security-token").map(Token::Decoded);
        let creds = self.lookup(scope.access_key_id, token)?;
        let signable = SignableRequest::new(req.method, req.path, req.query, &headers, payload);
        let digest = canonical_digest(&signable)?;
        self.check_digest(digest, creds.borrow(), &scope, signed_at, h.signature())?;
        Ok(Verified::new(
            AuthMethod::AuthorizationHeader,
            &scope,
            signed_at,
            Expires::Never,
            payload,
        ))
    }

    /// Signs the canonical request's digest and compares in constant time.
    fn check_digest(
        &self,
        digest: [u8; 32],
        creds: &Credentials,
        scope: &CredentialScope<'_>,
        signed_at: AmzDate,
        received_hex: &str,
    ) -> VResult<()> {
        if !is_sig_hex(received_hex) {
            return err(
                VerifyErrorKind::SignatureDoesNotMatch,
                "malformed signature",
            );
        }
        // The credential's parser accepts the region and service `Scope::new` accepts.
        let s = Scope::new_unchecked(signed_at, scope.region, scope.service);
        let ours = self.keys.sign(creds.secret_access_key(), &s, &digest);
        if !ours.ct_eq_hex(received_hex) {
            return err(
                VerifyErrorKind::SignatureDoesNotMatch,
                "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
            );
        }
        Ok(())
    }
}

/// The digest of a presigned request's canonical request: hashed as received when it is
/// canonical (`canonical` is its query from the scan), else built by the sigv4 types.
fn query_digest(
    req: &IncomingRequest<'_>,
    names: Separated<'_>,
    canonical: Option<&str>,
    payload: Payload<'_>,
) -> VResult<[u8; 32]> {
    let hash = match payload {
        Payload::Precomputed(v) => v,
        _ => UNSIGNED_PAYLOAD,
    };
    let fast = match canonical {
        Some(query) => fast::digest(req, query, names, hash),
        None => fast::query_digest(req, names, hash),
    };
    if let Some(digest) = fast {
        return Ok(digest);
    }
    let headers = signed_header_values(req, names)?;
    let query = canonical_query(req.query)?;
    let signable = SignableRequest::new(req.method, req.path, &query, &headers, payload);
    canonical_digest(&signable)
}

/// The digest of the canonical request built by the crate's sigv4 types.
fn canonical_digest(signable: &SignableRequest<'_>) -> VResult<[u8; 32]> {
    CanonicalRequest::from_request(signable, &SigningSettings::s3())
        .map(|c| c.digest())
        .or_else(|_| {
            err(
                VerifyErrorKind::InvalidRequest,
                "the request cannot be canonicalised (control characters in the path or a signed header?)",
            )
        })
}

/// The canonical query: the received one without `X-Amz-Signature`.
fn canonical_query(raw: &str) -> VResult<String> {
    let mut query = String::with_capacity(raw.len());
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        let name = pair.split_once('=').map_or(pair, |(n, _)| n);
        if decode_component(name)? == crate::sigv4::param::SIGNATURE {
            continue;
        }
        if !query.is_empty() {
            query.push('&');
        }
        query.push_str(pair);
    }
    Ok(query)
}

/// The payload hash of a presigned URL: `UNSIGNED-PAYLOAD` unless the query carries
/// `X-Amz-Content-Sha256` (the JS SDK sends `UNSIGNED-PAYLOAD` there; a hash there is the
/// signed payload hash).
fn query_payload(raw: &str) -> VResult<Payload<'_>> {
    let mut claimed = None;
    for pair in raw.split('&') {
        if let Some((CONTENT_SHA256, v)) = pair.split_once('=') {
            if claimed.is_some() {
                return err(
                    VerifyErrorKind::MalformedQuery,
                    "X-Amz-Content-Sha256 appears more than once",
                );
            }
            claimed = Some(v);
        }
    }
    match claimed {
        None => Ok(Payload::Unsigned),
        Some(v) => parse_payload_hash(v, CONTENT_SHA256),
    }
}

/// Every `x-amz-*` header of the request must be signed, as S3 requires ("There were
/// headers present in the request which were not signed"), for presigned URLs too.
fn check_amz_headers_signed(req: &IncomingRequest<'_>, signed: Separated<'_>) -> VResult<()> {
    for (name, _) in req.headers {
        let is_amz = name
            .get(..6)
            .is_some_and(|p| p.eq_ignore_ascii_case("x-amz-"));
        if is_amz && !signed.iter().any(|s| s.eq_ignore_ascii_case(name)) {
            return err(
                VerifyErrorKind::UnsignedHeader,
                alloc::format!(
                    "There were headers present in the request which were not signed: {}",
                    shown(name)
                ),
            );
        }
    }
    Ok(())
}

/// Every header named in `signed` must be in the request.
fn check_signed_present(req: &IncomingRequest<'_>, signed: Separated<'_>) -> VResult<()> {
    for name in signed.iter() {
        if req.header(name).is_none() {
            return err(
                VerifyErrorKind::MissingSignedHeader,
                alloc::format!(
                    "the signed header '{}' is not present in the request",
                    shown(name)
                ),
            );
        }
    }
    Ok(())
}

/// The received headers named in `signed` (each must be present at least once).
fn signed_header_values<'r>(
    req: &IncomingRequest<'r>,
    signed: Separated<'_>,
) -> VResult<Vec<(&'r str, &'r str)>> {
    let mut out = Vec::with_capacity(8);
    for name in signed.iter() {
        let before = out.len();
        out.extend(
            req.headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .copied(),
        );
        if out.len() == before {
            return err(
                VerifyErrorKind::MissingSignedHeader,
                alloc::format!(
                    "the signed header '{}' is not present in the request",
                    shown(name)
                ),
            );
        }
    }
    Ok(out)
}
