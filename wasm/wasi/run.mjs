// Runs the WASI preview 1 build of the command under Node's node:wasi, passing on the
// arguments and the AWS_* environment variables:
//   node wasm/wasi/run.mjs get s3://BUCKET/KEY --region R --date DATE ...
import { readFileSync } from "node:fs";
import { WASI } from "node:wasi";

const path = new URL("./target/wasm32-wasip1/release/s3presign-wasi.wasm", import.meta.url);
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith("AWS_")));
const wasi = new WASI({ version: "preview1", args: ["s3presign-wasi", ...process.argv.slice(2)], env, returnOnExit: true });
const module = await WebAssembly.compile(readFileSync(path));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
