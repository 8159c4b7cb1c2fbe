// The upload page in a real browser: headless Chromium (Debian's package) driven by
// puppeteer-core, through the page's own controls, against the upload_app example.
//
//   cd tests/browser && npm ci && npm test
//
// Builds and starts `cargo run --example upload_app --features client` (embedded S3 server
// unless S3PRESIGN_BUCKET and friends are set, as for the example), then:
// - uploads a 1 MB file (single presigned PUT, signed Content-Length and SHA-256) and a
//   12 MB file (3 parts in parallel), reads both back through presigned GETs (in the page
//   and from here) and compares SHA-256 with the files on disk;
// - uploads through the POST form within its size limit, and over it (refused, no object);
// - deletes the bucket's CORS rule and sees the browser's upload fail (no object);
// - checks that the backend received no file bytes.
// - uploads a 2-second WebM recorded in the page and waits until the preview can play it;
//   saves a screenshot of the page then as docs/upload-app.png (or $SCREENSHOT).
// Fails (never skips) when Chromium or cargo is missing.

import { spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import puppeteer from "puppeteer-core";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const STEP_TIMEOUT = 120_000;
// Where the screenshot goes (the README's image by default).
const SCREENSHOT = process.env.SCREENSHOT || join(ROOT, "docs/upload-app.png");

function fail(message) {
  console.error(`browser test: ${message}`);
  process.exit(1);
}

if (!existsSync(CHROMIUM)) {
  fail(`no Chromium at ${CHROMIUM}: install Debian's package (apt-get install -y chromium) or set CHROMIUM to its path`);
}

function appBinary() {
  if (process.env.APP_BIN) return process.env.APP_BIN;
  const build = spawnSync("cargo", ["build", "--example", "upload_app", "--features", "client"], {
    cwd: ROOT,
    stdio: "inherit",
  });
  if (build.error) fail(`could not run cargo (${build.error.message}): install Rust or set APP_BIN`);
  if (build.status !== 0) fail("cargo build --example upload_app --features client failed");
  return join(process.env.CARGO_TARGET_DIR || join(ROOT, "target"), "debug/examples/upload_app");
}

function startApp(bin) {
  const app = spawn(bin, [], {
    env: { ...process.env, UPLOAD_APP_TEST_HOOKS: "1" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolveOrigin, reject) => {
    const lines = createInterface({ input: app.stdout });
    lines.once("line", (line) => resolveOrigin({ app, origin: line.trim() }));
    app.once("exit", (code) => reject(new Error(`upload_app exited (${code}) before printing its URL`)));
  });
}

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("base64");

async function api(origin, path, body, method = "POST") {
  const r = await fetch(new URL(path, origin), {
    method,
    headers: body ? { "content-type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await r.json();
  assert.ok(r.ok, `${method} ${path} answered ${r.status}: ${JSON.stringify(json)}`);
  return json;
}

// Reads an object back from here (not the browser) through a presigned GET.
async function readBack(origin, key) {
  const { url } = await api(origin, "/api/downloads", { key });
  const r = await fetch(url);
  return { status: r.status, bytes: Buffer.from(await r.arrayBuffer()) };
}

async function finished(page) {
  await page.waitForFunction(
    () => ["ok", "error"].includes(document.getElementById("status").className),
    { timeout: STEP_TIMEOUT },
  );
  return page.evaluate(() => {
    const text = (id) => document.getElementById(id).textContent;
    return {
      ok: document.getElementById("status").className === "ok",
      status: text("status"),
      key: text("key"),
      method: text("method"),
      shaLocal: text("sha-local"),
      shaRemote: text("sha-remote"),
    };
  });
}

// Picks `file` in the page's file input and clicks `button`.
async function upload(page, file, button) {
  await page.evaluate(() => { document.getElementById("status").className = ""; });
  const input = await page.$("#file");
  await input.uploadFile(file);
  await page.click(button);
  return finished(page);
}

// Runs in the page: records 2 s of an animated canvas as WebM and picks it in the file input.
async function recordVideo() {
  const canvas = document.createElement("canvas");
  canvas.width = 640;
  canvas.height = 360;
  const g = canvas.getContext("2d");
  const stream = canvas.captureStream(30);
  const recorder = new MediaRecorder(stream, { mimeType: "video/webm" });
  const chunks = [];
  recorder.ondataavailable = (e) => chunks.push(e.data);
  const stopped = new Promise((resolve) => { recorder.onstop = resolve; });
  const start = performance.now();
  let frame = 0;
  const draw = () => {
    const t = (performance.now() - start) / 1000;
    const sky = g.createLinearGradient(0, 0, 0, 360);
    sky.addColorStop(0, "#1e3a8a");
    sky.addColorStop(1, "#0ea5e9");
    g.fillStyle = sky;
    g.fillRect(0, 0, 640, 360);
    g.fillStyle = "#facc15";
    g.beginPath();
    g.arc(120 + 400 * (t / 2), 130, 48, 0, 2 * Math.PI);
    g.fill();
    g.fillStyle = "#166534";
    g.fillRect(0, 280, 640, 80);
    g.fillStyle = "#fff";
    g.font = "bold 34px sans-serif";
    g.fillText(`s3presign upload, frame ${frame++}`, 24, 330);
  };
  draw();
  recorder.start();
  await new Promise((resolve) => {
    const tick = () => (performance.now() - start < 2000 ? (draw(), requestAnimationFrame(tick)) : resolve());
    requestAnimationFrame(tick);
  });
  recorder.stop();
  await stopped;
  const file = new File(chunks, "sunrise.webm", { type: "video/webm" });
  const picked = new DataTransfer();
  picked.items.add(file);
  document.getElementById("file").files = picked.files;
  document.getElementById("status").className = "";
}

async function finishedAfterClick(page, button) {
  await page.click(button);
  return finished(page);
}

async function main() {
  const bin = appBinary();
  const dir = mkdtempSync(join(tmpdir(), "upload-app-test-"));
  const { app, origin } = await startApp(bin);
  let browser;
  try {
    assert.match(origin, /^http:\/\/127\.0\.0\.1:\d+\/$/, `first stdout line: ${origin}`);
    const file = (name, size) => {
      const path = join(dir, name);
      writeFileSync(path, randomBytes(size));
      return path;
    };
    const small = file("clip-1mb.mp4", 1_000_000);
    const large = file("vidéo-12mb.mp4", 12 * 1024 * 1024);

    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      userDataDir: join(dir, "profile"),
      args: [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
      ],
    });
    const page = await browser.newPage();
    await page.setViewport({ width: 900, height: 900 });
    const inFlight = new Set();
    let maxPartsInFlight = 0;
    page.on("request", (r) => {
      if (r.method() === "PUT" && r.url().includes("partNumber=")) {
        inFlight.add(r);
        maxPartsInFlight = Math.max(maxPartsInFlight, inFlight.size);
      }
    });
    const done = (r) => inFlight.delete(r);
    page.on("requestfinished", done);
    page.on("requestfailed", done);
    await page.goto(origin);

    // 1 MB: one presigned PUT.
    let r = await upload(page, small, "#upload");
    assert.ok(r.ok, `1 MB upload: ${r.status}`);
    assert.equal(r.method, "single PUT");
    assert.equal(r.key, "uploads/user-uploads/clip-1mb.mp4");
    assert.equal(r.shaLocal, sha256(readFileSync(small)));
    assert.equal(r.shaRemote, r.shaLocal);
    let back = await readBack(origin, r.key);
    assert.equal(back.status, 200);
    assert.equal(sha256(back.bytes), sha256(readFileSync(small)), "1 MB read back from here");

    // 12 MB: three parts in parallel.
    r = await upload(page, large, "#upload");
    assert.ok(r.ok, `12 MB upload: ${r.status}`);
    assert.equal(r.method, "multipart, 3 parts");
    assert.equal(r.key, "uploads/user-uploads/vidéo-12mb.mp4");
    assert.equal(r.shaRemote, sha256(readFileSync(large)));
    assert.ok(maxPartsInFlight >= 2, `parts were sent one at a time (${maxPartsInFlight} in flight)`);
    back = await readBack(origin, r.key);
    assert.equal(sha256(back.bytes), sha256(readFileSync(large)), "12 MB read back from here");

    // A real (small) video, recorded in the page from a canvas, uploaded through the same
    // controls: its first frames show in the preview for the screenshot.
    await page.evaluate(recordVideo);
    r = await finishedAfterClick(page, "#upload");
    assert.ok(r.ok, `recorded video upload: ${r.status}`);
    await page.waitForFunction(
      () => document.getElementById("preview").readyState >= 4,
      { timeout: STEP_TIMEOUT },
    );
    // Play it (muted): the preview really decodes the uploaded video.
    await page.evaluate(async () => {
      const v = document.getElementById("preview");
      await v.play();
      await new Promise((resolve) => setTimeout(resolve, 1200));
      v.pause();
    });
    assert.ok(
      await page.$eval("#preview", (v) => v.currentTime > 0.5),
      "the uploaded video did not play",
    );
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // POST form: within its limit, then over it.
    const formOk = file("form-ok.mp4", 100_000);
    await page.$eval("#max-size", (el) => { el.value = "200000"; });
    r = await upload(page, formOk, "#upload-form");
    assert.ok(r.ok, `POST form within its limit: ${r.status}`);
    assert.equal(r.shaRemote, sha256(readFileSync(formOk)));
    const tooBig = file("form-too-big.mp4", 1_000_000);
    await page.$eval("#max-size", (el) => { el.value = "1000"; });
    r = await upload(page, tooBig, "#upload-form");
    assert.ok(!r.ok && r.status.startsWith("POST refused"), `POST form over its limit: ${r.status}`);
    const refusal = r.status;
    back = await readBack(origin, "uploads/user-uploads/form-too-big.mp4");
    assert.equal(back.status, 404, "an object was stored although the form refused it");

    // Without the bucket's CORS rule the browser refuses the upload.
    await api(origin, "/api/cors", null, "DELETE");
    const noCors = file("no-cors.mp4", 1_000_000);
    r = await upload(page, noCors, "#upload");
    assert.ok(!r.ok, `upload without a CORS rule succeeded: ${r.status}`);
    assert.match(r.status, /network or CORS error/);
    back = await readBack(origin, "uploads/user-uploads/no-cors.mp4");
    assert.equal(back.status, 404, "the upload without a CORS rule reached the bucket");
    await api(origin, "/api/cors", null, "PUT");

    const stats = await api(origin, "/api/stats", null, "GET");
    assert.equal(stats.fileBytesReceived, 0, "the backend received file bytes");
    assert.ok(stats.apiBytesReceived < 64 * 1024, `API bodies: ${stats.apiBytesReceived} bytes`);
    console.log(
      `browser test passed: 1 MB PUT, 12 MB in 3 parts (${maxPartsInFlight} in flight), POST form ` +
        `limit (${refusal}), CORS refusal; backend file bytes 0, API bytes ${stats.apiBytesReceived}`,
    );
  } finally {
    if (browser) await browser.close();
    app.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => fail(e.stack || String(e)));
