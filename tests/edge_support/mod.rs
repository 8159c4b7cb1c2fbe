//! What the WebAssembly and JavaScript tests share: the wasm targets, Node, and the npm
//! package in `wasm/package/` built once per test binary.
#![allow(dead_code, reason = "each test binary uses a different part")]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn package_dir() -> PathBuf {
    root().join("wasm/package")
}

/// Whether the running toolchain has the standard library for `target`.
fn target_installed(target: &str) -> bool {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let Ok(out) = Command::new(rustc)
        .args(["--print", "target-libdir", "--target", target])
        .output()
    else {
        return false;
    };
    let libdir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    out.status.success()
        && std::fs::read_dir(&libdir).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("libcore-"))
        })
}

/// Installs `target` into the running toolchain with rustup when it is missing (rustup
/// acts on the toolchain named by `RUSTUP_TOOLCHAIN`, which its proxy sets for cargo).
pub fn ensure_target(target: &str) {
    if target_installed(target) {
        return;
    }
    eprintln!("installing the {target} target with rustup");
    let status = Command::new("rustup")
        .args(["target", "add", target])
        .status();
    assert!(
        matches!(status, Ok(s) if s.success()) && target_installed(target),
        "the {target} target is missing and `rustup target add {target}` failed ({status:?}): \
         install the target for this toolchain and rerun"
    );
}

/// Fails with what to install when `program --version` cannot run.
pub fn require(program: &str) {
    let ok = Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "`{program}` is needed (Node.js 20 or later with npm): apt-get install nodejs npm"
    );
}

fn run(dir: &Path, program: &str, args: &[&str]) {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        // The package's cargo build must see its own .cargo/config.toml and target/.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .unwrap_or_else(|e| panic!("run {program}: {e}"));
    assert!(
        out.status.success(),
        "`{program} {}` in {} failed:\n{}\n{}",
        args.join(" "),
        dir.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `npm ci` (when node_modules is missing) and `npm run build` in wasm/package, once.
pub fn build_package() {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        require("node");
        require("npm");
        ensure_target("wasm32-unknown-unknown");
        let dir = package_dir();
        // The pinned devDependencies: binaryen (wasm-opt), workerd, aws4fetch.
        let installed = ["binaryen", "workerd", "aws4fetch"].iter().all(|p| {
            dir.join("node_modules")
                .join(p)
                .join("package.json")
                .exists()
        });
        if !installed {
            run(&dir, "npm", &["ci", "--no-audit", "--no-fund"]);
        }
        run(&dir, "npm", &["run", "build"]);
    });
}

/// Runs `node script` with `stdin`; returns stdout, failing on a non-zero exit.
pub fn node_with_stdin(script: &Path, stdin: &[u8]) -> Vec<u8> {
    build_package();
    let mut child = Command::new("node")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run node (Node 20+ must be on PATH)");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "node {} failed:\n{}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}
