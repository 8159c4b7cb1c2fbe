//! [`Error`]: one opaque error type for every client call, with predicates.

use std::boxed::Box;
use std::error::Error as StdError;
use std::fmt;
use std::string::String;

/// What kind of failure an [`Error`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The server answered with an S3 error (an HTTP status >= 300 and usually an XML
    /// `<Error>` body): see [`Error::code`], [`Error::status`].
    Service,
    /// The request could not be sent or the answer could not be read (connection refused
    /// or reset, TLS, DNS). The transport error is the [`source`](StdError::source).
    Transport,
    /// A connect or request timeout (configured with
    /// `ClientBuilder::timeout`).
    Timeout,
    /// The request could not be signed or addressed (invalid bucket name, key, endpoint,
    /// credentials); the core [`crate::Error`] is the source.
    Signing,
    /// The credentials provider failed.
    Credentials,
    /// The server's answer could not be decoded (XML, JSON, header value).
    Decode,
    /// An argument was rejected before anything was sent.
    InvalidInput,
    /// The bytes received do not match the checksum or length the server declared for
    /// them (see [`Integrity`](super::Integrity)).
    Integrity,
    /// A local file could not be read or written (uploads from and downloads to files);
    /// the [`std::io::Error`] is the source.
    Io,
    /// The transfer was cancelled (see `Cancel`); a multipart upload was aborted.
    Cancelled,
}

/// An error from a `Client` call.
///
/// `Display` and `Debug` never contain a secret, a session token, a signature or a whole
/// signed URL: transport errors are stored without their URL.
///
/// ```
/// # #[cfg(feature = "client")]
/// # async fn f(client: &s3presign::client::Client) -> Result<(), s3presign::client::Error> {
/// match client.head_object("bucket", "missing.txt").await {
///     Err(e) if e.is_not_found() => println!("no such object"),
///     Err(e) => return Err(e),
///     Ok(meta) => println!("{} bytes", meta.content_length),
/// }
/// # Ok(()) }
/// ```
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    status: Option<u16>,
    code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
    resource: Option<String>,
    context: &'static str,
    /// The server's clock (Unix seconds), when it says ours is skewed.
    server_time: Option<i64>,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

impl Error {
    fn new(kind: ErrorKind, context: &'static str) -> Self {
        Self {
            inner: Box::new(Inner {
                kind,
                status: None,
                code: None,
                message: None,
                request_id: None,
                resource: None,
                context,
                server_time: None,
                source: None,
            }),
        }
    }

    pub(crate) fn service(
        status: u16,
        code: Option<String>,
        message: Option<String>,
        request_id: Option<String>,
        resource: Option<String>,
    ) -> Self {
        let mut e = Self::new(ErrorKind::Service, "the server answered with an error");
        e.inner.status = Some(status);
        e.inner.code = code.filter(|c| !c.is_empty());
        e.inner.message = message.filter(|m| !m.is_empty());
        e.inner.request_id = request_id.filter(|r| !r.is_empty());
        e.inner.resource = resource.filter(|r| !r.is_empty());
        e
    }

    pub(crate) fn with_server_time(mut self, t: Option<i64>) -> Self {
        self.inner.server_time = t;
        self
    }

    /// The server's clock (Unix seconds) when it says ours is skewed
    /// ([`is_clock_skew`](Self::is_clock_skew)): sign the next attempt with the offset
    /// between it and the local clock. `Client` does this by itself.
    pub fn server_time(&self) -> Option<i64> {
        self.inner.server_time
    }

    /// `true` for `RequestTimeTooSkewed`: this machine's clock is off by more than S3
    /// allows (15 minutes). The client corrects for it and retries once by itself.
    pub fn is_clock_skew(&self) -> bool {
        self.code() == Some("RequestTimeTooSkewed")
    }

    #[cfg(feature = "client")]
    pub(crate) fn transport(err: reqwest::Error) -> Self {
        let kind = if err.is_timeout() {
            ErrorKind::Timeout
        } else {
            ErrorKind::Transport
        };
        let context = if err.is_timeout() {
            "the request timed out"
        } else if err.is_connect() {
            "could not connect"
        } else if err.is_body() || err.is_decode() {
            "could not read the response body"
        } else {
            "the request failed"
        };
        let mut e = Self::new(kind, context);
        // A presigned or signed URL is a credential: never keep it in an error.
        e.inner.source = Some(Box::new(err.without_url()));
        e
    }

    pub(crate) fn signing(err: crate::Error) -> Self {
        let mut e = Self::new(ErrorKind::Signing, "the request could not be signed");
        e.inner.source = Some(Box::new(err));
        e
    }

    #[cfg(feature = "client")]
    pub(crate) fn credentials(
        context: &'static str,
        source: Option<Box<dyn StdError + Send + Sync + 'static>>,
    ) -> Self {
        let mut e = Self::new(ErrorKind::Credentials, context);
        e.inner.source = source;
        e
    }

    pub(crate) fn decode(
        context: &'static str,
        source: Option<Box<dyn StdError + Send + Sync + 'static>>,
    ) -> Self {
        let mut e = Self::new(ErrorKind::Decode, context);
        e.inner.source = source;
        e
    }

    pub(crate) fn integrity(context: &'static str) -> Self {
        Self::new(ErrorKind::Integrity, context)
    }

    #[cfg(feature = "client")]
    pub(crate) fn io(context: &'static str, err: std::io::Error) -> Self {
        let mut e = Self::new(ErrorKind::Io, context);
        e.inner.source = Some(Box::new(err));
        e
    }

    #[cfg(feature = "client")]
    pub(crate) fn cancelled() -> Self {
        Self::new(ErrorKind::Cancelled, "the transfer was cancelled")
    }

    pub(crate) fn invalid_input(context: &'static str) -> Self {
        Self::new(ErrorKind::InvalidInput, context)
    }

    #[cfg(feature = "client")]
    /// Builds the error for credentials providers: use it from your own
    /// [`ProvideCredentials`](super::ProvideCredentials) implementation.
    pub fn credentials_unavailable(
        context: &'static str,
        source: Option<Box<dyn StdError + Send + Sync + 'static>>,
    ) -> Self {
        Self::credentials(context, source)
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The HTTP status, for [`ErrorKind::Service`] errors.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }

    /// The S3 error code (`NoSuchKey`, `AccessDenied`, `SlowDown`, ...). For answers without
    /// a body (HEAD requests) it is derived from the status: `NotFound`, `Forbidden`, ...
    pub fn code(&self) -> Option<&str> {
        self.inner.code.as_deref()
    }

    /// The server's human-readable message.
    pub fn message(&self) -> Option<&str> {
        self.inner.message.as_deref()
    }

    /// The request id (`x-amz-request-id` or `<RequestId>`), for support cases.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// The resource the error is about (`<Resource>`), usually `/bucket/key`.
    pub fn resource(&self) -> Option<&str> {
        self.inner.resource.as_deref()
    }

    /// `true` for a 404 or the codes `NoSuchKey`, `NoSuchBucket`, `NoSuchVersion`,
    /// `NoSuchUpload`, `NoSuchBucketPolicy`, `NoSuchPublicAccessBlockConfiguration`,
    /// `NotFound`.
    pub fn is_not_found(&self) -> bool {
        self.inner.status == Some(404)
            || matches!(
                self.code(),
                Some(
                    "NoSuchKey"
                        | "NoSuchBucket"
                        | "NoSuchVersion"
                        | "NoSuchUpload"
                        | "NoSuchBucketPolicy"
                        | "NoSuchPublicAccessBlockConfiguration"
                        | "NotFound"
                )
            )
    }

    /// `true` for a 403 or the code `AccessDenied`.
    pub fn is_access_denied(&self) -> bool {
        self.inner.status == Some(403) || self.code() == Some("AccessDenied")
    }

    /// `true` when the server does not implement the operation (501 / `NotImplemented`).
    pub fn is_not_implemented(&self) -> bool {
        self.inner.status == Some(501) || self.code() == Some("NotImplemented")
    }

    /// `true` for [`ErrorKind::Timeout`].
    pub fn is_timeout(&self) -> bool {
        self.inner.kind == ErrorKind::Timeout
    }

    /// Whether the request may be sent again: throttling (`SlowDown`, 503), server errors
    /// (500, 502, 504, `InternalError`), `RequestTimeout`, timeouts and connection errors.
    pub fn is_retryable(&self) -> bool {
        match self.inner.kind {
            ErrorKind::Transport | ErrorKind::Timeout => true,
            ErrorKind::Service => {
                matches!(self.inner.status, Some(500 | 502 | 503 | 504))
                    || matches!(
                        self.code(),
                        Some(
                            "SlowDown"
                                | "RequestTimeout"
                                | "InternalError"
                                | "ServiceUnavailable"
                                | "Throttling"
                                | "ThrottlingException"
                        )
                    )
            }
            _ => false,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        if i.kind != ErrorKind::Service {
            return f.write_str(i.context);
        }
        f.write_str("s3 error")?;
        if let Some(code) = &i.code {
            write!(f, " {code}")?;
        }
        if let Some(status) = i.status {
            write!(f, " (http {status})")?;
        }
        if let Some(m) = &i.message {
            write!(f, ": {m}")?;
        }
        if let Some(r) = &i.resource {
            write!(f, " [resource {r}]")?;
        }
        if let Some(r) = &i.request_id {
            write!(f, " [request id {r}]")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        let mut d = f.debug_struct("Error");
        d.field("kind", &i.kind);
        if i.kind != ErrorKind::Service {
            d.field("context", &i.context);
        }
        if let Some(s) = i.status {
            d.field("status", &s);
        }
        if let Some(c) = &i.code {
            d.field("code", c);
        }
        if let Some(m) = &i.message {
            d.field("message", m);
        }
        if let Some(r) = &i.resource {
            d.field("resource", r);
        }
        if let Some(r) = &i.request_id {
            d.field("request_id", r);
        }
        if let Some(s) = &i.source {
            d.field("source", s);
        }
        d.finish()
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|s| s as &(dyn StdError + 'static))
    }
}

impl From<crate::Error> for Error {
    fn from(e: crate::Error) -> Self {
        Self::signing(e)
    }
}

/// A `Result` with the client's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    #[test]
    fn display_and_predicates() {
        let e = Error::service(
            404,
            Some("NoSuchKey".into()),
            Some("The specified key does not exist.".into()),
            Some("4442587FB7D0A2F9".into()),
            Some("/b/k".into()),
        );
        assert!(e.is_not_found() && !e.is_access_denied() && !e.is_retryable());
        assert_eq!(
            e.to_string(),
            "s3 error NoSuchKey (http 404): The specified key does not exist. [resource /b/k] [request id 4442587FB7D0A2F9]"
        );
        let slow = Error::service(503, Some("SlowDown".into()), None, None, None);
        assert!(slow.is_retryable());
        let denied = Error::service(403, None, None, None, None);
        assert!(denied.is_access_denied());
    }
}
