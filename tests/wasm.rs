//! The core inside a real WebAssembly runtime: builds `wasm/` (a no_std core behind a
//! plain C-ABI export) for `wasm32-unknown-unknown`, runs it in Node with `wasm/run.mjs`,
//! and checks that every URL equals the one native code makes from the same inputs.
//!
//! Needs the `wasm32-unknown-unknown` target and `node` (20+) on PATH. A toolchain managed by
//! rustup that lacks the target gets it here (`rustup target add`, whatever
//! `RUSTUP_AUTO_INSTALL` says); without rustup, or without Node, the tests fail with a message
//! saying what to install: they are never skipped.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use s3presign::s3::{Bucket, Endpoint};
use s3presign::{AmzDate, Credentials, Signer};

fn wasm_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("wasm")
}

const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Whether the toolchain the tests run under has the standard library for `WASM_TARGET`.
fn wasm_target_installed() -> bool {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = Command::new(rustc)
        .args(["--print", "target-libdir", "--target", WASM_TARGET])
        .output()
        .expect("run rustc --print target-libdir");
    let libdir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    out.status.success()
        && std::fs::read_dir(&libdir).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("libcore-"))
        })
}

/// Installs the wasm32 target into the running toolchain when it is missing. rustup acts on
/// the toolchain named by `RUSTUP_TOOLCHAIN`, which its proxy sets for `cargo test`.
fn ensure_wasm_target() {
    if wasm_target_installed() {
        return;
    }
    eprintln!("installing the {WASM_TARGET} target with rustup (needed to build wasm/)");
    let status = Command::new("rustup")
        .args(["target", "add", WASM_TARGET])
        .status();
    assert!(
        matches!(status, Ok(s) if s.success()),
        "the {WASM_TARGET} target is missing and `rustup target add {WASM_TARGET}` failed \
         ({status:?}): install the target for this toolchain and rerun"
    );
    assert!(
        wasm_target_installed(),
        "rustup reported success but the {WASM_TARGET} standard library is still missing"
    );
}

/// Builds the module once per test run and returns its size in bytes.
fn build() -> u64 {
    static SIZE: OnceLock<u64> = OnceLock::new();
    *SIZE.get_or_init(|| {
        ensure_wasm_target();
        let dir = wasm_dir();
        // Run from wasm/ so wasm/.cargo/config.toml applies; its own target dir, so the
        // outer cargo's lock on target/ is never contended.
        let out = Command::new(env!("CARGO"))
            .current_dir(&dir)
            .args(["build", "--release", "--target", "wasm32-unknown-unknown"])
            .arg("--target-dir")
            .arg(dir.join("target"))
            .env_remove("CARGO_TARGET_DIR")
            // Any RUSTFLAGS (even empty) would override wasm/.cargo/config.toml's flags.
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .output()
            .expect("run cargo");
        assert!(
            out.status.success(),
            "building wasm/ failed (is the target installed? `rustup target add wasm32-unknown-unknown`):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let wasm = dir.join("target/wasm32-unknown-unknown/release/s3presign_wasm.wasm");
        std::fs::metadata(&wasm).expect("the .wasm file").len()
    })
}

/// Runs `node wasm/run.mjs` with the given inputs (none: its built-in example).
fn node(args: &[&str]) -> Output {
    build();
    Command::new("node")
        .arg(wasm_dir().join("run.mjs"))
        .args(args)
        .output()
        .expect("run node (Node 20+ must be on PATH)")
}

struct Case<'a> {
    id: &'a str,
    secret: &'a str,
    token: &'a str,
    endpoint: &'a str,
    region: &'a str,
    bucket: &'a str,
    key: &'a str,
    expires_in: u32,
    unix_time: i64,
}

impl Case<'_> {
    fn native(&self) -> Result<String, s3presign::Error> {
        let mut creds = Credentials::new(self.id, self.secret);
        if !self.token.is_empty() {
            creds = creds.with_session_token(self.token);
        }
        let endpoint = if self.endpoint.is_empty() {
            Endpoint::aws(self.region)?
        } else {
            Endpoint::custom(self.endpoint, self.region)?
        };
        Bucket::new(&endpoint, self.bucket)?
            .get_object(self.key)
            .expires_in(u64::from(self.expires_in))
            .sign_url(
                &Signer::new(creds)?,
                AmzDate::from_unix_timestamp(self.unix_time)?,
            )
    }

    fn wasm(&self) -> Output {
        let expires = self.expires_in.to_string();
        let time = self.unix_time.to_string();
        node(&[
            self.id,
            self.secret,
            self.token,
            self.endpoint,
            self.region,
            self.bucket,
            self.key,
            &expires,
            &time,
        ])
    }
}

const ID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

#[test]
fn documentation_example_in_node() {
    let out = node(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let url = String::from_utf8(out.stdout).unwrap();
    // The AWS S3 documentation's presigned GET, computed inside WebAssembly.
    assert!(
        url.ends_with(
            "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404\n"
        ),
        "{url}"
    );
    let native = Case {
        id: ID,
        secret: SECRET,
        token: "",
        endpoint: "https://s3.amazonaws.com",
        region: "us-east-1",
        bucket: "examplebucket",
        key: "test.txt",
        expires_in: 86400,
        unix_time: 1369353600,
    }
    .native()
    .unwrap();
    assert_eq!(url.trim_end(), native);
    eprintln!("wasm module: {} bytes", build());
}

#[test]
fn same_urls_as_native() {
    let token = "IQoJb3JpZ2luX2VjEXAMPLE/+=TOKEN".repeat(20);
    let cases = [
        Case {
            id: ID,
            secret: SECRET,
            token: "",
            endpoint: "",
            region: "eu-west-1",
            bucket: "my-bucket",
            key: "uploads/user-uploads/clip.mp4",
            expires_in: 20,
            unix_time: 1_700_000_000,
        },
        Case {
            id: ID,
            secret: SECRET,
            token: &token,
            endpoint: "",
            region: "ap-southeast-2",
            bucket: "dots.in.name",
            key: "//a/./b/../ c+d=e&f?g#h%i~ü😀/",
            expires_in: 604800,
            unix_time: 4_102_444_799,
        },
        Case {
            id: "minioadmin",
            secret: "minioadmin",
            token: "",
            endpoint: "http://[::1]:9000/base",
            region: "us-east-1",
            bucket: "local",
            key: "k",
            expires_in: 1,
            unix_time: 0,
        },
        Case {
            id: ID,
            secret: SECRET,
            token: "",
            endpoint: "https://ACCOUNT.r2.cloudflarestorage.com",
            region: "auto",
            bucket: "r2-bucket",
            key: "photos/2024/IMG 0001.JPG",
            expires_in: 3600,
            unix_time: 1_709_251_199,
        },
    ];
    for case in &cases {
        let expected = case.native().unwrap();
        let out = case.wasm();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            format!("{expected}\n")
        );
    }
}

#[test]
fn same_errors_as_native() {
    let long_key = "k".repeat(1025);
    let bad = [
        ("Invalid_Bucket", "k", 60u32, ""),
        ("bucket", "", 60, ""),
        ("bucket", long_key.as_str(), 60, ""),
        ("bucket", "k", 0, ""),
        ("bucket", "k", 604801, ""),
        ("bucket", "k", 60, "ftp://example.com"),
    ];
    for (bucket, key, expires_in, endpoint) in bad {
        let case = Case {
            id: ID,
            secret: SECRET,
            token: "",
            endpoint,
            region: "us-east-1",
            bucket,
            key,
            expires_in,
            unix_time: 1_700_000_000,
        };
        let expected = case.native().unwrap_err().to_string();
        let out = case.wasm();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{bucket} {key:.10} {expires_in}"
        );
        assert_eq!(
            String::from_utf8(out.stderr).unwrap(),
            format!("error: {expected}\n")
        );
        assert!(out.stdout.is_empty());
    }
}

/// Issue 5's budget for a presign-only module (opt-level "z", LTO, one codegen unit,
/// panic=abort, stripped): at most 40 KB.
#[test]
fn module_fits_the_size_budget() {
    const BUDGET: u64 = 40_000;
    let size = build();
    assert!(
        size <= BUDGET,
        "wasm module is {size} bytes, over the {BUDGET}-byte budget"
    );
}
