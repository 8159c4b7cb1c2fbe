// Browsers, Deno, bundlers: the module beside this file is fetched and compiled once (top-level
// await); every function is synchronous afterwards.
import { init } from "./glue.js";
const r = await fetch(new URL("s3presign.wasm", import.meta.url));
init(await WebAssembly.compile(await r.arrayBuffer()));
export { presignGet, presignPut, presignPost, signHeaders } from "./glue.js";
