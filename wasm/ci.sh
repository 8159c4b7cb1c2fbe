#!/usr/bin/env bash
# CI for the WebAssembly side: the npm package (wasm/package), its Worker in workerd
# (wasm/worker) and the WASI command (wasm/wasi). Called by .ci/run; also runs alone:
#   bash wasm/ci.sh
# Needs Node 20+ with npm, and rustup (for the wasm targets). About two minutes when the
# main crate's tests are already built.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n==> wasm: %s (%s)\n' "$*" "$(date -u +%H:%M:%S)"; }

step "targets and tools"
rustup target add wasm32-unknown-unknown wasm32-wasip1 wasm32-wasip2
node --version; npm --version

step "npm package: install (pinned: binaryen, workerd, aws4fetch) and build"
(cd wasm/package && npm ci --no-audit --no-fund --silent && npm run build)

step "formatting and lints of the package's, the allocator's and the WASI command's Rust"
(cd wasm/bump && cargo fmt -- --check &&
    cargo clippy --release --target wasm32-unknown-unknown -- -D warnings)
(cd wasm/package && cargo fmt -- --check &&
    cargo clippy --release --target wasm32-unknown-unknown -- -D warnings)
(cd wasm/wasi && cargo fmt -- --check &&
    cargo clippy --release --target wasm32-wasip1 -- -D warnings)

step "package vs crate on the SDK fixtures, errors, size; the Worker in workerd"
cargo test --test edge

step "WASI: wasip1 and wasip2 builds; node:wasi and Wasmtime (PyPI, pinned) vs the native CLI"
cargo test --features cli --test wasi

step "the browser entry in headless Chromium (Debian's package, installed by .ci/run)"
(cd wasm/package && node test/browser.mjs)

step "speed against aws4fetch in Node (budget: at least 5x faster)"
(cd wasm/package && node bench/bench.mjs --min-ratio 5)
