//! The whole pipeline for any service: [`sign_headers`] (an `Authorization` header) and
//! [`presign`] (query-string authentication).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::{
    ALGORITHM, CanonicalRequest, ContentSha256Header, Payload, Scope, SessionTokenMode, Signature,
    Signer, SigningSettings, StringToSign,
};
use crate::encoding::{self, QUERY};
use crate::error::{Error, Result, clip};
use crate::expiry::Expiry;
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

    /// The canonical request that was signed.
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
            .field("canonical_request", &self.canonical_request)
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
/// assert_eq!(signed.authorization(), "AWS4-HMAC-SHA256 \
///     Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
///     SignedHeaders=host;x-amz-date, \
///     Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
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
    let amz_date = params.time.as_str();
    let include_sha = settings.content_sha256_header == ContentSha256Header::Include;

    // The headers the signer adds, on the stack rather than in a Vec, in sorted order (the
    // canonicaliser then usually finds the list sorted and skips sorting it).
    let mut extra = [("", ""); 3];
    let mut n = 0;
    if include_sha {
        extra[n] = ("x-amz-content-sha256", payload_hash);
        n += 1;
    }
    extra[n] = ("x-amz-date", amz_date);
    n += 1;
    if let (Some(t), SessionTokenMode::Signed) = (token, settings.session_token) {
        extra[n] = ("x-amz-security-token", t);
        n += 1;
    }
    // Room after the canonical request for the Authorization value (see below).
    let names: usize = req
        .headers
        .iter()
        .chain(&extra[..n])
        .map(|(h, _)| h.len() + 1)
        .sum();
    let authorization_len = 28
        + creds.access_key_id().len()
        + 1
        + (8 + 1 + params.region.len() + 1 + params.service.len() + 13)
        + 16
        + names
        + 12
        + 64;
    let mut canonical_request = CanonicalRequest::build_with_payload_hash(
        req,
        settings,
        &[],
        &extra[..n],
        payload_hash,
        authorization_len,
    )?;
    let digest = canonical_request.digest();
    let string_to_sign = StringToSign::new(scope, digest);
    let signature = params.signer.sign_hash(&scope, &digest);

    let names = canonical_request.signed_headers_range();
    let authorization = canonical_request.trailer_mut();
    // ALGORITHM and the next text as one literal: one append instead of two.
    authorization.push_str("AWS4-HMAC-SHA256 Credential=");
    authorization.push_str(creds.access_key_id());
    authorization.push('/');
    scope.write_to(authorization);
    authorization.push_str(", SignedHeaders=");
    authorization.extend_from_within(names);
    authorization.push_str(", Signature=");
    super::uri_encode::push_hex32(authorization, signature.as_bytes());
    Ok(HeaderSignature {
        time: params.time,
        include_content_sha256: include_sha,
        session_token: token,
        canonical_request,
        string_to_sign,
        signature,
    })
}

/// The result of [`presign`]: the query parameters to add, and every intermediate step.
pub struct QuerySignature<'a> {
    params: Vec<(&'static str, String)>,
    canonical_request: CanonicalRequest,
    string_to_sign: StringToSign<'a>,
    signature: Signature,
}

impl<'a> QuerySignature<'a> {
    /// The parameters to add (decoded values), `X-Amz-Signature` last.
    pub fn params(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.params.iter().map(|(n, v)| (*n, v.as_str()))
    }

    /// The query string to send: `query` (as given to [`SignableRequest::new`]) followed by
    /// the encoded signing parameters.
    pub fn query_string(&self, query: &str) -> String {
        let mut out = String::with_capacity(query.len() + 400);
        out.push_str(query);
        for (name, value) in &self.params {
            if !out.is_empty() {
                out.push('&');
            }
            out.push_str(name);
            out.push('=');
            encoding::encode_into(&mut out, value, QUERY);
        }
        out
    }

    /// The canonical request that was signed.
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

impl fmt::Debug for QuerySignature<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QuerySignature")
            .field("canonical_request", &self.canonical_request)
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
/// # Errors
/// As [`sign_headers`], and [`Error::InvalidQueryParameter`] if the query already has an
/// `X-Amz-Signature`, `X-Amz-Credential`, ... parameter.
pub fn presign<'a>(
    req: &SignableRequest<'_>,
    params: &SigningParams<'a>,
    expires_in: Expiry,
) -> Result<QuerySignature<'a>> {
    let settings = &params.settings;
    check_reserved_headers(req, settings)?;
    for pair in req.query.split('&') {
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
    let scope = Scope::new(params.time, params.region, params.service)?;
    let creds = params.signer.credentials();
    let signed_headers = CanonicalRequest::from_request(req, settings)?.signed_headers();

    let mut credential = String::with_capacity(80);
    credential.push_str(creds.access_key_id());
    credential.push('/');
    scope.write_to(&mut credential);
    let mut expires = String::new();
    push_u64(&mut expires, expires_in.as_secs());

    let mut out: Vec<(&'static str, String)> = Vec::with_capacity(7);
    out.push(("X-Amz-Algorithm", String::from(ALGORITHM)));
    out.push(("X-Amz-Credential", credential));
    out.push(("X-Amz-Date", String::from(params.time.as_str())));
    out.push(("X-Amz-Expires", expires));
    let token = creds.session_token();
    if let (Some(t), SessionTokenMode::Signed) = (token, settings.session_token) {
        out.push(("X-Amz-Security-Token", String::from(t)));
    }
    out.push(("X-Amz-SignedHeaders", signed_headers));
    let extra: Vec<(&str, &str)> = out.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let canonical_request = CanonicalRequest::build(req, settings, &extra, &[])?;
    let string_to_sign = StringToSign::new(scope, canonical_request.digest());
    let signature = params.signer.signing_key(&scope).sign(&string_to_sign);
    if let (Some(t), SessionTokenMode::AppendedAfterSigning) = (token, settings.session_token) {
        out.push(("X-Amz-Security-Token", String::from(t)));
    }
    out.push(("X-Amz-Signature", alloc::format!("{signature}")));
    Ok(QuerySignature {
        params: out,
        canonical_request,
        string_to_sign,
        signature,
    })
}

/// `X-Amz-Algorithm`, `X-Amz-Credential`, ... are written by the signer only.
pub(crate) fn is_reserved_query_name(name: &str) -> bool {
    const RESERVED: [&str; 7] = [
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-Expires",
        "X-Amz-SignedHeaders",
        "X-Amz-Security-Token",
        "X-Amz-Signature",
    ];
    RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name))
}

/// Appends the decimal digits of `n` without going through `fmt` (smaller on WASM).
pub(crate) fn push_u64(out: &mut String, mut n: u64) {
    // Up to four digits (every common expiry) one char each: no buffer, no UTF-8 check.
    if n < 10_000 {
        let digits = [n / 1000, n / 100 % 10, n / 10 % 10, n % 10];
        let skip = if n >= 1000 {
            0
        } else if n >= 100 {
            1
        } else if n >= 10 {
            2
        } else {
            3
        };
        for d in &digits[skip..] {
            out.push(char::from(b'0' + *d as u8));
        }
        return;
    }
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.push_str(core::str::from_utf8(&buf[i..]).unwrap_or("0"));
}
