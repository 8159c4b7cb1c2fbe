//! Assumed roles and web identity through STS: against an in-process double of STS (which
//! verifies `AssumeRole`'s SigV4 signature with the crate's verifier), or against a real
//! STS-compatible server (moto) when `S3PRESIGN_TEST_STS_ENDPOINT` names one. Checks that
//! only the double can make (its log, its refusals) run against the double only.

mod common;

use std::collections::HashMap;
use std::sync::Arc;

use common::doubles::Server;
use common::sts::{self, Sts, StsLog, issued_token};
use s3presign::profile::Environment;
use s3presign::providers::{ProfileProvider, ProvideCredentials, SharedEnv, WebIdentityProvider};

const ROLE: &str = "arn:aws:iam::123456789012:role/uploader";

/// The STS endpoint: moto if configured, else a fresh double (kept alive by the guard).
struct Target {
    url: String,
    double: Option<(Server, Arc<StsLog>)>,
}

impl Target {
    async fn start() -> Self {
        match std::env::var("S3PRESIGN_TEST_STS_ENDPOINT") {
            Ok(url) if !url.is_empty() => Self { url, double: None },
            _ => {
                let (server, log) = sts::sts(Sts::default()).await;
                Self {
                    url: server.url(),
                    double: Some((server, log)),
                }
            }
        }
    }

    /// The forms the double received (`None` against moto).
    fn forms(&self) -> Option<Vec<HashMap<String, String>>> {
        self.double
            .as_ref()
            .map(|(_, log)| log.forms.lock().unwrap().clone())
    }
}

fn env(pairs: Vec<(&str, String)>) -> SharedEnv {
    Arc::new(Environment::from_pairs(pairs))
}

fn home_with(config: &str, credentials: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    std::fs::write(home.path().join(".aws/config"), config).unwrap();
    std::fs::write(home.path().join(".aws/credentials"), credentials).unwrap();
    home
}

const CALLER: &str =
    "[base]\naws_access_key_id = AKIDSOURCEEXAMPLE\naws_secret_access_key = source-secret\n";

fn assert_temporary(c: &s3presign::Credentials, action: &str, t: &Target) {
    assert!(c.expires_at().is_some());
    if t.double.is_some() {
        assert!(c.access_key_id().starts_with("ASIA"), "{c:?}");
        assert_eq!(c.session_token(), Some(issued_token(action).as_str()));
    } else {
        assert!(!c.access_key_id().is_empty());
        assert!(c.session_token().is_some_and(|t| !t.is_empty()));
    }
}

#[tokio::test]
async fn assume_role_with_a_source_profile() {
    let t = Target::start().await;
    let home = home_with(
        &format!(
            "[profile up]\nrole_arn = {ROLE}\nsource_profile = base\nexternal_id = partner-42\n\
             role_session_name = nightly export\nduration_seconds = 1800\n"
        ),
        CALLER,
    );
    let e = env(vec![
        ("HOME", home.path().display().to_string()),
        ("AWS_REGION", "eu-west-1".into()),
        ("AWS_ENDPOINT_URL_STS", t.url.clone()),
    ]);
    let c = ProfileProvider::named(e, "up")
        .provide_credentials()
        .await
        .unwrap();
    assert_temporary(&c, "AssumeRole", &t);
    if let Some(forms) = t.forms() {
        let f = &forms[0];
        assert_eq!(f["Action"], "AssumeRole");
        assert_eq!(f["RoleArn"], ROLE);
        assert_eq!(f["ExternalId"], "partner-42");
        assert_eq!(f["RoleSessionName"], "nightly export");
        assert_eq!(f["DurationSeconds"], "1800");
    }
}

#[tokio::test]
async fn chained_roles_and_credential_source() {
    let t = Target::start().await;
    let home = home_with(
        &format!(
            "[profile first]\nrole_arn = {ROLE}\nsource_profile = base\n\
             [profile second]\nrole_arn = {ROLE}\nsource_profile = first\n\
             [profile from-env]\nrole_arn = {ROLE}\ncredential_source = Environment\n"
        ),
        CALLER,
    );
    let e = env(vec![
        ("HOME", home.path().display().to_string()),
        ("AWS_REGION", "eu-west-1".into()),
        ("AWS_ENDPOINT_URL", t.url.clone()),
        ("AWS_ACCESS_KEY_ID", "AKIDSOURCEEXAMPLE".into()),
        ("AWS_SECRET_ACCESS_KEY", "source-secret".into()),
    ]);
    let c = ProfileProvider::named(Arc::clone(&e), "second")
        .provide_credentials()
        .await
        .unwrap();
    assert_temporary(&c, "AssumeRole", &t);
    // Two calls: the second signed with the first role's credentials (the double verifies
    // each signature against the caller it knows, so the order is checked too).
    if let Some(forms) = t.forms() {
        assert_eq!(forms.len(), 2);
    }
    let c = ProfileProvider::named(e, "from-env")
        .provide_credentials()
        .await
        .unwrap();
    assert_temporary(&c, "AssumeRole", &t);
}

#[tokio::test]
async fn assume_role_errors_carry_the_sts_code() {
    let t = Target::start().await;
    if t.double.is_none() {
        return; // moto lets any caller assume any role.
    }
    let home = home_with(
        "[profile nope]\nrole_arn = arn:aws:iam::123456789012:role/absent\nsource_profile = base\n\
         [profile forged]\nrole_arn = arn:aws:iam::123456789012:role/uploader\nsource_profile = forger\n",
        &format!(
            "{CALLER}[forger]\naws_access_key_id = AKIDSOURCEEXAMPLE\naws_secret_access_key = wrong-secret\n"
        ),
    );
    let e = env(vec![
        ("HOME", home.path().display().to_string()),
        ("AWS_REGION", "eu-west-1".into()),
        ("AWS_ENDPOINT_URL_STS", t.url.clone()),
    ]);
    let err = ProfileProvider::named(Arc::clone(&e), "nope")
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("HTTP 403: AccessDenied"), "{err}");
    let err = ProfileProvider::named(e, "forged")
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("SignatureDoesNotMatch"), "{err}");
    assert!(!err.to_string().contains("wrong-secret"));
}

#[tokio::test]
async fn web_identity_from_the_environment_and_from_a_profile() {
    let t = Target::start().await;
    let home = home_with("", "");
    let token = home.path().join("token");
    std::fs::write(&token, "eyJhbGciOiJSUzI1NiJ9.web-identity.sig\n").unwrap();
    let e = env(vec![
        ("AWS_WEB_IDENTITY_TOKEN_FILE", token.display().to_string()),
        ("AWS_ROLE_ARN", ROLE.into()),
        ("AWS_ROLE_SESSION_NAME", "pod-7".into()),
        ("AWS_REGION", "eu-west-1".into()),
        ("AWS_ENDPOINT_URL_STS", t.url.clone()),
    ]);
    let c = WebIdentityProvider::from_env(e)
        .provide_credentials()
        .await
        .unwrap();
    assert_temporary(&c, "AssumeRoleWithWebIdentity", &t);
    if let Some(forms) = t.forms() {
        assert_eq!(
            forms[0]["WebIdentityToken"],
            "eyJhbGciOiJSUzI1NiJ9.web-identity.sig"
        );
        assert_eq!(forms[0]["RoleSessionName"], "pod-7");
    }

    std::fs::write(
        home.path().join(".aws/config"),
        format!(
            "[profile ci]\nrole_arn = {ROLE}\nweb_identity_token_file = {}\n",
            token.display()
        ),
    )
    .unwrap();
    let e = env(vec![
        ("HOME", home.path().display().to_string()),
        ("AWS_ENDPOINT_URL_STS", t.url.clone()),
    ]);
    let c = ProfileProvider::named(Arc::clone(&e), "ci")
        .provide_credentials()
        .await
        .unwrap();
    assert_temporary(&c, "AssumeRoleWithWebIdentity", &t);

    if t.double.is_some() {
        std::fs::write(&token, "forged-token").unwrap();
        let err = ProfileProvider::named(e, "ci")
            .provide_credentials()
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("InvalidIdentityToken") && !err.contains("forged-token"),
            "{err}"
        );
    }
    // Half configured: a clear error, not a silent skip.
    let e = env(vec![(
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        token.display().to_string(),
    )]);
    let err = WebIdentityProvider::from_env(e)
        .provide_credentials()
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("AWS_ROLE_ARN"), "{err}");
}
