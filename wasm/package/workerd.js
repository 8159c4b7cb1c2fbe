// Cloudflare Workers (workerd): the runtime compiles the imported .wasm; code may not compile
// WebAssembly from bytes there.
import module from "./s3presign.wasm";
import { init } from "./glue.js";
init(module);
export { presignGet, presignPut, presignPost, signHeaders } from "./glue.js";
