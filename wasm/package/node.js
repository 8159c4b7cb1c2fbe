// Node.js and Bun: the module is read and compiled synchronously.
import { readFileSync } from "node:fs";
import { init } from "./glue.js";
init(new WebAssembly.Module(readFileSync(new URL("s3presign.wasm", import.meta.url))));
export { presignGet, presignPut, presignPost, signHeaders } from "./glue.js";
