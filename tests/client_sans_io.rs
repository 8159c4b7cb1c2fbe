//! The client's operations without the client (feature `http` only: no reqwest): requests
//! prepared by `Operation::prepare`, sent over a raw HTTP/1.1 socket to a real S3 server
//! (s3s-fs, which verifies every signature), answers read by `Operation::parse_response`.
//!
//! ```text
//! cargo test --no-default-features --features http --test client_sans_io
//! ```

mod common;

use bytes::Bytes;
use common::{http1, s3s_server};
use s3presign::client::{
    DeleteObjectsOp, GetObject, GetObjectOp, ListObjectsV2, ListObjectsV2Op, ObjectIdentifier,
    Operation, PutObject, PutObjectOp,
};
use s3presign::s3::Endpoint;
use s3presign::sigv4::{Payload, SignableRequest, SigningParams, SigningSettings, sign_headers};
use s3presign::{AmzDate, Credentials, Signer};

const ACCESS_KEY: &str = "AKIDSANSIO";
const SECRET: &str = "sans-io-secret-key";

/// Sends a prepared request byte for byte and returns the answer as an `http::Response`.
async fn run(addr: std::net::SocketAddr, req: &http::Request<Bytes>) -> http::Response<Bytes> {
    let headers: Vec<(&str, &str)> = req
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str(), v.to_str().unwrap()))
        .collect();
    let url = req.uri().to_string();
    let resp = http1::send(addr, req.method().as_str(), &url, &headers, req.body()).await;
    let mut out = http::Response::builder().status(resp.status);
    for (n, v) in &resp.headers {
        out = out.header(n, v);
    }
    out.body(Bytes::from(resp.body)).unwrap()
}

/// Recomputes the `Authorization` header with the core's `sign_headers` from the prepared
/// request's method, path, query, headers and body.
fn core_authorization(req: &http::Request<Bytes>, signer: &Signer, now: AmzDate) -> String {
    const ADDED: [&str; 4] = [
        "authorization",
        "x-amz-date",
        "x-amz-content-sha256",
        "x-amz-security-token",
    ];
    let headers: Vec<(&str, &str)> = req
        .headers()
        .iter()
        .filter(|(n, _)| !ADDED.contains(&n.as_str()))
        .map(|(n, v)| (n.as_str(), v.to_str().unwrap()))
        .collect();
    let uri = req.uri();
    let signable = SignableRequest::new(
        req.method().as_str(),
        uri.path(),
        uri.query().unwrap_or(""),
        &headers,
        Payload::Bytes(req.body()),
    );
    let params =
        SigningParams::new(signer, "us-east-1", "s3", now).with_settings(SigningSettings::s3());
    sign_headers(&signable, &params)
        .unwrap()
        .authorization()
        .to_owned()
}

#[tokio::test]
async fn list_and_delete_objects_without_a_client() {
    let (url, server, dir) = s3s_server::start(ACCESS_KEY, SECRET).await;
    s3s_server::create_bucket(&dir, "media");
    let endpoint = Endpoint::custom(&url, "us-east-1").unwrap();
    let signer = Signer::new(Credentials::new(ACCESS_KEY, SECRET)).unwrap();
    let now = AmzDate::now().unwrap();

    let keys = ["videos/a b.mp4", "videos/été+1.mp4", "other/c.txt"];
    let plain = PutObject::new();
    for key in keys {
        let put = PutObjectOp::new("media", key, &b"data"[..], &plain);
        let req = put.prepare(&endpoint, &signer, now).unwrap();
        let out = put.parse_response(run(server.addr, &req).await).unwrap();
        assert!(out.etag.is_some(), "{key}");
    }

    // s3s-fs echoes `encoding-type=url` without encoding `+` the way S3 does: ask for plain
    // keys here (tests/client.rs covers S3's url encoding with a faithful server).
    // Downloads are checked against the checksum the upload stored.
    let whole = GetObject::new();
    let get = GetObjectOp::new("media", keys[0], &whole);
    let req = get.prepare(&endpoint, &signer, now).unwrap();
    assert_eq!(req.headers()["x-amz-checksum-mode"], "ENABLED");
    let answer = run(server.addr, &req).await;
    assert_eq!(
        answer
            .headers()
            .get("x-amz-checksum-crc32")
            .map(|v| v.to_str().unwrap()),
        Some("rfPzYw=="),
        "the store kept the upload's CRC32 (of \"data\")"
    );
    assert_eq!(get.parse_response(answer).unwrap().body, &b"data"[..]);

    let options = ListObjectsV2::new().prefix("videos/").url_encoding(false);
    let list = ListObjectsV2Op::new("media", &options);
    let req = list.prepare(&endpoint, &signer, now).unwrap();
    assert_eq!(req.method(), "GET");
    assert_eq!(
        req.uri().query(),
        Some("list-type=2&prefix=videos%2F"),
        "the query is built sorted and encoded once"
    );
    assert_eq!(
        req.headers()["authorization"].to_str().unwrap(),
        core_authorization(&req, &signer, now),
        "the prepared request is what the core signs"
    );
    let page = list.parse_response(run(server.addr, &req).await).unwrap();
    let listed: Vec<&str> = page.contents.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(listed, ["videos/a b.mp4", "videos/été+1.mp4"]);
    assert!(!page.is_truncated);

    let ids: Vec<ObjectIdentifier> = keys.iter().map(|k| ObjectIdentifier::new(*k)).collect();
    let delete = DeleteObjectsOp::new("media", &ids);
    let req = delete.prepare(&endpoint, &signer, now).unwrap();
    assert_eq!(req.method(), "POST");
    assert_eq!(req.uri().query(), Some("delete"));
    assert!(req.headers().contains_key("x-amz-checksum-sha256"));
    assert_eq!(
        req.headers()["authorization"].to_str().unwrap(),
        core_authorization(&req, &signer, now)
    );
    let out = delete.parse_response(run(server.addr, &req).await).unwrap();
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let mut deleted: Vec<&str> = out.deleted.iter().map(|d| d.key.as_str()).collect();
    deleted.sort_unstable();
    assert_eq!(
        deleted,
        ["other/c.txt", "videos/a b.mp4", "videos/été+1.mp4"]
    );
    for key in keys {
        assert!(
            !s3s_server::object_path(&dir, "media", key).exists(),
            "{key}"
        );
    }
}

#[tokio::test]
async fn error_answers_become_typed_errors() {
    let (url, server, _dir) = s3s_server::start(ACCESS_KEY, SECRET).await;
    let endpoint = Endpoint::custom(&url, "us-east-1").unwrap();
    let signer = Signer::new(Credentials::new(ACCESS_KEY, SECRET)).unwrap();
    let options = ListObjectsV2::new();
    let list = ListObjectsV2Op::new("no-such-bucket", &options);
    let req = list
        .prepare(&endpoint, &signer, AmzDate::now().unwrap())
        .unwrap();
    let e = list
        .parse_response(run(server.addr, &req).await)
        .unwrap_err();
    assert_eq!(e.code(), Some("NoSuchBucket"), "{e}");
    assert!(e.is_not_found());
}
