//! `s3presign get` with each credentials source of the default chain, end to end: the
//! binary runs with a cleared environment and a temporary HOME, the sources' endpoints are
//! in-process doubles, and the printed URL is checked with the crate's verifier against the
//! credentials the source handed out (session token included).

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::doubles::in_secs;
use common::metadata::{self, Container, Imds};
use common::sts::{self, Portal, SSO_SESSION_TOKEN, Sts, issued_token};
use s3presign::verify::Verifier;
use s3presign::{AmzDate, Credentials};

const ROLE: &str = "arn:aws:iam::123456789012:role/uploader";

/// Runs `s3presign get s3://bucket/key --region eu-west-1` with only `env` (and HOME).
async fn get(home: &Path, env: Vec<(&'static str, String)>, extra: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_s3presign"));
    cmd.env_clear()
        .env("HOME", home)
        .args(["get", "s3://bucket/key", "--region", "eu-west-1"])
        .args(extra);
    for (k, v) in env {
        cmd.env(k, v);
    }
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

/// The URL printed, checked: it verifies with exactly these credentials.
fn verified_url(o: &Output, expected: Credentials) -> String {
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "stderr: {stderr}");
    let url = String::from_utf8(o.stdout.clone())
        .unwrap()
        .trim()
        .to_owned();
    let token = expected.session_token().unwrap().to_owned();
    assert!(
        url.contains(&format!("X-Amz-Security-Token={token}")),
        "{url}"
    );
    let verifier =
        Verifier::new(move |id: &str| (id == expected.access_key_id()).then(|| expected.clone()))
            .with_region("eu-west-1");
    verifier
        .verify_url("GET", &url, &[], AmzDate::now().unwrap())
        .unwrap_or_else(|e| panic!("{e}: {url}"));
    url
}

#[tokio::test(flavor = "multi_thread")]
async fn instance_metadata_only() {
    let (server, _) = metadata::imds(Imds::default()).await;
    let home = tempfile::tempdir().unwrap();
    let o = get(
        home.path(),
        vec![("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url())],
        &[],
    )
    .await;
    verified_url(
        &o,
        Credentials::new("ASIAIMDSEXAMPLE", "imds-secret").with_session_token("imds-session-token"),
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn region_from_instance_metadata_when_nothing_else_gives_one() {
    let (server, _) = metadata::imds(Imds {
        region: "ap-southeast-2".into(),
        ..Imds::default()
    })
    .await;
    let home = tempfile::tempdir().unwrap();
    let env = vec![("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url())];
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_s3presign"));
    cmd.env_clear()
        .env("HOME", home.path())
        .args(["get", "s3://bucket/key"]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "stderr: {stderr}");
    let url = String::from_utf8(o.stdout).unwrap();
    assert!(
        url.starts_with("https://bucket.s3.ap-southeast-2.amazonaws.com/key?")
            && url.contains("%2Fap-southeast-2%2Fs3%2Faws4_request"),
        "{url}"
    );

    // Metadata off and no region anywhere: the usual one-line error, status 2.
    let o = Command::new(env!("CARGO_BIN_EXE_s3presign"))
        .env_clear()
        .env("HOME", home.path())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .args(["get", "s3://bucket/key"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("missing region"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn container_full_uri_only() {
    let (server, _) = metadata::container(Container {
        authorization: Some("pod-identity-token".into()),
        ..Container::default()
    })
    .await;
    let home = tempfile::tempdir().unwrap();
    let env = vec![
        (
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            format!("{}/v2/credentials/task-1", server.url()),
        ),
        (
            "AWS_CONTAINER_AUTHORIZATION_TOKEN",
            "pod-identity-token".into(),
        ),
    ];
    let o = get(home.path(), env, &[]).await;
    verified_url(
        &o,
        Credentials::new("ASIACONTAINEREXAMPLE", "container-secret")
            .with_session_token("container-session-token"),
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn web_identity_variables_and_an_sts_endpoint() {
    let (server, _) = sts::sts(Sts::default()).await;
    let home = tempfile::tempdir().unwrap();
    let token = home.path().join("token");
    std::fs::write(&token, "eyJhbGciOiJSUzI1NiJ9.web-identity.sig").unwrap();
    let env = vec![
        ("AWS_WEB_IDENTITY_TOKEN_FILE", token.display().to_string()),
        ("AWS_ROLE_ARN", ROLE.into()),
        ("AWS_ENDPOINT_URL_STS", server.url()),
    ];
    let o = get(home.path(), env, &[]).await;
    let action = "AssumeRoleWithWebIdentity";
    verified_url(
        &o,
        Credentials::new(
            format!("ASIASTS{}", action.len()),
            format!("sts-secret-{action}"),
        )
        .with_session_token(issued_token(action)),
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_sso_cache_after_aws_sso_login() {
    use sha1::Digest;
    let (server, _) = sts::portal(Portal {
        access_token: "cached-access-token".into(),
        account_id: "123456789012".into(),
        role_name: "Developer".into(),
    })
    .await;
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".aws/sso/cache")).unwrap();
    std::fs::write(
        home.path().join(".aws/config"),
        "[default]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Developer\n\
         [sso-session corp]\nsso_start_url = https://d-123.awsapps.com/start\nsso_region = us-east-1\n",
    )
    .unwrap();
    let name = hex::encode(sha1::Sha1::digest(b"corp"));
    let cache =
        serde_json::json!({"accessToken": "cached-access-token", "expiresAt": in_secs(3600)});
    std::fs::write(
        home.path().join(format!(".aws/sso/cache/{name}.json")),
        cache.to_string(),
    )
    .unwrap();
    let o = get(
        home.path(),
        vec![("AWS_ENDPOINT_URL_SSO", server.url())],
        &[],
    )
    .await;
    verified_url(
        &o,
        Credentials::new("ASIASSOEXAMPLE", "sso-secret").with_session_token(SSO_SESSION_TOKEN),
    );
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn a_credential_process_profile() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let script = home.path().join("creds.sh");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho '{{\"Version\": 1, \"AccessKeyId\": \"ASIAPROCESS\", \"SecretAccessKey\": \"process-secret\", \"SessionToken\": \"process-token\", \"Expiration\": \"{}\"}}'\n",
            in_secs(3600)
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    std::fs::write(
        home.path().join(".aws/config"),
        format!(
            "[profile tools]\ncredential_process = {}\n",
            script.display()
        ),
    )
    .unwrap();
    let o = get(home.path(), vec![], &["--profile", "tools"]).await;
    verified_url(
        &o,
        Credentials::new("ASIAPROCESS", "process-secret").with_session_token("process-token"),
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn no_source_lists_what_was_tried() {
    let dead = common::doubles::dead_port().await;
    let home = tempfile::tempdir().unwrap();
    let o = get(
        home.path(),
        vec![(
            "AWS_EC2_METADATA_SERVICE_ENDPOINT",
            format!("http://{dead}"),
        )],
        &[],
    )
    .await;
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    for source in [
        "environment:",
        "web identity:",
        "profile \"default\":",
        "container:",
        "IMDS:",
    ] {
        assert!(err.contains(source), "{source} in {err}");
    }
}
