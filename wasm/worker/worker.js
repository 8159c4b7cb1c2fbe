// A Cloudflare Worker that presigns S3 uploads and downloads for a browser, with the upload
// app's contract (examples/upload_app.rs): the browser sends the file straight to S3.
//   POST /api/uploads   {filename, contentType, size} -> {method, url, headers, expiresAt, key}
//   POST /api/downloads {key}                          -> {url} (a 20-second GET)
// Configured by the text bindings AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION,
// S3_BUCKET and S3_ENDPOINT (empty: AWS). Run locally: `workerd serve config.capnp`.
import { presignGet, presignPut } from "s3presign";

const PREFIX = "uploads/user-uploads/";
const SINGLE_PUT_MAX = 8 * 1024 * 1024;

const json = (status, body) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

function target(env, key, expiresIn) {
  return {
    bucket: env.S3_BUCKET, key, region: env.AWS_REGION, endpoint: env.S3_ENDPOINT || undefined,
    expiresIn, time: new Date(),
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
  };
}

// One path segment under PREFIX, or an error message.
function keyFor(filename) {
  if (typeof filename != "string" || !filename || new TextEncoder().encode(filename).length > 255)
    return [null, "filename must be 1 to 255 bytes long"];
  if (filename == "." || filename == ".." || /[/\\]/.test(filename))
    return [null, "filename must be a plain file name (no '/', '\\', '.' or '..')"];
  if (/[\u0000-\u001f\u007f-\u009f]/.test(filename))
    return [null, "filename must not contain control characters"];
  return [PREFIX + filename, null];
}

function uploads(env, req) {
  const [key, bad] = keyFor(req.filename);
  if (bad) return json(400, { error: bad });
  if (typeof req.contentType != "string") return json(400, { error: "contentType must be a string" });
  const size = req.size;
  if (!Number.isSafeInteger(size) || size < 1 || size > SINGLE_PUT_MAX)
    return json(400, { error: `size must be 1 byte to ${SINGLE_PUT_MAX} bytes` });
  const put = presignPut({
    ...target(env, key, 600), contentType: req.contentType,
    headers: { "content-length": String(size) },
  });
  return json(200, { ...put, key });
}

function downloads(env, req) {
  if (typeof req.key != "string" || !req.key.startsWith(PREFIX))
    return json(400, { error: `key must start with ${PREFIX}` });
  return json(200, { url: presignGet(target(env, req.key, 20)).url });
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    const route = { "/api/uploads": uploads, "/api/downloads": downloads }[pathname];
    if (!route) return json(404, { error: "not found" });
    if (request.method != "POST") return json(405, { error: "use POST with a JSON body" });
    let body;
    try {
      body = await request.json();
    } catch {
      return json(400, { error: "the body must be JSON" });
    }
    try {
      return route(env, body ?? {});
    } catch (e) {
      // The package's messages name the bad option and never contain a secret.
      return json(400, { error: e.message });
    }
  },
};
