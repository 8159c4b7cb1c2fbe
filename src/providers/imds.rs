//! [`ImdsProvider`]: the EC2 instance metadata service, version 2 (a session token first).

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use core::time::Duration;

use serde::Deserialize;

use super::expiration::parse_expiration;
use super::http::{self, Answer, CallError, Limits};
use super::{
    CredentialsFuture, ProvideCredentials, ProviderError, SharedEnv, env_flag, process_env,
};
use crate::Credentials;
use crate::profile::Environment;

const NAME: &str = "IMDS";
/// One second to connect and one to answer, two attempts: off EC2 the chain gives up fast.
const LIMITS: Limits = Limits {
    connect: Duration::from_secs(1),
    total: Duration::from_secs(1),
    attempts: 2,
    max_body: 16 * 1024,
};
const TOKEN_TTL_SECS: &str = "21600";
const CREDENTIALS_PATH: &str = "/latest/meta-data/iam/security-credentials/";

/// Credentials of the instance profile's role, from IMDSv2: `PUT /latest/api/token` with
/// `X-aws-ec2-metadata-token-ttl-seconds`, then the role name under
/// `/latest/meta-data/iam/security-credentials/`, then its credentials.
///
/// Not configured when `AWS_EC2_METADATA_DISABLED` is `true`. The endpoint is
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else `http://169.254.169.254`, or
/// `http://[fd00:ec2::254]` when `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE` is `IPv6`.
///
/// ```
/// use s3presign::providers::ImdsProvider;
/// let imds = ImdsProvider::from_process_env();
/// # let _ = imds;
/// ```
#[derive(Debug, Clone)]
pub struct ImdsProvider {
    env: SharedEnv,
}

impl ImdsProvider {
    /// Reads the `AWS_EC2_METADATA_*` variables from `env`.
    pub fn new(env: SharedEnv) -> Self {
        Self { env }
    }

    /// Reads the process environment.
    pub fn from_process_env() -> Self {
        Self::new(process_env())
    }
}

/// The metadata service's base URL, or why it is not to be used.
fn base_url(env: &Environment<'_>) -> Result<String, ProviderError> {
    if env_flag(env, "AWS_EC2_METADATA_DISABLED") {
        return Err(ProviderError::not_configured(
            NAME,
            "AWS_EC2_METADATA_DISABLED is true",
        ));
    }
    if let Some(url) = env.var("AWS_EC2_METADATA_SERVICE_ENDPOINT") {
        return Ok(String::from(url.trim_end_matches('/')));
    }
    let mode = env.var("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
    match mode.as_deref().map(str::trim) {
        None => Ok(String::from("http://169.254.169.254")),
        Some(m) if m.eq_ignore_ascii_case("ipv4") => Ok(String::from("http://169.254.169.254")),
        Some(m) if m.eq_ignore_ascii_case("ipv6") => Ok(String::from("http://[fd00:ec2::254]")),
        Some(_) => Err(ProviderError::failed(
            NAME,
            "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE must be IPv4 or IPv6",
        )),
    }
}

/// One IMDSv2 session: the client, the base URL and the session token.
struct Session {
    client: reqwest::Client,
    base: String,
    token: String,
}

impl Session {
    async fn open(env: &Environment<'_>) -> Result<Self, ProviderError> {
        let base = base_url(env)?;
        let client = http::client(&LIMITS, NAME)?;
        let url = format!("{base}/latest/api/token");
        let answer = http::call(&LIMITS, || {
            client
                .put(&url)
                .header("x-aws-ec2-metadata-token-ttl-seconds", TOKEN_TTL_SECS)
        })
        .await
        .map_err(|e| match e {
            // No metadata service here: the chain moves on.
            CallError::Transport(m) => ProviderError::not_configured(
                NAME,
                format!("no instance metadata service at {base}: {m}"),
            ),
            e => e.into_provider(NAME, "the session token", LIMITS.max_body),
        })?;
        match answer.status {
            200 => {}
            // The instance's metadata service is turned off.
            403 => {
                return Err(ProviderError::not_configured(
                    NAME,
                    "PUT /latest/api/token answered HTTP 403: the instance metadata service is disabled",
                ));
            }
            s => {
                return Err(ProviderError::failed(
                    NAME,
                    format!("PUT /latest/api/token answered HTTP {s}"),
                ));
            }
        }
        let token = String::from(answer.text().trim());
        if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ProviderError::failed(
                NAME,
                "the session token is empty or not ASCII",
            ));
        }
        Ok(Self {
            client,
            base,
            token,
        })
    }

    /// GETs a metadata path; a status other than 200 is an error naming the path.
    async fn get(&self, path: &str) -> Result<String, ProviderError> {
        let url = format!("{}{path}", self.base);
        let answer: Answer = http::call(&LIMITS, || {
            self.client
                .get(&url)
                .header("x-aws-ec2-metadata-token", &self.token)
        })
        .await
        .map_err(|e| e.into_provider(NAME, path, LIMITS.max_body))?;
        match answer.status {
            200 => Ok(answer.text()),
            404 => Err(ProviderError::failed(
                NAME,
                format!(
                    "{path} not found (HTTP 404): is an instance profile attached to this instance?"
                ),
            )),
            s => Err(ProviderError::failed(
                NAME,
                format!("GET {path} answered HTTP {s}"),
            )),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ImdsCredentials {
    code: Option<String>,
    access_key_id: String,
    secret_access_key: String,
    token: String,
    expiration: String,
}

async fn load(env: &Environment<'_>) -> Result<Credentials, ProviderError> {
    let session = Session::open(env).await?;
    let roles = session.get(CREDENTIALS_PATH).await?;
    let role = roles
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .ok_or_else(|| {
            ProviderError::failed(NAME, "no role: attach an instance profile to this instance")
        })?;
    if !role
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
    {
        return Err(ProviderError::failed(
            NAME,
            "the role name is not an IAM name",
        ));
    }
    let text = session.get(&format!("{CREDENTIALS_PATH}{role}")).await?;
    let c: ImdsCredentials = serde_json::from_str(&text).map_err(|e| {
        ProviderError::failed(NAME, format!("unreadable credentials document: {e}"))
    })?;
    if let Some(code) = c.code.as_deref().filter(|c| *c != "Success") {
        return Err(ProviderError::failed(
            NAME,
            format!(
                "the credentials document says {}",
                super::error::clip_remote(code)
            ),
        ));
    }
    let expiry = parse_expiration(NAME, "Expiration", &c.expiration)?;
    Ok(Credentials::new(c.access_key_id, c.secret_access_key)
        .with_session_token(c.token)
        .with_expiry(expiry))
}

impl ProvideCredentials for ImdsProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async move { load(&self.env).await })
    }
}

/// The instance's region from IMDSv2 (`/latest/meta-data/placement/region`), for when
/// neither the environment nor the profile names one.
///
/// ```no_run
/// # async fn run() -> Result<(), s3presign::providers::ProviderError> {
/// use s3presign::profile::Environment;
/// let region = s3presign::providers::region_from_imds(&Environment::process()).await?;
/// # let _ = region; Ok(()) }
/// ```
///
/// # Errors
/// Not configured off EC2 or when disabled; failed on an unexpected answer.
pub async fn region_from_imds(env: &Environment<'_>) -> Result<String, ProviderError> {
    let session = Session::open(env).await?;
    let region = session.get("/latest/meta-data/placement/region").await?;
    let region = region.trim();
    if region.is_empty()
        || !region
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(ProviderError::failed(
            NAME,
            "the region is not a region name",
        ));
    }
    Ok(String::from(region))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints() {
        let url = |pairs: &[(&str, &str)]| {
            base_url(&Environment::from_pairs(pairs.iter().copied())).map_err(|e| e.kind())
        };
        assert_eq!(url(&[]).unwrap(), "http://169.254.169.254");
        assert_eq!(
            url(&[("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6")]).unwrap(),
            "http://[fd00:ec2::254]"
        );
        assert_eq!(
            url(&[
                ("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6"),
                ("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9/"),
            ])
            .unwrap(),
            "http://127.0.0.1:9"
        );
        assert_eq!(
            url(&[("AWS_EC2_METADATA_DISABLED", "true")]).unwrap_err(),
            crate::providers::ProviderErrorKind::NotConfigured
        );
        assert_eq!(
            url(&[("AWS_EC2_METADATA_DISABLED", "false")]).unwrap(),
            "http://169.254.169.254"
        );
    }
}
