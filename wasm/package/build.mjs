// npm run build: the WebAssembly module from the Rust sources beside this file (cargo, release
// profile of Cargo.toml, wasm32-unknown-unknown), then `wasm-opt -Oz` from the pinned
// binaryen package, into s3presign.wasm.
//
// The files shipped carry no comments (the package has a size budget); they are described here.
// - glue.js: the calls. Options go in as length-prefixed UTF-8 (src/input.rs), the answer
//   comes out as NUL-separated text; each call reclaims the last one's memory (room is asked
//   for 3 bytes per UTF-16 unit, UTF-8's most). Its default export (not re-exported by the
//   loaders) takes the compiled module.
// - Loaders, chosen by package.json's "exports" conditions, each compiling the module once:
//   node.js (Node.js and Bun) reads and compiles it synchronously; workerd.js (Cloudflare
//   Workers) imports it, the runtime compiling it (code may not compile bytes there);
//   index.js (browsers, Deno, bundlers) fetches and compiles it with top-level await. Every
//   function is synchronous afterwards.
// - index.d.ts: the TypeScript declarations; API.md documents each option.
import { execFileSync } from "node:child_process";
import { copyFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const env = { ...process.env };
// Any RUSTFLAGS (even empty) would override .cargo/config.toml's flags.
delete env.RUSTFLAGS;
delete env.CARGO_ENCODED_RUSTFLAGS;
delete env.CARGO_TARGET_DIR;
const run = (cmd, args) => execFileSync(cmd, args, { cwd: dir, env, stdio: "inherit" });
run("cargo", ["build", "--release", "--target", "wasm32-unknown-unknown"]);
const built = `${dir}target/wasm32-unknown-unknown/release/s3presign_js.wasm`;
const out = `${dir}s3presign.wasm`;
if (process.argv.includes("--no-opt")) {
  copyFileSync(built, out);
} else {
  // The features rustc's wasm32 target enables by default. --low-memory-unused: rustc puts
  // the stack first (growing down to address 0), so the low 1 KiB is never data. Then
  // --flatten --rereloop and -Oz again: measured 470 bytes smaller (54 gzipped), no slower.
  run(process.execPath, [`${dir}node_modules/binaryen/bin/wasm-opt`, "-Oz", "--converge",
    "--flatten", "--rereloop", "-Oz", "--converge",
    "--low-memory-unused",
    "--enable-bulk-memory", "--enable-sign-ext", "--enable-nontrapping-float-to-int",
    "--enable-mutable-globals", "--enable-multivalue", "--enable-reference-types",
    "--strip-debug", "--strip-producers", built, "-o", out]);
}
console.log(`s3presign.wasm: ${statSync(built).size} bytes from cargo, ${statSync(out).size} shipped`);
