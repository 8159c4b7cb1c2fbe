//! [`VerifyError`] and [`VerifyErrorKind`]: what failed, in S3's codes and words.

use alloc::borrow::Cow;
use alloc::string::String;
use core::fmt;

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
    /// A POST upload's key is longer than 1024 bytes after `${filename}` is replaced
    /// (`KeyTooLongError`, 400).
    KeyTooLong,
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
            KeyTooLong => "KeyTooLongError",
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
    pub(super) fn new(kind: VerifyErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
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

pub(super) type VResult<T> = core::result::Result<T, VerifyError>;

pub(super) fn err<T>(kind: VerifyErrorKind, message: impl Into<Cow<'static, str>>) -> VResult<T> {
    Err(VerifyError::new(kind, message))
}

/// Short, printable rendering of a name taken from the request for an error message.
pub(super) fn shown(s: &str) -> String {
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
