# workerd configuration for the example Worker (worker.js), with the s3presign package from
# ../package (build it first: `npm run build` there). Serve it on loopback:
#   ../package/node_modules/.bin/workerd serve config.capnp
# then POST {"filename": "a.txt", "contentType": "text/plain", "size": 5} to
# http://127.0.0.1:8787/api/uploads. Put real values in the bindings (or keep secrets out of
# the file with `fromEnvironment = "AWS_SECRET_ACCESS_KEY"` instead of `text`).
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:8787", http = (), service = "main")],
);

const worker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "worker.js"),
    (name = "s3presign", esModule = embed "../package/workerd.js"),
    (name = "glue.js", esModule = embed "../package/glue.js"),
    (name = "s3presign.wasm", wasm = embed "../package/s3presign.wasm"),
  ],
  compatibilityDate = "2025-01-01",
  bindings = [
    (name = "AWS_ACCESS_KEY_ID", text = "AKIAIOSFODNN7EXAMPLE"),
    (name = "AWS_SECRET_ACCESS_KEY", text = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    (name = "AWS_REGION", text = "us-east-1"),
    (name = "S3_BUCKET", text = "uploads"),
    (name = "S3_ENDPOINT", text = "http://127.0.0.1:9000"),
  ],
);
