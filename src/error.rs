//! The crate's error type.

use alloc::string::String;

/// Everything that can go wrong while building or signing a request.
///
/// Messages are lowercase, name what was wrong and how to fix it, and never contain a secret
/// access key, a session token, a header value or a signature.
///
/// ```
/// use s3presign::Error;
/// let err = s3presign::Expiry::from_secs(0).unwrap_err();
/// assert!(matches!(err, Error::InvalidExpiry { .. }));
/// assert!(err.to_string().contains("1..=604800"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The expiry is 0 or longer than the allowed maximum.
    #[error(
        "expiry of {seconds} s is outside 1..={max} s; choose a value in that range (S3 caps presigned URLs at 604800 s = 7 days)"
    )]
    InvalidExpiry {
        /// The requested expiry in seconds.
        seconds: u64,
        /// The largest expiry allowed by the configuration.
        max: u64,
    },
    /// The bucket name breaks S3's naming rules.
    #[error("invalid bucket name \"{name}\": {reason}")]
    InvalidBucketName {
        /// The rejected name (at most 80 characters of it).
        name: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// The object key is empty or longer than 1024 bytes.
    #[error("invalid object key ({len} bytes): {reason}")]
    InvalidKey {
        /// Length of the key in bytes.
        len: usize,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// A header name is not an HTTP token.
    #[error("invalid header name \"{name}\": {reason}")]
    InvalidHeaderName {
        /// The rejected name (at most 80 characters of it).
        name: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// A header value contains CR, LF or another control byte. The value is never echoed.
    #[error("invalid value for header \"{name}\": {reason}")]
    InvalidHeaderValue {
        /// The header whose value was rejected.
        name: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// A query parameter cannot be used.
    #[error("invalid query parameter \"{name}\": {reason}")]
    InvalidQueryParameter {
        /// The parameter name (at most 80 characters of it).
        name: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// The HTTP method is not a token.
    #[error("invalid HTTP method: {reason}")]
    InvalidMethod {
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// The request path cannot be signed.
    #[error("invalid request path: {reason}")]
    InvalidPath {
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// The endpoint URL cannot be used.
    #[error("invalid endpoint: {reason}; expected http(s)://host[:port][/base-path]")]
    InvalidEndpoint {
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// The region (or service) name cannot appear in a credential scope.
    #[error("invalid {what} \"{value}\": {reason}")]
    InvalidScope {
        /// `"region"` or `"service"`.
        what: &'static str,
        /// The rejected value (at most 80 characters of it).
        value: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// The access key id cannot appear in a credential scope. The id is not echoed.
    #[error("invalid access key id: {reason}")]
    InvalidAccessKeyId {
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// The secret access key is unusable (it is never echoed).
    #[error("invalid secret access key: {reason}")]
    InvalidSecretKey {
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// The session token is unusable (it is never echoed).
    #[error("invalid session token: {reason}")]
    InvalidSessionToken {
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// A date or time could not be parsed or is out of range.
    #[error(
        "invalid date: {reason}; expected 20130524T000000Z or 2013-05-24T00:00:00Z (UTC, years 1970..=9999)"
    )]
    InvalidDate {
        /// What was wrong.
        reason: &'static str,
    },
    /// The payload hash is not 64 lowercase hex digits.
    #[error("invalid payload hash: {reason}")]
    InvalidPayloadHash {
        /// What was wrong.
        reason: &'static str,
    },
    /// A required setting is missing (for example an environment variable).
    #[error("missing {what}: {hint}")]
    Missing {
        /// What is missing.
        what: &'static str,
        /// How to provide it.
        hint: &'static str,
    },
    /// A POST policy cannot be built as asked (for example a content-length range whose
    /// minimum exceeds its maximum, or no key condition).
    #[error("invalid POST policy: {reason}")]
    InvalidPostPolicy {
        /// What was wrong.
        reason: &'static str,
    },
    /// The signer's credentials have expired (less than a second left) at the signing time:
    /// no request signed with them can work.
    #[error(
        "the credentials expired at {} (signing at {}); refresh them (new temporary credentials from their source) and sign again",
        crate::time::Rfc3339(*expired_at),
        crate::time::Rfc3339(*now)
    )]
    CredentialsExpired {
        /// When the credentials expired.
        expired_at: crate::time::AmzDate,
        /// The signing time.
        now: crate::time::AmzDate,
    },
    /// A setting from the environment or a shared config file has a value that cannot be
    /// used (never a secret setting: their values are not echoed anywhere).
    #[error("invalid {name}: {reason}")]
    InvalidSetting {
        /// The variable, or the property and where it was found.
        name: String,
        /// What was wrong and what is expected.
        reason: String,
    },
    /// The shared AWS config or credentials file could not be read or parsed.
    #[error("shared config: {reason}")]
    Profile {
        /// What was wrong (file path, line number, profile name; never a secret).
        reason: String,
    },
}

/// Keeps user-supplied text in error messages short (names and keys can be long) and
/// printable: control characters become U+FFFD, so a message stays one line and cannot
/// forge log entries. (Cheaper than `{:?}` escaping, which pulls Unicode tables into WASM.)
pub(crate) fn clip(s: &str) -> String {
    const MAX: usize = 80;
    let mut out = String::with_capacity(s.len().min(MAX + 3));
    let mut len = 0;
    for c in s.chars() {
        len += c.len_utf8();
        if len > MAX {
            out.push('…');
            break;
        }
        out.push(if c.is_control() { '\u{FFFD}' } else { c });
    }
    out
}

/// The crate's result type.
pub type Result<T, E = Error> = core::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_is_short_and_single_line() {
        assert_eq!(clip("a\r\nb"), "a\u{FFFD}\u{FFFD}b");
        let long = "é".repeat(100);
        let c = clip(&long);
        assert!(c.ends_with('…') && c.len() <= 84, "{c}");
        assert_eq!(clip("bucket"), "bucket");
    }
}
