// Browsers, Deno and bundlers: the module is fetched beside this file; the import finishes
// once it is compiled (top-level await), after which every function is synchronous.
import { init } from "./glue.js";
const wasm = await fetch(new URL("./s3presign.wasm", import.meta.url));
init(await WebAssembly.compile(await wasm.arrayBuffer()));
export { presignGet, presignPut, presignPost, signHeaders } from "./glue.js";
