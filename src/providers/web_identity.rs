//! [`WebIdentityProvider`]: an OIDC token file exchanged for a role's credentials (EKS
//! IRSA, GitHub Actions, any `web_identity_token_file`).

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use std::io::Read;
use std::path::PathBuf;

use super::sts::{self, RoleRequest};
use super::{CredentialsFuture, ProvideCredentials, ProviderError, SharedEnv, process_env};

const NAME: &str = "web identity";
/// A token larger than this is refused (service account tokens are about 1 KiB).
const MAX_TOKEN: u64 = 64 * 1024;

/// `AssumeRoleWithWebIdentity` with the token in a file, on the regional STS endpoint
/// (`AWS_ENDPOINT_URL_STS` overrides it).
///
/// [`from_env`](Self::from_env) reads `AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN` and
/// `AWS_ROLE_SESSION_NAME`, as EKS sets them for a service account with a role (IRSA). The
/// file is read on every call: the cluster rotates it.
///
/// ```
/// use s3presign::providers::WebIdentityProvider;
/// let p = WebIdentityProvider::new(
///     "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
///     "arn:aws:iam::123456789012:role/s3-reader",
/// );
/// # let _ = p;
/// ```
#[derive(Debug, Clone)]
pub struct WebIdentityProvider {
    env: SharedEnv,
    config: Option<Config>,
    profile: Option<String>,
}

#[derive(Debug, Clone)]
struct Config {
    token_file: PathBuf,
    role: RoleRequest,
}

impl WebIdentityProvider {
    /// This token file and role, with the process environment's region and STS endpoint.
    pub fn new(token_file: impl Into<PathBuf>, role_arn: impl Into<String>) -> Self {
        Self::configured(
            process_env(),
            None,
            token_file.into(),
            role_arn.into(),
            None,
        )
    }

    pub(crate) fn configured(
        env: SharedEnv,
        profile: Option<String>,
        token_file: PathBuf,
        role_arn: String,
        session_name: Option<String>,
    ) -> Self {
        let role = RoleRequest {
            role_arn,
            session_name,
            external_id: None,
            duration_seconds: None,
        };
        Self {
            env,
            config: Some(Config { token_file, role }),
            profile,
        }
    }

    /// From `AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN` and `AWS_ROLE_SESSION_NAME` in
    /// `env` (not configured when the token file variable is unset).
    pub fn from_env(env: SharedEnv) -> Self {
        let file = env.var("AWS_WEB_IDENTITY_TOKEN_FILE");
        let role = env.var("AWS_ROLE_ARN");
        let session = env.var("AWS_ROLE_SESSION_NAME");
        match (file, role) {
            (Some(f), Some(r)) => Self::configured(env, None, PathBuf::from(f), r, session),
            _ => Self {
                env,
                config: None,
                profile: None,
            },
        }
    }

    /// The token as the file holds it (surrounding whitespace removed).
    fn read_token(path: &PathBuf) -> Result<String, ProviderError> {
        let fail = |why: String| {
            ProviderError::failed(NAME, format!("token file {}: {why}", path.display()))
        };
        let file =
            std::fs::File::open(path).map_err(|e| fail(format!("cannot open: {}", e.kind())))?;
        let mut text = String::new();
        file.take(MAX_TOKEN + 1)
            .read_to_string(&mut text)
            .map_err(|e| fail(format!("cannot read as UTF-8: {}", e.kind())))?;
        if text.len() as u64 > MAX_TOKEN {
            return Err(fail(format!("larger than {MAX_TOKEN} bytes")));
        }
        let token = text.trim();
        if token.is_empty() {
            return Err(fail(String::from("it is empty")));
        }
        Ok(String::from(token))
    }
}

impl ProvideCredentials for WebIdentityProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async move {
            let Some(config) = &self.config else {
                let why = if self.env.var("AWS_WEB_IDENTITY_TOKEN_FILE").is_some() {
                    return Err(ProviderError::failed(
                        NAME,
                        "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not: set the role to assume",
                    ));
                } else {
                    "AWS_WEB_IDENTITY_TOKEN_FILE is not set"
                };
                return Err(ProviderError::not_configured(NAME, why));
            };
            let token = Self::read_token(&config.token_file)?;
            let region = sts::region(&self.env, self.profile.as_deref());
            sts::assume_role_with_web_identity(
                NAME,
                &self.env,
                region.as_deref(),
                &token,
                &config.role,
            )
            .await
        })
    }
}
