//! Query (presigned URL) and `Authorization`-header verification.

use alloc::string::String;
use alloc::vec::Vec;
use core::borrow::Borrow;

use super::error::{VResult, VerifyErrorKind, err, shown};
use super::parse::{CredentialScope, HeaderAuth, QueryAuth, decode_component, parse_payload_hash};
use super::request::{AuthMethod, IncomingRequest, SecretLookup, Verified};
use super::{Verifier, fast};
use crate::credentials::Credentials;
use crate::sigv4::{
    ALGORITHM, CanonicalRequest, Payload, Scope, SignableRequest, Signature, SigningSettings,
    StringToSign, UNSIGNED_PAYLOAD,
};
use crate::time::AmzDate;

impl<L: SecretLookup> Verifier<L> {
    pub(super) fn verify_query(
        &self,
        req: &IncomingRequest<'_>,
        now: AmzDate,
    ) -> VResult<Verified> {
        let kind = VerifyErrorKind::MalformedQuery;
        let q = QueryAuth::parse(req.query)?;
        if q.algorithm() != ALGORITHM {
            return err(kind, "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
        }
        let scope = q.scope()?;
        let signed_at = self.check_scope(kind, &scope, q.date())?;
        let expires = q.expires_secs();
        self.check_query_times(signed_at, expires, now)?;
        check_signed_present(req, q.signed_headers())?;
        check_amz_headers_signed(req, q.signed_headers())?;
        let creds = self.lookup(scope.access_key_id, q.security_token())?;
        let payload = query_payload(req.query)?;
        let hash = match payload {
            Payload::Precomputed(v) => v,
            _ => UNSIGNED_PAYLOAD,
        };
        let digest = match fast::query_digest(req, q.signed_headers(), hash) {
            Some(d) => d,
            None => {
                let headers = signed_header_values(req, q.signed_headers())?;
                let query = canonical_query(req.query)?;
                let signable =
                    SignableRequest::new(req.method, req.path, &query, &headers, payload);
                canonical_digest(&signable)?
            }
        };
        self.check_digest(digest, creds.borrow(), &scope, signed_at, q.signature())?;
        Ok(Verified::new(
            AuthMethod::QueryString,
            &scope,
            signed_at,
            signed_at.checked_add_secs(expires),
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
        let headers = signed_header_values(req, h.signed_headers())?;
        check_amz_headers_signed(req, h.signed_headers())?;
        let Some(claimed) = req.header("x-amz-content-sha256") else {
            return err(
                VerifyErrorKind::InvalidContentSha256,
                "Missing required header for this request: x-amz-content-sha256",
            );
        };
        let payload = parse_payload_hash(claimed, "x-amz-content-sha256")?;
        let creds = self.lookup(scope.access_key_id, req.header("x-amz-security-token"))?;
        let signable = SignableRequest::new(req.method, req.path, req.query, &headers, payload);
        let digest = canonical_digest(&signable)?;
        self.check_digest(digest, creds.borrow(), &scope, signed_at, h.signature())?;
        Ok(Verified::new(
            AuthMethod::AuthorizationHeader,
            &scope,
            signed_at,
            None,
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
        let Some(received) = Signature::from_hex(received_hex) else {
            return err(
                VerifyErrorKind::SignatureDoesNotMatch,
                "malformed signature",
            );
        };
        let s = Scope::new(signed_at, scope.region, scope.service)
            .or_else(|_| err(VerifyErrorKind::MalformedHeader, "invalid credential scope"))?;
        let sts = StringToSign::new(s, digest);
        if !self.signing_key(creds, scope).sign(&sts).ct_eq(&received) {
            return err(
                VerifyErrorKind::SignatureDoesNotMatch,
                "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
            );
        }
        Ok(())
    }
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
        if let Some(("X-Amz-Content-Sha256", v)) = pair.split_once('=') {
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
        Some(v) => parse_payload_hash(v, "X-Amz-Content-Sha256"),
    }
}

/// Every `x-amz-*` header of the request must be signed, as S3 requires ("There were
/// headers present in the request which were not signed"), for presigned URLs too.
fn check_amz_headers_signed(req: &IncomingRequest<'_>, signed: &str) -> VResult<()> {
    for (name, _) in req.headers {
        let is_amz = name
            .get(..6)
            .is_some_and(|p| p.eq_ignore_ascii_case("x-amz-"));
        if is_amz && !signed.split(';').any(|s| s.eq_ignore_ascii_case(name)) {
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
fn check_signed_present(req: &IncomingRequest<'_>, signed: &str) -> VResult<()> {
    for name in signed.split(';') {
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
    signed: &str,
) -> VResult<Vec<(&'r str, &'r str)>> {
    let mut out = Vec::with_capacity(8);
    for name in signed.split(';') {
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
