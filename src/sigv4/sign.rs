//! The whole pipeline for any service: [`sign_headers`] (an `Authorization` header) and
//! [`presign`] (query-string authentication).

use alloc::string::String;
use core::fmt;

use super::canonical::CanonicalQuery;
use super::query_auth::{
    HostOnly, Joined, QueryAuth, is_reserved_query_name, param, write_appended_token, write_query,
    write_signature,
};
use super::text::{StackText, push_hex32, push_u64};
use super::{
    ALGORITHM, CanonicalRequest, ContentSha256Header, Payload, Scope, SessionTokenMode, Signature,
    Signer, SigningSettings, StringToSign,
};
use crate::error::{Error, Result, clip};
use crate::expiry::{Expiry, ExpiryCause};
use crate::time::AmzDate;

/// A request to sign, as it will be sent.
///
/// `path` and `query` are the on-the-wire forms (percent-encoded, without `?`); `headers`
/// must include `host`. Nothing is checked until signing.
#[derive(Debug, Clone, Copy)]
pub struct SignableRequest<'a> {
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    pub(crate) query: &'a str,
    pub(crate) headers: &'a [(&'a str, &'a str)],
    pub(crate) payload: Payload<'a>,
}

impl<'a> SignableRequest<'a> {
    /// Describes a request: method, path, query (without `?`), headers and payload.
    ///
    /// ```
    /// use s3presign::sigv4::{Payload, SignableRequest};
    /// let headers = [("host", "examplebucket.s3.amazonaws.com")];
    /// let req = SignableRequest::new("GET", "/test.txt", "", &headers, Payload::Unsigned);
    /// # let _ = req;
    /// ```
    pub fn new(
        method: &'a str,
        path: &'a str,
        query: &'a str,
        headers: &'a [(&'a str, &'a str)],
        payload: Payload<'a>,
    ) -> Self {
        Self {
            method,
            path,
            query,
            headers,
            payload,
        }
    }
}

/// Who signs, for which region and service, when, and with which rules.
#[derive(Debug, Clone, Copy)]
pub struct SigningParams<'a> {
    signer: &'a Signer,
    region: &'a str,
    service: &'a str,
    time: AmzDate,
    settings: SigningSettings,
}

impl<'a> SigningParams<'a> {
    /// Parameters with the generic settings ([`SigningSettings::default`]); use
    /// [`with_settings`](Self::with_settings)`(SigningSettings::s3())` for S3.
    pub fn new(signer: &'a Signer, region: &'a str, service: &'a str, time: AmzDate) -> Self {
        Self {
            signer,
            region,
            service,
            time,
            settings: SigningSettings::default(),
        }
    }

    /// Replaces the settings.
    #[must_use]
    pub fn with_settings(mut self, settings: SigningSettings) -> Self {
        self.settings = settings;
        self
    }
}

/// Headers the signer sets itself; a request that already has them is rejected.
fn check_reserved_headers(req: &SignableRequest<'_>, settings: &SigningSettings) -> Result<()> {
    for (name, _) in req.headers {
        let reserved = name.eq_ignore_ascii_case("authorization")
            || name.eq_ignore_ascii_case("x-amz-date")
            || name.eq_ignore_ascii_case("x-amz-security-token")
            || (settings.content_sha256_header == ContentSha256Header::Include
                && name.eq_ignore_ascii_case("x-amz-content-sha256"));
        if reserved {
            return Err(Error::InvalidHeaderName {
                name: clip(name),
                reason: "this header is set by the signer; remove it from the request",
            });
        }
    }
    Ok(())
}

/// The result of [`sign_headers`]: the headers to add, and every intermediate step.
///
/// `Debug` shows the request time and the start of the signature only: the canonical
/// request can hold a session token, so it is shown only by
/// [`canonical_request`](Self::canonical_request).
pub struct HeaderSignature<'a> {
    time: AmzDate,
    include_content_sha256: bool,
    session_token: Option<&'a str>,
    /// Holds the `Authorization` value as its trailer: one allocation for both, and the
    /// other headers' values are borrowed.
    canonical_request: CanonicalRequest,
    string_to_sign: StringToSign<'a>,
    signature: Signature,
}

impl<'a> HeaderSignature<'a> {
    /// The headers to add to the request, lowercase names: `x-amz-date`, then
    /// `x-amz-content-sha256` and `x-amz-security-token` when they apply, then
    /// `authorization`.
    pub fn headers(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let sha = self.include_content_sha256.then(|| {
            (
                "x-amz-content-sha256",
                self.canonical_request.payload_hash(),
            )
        });
        let token = self.session_token.map(|t| ("x-amz-security-token", t));
        [
            Some(("x-amz-date", self.time.as_str())),
            sha,
            token,
            Some(("authorization", self.authorization())),
        ]
        .into_iter()
        .flatten()
    }

    /// The `Authorization` header value.
    pub fn authorization(&self) -> &str {
        self.canonical_request.trailer()
    }

    /// The canonical request whose SHA-256 was signed, byte for byte (its `Display` is the
    /// hashed text). Compare it with the `CanonicalRequest` of a `SignatureDoesNotMatch`
    /// error. It holds the session token when there is one: do not log it.
    pub fn canonical_request(&self) -> &CanonicalRequest {
        &self.canonical_request
    }

    /// The string to sign.
    pub fn string_to_sign(&self) -> &StringToSign<'a> {
        &self.string_to_sign
    }

    /// The signature.
    pub fn signature(&self) -> Signature {
        self.signature
    }
}

impl fmt::Debug for HeaderSignature<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeaderSignature")
            .field("time", &self.time)
            .field("signature", &self.signature)
            .finish_non_exhaustive()
    }
}

/// Signs a request with an `Authorization` header.
///
/// ```
/// use s3presign::{AmzDate, Credentials, Signer};
/// use s3presign::sigv4::{sign_headers, Payload, SignableRequest, SigningParams};
/// // The AWS SigV4 test suite's "get-vanilla" case.
/// let signer = Signer::new(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"))?;
/// let headers = [("Host", "example.amazonaws.com")];
/// let req = SignableRequest::new("GET", "/", "", &headers, Payload::Bytes(b""));
/// let time = AmzDate::parse("20150830T123600Z")?;
/// let signed = sign_headers(&req, &SigningParams::new(&signer, "us-east-1", "service", time))?;
/// let scope = signed.string_to_sign().scope();
/// assert_eq!(signed.authorization(), format!("AWS4-HMAC-SHA256 \
///     Credential=AKIDEXAMPLE/{scope}, \
///     SignedHeaders=host;x-amz-date, \
///     Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
/// # Ok::<(), s3presign::Error>(())
/// ```
///
/// # Errors
/// Invalid method, path, header, payload hash, region or service, or a header the signer
/// sets itself (`authorization`, `x-amz-date`, ...).
pub fn sign_headers<'a>(
    req: &SignableRequest<'_>,
    params: &SigningParams<'a>,
) -> Result<HeaderSignature<'a>> {
    let settings = &params.settings;
    check_reserved_headers(req, settings)?;
    let scope = Scope::new(params.time, params.region, params.service)?;
    let creds = params.signer.credentials();
    let mut hash_buf = [0u8; 64];
    // Hashed once (for a body) and borrowed: no allocation for the payload hash.
    let payload_hash = req.payload.hash_str(&mut hash_buf)?;
    let token = creds.session_token();
    let include_sha = settings.content_sha256_header == ContentSha256Header::Include;
    let mut extra = [("", ""); 3];
    let n = signer_headers(&mut extra, params, include_sha, payload_hash);
    let query = CanonicalQuery::<HostOnly> {
        raw: req.query,
        auth: None,
    };
    let names: usize = req
        .headers
        .iter()
        .chain(&extra[..n])
        .map(|(h, _)| h.len() + 1)
        .sum();
    let room = authorization_len(creds.access_key_id(), &scope, names);
    let mut canonical_request =
        CanonicalRequest::build_with(req, settings, &query, &extra[..n], payload_hash, room)?;
    let digest = canonical_request.digest();
    let string_to_sign = StringToSign::new(scope, digest);
    let signature = params.signer.sign_hash(&scope, &digest);
    write_authorization(
        &mut canonical_request,
        creds.access_key_id(),
        &scope,
        &signature,
    );
    Ok(HeaderSignature {
        time: params.time,
        include_content_sha256: include_sha,
        session_token: token,
        canonical_request,
        string_to_sign,
        signature,
    })
}

/// The headers the signer adds, in sorted order, into `extra`; returns how many. On the
/// stack rather than in a Vec, and sorted so that the canonicaliser usually finds the list
/// sorted and skips sorting it.
fn signer_headers<'x>(
    extra: &mut [(&'static str, &'x str); 3],
    params: &'x SigningParams<'_>,
    include_sha: bool,
    payload_hash: &'x str,
) -> usize {
    let mut n = 0;
    if include_sha {
        extra[n] = ("x-amz-content-sha256", payload_hash);
        n += 1;
    }
    extra[n] = ("x-amz-date", params.time.as_str());
    n += 1;
    let token = params.signer.credentials().session_token();
    if let (Some(t), SessionTokenMode::Signed) = (token, params.settings.session_token) {
        extra[n] = ("x-amz-security-token", t);
        n += 1;
    }
    n
}

const AUTHORIZATION_START: &str = concat!(algorithm!(), " Credential=");

/// The length of the `Authorization` value: its fixed text, the credential, the signed
/// header names (`names`, each counted with one separator) and the signature.
fn authorization_len(access_key_id: &str, scope: &Scope<'_>, names: usize) -> usize {
    let scope_len = 8 + 1 + scope.region().len() + 1 + scope.service().len() + 1 + 12;
    AUTHORIZATION_START.len()
        + access_key_id.len()
        + 1
        + scope_len
        + ", SignedHeaders=".len()
        + names
        + ", Signature=".len()
        + 64
}

/// Appends the `Authorization` value after the canonical request (its trailer).
fn write_authorization(
    creq: &mut CanonicalRequest,
    access_key_id: &str,
    scope: &Scope<'_>,
    signature: &Signature,
) {
    let names = creq.signed_headers_range();
    let authorization = creq.trailer_mut();
    authorization.push_str(AUTHORIZATION_START);
    authorization.push_str(access_key_id);
    authorization.push('/');
    scope.write_to(authorization);
    authorization.push_str(", SignedHeaders=");
    authorization.extend_from_within(names);
    authorization.push_str(", Signature=");
    push_hex32(authorization, signature.as_bytes());
}

/// The result of [`presign`]: the query parameters to add, and every intermediate step.
///
/// `Debug` shows the request time and the start of the signature only: the canonical
/// request holds the session token when it is signed, so it is shown only by
/// [`canonical_request`](Self::canonical_request).
pub struct QuerySignature<'a> {
    time: AmzDate,
    /// Holds, after the canonical request, the decoded credential, the expiry digits and
    /// the signature's hex digits (one allocation for all).
    canonical_request: CanonicalRequest,
    /// Where the credential and the expiry end in the trailer.
    trailer_ends: [usize; 2],
    string_to_sign: StringToSign<'a>,
    signature: Signature,
    encoded_access_key_id: &'a str,
    expires: u64,
    expiry_cause: ExpiryCause,
    /// The session token (decoded, encoded) and whether it was signed or appended.
    token: Option<(&'a str, &'a str)>,
    token_mode: SessionTokenMode,
}

impl<'a> QuerySignature<'a> {
    /// The parameters to add (decoded values), `X-Amz-Signature` last.
    pub fn params(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let trailer = self.canonical_request.trailer();
        let [credential_end, expires_end] = self.trailer_ends;
        let token = |mode| {
            self.token
                .filter(|_| self.token_mode == mode)
                .map(|(t, _)| (param::SECURITY_TOKEN, t))
        };
        [
            Some((param::ALGORITHM, ALGORITHM)),
            trailer
                .get(..credential_end)
                .map(|c| (param::CREDENTIAL, c)),
            Some((param::DATE, self.time.as_str())),
            trailer
                .get(credential_end..expires_end)
                .map(|e| (param::EXPIRES, e)),
            token(SessionTokenMode::Signed),
            Some((
                param::SIGNED_HEADERS,
                self.canonical_request.signed_headers_str(),
            )),
            token(SessionTokenMode::AppendedAfterSigning),
            trailer.get(expires_end..).map(|s| (param::SIGNATURE, s)),
        ]
        .into_iter()
        .flatten()
    }

    /// The query string to send: `query` (as given to [`SignableRequest::new`]) followed by
    /// the encoded signing parameters.
    pub fn query_string(&self, query: &str) -> String {
        let token = self.token.map(|(_, encoded)| encoded);
        let signed_token = token.filter(|_| self.token_mode == SessionTokenMode::Signed);
        let auth = QueryAuth {
            encoded_access_key_id: self.encoded_access_key_id,
            scope: *self.string_to_sign.scope(),
            expires: self.expires,
            encoded_session_token: signed_token,
            signed_headers: Joined(self.canonical_request.signed_headers_str().as_bytes()),
        };
        let len = query.len() + self.canonical_request.query().len() + 2 * 64 + 40;
        let mut out = String::with_capacity(len + 2 * token.map_or(0, str::len));
        out.push_str(query);
        if !out.is_empty() {
            out.push('&');
        }
        write_query(&mut out, &auth, core::iter::empty::<(String, String)>());
        if let (Some(t), SessionTokenMode::AppendedAfterSigning) = (token, self.token_mode) {
            write_appended_token(&mut out, t);
        }
        write_signature(&mut out, &self.signature);
        out
    }

    /// The canonical request whose SHA-256 was signed, byte for byte (its `Display` is the
    /// hashed text). It holds the session token when the token is signed: do not log it.
    pub fn canonical_request(&self) -> &CanonicalRequest {
        &self.canonical_request
    }

    /// The string to sign.
    pub fn string_to_sign(&self) -> &StringToSign<'a> {
        &self.string_to_sign
    }

    /// The signature.
    pub fn signature(&self) -> Signature {
        self.signature
    }

    /// The `X-Amz-Expires` signed, in seconds: the requested expiry, or less if the
    /// signer's credentials expire first ([`Self::expiry_cause`]).
    pub fn expires_in(&self) -> u64 {
        self.expires
    }

    /// Why the signature expires after [`Self::expires_in`] seconds.
    pub fn expiry_cause(&self) -> ExpiryCause {
        self.expiry_cause
    }
}

impl fmt::Debug for QuerySignature<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QuerySignature")
            .field("time", &self.time)
            .field("signature", &self.signature)
            .finish_non_exhaustive()
    }
}

/// Presigns a request: the signature goes into the query string (`X-Amz-*` parameters).
///
/// ```
/// use s3presign::{AmzDate, Credentials, Expiry, Signer};
/// use s3presign::sigv4::{presign, Payload, SignableRequest, SigningParams};
/// // The AWS SigV4 test suite's "get-vanilla" case, query variant.
/// let signer = Signer::new(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"))?;
/// let headers = [("Host", "example.amazonaws.com")];
/// let req = SignableRequest::new("GET", "/", "", &headers, Payload::Bytes(b""));
/// let time = AmzDate::parse("20150830T123600Z")?;
/// let params = SigningParams::new(&signer, "us-east-1", "service", time);
/// let signed = presign(&req, &params, Expiry::from_secs(3600)?)?;
/// assert!(signed.query_string("").ends_with("&X-Amz-Signature=\
///     e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d"));
/// # Ok::<(), s3presign::Error>(())
/// ```
///
/// The expiry is cut to the signer's credentials when they expire first
/// ([`QuerySignature::expiry_cause`]).
///
/// # Errors
/// As [`sign_headers`], [`Error::InvalidQueryParameter`] if the query already has an
/// `X-Amz-Signature`, `X-Amz-Credential`, ... parameter, and [`Error::CredentialsExpired`].
pub fn presign<'a>(
    req: &SignableRequest<'_>,
    params: &SigningParams<'a>,
    expires_in: Expiry,
) -> Result<QuerySignature<'a>> {
    let settings = &params.settings;
    check_reserved_headers(req, settings)?;
    check_reserved_query(req.query)?;
    let scope = Scope::new(params.time, params.region, params.service)?;
    let signer = params.signer;
    let (expires_in, expiry_cause) =
        expires_in.within_credentials(signer.credentials(), params.time)?;
    let mut hash_buf = [0u8; 64];
    let payload_hash = req.payload.hash_str(&mut hash_buf)?;
    let token = signer
        .credentials()
        .session_token()
        .zip(signer.encoded_session_token());
    let mut names = StackText::<512>::new();
    let long_names;
    let names = match super::headers::signed_header_names(req.headers, &mut names)? {
        Some(names) => names,
        None => {
            long_names = super::headers::signed_header_names_string(req.headers)?;
            long_names.as_bytes()
        }
    };
    let signed_token = token.filter(|_| settings.session_token == SessionTokenMode::Signed);
    let auth = QueryAuth {
        encoded_access_key_id: signer.encoded_access_key_id(),
        scope,
        expires: expires_in.as_secs(),
        encoded_session_token: signed_token.map(|(_, encoded)| encoded),
        signed_headers: Joined(names),
    };
    let query = CanonicalQuery {
        raw: req.query,
        auth: Some(&auth),
    };
    let access_key_id = signer.credentials().access_key_id();
    let room = room_after_query(&auth, access_key_id, names.len());
    let mut canonical_request =
        CanonicalRequest::build_with(req, settings, &query, &[], payload_hash, room)?;
    let digest = canonical_request.digest();
    let signature = signer.sign_hash(&scope, &digest);
    let trailer_ends = write_trailer(&mut canonical_request, access_key_id, &auth, &signature);
    Ok(QuerySignature {
        time: params.time,
        canonical_request,
        trailer_ends,
        string_to_sign: StringToSign::new(scope, digest),
        signature,
        encoded_access_key_id: signer.encoded_access_key_id(),
        expires: expires_in.as_secs(),
        expiry_cause,
        token,
        token_mode: settings.session_token,
    })
}

/// Room to reserve in a presign's canonical request besides the request's own parts: the
/// signing parameters in its query line, and the trailer.
fn room_after_query<H>(auth: &QueryAuth<'_, H>, access_key_id: &str, names_len: usize) -> usize {
    let encoded_token = auth.encoded_session_token.map_or(0, str::len);
    let query = 2 * access_key_id.len() + encoded_token + 3 * names_len + 256;
    query + trailer_len(access_key_id, &auth.scope)
}

/// The length of what [`write_trailer`] writes, at most.
fn trailer_len(access_key_id: &str, scope: &Scope<'_>) -> usize {
    let scope_len = 8 + 1 + scope.region().len() + 1 + scope.service().len() + 1 + 12;
    access_key_id.len() + 1 + scope_len + 20 + 64
}

/// Appends the decoded credential, the expiry and the signature after the canonical
/// request; returns where the first two end (relative to the trailer).
fn write_trailer<H>(
    creq: &mut CanonicalRequest,
    access_key_id: &str,
    auth: &QueryAuth<'_, H>,
    signature: &Signature,
) -> [usize; 2] {
    let start = creq.trailer().len();
    let out = creq.trailer_mut();
    let base = out.len() - start;
    out.push_str(access_key_id);
    out.push('/');
    auth.scope.write_to(out);
    let credential_end = out.len() - base;
    push_u64(out, auth.expires);
    let expires_end = out.len() - base;
    push_hex32(out, signature.as_bytes());
    [credential_end, expires_end]
}

/// Rejects a query that already holds a signing parameter.
fn check_reserved_query(query: &str) -> Result<()> {
    // Most presigned requests have no query of their own.
    if query.is_empty() {
        return Ok(());
    }
    for pair in query.split('&') {
        let name = pair.split_once('=').map_or(pair, |(n, _)| n);
        // Compared decoded: `X%2DAmz%2DSignature` is the same parameter once canonicalised.
        let decoded = percent_encoding::percent_decode_str(name).decode_utf8_lossy();
        if is_reserved_query_name(&decoded) {
            return Err(Error::InvalidQueryParameter {
                name: clip(name),
                reason: "this parameter is set by the signer; remove it from the query",
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Credentials;
    use alloc::format;
    use alloc::string::ToString;

    const TOKEN: &str = "FwoGZXIvYXdzEJr//////////wEaDK+7xSESSIONTOKEN";

    fn signer() -> Signer {
        let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
            .with_session_token(TOKEN);
        Signer::new(creds).unwrap()
    }

    /// Neither the token (raw or encoded) nor the full signature is in `debug`.
    fn assert_redacted(debug: &str, signature: &Signature) {
        let mut encoded = String::new();
        super::super::text::uri_encode_into(&mut encoded, TOKEN, super::super::text::Set::Query);
        assert!(!debug.contains(TOKEN), "{debug}");
        assert!(!debug.contains(&encoded), "{debug}");
        assert!(!debug.contains(&signature.to_string()), "{debug}");
        assert!(!debug.contains("host:"), "no canonical request: {debug}");
    }

    #[test]
    fn debug_shows_no_token_and_no_full_signature() {
        let signer = signer();
        let headers = [("Host", "example.amazonaws.com")];
        let req = SignableRequest::new("GET", "/", "a=b", &headers, Payload::Unsigned);
        let time = AmzDate::parse("20150830T123600Z").unwrap();
        let params = SigningParams::new(&signer, "us-east-1", "service", time);

        let signed = sign_headers(&req, &params).unwrap();
        assert_redacted(&format!("{signed:?}"), &signed.signature());
        // The canonical request stays available through its documented accessor.
        assert!(signed.canonical_request().to_string().contains(TOKEN));

        let presigned = presign(&req, &params, Expiry::from_secs(60).unwrap()).unwrap();
        assert_redacted(&format!("{presigned:?}"), &presigned.signature());
        assert!(
            presigned
                .canonical_request()
                .to_string()
                .contains("X-Amz-Security-Token=")
        );
    }
}
