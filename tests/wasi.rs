//! WASI: the core builds for `wasm32-wasip1` and `wasm32-wasip2` (inside `wasm/wasi/`, a
//! tiny command over the crate with its `std` feature), and the preview 1 build, run under
//! Node's `node:wasi`, prints the same presigned URLs as the native `s3presign get`.
//!
//! Needs Node 20+ and the two targets (added with rustup when missing); without them the
//! test fails with a message saying what to install: it is never skipped.

#[path = "edge_support/mod.rs"]
mod edge;

use std::process::{Command, Output};

const ID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

fn build(target: &str) {
    edge::ensure_target(target);
    let dir = edge::root().join("wasm/wasi");
    let out = Command::new(env!("CARGO"))
        .current_dir(&dir)
        .args(["build", "--release", "--target", target, "--target-dir"])
        .arg(dir.join("target"))
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .expect("run cargo");
    assert!(
        out.status.success(),
        "building wasm/wasi for {target} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let wasm = dir.join(format!("target/{target}/release/s3presign-wasi.wasm"));
    assert!(wasm.exists(), "{} was not built", wasm.display());
}

/// Runs `program args` with only the given AWS credentials in the environment.
fn run(program: &mut Command, args: &[&str], token: Option<&str>) -> Output {
    program.args(args).env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        program.env("PATH", path);
    }
    let home = tempfile::tempdir().unwrap();
    program
        .env("HOME", home.path())
        .env("AWS_ACCESS_KEY_ID", ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET);
    if let Some(token) = token {
        program.env("AWS_SESSION_TOKEN", token);
    }
    program.output().expect("run the command")
}

#[test]
fn wasi_command_prints_the_native_cli_urls() {
    edge::require("node");
    build("wasm32-wasip2");
    build("wasm32-wasip1");
    let token = "IQoJb3JpZ2luX2VjEXAMPLE/+=TOKEN".repeat(10);
    let cases: Vec<(Vec<&str>, Option<&str>)> = vec![
        (
            vec![
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
            None,
        ),
        (
            vec![
                "get",
                "s3://my-bucket/uploads/user-uploads/clip 01.mp4",
                "--region",
                "eu-west-1",
                "--date",
                "20240229T235959Z",
                "--expires-in",
                "20",
            ],
            Some(&token),
        ),
        (
            vec![
                "get",
                "s3://dots.in.name//a/./b/../ c+d=e&f?g#h%i~ü😀/",
                "--region",
                "ap-southeast-2",
                "--date",
                "2099-12-31T23:59:59Z",
                "--expires-in",
                "604800",
            ],
            None,
        ),
        (
            vec![
                "get",
                "s3://local/k",
                "--region",
                "us-east-1",
                "--endpoint-url",
                "http://[::1]:9000/base",
                "--path-style",
                "--date",
                "1970-01-01T00:00:00Z",
            ],
            None,
        ),
        (
            vec![
                "get",
                "s3://Legacy_Bucket/k",
                "--region",
                "us-east-1",
                "--date",
                "2024-01-01T00:00:00Z",
            ],
            None,
        ),
    ];
    for (args, token) in &cases {
        let native = run(
            &mut Command::new(env!("CARGO_BIN_EXE_s3presign")),
            args,
            *token,
        );
        assert!(
            native.status.success(),
            "native: {}",
            String::from_utf8_lossy(&native.stderr)
        );
        let mut node = Command::new("node");
        node.arg(edge::root().join("wasm/wasi/run.mjs"));
        let wasi = run(&mut node, args, *token);
        assert!(
            wasi.status.success(),
            "WASI {args:?}: {}",
            String::from_utf8_lossy(&wasi.stderr)
        );
        let url = String::from_utf8(wasi.stdout).unwrap();
        assert!(
            url.starts_with("http") && url.contains("X-Amz-Signature="),
            "{url}"
        );
        assert_eq!(url, String::from_utf8(native.stdout).unwrap(), "{args:?}");
    }
    // Bad input: the core's one-line message, exit status 1, nothing on stdout.
    let args = [
        "get",
        "s3://bucket/k",
        "--region",
        "us-east-1",
        "--expires-in",
        "0",
        "--date",
        "2024-01-01T00:00:00Z",
    ];
    let mut node = Command::new("node");
    node.arg(edge::root().join("wasm/wasi/run.mjs"));
    let wasi = run(&mut node, &args, None);
    assert_eq!(wasi.status.code(), Some(1));
    assert!(wasi.stdout.is_empty());
    let stderr = String::from_utf8(wasi.stderr).unwrap();
    let expected = s3presign::Expiry::from_secs(0).unwrap_err().to_string();
    assert!(stderr.contains(&format!("error: {expected}\n")), "{stderr}");
}
