//! The `s3presign` binary with temporary credentials (`AWS_CREDENTIAL_EXPIRATION`): a URL or
//! form asked to outlive them is cut to their expiry, with a one-line warning on stderr;
//! stdout carries the result as usual. The child's environment is set explicitly.

use std::process::{Command, Output};

const ID: &str = "ASIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "FQoGZXIvYXdzEXAMPLESESSIONTOKEN";
const DATE: &str = "2026-12-01T12:00:00Z";
/// 900 s after DATE.
const CREDS_END: &str = "2026-12-01T12:15:00Z";

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_s3presign"));
    cmd.env_clear().env("HOME", home.path()).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn creds(expiration: Option<&'static str>) -> Vec<(&'static str, &'static str)> {
    let mut env = vec![
        ("AWS_ACCESS_KEY_ID", ID),
        ("AWS_SECRET_ACCESS_KEY", SECRET),
        ("AWS_SESSION_TOKEN", TOKEN),
        ("AWS_REGION", "eu-west-1"),
    ];
    if let Some(at) = expiration {
        env.push(("AWS_CREDENTIAL_EXPIRATION", at));
    }
    env
}

fn stdout(o: &Output) -> &str {
    std::str::from_utf8(&o.stdout).unwrap()
}

fn stderr(o: &Output) -> &str {
    std::str::from_utf8(&o.stderr).unwrap()
}

fn get(expires_in: &str, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let mut args = vec![
        "get",
        "s3://examplebucket/report.pdf",
        "--expires-in",
        expires_in,
        "--date",
        DATE,
    ];
    args.extend_from_slice(extra);
    run(&args, env)
}

#[test]
fn a_long_expiry_is_cut_to_the_credentials_with_a_warning() {
    let o = get("3600", &[], &creds(Some(CREDS_END)));
    assert!(o.status.success(), "{}", stderr(&o));
    // The URL is the one a 900 s request gives with the same credentials.
    let expected = get("900", &[], &creds(None));
    assert!(expected.status.success(), "{}", stderr(&expected));
    assert_eq!(stdout(&o), stdout(&expected));
    assert!(stdout(&o).contains("&X-Amz-Expires=900&"), "{}", stdout(&o));
    assert_eq!(stderr(&expected), "");

    let warning = stderr(&o);
    assert_eq!(warning.lines().count(), 1, "{warning}");
    assert!(warning.starts_with("warning: "), "{warning}");
    for part in ["900 s", "3600 s", CREDS_END, "credentials"] {
        assert!(warning.contains(part), "{part}: {warning}");
    }
    assert!(!warning.contains(SECRET) && !warning.contains(TOKEN));
}

#[test]
fn json_output_gives_the_real_expiry() {
    let o = get("3600", &["--json"], &creds(Some(CREDS_END)));
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o)).unwrap();
    assert_eq!(v["expires_at"], CREDS_END);
    assert!(v["url"].as_str().unwrap().contains("X-Amz-Expires=900&"));
    assert!(stderr(&o).starts_with("warning: "), "{}", stderr(&o));
}

#[test]
fn no_warning_when_the_credentials_outlive_the_url() {
    for (secs, expiration) in [
        ("900", Some(CREDS_END)),
        ("600", Some(CREDS_END)),
        ("3600", None),
    ] {
        let o = get(secs, &[], &creds(expiration));
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(stderr(&o), "", "{secs} {expiration:?}");
        assert!(stdout(&o).contains(&format!("&X-Amz-Expires={secs}&")));
    }
}

#[test]
fn put_and_post_warn_too() {
    let o = run(
        &[
            "put",
            "s3://examplebucket/up.bin",
            "--expires-in",
            "7200",
            "--date",
            DATE,
        ],
        &creds(Some(CREDS_END)),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("&X-Amz-Expires=900&"));
    assert!(stderr(&o).contains("7200 s"), "{}", stderr(&o));

    let o = run(
        &[
            "post",
            "s3://examplebucket/uploads/",
            "--expires-in",
            "3600",
            "--date",
            DATE,
            "--json",
        ],
        &creds(Some(CREDS_END)),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let warning = stderr(&o);
    assert!(
        warning.starts_with("warning: the form expires in 900 s"),
        "{warning}"
    );
    let v: serde_json::Value = serde_json::from_str(stdout(&o)).unwrap();
    let policy = v["fields"]["policy"].as_str().unwrap();
    use base64::Engine as _;
    let json = base64::engine::general_purpose::STANDARD
        .decode(policy)
        .unwrap();
    assert!(
        String::from_utf8(json)
            .unwrap()
            .contains(&format!("\"expiration\": \"{CREDS_END}\"")),
    );
}

#[test]
fn expired_credentials_are_an_error() {
    let o = get("60", &[], &creds(Some("2026-12-01T11:00:00Z")));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(stdout(&o), "");
    let err = stderr(&o);
    assert!(
        err.starts_with("error: the credentials expired at 2026-12-01T11:00:00Z"),
        "{err}"
    );
    assert!(err.contains("refresh"), "{err}");
}

#[test]
fn an_unreadable_expiration_is_an_error() {
    let o = get("60", &[], &creds(Some("next tuesday")));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("AWS_CREDENTIAL_EXPIRATION") && err.contains("RFC 3339"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}
