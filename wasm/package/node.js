import { readFileSync } from "node:fs";
import init from "./glue.js";
init(new WebAssembly.Module(readFileSync(new URL("s3presign.wasm", import.meta.url))));
export * from "./glue.js";
