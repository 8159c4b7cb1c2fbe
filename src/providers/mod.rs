//! Where Rust services get credentials (feature `providers`): the AWS SDKs' sources and
//! their default chain, with a refreshing cache.
//!
//! Each source is a [`ProvideCredentials`]:
//! - [`EnvironmentProvider`]: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
//!   `AWS_SESSION_TOKEN` (or the legacy `AWS_SECURITY_TOKEN`), `AWS_CREDENTIAL_EXPIRATION`;
//! - [`ProfileProvider`]: a profile of `~/.aws/config` and `~/.aws/credentials`: static
//!   keys, `credential_process`, `role_arn` with `source_profile` or `credential_source`,
//!   `sso_session` (and the legacy `sso_*` keys), `web_identity_token_file`;
//! - [`WebIdentityProvider`]: `AWS_WEB_IDENTITY_TOKEN_FILE` and `AWS_ROLE_ARN` (EKS IRSA);
//! - [`ContainerProvider`]: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or `_FULL_URI` (ECS,
//!   Fargate, EKS Pod Identity);
//! - [`ImdsProvider`]: the EC2 instance metadata service, version 2;
//! - [`DefaultChain`]: all of them in the SDKs' order;
//! - [`CachingProvider`]: caches any of them and refreshes before expiry.
//!
//! Sources read variables through a [`profile::Environment`](crate::profile::Environment),
//! so tests and embedders can give them any variables without touching the process.
//!
//! ```no_run
//! use s3presign::providers::{CachingProvider, DefaultChain};
//! use s3presign::s3::{Bucket, Endpoint};
//! use s3presign::AmzDate;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let provider = CachingProvider::new(DefaultChain::from_process_env());
//! let now = AmzDate::now()?;
//! // Credentials that live at least as long as the URL (refreshed first if need be).
//! let until = now.checked_add_secs(3600).ok_or("clock out of range")?;
//! let signer = provider.signer_valid_until(until).await?;
//! let bucket = Bucket::new(&Endpoint::aws("eu-west-1")?, "reports")?;
//! let url = bucket.get_object("q3.pdf").expires_in(3600).sign_url(&signer, now)?;
//! # let _ = url; Ok(()) }
//! ```

use alloc::boxed::Box;
use alloc::sync::Arc;
use core::fmt;
use core::future::Future;
use core::pin::Pin;

use crate::profile::Environment;
use crate::{AmzDate, Credentials};

mod cache;
mod chain;
mod container;
mod env;
mod error;
mod expiration;
pub(crate) mod http;
mod imds;
mod process;
mod profile;
mod sso;
mod sts;
mod web_identity;

pub use cache::CachingProvider;
pub use chain::DefaultChain;
pub use container::ContainerProvider;
pub use env::EnvironmentProvider;
pub use error::{ProviderError, ProviderErrorKind};
pub use imds::{ImdsProvider, region_from_imds};
pub use process::ProcessProvider;
pub use profile::ProfileProvider;
pub use sso::SsoProvider;
pub use sts::AssumeRoleProvider;
pub use web_identity::WebIdentityProvider;

/// The future a [`ProvideCredentials`] returns.
pub type CredentialsFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Credentials, ProviderError>> + Send + 'a>>;

/// The environment sources read: shared, so one chain's sources see the same variables.
pub type SharedEnv = Arc<Environment<'static>>;

/// A source of credentials. Sources that fetch over the network do not cache: wrap them
/// in a [`CachingProvider`].
///
/// ```
/// use s3presign::Credentials;
/// use s3presign::providers::{CredentialsFuture, ProvideCredentials, ProviderError};
///
/// #[derive(Debug)]
/// struct FromVault;
/// impl ProvideCredentials for FromVault {
///     fn provide_credentials(&self) -> CredentialsFuture<'_> {
///         Box::pin(async {
///             Ok::<_, ProviderError>(Credentials::new("AKIDEXAMPLE", "secret-from-vault"))
///         })
///     }
/// }
/// ```
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// Returns the credentials to sign the next request with.
    ///
    /// # Errors
    /// A [`ProviderError`] naming the source and what went wrong.
    fn provide_credentials(&self) -> CredentialsFuture<'_>;

    /// Credentials that stay valid until `at` if the source can give such (a cache
    /// refreshes first when its credentials would expire earlier). The result may still
    /// expire before `at` when the source cannot do better: check
    /// [`Credentials::expires_at`]. By default, [`provide_credentials`](Self::provide_credentials).
    ///
    /// # Errors
    /// As [`provide_credentials`](Self::provide_credentials).
    fn provide_credentials_valid_until(&self, at: AmzDate) -> CredentialsFuture<'_> {
        let _ = at;
        self.provide_credentials()
    }
}

impl<P: ProvideCredentials + ?Sized> ProvideCredentials for Arc<P> {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        (**self).provide_credentials()
    }

    fn provide_credentials_valid_until(&self, at: AmzDate) -> CredentialsFuture<'_> {
        (**self).provide_credentials_valid_until(at)
    }
}

impl<P: ProvideCredentials + ?Sized> ProvideCredentials for Box<P> {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        (**self).provide_credentials()
    }

    fn provide_credentials_valid_until(&self, at: AmzDate) -> CredentialsFuture<'_> {
        (**self).provide_credentials_valid_until(at)
    }
}

/// The process environment, shared.
pub(crate) fn process_env() -> SharedEnv {
    Arc::new(Environment::process())
}

/// Whether an environment flag is `true` (case-insensitive), as the SDKs read booleans.
pub(crate) fn env_flag(env: &Environment<'_>, name: &str) -> bool {
    env.var(name)
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}
