//! Where the client gets its credentials: [`ProvideCredentials`] (from
//! [`crate::providers`]) and three simple providers. Any provider of
//! [`crate::providers`] works too, such as a cached
//! [`DefaultChain`](crate::providers::DefaultChain).

use std::boxed::Box;

use super::error::{Error, Result};
use crate::Credentials;
use crate::profile::Environment;
pub use crate::providers::{CredentialsFuture, ProvideCredentials};
use crate::providers::{EnvironmentProvider, ProviderError};

impl From<ProviderError> for Error {
    fn from(e: ProviderError) -> Self {
        Error::credentials(
            "no credentials from the credentials provider",
            Some(Box::new(e)),
        )
    }
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

/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, the optional
/// `AWS_SESSION_TOKEN` (or legacy `AWS_SECURITY_TOKEN`) and `AWS_CREDENTIAL_EXPIRATION`,
/// read on every request (so rotated values are picked up): the same reading as
/// [`EnvironmentProvider`].
#[derive(Debug, Clone, Copy, Default)]
pub struct EnvCredentials;

impl EnvCredentials {
    /// Reads the variables once now.
    ///
    /// # Errors
    /// [`ErrorKind::Credentials`](super::ErrorKind::Credentials) when a variable is missing
    /// or not Unicode (the value is never echoed).
    pub fn load() -> Result<Credentials> {
        Ok(EnvironmentProvider::load(&Environment::process())?)
    }
}

impl ProvideCredentials for EnvCredentials {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async { EnvironmentProvider::load(&Environment::process()) })
    }
}

/// The AWS CLI's lookup of static keys, through the core's [`crate::profile`]: an explicit
/// profile if given; otherwise `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` /
/// `AWS_SESSION_TOKEN`; otherwise the profile named by `AWS_PROFILE` (or `default`) in
/// `~/.aws/credentials` and `~/.aws/config`. Read on every request, so rotated files are
/// picked up (the files are small; reading them blocks briefly). For SSO, assumed roles,
/// `credential_process`, containers and EC2, use
/// [`DefaultChain`](crate::providers::DefaultChain) or
/// [`ProfileProvider`](crate::providers::ProfileProvider).
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
            Environment::process()
                .credentials(self.profile.as_deref())
                .map_err(|e| {
                    ProviderError::failed(
                        "shared files",
                        "no credentials in the environment or the shared AWS files",
                    )
                    .with_cause(e)
                })
        })
    }
}
