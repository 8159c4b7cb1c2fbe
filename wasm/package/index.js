import init from "./glue.js";
const r = await fetch(new URL("s3presign.wasm", import.meta.url));
init(await WebAssembly.compile(await r.arrayBuffer()));
export * from "./glue.js";
