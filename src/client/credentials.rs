//! Where the client gets its credentials: [`ProvideCredentials`] and two providers.

use std::boxed::Box;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

use super::error::{Error, Result};
use crate::Credentials;

/// The future a [`ProvideCredentials`] returns.
pub type CredentialsFuture<'a> = Pin<Box<dyn Future<Output = Result<Credentials>> + Send + 'a>>;

/// A source of credentials, asked before every request (cache inside the provider if
/// fetching is expensive). Implement it to plug in STS, instance metadata or a vault.
///
/// ```
/// use s3presign::Credentials;
/// use s3presign::client::{CredentialsFuture, ProvideCredentials};
///
/// #[derive(Debug)]
/// struct FromVault;
/// impl ProvideCredentials for FromVault {
///     fn provide_credentials(&self) -> CredentialsFuture<'_> {
///         Box::pin(async { Ok(Credentials::new("AKIDEXAMPLE", "secret-from-vault")) })
///     }
/// }
/// ```
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// Returns the credentials to sign the next request with.
    ///
    /// # Errors
    /// An [`Error`] of kind [`Credentials`](super::ErrorKind::Credentials) (see
    /// [`Error::credentials_unavailable`]).
    fn provide_credentials(&self) -> CredentialsFuture<'_>;
}

/// Fixed credentials. `Debug` redacts the secret (it prints the core [`Credentials`]).
#[derive(Debug, Clone)]
pub struct StaticCredentials(Credentials);

impl StaticCredentials {
    /// Wraps fixed credentials.
    pub fn new(credentials: Credentials) -> Self {
        Self(credentials)
    }
}

impl ProvideCredentials for StaticCredentials {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        let c = self.0.clone();
        Box::pin(async move { Ok(c) })
    }
}

/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and the optional
/// `AWS_SESSION_TOKEN`, read on every request (so rotated values are picked up).
#[derive(Debug, Clone, Copy, Default)]
pub struct EnvCredentials;

impl EnvCredentials {
    /// Reads the variables once now.
    ///
    /// # Errors
    /// [`ErrorKind::Credentials`](super::ErrorKind::Credentials) when a variable is missing
    /// or not Unicode (the value is never echoed).
    pub fn load() -> Result<Credentials> {
        let var = |name: &'static str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let id = var("AWS_ACCESS_KEY_ID").ok_or_else(|| {
            Error::credentials("AWS_ACCESS_KEY_ID is not set (or not Unicode)", None)
        })?;
        let secret = var("AWS_SECRET_ACCESS_KEY").ok_or_else(|| {
            Error::credentials("AWS_SECRET_ACCESS_KEY is not set (or not Unicode)", None)
        })?;
        let mut creds = Credentials::new(id, secret);
        if let Some(token) = var("AWS_SESSION_TOKEN") {
            creds = creds.with_session_token(token);
        }
        Ok(creds)
    }
}

impl ProvideCredentials for EnvCredentials {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async { Self::load() })
    }
}

/// The AWS CLI's lookup, through the core's [`crate::profile`]: an explicit profile if
/// given; otherwise `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`;
/// otherwise the profile named by `AWS_PROFILE` (or `default`) in `~/.aws/credentials` and
/// `~/.aws/config`. Read on every request, so rotated files are picked up (the files are
/// small; reading them blocks briefly).
///
/// ```
/// use s3presign::client::{Client, ProfileCredentials};
/// let client = Client::builder()
///     .region("eu-west-1")
///     .credentials(ProfileCredentials::named("media-uploader"))
///     .build()?;
/// # let _ = client;
/// # Ok::<(), s3presign::client::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct ProfileCredentials {
    profile: Option<std::string::String>,
}

impl ProfileCredentials {
    /// Environment first, then the `AWS_PROFILE` (or `default`) profile.
    pub fn default_chain() -> Self {
        Self { profile: None }
    }

    /// This profile from the shared files (it wins over the environment variables).
    pub fn named(profile: impl Into<std::string::String>) -> Self {
        Self {
            profile: Some(profile.into()),
        }
    }
}

impl ProvideCredentials for ProfileCredentials {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async move {
            crate::profile::Environment::process()
                .credentials(self.profile.as_deref())
                .map_err(|e| {
                    Error::credentials(
                        "no credentials in the environment or the shared AWS files",
                        Some(Box::new(e)),
                    )
                })
        })
    }
}
