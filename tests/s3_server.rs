//! Round trips against a real signature-verifying S3 server (s3s + s3s-fs, 0.14.1) started
//! in-process on 127.0.0.1:0. Requests are sent over a raw HTTP/1.1 socket so the request
//! target is exactly the presigned URL's path and query.
//!
//! What the s3s-fs backend cannot store (the test proves acceptance another way; see
//! `s3s_fs_support`): s3s-fs maps a key to a file path under the bucket directory.
//! - A key ending in `/` is a "directory object": s3s-fs creates a directory and rejects a
//!   non-empty body with `UnexpectedContent` (after verifying the signature); a GET cannot
//!   read a directory. The test PUTs it with an empty body (200) and checks the directory.
//! - A key starting with `/` is an absolute path outside the data root, and `seg/..`
//!   resolves to the bucket directory itself: PUT and GET answer `InternalError`.
//! - Keys over about 160 bytes: s3s-fs names a metadata file after the base64 of the key,
//!   which then exceeds the 255-byte file-name limit; the data file is written, the PUT
//!   answers `InternalError`, and the GET returns the data.
//!
//! For these keys the test checks the storage error *and* that the same URL with one
//! signature digit changed is refused with `SignatureDoesNotMatch`: the storage error comes
//! after the signature was accepted. Also:
//! - `a/../b` and `./x` are stored at the normalised path, but the key itself reaches the
//!   server unnormalised: s3s-fs names the object's metadata file after the base64 of the
//!   exact key it received, and the test checks that file exists for every stored key.
//!
//! s3s is lenient with some wrongly encoded paths (it percent-decodes the path and
//! re-encodes it when verifying), so these tests complement, not replace, the vectors and
//! the comparisons with botocore and the AWS SDK for JavaScript.

mod common;

use common::http1::{self, Response};
use common::s3s_server::{self, ServerHandle};
use s3presign::s3::{AddressingStyle, Bucket, ContentTypeMode, Endpoint};
use s3presign::sigv4::{Payload, SignableRequest, SigningParams, SigningSettings, sign_headers};
use s3presign::{AmzDate, Credentials, Signer};

const ACCESS_KEY: &str = "AKIAS3SERVERTEST0001";
const SECRET: &str = "s3s/test+secret=key/wJalrXUtnFEMI/K7MDENG";
const REGION: &str = "us-east-1";

struct Server {
    endpoint: String,
    handle: ServerHandle,
    dir: tempfile::TempDir,
    signer: Signer,
}

impl Server {
    async fn start(buckets: &[&str]) -> Self {
        let (endpoint, handle, dir) = s3s_server::start(ACCESS_KEY, SECRET).await;
        for b in buckets {
            s3s_server::create_bucket(&dir, b);
        }
        let signer = Signer::new(Credentials::new(ACCESS_KEY, SECRET)).unwrap();
        Self {
            endpoint,
            handle,
            dir,
            signer,
        }
    }

    /// A path-style bucket on `http://127.0.0.1:PORT`.
    fn path_bucket(&self, name: &str) -> Bucket {
        let ep = Endpoint::custom(&self.endpoint, REGION).unwrap();
        let b = Bucket::new(&ep, name).unwrap();
        assert_eq!(b.addressing_style(), AddressingStyle::Path);
        b
    }

    /// A virtual-hosted bucket on `http://localhost:PORT` (Host `NAME.localhost:PORT`).
    fn virtual_bucket(&self, name: &str) -> Bucket {
        let ep = Endpoint::custom(&self.handle.virtual_host_endpoint(), REGION)
            .unwrap()
            .with_addressing_style(AddressingStyle::VirtualHosted);
        let b = Bucket::new(&ep, name).unwrap();
        assert_eq!(
            b.host(),
            format!("{name}.{}", self.handle.virtual_host_base())
        );
        b
    }

    async fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Response {
        http1::send(self.handle.addr, method, url, headers, body).await
    }

    /// The metadata file s3s-fs writes for the exact key it received.
    fn metadata_file_exists(&self, bucket: &str, key: &str) -> bool {
        let name = format!(
            ".bucket-{}.object-{}.metadata.json",
            base64_url_no_pad(bucket.as_bytes()),
            base64_url_no_pad(key.as_bytes())
        );
        self.dir.path().join(name).exists()
    }
}

fn now() -> AmzDate {
    AmzDate::now().unwrap()
}

/// Base64 with the URL-safe alphabet and no padding (how s3s-fs names metadata files).
fn base64_url_no_pad(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

#[test]
fn base64_helper_matches_rfc4648_vectors() {
    // RFC 4648 section 10, without padding; plus the URL-safe characters.
    for (input, expected) in [
        ("", ""),
        ("f", "Zg"),
        ("fo", "Zm8"),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg"),
        ("fooba", "Zm9vYmE"),
        ("foobar", "Zm9vYmFy"),
        ("\u{fb}\u{ff}", "w7vDvw"),
    ] {
        assert_eq!(base64_url_no_pad(input.as_bytes()), expected, "{input:?}");
    }
    assert_eq!(base64_url_no_pad(&[0xfb, 0xff]), "-_8");
}

fn assert_status(resp: &Response, status: u16, what: &str) {
    assert_eq!(
        resp.status,
        status,
        "{what}: expected {status}, got {} {}",
        resp.status,
        resp.text()
    );
}

fn assert_rejected(resp: &Response, code: &str, what: &str) {
    assert_status(resp, 403, what);
    assert_eq!(
        resp.s3_error_code().as_deref(),
        Some(code),
        "{what}: {}",
        resp.text()
    );
}

/// Keys with every awkward character. Each segment stays under the 255-byte file-name limit
/// of the file system behind s3s-fs.
fn awkward_keys() -> Vec<String> {
    let mut keys: Vec<String> = [
        "plain.txt",
        "/leading-slash",
        "//two-leading-slashes",
        "a//double//slash",
        "./dot-segment/./x",
        "dotdot/../y",
        "seg/..",
        "with space.txt",
        " leading and trailing space ",
        "plus+sign",
        "equals=sign",
        "amp&ersand",
        "question?mark",
        "hash#tag",
        "percent%",
        "percent%20encoded-looking",
        "percent%2F-slash-looking",
        "tilde~",
        "semicolon;colon:comma,at@dollar$",
        "brackets[]{}()<>",
        "quotes'\"`",
        "pipe|caret^backslash\\",
        "star*bang!",
        "unicode/ünïcødé/日本語/🦀.txt",
        "combining e\u{301} vs \u{e9}",
        "tab\tchar",
        "X-Amz-Signature=fake&x",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // 150 bytes (about the longest s3s-fs can store, see `s3s_fs_support`).
    let medium = format!("{}/ü +=&?#%~/{}", "m".repeat(70), "n".repeat(68));
    assert_eq!(medium.len(), 150);
    keys.push(medium);
    // 1024 bytes, the maximum: 4 segments of 254 bytes, 4 slashes and a 4-byte name.
    let seg = "k".repeat(254);
    let long = format!("{seg}/{seg}/{seg}/{seg}/abcd");
    assert_eq!(long.len(), 1024);
    keys.push(long);
    // 1024 bytes of multi-byte characters (3 bytes each) split into short segments.
    let mut uni = String::new();
    while uni.len() + 4 <= 1024 {
        if uni.len() % 200 > 196 {
            uni.push('/');
        } else {
            uni.push('語');
        }
    }
    while uni.len() < 1024 {
        uni.push('z');
    }
    assert_eq!(uni.len(), 1024);
    keys.push(uni);
    keys
}

/// What s3s-fs can do with a key. It joins the key to the bucket directory as a file path,
/// so a key starting with `/` is an absolute path outside its root, and a key whose `.`/`..`
/// segments resolve to the bucket directory itself (`seg/..`) names a directory, not a
/// file: the PUT and the GET both fail with `InternalError` (`Unstorable`). It also names a
/// metadata file after the base64 of the key, so for keys over about 160 bytes that name
/// exceeds the file system's 255-byte limit: the data file is written but the PUT then
/// fails with `InternalError`, and a GET serves the data (`DataOnly`). All these errors
/// come from the storage layer, after the signature was verified.
#[derive(Debug, PartialEq)]
enum S3sFs {
    Stores,
    DataOnly,
    Unstorable,
}

fn s3s_fs_support(key: &str) -> S3sFs {
    let mut depth = 0usize;
    for seg in key.split('/') {
        match seg {
            "" | "." => {}
            ".." => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return S3sFs::Unstorable,
            },
            _ => depth += 1,
        }
    }
    if key.starts_with('/') || depth == 0 {
        S3sFs::Unstorable
    } else if key.len() > 150 {
        S3sFs::DataOnly
    } else {
        S3sFs::Stores
    }
}

async fn put_then_get(server: &Server, bucket: &Bucket, key: &str) {
    let body = format!("contents of {key:?} in {}", bucket.name()).into_bytes();
    let put = bucket
        .put_object(key)
        .expires_in(60)
        .sign(&server.signer, now())
        .unwrap();
    assert_eq!(put.method(), "PUT");
    let resp = server.send("PUT", put.url(), &[], &body).await;
    let support = s3s_fs_support(key);
    if support != S3sFs::Stores {
        // Proof that the signature was accepted: the storage layer's error, while the
        // same URL with one signature digit changed is refused by the authentication.
        assert_status(&resp, 500, &format!("PUT {key:?} (storage error expected)"));
        assert_eq!(resp.s3_error_code().as_deref(), Some("InternalError"));
        let resp = server
            .send("PUT", &tamper_signature(put.url()), &[], &body)
            .await;
        assert_rejected(
            &resp,
            "SignatureDoesNotMatch",
            &format!("tampered PUT {key:?}"),
        );
        let get = bucket
            .get_object(key)
            .sign_url(&server.signer, now())
            .unwrap();
        let resp = server.send("GET", &get, &[], b"").await;
        if support == S3sFs::DataOnly {
            assert_status(&resp, 200, &format!("GET {key:?} (data file was written)"));
            assert_eq!(resp.body, body, "GET {key:?} returned other bytes");
        } else {
            assert_status(&resp, 500, &format!("GET {key:?} (storage error expected)"));
            assert_eq!(resp.s3_error_code().as_deref(), Some("InternalError"));
        }
        let resp = server.send("GET", &tamper_signature(&get), &[], b"").await;
        assert_rejected(
            &resp,
            "SignatureDoesNotMatch",
            &format!("tampered GET {key:?}"),
        );
        return;
    }
    assert_status(&resp, 200, &format!("PUT {key:?} ({})", put.url()));
    assert!(
        server.metadata_file_exists(bucket.name(), key),
        "s3s-fs did not receive the exact key {key:?}"
    );

    let get = bucket
        .get_object(key)
        .expires_in(60)
        .sign_url(&server.signer, now())
        .unwrap();
    let resp = server.send("GET", &get, &[], b"").await;
    assert_status(&resp, 200, &format!("GET {key:?} ({get})"));
    assert_eq!(resp.body, body, "GET {key:?} returned other bytes");
}

#[tokio::test]
async fn awkward_keys_round_trip_path_style() {
    let server = Server::start(&["roundtrip"]).await;
    let bucket = server.path_bucket("roundtrip");
    for key in awkward_keys() {
        put_then_get(&server, &bucket, &key).await;
    }
}

#[tokio::test]
async fn awkward_keys_round_trip_virtual_hosted() {
    let server = Server::start(&["vhosted"]).await;
    let bucket = server.virtual_bucket("vhosted");
    let url = bucket
        .get_object("k")
        .sign_url(&server.signer, now())
        .unwrap();
    assert!(url.starts_with(&format!(
        "http://vhosted.localhost:{}/k?",
        server.handle.addr.port()
    )));
    for key in awkward_keys() {
        put_then_get(&server, &bucket, &key).await;
    }
    // The object really is in the bucket named by the Host header.
    assert!(s3s_server::object_path(&server.dir, "vhosted", "plain.txt").is_file());
}

#[tokio::test]
async fn trailing_slash_key_is_a_directory_object_in_s3s_fs() {
    let server = Server::start(&["dirs"]).await;
    let bucket = server.path_bucket("dirs");
    let key = "folder/sub/";
    let put = bucket
        .put_object(key)
        .sign_url(&server.signer, now())
        .unwrap();
    assert!(put.contains("/dirs/folder/sub/?"), "{put}");

    // With a body: s3s-fs refuses a directory object with content. That error comes from
    // the storage layer, after the signature was verified.
    let resp = server.send("PUT", &put, &[], b"data").await;
    assert_eq!(resp.status, 400, "{}", resp.text());
    assert_eq!(resp.s3_error_code().as_deref(), Some("UnexpectedContent"));

    // Empty: accepted, and the directory exists.
    let resp = server.send("PUT", &put, &[], b"").await;
    assert_status(&resp, 200, "PUT empty directory object");
    assert!(s3s_server::object_path(&server.dir, "dirs", "folder/sub").is_dir());

    // The same URL with a tampered signature is refused before reaching storage.
    let resp = server.send("PUT", &tamper_signature(&put), &[], b"").await;
    assert_rejected(&resp, "SignatureDoesNotMatch", "tampered directory PUT");
}

fn tamper_signature(url: &str) -> String {
    let mut s = url.to_owned();
    let last = s.pop().unwrap();
    s.push(if last == '0' { '1' } else { '0' });
    s
}

#[tokio::test]
async fn tampered_expired_and_wrong_method_are_rejected() {
    let server = Server::start(&["guarded"]).await;
    let bucket = server.path_bucket("guarded");
    let key = "secret file+1.txt";
    let put = bucket
        .put_object(key)
        .sign_url(&server.signer, now())
        .unwrap();
    assert_status(
        &server.send("PUT", &put, &[], b"top secret").await,
        200,
        "PUT",
    );

    let get = bucket
        .get_object(key)
        .expires_in(30)
        .sign_url(&server.signer, now())
        .unwrap();
    assert_status(&server.send("GET", &get, &[], b"").await, 200, "GET");

    // Tampered signature.
    let resp = server.send("GET", &tamper_signature(&get), &[], b"").await;
    assert_rejected(&resp, "SignatureDoesNotMatch", "tampered signature");

    // Tampered key (same signature, another object).
    let other = get.replacen("secret%20file%2B1.txt", "secret%20file%2B2.txt", 1);
    assert_ne!(other, get);
    let resp = server.send("GET", &other, &[], b"").await;
    assert_rejected(&resp, "SignatureDoesNotMatch", "tampered key");

    // Tampered expiry (a longer lifetime than signed).
    let longer = get.replacen("X-Amz-Expires=30", "X-Amz-Expires=31", 1);
    assert_ne!(longer, get);
    let resp = server.send("GET", &longer, &[], b"").await;
    assert_rejected(&resp, "SignatureDoesNotMatch", "tampered expiry");

    // Expired: signed an hour ago for 60 seconds.
    let past = AmzDate::from_unix_timestamp(now().unix_timestamp() - 3600).unwrap();
    let expired = bucket
        .get_object(key)
        .expires_in(60)
        .sign_url(&server.signer, past)
        .unwrap();
    let resp = server.send("GET", &expired, &[], b"").await;
    assert_rejected(&resp, "AccessDenied", "expired URL");
    // ...while the same past date with a long enough expiry is still valid.
    let valid = bucket
        .get_object(key)
        .expires_in(7200)
        .sign_url(&server.signer, past)
        .unwrap();
    assert_status(
        &server.send("GET", &valid, &[], b"").await,
        200,
        "old but unexpired URL",
    );

    // Wrong method: a GET URL used to PUT or DELETE, a PUT URL used to GET.
    let resp = server.send("PUT", &get, &[], b"overwrite").await;
    assert_rejected(&resp, "SignatureDoesNotMatch", "GET URL used for PUT");
    let resp = server.send("DELETE", &get, &[], b"").await;
    assert_rejected(&resp, "SignatureDoesNotMatch", "GET URL used for DELETE");
    let resp = server.send("GET", &put, &[], b"").await;
    assert_rejected(&resp, "SignatureDoesNotMatch", "PUT URL used for GET");

    // Wrong secret.
    let wrong = Signer::new(Credentials::new(ACCESS_KEY, "not the secret")).unwrap();
    let url = bucket.get_object(key).sign_url(&wrong, now()).unwrap();
    let resp = server.send("GET", &url, &[], b"").await;
    assert_rejected(&resp, "SignatureDoesNotMatch", "wrong secret");

    // Nothing was overwritten.
    let resp = server.send("GET", &get, &[], b"").await;
    assert_eq!(resp.body, b"top secret");
}

#[tokio::test]
async fn signed_content_type_must_be_sent_exactly() {
    let server = Server::start(&["uploads"]).await;
    let bucket = server.path_bucket("uploads");
    let key = "uploads/user-uploads/clip.mp4";
    let put = bucket
        .put_object(key)
        .content_type("video/mp4")
        .expires_in(60)
        .sign(&server.signer, now())
        .unwrap();
    assert!(
        put.url()
            .contains("X-Amz-SignedHeaders=content-type%3Bhost&"),
        "{}",
        put.url()
    );
    let headers: Vec<(&str, &str)> = put.headers().collect();
    assert_eq!(headers, [("content-type", "video/mp4")]);

    let resp = server
        .send("PUT", put.url(), &[("Content-Type", "text/plain")], b"x")
        .await;
    assert_rejected(&resp, "SignatureDoesNotMatch", "other content type");
    let resp = server.send("PUT", put.url(), &[], b"x").await;
    assert_rejected(&resp, "SignatureDoesNotMatch", "no content type");

    let resp = server
        .send("PUT", put.url(), &headers, b"\x00\x00\x00\x18ftypmp42")
        .await;
    assert_status(&resp, 200, "PUT with the signed content type");

    let head = bucket
        .head_object(key)
        .sign_url(&server.signer, now())
        .unwrap();
    let resp = server.send("HEAD", &head, &[], b"").await;
    assert_status(&resp, 200, "HEAD");
    assert_eq!(resp.header("content-type"), Some("video/mp4"));
    assert_eq!(resp.header("content-length"), Some("12"));
}

#[tokio::test]
async fn unsigned_content_type_accepts_any_type() {
    let server = Server::start(&["loose"]).await;
    let bucket = server.path_bucket("loose");
    let put = bucket
        .put_object("a.bin")
        .content_type("video/mp4")
        .content_type_mode(ContentTypeMode::Unsigned)
        .sign(&server.signer, now())
        .unwrap();
    assert!(
        put.url().contains("X-Amz-SignedHeaders=host&"),
        "{}",
        put.url()
    );
    assert_eq!(
        put.headers().collect::<Vec<_>>(),
        [("content-type", "video/mp4")]
    );
    for ct in ["video/mp4", "application/octet-stream"] {
        let resp = server
            .send("PUT", put.url(), &[("Content-Type", ct)], ct.as_bytes())
            .await;
        assert_status(&resp, 200, ct);
    }
}

/// `content_length` and `checksum_sha256` bind a presigned PUT to one size and one body.
#[tokio::test]
async fn signed_length_and_checksum_bind_the_upload() {
    use sha2::Digest as _;
    let server = Server::start(&["bound"]).await;
    let bucket = server.path_bucket("bound");
    let body = b"hello";
    let sha = base64_std(&sha2::Sha256::digest(body));
    let put = bucket
        .put_object("bound.txt")
        .content_length(body.len() as u64)
        .checksum_sha256(&sha)
        .sign(&server.signer, now())
        .unwrap();
    assert!(
        put.url()
            .contains("X-Amz-SignedHeaders=content-length%3Bhost%3Bx-amz-checksum-sha256&"),
        "{}",
        put.url()
    );
    // The HTTP client writes Content-Length from the body; the checksum is sent as given.
    let checksum = [("x-amz-checksum-sha256", sha.as_str())];
    let resp = server
        .send("PUT", put.url(), &checksum, b"hello, more")
        .await;
    assert_rejected(&resp, "SignatureDoesNotMatch", "a longer body");
    let resp = server.send("PUT", put.url(), &[], body).await;
    assert_rejected(&resp, "SignatureDoesNotMatch", "no checksum header");
    let resp = server.send("PUT", put.url(), &checksum, b"jello").await;
    assert!(
        resp.status >= 400,
        "same length, other bytes: {} {}",
        resp.status,
        resp.text()
    );
    let resp = server.send("PUT", put.url(), &checksum, body).await;
    assert_status(&resp, 200, "PUT of the signed size and checksum");

    let bad = bucket
        .put_object("x")
        .checksum_sha256("aGVsbG8=")
        .sign(&server.signer, now());
    let e = bad.unwrap_err().to_string();
    assert!(e.contains("x-amz-checksum-sha256"), "{e}");
}

#[tokio::test]
async fn extra_signed_headers_are_required() {
    let server = Server::start(&["meta"]).await;
    let bucket = server.path_bucket("meta");
    let put = bucket
        .put_object("report.csv")
        .content_type("text/csv")
        .header("x-amz-meta-owner", "  Zoë   Q. ")
        .header("Cache-Control", "max-age=60")
        .sign(&server.signer, now())
        .unwrap();
    let headers: Vec<(&str, &str)> = put.headers().collect();
    assert_eq!(
        headers,
        [
            ("cache-control", "max-age=60"),
            ("content-type", "text/csv"),
            ("x-amz-meta-owner", "Zoë Q."),
        ]
    );
    let without_meta: Vec<(&str, &str)> = headers[..2].to_vec();
    let resp = server.send("PUT", put.url(), &without_meta, b"a,b").await;
    assert_rejected(&resp, "SignatureDoesNotMatch", "missing x-amz-meta-owner");
    let resp = server.send("PUT", put.url(), &headers, b"a,b").await;
    assert_status(&resp, 200, "PUT with all signed headers");

    let head = bucket
        .head_object("report.csv")
        .sign_url(&server.signer, now())
        .unwrap();
    let resp = server.send("HEAD", &head, &[], b"").await;
    assert_status(&resp, 200, "HEAD");
    assert_eq!(resp.header("cache-control"), Some("max-age=60"));
    // s3s returns non-ASCII metadata as an RFC 2047 encoded word; its presence is enough.
    assert!(resp.header("x-amz-meta-owner").is_some());
}

#[tokio::test]
async fn session_token_is_signed() {
    let server = Server::start(&["temp"]).await;
    let bucket = server.path_bucket("temp");
    let token = "FwoGZXIvYXdzEJr//////////wEaDKz+token/with=odd&chars".repeat(12);
    let signer =
        Signer::new(Credentials::new(ACCESS_KEY, SECRET).with_session_token(token.clone()))
            .unwrap();
    let put = bucket.put_object("t.txt").sign_url(&signer, now()).unwrap();
    assert!(
        put.contains("&X-Amz-Security-Token=FwoGZXIvYXdzEJr%2F%2F"),
        "{put}"
    );
    assert_status(
        &server.send("PUT", &put, &[], b"temporary").await,
        200,
        "PUT with token",
    );
    let get = bucket.get_object("t.txt").sign_url(&signer, now()).unwrap();
    let resp = server.send("GET", &get, &[], b"").await;
    assert_status(&resp, 200, "GET with token");
    assert_eq!(resp.body, b"temporary");

    // The token is covered by the signature.
    let changed = get.replacen("X-Amz-Security-Token=Fwo", "X-Amz-Security-Token=Gwo", 1);
    assert_ne!(changed, get);
    let resp = server.send("GET", &changed, &[], b"").await;
    assert_rejected(&resp, "SignatureDoesNotMatch", "tampered token");
}

#[tokio::test]
async fn head_and_delete_presigned() {
    let server = Server::start(&["life"]).await;
    let bucket = server.path_bucket("life");
    let key = "dir/ä b+c.txt";
    let put = bucket
        .put_object(key)
        .sign_url(&server.signer, now())
        .unwrap();
    assert_status(&server.send("PUT", &put, &[], b"12345").await, 200, "PUT");

    let head = bucket
        .head_object(key)
        .sign_url(&server.signer, now())
        .unwrap();
    let resp = server.send("HEAD", &head, &[], b"").await;
    assert_status(&resp, 200, "HEAD");
    assert_eq!(resp.header("content-length"), Some("5"));
    // A HEAD URL is not a GET URL.
    let resp = server.send("GET", &head, &[], b"").await;
    assert_rejected(&resp, "SignatureDoesNotMatch", "HEAD URL used for GET");

    let delete = bucket
        .delete_object(key)
        .sign_url(&server.signer, now())
        .unwrap();
    let resp = server
        .send("DELETE", &tamper_signature(&delete), &[], b"")
        .await;
    assert_rejected(&resp, "SignatureDoesNotMatch", "tampered DELETE");
    assert!(s3s_server::object_path(&server.dir, "life", key).is_file());
    let resp = server.send("DELETE", &delete, &[], b"").await;
    assert_status(&resp, 204, "DELETE");
    assert!(!s3s_server::object_path(&server.dir, "life", key).exists());

    let resp = server.send("HEAD", &head, &[], b"").await;
    assert_status(&resp, 404, "HEAD after DELETE");
    let get = bucket
        .get_object(key)
        .sign_url(&server.signer, now())
        .unwrap();
    let resp = server.send("GET", &get, &[], b"").await;
    assert_status(&resp, 404, "GET after DELETE");
    assert_eq!(resp.s3_error_code().as_deref(), Some("NoSuchKey"));
}

#[tokio::test]
async fn response_overrides_are_accepted() {
    let server = Server::start(&["downloads"]).await;
    let bucket = server.path_bucket("downloads");
    let put = bucket
        .put_object("report.pdf")
        .sign_url(&server.signer, now())
        .unwrap();
    assert_status(&server.send("PUT", &put, &[], b"%PDF").await, 200, "PUT");
    let cd = s3presign::s3::ContentDisposition::attachment("Résumé 2024 (final).pdf");
    let get = bucket
        .get_object("report.pdf")
        .response_content_disposition_typed(&cd)
        .response_content_type("application/pdf")
        .response_cache_control("no-store")
        .expires_in(20)
        .sign_url(&server.signer, now())
        .unwrap();
    assert!(
        get.contains("response-content-type=application%2Fpdf"),
        "{get}"
    );
    let resp = server.send("GET", &get, &[], b"").await;
    assert_status(&resp, 200, "GET with response-* overrides");
    assert_eq!(resp.body, b"%PDF");
    let resp = server.send("GET", &tamper_signature(&get), &[], b"").await;
    assert_rejected(&resp, "SignatureDoesNotMatch", "tampered override URL");
    // An override changed after signing is refused.
    let changed = get.replacen("no-store", "no-cache", 1);
    let resp = server.send("GET", &changed, &[], b"").await;
    assert_rejected(&resp, "SignatureDoesNotMatch", "changed override");
}

#[tokio::test]
async fn multipart_upload_with_presigned_parts() {
    let server = Server::start(&["multi"]).await;
    let bucket = server.path_bucket("multi");
    let key = "big file.bin";
    // CreateMultipartUpload: POST ?uploads (an operation parameter with an empty value).
    let create = bucket
        .object("POST", key)
        .query("uploads", "")
        .sign_url(&server.signer, now())
        .unwrap();
    let resp = server.send("POST", &create, &[], b"").await;
    assert_status(&resp, 200, "CreateMultipartUpload");
    let text = resp.text();
    let start = text.find("<UploadId>").unwrap() + "<UploadId>".len();
    let upload_id = &text[start..start + text[start..].find("</UploadId>").unwrap()];

    let parts: [&[u8]; 2] = [&[b'a'; 5 * 1024 * 1024], b"tail"];
    let mut etags = Vec::new();
    for (i, data) in parts.iter().enumerate() {
        let n = u16::try_from(i + 1).unwrap();
        let url = bucket
            .upload_part(key, upload_id, n)
            .sign_url(&server.signer, now())
            .unwrap();
        let resp = server.send("PUT", &url, &[], data).await;
        assert_status(&resp, 200, "UploadPart");
        etags.push(resp.header("etag").unwrap().to_owned());
        // The part number is signed.
        let other = url.replacen(&format!("partNumber={n}"), "partNumber=9", 1);
        let resp = server.send("PUT", &other, &[], data).await;
        assert_rejected(&resp, "SignatureDoesNotMatch", "tampered part number");
    }
    let mut xml = String::from("<CompleteMultipartUpload>");
    for (i, etag) in etags.iter().enumerate() {
        xml.push_str(&format!(
            "<Part><PartNumber>{}</PartNumber><ETag>{etag}</ETag></Part>",
            i + 1
        ));
    }
    xml.push_str("</CompleteMultipartUpload>");
    let complete = bucket
        .object("POST", key)
        .query("uploadId", upload_id)
        .sign_url(&server.signer, now())
        .unwrap();
    let resp = server.send("POST", &complete, &[], xml.as_bytes()).await;
    assert_status(&resp, 200, "CompleteMultipartUpload");

    let get = bucket
        .get_object(key)
        .sign_url(&server.signer, now())
        .unwrap();
    let resp = server.send("GET", &get, &[], b"").await;
    assert_status(&resp, 200, "GET assembled object");
    assert_eq!(resp.body, [parts[0], parts[1]].concat());
}

/// Authorization-header signing (`sigv4::sign_headers` with S3 settings) of `method url`.
fn header_signed<'a>(
    signer: &Signer,
    method: &str,
    url: &str,
    payload: Payload<'_>,
    extra: &[(&'a str, &'a str)],
) -> Vec<(String, String)> {
    let (authority, target) = http1::split_url(url);
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut headers: Vec<(&str, &str)> = vec![("host", authority)];
    headers.extend_from_slice(extra);
    let req = SignableRequest::new(method, path, query, &headers, payload);
    let params =
        SigningParams::new(signer, REGION, "s3", now()).with_settings(SigningSettings::s3());
    let signed = sign_headers(&req, &params).unwrap();
    let mut out: Vec<(String, String)> = extra
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    out.extend(signed.headers().map(|(n, v)| (n.to_owned(), v.to_owned())));
    out
}

#[tokio::test]
async fn header_signed_requests_are_accepted() {
    let server = Server::start(&["hdr"]).await;
    for bucket in [server.path_bucket("hdr"), server.virtual_bucket("hdr")] {
        // (A leading `/` is covered by the presigned tests: s3s-fs cannot store it.)
        for key in ["plain", "lead//x/./y/../z", "sp ace+plus=eq&amp?q#h%~ü🦀"] {
            let url = format!("{}/{}", bucket.url_prefix(), encode_path(key));
            let body = format!("header-signed {key}");
            // PUT with the body hashed, a content type and metadata signed.
            let headers = header_signed(
                &server.signer,
                "PUT",
                &url,
                Payload::Bytes(body.as_bytes()),
                &[("content-type", "text/plain"), ("x-amz-meta-k", "v")],
            );
            let h: Vec<(&str, &str)> = headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            assert!(h.iter().any(|(n, _)| *n == "authorization"));
            assert!(h.iter().any(|(n, _)| *n == "x-amz-content-sha256"));
            let resp = server.send("PUT", &url, &h, body.as_bytes()).await;
            assert_status(&resp, 200, &format!("header-signed PUT {key:?}"));

            // A different body than the one hashed is refused.
            let resp = server.send("PUT", &url, &h, b"another body").await;
            assert!(
                resp.status >= 400,
                "PUT with another body accepted: {}",
                resp.text()
            );

            // GET with an empty-body hash, and with UNSIGNED-PAYLOAD.
            for payload in [Payload::Bytes(b""), Payload::Unsigned] {
                let headers = header_signed(&server.signer, "GET", &url, payload, &[]);
                let h: Vec<(&str, &str)> = headers
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_str()))
                    .collect();
                let resp = server.send("GET", &url, &h, b"").await;
                assert_status(&resp, 200, &format!("header-signed GET {key:?}"));
                assert_eq!(resp.body, body.as_bytes());
                assert_eq!(resp.header("content-type"), Some("text/plain"));
                assert_eq!(resp.header("x-amz-meta-k"), Some("v"));
            }

            // A tampered Authorization header is refused.
            let headers = header_signed(&server.signer, "GET", &url, Payload::Bytes(b""), &[]);
            let h: Vec<(String, String)> = headers
                .into_iter()
                .map(|(n, v)| {
                    if n == "authorization" {
                        (n, tamper_signature(&v))
                    } else {
                        (n, v)
                    }
                })
                .collect();
            let h: Vec<(&str, &str)> = h.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            let resp = server.send("GET", &url, &h, b"").await;
            assert_rejected(&resp, "SignatureDoesNotMatch", "tampered Authorization");
        }
    }
}

#[tokio::test]
async fn header_signed_with_session_token_and_precomputed_hash() {
    let server = Server::start(&["hdrtok"]).await;
    let bucket = server.path_bucket("hdrtok");
    let signer =
        Signer::new(Credentials::new(ACCESS_KEY, SECRET).with_session_token("session/token+="))
            .unwrap();
    let url = format!("{}/k", bucket.url_prefix());
    // SHA-256 of "abc" (FIPS 180-2 example).
    let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    let headers = header_signed(&signer, "PUT", &url, Payload::Precomputed(abc), &[]);
    assert!(headers.contains(&(
        "x-amz-security-token".to_owned(),
        "session/token+=".to_owned()
    )));
    let h: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let resp = server.send("PUT", &url, &h, b"abc").await;
    assert_status(&resp, 200, "PUT with precomputed hash and token");
    let get = bucket
        .get_object("k")
        .sign_url(&server.signer, now())
        .unwrap();
    assert_eq!(server.send("GET", &get, &[], b"").await.body, b"abc");
}

/// Path encoding written independently of the crate (RFC 3986 unreserved kept, `/` kept).
fn encode_path(key: &str) -> String {
    let mut out = String::new();
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Standard base64 with padding (RFC 4648 section 4), for checksum headers.
fn base64_std(data: &[u8]) -> String {
    let mut s = base64_url_no_pad(data).replace('-', "+").replace('_', "/");
    while !s.len().is_multiple_of(4) {
        s.push('=');
    }
    s
}

#[tokio::test]
async fn signed_checksum_header_binds_the_body() {
    use sha2::{Digest, Sha256};

    assert_eq!(base64_std(b"fo"), "Zm8=");
    assert_eq!(base64_std(&[0xfb, 0xff]), "+/8=");
    let server = Server::start(&["checksums"]).await;
    let bucket = server.path_bucket("checksums");
    let body = b"the exact bytes the backend allowed";
    let checksum = base64_std(&Sha256::digest(body));
    let put = bucket
        .put_object("upload.bin")
        .header("x-amz-checksum-sha256", &checksum)
        .sign(&server.signer, now())
        .unwrap();
    let headers: Vec<(&str, &str)> = put.headers().collect();
    assert_eq!(headers, [("x-amz-checksum-sha256", checksum.as_str())]);

    // Other bytes with the signed checksum: the signature is fine, the checksum is not.
    let resp = server
        .send("PUT", put.url(), &headers, b"other bytes")
        .await;
    assert_eq!(resp.status, 400, "{}", resp.text());
    assert_eq!(resp.s3_error_code().as_deref(), Some("BadDigest"));
    // Another checksum than the signed one: refused by the signature.
    let other = base64_std(&Sha256::digest(b"other bytes"));
    let resp = server
        .send(
            "PUT",
            put.url(),
            &[("x-amz-checksum-sha256", &other)],
            b"other bytes",
        )
        .await;
    assert_rejected(&resp, "SignatureDoesNotMatch", "changed checksum header");
    // The allowed bytes.
    let resp = server.send("PUT", put.url(), &headers, body).await;
    assert_status(&resp, 200, "PUT with the signed checksum");
    let get = bucket
        .get_object("upload.bin")
        .sign_url(&server.signer, now())
        .unwrap();
    assert_eq!(server.send("GET", &get, &[], b"").await.body, body);
}

/// The generic `sigv4::presign` (any service) with S3 settings makes URLs the server
/// accepts, and for a plain object request the same URL as the S3 builder.
#[tokio::test]
async fn generic_sigv4_presign_is_accepted() {
    use s3presign::Expiry;
    use s3presign::sigv4::presign;

    let server = Server::start(&["generic"]).await;
    let bucket = server.path_bucket("generic");
    let key = "dir/a b+c=d&e?f#g%h~ü";
    let url_for = |method: &str, extra: &[(&str, &str)], now: AmzDate| {
        let base = format!("{}/{}", bucket.url_prefix(), encode_path(key));
        let (authority, path) = http1::split_url(&base);
        let mut headers = vec![("host", authority)];
        headers.extend_from_slice(extra);
        let req = SignableRequest::new(method, path, "", &headers, Payload::Unsigned);
        let params = SigningParams::new(&server.signer, REGION, "s3", now)
            .with_settings(SigningSettings::s3());
        let signed = presign(&req, &params, Expiry::from_secs(300).unwrap()).unwrap();
        format!("{base}?{}", signed.query_string(""))
    };
    let t = now();
    let put = url_for("PUT", &[("x-amz-meta-via", "generic")], t);
    let resp = server
        .send(
            "PUT",
            &put,
            &[("x-amz-meta-via", "generic")],
            b"generic body",
        )
        .await;
    assert_status(&resp, 200, "generic presigned PUT");
    let resp = server.send("PUT", &put, &[], b"generic body").await;
    assert_rejected(
        &resp,
        "SignatureDoesNotMatch",
        "generic PUT without its signed header",
    );

    let get = url_for("GET", &[], t);
    let resp = server.send("GET", &get, &[], b"").await;
    assert_status(&resp, 200, "generic presigned GET");
    assert_eq!(resp.body, b"generic body");
    assert_eq!(resp.header("x-amz-meta-via"), Some("generic"));
    // Same request through the S3 builder: same URL.
    let builder = bucket
        .get_object(key)
        .expires_in(300)
        .sign_url(&server.signer, t)
        .unwrap();
    assert_eq!(get, builder);
}
