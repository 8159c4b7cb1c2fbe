// Generates tests/data/post_verify/js-sdk-v3.json: presigned URLs (getSignedUrl), a
// header-signed request (the S3 client's SignatureV4) and presigned POST forms
// (createPresignedPost) made by the AWS SDK for JavaScript v3 at a fixed time.
//
// Pinned versions: see package.json (@aws-sdk/* 3.1164.0). From this folder:
//   npm ci || npm install && node gen_js.mjs
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { S3Client, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";

const require = createRequire(import.meta.url);
const sdkVersion = require("@aws-sdk/client-s3/package.json").version;
const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
Date.now = () => NOW; // createPresignedPost reads the clock itself
const signingDate = new Date(NOW);

const AKID = "AKIAIOSFODNN7EXAMPLE";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const TOKEN = "IQoJb3JpZ2luX2VjEXAMPLE/token+with=special/chars==";

const client = (opts = {}) =>
  new S3Client({
    region: opts.region ?? "us-west-2",
    endpoint: opts.endpoint,
    forcePathStyle: opts.forcePathStyle ?? false,
    credentials: { accessKeyId: AKID, secretAccessKey: SECRET, sessionToken: opts.token },
  });

const cases = [];
const c = client();
cases.push({
  name: "url-get", kind: "url", method: "GET", headers: [],
  url: await getSignedUrl(c, new GetObjectCommand({ Bucket: "examplebucket", Key: "photos/cat.jpg" }), { expiresIn: 3600, signingDate }),
});
cases.push({
  name: "url-get-odd-key-and-overrides", kind: "url", method: "GET", headers: [],
  url: await getSignedUrl(c, new GetObjectCommand({
    Bucket: "examplebucket", Key: "dir/a b+c%d~ü€.txt",
    ResponseContentDisposition: 'attachment; filename="x y.txt"', ResponseContentType: "text/plain; charset=utf-8",
  }), { expiresIn: 900, signingDate }),
});
cases.push({
  name: "url-put-content-type", kind: "url", method: "PUT", headers: [["content-type", "video/mp4"]],
  url: await getSignedUrl(c, new PutObjectCommand({ Bucket: "examplebucket", Key: "uploads/clip.mp4", ContentType: "video/mp4" }),
    { expiresIn: 600, signingDate, signableHeaders: new Set(["content-type"]) }),
});
cases.push({
  name: "url-get-session-token", kind: "url", method: "GET", headers: [],
  url: await getSignedUrl(client({ token: TOKEN }), new GetObjectCommand({ Bucket: "examplebucket", Key: "t.txt" }), { expiresIn: 60, signingDate }),
});
cases.push({
  name: "url-get-path-style-custom-endpoint", kind: "url", method: "GET", headers: [],
  url: await getSignedUrl(client({ region: "us-east-1", endpoint: "http://127.0.0.1:9000", forcePathStyle: true }),
    new GetObjectCommand({ Bucket: "my-bucket", Key: "k/v.bin" }), { expiresIn: 604800, signingDate }),
});

// A header-signed request: capture what the client would send (middleware after signing).
{
  const hc = client();
  let captured;
  hc.middlewareStack.add((next) => async (args) => {
    captured = args.request;
    return { response: { statusCode: 200, headers: {}, body: undefined } , output: {} };
  }, { step: "finalizeRequest", name: "capture", priority: "low" });
  hc.middlewareStack.addRelativeTo((next) => async (args) => next(args), { relation: "after", toMiddleware: "awsAuthMiddleware", name: "noop" });
  try {
    await hc.send(new PutObjectCommand({ Bucket: "examplebucket", Key: "docs/note.txt", Body: "hello world", ContentType: "text/plain" }));
  } catch (e) { /* the fake response does not deserialize; the request was captured */ }
  if (captured) {
    const q = new URLSearchParams(captured.query ?? {}).toString();
    cases.push({
      name: "header-put-body", kind: "header", method: captured.method,
      url: `${captured.protocol}//${captured.hostname}${captured.port ? ":" + captured.port : ""}${captured.path}${q ? "?" + q : ""}`,
      headers: Object.entries(captured.headers), body: "hello world",
    });
  }
}

const post = async (cl, params) => {
  const p = await createPresignedPost(cl, params);
  return { url: p.url, fields: p.fields };
};
cases.push({
  name: "post-video-under-uploads", kind: "post",
  ...(await post(c, {
    Bucket: "examplebucket", Key: "uploads/${filename}", Expires: 600,
    Conditions: [["content-length-range", 1, 10485760], ["starts-with", "$Content-Type", "video/"]],
  })),
  builder: { region: "us-west-2", bucket: "examplebucket", expires_in: 600, key_starts_with: "uploads/",
    content_length_range: [1, 10485760], content_type_starts_with: "video/" },
});
const meta = 'zoë "quoted" \\ <tag>';
cases.push({
  name: "post-exact-fields-non-ascii", kind: "post",
  ...(await post(c, {
    Bucket: "examplebucket", Key: "docs/report 2026 ü.pdf", Expires: 3600,
    Fields: { "Content-Type": "application/pdf", acl: "private", success_action_status: "201", "x-amz-meta-owner": meta },
  })),
  builder: { region: "us-west-2", bucket: "examplebucket", expires_in: 3600, key: "docs/report 2026 ü.pdf",
    content_type: "application/pdf", acl: "private", success_action_status: 201, meta: ["owner", meta] },
});
cases.push({
  name: "post-session-token-path-style", kind: "post",
  ...(await post(client({ region: "us-east-1", token: TOKEN, endpoint: "http://127.0.0.1:9000", forcePathStyle: true }), {
    Bucket: "my-bucket", Key: "in/box.bin", Expires: 120,
    Fields: { "Cache-Control": "max-age=60", "Content-Disposition": "attachment" },
  })),
  builder: { region: "us-east-1", endpoint: "http://127.0.0.1:9000", bucket: "my-bucket", expires_in: 120, key: "in/box.bin",
    token: true, cache_control: "max-age=60", content_disposition: "attachment" },
});

const out = { generator: `@aws-sdk/client-s3 ${sdkVersion}`, time: "2026-11-25T12:00:00Z",
  access_key_id: AKID, secret_access_key: SECRET, session_token: TOKEN, cases };
writeFileSync(new URL("../data/post_verify/js-sdk-v3.json", import.meta.url), JSON.stringify(out, null, 1) + "\n");
console.log(`wrote ${cases.length} cases`);
