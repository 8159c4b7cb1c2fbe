//! The credentials sources against in-process doubles of their endpoints (IMDSv2, the
//! container endpoint, the SSO portal) and real `credential_process` scripts.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::doubles::{dead_port, in_secs};
use common::metadata::{self, Container, Hits, Imds};
use common::sts::{Portal, SSO_SESSION_TOKEN, portal};
use s3presign::profile::Environment;
use s3presign::providers::{
    ContainerProvider, DefaultChain, ImdsProvider, ProcessProvider, ProfileProvider,
    ProvideCredentials, ProviderError, ProviderErrorKind, SharedEnv, region_from_imds,
};

fn env(pairs: &[(&str, &str)]) -> SharedEnv {
    Arc::new(Environment::from_pairs(pairs.iter().map(|(k, v)| (*k, *v))))
}

/// The error a provider answers with (the test fails if it gives credentials).
async fn refusal(provider: &impl ProvideCredentials) -> ProviderError {
    match provider.provide_credentials().await {
        Ok(_) => panic!("the provider gave credentials; expected an error"),
        Err(e) => e,
    }
}

#[tokio::test]
async fn imds_v2_gives_the_role_credentials_and_the_region() {
    let (server, hits) = metadata::imds(Imds::default()).await;
    let url = server.url();
    let e = env(&[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &url)]);
    let creds = ImdsProvider::new(Arc::clone(&e))
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(creds.access_key_id(), "ASIAIMDSEXAMPLE");
    assert_eq!(creds.session_token(), Some("imds-session-token"));
    let left = creds.expires_at().unwrap().unix_timestamp()
        - s3presign::AmzDate::now().unwrap().unix_timestamp();
    assert!((6 * 3600 - 60..=6 * 3600).contains(&left), "{left}");
    assert_eq!(region_from_imds(&e).await.unwrap(), "eu-west-1");
    // Every GET carried the session token the PUT returned.
    assert_eq!(Hits::get(&hits.unauthorized), 0);
    assert_eq!(Hits::get(&hits.credentials), 1);
    assert_eq!(Hits::get(&hits.tokens), 2);
}

#[tokio::test]
async fn imds_double_refuses_requests_without_its_token() {
    // The double is faithful: a GET without the session token is 401.
    let (server, hits) = metadata::imds(Imds::default()).await;
    let resp = reqwest::get(format!(
        "{}/latest/meta-data/iam/security-credentials/",
        server.url()
    ))
    .await
    .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    assert_eq!(Hits::get(&hits.unauthorized), 1);
}

#[tokio::test]
async fn imds_without_an_instance_profile_says_so() {
    let (server, _) = metadata::imds(Imds {
        role: None,
        ..Imds::default()
    })
    .await;
    let e = env(&[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &server.url())]);
    let err = refusal(&ImdsProvider::new(e)).await;
    assert_eq!(err.kind(), ProviderErrorKind::Failed);
    assert!(err.to_string().contains("HTTP 404"), "{err}");
    assert!(err.to_string().contains("instance profile"), "{err}");
}

#[tokio::test]
async fn imds_unknown_role_is_a_404_error() {
    let (server, hits) = metadata::imds(Imds {
        listed_role: Some("detached-role".into()),
        ..Imds::default()
    })
    .await;
    let e = env(&[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &server.url())]);
    let err = refusal(&ImdsProvider::new(e)).await;
    assert!(
        err.to_string()
            .contains("security-credentials/detached-role not found (HTTP 404)"),
        "{err}"
    );
    assert_eq!(Hits::get(&hits.credentials), 0);
}

#[tokio::test]
async fn imds_disabled_or_absent_is_skipped_quickly() {
    let e = env(&[("AWS_EC2_METADATA_DISABLED", "TRUE")]);
    let err = refusal(&ImdsProvider::new(e)).await;
    assert_eq!(err.kind(), ProviderErrorKind::NotConfigured);
    let dead = dead_port().await;
    let e = env(&[(
        "AWS_EC2_METADATA_SERVICE_ENDPOINT",
        &format!("http://{dead}"),
    )]);
    let started = Instant::now();
    let err = refusal(&ImdsProvider::new(e)).await;
    assert_eq!(err.kind(), ProviderErrorKind::NotConfigured, "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let e = env(&[("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv5")]);
    assert!(ImdsProvider::new(e).provide_credentials().await.is_err());
}

#[tokio::test]
async fn a_slow_imds_times_out_after_about_a_second_per_attempt() {
    let (server, hits) = metadata::imds(Imds {
        delay: Some(Duration::from_secs(5)),
        ..Imds::default()
    })
    .await;
    let e = env(&[("AWS_EC2_METADATA_SERVICE_ENDPOINT", &server.url())]);
    let started = Instant::now();
    let err = refusal(&ImdsProvider::new(e)).await;
    let took = started.elapsed();
    assert!(err.to_string().contains("timed out"), "{err}");
    // Two attempts of one second each, plus a short pause.
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(4),
        "{took:?}"
    );
    assert_eq!(Hits::get(&hits.credentials), 0);
}

#[tokio::test]
async fn container_full_uri_with_a_token_or_a_token_file() {
    let (server, hits) = metadata::container(Container {
        authorization: Some("Basic cG9kLWlkZW50aXR5".into()),
        ..Container::default()
    })
    .await;
    let uri = format!("{}/v2/credentials/task-1", server.url());
    let e = env(&[
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri),
        (
            "AWS_CONTAINER_AUTHORIZATION_TOKEN",
            "Basic cG9kLWlkZW50aXR5",
        ),
    ]);
    let creds = ContainerProvider::new(e)
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(creds.session_token(), Some("container-session-token"));
    assert!(creds.expires_at().is_some());

    // EKS Pod Identity: the token file wins over the variable and is read each time.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token");
    std::fs::write(&file, "Basic cG9kLWlkZW50aXR5\n").unwrap();
    let e = env(&[
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", &uri),
        (
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
            file.to_str().unwrap(),
        ),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong"),
    ]);
    let p = ContainerProvider::new(e);
    assert!(p.provide_credentials().await.is_ok());
    std::fs::write(&file, "Basic rotated-away").unwrap();
    let err = p.provide_credentials().await.unwrap_err();
    assert!(err.to_string().contains("HTTP 401"), "{err}");
    assert!(!err.to_string().contains("rotated-away"), "{err}");
    assert_eq!(Hits::get(&hits.credentials), 2);
    assert_eq!(Hits::get(&hits.unauthorized), 1);
}

#[tokio::test]
async fn container_full_uri_to_other_hosts_is_refused_before_any_request() {
    let e = env(&[(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "http://192.0.2.10/creds",
    )]);
    let err = refusal(&ContainerProvider::new(e)).await;
    assert_eq!(err.kind(), ProviderErrorKind::Failed);
    assert!(err.to_string().contains("loopback"), "{err}");
    let err = refusal(&ContainerProvider::new(env(&[]))).await;
    assert_eq!(err.kind(), ProviderErrorKind::NotConfigured);
}

fn script(dir: &Path, name: &str, body: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    path.to_str().unwrap().to_owned()
}

#[cfg(unix)]
#[tokio::test]
async fn credential_process_scripts() {
    let dir = tempfile::tempdir().unwrap();
    let ok = script(
        dir.path(),
        "ok.sh",
        &format!(
            "echo '{{\"Version\": 1, \"AccessKeyId\": \"ASIAPROC\", \"SecretAccessKey\": \"proc-secret\", \"SessionToken\": \"proc-token\", \"Expiration\": \"{}\"}}'",
            in_secs(900)
        ),
    );
    let c = ProcessProvider::new(format!("{ok} --role x"))
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(
        (c.access_key_id(), c.session_token()),
        ("ASIAPROC", Some("proc-token"))
    );
    assert!(c.expires_at().is_some());

    let bad = script(
        dir.path(),
        "bad.sh",
        "echo '{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"leak-me'",
    );
    let e = refusal(&ProcessProvider::new(bad)).await.to_string();
    assert!(
        e.contains("not the documented JSON") && !e.contains("leak-me"),
        "{e}"
    );

    let fail = script(dir.path(), "fail.sh", "echo 'secret stuff'; exit 3");
    let e = refusal(&ProcessProvider::new(fail)).await.to_string();
    assert!(
        e.contains("exited with status 3") && !e.contains("secret stuff"),
        "{e}"
    );

    let expired = script(
        dir.path(),
        "expired.sh",
        &format!(
            "echo '{{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s\", \"Expiration\": \"{}\"}}'",
            in_secs(-60)
        ),
    );
    let e = refusal(&ProcessProvider::new(expired)).await.to_string();
    assert!(e.contains("expired at"), "{e}");

    let slow = script(dir.path(), "slow.sh", "sleep 5");
    let started = Instant::now();
    let e = refusal(&ProcessProvider::new(slow).timeout(Duration::from_millis(300)))
        .await
        .to_string();
    assert!(e.contains("ran longer than"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(3));

    let big = script(
        dir.path(),
        "big.sh",
        "head -c 200000 /dev/zero | tr '\\0' 'x'",
    );
    let e = refusal(&ProcessProvider::new(big)).await.to_string();
    assert!(e.contains("larger than"), "{e}");
}

/// A HOME with `~/.aws/config` holding `config`.
fn home_with(config: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".aws/sso/cache")).unwrap();
    std::fs::write(home.path().join(".aws/config"), config).unwrap();
    home
}

fn sso_cache(home: &Path, key: &str, token: &str, expires_at: &str) {
    use sha1::Digest;
    let name = hex::encode(sha1::Sha1::digest(key.as_bytes()));
    let doc = serde_json::json!({
        "startUrl": "https://d-123.awsapps.com/start",
        "region": "us-east-1",
        "accessToken": token,
        "expiresAt": expires_at,
    });
    std::fs::write(
        home.join(format!(".aws/sso/cache/{name}.json")),
        doc.to_string(),
    )
    .unwrap();
}

#[tokio::test]
async fn sso_session_profile_reads_the_cache_and_calls_the_portal() {
    let (server, calls) = portal(Portal {
        access_token: "cached-access-token".into(),
        account_id: "123456789012".into(),
        role_name: "Developer".into(),
    })
    .await;
    let home = home_with(
        "[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Developer\n\
         [sso-session corp]\nsso_start_url = https://d-123.awsapps.com/start\nsso_region = us-east-1\n\
         [profile legacy]\nsso_start_url = https://d-123.awsapps.com/start\nsso_region = us-east-1\n\
         sso_account_id = 123456789012\nsso_role_name = Developer\n",
    );
    let h = home.path().to_str().unwrap();
    let url = server.url();
    let e = env(&[("HOME", h), ("AWS_ENDPOINT_URL_SSO", &url)]);
    sso_cache(home.path(), "corp", "cached-access-token", &in_secs(3600));
    let c = ProfileProvider::named(Arc::clone(&e), "dev")
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(c.session_token(), Some(SSO_SESSION_TOKEN));
    assert!(c.expires_at().is_some());

    // The legacy keys name the cache file by the start URL.
    let err = ProfileProvider::named(Arc::clone(&e), "legacy")
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("run aws sso login"), "{err}");
    sso_cache(
        home.path(),
        "https://d-123.awsapps.com/start",
        "cached-access-token",
        &in_secs(3600),
    );
    assert!(
        ProfileProvider::named(Arc::clone(&e), "legacy")
            .provide_credentials()
            .await
            .is_ok()
    );

    // A token the portal does not know, then an expired one.
    sso_cache(home.path(), "corp", "revoked-token", &in_secs(3600));
    let err = ProfileProvider::named(Arc::clone(&e), "dev")
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("HTTP 401") && !err.to_string().contains("revoked-token"),
        "{err}"
    );
    sso_cache(home.path(), "corp", "cached-access-token", &in_secs(-10));
    let before = calls.load(std::sync::atomic::Ordering::SeqCst);
    let err = ProfileProvider::named(e, "dev")
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("expired at")
            && err.to_string().contains("aws sso login --sso-session corp"),
        "{err}"
    );
    assert_eq!(
        calls.load(std::sync::atomic::Ordering::SeqCst),
        before,
        "no call with an expired token"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn profiles_static_process_and_their_errors() {
    let dir = tempfile::tempdir().unwrap();
    let ok = script(
        dir.path(),
        "ok.sh",
        "echo '{\"Version\": 1, \"AccessKeyId\": \"AKIAPROC\", \"SecretAccessKey\": \"s\"}'",
    );
    let home = home_with(&format!(
        "[default]\nregion = eu-west-1\n[profile proc]\ncredential_process = {ok}\n\
         [profile keys]\naws_access_key_id = AKIAKEYS\naws_secret_access_key = s\naws_session_token = tok\n\
         [profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n\
         [profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = a\n\
         [profile mfa]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = keys\nmfa_serial = arn:aws:iam::1:mfa/me\n\
         [profile orphan]\nrole_arn = arn:aws:iam::1:role/a\n\
         [profile dangling]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = nowhere\n"
    ));
    let e = env(&[("HOME", home.path().to_str().unwrap())]);
    let get = |p: &str| ProfileProvider::named(Arc::clone(&e), p);
    assert_eq!(
        get("proc")
            .provide_credentials()
            .await
            .unwrap()
            .access_key_id(),
        "AKIAPROC"
    );
    assert_eq!(
        get("keys")
            .provide_credentials()
            .await
            .unwrap()
            .session_token(),
        Some("tok")
    );
    let err = get("a")
        .provide_credentials()
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("source_profile loop: a -> b -> a"), "{err}");
    let err = get("mfa")
        .provide_credentials()
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("mfa_serial"), "{err}");
    let err = get("orphan")
        .provide_credentials()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("source_profile, credential_source or web_identity_token_file"),
        "{err}"
    );
    let err = get("dangling")
        .provide_credentials()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("\"nowhere\"") && err.contains("does not exist"),
        "{err}"
    );
    let err = get("missing").provide_credentials().await.unwrap_err();
    assert_eq!(err.kind(), ProviderErrorKind::Failed);
    // The default profile has only a region: not configured, so the chain moves on.
    let err = refusal(&ProfileProvider::new(Arc::clone(&e))).await;
    assert_eq!(err.kind(), ProviderErrorKind::NotConfigured, "{err}");
}

#[tokio::test]
async fn the_chain_lists_what_it_tried_and_stops_at_the_first_configured_source() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path().to_str().unwrap();
    let dead = format!("http://{}", dead_port().await);
    let err = DefaultChain::new(env(&[
        ("HOME", h),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &dead),
    ]))
    .provide_credentials()
    .await
    .unwrap_err();
    let text = err.to_string();
    for source in [
        "environment:",
        "web identity:",
        "profile \"default\":",
        "container:",
        "IMDS:",
    ] {
        assert!(text.contains(source), "{source} in {text}");
    }

    // The environment comes first.
    let (server, hits) = metadata::imds(Imds::default()).await;
    let e = env(&[
        ("HOME", h),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &server.url()),
        ("AWS_ACCESS_KEY_ID", "AKIAENV"),
        ("AWS_SECRET_ACCESS_KEY", "s"),
    ]);
    let c = DefaultChain::new(e).provide_credentials().await.unwrap();
    assert_eq!(c.access_key_id(), "AKIAENV");
    assert_eq!(Hits::get(&hits.tokens), 0);

    // Without it, IMDS.
    let e = env(&[
        ("HOME", h),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &server.url()),
    ]);
    let c = DefaultChain::new(e).provide_credentials().await.unwrap();
    assert_eq!(c.access_key_id(), "ASIAIMDSEXAMPLE");

    // A configured source that fails stops the chain (IMDS is not asked).
    let e = env(&[
        ("HOME", h),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &server.url()),
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://192.0.2.1/x"),
    ]);
    let err = DefaultChain::new(e)
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(err.source_name(), "container");
    assert!(
        err.to_string().contains("skipped before it: environment"),
        "{err}"
    );
    assert_eq!(Hits::get(&hits.credentials), 1);
}

#[tokio::test]
async fn environment_credentials_with_expiry_and_their_errors() {
    use s3presign::providers::EnvironmentProvider;
    let ok = env(&[
        ("AWS_ACCESS_KEY_ID", "ASIAENV"),
        ("AWS_SECRET_ACCESS_KEY", "env-secret"),
        ("AWS_SESSION_TOKEN", "env-token"),
        ("AWS_SECURITY_TOKEN", "legacy-token"),
        ("AWS_CREDENTIAL_EXPIRATION", "2026-12-01T13:00:00.000Z"),
    ]);
    let c = EnvironmentProvider::new(ok)
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(
        c.session_token(),
        Some("env-token"),
        "AWS_SESSION_TOKEN wins"
    );
    assert_eq!(c.expires_at().unwrap().as_str(), "20261201T130000Z");
    let bad = env(&[
        ("AWS_ACCESS_KEY_ID", "ASIAENV"),
        ("AWS_SECRET_ACCESS_KEY", "env-secret"),
        ("AWS_CREDENTIAL_EXPIRATION", "tomorrow"),
    ]);
    let err = refusal(&EnvironmentProvider::new(bad)).await;
    assert_eq!(err.kind(), ProviderErrorKind::Failed);
    assert!(
        err.to_string().contains("AWS_CREDENTIAL_EXPIRATION"),
        "{err}"
    );
    let half = env(&[("AWS_ACCESS_KEY_ID", "ASIAENV")]);
    let err = refusal(&EnvironmentProvider::new(half)).await;
    assert_eq!(err.kind(), ProviderErrorKind::Failed);
    assert!(err.to_string().contains("AWS_SECRET_ACCESS_KEY"), "{err}");
    let none = refusal(&EnvironmentProvider::new(env(&[]))).await;
    assert_eq!(none.kind(), ProviderErrorKind::NotConfigured);
}
