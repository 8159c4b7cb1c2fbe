//! [`DefaultChain`]: the SDKs' sources in the SDKs' order.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::{
    ContainerProvider, CredentialsFuture, EnvironmentProvider, ImdsProvider, ProfileProvider,
    ProvideCredentials, ProviderError, ProviderErrorKind, SharedEnv, WebIdentityProvider,
    process_env,
};

/// The AWS SDKs' default credentials chain:
/// 1. the environment ([`EnvironmentProvider`]);
/// 2. web identity from the environment ([`WebIdentityProvider::from_env`], EKS IRSA);
/// 3. the `AWS_PROFILE` (or `default`) profile ([`ProfileProvider`]: static keys, SSO,
///    `credential_process`, assumed roles);
/// 4. the container endpoint ([`ContainerProvider`]: ECS, Fargate, EKS Pod Identity);
/// 5. EC2 instance metadata ([`ImdsProvider`]).
///
/// A source that is not configured is skipped; the first that is configured decides: its
/// credentials, or its error (a broken configuration never falls through to other
/// credentials). When none is configured, the error lists every source and why it was
/// skipped. Nothing is cached: wrap the chain in a [`CachingProvider`](super::CachingProvider).
///
/// ```
/// use std::sync::Arc;
/// use s3presign::profile::Environment;
/// use s3presign::providers::{DefaultChain, ProvideCredentials};
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let env = Arc::new(Environment::from_pairs([
///     ("HOME", "/nonexistent"),
///     ("AWS_EC2_METADATA_DISABLED", "true"),
/// ]));
/// let err = DefaultChain::new(env).provide_credentials().await.unwrap_err();
/// assert!(err.message().contains("environment: AWS_ACCESS_KEY_ID is not set"));
/// assert!(err.message().contains("IMDS: AWS_EC2_METADATA_DISABLED is true"));
/// # });
/// ```
#[derive(Debug)]
pub struct DefaultChain {
    sources: Vec<Box<dyn ProvideCredentials>>,
}

impl DefaultChain {
    /// The chain over these variables (and the files they name).
    pub fn new(env: SharedEnv) -> Self {
        let sources: Vec<Box<dyn ProvideCredentials>> = alloc::vec![
            Box::new(EnvironmentProvider::new(SharedEnv::clone(&env))),
            Box::new(WebIdentityProvider::from_env(SharedEnv::clone(&env))),
            Box::new(ProfileProvider::new(SharedEnv::clone(&env))),
            Box::new(ContainerProvider::new(SharedEnv::clone(&env))),
            Box::new(ImdsProvider::new(env)),
        ];
        Self { sources }
    }

    /// The chain over the process environment.
    pub fn from_process_env() -> Self {
        Self::new(process_env())
    }
}

impl ProvideCredentials for DefaultChain {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async move {
            let mut skipped: Vec<String> = Vec::new();
            for source in &self.sources {
                match source.provide_credentials().await {
                    Ok(c) => return Ok(c),
                    Err(e) if e.kind() == ProviderErrorKind::NotConfigured => {
                        skipped.push(format!("{e}"));
                    }
                    Err(e) => {
                        let tried = if skipped.is_empty() {
                            String::new()
                        } else {
                            format!(" (skipped before it: {})", skipped.join("; "))
                        };
                        let msg = format!("{}{tried}", e.message());
                        return Err(ProviderError::failed(String::from(e.source_name()), msg));
                    }
                }
            }
            Err(ProviderError::not_configured(
                "default chain",
                format!("no credentials found. Tried: {}", skipped.join("; ")),
            ))
        })
    }
}
