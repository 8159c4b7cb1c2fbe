import m from "./s3presign.wasm";
import init from "./glue.js";
init(m);
export * from "./glue.js";
