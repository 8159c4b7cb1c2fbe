//! [`ProviderError`]: which credentials source failed, and why.

use alloc::boxed::Box;
use alloc::string::String;
use core::fmt;
use std::error::Error as StdError;

/// Whether a source was not set up here (the chain moves on) or was set up and failed
/// (the chain stops: a broken configuration must not silently fall through to other
/// credentials).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProviderErrorKind {
    /// Nothing configures this source (no variable, no profile entry, no endpoint).
    NotConfigured,
    /// The source is configured but could not give credentials.
    Failed,
}

/// A credentials source could not give credentials: the source's name (`environment`,
/// `profile "dev"`, `IMDS`, ...), what went wrong, and how to fix it when known.
///
/// The text never contains a secret key, session token or bearer token: sources put only
/// names, paths, URLs, status codes and service error codes in it.
///
/// ```
/// use s3presign::providers::{ProviderError, ProviderErrorKind};
/// let e = ProviderError::failed("credential_process", "exited with status 3");
/// assert_eq!(e.to_string(), "credential_process: exited with status 3");
/// assert_eq!(e.kind(), ProviderErrorKind::Failed);
/// ```
pub struct ProviderError {
    source_name: String,
    kind: ProviderErrorKind,
    message: String,
    cause: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

impl ProviderError {
    /// The source is not set up here (the default chain tries the next one).
    pub fn not_configured(source: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(source, ProviderErrorKind::NotConfigured, message)
    }

    /// The source is set up but failed.
    pub fn failed(source: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(source, ProviderErrorKind::Failed, message)
    }

    fn new(source: impl Into<String>, kind: ProviderErrorKind, message: impl Into<String>) -> Self {
        Self {
            source_name: source.into(),
            kind,
            message: message.into(),
            cause: None,
        }
    }

    /// Attaches the underlying error (it must not print secrets either).
    #[must_use]
    pub fn with_cause(mut self, cause: impl StdError + Send + Sync + 'static) -> Self {
        self.cause = Some(Box::new(cause));
        self
    }

    /// The source's name, such as `IMDS` or `profile "dev"`.
    pub fn source_name(&self) -> &str {
        &self.source_name
    }

    /// Not configured, or failed.
    pub fn kind(&self) -> ProviderErrorKind {
        self.kind
    }

    /// What went wrong, without the source's name.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The same error, reported by another source (`profile "dev"` for its
    /// `source_profile`'s failure), with `context` before the message.
    pub(crate) fn within(self, source: impl Into<String>, context: &str) -> Self {
        Self {
            source_name: source.into(),
            kind: ProviderErrorKind::Failed,
            message: alloc::format!("{context}: {}: {}", self.source_name, self.message),
            cause: self.cause,
        }
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.source_name, self.message)
    }
}

impl fmt::Debug for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderError")
            .field("source", &self.source_name)
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("cause", &self.cause)
            .finish()
    }
}

impl StdError for ProviderError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.cause
            .as_deref()
            .map(|e| e as &(dyn StdError + 'static))
    }
}

/// Keeps at most 200 characters of text from a remote service (an error message), on one
/// line.
pub(crate) fn clip_remote(text: &str) -> String {
    text.chars()
        .take(200)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}
