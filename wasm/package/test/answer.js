// The package's answers to `[{fn, options}]` (options.time as an ISO string), as JSON-ready
// `{method, url, headers, fields?, expiresAt} | {error}`. Shared by cases.mjs (Node) and
// worker.js (workerd).
export function answer(s3presign, cases) {
  return cases.map(({ fn, options }) => {
    try {
      const r = s3presign[fn]({ ...options, time: new Date(options.time) });
      return { ...r, expiresAt: r.expiresAt && r.expiresAt.toISOString() };
    } catch (e) {
      if (!(e instanceof Error)) return { error: `not an Error: ${e}` };
      return { error: e.message };
    }
  });
}
