// npm run bench: ns per presigned GET (30-byte key, no session token) with this package and
// with aws4fetch's AwsV4Signer (signQuery), in this process and in workerd, medians of several
// rounds; then
// which SDK fixture cases (tests/data/independent/botocore.json) aws4fetch signs as botocore.
//   node bench/bench.mjs [--json] [--min-ratio N]   (exit 1 if the speed-up is under N)
import { readFileSync } from "node:fs";
import { AwsV4Signer } from "aws4fetch";
import { presignGet } from "../node.js";
import { startWorkerd } from "../test/workerd.mjs";

const json = process.argv.includes("--json");
const minRatio = Number(process.argv[process.argv.indexOf("--min-ratio") + 1] || 0);
const key = "uploads/user-uploads/clip-0001"; // 30 bytes
const creds = { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };
const time = new Date("2024-02-29T23:59:59Z");
const ours = { bucket: "examplebucket", key, region: "eu-west-1", expiresIn: 3600, credentials: creds, time };
const url = `https://examplebucket.s3.eu-west-1.amazonaws.com/${key}?X-Amz-Expires=3600`;
const signer = () => new AwsV4Signer({ ...creds, url, service: "s3", region: "eu-west-1", signQuery: true, datetime: "20240229T235959Z" });

// Same request, same signature: the comparison is fair.
const a = presignGet(ours).url;
const b = (await signer().sign()).url;
const sig = (u) => new URL(u).searchParams.get("X-Amz-Signature");
if (sig(a) !== sig(b)) throw Error(`the two sign differently:\n${a}\n${b}`);

const median = (xs) => xs.sort((p, q) => p - q)[xs.length >> 1];
// Rounds of the two alternate, so that a change in the machine's load hits both alike.
async function measure(sides) {
  const rounds = sides.map(() => []);
  for (const [n, f] of sides) for (let i = 0; i < n; i++) await f(); // warm-up
  for (let r = 0; r < 7; r++) {
    for (const [s, [n, f]] of sides.entries()) {
      const t = process.hrtime.bigint();
      for (let i = 0; i < n; i++) await f();
      rounds[s].push(Number(process.hrtime.bigint() - t) / n);
    }
  }
  return rounds.map(median);
}
const [pkg, a4f] = await measure([
  [5000, () => presignGet(ours).url],
  [1000, async () => (await signer().sign()).url],
]);

// The same in workerd: a request presigns n GETs; its time minus an empty request's, per GET
// (a Worker's own clock stands still while it computes, so the caller times it).
async function inWorkerd(url, sides) {
  const time = async (lib, k) => {
    const t = process.hrtime.bigint();
    const r = await fetch(`${url}/bench?lib=${lib}&n=${k}`, { method: "POST" });
    if (!r.ok) throw Error(`workerd: ${r.status} ${await r.text()}`);
    await r.text();
    return Number(process.hrtime.bigint() - t);
  };
  const rounds = sides.map(() => []);
  for (const [lib, n] of sides) await time(lib, n); // warm-up
  for (let r = 0; r < 7; r++) {
    for (const [s, [lib, n]] of sides.entries()) rounds[s].push((await time(lib, n) - await time(lib, 0)) / n);
  }
  return rounds.map(median);
}
const workerd = await startWorkerd();
let wPkg, wA4f;
try {
  [wPkg, wA4f] = await inWorkerd(workerd.url, [["s3presign", 5000], ["aws4fetch", 1000]]);
} finally {
  workerd.stop();
}

// Fixture agreement: each GET/PUT case given to aws4fetch as botocore's URL without its
// signature parameters, with the case's headers; the signature must be botocore's.
const fixture = JSON.parse(readFileSync(new URL("../../../tests/data/independent/botocore.json", import.meta.url)));
const AUTH = new Set(["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token"]);
let agree = 0;
const differ = [];
for (const { input, expected } of fixture.cases) {
  if (input.method != "GET" && input.method != "PUT") continue;
  const [base, query] = expected.url.split("?");
  const kept = query.split("&").filter((p) => !AUTH.has(p.split("=")[0])).join("&");
  const headers = Object.fromEntries(input.headers);
  if (input.content_type) headers["content-type"] = input.content_type;
  const s = new AwsV4Signer({ accessKeyId: fixture.access_key_id, secretAccessKey: fixture.secret_access_key,
    sessionToken: input.session_token ?? undefined, url: `${base}?${kept}`, method: input.method, headers,
    service: "s3", region: input.region, signQuery: true, datetime: fixture.amz_date });
  if (sig((await s.sign()).url.toString()) === expected.signature) agree++;
  else differ.push(input.name);
}

const result = { nsPerGet: { s3presign: Math.round(pkg), aws4fetch: Math.round(a4f) }, ratio: +(a4f / pkg).toFixed(1),
  workerd: { nsPerGet: { s3presign: Math.round(wPkg), aws4fetch: Math.round(wA4f) }, ratio: +(wA4f / wPkg).toFixed(1) },
  fixture: { cases: agree + differ.length, agree, differ } };
if (json) console.log(JSON.stringify(result));
else {
  console.log(`presigned GET, 30-byte key, no token (Node ${process.versions.node}, median of 7 rounds)`);
  console.log(`  s3presign (wasm)        ${String(result.nsPerGet.s3presign).padStart(8)} ns`);
  console.log(`  aws4fetch AwsV4Signer   ${String(result.nsPerGet.aws4fetch).padStart(8)} ns   (${result.ratio}x slower)`);
  console.log(`in workerd (the npm package's, timed from outside, median of 7 rounds)`);
  console.log(`  s3presign (wasm)        ${String(result.workerd.nsPerGet.s3presign).padStart(8)} ns`);
  console.log(`  aws4fetch AwsV4Signer   ${String(result.workerd.nsPerGet.aws4fetch).padStart(8)} ns   (${result.workerd.ratio}x slower)`);
  console.log(`aws4fetch vs botocore on ${result.fixture.cases} GET/PUT fixture cases: ${agree} same signature; differ:`);
  console.log(`  ${differ.join(", ")}`);
}
if (result.ratio < minRatio) {
  console.error(`s3presign is only ${result.ratio}x faster than aws4fetch (budget: ${minRatio}x)`);
  process.exit(1);
}
