//! The `s3presign` binary takes its endpoint, addressing style and region from where AWS
//! tools read them: `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`, the config file's `services`
//! section and `endpoint_url`, the profile's `s3` `addressing_style`; `--endpoint-url`,
//! `--region` and `--path-style` still win. HOME is a temporary directory.

use std::process::{Command, Output};

const ID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const DATE: &str = "2013-05-24T00:00:00Z";

/// Runs `get s3://examplebucket/test.txt` with `extra` arguments, a HOME whose
/// `.aws/config` is `config`, and `env`.
fn get(extra: &[&str], config: &str, env: &[(&str, &str)]) -> Output {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir(home.path().join(".aws")).unwrap();
    std::fs::write(home.path().join(".aws/config"), config).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_s3presign"));
    cmd.env_clear()
        .env("HOME", home.path())
        .env("AWS_ACCESS_KEY_ID", ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET)
        .args(["get", "s3://examplebucket/test.txt", "--date", DATE])
        .args(extra);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn url(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::str::from_utf8(&o.stdout)
        .unwrap()
        .trim_end()
        .to_owned()
}

const SERVICES: &str = "\
[default]
region = eu-west-1
services = local

[profile r2]
region = auto
endpoint_url = https://account.r2.cloudflarestorage.com
s3 =
  addressing_style = path

[services local]
s3 =
  endpoint_url = http://127.0.0.1:9000
";

#[test]
fn aws_endpoint_url_s3_and_its_precedence() {
    let env = [
        ("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9000"),
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:9999"),
        ("AWS_REGION", "us-east-1"),
    ];
    let u = url(&get(&[], "", &env));
    assert!(
        u.starts_with("http://127.0.0.1:9000/examplebucket/test.txt?"),
        "{u}"
    );
    assert!(u.contains("%2Fus-east-1%2Fs3%2F"), "{u}");
    // AWS_ENDPOINT_URL alone.
    let u = url(&get(&[], "", &env[1..]));
    assert!(u.starts_with("http://127.0.0.1:9999/examplebucket/"), "{u}");
    // --endpoint-url and --region win.
    let u = url(&get(
        &[
            "--endpoint-url",
            "http://localhost:7000",
            "--region",
            "ap-south-1",
        ],
        "",
        &env,
    ));
    assert!(u.starts_with("http://localhost:7000/examplebucket/"), "{u}");
    assert!(u.contains("%2Fap-south-1%2Fs3%2F"), "{u}");
    // Ignored on request: Amazon S3.
    let mut ignore = env.to_vec();
    ignore.push(("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"));
    let u = url(&get(&[], "", &ignore));
    assert!(
        u.starts_with("https://examplebucket.s3.us-east-1.amazonaws.com/test.txt?"),
        "{u}"
    );
}

#[test]
fn the_config_files_services_section() {
    let u = url(&get(&[], SERVICES, &[]));
    assert!(
        u.starts_with("http://127.0.0.1:9000/examplebucket/test.txt?"),
        "{u}"
    );
    assert!(u.contains("%2Feu-west-1%2Fs3%2F"), "{u}");
    // The same signature as with the options given explicitly.
    let explicit = get(
        &[
            "--endpoint-url",
            "http://127.0.0.1:9000",
            "--region",
            "eu-west-1",
        ],
        "",
        &[],
    );
    assert_eq!(u, url(&explicit));
}

#[test]
fn a_profiles_endpoint_url_and_addressing_style() {
    // The profile from AWS_PROFILE (the credentials come from the environment).
    let u = url(&get(&[], SERVICES, &[("AWS_PROFILE", "r2")]));
    assert!(
        u.starts_with("https://account.r2.cloudflarestorage.com/examplebucket/test.txt?"),
        "{u}"
    );
    assert!(u.contains("%2Fauto%2Fs3%2F"), "{u}");
    // Without the path style the bucket would be in the host name.
    let u = url(&get(
        &["--endpoint-url", "https://account.r2.cloudflarestorage.com"],
        SERVICES,
        &[("AWS_REGION", "auto")],
    ));
    assert!(
        u.starts_with("https://examplebucket.account.r2.cloudflarestorage.com/test.txt?"),
        "{u}"
    );
}

#[test]
fn an_unusable_setting_is_a_one_line_error() {
    let o = get(
        &[],
        "[default]\nregion = eu-west-1\ns3 =\n  addressing_style = sideways\n",
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("addressing_style") && err.contains("sideways"),
        "{err}"
    );
    let o = get(
        &[],
        "",
        &[
            ("AWS_ENDPOINT_URL_S3", "127.0.0.1:9000"),
            ("AWS_REGION", "us-east-1"),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("AWS_ENDPOINT_URL_S3"), "{err}");
}
