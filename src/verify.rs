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
//! uses) and compared in constant time ([`Signature::ct_eq`]).
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

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use percent_encoding::percent_decode_str;

use crate::credentials::Credentials;
use crate::s3::{Condition, PolicyDocument, sign_policy};
use crate::sigv4::{
    ALGORITHM, CanonicalRequest, Payload, Scope, SignableRequest, Signature, SigningKey,
    SigningSettings, StringToSign, UNSIGNED_PAYLOAD,
};
use crate::time::AmzDate;

/// The longest presigned URL lifetime S3 accepts: 7 days.
pub const DEFAULT_MAX_EXPIRY_SECS: u64 = 604_800;
/// S3's tolerance for a client clock that is off: 15 minutes.
pub const DEFAULT_MAX_CLOCK_SKEW_SECS: u64 = 900;

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

/// What kind of verification failure happened; each maps to S3's error code and status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VerifyErrorKind {
    /// No signature at all (`AccessDenied`, 403).
    MissingAuthentication,
    /// Both query and header authentication, or POST auth mixed in (`InvalidArgument`, 400).
    MultipleAuthentication,
    /// Presigned URL parameters missing, repeated or malformed
    /// (`AuthorizationQueryParametersError`, 400).
    MalformedQuery,
    /// `Authorization` header malformed, or a scope for another region or service
    /// (`AuthorizationHeaderMalformed`, 400).
    MalformedHeader,
    /// A POST form missing a required field or repeating one (`InvalidArgument`, 400).
    MalformedForm,
    /// The URL could not be split into scheme, host, path and query (`InvalidArgument`, 400).
    MalformedUrl,
    /// The request cannot be canonicalised (a control character in the path or a signed
    /// header, an invalid method) (`InvalidRequest`, 400).
    InvalidRequest,
    /// `x-amz-content-sha256` missing or not a hash (`InvalidRequest`, 400).
    InvalidContentSha256,
    /// A streaming (chunk-signed) payload, which this verifier does not check
    /// (`NotImplemented`, 501).
    UnsupportedPayload,
    /// The presigned URL is past its expiry (`AccessDenied` "Request has expired", 403).
    Expired,
    /// The request was signed in the future, beyond the allowed skew (`AccessDenied`, 403).
    NotYetValid,
    /// `X-Amz-Expires` above the maximum (`AuthorizationQueryParametersError`, 400).
    ExpiresTooLong,
    /// A header-signed request whose date is too far from now (`RequestTimeTooSkewed`, 403).
    RequestTimeTooSkewed,
    /// An `x-amz-*` header is present but not signed (`AccessDenied`, 403).
    UnsignedHeader,
    /// A signed header is not in the request (`AccessDenied`, 403).
    MissingSignedHeader,
    /// No secret for the access key id (`InvalidAccessKeyId`, 403).
    InvalidAccessKeyId,
    /// The session token is missing, unexpected or wrong (`InvalidToken`, 400).
    InvalidToken,
    /// The signature is wrong (`SignatureDoesNotMatch`, 403).
    SignatureDoesNotMatch,
    /// The POST policy is not valid base64 JSON (`InvalidPolicyDocument`, 400).
    InvalidPolicyDocument,
    /// The POST policy has expired (`AccessDenied`, 403).
    PolicyExpired,
    /// A POST field fails a policy condition (`AccessDenied`, 403).
    PolicyConditionFailed,
    /// A POST field is not covered by any policy condition (`AccessDenied`, 403).
    ExtraInputField,
    /// The uploaded file is larger than the content-length-range (`EntityTooLarge`, 400).
    EntityTooLarge,
    /// The uploaded file is smaller than the content-length-range (`EntityTooSmall`, 400).
    EntityTooSmall,
}

impl VerifyErrorKind {
    /// S3's error code (`<Code>` in the XML error body).
    pub fn s3_code(&self) -> &'static str {
        use VerifyErrorKind::*;
        match self {
            MissingAuthentication
            | Expired
            | NotYetValid
            | UnsignedHeader
            | MissingSignedHeader
            | PolicyExpired
            | PolicyConditionFailed
            | ExtraInputField => "AccessDenied",
            MultipleAuthentication | MalformedForm | MalformedUrl => "InvalidArgument",
            MalformedQuery | ExpiresTooLong => "AuthorizationQueryParametersError",
            MalformedHeader => "AuthorizationHeaderMalformed",
            InvalidRequest | InvalidContentSha256 => "InvalidRequest",
            UnsupportedPayload => "NotImplemented",
            RequestTimeTooSkewed => "RequestTimeTooSkewed",
            InvalidAccessKeyId => "InvalidAccessKeyId",
            InvalidToken => "InvalidToken",
            SignatureDoesNotMatch => "SignatureDoesNotMatch",
            InvalidPolicyDocument => "InvalidPolicyDocument",
            EntityTooLarge => "EntityTooLarge",
            EntityTooSmall => "EntityTooSmall",
        }
    }

    /// The HTTP status S3 answers with.
    pub fn http_status(&self) -> u16 {
        use VerifyErrorKind::*;
        match self {
            MissingAuthentication
            | Expired
            | NotYetValid
            | UnsignedHeader
            | MissingSignedHeader
            | PolicyExpired
            | PolicyConditionFailed
            | ExtraInputField
            | RequestTimeTooSkewed
            | InvalidAccessKeyId
            | SignatureDoesNotMatch => 403,
            UnsupportedPayload => 501,
            _ => 400,
        }
    }
}

/// A failed verification: a [`VerifyErrorKind`] and a message in S3's words.
///
/// The message may name a parameter, header or form field, but never contains a signature
/// (expected or received), a secret or a session token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyError {
    kind: VerifyErrorKind,
    message: Cow<'static, str>,
}

impl VerifyError {
    fn new(kind: VerifyErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// The kind.
    pub fn kind(&self) -> VerifyErrorKind {
        self.kind
    }

    /// S3's error code, for example `SignatureDoesNotMatch`.
    pub fn s3_code(&self) -> &'static str {
        self.kind.s3_code()
    }

    /// The HTTP status, for example 403.
    pub fn http_status(&self) -> u16 {
        self.kind.http_status()
    }

    /// The message (`<Message>` in S3's XML error body).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.s3_code(),
            self.http_status(),
            self.message
        )
    }
}

impl core::error::Error for VerifyError {}

type VResult<T> = core::result::Result<T, VerifyError>;

fn err<T>(kind: VerifyErrorKind, message: impl Into<Cow<'static, str>>) -> VResult<T> {
    Err(VerifyError::new(kind, message))
}

/// Short, printable rendering of a name taken from the request for an error message.
fn shown(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().take(64) {
        if c.is_ascii_graphic() {
            out.push(c);
        } else {
            out.push('?');
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Parsed views
// ---------------------------------------------------------------------------------------

/// A credential scope: `AKID/20130524/us-east-1/s3/aws4_request`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CredentialScope<'a> {
    /// The access key id.
    pub access_key_id: &'a str,
    /// `YYYYMMDD`.
    pub date: &'a str,
    /// The region.
    pub region: &'a str,
    /// The service.
    pub service: &'a str,
}

impl<'a> CredentialScope<'a> {
    /// Parses `AKID/YYYYMMDD/region/service/aws4_request`. Returns the reason on failure.
    ///
    /// ```
    /// use s3presign::verify::CredentialScope;
    /// let s = CredentialScope::parse("AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request").unwrap();
    /// assert_eq!((s.date, s.region, s.service), ("20150830", "us-east-1", "s3"));
    /// assert!(CredentialScope::parse("AKIDEXAMPLE/2015083/us-east-1/s3/aws4_request").is_err());
    /// ```
    ///
    /// # Errors
    /// A static reason naming the malformed part.
    pub fn parse(s: &'a str) -> core::result::Result<Self, &'static str> {
        let mut it = s.split('/');
        let (Some(id), Some(date), Some(region), Some(service), Some(term), None) = (
            it.next(),
            it.next(),
            it.next(),
            it.next(),
            it.next(),
            it.next(),
        ) else {
            return Err(
                "the credential must be ACCESS_KEY_ID/YYYYMMDD/REGION/SERVICE/aws4_request",
            );
        };
        if id.is_empty() || id.len() > 128 || !id.bytes().all(|c| c.is_ascii_graphic()) {
            return Err("the access key id in the credential is malformed");
        }
        if date.len() != 8 || !date.bytes().all(|c| c.is_ascii_digit()) {
            return Err("the credential date is not YYYYMMDD");
        }
        let part_ok = |p: &str| {
            !p.is_empty()
                && p.len() <= 64
                && p.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        };
        if !part_ok(region) {
            return Err("the credential region is malformed");
        }
        if !part_ok(service) {
            return Err("the credential service is malformed");
        }
        if term != "aws4_request" {
            return Err("the credential must end with aws4_request");
        }
        Ok(Self {
            access_key_id: id,
            date,
            region,
            service,
        })
    }
}

fn is_sig_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|c| c.is_ascii_hexdigit())
}

/// Checks `host;range;x-amz-date`: lowercase tokens, sorted, no repeats, `host` included.
fn check_signed_headers(s: &str) -> core::result::Result<(), &'static str> {
    let mut prev: Option<&str> = None;
    let mut host = false;
    for name in s.split(';') {
        let ok = !name.is_empty()
            && name.bytes().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || b"!#$%&'*+-.^_`|~".contains(&c)
            });
        if !ok {
            return Err("signed header names must be lowercase HTTP tokens separated by ';'");
        }
        if prev.is_some_and(|p| p >= name) {
            return Err("signed header names must be sorted and unique");
        }
        host |= name == "host";
        prev = Some(name);
    }
    if !host {
        return Err("the host header must be signed");
    }
    Ok(())
}

/// The `X-Amz-*` parameters of a presigned URL, parsed (values percent-decoded).
#[derive(Clone, PartialEq, Eq)]
pub struct QueryAuth<'a> {
    algorithm: Cow<'a, str>,
    credential: Cow<'a, str>,
    date: Cow<'a, str>,
    expires: Cow<'a, str>,
    signed_headers: Cow<'a, str>,
    signature: Cow<'a, str>,
    security_token: Option<Cow<'a, str>>,
}

const QUERY_AUTH_NAMES: [&str; 7] = [
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
    "X-Amz-Security-Token",
];

fn decode_component(s: &str) -> VResult<Cow<'_, str>> {
    percent_decode_str(s).decode_utf8().or_else(|_| {
        err(
            VerifyErrorKind::MalformedQuery,
            "a query parameter is not valid UTF-8 after percent-decoding",
        )
    })
}

/// Whether a raw query string carries presigned-URL parameters.
fn has_query_auth(query: &str) -> bool {
    query.split('&').any(|pair| {
        let name = pair.split_once('=').map_or(pair, |(n, _)| n);
        matches!(
            name,
            "X-Amz-Algorithm" | "X-Amz-Credential" | "X-Amz-Signature"
        )
    })
}

impl<'a> QueryAuth<'a> {
    /// Parses the authentication parameters of a raw query string (without `?`).
    ///
    /// # Errors
    /// [`VerifyErrorKind::MalformedQuery`] for a missing or repeated `X-Amz-*` parameter, a
    /// malformed credential, signed header list, `X-Amz-Expires`, or a signature that is not
    /// 64 hex digits.
    pub fn parse(query: &'a str) -> VResult<Self> {
        let mut found: [Option<Cow<'a, str>>; 7] = Default::default();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = decode_component(name)?;
            if let Some(i) = QUERY_AUTH_NAMES.iter().position(|n| *n == name) {
                if found[i].is_some() {
                    return err(
                        VerifyErrorKind::MalformedQuery,
                        alloc::format!("{} appears more than once", QUERY_AUTH_NAMES[i]),
                    );
                }
                found[i] = Some(decode_component(value)?);
            }
        }
        let [alg, cred, date, expires, signed, sig, token] = found;
        let need = |v: Option<Cow<'a, str>>, name: &'static str| {
            v.ok_or_else(|| {
                VerifyError::new(
                    VerifyErrorKind::MalformedQuery,
                    alloc::format!(
                        "Query-string authentication requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters; {name} is missing"
                    ),
                )
            })
        };
        let q = Self {
            algorithm: need(alg, "X-Amz-Algorithm")?,
            credential: need(cred, "X-Amz-Credential")?,
            date: need(date, "X-Amz-Date")?,
            expires: need(expires, "X-Amz-Expires")?,
            signed_headers: need(signed, "X-Amz-SignedHeaders")?,
            signature: need(sig, "X-Amz-Signature")?,
            security_token: token,
        };
        if let Err(reason) = CredentialScope::parse(&q.credential) {
            return err(VerifyErrorKind::MalformedQuery, reason);
        }
        if let Err(reason) = check_signed_headers(&q.signed_headers) {
            return err(VerifyErrorKind::MalformedQuery, reason);
        }
        if q.expires.is_empty()
            || q.expires.len() > 19
            || !q.expires.bytes().all(|c| c.is_ascii_digit())
        {
            return err(
                VerifyErrorKind::MalformedQuery,
                "X-Amz-Expires should be a number of seconds",
            );
        }
        if !is_sig_hex(&q.signature) {
            return err(
                VerifyErrorKind::MalformedQuery,
                "X-Amz-Signature must be 64 hexadecimal digits",
            );
        }
        Ok(q)
    }

    /// `X-Amz-Algorithm`.
    pub fn algorithm(&self) -> &str {
        &self.algorithm
    }

    /// `X-Amz-Credential`, parsed.
    pub fn credential(&self) -> CredentialScope<'_> {
        // Validated in `parse`.
        CredentialScope::parse(&self.credential).unwrap_or(CredentialScope {
            access_key_id: "",
            date: "",
            region: "",
            service: "",
        })
    }

    /// `X-Amz-Date`, as sent.
    pub fn date(&self) -> &str {
        &self.date
    }

    /// `X-Amz-Expires` in seconds (saturating).
    pub fn expires_secs(&self) -> u64 {
        self.expires.parse().unwrap_or(u64::MAX)
    }

    /// `X-Amz-SignedHeaders`.
    pub fn signed_headers(&self) -> &str {
        &self.signed_headers
    }

    /// `X-Amz-Security-Token`, if present.
    pub fn security_token(&self) -> Option<&str> {
        self.security_token.as_deref()
    }
}

impl fmt::Debug for QueryAuth<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueryAuth")
            .field("algorithm", &self.algorithm)
            .field("credential", &self.credential)
            .field("date", &self.date)
            .field("expires", &self.expires)
            .field("signed_headers", &self.signed_headers)
            .finish_non_exhaustive()
    }
}

/// An `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`
/// header, parsed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct HeaderAuth<'a> {
    algorithm: &'a str,
    credential: CredentialScope<'a>,
    signed_headers: &'a str,
    signature: &'a str,
}

impl<'a> HeaderAuth<'a> {
    /// Parses an `Authorization` header value.
    ///
    /// ```
    /// use s3presign::verify::HeaderAuth;
    /// let h = HeaderAuth::parse("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
    ///     SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")?;
    /// assert_eq!(h.signed_headers(), "host;x-amz-date");
    /// assert!(HeaderAuth::parse("AWS4-HMAC-SHA256 Credential=a/b, Signature=00").is_err());
    /// # Ok::<(), s3presign::verify::VerifyError>(())
    /// ```
    ///
    /// # Errors
    /// [`VerifyErrorKind::MalformedHeader`] for anything but exactly one `Credential`,
    /// `SignedHeaders` and `Signature` with well-formed values.
    pub fn parse(value: &'a str) -> VResult<Self> {
        let bad = |m: &'static str| err(VerifyErrorKind::MalformedHeader, m);
        let value = value.trim_matches(|c| c == ' ' || c == '\t');
        let Some((algorithm, rest)) = value.split_once(' ') else {
            return bad("the authorization header is malformed");
        };
        let (mut cred, mut signed, mut sig) = (None, None, None);
        for part in rest.split(',') {
            let part = part.trim_matches(|c| c == ' ' || c == '\t');
            let Some((k, v)) = part.split_once('=') else {
                return bad("the authorization header is malformed; each component is Name=value");
            };
            let slot = match k {
                "Credential" => &mut cred,
                "SignedHeaders" => &mut signed,
                "Signature" => &mut sig,
                _ => return bad("the authorization header has an unknown component"),
            };
            if slot.replace(v).is_some() {
                return bad("the authorization header repeats a component");
            }
        }
        let (Some(cred), Some(signed), Some(sig)) = (cred, signed, sig) else {
            return bad(
                "the authorization header requires Credential, SignedHeaders and Signature",
            );
        };
        let credential = match CredentialScope::parse(cred) {
            Ok(c) => c,
            Err(reason) => return err(VerifyErrorKind::MalformedHeader, reason),
        };
        if let Err(reason) = check_signed_headers(signed) {
            return err(VerifyErrorKind::MalformedHeader, reason);
        }
        if !is_sig_hex(sig) {
            return bad("the signature must be 64 hexadecimal digits");
        }
        Ok(Self {
            algorithm,
            credential,
            signed_headers: signed,
            signature: sig,
        })
    }

    /// The algorithm (`AWS4-HMAC-SHA256`).
    pub fn algorithm(&self) -> &'a str {
        self.algorithm
    }

    /// The credential scope.
    pub fn credential(&self) -> CredentialScope<'a> {
        self.credential
    }

    /// The signed header names, `;`-separated.
    pub fn signed_headers(&self) -> &'a str {
        self.signed_headers
    }
}

impl fmt::Debug for HeaderAuth<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeaderAuth")
            .field("algorithm", &self.algorithm)
            .field("credential", &self.credential)
            .field("signed_headers", &self.signed_headers)
            .finish_non_exhaustive()
    }
}

/// The authentication fields of a POST upload, parsed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PostAuth<'a> {
    algorithm: &'a str,
    credential: CredentialScope<'a>,
    date: &'a str,
    policy: &'a str,
    signature: &'a str,
    security_token: Option<&'a str>,
    key: &'a str,
}

/// Fields that do not need a policy condition.
fn exempt_field(name: &str) -> bool {
    ["policy", "x-amz-signature", "file"]
        .iter()
        .any(|n| n.eq_ignore_ascii_case(name))
        || name
            .get(..9)
            .is_some_and(|p| p.eq_ignore_ascii_case("x-ignore-"))
}

impl<'a> PostAuth<'a> {
    /// Parses the form fields of a POST upload (names compared case-insensitively).
    ///
    /// # Errors
    /// [`VerifyErrorKind::MalformedForm`] if a field appears twice or `key`, `policy`,
    /// `x-amz-algorithm`, `x-amz-credential`, `x-amz-date` or `x-amz-signature` is missing;
    /// the credential or signature is malformed.
    pub fn parse(fields: &'a [(&'a str, &'a str)]) -> VResult<Self> {
        for (i, (a, _)) in fields.iter().enumerate() {
            if fields[..i].iter().any(|(b, _)| a.eq_ignore_ascii_case(b)) {
                return err(
                    VerifyErrorKind::MalformedForm,
                    alloc::format!("the form field {} appears more than once", shown(a)),
                );
            }
        }
        let get = |name: &str| {
            fields
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| *v)
        };
        let need = |name: &'static str| {
            get(name).ok_or_else(|| {
                VerifyError::new(
                    VerifyErrorKind::MalformedForm,
                    alloc::format!("Bucket POST must contain a field named '{name}'"),
                )
            })
        };
        let p = Self {
            key: need("key")?,
            algorithm: need("x-amz-algorithm")?,
            credential: CredentialScope::parse(need("x-amz-credential")?)
                .or_else(|r| err(VerifyErrorKind::MalformedForm, r))?,
            date: need("x-amz-date")?,
            policy: need("policy")?,
            signature: need("x-amz-signature")?,
            security_token: get("x-amz-security-token"),
        };
        if !is_sig_hex(p.signature) {
            return err(
                VerifyErrorKind::MalformedForm,
                "x-amz-signature must be 64 hexadecimal digits",
            );
        }
        Ok(p)
    }

    /// The credential scope.
    pub fn credential(&self) -> CredentialScope<'a> {
        self.credential
    }

    /// The base64 policy.
    pub fn policy(&self) -> &'a str {
        self.policy
    }

    /// The `key` field as submitted.
    pub fn key(&self) -> &'a str {
        self.key
    }
}

impl fmt::Debug for PostAuth<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostAuth")
            .field("algorithm", &self.algorithm)
            .field("credential", &self.credential)
            .field("date", &self.date)
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

// ---------------------------------------------------------------------------------------
// URLs
// ---------------------------------------------------------------------------------------

/// A URL split into the parts a verifier needs; nothing is decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UrlParts<'a> {
    /// `http` or `https`.
    pub scheme: &'a str,
    /// `host[:port]`, the `Host` header value a client sends.
    pub authority: &'a str,
    /// The path as sent (`/` when empty).
    pub path: &'a str,
    /// The query without `?` (empty when absent).
    pub query: &'a str,
}

/// Splits `http(s)://authority/path?query`. Fragments, user info, whitespace and control
/// characters are rejected.
///
/// ```
/// let u = s3presign::verify::parse_url("https://b.s3.amazonaws.com/a%20b?x=1")?;
/// assert_eq!((u.authority, u.path, u.query), ("b.s3.amazonaws.com", "/a%20b", "x=1"));
/// # Ok::<(), s3presign::verify::VerifyError>(())
/// ```
///
/// # Errors
/// [`VerifyErrorKind::MalformedUrl`].
pub fn parse_url(url: &str) -> VResult<UrlParts<'_>> {
    let bad = |m: &'static str| err(VerifyErrorKind::MalformedUrl, m);
    if url.bytes().any(|c| c <= b' ' || c == 0x7f) {
        return bad("the URL contains whitespace or control characters");
    }
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) if s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https") => (s, r),
        _ => return bad("the URL must start with http:// or https://"),
    };
    if rest.contains('#') {
        return bad("the URL must not have a fragment");
    }
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if authority.is_empty() || authority.contains('@') {
        return bad("the URL must have a host and no user info");
    }
    let (path, query) = tail.split_once('?').unwrap_or((tail, ""));
    let path = if path.is_empty() { "/" } else { path };
    Ok(UrlParts {
        scheme,
        authority,
        path,
        query,
    })
}

// ---------------------------------------------------------------------------------------
// The verifier
// ---------------------------------------------------------------------------------------

/// Where the verifier gets secrets: credentials (secret and, for temporary credentials, the
/// session token the request must carry) by access key id.
///
/// Any `Fn(&str) -> Option<Credentials>` is a lookup.
pub trait SecretLookup {
    /// The credentials for `access_key_id`, or `None` if it is unknown.
    fn credentials(&self, access_key_id: &str) -> Option<Credentials>;
}

impl<F: Fn(&str) -> Option<Credentials>> SecretLookup for F {
    fn credentials(&self, access_key_id: &str) -> Option<Credentials> {
        self(access_key_id)
    }
}

/// A request as received: method, path and query exactly as on the wire (path
/// percent-encoded, query without `?`), and all headers including `host`.
#[derive(Debug, Clone, Copy)]
pub struct IncomingRequest<'a> {
    method: &'a str,
    path: &'a str,
    query: &'a str,
    headers: &'a [(&'a str, &'a str)],
}

impl<'a> IncomingRequest<'a> {
    /// Describes a received request.
    pub fn new(
        method: &'a str,
        path: &'a str,
        query: &'a str,
        headers: &'a [(&'a str, &'a str)],
    ) -> Self {
        Self {
            method,
            path,
            query,
            headers,
        }
    }

    fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }
}

/// A POST upload as received: the bucket it was posted to, the form fields before the file
/// (in any order), the file's size in bytes and, if known, its filename (S3 substitutes it
/// for `${filename}` in the key).
#[derive(Debug, Clone, Copy)]
pub struct PostSubmission<'a> {
    bucket: &'a str,
    fields: &'a [(&'a str, &'a str)],
    file_size: u64,
    filename: Option<&'a str>,
}

impl<'a> PostSubmission<'a> {
    /// Describes a received POST upload.
    pub fn new(bucket: &'a str, fields: &'a [(&'a str, &'a str)], file_size: u64) -> Self {
        Self {
            bucket,
            fields,
            file_size,
            filename: None,
        }
    }

    /// The uploaded file's name (from the `file` part's `Content-Disposition`).
    #[must_use]
    pub fn with_filename(mut self, filename: &'a str) -> Self {
        self.filename = Some(filename);
        self
    }
}

/// How a verified request was authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthMethod {
    /// A presigned URL (`X-Amz-*` query parameters).
    QueryString,
    /// An `Authorization` header.
    AuthorizationHeader,
    /// A POST policy.
    PostPolicy,
}

/// A successfully verified request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    method: AuthMethod,
    access_key_id: String,
    region: String,
    signed_at: AmzDate,
    expires_at: Option<AmzDate>,
    payload_hash: String,
    key: Option<String>,
}

impl Verified {
    /// How it was authenticated.
    pub fn auth_method(&self) -> AuthMethod {
        self.method
    }

    /// Who signed it.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The region of the credential scope.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// `X-Amz-Date`.
    pub fn signed_at(&self) -> AmzDate {
        self.signed_at
    }

    /// When a presigned URL or a POST policy expires.
    pub fn expires_at(&self) -> Option<AmzDate> {
        self.expires_at
    }

    /// The payload hash that was signed: `UNSIGNED-PAYLOAD` or the hex SHA-256 claimed in
    /// `x-amz-content-sha256`. The verifier does not read bodies: when it is a hash, compare
    /// it with the SHA-256 of the body you receive.
    pub fn payload_hash(&self) -> &str {
        &self.payload_hash
    }

    /// For a POST upload, the object key (after `${filename}` substitution).
    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }
}

/// Verifies SigV4 requests for S3 (see the [module docs](self)).
#[derive(Debug, Clone)]
pub struct Verifier<L> {
    lookup: L,
    region: Option<String>,
    service: String,
    max_expiry: u64,
    max_skew: u64,
}

impl<L: SecretLookup> Verifier<L> {
    /// A verifier for service `s3` in any region, with a 7-day expiry cap and 15 minutes of
    /// clock skew.
    pub fn new(lookup: L) -> Self {
        Self {
            lookup,
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

    /// The clock skew tolerated (default 900 s, 15 minutes).
    #[must_use]
    pub fn with_max_clock_skew(mut self, secs: u64) -> Self {
        self.max_skew = secs;
        self
    }

    /// Verifies a presigned URL given as a whole (the `host` header is taken from the URL
    /// unless `headers` has one). `headers` are any other headers the request carries.
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
        let u = parse_url(url)?;
        let mut all: Vec<(&str, &str)> = Vec::with_capacity(headers.len() + 1);
        if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
            all.push(("host", u.authority));
        }
        all.extend_from_slice(headers);
        self.verify(&IncomingRequest::new(method, u.path, u.query, &all), now)
    }

    /// Verifies a presigned URL or a header-signed request at time `now`.
    ///
    /// # Errors
    /// A [`VerifyError`] whose kind says what failed (see [`VerifyErrorKind`]).
    pub fn verify(&self, req: &IncomingRequest<'_>, now: AmzDate) -> VResult<Verified> {
        let authorization = req.header("authorization");
        match (has_query_auth(req.query), authorization) {
            (true, Some(_)) => err(
                VerifyErrorKind::MultipleAuthentication,
                "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified",
            ),
            (true, None) => self.verify_query(req, now),
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

    fn lookup(&self, id: &str, token: Option<&str>) -> VResult<Credentials> {
        let Some(creds) = self.lookup.credentials(id) else {
            return err(
                VerifyErrorKind::InvalidAccessKeyId,
                "The AWS Access Key Id you provided does not exist in our records.",
            );
        };
        let token_ok = match (creds.session_token(), token) {
            (None, None) => true,
            (Some(a), Some(b)) => ct_eq_str(a, b),
            _ => false,
        };
        if !token_ok {
            return err(
                VerifyErrorKind::InvalidToken,
                "The provided token is malformed or otherwise invalid.",
            );
        }
        Ok(creds)
    }

    fn verify_query(&self, req: &IncomingRequest<'_>, now: AmzDate) -> VResult<Verified> {
        let kind = VerifyErrorKind::MalformedQuery;
        let q = QueryAuth::parse(req.query)?;
        if q.algorithm() != ALGORITHM {
            return err(kind, "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
        }
        let scope = q.credential();
        let signed_at = self.check_scope(kind, &scope, q.date())?;
        let expires = q.expires_secs();
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
        if n.saturating_add(self.max_skew as i64) < t {
            return err(VerifyErrorKind::NotYetValid, "Request is not yet valid");
        }
        if n > t.saturating_add(expires as i64) {
            return err(VerifyErrorKind::Expired, "Request has expired");
        }
        let headers = signed_header_values(req, q.signed_headers())?;
        let creds = self.lookup(scope.access_key_id, q.security_token())?;

        // The canonical query is the received one without X-Amz-Signature.
        let mut query = String::with_capacity(req.query.len());
        for pair in req.query.split('&').filter(|p| !p.is_empty()) {
            let name = pair.split_once('=').map_or(pair, |(n, _)| n);
            if decode_component(name)? == "X-Amz-Signature" {
                continue;
            }
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str(pair);
        }
        // The JS SDK sends X-Amz-Content-Sha256=UNSIGNED-PAYLOAD in the query; a hash there
        // would be the signed payload hash.
        let mut payload = Payload::Unsigned;
        let mut claimed = None;
        for pair in req.query.split('&') {
            if let Some(("X-Amz-Content-Sha256", v)) = pair.split_once('=') {
                if claimed.is_some() {
                    return err(kind, "X-Amz-Content-Sha256 appears more than once");
                }
                claimed = Some(v);
            }
        }
        match claimed {
            None => {}
            Some(v) if v == UNSIGNED_PAYLOAD => {}
            Some(v)
                if v.len() == 64 && v.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')) =>
            {
                payload = Payload::Precomputed(v);
            }
            Some(_) => {
                return err(
                    VerifyErrorKind::InvalidContentSha256,
                    "X-Amz-Content-Sha256 must be UNSIGNED-PAYLOAD or a SHA-256 in lowercase hex",
                );
            }
        }
        let signable = SignableRequest::new(req.method, req.path, &query, &headers, payload);
        self.check_signature(&signable, &creds, &scope, signed_at, &q.signature)?;
        let payload_hash = match payload {
            Payload::Precomputed(v) => String::from(v),
            _ => String::from(UNSIGNED_PAYLOAD),
        };
        Ok(Verified {
            method: AuthMethod::QueryString,
            access_key_id: String::from(scope.access_key_id),
            region: String::from(scope.region),
            signed_at,
            expires_at: signed_at.checked_add_secs(expires),
            payload_hash,
            key: None,
        })
    }

    fn verify_header(
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
        for (name, _) in req.headers {
            let is_amz = name
                .get(..6)
                .is_some_and(|p| p.eq_ignore_ascii_case("x-amz-"));
            if is_amz
                && !h
                    .signed_headers()
                    .split(';')
                    .any(|s| s.eq_ignore_ascii_case(name))
            {
                return err(
                    VerifyErrorKind::UnsignedHeader,
                    alloc::format!(
                        "There were headers present in the request which were not signed: {}",
                        shown(name)
                    ),
                );
            }
        }
        let payload_hash = match req.header("x-amz-content-sha256") {
            None => {
                return err(
                    VerifyErrorKind::InvalidContentSha256,
                    "Missing required header for this request: x-amz-content-sha256",
                );
            }
            Some(v) if v == UNSIGNED_PAYLOAD => Payload::Unsigned,
            Some(v) if v.starts_with("STREAMING-") => {
                return err(
                    VerifyErrorKind::UnsupportedPayload,
                    "streaming (chunk-signed) payloads are not supported by this verifier",
                );
            }
            Some(v)
                if v.len() == 64 && v.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')) =>
            {
                Payload::Precomputed(v)
            }
            Some(_) => {
                return err(
                    VerifyErrorKind::InvalidContentSha256,
                    "x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a SHA-256 in lowercase hex",
                );
            }
        };
        let creds = self.lookup(scope.access_key_id, req.header("x-amz-security-token"))?;
        let signable =
            SignableRequest::new(req.method, req.path, req.query, &headers, payload_hash);
        self.check_signature(&signable, &creds, &scope, signed_at, h.signature)?;
        let payload_hash = match payload_hash {
            Payload::Precomputed(v) => String::from(v),
            _ => String::from(UNSIGNED_PAYLOAD),
        };
        Ok(Verified {
            method: AuthMethod::AuthorizationHeader,
            access_key_id: String::from(scope.access_key_id),
            region: String::from(scope.region),
            signed_at,
            expires_at: None,
            payload_hash,
            key: None,
        })
    }

    /// Recomputes the signature with the crate's sigv4 types and compares in constant time.
    fn check_signature(
        &self,
        signable: &SignableRequest<'_>,
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
        let creq = CanonicalRequest::from_request(signable, &SigningSettings::s3()).or_else(|_| {
            err(
                VerifyErrorKind::InvalidRequest,
                "the request cannot be canonicalised (control characters in the path or a signed header?)",
            )
        })?;
        let s = Scope::new(signed_at, scope.region, scope.service)
            .or_else(|_| err(VerifyErrorKind::MalformedHeader, "invalid credential scope"))?;
        let sts = StringToSign::new(s, creq.digest());
        let key = SigningKey::derive(
            creds.secret_access_key(),
            scope.date,
            scope.region,
            scope.service,
        );
        if !key.sign(&sts).ct_eq(&received) {
            return err(
                VerifyErrorKind::SignatureDoesNotMatch,
                "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
            );
        }
        Ok(())
    }

    /// Verifies a POST upload: the policy's signature, its expiration, every condition
    /// against the submitted fields and the file size, and that every field is covered by
    /// a condition.
    ///
    /// ```
    /// use s3presign::{AmzDate, Credentials, Signer};
    /// use s3presign::s3::{Bucket, Endpoint, PostPolicy};
    /// use s3presign::verify::{PostSubmission, Verifier, VerifyErrorKind};
    /// let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    /// let bucket = Bucket::new(&Endpoint::aws("us-east-1")?, "examplebucket")?;
    /// let now = AmzDate::parse("20261125T120000Z")?;
    /// let form = PostPolicy::new(&bucket).key_starts_with("uploads/").content_length_range(1, 1000)
    ///     .sign(&Signer::new(creds.clone())?, now)?;
    /// let mut fields: Vec<(&str, &str)> = form.fields().collect();
    /// fields[0].1 = "uploads/clip.mp4";
    /// let verifier = Verifier::new(move |_: &str| Some(creds.clone()));
    /// let ok = verifier.verify_post(&PostSubmission::new("examplebucket", &fields, 999), now)?;
    /// assert_eq!(ok.key(), Some("uploads/clip.mp4"));
    /// let big = verifier.verify_post(&PostSubmission::new("examplebucket", &fields, 1001), now).unwrap_err();
    /// assert_eq!(big.kind(), VerifyErrorKind::EntityTooLarge);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// A [`VerifyError`]; see [`VerifyErrorKind`].
    pub fn verify_post(&self, sub: &PostSubmission<'_>, now: AmzDate) -> VResult<Verified> {
        let kind = VerifyErrorKind::MalformedForm;
        let p = PostAuth::parse(sub.fields)?;
        if p.algorithm != ALGORITHM {
            return err(kind, "x-amz-algorithm only supports \"AWS4-HMAC-SHA256\"");
        }
        let scope = p.credential;
        let signed_at = self.check_scope(kind, &scope, p.date)?;
        if now.unix_timestamp().saturating_add(self.max_skew as i64) < signed_at.unix_timestamp() {
            return err(VerifyErrorKind::NotYetValid, "Request is not yet valid");
        }
        let creds = self.lookup(scope.access_key_id, p.security_token)?;
        let Some(received) = Signature::from_hex(p.signature) else {
            return err(
                VerifyErrorKind::SignatureDoesNotMatch,
                "malformed signature",
            );
        };
        let key = SigningKey::derive(
            creds.secret_access_key(),
            scope.date,
            scope.region,
            scope.service,
        );
        if !sign_policy(&key, p.policy).ct_eq(&received) {
            return err(
                VerifyErrorKind::SignatureDoesNotMatch,
                "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
            );
        }
        let json = crate::base64::decode(p.policy).or_else(|_| {
            err(
                VerifyErrorKind::InvalidPolicyDocument,
                "Invalid Policy: Invalid Base64 Encoding",
            )
        })?;
        let doc = PolicyDocument::parse(&json).or_else(|e| {
            err(
                VerifyErrorKind::InvalidPolicyDocument,
                alloc::format!("Invalid Policy: {}", e.reason()),
            )
        })?;
        if now >= doc.expiration() {
            return err(
                VerifyErrorKind::PolicyExpired,
                "Invalid according to Policy: Policy expired.",
            );
        }
        let key = match sub.filename {
            Some(f) => p.key.replace("${filename}", f),
            None => String::from(p.key),
        };
        let value_of = |field: &str| -> &str {
            if field.eq_ignore_ascii_case("key") {
                return &key;
            }
            sub.fields
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(field))
                .map_or("", |(_, v)| *v)
        };
        for c in doc.conditions() {
            match c {
                Condition::Eq { field, value } => {
                    let actual = if field.eq_ignore_ascii_case("bucket") {
                        sub.bucket
                    } else {
                        value_of(field)
                    };
                    if actual != value {
                        return err(
                            VerifyErrorKind::PolicyConditionFailed,
                            alloc::format!(
                                "Invalid according to Policy: Policy Condition failed: [\"eq\", \"${}\", ...]",
                                shown(field)
                            ),
                        );
                    }
                }
                Condition::StartsWith { field, prefix } => {
                    let actual = if field.eq_ignore_ascii_case("bucket") {
                        sub.bucket
                    } else {
                        value_of(field)
                    };
                    if !actual.starts_with(prefix.as_str()) {
                        return err(
                            VerifyErrorKind::PolicyConditionFailed,
                            alloc::format!(
                                "Invalid according to Policy: Policy Condition failed: [\"starts-with\", \"${}\", ...]",
                                shown(field)
                            ),
                        );
                    }
                }
                Condition::ContentLengthRange { min, max } => {
                    if sub.file_size > *max {
                        return err(
                            VerifyErrorKind::EntityTooLarge,
                            "Your proposed upload exceeds the maximum allowed size",
                        );
                    }
                    if sub.file_size < *min {
                        return err(
                            VerifyErrorKind::EntityTooSmall,
                            "Your proposed upload is smaller than the minimum allowed size",
                        );
                    }
                }
            }
        }
        for (name, _) in sub.fields {
            if exempt_field(name) {
                continue;
            }
            let covered = doc
                .conditions()
                .iter()
                .any(|c| c.field().is_some_and(|f| f.eq_ignore_ascii_case(name)));
            if !covered {
                return err(
                    VerifyErrorKind::ExtraInputField,
                    alloc::format!(
                        "Invalid according to Policy: Extra input fields: {}",
                        shown(name)
                    ),
                );
            }
        }
        Ok(Verified {
            method: AuthMethod::PostPolicy,
            access_key_id: String::from(scope.access_key_id),
            region: String::from(scope.region),
            signed_at,
            expires_at: Some(doc.expiration()),
            payload_hash: String::from(UNSIGNED_PAYLOAD),
            key: Some(key),
        })
    }
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

/// Equality whose time depends only on the lengths.
fn ct_eq_str(a: &str, b: &str) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.bytes().zip(b.bytes()).fold(0u8, |d, (x, y)| d | (x ^ y));
    core::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_header_rules() {
        assert!(check_signed_headers("host").is_ok());
        assert!(check_signed_headers("host;x-amz-date").is_ok());
        assert!(check_signed_headers("x-amz-date;host").is_err());
        assert!(check_signed_headers("host;host").is_err());
        assert!(check_signed_headers("Host").is_err());
        assert!(check_signed_headers("x-amz-date").is_err());
        assert!(check_signed_headers("host;").is_err());
    }

    #[test]
    fn query_parse_rejects_before_crypto() {
        let base = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
        assert!(QueryAuth::parse(base).is_ok());
        let dup = alloc::format!("{base}&X-Amz-Date=20130524T000000Z");
        assert_eq!(
            QueryAuth::parse(&dup).unwrap_err().kind(),
            VerifyErrorKind::MalformedQuery
        );
        for (from, to) in [
            ("%2Faws4_request", "%2Faws5_request"),
            ("AKID%2F", "AKID"),
            ("d404", "d40"),
            ("d404", "d40g"),
            ("Expires=86400", "Expires=-1"),
            ("SignedHeaders=host", "SignedHeaders=range"),
        ] {
            let q = base.replace(from, to);
            let e = QueryAuth::parse(&q).unwrap_err();
            assert_eq!(e.kind(), VerifyErrorKind::MalformedQuery, "{q}");
            assert!(!e.message().contains("aeeed9bb"));
        }
    }

    #[test]
    fn url_parts() {
        assert!(parse_url("ftp://x/").is_err());
        assert!(parse_url("https://u@x/").is_err());
        assert!(parse_url("https://x/#f").is_err());
        assert!(parse_url("https:///a").is_err());
        let u = parse_url("http://127.0.0.1:9000?a=b").unwrap();
        assert_eq!(
            (u.authority, u.path, u.query),
            ("127.0.0.1:9000", "/", "a=b")
        );
    }
}
