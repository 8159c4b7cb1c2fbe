// s3presign's JavaScript half: writes the options into the WebAssembly module's memory,
// calls it, reads the answer. Loaded by node.js, workerd.js or index.js, which hand it the
// compiled module. The module reclaims its memory at the start of each call.
let x, u8;
const enc = new TextEncoder(), dec = new TextDecoder();
const str = (v) => (v == null ? "" : String(v));
const RESPONSE = ["contentType", "contentDisposition", "cacheControl", "contentEncoding", "contentLanguage", "expires"];

export function init(module) {
  x = new WebAssembly.Instance(module, {}).exports;
}

// The memory's buffer changes when it grows.
const view = () => (u8?.buffer === x.memory.buffer ? u8 : (u8 = new Uint8Array(x.memory.buffer)));

function call(op, o) {
  const c = o.credentials || {}, r = o.response || {}, h = o.headers || {};
  const list = [c.accessKeyId, c.secretAccessKey, c.sessionToken, o.endpoint, o.region, o.bucket,
    o.key, o.addressingStyle, o.versionId, o.contentType, o.contentTypeMode, o.method,
    o.payloadHash, ...RESPONSE.map((k) => r[k])];
  for (const k in h) list.push(k, h[k]);
  const strings = list.map(str);
  let n = 0;
  for (const s of strings) n += 4 + 3 * s.length; // UTF-8 takes at most 3 bytes per unit
  const start = x.a(n);
  if (!start) throw Error("the options are too large (over 1 MiB)");
  const m = view();
  let at = start;
  for (const s of strings) {
    const w = enc.encodeInto(s, m.subarray(at + 4, start + n)).written;
    m[at] = w; m[at + 1] = w >> 8; m[at + 2] = w >> 16; m[at + 3] = w >>> 24;
    at += 4 + w;
  }
  const range = o.contentLengthRange || [];
  const failed = x.s(op, at - start, o.expiresIn ?? NaN, Math.floor(+o.time / 1e3),
    range[0] ?? NaN, range[1] ?? NaN);
  const ptr = x.p();
  const t = dec.decode(view().subarray(ptr, ptr + x.l())).split("\0");
  if (failed) throw Error(t[0]);
  const pairs = {};
  for (let i = 3; i < t.length; i += 2) pairs[t[i]] = t[i + 1];
  const out = { method: t[0], url: t[1], headers: op == 2 ? {} : pairs,
    expiresAt: t[2] ? new Date(t[2] * 1e3) : null };
  if (op == 2) out.fields = pairs;
  return out;
}

export const presignGet = (o) => call(0, o);
export const presignPut = (o) => call(1, o);
export const presignPost = (o) => call(2, o);
export const signHeaders = (o) => call(3, o);
