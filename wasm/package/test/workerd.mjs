// Starts the test Worker (workerd.capnp) in workerd from npm on a free loopback port:
//   const { url, stop } = await startWorkerd();
// Used by bench.mjs; tests/edge.rs does the same from Rust.
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = fileURLToPath(new URL("..", import.meta.url));

const freePort = () => new Promise((resolve) => {
  const s = createServer().listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

export async function startWorkerd() {
  const dir = mkdtempSync(join(tmpdir(), "s3presign-workerd-"));
  const files = { "worker.js": "test/worker.js", "answer.js": "test/answer.js", "workerd.capnp": "test/workerd.capnp",
    "workerd.js": "workerd.js", "glue.js": "glue.js", "s3presign.wasm": "s3presign.wasm",
    "aws4fetch.js": "node_modules/aws4fetch/dist/aws4fetch.esm.mjs" };
  for (const [to, from] of Object.entries(files)) copyFileSync(join(pkg, from), join(dir, to));
  const port = await freePort();
  const child = spawn(join(pkg, "node_modules/.bin/workerd"), ["serve", join(dir, "workerd.capnp"), `--socket-addr=http=127.0.0.1:${port}`], { stdio: ["ignore", "ignore", "inherit"] });
  const url = `http://127.0.0.1:${port}`;
  const stop = () => { child.kill(); rmSync(dir, { recursive: true, force: true }); };
  for (let i = 0; i < 200; i++) {
    if (child.exitCode != null) break;
    try { await fetch(`${url}/bench?n=0`); return { url, stop }; } catch { await new Promise((r) => setTimeout(r, 100)); }
  }
  stop();
  throw Error("workerd did not start");
}
