// Runs the package on cases read as JSON from stdin, `[{fn, options}]` (options.time as an
// ISO string), and prints `[{method, url, headers, fields?, expiresAt} | {error}]` as JSON.
// Driven by tests/edge.rs, which compares every answer with the native crate's.
import * as s3presign from "../node.js";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const answers = JSON.parse(input).map(({ fn, options }) => {
  try {
    const r = s3presign[fn]({ ...options, time: new Date(options.time) });
    return { ...r, expiresAt: r.expiresAt && r.expiresAt.toISOString() };
  } catch (e) {
    if (!(e instanceof Error)) return { error: `not an Error: ${e}` };
    return { error: e.message };
  }
});
process.stdout.write(JSON.stringify(answers));
