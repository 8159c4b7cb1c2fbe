//! [`ContainerProvider`]: the ECS / Fargate task role and EKS Pod Identity endpoint.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use core::time::Duration;
use std::io::Read;

use serde::Deserialize;

use super::expiration::parse_expiration;
use super::http::{self, Limits};
use super::{CredentialsFuture, ProvideCredentials, ProviderError, SharedEnv, process_env};
use crate::Credentials;
use crate::profile::Environment;

const NAME: &str = "container";
const LIMITS: Limits = Limits {
    connect: Duration::from_secs(2),
    total: Duration::from_secs(5),
    attempts: 3,
    max_body: 16 * 1024,
};
const ECS_HOST: &str = "http://169.254.170.2";
/// An authorization token larger than this is refused.
const MAX_TOKEN: u64 = 16 * 1024;

/// Credentials from the container credentials endpoint:
/// `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` on `169.254.170.2` (ECS, Fargate), or
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI` (EKS Pod Identity and local tools), with
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (read on every call) or
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN` as the `Authorization` header.
///
/// As in the SDKs, a full URI over plain HTTP must point at a loopback address or at the
/// ECS (`169.254.170.2`) or EKS (`169.254.170.23`, `fd00:ec2::23`) link-local addresses;
/// HTTPS may point anywhere.
///
/// ```
/// use s3presign::providers::ContainerProvider;
/// let ecs = ContainerProvider::from_process_env();
/// # let _ = ecs;
/// ```
#[derive(Debug, Clone)]
pub struct ContainerProvider {
    env: SharedEnv,
}

impl ContainerProvider {
    /// Reads the `AWS_CONTAINER_*` variables from `env`.
    pub fn new(env: SharedEnv) -> Self {
        Self { env }
    }

    /// Reads the process environment.
    pub fn from_process_env() -> Self {
        Self::new(process_env())
    }
}

/// The endpoint's URL, checked.
fn endpoint(env: &Environment<'_>) -> Result<reqwest::Url, ProviderError> {
    let bad = |m: String| ProviderError::failed(NAME, m);
    if let Some(rel) = env.var("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
        if !rel.starts_with('/') {
            return Err(bad(String::from(
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must start with '/'",
            )));
        }
        return reqwest::Url::parse(&format!("{ECS_HOST}{rel}")).map_err(|e| {
            bad(format!(
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is not a URL path: {e}"
            ))
        });
    }
    let Some(full) = env.var("AWS_CONTAINER_CREDENTIALS_FULL_URI") else {
        return Err(ProviderError::not_configured(
            NAME,
            "neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set",
        ));
    };
    let url = reqwest::Url::parse(&full).map_err(|e| {
        bad(format!(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI is not a URL: {e}"
        ))
    })?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if allowed_http_host(&url) => Ok(url),
        "http" => Err(bad(String::from(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI over http must point at a loopback address, 169.254.170.2, 169.254.170.23 or fd00:ec2::23 (use https for other hosts)",
        ))),
        _ => Err(bad(String::from(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI must be an http or https URL",
        ))),
    }
}

/// Loopback, or the ECS / EKS Pod Identity link-local addresses.
fn allowed_http_host(url: &reqwest::Url) -> bool {
    let ecs = IpAddr::V4(Ipv4Addr::new(169, 254, 170, 2));
    let eks = IpAddr::V4(Ipv4Addr::new(169, 254, 170, 23));
    let eks6 = IpAddr::V6(Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23));
    let Some(host) = url.host_str() else {
        return false;
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let Ok(ip) = bare.parse::<IpAddr>() else {
        return host.eq_ignore_ascii_case("localhost");
    };
    ip.is_loopback() || ip == ecs || ip == eks || ip == eks6
}

/// The `Authorization` value, from the token file (preferred) or the variable.
fn authorization(env: &Environment<'_>) -> Result<Option<String>, ProviderError> {
    let token = if let Some(path) = env.var("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
        let fail = |why: String| {
            ProviderError::failed(
                NAME,
                format!("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE {path}: {why}"),
            )
        };
        let file =
            std::fs::File::open(&path).map_err(|e| fail(format!("cannot open: {}", e.kind())))?;
        let mut text = String::new();
        file.take(MAX_TOKEN + 1)
            .read_to_string(&mut text)
            .map_err(|e| fail(format!("cannot read as UTF-8: {}", e.kind())))?;
        if text.len() as u64 > MAX_TOKEN {
            return Err(fail(format!("larger than {MAX_TOKEN} bytes")));
        }
        Some(String::from(text.trim()))
    } else {
        env.var("AWS_CONTAINER_AUTHORIZATION_TOKEN")
    };
    match token {
        Some(t) if t.bytes().any(|b| b.is_ascii_control()) => Err(ProviderError::failed(
            NAME,
            "the authorization token contains a control character (CR, LF, ...)",
        )),
        t => Ok(t.filter(|t| !t.is_empty())),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ContainerCredentials {
    access_key_id: String,
    secret_access_key: String,
    token: Option<String>,
    expiration: Option<String>,
}

async fn load(env: &Environment<'_>) -> Result<Credentials, ProviderError> {
    let url = endpoint(env)?;
    let auth = authorization(env)?;
    let client = http::client(&LIMITS, NAME)?;
    let answer = http::call(&LIMITS, || {
        let req = client.get(url.clone()).header("accept", "application/json");
        match &auth {
            Some(a) => req.header("authorization", a),
            None => req,
        }
    })
    .await
    .map_err(|e| e.into_provider(NAME, "the credentials endpoint", LIMITS.max_body))?;
    if answer.status != 200 {
        return Err(ProviderError::failed(
            NAME,
            format!(
                "the credentials endpoint {} answered HTTP {}",
                url.path(),
                answer.status
            ),
        ));
    }
    let c: ContainerCredentials = serde_json::from_slice(&answer.body).map_err(|e| {
        ProviderError::failed(NAME, format!("unreadable credentials document: {e}"))
    })?;
    let mut creds = Credentials::new(c.access_key_id, c.secret_access_key);
    if let Some(t) = c.token {
        creds = creds.with_session_token(t);
    }
    if let Some(x) = c.expiration {
        let at = parse_expiration(NAME, "Expiration", &x)?;
        creds = creds.with_expiry(at);
    }
    Ok(creds)
}

impl ProvideCredentials for ContainerProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async move { load(&self.env).await })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url_for(full: &str) -> Result<reqwest::Url, ProviderError> {
        endpoint(&Environment::from_pairs([(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            full,
        )]))
    }

    #[test]
    fn full_uri_hosts() {
        for ok in [
            "http://127.0.0.1:8080/creds",
            "http://127.1.2.3/x",
            "http://[::1]:9/x",
            "http://localhost/x",
            "http://169.254.170.2/v2/credentials",
            "http://169.254.170.23/v1/credentials",
            "http://[fd00:ec2::23]/v1/credentials",
            "https://creds.example.com/x",
        ] {
            assert!(url_for(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://10.0.0.1/x",
            "http://example.com/x",
            "ftp://127.0.0.1/x",
            "not a url",
        ] {
            assert!(url_for(bad).is_err(), "{bad}");
        }
        let rel = endpoint(&Environment::from_pairs([(
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "/v2/credentials/abc",
        )]))
        .unwrap();
        assert_eq!(rel.as_str(), "http://169.254.170.2/v2/credentials/abc");
    }
}
