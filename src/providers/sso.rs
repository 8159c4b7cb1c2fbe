//! [`SsoProvider`]: IAM Identity Center, from the token `aws sso login` caches.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use core::time::Duration;
use std::io::Read;
use std::path::PathBuf;

use percent_encoding::utf8_percent_encode;
use serde::Deserialize;
use sha1::{Digest, Sha1};

use super::http::{self, Limits};
use super::{CredentialsFuture, ProvideCredentials, ProviderError, SharedEnv, env_flag};
use crate::{AmzDate, Credentials};

const NAME: &str = "SSO";
const LIMITS: Limits = Limits {
    connect: Duration::from_secs(3),
    total: Duration::from_secs(10),
    attempts: 3,
    max_body: 64 * 1024,
};
/// The cached token file is small; a larger one is refused.
const MAX_CACHE_FILE: u64 = 256 * 1024;
const QUERY: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Role credentials from IAM Identity Center: the access token that `aws sso login` wrote
/// to `~/.aws/sso/cache/<SHA-1 of the session name or start URL>.json`, exchanged at the
/// portal's `GetRoleCredentials` (`https://portal.sso.{region}.amazonaws.com`, or
/// `AWS_ENDPOINT_URL_SSO`). Built by [`ProfileProvider`](super::ProfileProvider) from a
/// profile's `sso_session` (or legacy `sso_start_url`), `sso_account_id` and
/// `sso_role_name`.
///
/// The token is not refreshed here: when it has expired, the error says to run
/// `aws sso login`.
#[derive(Debug, Clone)]
pub struct SsoProvider {
    env: SharedEnv,
    /// The `sso_session` name, or `None` for the legacy keys.
    session: Option<String>,
    start_url: String,
    region: String,
    account_id: String,
    role_name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CachedToken {
    access_token: String,
    expires_at: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PortalAnswer {
    role_credentials: RoleCredentials,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoleCredentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    /// Milliseconds since 1970.
    expiration: i64,
}

impl SsoProvider {
    pub(crate) fn new(
        env: SharedEnv,
        session: Option<String>,
        start_url: String,
        region: String,
        account_id: String,
        role_name: String,
    ) -> Self {
        Self {
            env,
            session,
            start_url,
            region,
            account_id,
            role_name,
        }
    }

    fn login_hint(&self) -> String {
        match &self.session {
            Some(s) => format!("run aws sso login --sso-session {s}"),
            None => String::from("run aws sso login"),
        }
    }

    /// `~/.aws/sso/cache/<sha1 hex>.json`.
    fn cache_path(&self) -> Result<PathBuf, ProviderError> {
        let key = self.session.as_deref().unwrap_or(&self.start_url);
        let digest = Sha1::digest(key.as_bytes());
        let home = self.env.home().ok_or_else(|| {
            ProviderError::failed(
                NAME,
                "HOME is not set, so the SSO token cache cannot be found",
            )
        })?;
        let name = format!("{}.json", hex::encode(digest));
        Ok(home.join(".aws").join("sso").join("cache").join(name))
    }

    fn read_token(&self, now: AmzDate) -> Result<String, ProviderError> {
        let path = self.cache_path()?;
        let fail = |why: String| {
            ProviderError::failed(
                NAME,
                format!("{}: {why}; {}", path.display(), self.login_hint()),
            )
        };
        let file = std::fs::File::open(&path)
            .map_err(|e| fail(format!("no cached token ({})", e.kind())))?;
        let mut text = String::new();
        file.take(MAX_CACHE_FILE)
            .read_to_string(&mut text)
            .map_err(|e| fail(format!("cannot read as UTF-8 ({})", e.kind())))?;
        let token: CachedToken = serde_json::from_str(&text)
            .map_err(|e| fail(format!("not a token cache file ({e})")))?;
        // The AWS CLI v1 wrote `2026-12-01T13:00:00UTC`.
        let at = token.expires_at.trim().replace("UTC", "Z");
        let at = crate::profile::parse_rfc3339(&at).ok_or_else(|| {
            fail(String::from(
                "unreadable expiresAt: expected an RFC 3339 time such as 2026-12-01T13:00:00Z",
            ))
        })?;
        if at.unix_timestamp() <= now.unix_timestamp() {
            return Err(ProviderError::failed(
                NAME,
                format!(
                    "the SSO token for {} expired at {}: {}",
                    self.session.as_deref().unwrap_or(&self.start_url),
                    at.to_rfc3339(),
                    self.login_hint()
                ),
            ));
        }
        Ok(token.access_token)
    }

    fn portal(&self) -> String {
        if !env_flag(&self.env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
            && let Some(url) = self
                .env
                .var("AWS_ENDPOINT_URL_SSO")
                .or_else(|| self.env.var("AWS_ENDPOINT_URL"))
        {
            return String::from(url.trim_end_matches('/'));
        }
        format!("https://portal.sso.{}.amazonaws.com", self.region)
    }

    async fn load(&self) -> Result<Credentials, ProviderError> {
        let now = AmzDate::now().map_err(|e| ProviderError::failed(NAME, format!("{e}")))?;
        let token = self.read_token(now)?;
        let url = format!(
            "{}/federation/credentials?account_id={}&role_name={}",
            self.portal(),
            utf8_percent_encode(&self.account_id, QUERY),
            utf8_percent_encode(&self.role_name, QUERY)
        );
        let client = http::client(&LIMITS, NAME)?;
        let answer = http::call(&LIMITS, || {
            client.get(&url).header("x-amz-sso_bearer_token", &token)
        })
        .await
        .map_err(|e| e.into_provider(NAME, "GetRoleCredentials", LIMITS.max_body))?;
        match answer.status {
            200 => {}
            401 | 403 => {
                return Err(ProviderError::failed(
                    NAME,
                    format!(
                        "the portal refused the cached token (HTTP {}): {}",
                        answer.status,
                        self.login_hint()
                    ),
                ));
            }
            s => {
                return Err(ProviderError::failed(
                    NAME,
                    format!(
                        "GetRoleCredentials for role {} answered HTTP {s}",
                        self.role_name
                    ),
                ));
            }
        }
        let a: PortalAnswer = serde_json::from_slice(&answer.body).map_err(|e| {
            ProviderError::failed(NAME, format!("unreadable GetRoleCredentials answer: {e}"))
        })?;
        let c = a.role_credentials;
        let expiry = AmzDate::from_unix_timestamp(c.expiration.div_euclid(1000))
            .map_err(|e| ProviderError::failed(NAME, format!("unreadable expiration: {e}")))?;
        Ok(Credentials::new(c.access_key_id, c.secret_access_key)
            .with_session_token(c.session_token)
            .with_expiry(expiry))
    }
}

impl ProvideCredentials for SsoProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(self.load())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::sync::Arc;

    #[test]
    fn cache_file_names_are_sha1_of_the_key() {
        let env = Arc::new(crate::profile::Environment::from_pairs([("HOME", "/h")]));
        let p = |session: Option<&str>| {
            SsoProvider::new(
                Arc::clone(&env),
                session.map(String::from),
                String::from("https://d-abc123.awsapps.com/start"),
                String::from("us-east-1"),
                String::from("1"),
                String::from("r"),
            )
            .cache_path()
            .unwrap()
        };
        // sha1("my-sso") and sha1("https://d-abc123.awsapps.com/start"), computed with
        // Python's hashlib.
        assert_eq!(
            p(Some("my-sso")),
            PathBuf::from("/h/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json")
        );
        assert_eq!(
            p(None),
            PathBuf::from("/h/.aws/sso/cache/40a89917e3175433e361b710a9d43528d7f1890a.json")
        );
    }
}
