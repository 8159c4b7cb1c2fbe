//! STS: `AssumeRole` (signed with the crate's own SigV4) and
//! `AssumeRoleWithWebIdentity` (unsigned), their endpoint, and [`AssumeRoleProvider`].

use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::time::Duration;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;

use super::error::clip_remote;
use super::expiration::parse_expiration;
use super::http::{self, Limits};
use super::{CredentialsFuture, ProvideCredentials, ProviderError, SharedEnv, env_flag};
use crate::profile::Environment;
use crate::sigv4::{ContentSha256Header, Payload, SignableRequest, SigningParams, SigningSettings};
use crate::{AmzDate, Credentials, Signer};

/// The form encoding of the SDKs: everything but `A-Z a-z 0-9 - . _ ~` percent-encoded.
const FORM: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

const LIMITS: Limits = Limits {
    connect: Duration::from_secs(3),
    total: Duration::from_secs(10),
    attempts: 3,
    max_body: 64 * 1024,
};

/// The role to assume and how.
#[derive(Debug, Clone)]
pub(crate) struct RoleRequest {
    pub role_arn: String,
    pub session_name: Option<String>,
    pub external_id: Option<String>,
    pub duration_seconds: Option<u32>,
}

impl RoleRequest {
    fn form(&self, action: &str) -> String {
        let session = self
            .session_name
            .clone()
            .unwrap_or_else(default_session_name);
        let mut body = format!(
            "Action={action}&Version=2011-06-15&RoleArn={}&RoleSessionName={}",
            utf8_percent_encode(&self.role_arn, FORM),
            utf8_percent_encode(&session, FORM)
        );
        if let Some(d) = self.duration_seconds {
            body.push_str(&format!("&DurationSeconds={d}"));
        }
        if let Some(x) = &self.external_id {
            body.push_str(&format!("&ExternalId={}", utf8_percent_encode(x, FORM)));
        }
        body
    }
}

/// `s3presign-<unix seconds>`, as the SDKs name sessions when nothing else does.
fn default_session_name() -> String {
    let secs = AmzDate::now().map_or(0, |t| t.unix_timestamp());
    format!("s3presign-{secs}")
}

/// Where STS is: `AWS_ENDPOINT_URL_STS`, else `AWS_ENDPOINT_URL` (both ignored when
/// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is true), else the regional endpoint
/// (`https://sts.{region}.amazonaws.com`, `.amazonaws.com.cn` in China), else the global one.
pub(crate) fn endpoint(env: &Environment<'_>, region: Option<&str>) -> String {
    if !env_flag(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        && let Some(url) = env
            .var("AWS_ENDPOINT_URL_STS")
            .or_else(|| env.var("AWS_ENDPOINT_URL"))
    {
        return url.trim_end_matches('/').to_string();
    }
    match region {
        Some(r) if r.starts_with("cn-") => format!("https://sts.{r}.amazonaws.com.cn"),
        Some(r) => format!("https://sts.{r}.amazonaws.com"),
        None => String::from("https://sts.amazonaws.com"),
    }
}

/// The region to call STS in: `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`.
pub(crate) fn region(env: &Environment<'_>, profile: Option<&str>) -> Option<String> {
    env.region(profile).ok()
}

/// Calls `AssumeRole` with `base` credentials.
pub(crate) async fn assume_role(
    source: &str,
    env: &Environment<'_>,
    region: Option<&str>,
    base: &Credentials,
    role: &RoleRequest,
) -> Result<Credentials, ProviderError> {
    let url = format!("{}/", endpoint(env, region));
    let body = role.form("AssumeRole");
    let signed = sign(source, &url, region.unwrap_or("us-east-1"), base, &body)?;
    let client = http::client(&LIMITS, source)?;
    let answer = http::call(&LIMITS, || {
        let mut req = client
            .post(&url)
            .header("content-type", FORM_TYPE)
            .body(body.clone());
        for (name, value) in &signed {
            req = req.header(*name, value);
        }
        req
    })
    .await
    .map_err(|e| e.into_provider(source, "STS AssumeRole", LIMITS.max_body))?;
    parse_answer(source, "AssumeRole", answer.status, &answer.text())
}

const FORM_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// The SigV4 headers for a POST of `body` to `url` (service `sts`).
fn sign(
    source: &str,
    url: &str,
    region: &str,
    base: &Credentials,
    body: &str,
) -> Result<Vec<(&'static str, String)>, ProviderError> {
    let bad = |what: &str, e: &dyn core::fmt::Display| {
        ProviderError::failed(source, format!("cannot sign the STS request: {what}: {e}"))
    };
    let parsed = reqwest::Url::parse(url).map_err(|e| bad("the STS endpoint is not a URL", &e))?;
    let host = match (parsed.host_str(), parsed.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => String::from(h),
        (None, _) => return Err(bad("the STS endpoint has no host", &url)),
    };
    let signer = Signer::new(base.clone()).map_err(|e| bad("the source credentials", &e))?;
    let now = AmzDate::now().map_err(|e| bad("the clock", &e))?;
    let headers = [("content-type", FORM_TYPE), ("host", host.as_str())];
    let req = SignableRequest::new(
        "POST",
        parsed.path(),
        "",
        &headers,
        Payload::Bytes(body.as_bytes()),
    );
    let settings =
        SigningSettings::default().with_content_sha256_header(ContentSha256Header::Include);
    let params = SigningParams::new(&signer, region, "sts", now).with_settings(settings);
    let signed = crate::sigv4::sign_headers(&req, &params).map_err(|e| bad("SigV4", &e))?;
    Ok(signed
        .headers()
        .map(|(n, v)| (n, String::from(v)))
        .collect())
}

/// Calls `AssumeRoleWithWebIdentity` (no signature: the token is the proof).
pub(crate) async fn assume_role_with_web_identity(
    source: &str,
    env: &Environment<'_>,
    region: Option<&str>,
    token: &str,
    role: &RoleRequest,
) -> Result<Credentials, ProviderError> {
    let url = format!("{}/", endpoint(env, region));
    let body = format!(
        "{}&WebIdentityToken={}",
        role.form("AssumeRoleWithWebIdentity"),
        utf8_percent_encode(token, FORM)
    );
    let client = http::client(&LIMITS, source)?;
    let answer = http::call(&LIMITS, || {
        client
            .post(&url)
            .header("content-type", FORM_TYPE)
            .body(body.clone())
    })
    .await
    .map_err(|e| e.into_provider(source, "STS AssumeRoleWithWebIdentity", LIMITS.max_body))?;
    parse_answer(
        source,
        "AssumeRoleWithWebIdentity",
        answer.status,
        &answer.text(),
    )
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "AssumeRoleResult", alias = "AssumeRoleWithWebIdentityResult")]
    result: StsResult,
}

#[derive(Deserialize)]
struct StsResult {
    #[serde(rename = "Credentials")]
    credentials: StsCredentials,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct StsCredentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    expiration: String,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    #[serde(rename = "Error")]
    error: ErrorBody,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ErrorBody {
    code: String,
    #[serde(default)]
    message: String,
}

/// Turns an STS answer into credentials, or an error with STS's code and message.
pub(crate) fn parse_answer(
    source: &str,
    action: &str,
    status: u16,
    text: &str,
) -> Result<Credentials, ProviderError> {
    if !(200..300).contains(&status) {
        let why = match quick_xml::de::from_str::<ErrorEnvelope>(text) {
            Ok(e) => format!(
                "{}: {}",
                clip_remote(&e.error.code),
                clip_remote(&e.error.message)
            ),
            Err(_) => String::from("no STS error document in the answer"),
        };
        return Err(ProviderError::failed(
            source,
            format!("STS {action} answered HTTP {status}: {why}"),
        ));
    }
    let parsed: Envelope = quick_xml::de::from_str(text).map_err(|_| {
        ProviderError::failed(
            source,
            format!("STS {action} answered HTTP {status} without the credentials document"),
        )
    })?;
    let c = parsed.result.credentials;
    let expiry = parse_expiration(source, &format!("STS {action} Expiration"), &c.expiration)?;
    Ok(Credentials::new(c.access_key_id, c.secret_access_key)
        .with_session_token(c.session_token)
        .with_expiry(expiry))
}

/// Assumes a role with credentials from another provider (the `role_arn` +
/// `source_profile` / `credential_source` of a profile, or your own set-up).
///
/// ```no_run
/// use s3presign::providers::{AssumeRoleProvider, EnvironmentProvider};
/// let provider = AssumeRoleProvider::new(
///     EnvironmentProvider::from_process_env(),
///     "arn:aws:iam::123456789012:role/uploader",
/// )
/// .session_name("nightly-export")
/// .external_id("partner-42")
/// .duration_seconds(3600);
/// # let _ = provider;
/// ```
#[derive(Debug)]
pub struct AssumeRoleProvider {
    source: Box<dyn ProvideCredentials>,
    role: RoleRequest,
    env: SharedEnv,
    region: Option<String>,
}

impl AssumeRoleProvider {
    /// Assumes `role_arn` with `source`'s credentials, in the region and at the STS endpoint
    /// the process environment gives.
    pub fn new(source: impl ProvideCredentials + 'static, role_arn: impl Into<String>) -> Self {
        let env = super::process_env();
        let region = region(&env, None);
        Self::with_env(Box::new(source), role_arn.into(), env, region)
    }

    pub(crate) fn with_env(
        source: Box<dyn ProvideCredentials>,
        role_arn: String,
        env: SharedEnv,
        region: Option<String>,
    ) -> Self {
        Self {
            source,
            role: RoleRequest {
                role_arn,
                session_name: None,
                external_id: None,
                duration_seconds: None,
            },
            env,
            region,
        }
    }

    /// The `RoleSessionName` (default `s3presign-<unix time>`).
    #[must_use]
    pub fn session_name(mut self, name: impl Into<String>) -> Self {
        self.role.session_name = Some(name.into());
        self
    }

    /// The `ExternalId` the role's trust policy asks for.
    #[must_use]
    pub fn external_id(mut self, id: impl Into<String>) -> Self {
        self.role.external_id = Some(id.into());
        self
    }

    /// How long the credentials live (STS's default is one hour).
    #[must_use]
    pub fn duration_seconds(mut self, secs: u32) -> Self {
        self.role.duration_seconds = Some(secs);
        self
    }

    /// The region whose STS endpoint is called.
    #[must_use]
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }
}

impl ProvideCredentials for AssumeRoleProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async move {
            let name = "assume role";
            let base = self
                .source
                .provide_credentials()
                .await
                .map_err(|e| e.within(name, "the source credentials"))?;
            assume_role(name, &self.env, self.region.as_deref(), &base, &self.role).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn documented_answers_parse() {
        let ok = "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
            <AssumeRoleResult><SourceIdentity>x</SourceIdentity><AssumedRoleUser>\
            <Arn>arn:aws:sts::123456789012:assumed-role/demo/John</Arn>\
            <AssumedRoleId>ARO123EXAMPLE123:John</AssumedRoleId></AssumedRoleUser>\
            <Credentials><SessionToken>AQoDYXdz&amp;EXAMPLE</SessionToken>\
            <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>\
            <Expiration>2019-11-09T13:34:41Z</Expiration><AccessKeyId>ASIAEXAMPLE</AccessKeyId>\
            </Credentials><PackedPolicySize>6</PackedPolicySize></AssumeRoleResult>\
            <ResponseMetadata><RequestId>c6104cbe</RequestId></ResponseMetadata></AssumeRoleResponse>";
        let c = parse_answer("t", "AssumeRole", 200, ok).unwrap();
        assert_eq!(c.access_key_id(), "ASIAEXAMPLE");
        assert_eq!(c.session_token(), Some("AQoDYXdz&EXAMPLE"));
        assert_eq!(c.expires_at().unwrap().as_str(), "20191109T133441Z");
        let err = "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>\
            <Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized</Message>\
            </Error><RequestId>x</RequestId></ErrorResponse>";
        let e = parse_answer("t", "AssumeRole", 403, err).unwrap_err();
        assert_eq!(
            e.to_string(),
            "t: STS AssumeRole answered HTTP 403: AccessDenied: User is not authorized"
        );
        assert!(parse_answer("t", "AssumeRole", 200, "<x/>").is_err());
    }

    #[test]
    fn endpoints() {
        let env = Environment::from_pairs([("AWS_REGION", "eu-west-1")]);
        assert_eq!(
            endpoint(&env, Some("eu-west-1")),
            "https://sts.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            endpoint(&env, Some("cn-north-1")),
            "https://sts.cn-north-1.amazonaws.com.cn"
        );
        assert_eq!(endpoint(&env, None), "https://sts.amazonaws.com");
        let env = Environment::from_pairs([
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:1/"),
            ("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:2/"),
        ]);
        assert_eq!(endpoint(&env, Some("eu-west-1")), "http://127.0.0.1:2");
        let env = Environment::from_pairs([
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:1"),
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE"),
        ]);
        assert_eq!(
            endpoint(&env, Some("us-east-2")),
            "https://sts.us-east-2.amazonaws.com"
        );
    }

    #[test]
    fn form_is_encoded() {
        let r = RoleRequest {
            role_arn: String::from("arn:aws:iam::1:role/a+b"),
            session_name: Some(String::from("s n")),
            external_id: Some(String::from("x&y")),
            duration_seconds: Some(900),
        };
        assert_eq!(
            r.form("AssumeRole"),
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fa%2Bb\
             &RoleSessionName=s%20n&DurationSeconds=900&ExternalId=x%26y"
        );
    }
}
