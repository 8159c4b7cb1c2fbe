// Cloudflare Workers: the runtime compiles the imported module (code may not compile bytes).
import m from "./s3presign.wasm";
import { init } from "./glue.js";
init(m);
export { presignGet, presignPut, presignPost, signHeaders } from "./glue.js";
