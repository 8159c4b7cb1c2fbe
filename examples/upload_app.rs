//! Browser uploads straight to S3: a small backend that hands out presigned requests and
//! one static page (`examples/upload_app/index.html`, plain HTML and JavaScript) that
//! uploads with them. The backend never receives a file's bytes and never ships a key.
//!
//! ```text
//! cargo run --example upload_app --features client
//! ```
//! The first line of stdout is the page's origin, `http://127.0.0.1:PORT/` (`PORT` from the
//! environment, else a free port): open it, pick a video, watch it upload and play it back.
//! With no environment it starts an embedded S3 server and needs no account. Against AWS or
//! any S3 endpoint (the bucket is created if needed):
//! ```text
//! AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... AWS_REGION=eu-west-1 \
//! S3PRESIGN_BUCKET=my-bucket [S3PRESIGN_ENDPOINT=http://127.0.0.1:8333] \
//! cargo run --example upload_app --features client
//! ```
//! At start the backend sets the bucket's CORS rule for its own origin
//! ([`CorsRule::browser_upload`]): without it the browser's preflight is refused.
//!
//! The JSON API (fixed, so other frontends can use it):
//! - `POST /api/uploads` `{filename, contentType, size, sha256?}`: up to 8 MiB the presigned
//!   PUT (`{method, url, headers, expires_at, key}`, `Content-Length` and the optional
//!   `x-amz-checksum-sha256` signed); above, a multipart plan
//!   `{key, upload_id, part_size, parts: [{part_number, url}]}` with 5 MiB parts.
//! - `POST /api/uploads/complete` `{key, upload_id, parts: [{part_number, etag}]}` -> `{key}`.
//! - `POST /api/forms` `{filename, contentType, maxSize}`: a presigned POST form
//!   (`{url, fields}`) limited to `1..=min(maxSize, 100 MiB)` bytes.
//! - `POST /api/downloads` `{key}` -> `{url}`: a 20-second presigned GET that saves the file
//!   under its original name.
//! - `GET /api/stats` -> `{fileBytesReceived, apiBytesReceived}`: request-body bytes the
//!   backend read outside JSON API calls (stays 0: files go to S3) and in them.
//!
//! With `UPLOAD_APP_TEST_HOOKS=1`, `DELETE /api/cors` and `PUT /api/cors` remove and restore
//! the bucket's CORS rule (the browser test shows that uploads then fail).

#[path = "../tests/common/bucket_config_server.rs"]
mod server;

use std::convert::Infallible;
use std::error::Error;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use serde_json::{Value, json};

use s3presign::client::{
    Client, CompletedPart, CorsConfiguration, CorsRule, CreateMultipartUpload, EnvCredentials,
};
use s3presign::s3::{ContentDisposition, Endpoint, PostPolicy};
use s3presign::{AmzDate, Credentials};

/// The page, read at start (edit it and restart: no build step).
const PAGE_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/upload_app/index.html"
);
const KEY_PREFIX: &str = "uploads/user-uploads/";
const SINGLE_PUT_MAX: u64 = 8 * 1024 * 1024;
const PART_SIZE: u64 = 5 * 1024 * 1024;
const FORM_MAX: u64 = 100 * 1024 * 1024;
/// S3's largest object.
const OBJECT_MAX: u64 = 5 * 1024 * 1024 * 1024 * 1024;
/// JSON request bodies above this are refused.
const JSON_MAX: usize = 64 * 1024;

struct App {
    page: Bytes,
    client: Client,
    bucket: String,
    origin: String,
    file_bytes: AtomicU64,
    api_bytes: AtomicU64,
    test_hooks: bool,
}

type Answer = hyper::Response<Full<Bytes>>;

fn reply(status: u16, body: &Value) -> Answer {
    let mut r = hyper::Response::new(Full::new(Bytes::from(body.to_string())));
    *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::OK);
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    r
}

fn bad(message: impl Into<String>) -> Answer {
    reply(400, &json!({ "error": message.into() }))
}

/// The object key for an uploaded file name: one path segment under `uploads/user-uploads/`.
fn key_for(filename: &str) -> Result<String, String> {
    if filename.is_empty() || filename.len() > 255 {
        return Err("filename must be 1 to 255 bytes long".into());
    }
    if matches!(filename, "." | "..") || filename.contains(['/', '\\']) {
        return Err("filename must be a plain file name (no '/', '\\', '.' or '..')".into());
    }
    if filename.chars().any(char::is_control) {
        return Err("filename must not contain control characters".into());
    }
    Ok(format!("{KEY_PREFIX}{filename}"))
}

fn str_field<'a>(v: &'a Value, name: &str) -> Result<&'a str, String> {
    v[name]
        .as_str()
        .ok_or_else(|| format!("field `{name}` (a string) is missing"))
}

fn u64_field(v: &Value, name: &str) -> Result<u64, String> {
    v[name]
        .as_u64()
        .ok_or_else(|| format!("field `{name}` (a non-negative integer) is missing"))
}

impl App {
    async fn uploads(&self, req: &Value) -> Result<Value, Box<dyn Error + Send + Sync>> {
        let key = key_for(str_field(req, "filename")?)?;
        let content_type = str_field(req, "contentType")?;
        let size = u64_field(req, "size")?;
        if size == 0 || size > OBJECT_MAX {
            return Err("size must be 1 byte to 5 TiB".into());
        }
        if size > SINGLE_PUT_MAX {
            return self.multipart_plan(&key, content_type, size).await;
        }
        let signer = self.client.signer().await?;
        let bucket = self.client.bucket(&self.bucket)?;
        let mut put = bucket
            .put_object(&key)
            .expires_in(600)
            .content_type(content_type)
            .content_length(size);
        if let Some(sha) = req["sha256"].as_str() {
            put = put.checksum_sha256(sha);
        }
        let mut answer = serde_json::to_value(put.sign(&signer, AmzDate::now()?)?)?;
        answer["key"] = json!(key);
        Ok(answer)
    }

    async fn multipart_plan(
        &self,
        key: &str,
        content_type: &str,
        size: u64,
    ) -> Result<Value, Box<dyn Error + Send + Sync>> {
        let count = size.div_ceil(PART_SIZE);
        let options = CreateMultipartUpload::new().content_type(content_type);
        let up = self
            .client
            .create_multipart_upload(&self.bucket, key, &options)
            .await?;
        let mut parts = Vec::new();
        for n in 1..=count {
            let part_number = u16::try_from(n)?;
            let p = self
                .client
                .presign_upload_part(&self.bucket, key, &up.upload_id, part_number, 3600)
                .await?;
            parts.push(json!({ "part_number": n, "url": p.url() }));
        }
        Ok(json!({
            "key": key,
            "upload_id": up.upload_id,
            "part_size": PART_SIZE,
            "parts": parts,
        }))
    }

    async fn complete(&self, req: &Value) -> Result<Value, Box<dyn Error + Send + Sync>> {
        let key = str_field(req, "key")?;
        if !key.starts_with(KEY_PREFIX) {
            return Err(format!("key must start with {KEY_PREFIX}").into());
        }
        let upload_id = str_field(req, "upload_id")?;
        let list = req["parts"]
            .as_array()
            .ok_or("field `parts` (a list) is missing")?;
        let mut parts = Vec::with_capacity(list.len());
        for p in list.iter().take(10_000) {
            let n = u16::try_from(u64_field(p, "part_number")?)?;
            parts.push(CompletedPart::new(n, str_field(p, "etag")?));
        }
        self.client
            .complete_multipart_upload(&self.bucket, key, upload_id, &parts)
            .await?;
        Ok(json!({ "key": key }))
    }

    async fn forms(&self, req: &Value) -> Result<Value, Box<dyn Error + Send + Sync>> {
        let key = key_for(str_field(req, "filename")?)?;
        let content_type = str_field(req, "contentType")?;
        let max = u64_field(req, "maxSize")?.clamp(1, FORM_MAX);
        let signer = self.client.signer().await?;
        let bucket = self.client.bucket(&self.bucket)?;
        let form = PostPolicy::new(&bucket)
            .key(&key)
            .content_type(content_type)
            .content_length_range(1, max)
            .success_action_status(201)
            .expires_in(600)
            .sign(&signer, AmzDate::now()?)?;
        Ok(serde_json::to_value(form)?)
    }

    async fn downloads(&self, req: &Value) -> Result<Value, Box<dyn Error + Send + Sync>> {
        let key = str_field(req, "key")?;
        let name = key
            .strip_prefix(KEY_PREFIX)
            .ok_or_else(|| format!("key must start with {KEY_PREFIX}"))?;
        let signer = self.client.signer().await?;
        let bucket = self.client.bucket(&self.bucket)?;
        let disposition = ContentDisposition::attachment(name);
        let get = bucket
            .get_object(key)
            .expires_in(20)
            .response_content_disposition_typed(&disposition)
            .sign(&signer, AmzDate::now()?)?;
        Ok(json!({ "url": get.url() }))
    }

    /// Sets the bucket's CORS rule for the page's origin (replacing any other rules).
    async fn allow_page_origin(&self) -> Result<Value, Box<dyn Error + Send + Sync>> {
        let rule = CorsRule::browser_upload(self.origin.as_str());
        let config = CorsConfiguration::new([rule]);
        self.client.put_bucket_cors(&self.bucket, &config).await?;
        Ok(json!({ "cors": "set" }))
    }

    /// Removes the bucket's CORS rules: browsers are then refused (test hook).
    async fn remove_cors(&self) -> Result<Value, Box<dyn Error + Send + Sync>> {
        self.client.delete_bucket_cors(&self.bucket).await?;
        Ok(json!({ "cors": "deleted" }))
    }

    fn stats(&self) -> Value {
        json!({
            "fileBytesReceived": self.file_bytes.load(Ordering::Relaxed),
            "apiBytesReceived": self.api_bytes.load(Ordering::Relaxed),
        })
    }
}

/// Reads a body, counting its bytes into `counter`; `None` past `limit` bytes.
async fn read_body(body: Incoming, counter: &AtomicU64, limit: usize) -> Option<Vec<u8>> {
    let mut body = body;
    let mut out = Vec::new();
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else { return None };
        if let Some(data) = frame.data_ref() {
            counter.fetch_add(data.len() as u64, Ordering::Relaxed);
            if out.len() + data.len() > limit {
                return None;
            }
            out.extend_from_slice(data);
        }
    }
    Some(out)
}

async fn handle(app: Arc<App>, req: hyper::Request<Incoming>) -> Result<Answer, Infallible> {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let json_call = parts.method == hyper::Method::POST
        && path.starts_with("/api/")
        && parts
            .headers
            .get(hyper::header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !json_call {
        // Anything else is read and counted: a file sent here would show in the stats.
        let _ = read_body(body, &app.file_bytes, 0).await;
        let hooks = app.test_hooks && path == "/api/cors";
        return Ok(match (parts.method.as_str(), path.as_str()) {
            ("GET", "/") => {
                let mut r = hyper::Response::new(Full::new(app.page.clone()));
                r.headers_mut().insert(
                    hyper::header::CONTENT_TYPE,
                    hyper::header::HeaderValue::from_static("text/html; charset=utf-8"),
                );
                r
            }
            ("GET", "/api/stats") => reply(200, &app.stats()),
            ("DELETE", _) if hooks => result(app.remove_cors().await),
            ("PUT", _) if hooks => result(app.allow_page_origin().await),
            _ => reply(404, &json!({ "error": "not found" })),
        });
    }
    let Some(bytes) = read_body(body, &app.api_bytes, JSON_MAX).await else {
        return Ok(bad("the request body must be JSON of at most 64 KiB"));
    };
    let Ok(value) = serde_json::from_slice::<Value>(&bytes) else {
        return Ok(bad("the request body is not valid JSON"));
    };
    Ok(match path.as_str() {
        "/api/uploads" => result(app.uploads(&value).await),
        "/api/uploads/complete" => result(app.complete(&value).await),
        "/api/forms" => result(app.forms(&value).await),
        "/api/downloads" => result(app.downloads(&value).await),
        _ => reply(404, &json!({ "error": "not found" })),
    })
}

fn result(r: Result<Value, Box<dyn Error + Send + Sync>>) -> Answer {
    match r {
        Ok(v) => reply(200, &v),
        Err(e) => bad(e.to_string()),
    }
}

/// The client and bucket: from the environment, or an embedded S3 server.
async fn storage() -> Result<(Client, String, Option<server::Server>), Box<dyn Error>> {
    if let Ok(bucket) = std::env::var("S3PRESIGN_BUCKET") {
        let region = std::env::var("AWS_REGION")
            .or_else(|_| std::env::var("AWS_DEFAULT_REGION"))
            .unwrap_or_else(|_| "us-east-1".into());
        let endpoint = match std::env::var("S3PRESIGN_ENDPOINT") {
            Ok(url) => Endpoint::custom(&url, &region)?,
            Err(_) => Endpoint::aws(&region)?,
        };
        let client = Client::builder()
            .endpoint(endpoint)
            .credentials(EnvCredentials)
            .build()?;
        return Ok((client, bucket, None));
    }
    let srv = server::start().await;
    eprintln!(
        "no S3PRESIGN_BUCKET: embedded S3 server at {}",
        srv.endpoint
    );
    let client = Client::builder()
        .endpoint(Endpoint::custom(&srv.endpoint, "us-east-1")?)
        .static_credentials(Credentials::new(server::ACCESS_KEY, server::SECRET_KEY))
        .build()?;
    Ok((client, "upload-app".into(), Some(srv)))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let page = std::fs::read(PAGE_PATH).map_err(|e| {
        format!("cannot read the page {PAGE_PATH} ({e}): run from a clone of the repository")
    })?;
    let port: u16 = match std::env::var("PORT") {
        Ok(p) => p.parse().map_err(|_| "PORT must be a port number")?,
        Err(_) => 0,
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    let origin = format!("http://{addr}");
    let (client, bucket, _embedded) = storage().await?;
    match client.create_bucket(&bucket).await {
        Ok(()) => {}
        Err(e) if e.code() == Some("BucketAlreadyOwnedByYou") => {}
        Err(e) if e.code() == Some("BucketAlreadyExists") => {}
        Err(e) => return Err(e.into()),
    }
    let app = Arc::new(App {
        page: Bytes::from(page),
        client,
        bucket,
        origin,
        file_bytes: AtomicU64::new(0),
        api_bytes: AtomicU64::new(0),
        test_hooks: std::env::var("UPLOAD_APP_TEST_HOOKS").is_ok_and(|v| v == "1"),
    });
    app.allow_page_origin()
        .await
        .map_err(|e| format!("could not set the bucket's CORS rule: {e}"))?;
    println!("{}/", app.origin);
    eprintln!("bucket {}, CORS rule for {}", app.bucket, app.origin);
    loop {
        let (stream, _) = listener.accept().await?;
        let app = Arc::clone(&app);
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |req| handle(Arc::clone(&app), req));
            let io = hyper_util::rt::TokioIo::new(stream);
            let _ =
                hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new())
                    .serve_connection(io, svc)
                    .await;
        });
    }
}
