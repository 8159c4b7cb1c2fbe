# workerd configuration of the test Worker (worker.js), used by tests/edge.rs and the bench,
# which copy it beside worker.js, answer.js, the package's workerd.js (as "s3presign"),
# glue.js, s3presign.wasm and aws4fetch's ES module (as "aws4fetch"), and pick the port with
# --socket-addr http=127.0.0.1:PORT.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:8788", http = (), service = "main")],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "answer.js", esModule = embed "answer.js"),
    (name = "s3presign", esModule = embed "workerd.js"),
    (name = "glue.js", esModule = embed "glue.js"),
    (name = "s3presign.wasm", wasm = embed "s3presign.wasm"),
    (name = "aws4fetch", esModule = embed "aws4fetch.js"),
  ],
  compatibilityDate = "2025-01-01",
);
