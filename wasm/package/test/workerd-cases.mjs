// As cases.mjs, inside workerd: starts the test Worker (workerd.mjs), posts the cases read
// from stdin to it and prints its answers. Driven by tests/edge.rs.
import { startWorkerd } from "./workerd.mjs";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const { url, stop } = await startWorkerd();
try {
  const r = await fetch(`${url}/cases`, { method: "POST", body: input });
  if (!r.ok) throw Error(`workerd answered ${r.status}: ${await r.text()}`);
  process.stdout.write(await r.text());
} finally {
  stop();
}
