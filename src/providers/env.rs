//! [`EnvironmentProvider`]: the `AWS_*` credential variables.

use alloc::boxed::Box;
use alloc::string::ToString;

use super::{CredentialsFuture, ProvideCredentials, ProviderError, SharedEnv, process_env};
use crate::Credentials;
use crate::profile::Environment;

const NAME: &str = "environment";

/// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, the optional
/// `AWS_SESSION_TOKEN` (or the legacy `AWS_SECURITY_TOKEN`) and `AWS_CREDENTIAL_EXPIRATION`,
/// read on every call (so rotated values are picked up). The same reading as the core's
/// [`Environment::credentials_from_env`].
///
/// ```
/// use std::sync::Arc;
/// use s3presign::profile::Environment;
/// use s3presign::providers::{EnvironmentProvider, ProvideCredentials};
/// # tokio_test_block_on(async {
/// let env = Arc::new(Environment::from_pairs([
///     ("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE"),
///     ("AWS_SECRET_ACCESS_KEY", "secret"),
///     ("AWS_SECURITY_TOKEN", "legacy-token"),
///     ("AWS_CREDENTIAL_EXPIRATION", "2026-12-01T13:00:00Z"),
/// ]));
/// let creds = EnvironmentProvider::new(env).provide_credentials().await?;
/// assert_eq!(creds.session_token(), Some("legacy-token"));
/// assert_eq!(creds.expires_at().map(|t| t.unix_timestamp()), Some(1_796_130_000));
/// # Ok::<(), s3presign::providers::ProviderError>(()) });
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f) }
/// ```
#[derive(Debug, Clone)]
pub struct EnvironmentProvider {
    env: SharedEnv,
}

impl EnvironmentProvider {
    /// Reads these variables.
    pub fn new(env: SharedEnv) -> Self {
        Self { env }
    }

    /// Reads the process environment.
    pub fn from_process_env() -> Self {
        Self::new(process_env())
    }

    /// Reads the variables now.
    ///
    /// # Errors
    /// [`ProviderErrorKind::NotConfigured`](super::ProviderErrorKind::NotConfigured) when
    /// `AWS_ACCESS_KEY_ID` is unset; a failure when its secret is missing or the expiry is
    /// malformed.
    pub fn load(env: &Environment<'_>) -> Result<Credentials, ProviderError> {
        if env.var("AWS_ACCESS_KEY_ID").is_none() {
            return Err(ProviderError::not_configured(
                NAME,
                "AWS_ACCESS_KEY_ID is not set",
            ));
        }
        env.credentials_from_env()
            .map_err(|e| ProviderError::failed(NAME, e.to_string()))
    }
}

impl ProvideCredentials for EnvironmentProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async move { Self::load(&self.env) })
    }
}
