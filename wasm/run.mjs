// Loads the s3presign WebAssembly module and presigns a GET with it.
//
//   (cd wasm && cargo build --release --target wasm32-unknown-unknown)
//   node wasm/run.mjs [ACCESS_KEY SECRET TOKEN ENDPOINT REGION BUCKET KEY EXPIRES_IN UNIX_TIME]
//
// Without arguments it uses the AWS S3 documentation's example (examplebucket/test.txt on
// the global endpoint, 2013-05-24T00:00:00Z, 86400 s: signature aeeed9bb...). An empty TOKEN means none; an empty ENDPOINT means AWS.
// Prints the URL on stdout; on error prints the message on stderr and exits with 1.
import { readFileSync } from "node:fs";

const wasmPath = new URL(
  "./target/wasm32-unknown-unknown/release/s3presign_wasm.wasm",
  import.meta.url,
);
const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), {});
const m = instance.exports;

const defaults = [
  "AKIAIOSFODNN7EXAMPLE",
  "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  "",
  "https://s3.amazonaws.com",
  "us-east-1",
  "examplebucket",
  "test.txt",
  "86400",
  "1369353600",
];
const args = process.argv.length > 2 ? process.argv.slice(2) : defaults;
if (args.length !== 9) {
  console.error("usage: node run.mjs ACCESS_KEY SECRET TOKEN ENDPOINT REGION BUCKET KEY EXPIRES_IN UNIX_TIME");
  process.exit(2);
}
const [id, secret, token, endpoint, region, bucket, key, expiresIn, unixTime] = args;

const enc = new TextEncoder();
const allocations = [];
// Copies a string into the module's memory and returns [ptr, len].
function pass(s) {
  const bytes = enc.encode(s);
  const ptr = m.s3p_alloc(bytes.length);
  new Uint8Array(m.memory.buffer, ptr, bytes.length).set(bytes);
  allocations.push([ptr, bytes.length]);
  return [ptr, bytes.length];
}

const status = m.presign_get(
  ...pass(id), ...pass(secret), ...pass(token), ...pass(endpoint), ...pass(region),
  ...pass(bucket), ...pass(key), Number(expiresIn), BigInt(unixTime),
);
const text = new TextDecoder().decode(
  new Uint8Array(m.memory.buffer, m.s3p_result_ptr(), m.s3p_result_len()),
);
for (const [ptr, len] of allocations) m.s3p_free(ptr, len);
// The module's bump allocator reclaims all of it (inputs and result) at once.
m.s3p_reset();
if (status === 0) {
  console.log(text);
} else {
  console.error(`error: ${text}`);
  process.exit(1);
}
