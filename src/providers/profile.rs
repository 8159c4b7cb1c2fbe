//! [`ProfileProvider`]: a profile of the shared config and credentials files, with every
//! way a profile can name its credentials.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use std::path::PathBuf;

use super::sts::{self, RoleRequest};
use super::{
    ContainerProvider, CredentialsFuture, EnvironmentProvider, ImdsProvider, ProcessProvider,
    ProvideCredentials, ProviderError, SharedEnv, SsoProvider, WebIdentityProvider, process_env,
};
use crate::Credentials;
use crate::profile::{SharedFiles, profile_exists, profile_property};

/// A profile's credentials, the way the AWS CLI and SDKs read them. In a profile, in this
/// order:
/// 1. `role_arn`: STS `AssumeRole` (with `external_id`, `role_session_name`,
///    `duration_seconds`) using `web_identity_token_file`, or the credentials of
///    `source_profile` (itself resolved by these rules; a cycle is an error), or
///    `credential_source` (`Environment`, `Ec2InstanceMetadata` or `EcsContainer`).
///    `mfa_serial` is refused: there is no one to type the code. A source profile that has
///    static keys uses them even if it also has a `role_arn`, as the SDKs do.
/// 2. `sso_session` (with an `[sso-session NAME]` section) or the legacy `sso_start_url`
///    and `sso_region`, with `sso_account_id` and `sso_role_name`: see [`SsoProvider`].
/// 3. `credential_process`: see [`ProcessProvider`].
/// 4. `aws_access_key_id`, `aws_secret_access_key`, `aws_session_token`.
///
/// The files are read on every call, so edits are picked up.
///
/// ```
/// use std::sync::Arc;
/// use s3presign::profile::Environment;
/// use s3presign::providers::ProfileProvider;
/// let env = Arc::new(Environment::from_pairs([("AWS_CONFIG_FILE", "/etc/app/aws-config")]));
/// let provider = ProfileProvider::named(env, "uploader");
/// # let _ = provider;
/// ```
#[derive(Debug, Clone)]
pub struct ProfileProvider {
    env: SharedEnv,
    explicit: Option<String>,
}

/// Where a profile's credentials start, before any role is assumed.
enum Base {
    Static(Credentials),
    Provider(Box<dyn ProvideCredentials>),
}

/// The credentials of a profile: a base, then the roles to assume in turn.
struct Plan {
    base: Base,
    roles: Vec<(String, RoleRequest)>,
}

impl ProfileProvider {
    /// The profile named by `AWS_PROFILE`, else `default`.
    pub fn new(env: SharedEnv) -> Self {
        Self {
            env,
            explicit: None,
        }
    }

    /// This profile (it must exist).
    pub fn named(env: SharedEnv, profile: impl Into<String>) -> Self {
        Self {
            env,
            explicit: Some(profile.into()),
        }
    }

    /// `AWS_PROFILE` (or `default`) in the process environment's files.
    pub fn from_process_env() -> Self {
        Self::new(process_env())
    }

    fn source_name(&self) -> String {
        format!(
            "profile {:?}",
            self.env.profile_name(self.explicit.as_deref())
        )
    }

    fn plan(&self) -> Result<Plan, ProviderError> {
        let name = self.env.profile_name(self.explicit.as_deref());
        let me = self.source_name();
        let files = self
            .env
            .load_files()
            .map_err(|e| ProviderError::failed(me.clone(), e.to_string()))?;
        if !profile_exists(&files.config, &files.credentials, &name) {
            let err = files.not_found(&name).to_string();
            let chosen = self.explicit.is_some() || self.env.var("AWS_PROFILE").is_some();
            return Err(if chosen {
                ProviderError::failed(me, err)
            } else {
                ProviderError::not_configured(me, err)
            });
        }
        let mut visited = Vec::new();
        Resolver {
            env: &self.env,
            files: &files,
        }
        .resolve(&name, &mut visited)
    }
}

struct Resolver<'a> {
    env: &'a SharedEnv,
    files: &'a SharedFiles,
}

impl Resolver<'_> {
    fn get(&self, profile: &str, key: &str) -> Option<String> {
        profile_property(&self.files.config, &self.files.credentials, profile, key)
            .filter(|v| !v.is_empty())
            .map(String::from)
    }

    fn resolve(&self, name: &str, visited: &mut Vec<String>) -> Result<Plan, ProviderError> {
        let me = format!("profile {name:?}");
        if visited.iter().any(|v| v == name) {
            visited.push(String::from(name));
            return Err(ProviderError::failed(
                me,
                format!("source_profile loop: {}", visited.join(" -> ")),
            ));
        }
        if let Some(parent) = visited.last()
            && !profile_exists(&self.files.config, &self.files.credentials, name)
        {
            return Err(ProviderError::failed(
                me,
                format!("it does not exist, and profile {parent:?} names it as source_profile"),
            ));
        }
        visited.push(String::from(name));
        let is_source = visited.len() > 1;
        let has_static = self.get(name, "aws_access_key_id").is_some();
        if let Some(role_arn) = self.get(name, "role_arn")
            && !(is_source && has_static)
        {
            return self.role(name, role_arn, has_static, visited);
        }
        let base = self.base(name, is_source)?;
        Ok(Plan {
            base,
            roles: Vec::new(),
        })
    }

    fn role(
        &self,
        name: &str,
        role_arn: String,
        has_static: bool,
        visited: &mut Vec<String>,
    ) -> Result<Plan, ProviderError> {
        let me = format!("profile {name:?}");
        if self.get(name, "mfa_serial").is_some() {
            return Err(ProviderError::failed(
                me,
                "it sets mfa_serial, and s3presign cannot ask for an MFA code: get temporary credentials with `aws sts get-session-token` or `aws configure export-credentials` and use those",
            ));
        }
        let duration_seconds = match self.get(name, "duration_seconds") {
            Some(d) => Some(d.trim().parse::<u32>().map_err(|_| {
                ProviderError::failed(
                    me.clone(),
                    "duration_seconds must be a whole number of seconds",
                )
            })?),
            None => None,
        };
        let session_name = self.get(name, "role_session_name");
        let role = RoleRequest {
            role_arn: role_arn.clone(),
            session_name: session_name.clone(),
            external_id: self.get(name, "external_id"),
            duration_seconds,
        };
        if let Some(file) = self.get(name, "web_identity_token_file") {
            let p = WebIdentityProvider::configured(
                SharedEnv::clone(self.env),
                Some(String::from(name)),
                PathBuf::from(file),
                role_arn,
                session_name,
            );
            return Ok(Plan {
                base: Base::Provider(Box::new(p)),
                roles: Vec::new(),
            });
        }
        let mut plan = if let Some(source) = self.get(name, "source_profile") {
            if source == name && has_static {
                Plan {
                    base: self.static_keys(name)?,
                    roles: Vec::new(),
                }
            } else {
                self.resolve(&source, visited)?
            }
        } else if let Some(cs) = self.get(name, "credential_source") {
            Plan {
                base: Base::Provider(self.credential_source(&me, &cs)?),
                roles: Vec::new(),
            }
        } else {
            return Err(ProviderError::failed(
                me,
                "role_arn needs source_profile, credential_source or web_identity_token_file",
            ));
        };
        plan.roles.push((String::from(name), role));
        Ok(plan)
    }

    fn credential_source(
        &self,
        me: &str,
        cs: &str,
    ) -> Result<Box<dyn ProvideCredentials>, ProviderError> {
        let env = SharedEnv::clone(self.env);
        Ok(match cs.trim() {
            "Environment" => Box::new(EnvironmentProvider::new(env)),
            "Ec2InstanceMetadata" => Box::new(ImdsProvider::new(env)),
            "EcsContainer" => Box::new(ContainerProvider::new(env)),
            _ => {
                return Err(ProviderError::failed(
                    me,
                    "credential_source must be Environment, Ec2InstanceMetadata or EcsContainer",
                ));
            }
        })
    }

    fn static_keys(&self, name: &str) -> Result<Base, ProviderError> {
        self.files
            .credentials_for(name)
            .map(Base::Static)
            .map_err(|e| ProviderError::failed(format!("profile {name:?}"), e.to_string()))
    }

    /// A profile's own credentials (no role): SSO, process, static keys.
    fn base(&self, name: &str, is_source: bool) -> Result<Base, ProviderError> {
        let me = format!("profile {name:?}");
        if self.get(name, "sso_session").is_some() || self.get(name, "sso_start_url").is_some() {
            return Ok(Base::Provider(Box::new(self.sso(name)?)));
        }
        if let Some(cmd) = self.get(name, "credential_process") {
            return Ok(Base::Provider(Box::new(ProcessProvider::new(cmd))));
        }
        if self.get(name, "aws_access_key_id").is_some() {
            return self.static_keys(name);
        }
        let why = "it has no credentials (no aws_access_key_id, credential_process, sso_session or role_arn)";
        Err(if is_source {
            ProviderError::failed(me, why)
        } else {
            ProviderError::not_configured(me, why)
        })
    }

    fn sso(&self, name: &str) -> Result<SsoProvider, ProviderError> {
        let me = format!("profile {name:?}");
        let need = |key: &str, value: Option<String>, place: &str| {
            value.ok_or_else(|| ProviderError::failed(me.clone(), format!("{place} has no {key}")))
        };
        let session = self.get(name, "sso_session");
        let (start_url, region) = match &session {
            Some(s) => {
                let section = format!("sso-session {s}");
                let get = |k| {
                    self.files
                        .config
                        .get(&section, k)
                        .filter(|v| !v.is_empty())
                        .map(String::from)
                };
                let place = format!("[sso-session {s}]");
                (
                    need("sso_start_url", get("sso_start_url"), &place)?,
                    need("sso_region", get("sso_region"), &place)?,
                )
            }
            None => (
                need(
                    "sso_start_url",
                    self.get(name, "sso_start_url"),
                    "the profile",
                )?,
                need("sso_region", self.get(name, "sso_region"), "the profile")?,
            ),
        };
        Ok(SsoProvider::new(
            SharedEnv::clone(self.env),
            session,
            start_url,
            region,
            need(
                "sso_account_id",
                self.get(name, "sso_account_id"),
                "the profile",
            )?,
            need(
                "sso_role_name",
                self.get(name, "sso_role_name"),
                "the profile",
            )?,
        ))
    }
}

impl ProvideCredentials for ProfileProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async move {
            let plan = self.plan()?;
            let me = self.source_name();
            let mut creds = match plan.base {
                Base::Static(c) => c,
                Base::Provider(p) => p.provide_credentials().await.map_err(|e| {
                    if plan.roles.is_empty() {
                        e
                    } else {
                        e.within(me.clone(), "the source credentials")
                    }
                })?,
            };
            let region = sts::region(&self.env, self.explicit.as_deref());
            for (profile, role) in &plan.roles {
                let source = format!("profile {profile:?}");
                creds =
                    sts::assume_role(&source, &self.env, region.as_deref(), &creds, role).await?;
            }
            Ok(creds)
        })
    }
}
