//! WASI: the core builds for `wasm32-wasip1` and `wasm32-wasip2` (inside `wasm/wasi/`, a
//! tiny command over the crate with its `std` feature); the preview 1 build under Node's
//! `node:wasi` and the preview 2 component under Wasmtime (its Python package, pinned in
//! `wasm/wasi/requirements.txt`) print the same presigned URLs as the native `s3presign get`.
//!
//! Needs Node 20+, python3 with venv (Wasmtime is installed into `wasm/wasi/target/py` from
//! PyPI when missing) and the two targets (added with rustup when missing); without them the
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

/// A Python with the pinned Wasmtime package: `wasm/wasi/target/py`, made when missing.
fn wasmtime_python() -> std::path::PathBuf {
    let dir = edge::root().join("wasm/wasi");
    let venv = dir.join("target/py");
    let python = venv.join("bin/python");
    let pinned = std::fs::read_to_string(dir.join("requirements.txt")).unwrap();
    let version = pinned.trim().trim_start_matches("wasmtime==").to_owned();
    let has = |python: &std::path::Path| {
        Command::new(python)
            .args([
                "-c",
                &format!(
                    "import importlib.metadata as m; assert m.version('wasmtime') == '{version}'"
                ),
            ])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !has(&python) {
        let ok = Command::new("python3")
            .arg("-m")
            .arg("venv")
            .arg(&venv)
            .status()
            .is_ok_and(|s| s.success())
            && Command::new(venv.join("bin/pip"))
                .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
                .arg(dir.join("requirements.txt"))
                .status()
                .is_ok_and(|s| s.success());
        assert!(
            ok && has(&python),
            "installing {} into {} failed: python3 with venv and pip is needed (apt-get install python3-venv)",
            pinned.trim(),
            venv.display()
        );
    }
    python
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
    let python = wasmtime_python();
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
        let mut p2 = Command::new(&python);
        p2.arg(edge::root().join("wasm/wasi/run_p2.py"));
        let component = run(&mut p2, args, *token);
        assert!(
            component.status.success(),
            "WASI preview 2 {args:?}: {}",
            String::from_utf8_lossy(&component.stderr)
        );
        assert_eq!(
            String::from_utf8(component.stdout).unwrap(),
            url,
            "preview 2: {args:?}"
        );
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
    let expected = s3presign::Expiry::from_secs(0).unwrap_err().to_string();
    let mut node = Command::new("node");
    node.arg(edge::root().join("wasm/wasi/run.mjs"));
    let mut p2 = Command::new(&python);
    p2.arg(edge::root().join("wasm/wasi/run_p2.py"));
    for (which, program) in [("preview 1", &mut node), ("preview 2", &mut p2)] {
        let out = run(program, &args, None);
        assert_eq!(out.status.code(), Some(1), "{which}");
        assert!(out.stdout.is_empty(), "{which}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            stderr.contains(&format!("error: {expected}\n")),
            "{which}: {stderr}"
        );
    }
}
