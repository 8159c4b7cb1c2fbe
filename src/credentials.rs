//! [`Credentials`]: an access key id, its secret, and an optional session token.

use alloc::string::String;
use core::fmt;

use crate::AmzDate;
use crate::error::{Error, Result};

/// AWS credentials. `Debug` never shows the secret access key or the session token, and the
/// type deliberately has no `PartialEq` (compare access key ids if you must).
///
/// ```
/// use s3presign::Credentials;
/// let creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
///     .with_session_token("FQoGZXIvYXdzE...");
/// let shown = format!("{creds:?}");
/// assert!(shown.contains("AKIDEXAMPLE"));
/// assert!(!shown.contains("wJalr") && !shown.contains("FQoG"));
/// ```
#[derive(Clone)]
pub struct Credentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    expires_at: Option<AmzDate>,
}

impl Credentials {
    /// Long-term credentials (an access key id and its secret).
    pub fn new(access_key_id: impl Into<String>, secret_access_key: impl Into<String>) -> Self {
        Self {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token: None,
            expires_at: None,
        }
    }

    /// Adds the session token that temporary (STS) credentials come with; it is sent as
    /// `X-Amz-Security-Token`.
    #[must_use]
    pub fn with_session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(token.into());
        self
    }

    /// Records when temporary credentials stop working (STS, instance metadata, containers
    /// and `credential_process` say so). Presigning refuses to hand out a URL that claims to
    /// live longer than its credentials: see [`Credentials::expires_at`].
    ///
    /// ```
    /// use s3presign::{AmzDate, Credentials};
    /// let expiry = AmzDate::parse("2026-12-01T13:00:00Z")?;
    /// let creds = Credentials::new("ASIAEXAMPLE", "secret")
    ///     .with_session_token("token")
    ///     .with_expiry(expiry);
    /// assert_eq!(creds.expires_at(), Some(expiry));
    /// # Ok::<(), s3presign::Error>(())
    /// ```
    #[must_use]
    pub fn with_expiry(mut self, expires_at: AmzDate) -> Self {
        self.expires_at = Some(expires_at);
        self
    }

    /// When these credentials expire, if their source said so (`None` for long-term keys).
    pub fn expires_at(&self) -> Option<AmzDate> {
        self.expires_at
    }

    /// The access key id (not secret; it appears in every signed request).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The secret access key. Handle with care: never log it.
    pub fn secret_access_key(&self) -> &str {
        &self.secret_access_key
    }

    /// The session token, if these are temporary credentials.
    pub fn session_token(&self) -> Option<&str> {
        self.session_token.as_deref()
    }

    /// Checks that the credentials can be put in a request: the access key id is visible
    /// ASCII without `/`, `,`, `=` or spaces, the secret is non-empty, the token is visible
    /// ASCII. Signing calls this for you.
    ///
    /// # Errors
    /// [`Error::InvalidAccessKeyId`], [`Error::InvalidSecretKey`] or
    /// [`Error::InvalidSessionToken`]; none of them echo the value.
    pub fn validate(&self) -> Result<()> {
        let id = self.access_key_id.as_bytes();
        if id.is_empty() {
            return Err(Error::InvalidAccessKeyId {
                reason: "it is empty",
            });
        }
        if id.len() > 128 {
            return Err(Error::InvalidAccessKeyId {
                reason: "it is longer than 128 bytes",
            });
        }
        if !id
            .iter()
            .all(|&c| c.is_ascii_graphic() && !matches!(c, b'/' | b',' | b'=' | b';'))
        {
            return Err(Error::InvalidAccessKeyId {
                reason: "it must be visible ASCII without '/', ',', ';' or '='",
            });
        }
        if self.secret_access_key.is_empty() {
            return Err(Error::InvalidSecretKey {
                reason: "it is empty",
            });
        }
        if let Some(token) = &self.session_token {
            if token.is_empty() {
                return Err(Error::InvalidSessionToken {
                    reason: "it is empty",
                });
            }
            // A branch-free fold (vectorised): tokens are long (700 bytes for STS) and
            // nearly always valid, so stopping early saves nothing.
            if !token.bytes().fold(true, |ok, c| ok & c.is_ascii_graphic()) {
                return Err(Error::InvalidSessionToken {
                    reason: "it must be visible ASCII (no spaces, CR or LF)",
                });
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"[redacted]")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "[redacted]"),
            )
            .field("expires_at", &self.expires_at.as_ref().map(AmzDate::as_str))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation() {
        assert!(Credentials::new("AKID", "s").validate().is_ok());
        assert!(Credentials::new("", "s").validate().is_err());
        assert!(Credentials::new("AK/ID", "s").validate().is_err());
        assert!(Credentials::new("AK ID", "s").validate().is_err());
        assert!(Credentials::new("AKID", "").validate().is_err());
        assert!(
            Credentials::new("AKID", "s")
                .with_session_token("a\r\nb")
                .validate()
                .is_err()
        );
        let err = Credentials::new("AKID", "s")
            .with_session_token("tok en")
            .validate()
            .unwrap_err();
        assert!(!alloc::format!("{err} {err:?}").contains("tok en"));
    }

    #[test]
    fn expiry_is_kept_and_shown() {
        let at = AmzDate::parse("2026-12-01T13:00:00Z").unwrap();
        let creds = Credentials::new("AKID", "s").with_expiry(at);
        assert_eq!(creds.expires_at(), Some(at));
        assert_eq!(Credentials::new("AKID", "s").expires_at(), None);
        assert!(alloc::format!("{creds:?}").contains("20261201T130000Z"));
    }
}
