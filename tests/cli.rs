//! The `s3presign` binary, run as a user would (the process environment of the child is
//! set explicitly; the test process's own environment is never changed).

use std::process::{Command, Output};

const ID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "FQoGZXIvYXdzEXAMPLESESSIONTOKEN";
/// The AWS S3 documentation's presigned GET example.
const DOC_SIGNATURE: &str = "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

/// Runs the binary with a clean environment plus `env`.
fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_s3presign"));
    cmd.env_clear().env("HOME", home.path()).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn creds() -> Vec<(&'static str, &'static str)> {
    vec![("AWS_ACCESS_KEY_ID", ID), ("AWS_SECRET_ACCESS_KEY", SECRET)]
}

fn stdout(o: &Output) -> &str {
    std::str::from_utf8(&o.stdout).unwrap()
}

fn stderr(o: &Output) -> &str {
    std::str::from_utf8(&o.stderr).unwrap()
}

#[test]
fn done_when_example() {
    let o = run(
        &[
            "get",
            "s3://examplebucket/test.txt",
            "--region",
            "us-east-1",
            "--endpoint-url",
            "https://s3.amazonaws.com",
            "--expires-in",
            "86400",
            "--date",
            "2013-05-24T00:00:00Z",
        ],
        &creds(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
    assert_eq!(
        stdout(&o),
        "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256\
         &X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request\
         &X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\
         &X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404\n"
    );
    // The compact date form, the region from the environment: the same URL.
    let mut env = creds();
    env.push(("AWS_DEFAULT_REGION", "us-east-1"));
    let o2 = run(
        &[
            "get",
            "s3://examplebucket/test.txt",
            "--endpoint-url",
            "https://s3.amazonaws.com",
            "--expires-in",
            "86400",
            "--date",
            "20130524T000000Z",
        ],
        &env,
    );
    assert_eq!(stdout(&o2), stdout(&o));
}

#[test]
fn credentials_and_region_from_a_profile() {
    let dir = tempfile::tempdir().unwrap();
    let creds = dir.path().join("credentials");
    let config = dir.path().join("config");
    std::fs::write(
        &creds,
        format!("[docs]\naws_access_key_id = {ID}\naws_secret_access_key = {SECRET}\n"),
    )
    .unwrap();
    std::fs::write(&config, "[profile docs]\nregion = us-east-1\n").unwrap();
    let files = [
        ("AWS_SHARED_CREDENTIALS_FILE", creds.to_str().unwrap()),
        ("AWS_CONFIG_FILE", config.to_str().unwrap()),
    ];
    let args = [
        "get",
        "s3://examplebucket/test.txt",
        "--endpoint-url",
        "https://s3.amazonaws.com",
        "--expires-in",
        "86400",
        "--date",
        "2013-05-24T00:00:00Z",
    ];
    let with = |extra: &[&str], env: &[(&str, &str)]| {
        let mut a = args.to_vec();
        a.extend_from_slice(extra);
        run(&a, env)
    };
    let o = with(&["--profile", "docs"], &files);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).ends_with(&format!("X-Amz-Signature={DOC_SIGNATURE}\n")));
    let mut env = files.to_vec();
    env.push(("AWS_PROFILE", "docs"));
    let o = with(&[], &env);
    assert!(
        stdout(&o).ends_with(&format!("X-Amz-Signature={DOC_SIGNATURE}\n")),
        "{}",
        stderr(&o)
    );
    // A profile that does not exist: exit 2, the profile named.
    let o = with(&["--profile", "nope"], &files);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("\"nope\""), "{}", stderr(&o));
}

#[test]
fn json_output() {
    let o = run(
        &[
            "get",
            "s3://examplebucket/test.txt",
            "--region",
            "us-east-1",
            "--endpoint-url",
            "https://s3.amazonaws.com",
            "--expires-in",
            "86400",
            "--date",
            "2013-05-24T00:00:00Z",
            "--json",
        ],
        &creds(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o)).unwrap();
    assert_eq!(v["method"], "GET");
    assert!(v["url"].as_str().unwrap().ends_with(DOC_SIGNATURE));
    assert_eq!(v["headers"], serde_json::json!({}));
    assert_eq!(v["expires_at"], "2013-05-25T00:00:00Z");
    let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys.len(), 4);
}

/// The tutorial's upload: PUT uploads/user-uploads/<file>, video/mp4, 60 s. The expected
/// signature is not hard-coded: it is recomputed through the library, which is itself
/// pinned to AWS's published vectors elsewhere.
#[test]
fn put_with_content_type() {
    use s3presign::s3::{Bucket, ContentTypeMode, Endpoint};
    use s3presign::{AmzDate, Credentials, Signer};

    let key = "uploads/user-uploads/my clip+1.mp4";
    let target = format!("s3://examplebucket/{key}");
    let base = [
        "put",
        target.as_str(),
        "--region",
        "eu-west-1",
        "--content-type",
        "video/mp4",
        "--expires-in",
        "60",
        "--date",
        "20240101T120000Z",
        "--json",
    ];
    let o = run(&base, &creds());
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o)).unwrap();
    assert_eq!(v["method"], "PUT");
    assert_eq!(
        v["headers"],
        serde_json::json!({"content-type": "video/mp4"})
    );
    assert_eq!(v["expires_at"], "2024-01-01T12:01:00Z");
    let url = v["url"].as_str().unwrap();
    assert!(url.starts_with(
        "https://examplebucket.s3.eu-west-1.amazonaws.com/uploads/user-uploads/my%20clip%2B1.mp4?"
    ));
    assert!(
        url.contains("X-Amz-SignedHeaders=content-type%3Bhost&"),
        "{url}"
    );

    let signer = Signer::new(Credentials::new(ID, SECRET)).unwrap();
    let bucket = Bucket::new(&Endpoint::aws("eu-west-1").unwrap(), "examplebucket").unwrap();
    let now = AmzDate::parse("20240101T120000Z").unwrap();
    let expected = bucket
        .put_object(key)
        .content_type("video/mp4")
        .expires_in(60)
        .sign_url(&signer, now)
        .unwrap();
    assert_eq!(url, expected);

    // Unsigned content type: still listed, not signed.
    let mut args = base.to_vec();
    args.push("--unsigned-content-type");
    let o = run(&args, &creds());
    let v: serde_json::Value = serde_json::from_str(stdout(&o)).unwrap();
    assert_eq!(
        v["headers"],
        serde_json::json!({"content-type": "video/mp4"})
    );
    let expected = bucket
        .put_object(key)
        .content_type("video/mp4")
        .content_type_mode(ContentTypeMode::Unsigned)
        .expires_in(60)
        .sign_url(&signer, now)
        .unwrap();
    assert_eq!(v["url"], expected.as_str());
    assert!(expected.contains("X-Amz-SignedHeaders=host&"));
}

#[test]
fn every_option_reaches_the_signature() {
    use s3presign::s3::{AddressingStyle, Bucket, Endpoint};
    use s3presign::{AmzDate, Credentials, Signer};

    let key = "//a/./b/../c d&e=f?g#h%i~j+ü";
    let target = format!("s3://my.bucket/{key}");
    let mut env = creds();
    env.push(("AWS_SESSION_TOKEN", TOKEN));
    let o = run(
        &[
            "get",
            &target,
            "--region",
            "us-west-2",
            "--endpoint-url",
            "http://127.0.0.1:9000/base",
            "--path-style",
            "--header",
            "x-amz-meta-Owner:  Ann  ",
            "--header",
            "Cache-Control: no-cache",
            "--query",
            "partNumber=1",
            "--query",
            "x-id=GetObject",
            "--response-content-disposition",
            "attachment; filename=\"r.pdf\"",
            "--response-content-type",
            "application/pdf",
            "--version-id",
            "3/L4kqtJl40Nr8X8gdRQBpUMLUo",
            "--date",
            "2024-02-29T23:59:59Z",
            "--expires-in",
            "604800",
        ],
        &env,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let signer = Signer::new(Credentials::new(ID, SECRET).with_session_token(TOKEN)).unwrap();
    let endpoint = Endpoint::custom("http://127.0.0.1:9000/base", "us-west-2")
        .unwrap()
        .with_addressing_style(AddressingStyle::Path);
    let bucket = Bucket::new(&endpoint, "my.bucket").unwrap();
    let expected = bucket
        .get_object(key)
        .header("x-amz-meta-owner", "Ann")
        .header("cache-control", "no-cache")
        .query("partNumber", "1")
        .query("x-id", "GetObject")
        .response_content_disposition("attachment; filename=\"r.pdf\"")
        .response_content_type("application/pdf")
        .version_id("3/L4kqtJl40Nr8X8gdRQBpUMLUo")
        .expires_in(604800)
        .sign_url(&signer, AmzDate::parse("20240229T235959Z").unwrap())
        .unwrap();
    assert_eq!(stdout(&o), format!("{expected}\n"));
    // The key went out raw: no normalisation of `//`, `.` or `..`.
    assert!(expected.starts_with(
        "http://127.0.0.1:9000/base/my.bucket///a/./b/../c%20d%26e%3Df%3Fg%23h%25i~j%2B%C3%BC?"
    ));
}

#[test]
fn bad_input_exits_2_with_one_line() {
    let cases: &[&[&str]] = &[
        &["get", "examplebucket/test.txt", "--region", "us-east-1"],
        &["get", "s3://examplebucket", "--region", "us-east-1"],
        &["get", "s3://examplebucket/", "--region", "us-east-1"],
        &["get", "s3://bad!bucket/k", "--region", "us-east-1"],
        &[
            "get",
            "s3://examplebucket/k",
            "--region",
            "us-east-1",
            "--expires-in",
            "604801",
        ],
        &[
            "get",
            "s3://examplebucket/k",
            "--region",
            "us-east-1",
            "--expires-in",
            "0",
        ],
        &["get", "s3://examplebucket/k", "--region", "US EAST"],
        &[
            "get",
            "s3://examplebucket/k",
            "--region",
            "us-east-1",
            "--date",
            "2013-13-01T00:00:00Z",
        ],
        &[
            "get",
            "s3://examplebucket/k",
            "--region",
            "us-east-1",
            "--endpoint-url",
            "ftp://x",
        ],
        &[
            "get",
            "s3://examplebucket/k",
            "--region",
            "us-east-1",
            "--header",
            "nocolon",
        ],
        &[
            "get",
            "s3://examplebucket/k",
            "--region",
            "us-east-1",
            "--header",
            "x-amz-meta-a: a\rb",
        ],
        &[
            "get",
            "s3://examplebucket/k",
            "--region",
            "us-east-1",
            "--query",
            "X-Amz-Signature=1",
        ],
        &[
            "put",
            "s3://examplebucket/k",
            "--region",
            "us-east-1",
            "--response-content-type",
            "a/b",
        ],
    ];
    for args in cases {
        let o = run(args, &creds());
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(stdout(&o), "", "{args:?}");
        assert!(
            err.starts_with("error: ") && err.ends_with('\n'),
            "{args:?}: {err:?}"
        );
        assert_eq!(err.lines().count(), 1, "{args:?}: {err:?}");
    }
    // A key over 1024 bytes.
    let long = format!("s3://examplebucket/{}", "k".repeat(1025));
    let o = run(&["get", &long, "--region", "us-east-1"], &creds());
    assert_eq!(o.status.code(), Some(2));
    // No credentials anywhere, no region anywhere.
    let o = run(
        &["get", "s3://examplebucket/k", "--region", "us-east-1"],
        &[],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("credentials"), "{}", stderr(&o));
    let o = run(&["get", "s3://examplebucket/k"], &creds());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("region"), "{}", stderr(&o));
    // clap's own usage errors exit 2 as well.
    for args in [
        &["frobnicate", "s3://b/k"][..],
        &["get"],
        &["get", "s3://examplebucket/k", "--expires-in", "soon"],
        &["get", "s3://examplebucket/k", "--unsigned-content-type"],
    ] {
        assert_eq!(run(args, &creds()).status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn secrets_never_reach_stderr() {
    let mut env = creds();
    env.push(("AWS_SESSION_TOKEN", TOKEN));
    let cases: &[&[&str]] = &[
        &[
            "get",
            "s3://examplebucket/k",
            "--region",
            "us-east-1",
            "--expires-in",
            "0",
        ],
        &[
            "get",
            "s3://examplebucket/k",
            "--region",
            "us-east-1",
            "--date",
            "bad",
        ],
        &[
            "get",
            "s3://examplebucket/k",
            "--region",
            "us-east-1",
            "--header",
            "Authorization: x",
        ],
        &[
            "get",
            "s3://examplebucket/k",
            "--region",
            "us-east-1",
            "--profile",
            "missing",
        ],
        &[
            "get",
            "s3://examplebucket/k",
            "--region",
            "us-east-1",
            "--json",
        ],
        &["get", "s3://examplebucket/k", "--region", "us-east-1"],
    ];
    for args in cases {
        let o = run(args, &env);
        let err = stderr(&o);
        assert!(
            !err.contains(SECRET) && !err.contains("wJalr"),
            "{args:?}: {err}"
        );
        assert!(!err.contains(TOKEN), "{args:?}: {err}");
    }
    // An invalid session token is rejected without being echoed.
    let bad_token = "FQoG secret token with spaces";
    let o = run(
        &["get", "s3://examplebucket/k", "--region", "us-east-1"],
        &[
            ("AWS_ACCESS_KEY_ID", ID),
            ("AWS_SECRET_ACCESS_KEY", SECRET),
            ("AWS_SESSION_TOKEN", bad_token),
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(!stderr(&o).contains(bad_token) && !stderr(&o).contains(SECRET));
    // A profile file with the secret on a malformed line: the line number, not the text.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credentials");
    std::fs::write(
        &file,
        format!("[default]\naws_access_key_id = {ID}\n{SECRET}\n"),
    )
    .unwrap();
    let o = run(
        &["get", "s3://examplebucket/k", "--region", "us-east-1"],
        &[("AWS_SHARED_CREDENTIALS_FILE", file.to_str().unwrap())],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("line 3"), "{}", stderr(&o));
    assert!(!stderr(&o).contains(SECRET));
}

#[test]
fn legacy_bucket_names_are_signed_in_the_path_like_botocore() {
    // botocore 1.43.11, generate_presigned_url("get_object", ExpiresIn=600) at
    // 2026-11-25T12:00:00Z, region us-east-1 (tests/cli.rs's ID and SECRET).
    let cases = [
        (
            "s3://Upper_Case_Bucket/k.txt",
            "https://s3.amazonaws.com",
            "https://s3.amazonaws.com/Upper_Case_Bucket/k.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256\
             &X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261125%2Fus-east-1%2Fs3%2Faws4_request\
             &X-Amz-Date=20261125T120000Z&X-Amz-Expires=600&X-Amz-SignedHeaders=host\
             &X-Amz-Signature=c40421191b59213020a6bc46ea724ac3fe07e314b7c7b9eb546a03421ee51529\n",
        ),
        (
            "s3://under_score/k.txt",
            "https://minio.example.com",
            "https://minio.example.com/under_score/k.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256\
             &X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261125%2Fus-east-1%2Fs3%2Faws4_request\
             &X-Amz-Date=20261125T120000Z&X-Amz-Expires=600&X-Amz-SignedHeaders=host\
             &X-Amz-Signature=f3deecaa9237d9a56f8bfb965e515012e3a2f6e24407ad3cf4d83abc0a877d12\n",
        ),
    ];
    for (target, endpoint, botocore) in cases {
        let o = run(
            &[
                "get",
                target,
                "--region",
                "us-east-1",
                "--endpoint-url",
                endpoint,
                "--expires-in",
                "600",
                "--date",
                "2026-11-25T12:00:00Z",
            ],
            &creds(),
        );
        assert!(o.status.success(), "{target}: {}", stderr(&o));
        assert_eq!(stdout(&o), botocore, "{target}");
    }
    // The library keeps strict names by default.
    let strict = s3presign::s3::Endpoint::aws("us-east-1").unwrap();
    assert!(s3presign::s3::Bucket::new(&strict, "Upper_Case_Bucket").is_err());
}

#[test]
fn argument_parser_errors_are_one_line_with_status_2() {
    let cases: &[&[&str]] = &[
        &["get", "s3://examplebucket/k", "--expires-in=-1"],
        &["get", "s3://examplebucket/k", "--expires", "600"],
        &["put", "s3://examplebucket/k", "--unsigned-content-type"],
        &["frobnicate"],
        &["get"],
    ];
    for args in cases {
        let o = run(args, &creds());
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(stdout(&o), "", "{args:?}");
        assert!(
            err.starts_with("error: ") && err.ends_with('\n'),
            "{args:?}: {err:?}"
        );
        assert_eq!(err.lines().count(), 1, "{args:?}: {err:?}");
    }
    // What was wrong, and the tip, are on that line.
    let o = run(
        &["get", "s3://examplebucket/k", "--expires", "600"],
        &creds(),
    );
    assert!(stderr(&o).contains("--expires-in"), "{}", stderr(&o));
    let o = run(
        &["put", "s3://examplebucket/k", "--unsigned-content-type"],
        &creds(),
    );
    assert!(stderr(&o).contains("--content-type"), "{}", stderr(&o));
    // --help and --version still print to stdout and succeed.
    for flag in ["--help", "--version"] {
        let o = run(&[flag], &[]);
        assert!(o.status.success(), "{flag}");
        assert!(!stdout(&o).is_empty(), "{flag}");
    }
}

#[test]
fn header_values_are_trimmed_as_sigv4_trims_them() {
    use s3presign::s3::{Bucket, Endpoint};
    use s3presign::{AmzDate, Credentials, Signer};
    let value = "\u{a0}caf\u{e9}\u{3000}";
    let o = run(
        &[
            "put",
            "s3://examplebucket/k",
            "--region",
            "us-east-1",
            "--header",
            &format!("x-amz-meta-note: \t{value} "),
            "--date",
            "2026-11-25T12:00:00Z",
        ],
        &creds(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let bucket = Bucket::new(&Endpoint::aws("us-east-1").unwrap(), "examplebucket").unwrap();
    let url = bucket
        .put_object("k")
        .header("x-amz-meta-note", value)
        .sign_url(
            &Signer::new(Credentials::new(ID, SECRET)).unwrap(),
            AmzDate::parse("2026-11-25T12:00:00Z").unwrap(),
        )
        .unwrap();
    assert_eq!(stdout(&o), format!("{url}\n"));
}

/// A header-signed PUT of `body`: the URL and the headers to pass with -H.
fn header_signed_put(body: &[u8]) -> (String, Vec<String>) {
    use s3presign::sigv4::{Payload, SignableRequest, SigningParams, SigningSettings};
    use s3presign::{AmzDate, Credentials, Signer};
    let signer = Signer::new(Credentials::new(ID, SECRET)).unwrap();
    let host = "examplebucket.s3.us-east-1.amazonaws.com";
    let headers = [("host", host)];
    let req = SignableRequest::new("PUT", "/k.txt", "", &headers, Payload::Bytes(body));
    let time = AmzDate::parse("2026-11-25T12:00:00Z").unwrap();
    let params =
        SigningParams::new(&signer, "us-east-1", "s3", time).with_settings(SigningSettings::s3());
    let signed = s3presign::sigv4::sign_headers(&req, &params).unwrap();
    let headers = signed.headers().map(|(n, v)| format!("{n}: {v}")).collect();
    (format!("https://{host}/k.txt"), headers)
}

#[test]
fn verify_shows_the_signed_payload_hash_and_checks_a_body() {
    let body = b"hello, body";
    // SHA-256 of "hello, body" (sha256sum).
    let hash = "067623b3eab4c92762a219d23cdaef7ffdfda807e13fbedd561ce621efa23dbf";
    let (url, headers) = header_signed_put(body);
    let claimed = headers
        .iter()
        .find_map(|h| h.strip_prefix("x-amz-content-sha256: "))
        .unwrap()
        .to_owned();
    assert_eq!(claimed, hash);
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good");
    let bad = dir.path().join("bad");
    std::fs::write(&good, body).unwrap();
    std::fs::write(&bad, b"hello, bodY").unwrap();
    let verify = |body: Option<&std::path::Path>| {
        let mut args = vec![
            "verify".to_owned(),
            "--secret-from-env".into(),
            "--method".into(),
            "PUT".into(),
            "--date".into(),
            "2026-11-25T12:00:30Z".into(),
            url.clone(),
        ];
        for h in &headers {
            args.push("-H".into());
            args.push(h.clone());
        }
        if let Some(p) = body {
            args.push("--body".into());
            args.push(p.to_str().unwrap().to_owned());
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        run(&refs, &creds())
    };
    let o = verify(None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("valid: "), "{}", stdout(&o));
    assert!(
        stdout(&o).contains(&format!("payload sha256 {claimed} (body not checked")),
        "{}",
        stdout(&o)
    );
    let o = verify(Some(&good));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("the body matches"), "{}", stdout(&o));
    let o = verify(Some(&bad));
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stdout(&o).starts_with("invalid: XAmzContentSHA256Mismatch"),
        "{}",
        stdout(&o)
    );
    let o = verify(Some(&dir.path().join("missing")));
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
}
