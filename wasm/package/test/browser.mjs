// The package's browser entry (index.js: fetch, compile, top-level await) in headless
// Chromium: serves this package on loopback with a page that imports it, presigns a GET and
// a PUT there, and checks the URLs against the Node entry's. Exits 1 on any difference.
//   node test/browser.mjs        (CHROMIUM=/path/to/chromium to choose the browser)
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { presignGet, presignPut } from "../node.js";

const dir = fileURLToPath(new URL("..", import.meta.url));
const chromium = process.env.CHROMIUM || "/usr/bin/chromium";
if (!existsSync(chromium)) {
  console.error(`no Chromium at ${chromium}: apt-get install chromium, or set CHROMIUM`);
  process.exit(1);
}
const options = {
  bucket: "examplebucket", key: "photos/IMG 0001.JPG", region: "eu-west-1", expiresIn: 600,
  credentials: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
};
const page = `<!doctype html><pre id="out">pending</pre><script type="module">
import { presignGet, presignPut } from "./index.js";
const o = ${JSON.stringify(options)};
const time = new Date("2024-02-29T23:59:59Z");
let text;
try {
  text = JSON.stringify([presignGet({ ...o, time }).url, presignPut({ ...o, time, contentType: "image/jpeg" }).url]);
} catch (e) { text = "error: " + e.message; }
document.getElementById("out").textContent = text;
</script>`;
const types = { ".js": "text/javascript", ".wasm": "application/wasm" };
const server = createServer((req, res) => {
  const name = new URL(req.url, "http://x").pathname.slice(1);
  if (name == "" || name == "index.html") return res.writeHead(200, { "content-type": "text/html" }).end(page);
  if (!/^[a-z0-9.]+$/.test(name) || !existsSync(join(dir, name))) return res.writeHead(404).end();
  res.writeHead(200, { "content-type": types[name.slice(name.lastIndexOf("."))] || "text/plain" });
  res.end(readFileSync(join(dir, name)));
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${server.address().port}/`;
// Chromium runs in a child process while this one serves the files.
const result = await new Promise((resolve) => {
  const child = spawn(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=10000", "--dump-dom", url]);
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  const timer = setTimeout(() => child.kill(), 60_000);
  child.on("close", () => { clearTimeout(timer); resolve(out); });
});
server.close();
const shown = /<pre id="out">([^<]*)<\/pre>/.exec(result)?.[1]?.replaceAll("&amp;", "&");
const time = new Date("2024-02-29T23:59:59Z");
const expected = JSON.stringify([presignGet({ ...options, time }).url, presignPut({ ...options, time, contentType: "image/jpeg" }).url]);
if (shown !== expected) {
  console.error(`the browser entry differs from the Node entry:\n  browser ${shown}\n  node    ${expected}`);
  process.exit(1);
}
console.log("browser entry (headless Chromium) agrees with the Node entry");
