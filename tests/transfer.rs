//! `Client::upload` and `Client::download` against the in-process S3 server (or the
//! server in `S3PRESIGN_TEST_ENDPOINT`, with `S3PRESIGN_TEST_FLAVOR=seaweedfs|moto`, as in
//! `tests/client.rs`): 0 B, 1 B, the threshold, threshold + 1, a multi-part object and about
//! 100 MiB, the same bytes end to end; the default full-object CRC64NVME sent, stored and
//! checked. In process only (faults injected in front of the in-process server): a failed
//! part retried; a permanent failure and a cancelled upload aborted (the upload's parts are
//! gone); a range cut off mid-stream fetched again. A failed or corrupted download leaves
//! the destination untouched.

mod common;
#[path = "common/bucket_config_server.rs"]
mod server;

use std::collections::BTreeSet;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::misbehaving::{self, Reply, Request};
use s3presign::Credentials;
use s3presign::client::*;
use s3presign::s3::Endpoint;
use s3s::service::S3Service;
use server::Answer;
use sha2::{Digest, Sha256};

const MIB: u64 = 1024 * 1024;

fn client_for(endpoint: &str, creds: Credentials, attempts: u32) -> Client {
    client_with(endpoint, creds, attempts, Integrity::WhenSupported)
}

fn client_with(endpoint: &str, creds: Credentials, attempts: u32, integrity: Integrity) -> Client {
    let region = std::env::var("S3PRESIGN_TEST_REGION").unwrap_or_else(|_| "us-east-1".into());
    Client::builder()
        .endpoint(Endpoint::custom(endpoint, &region).unwrap())
        .static_credentials(creds)
        .retry(
            RetryConfig::default()
                .max_attempts(attempts)
                .initial_backoff(Duration::from_millis(2))
                .max_backoff(Duration::from_millis(20)),
        )
        .timeout(Duration::from_secs(60))
        .integrity(integrity)
        .build()
        .unwrap()
}

fn in_process_creds() -> Credentials {
    Credentials::new(server::ACCESS_KEY, server::SECRET_KEY)
}

/// The client and, in process, the server (kept alive).
async fn ctx() -> (Client, Option<server::Server>) {
    ctx_with(Integrity::WhenSupported).await
}

async fn ctx_with(integrity: Integrity) -> (Client, Option<server::Server>) {
    if let Ok(endpoint) = std::env::var("S3PRESIGN_TEST_ENDPOINT") {
        // As tests/client.rs: the test server's keys unless the environment gives others.
        let id = std::env::var("AWS_ACCESS_KEY_ID").unwrap_or_else(|_| server::ACCESS_KEY.into());
        let secret =
            std::env::var("AWS_SECRET_ACCESS_KEY").unwrap_or_else(|_| server::SECRET_KEY.into());
        let creds = Credentials::new(id, secret);
        return (client_with(&endpoint, creds, 4, integrity), None);
    }
    let srv = server::start().await;
    let client = client_with(&srv.endpoint, in_process_creds(), 4, integrity);
    (client, Some(srv))
}

/// Whether the server under test is moto (`S3PRESIGN_TEST_FLAVOR=moto`), which stores a
/// wrong checksum for a multipart object: for a FULL_OBJECT CRC64NVME upload a 4-byte
/// value that is not the object's CRC64NVME, and for a COMPOSITE CRC32 upload the composite
/// value without its `-N` suffix, which reads as a full-object CRC32 that the bytes do not
/// match (moto 5.2.5).
fn server_is_moto() -> bool {
    std::env::var("S3PRESIGN_TEST_FLAVOR").as_deref() == Ok("moto")
}

/// The client for the round trips: on moto it sends and checks no checksums (see
/// [`server_is_moto`]; the tests still compare the bytes end to end, and
/// `the_default_checksum_is_stored_as_the_whole_objects_crc64nvme` shows the client
/// refusing moto's wrong value).
async fn round_trip_ctx() -> (Client, Option<server::Server>) {
    match server_is_moto() {
        true => ctx_with(Integrity::WhenRequired).await,
        false => ctx().await,
    }
}

async fn new_bucket(client: &Client, test: &str) -> String {
    let b = format!("s3p-{test}-{:08x}", fastrand::u32(..));
    client.create_bucket(&b).await.unwrap();
    b
}

fn pattern(len: u64, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i.wrapping_mul(31) as u8) ^ seed ^ ((i >> 13) as u8))
        .collect()
}

fn sha256(b: &[u8]) -> Vec<u8> {
    Sha256::digest(b).to_vec()
}

/// Files in `dir` (to see that no temporary file is left behind).
fn names(dir: &std::path::Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sizes_around_the_threshold_round_trip() {
    let (client, _srv) = round_trip_ctx().await;
    let b = new_bucket(&client, "xfer").await;
    let dir = tempfile::tempdir().unwrap();
    let threshold = 5 * MIB;
    let sizes = [0, 1, threshold, threshold + 1, 12 * MIB + 345];
    for (i, &size) in sizes.iter().enumerate() {
        let data = pattern(size, i as u8);
        let key = format!("obj-{size}");
        let seen = Arc::new(AtomicU64::new(0));
        let s2 = Arc::clone(&seen);
        let opts = Upload::new()
            .threshold(threshold)
            .part_size(5 * MIB)
            .concurrency(2)
            .on_progress(move |done, _| s2.store(done, Ordering::SeqCst));
        // Files for even sizes, readers of unknown length for odd ones.
        let source = if i % 2 == 0 {
            let path = dir.path().join(format!("src-{i}"));
            std::fs::write(&path, &data).unwrap();
            UploadSource::file(path)
        } else {
            UploadSource::reader(std::io::Cursor::new(data.clone()), None)
        };
        let out = client.upload(&b, &key, source, &opts).await.unwrap();
        assert_eq!(out.size, size);
        let expected_parts = if size <= threshold {
            0
        } else {
            size.div_ceil(5 * MIB)
        };
        assert_eq!(u64::from(out.parts), expected_parts, "size {size}");
        assert_eq!(
            seen.load(Ordering::SeqCst),
            size,
            "progress reaches the total"
        );

        let dest = dir.path().join(format!("dest-{i}"));
        let down_seen = Arc::new(AtomicU64::new(0));
        let d2 = Arc::clone(&down_seen);
        let dopts = Download::new()
            .part_size(5 * MIB)
            .concurrency(3)
            .on_progress(move |done, total| {
                assert_eq!(total, Some(size));
                d2.store(done, Ordering::SeqCst);
            });
        let got = client.download(&b, &key, &dest, &dopts).await.unwrap();
        assert_eq!(got.size, size);
        assert_eq!(down_seen.load(Ordering::SeqCst), size);
        let back = std::fs::read(&dest).unwrap();
        assert_eq!(back.len() as u64, size);
        assert_eq!(
            sha256(&back),
            sha256(&data),
            "size {size}: SHA-256 end to end"
        );
    }
    let left: Vec<String> = names(dir.path())
        .into_iter()
        .filter(|n| n.contains("s3presign-partial"))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

/// Bytes of a large object made on the fly, a MiB at a time: one random MiB repeated, each
/// copy stamped with its index in its first 8 bytes (parts swapped, repeated or dropped change
/// the SHA-256). Cheap to make, so the object never needs to sit in memory whole.
#[derive(Clone)]
struct Stamped {
    block: Arc<Vec<u8>>,
    len: u64,
    pos: u64,
}

impl Stamped {
    fn new(len: u64, seed: u64) -> Self {
        let mut rng = fastrand::Rng::with_seed(seed);
        let block: Vec<u8> = std::iter::repeat_with(|| rng.u8(..))
            .take(MIB as usize)
            .collect();
        Self {
            block: Arc::new(block),
            len,
            pos: 0,
        }
    }

    /// The next bytes (at most `max`, never across a MiB boundary); empty at the end.
    fn next_chunk(&mut self, max: usize) -> Vec<u8> {
        let off = (self.pos % MIB) as usize;
        let n = (max as u64).min(MIB - off as u64).min(self.len - self.pos) as usize;
        let mut out = self.block[off..off + n].to_vec();
        let stamp = (self.pos / MIB).to_le_bytes();
        for (i, b) in out.iter_mut().enumerate().take(8usize.saturating_sub(off)) {
            *b = stamp[off + i];
        }
        self.pos += n as u64;
        out
    }
}

impl tokio::io::AsyncRead for Stamped {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let chunk = self.next_chunk(buf.remaining());
        buf.put_slice(&chunk);
        std::task::Poll::Ready(Ok(()))
    }
}

/// Whether the file at `path` holds exactly the bytes of `expected` (compared a MiB at a
/// time: stronger than equal SHA-256s, and cheap in an unoptimised test build).
fn holds(path: &std::path::Path, expected: &Stamped) -> bool {
    use std::io::Read;
    let mut f = std::fs::File::open(path).unwrap();
    let mut want = Stamped {
        pos: 0,
        ..expected.clone()
    };
    let mut buf = vec![0u8; MIB as usize];
    loop {
        let chunk = want.next_chunk(MIB as usize);
        let got = &mut buf[..chunk.len()];
        f.read_exact(got).unwrap();
        if *got != *chunk {
            return false;
        }
        if chunk.is_empty() {
            return f.read(&mut buf).unwrap() == 0;
        }
    }
}

/// The "about 100 MiB": uploaded from a file and from a reader of unknown length
/// (13 parts of 8 MiB, the last one short), downloaded back in ranges; SHA-256 equal end to
/// end. The bytes are never held whole in memory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn about_100_mib_round_trips_from_a_file_and_a_stream() {
    let (client, _srv) = round_trip_ctx().await;
    let b = new_bucket(&client, "big").await;
    let dir = tempfile::tempdir().unwrap();
    let size = 100 * MIB + 12_345;
    let source = Stamped::new(size, 100);
    let path = dir.path().join("big.src");
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let mut maker = source.clone();
        loop {
            let chunk = maker.next_chunk(MIB as usize);
            if chunk.is_empty() {
                break;
            }
            f.write_all(&chunk).unwrap();
        }
        f.flush().unwrap();
    }
    assert!(holds(&path, &source), "the file holds the bytes");
    let opts = Upload::new().concurrency(4);
    let expected = source.clone();
    let sources = [
        ("from-file", UploadSource::file(&path)),
        ("from-stream", UploadSource::reader(source, None)),
    ];
    for (key, src) in sources {
        let out = client.upload(&b, key, src, &opts).await.unwrap();
        assert_eq!((out.size, out.parts), (size, 13), "{key}");
        let dest = dir.path().join(key);
        let dopts = Download::new().concurrency(4);
        let got = client.download(&b, key, &dest, &dopts).await.unwrap();
        assert_eq!(got.size, size, "{key}");
        assert!(holds(&dest, &expected), "{key}: the same bytes end to end");
        std::fs::remove_file(&dest).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_options_are_refused_before_anything_is_sent() {
    let (client, _srv) = ctx().await;
    let src = || UploadSource::reader(&b"x"[..], Some(1));
    for opts in [
        Upload::new().part_size(MIB),
        Upload::new().concurrency(0),
        Upload::new().threshold(6 * 1024 * MIB),
    ] {
        let e = client
            .upload("bucket", "k", src(), &opts)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e:?}");
    }
    let e = client
        .download("bucket", "k", "x", &Download::new().part_size(MIB))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e:?}");
    // A reader shorter than its declared length fails instead of storing a short object.
    let short = UploadSource::reader(&b"abc"[..], Some(10));
    let e = client
        .upload("bucket", "k", short, &Upload::new())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io, "{e:?}");
}

// ---------------------------------------------------------------------------------------
// Faults on UploadPart only (in-process): CreateMultipartUpload and
// CompleteMultipartUpload are not retried by design, so random faults on them would test
// nothing about parts.

#[derive(Clone, Copy, PartialEq, Eq)]
enum PartFault {
    /// The first attempt at each part answers 500 InternalError.
    FailFirstAttempt,
    /// Part 2 always answers 500.
    FailPartTwo,
    /// Parts after the first are delayed (time to cancel the upload).
    SlowAfterFirst,
}

#[derive(Clone)]
struct PartFaults {
    mode: PartFault,
    /// Part numbers that failed once.
    failed: Arc<Mutex<BTreeSet<String>>>,
    /// Upload ids seen on UploadPart requests.
    uploads: Arc<Mutex<BTreeSet<String>>>,
    part_requests: Arc<AtomicU64>,
}

fn query(req: &http::Request<hyper::body::Incoming>, name: &str) -> Option<String> {
    req.uri().query()?.split('&').find_map(|p| {
        let (n, v) = p.split_once('=')?;
        (n == name).then(|| v.to_owned())
    })
}

impl server::Intercept for PartFaults {
    fn intercept(&self, inner: &S3Service, req: http::Request<hyper::body::Incoming>) -> Answer {
        let part = query(&req, "partNumber").filter(|_| req.method() == http::Method::PUT);
        let Some(part) = part else {
            return server::pass(inner, req);
        };
        self.part_requests.fetch_add(1, Ordering::SeqCst);
        if let Some(id) = query(&req, "uploadId") {
            self.uploads.lock().unwrap().insert(id);
        }
        let fail = match self.mode {
            PartFault::FailFirstAttempt => self.failed.lock().unwrap().insert(part.clone()),
            PartFault::FailPartTwo => part == "2",
            PartFault::SlowAfterFirst => false,
        };
        let delay = self.mode == PartFault::SlowAfterFirst && part != "1";
        // A failed part's body is read before the answer, as S3 does: answering first races
        // the client's upload of the body (a broken pipe instead of the 500).
        let (fut, body) = if fail {
            (None, Some(req.into_body()))
        } else {
            (Some(server::pass(inner, req)), None)
        };
        Box::pin(async move {
            if delay {
                tokio::time::sleep(Duration::from_millis(1500)).await;
            }
            if let Some(body) = body {
                let _ = http_body_util::BodyExt::collect(body).await;
            }
            match fut {
                Some(f) => f.await,
                None => Ok(http::Response::builder()
                    .status(500)
                    .body(s3s::Body::from(
                        "<Error><Code>InternalError</Code><Message>injected</Message></Error>"
                            .to_owned(),
                    ))
                    .unwrap()),
            }
        })
    }
}

struct FaultCtx {
    client: Client,
    uploads: Arc<Mutex<BTreeSet<String>>>,
    part_requests: Arc<AtomicU64>,
    _srv: server::Server,
}

async fn fault_ctx(mode: PartFault, attempts: u32) -> Option<FaultCtx> {
    if std::env::var("S3PRESIGN_TEST_ENDPOINT").is_ok() {
        return None;
    }
    let uploads = Arc::new(Mutex::new(BTreeSet::new()));
    let part_requests = Arc::new(AtomicU64::new(0));
    let (u2, p2) = (Arc::clone(&uploads), Arc::clone(&part_requests));
    let srv = server::start_intercepted(PartFaults {
        mode,
        failed: Arc::default(),
        uploads: u2,
        part_requests: p2,
    })
    .await;
    let client = client_for(&srv.endpoint, in_process_creds(), attempts);
    Some(FaultCtx {
        client,
        uploads,
        part_requests,
        _srv: srv,
    })
}

fn multipart_opts() -> Upload {
    Upload::new()
        .threshold(5 * MIB)
        .part_size(5 * MIB)
        .concurrency(2)
}

/// Waits until every upload seen is gone (ListParts answers NoSuchUpload).
async fn assert_uploads_aborted(c: &FaultCtx, bucket: &str, key: &str) {
    let ids: Vec<String> = c.uploads.lock().unwrap().iter().cloned().collect();
    assert!(!ids.is_empty(), "no upload was started");
    for id in ids {
        let mut gone = false;
        for _ in 0..100 {
            match c.client.list_parts(bucket, key, &id).await {
                Err(e) if e.is_not_found() => {
                    gone = true;
                    break;
                }
                _ => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
        assert!(gone, "upload {id} still has its parts");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_part_is_retried_and_the_object_is_intact() {
    let Some(c) = fault_ctx(PartFault::FailFirstAttempt, 3).await else {
        return;
    };
    let b = new_bucket(&c.client, "retry").await;
    let data = pattern(12 * MIB + 7, 9);
    let src = UploadSource::reader(std::io::Cursor::new(data.clone()), Some(data.len() as u64));
    let out = c
        .client
        .upload(&b, "k", src, &multipart_opts())
        .await
        .unwrap();
    assert_eq!(out.parts, 3);
    assert_eq!(
        c.part_requests.load(Ordering::SeqCst),
        6,
        "each part failed once, then passed"
    );
    let got = c.client.get_object(&b, "k").await.unwrap();
    assert_eq!(sha256(&got.body), sha256(&data));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_permanent_failure_aborts_the_upload() {
    let Some(c) = fault_ctx(PartFault::FailPartTwo, 3).await else {
        return;
    };
    let b = new_bucket(&c.client, "perm").await;
    let data = pattern(12 * MIB, 3);
    let src = UploadSource::reader(std::io::Cursor::new(data), None);
    let e = c
        .client
        .upload(&b, "k", src, &multipart_opts())
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("InternalError"), "{e:?}");
    assert_uploads_aborted(&c, &b, "k").await;
    assert!(
        c.client
            .head_object(&b, "k")
            .await
            .unwrap_err()
            .is_not_found()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_upload_is_aborted() {
    let Some(c) = fault_ctx(PartFault::SlowAfterFirst, 3).await else {
        return;
    };
    let b = new_bucket(&c.client, "cancel").await;
    let data = pattern(12 * MIB, 5);
    let first_part = Arc::new(tokio::sync::Notify::new());
    let n2 = Arc::clone(&first_part);
    let opts = multipart_opts()
        .concurrency(1)
        .on_progress(move |_, _| n2.notify_one());
    let src = UploadSource::reader(std::io::Cursor::new(data), None);
    tokio::select! {
        r = c.client.upload(&b, "k", src, &opts) => panic!("the upload finished: {r:?}"),
        () = first_part.notified() => {} // drops the upload future mid-transfer
    }
    assert_uploads_aborted(&c, &b, "k").await;
    assert!(
        c.client
            .head_object(&b, "k")
            .await
            .unwrap_err()
            .is_not_found()
    );
}

// ---------------------------------------------------------------------------------------
// Downloads that fail leave the destination as it was.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_download_leaves_the_destination_untouched() {
    let (client, _srv) = ctx().await;
    let b = new_bucket(&client, "dlfail").await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("keep.txt");
    std::fs::write(&dest, b"old content").unwrap();
    let e = client
        .download(&b, "missing", &dest, &Download::new())
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
    assert_eq!(std::fs::read(&dest).unwrap(), b"old content");
    assert_eq!(names(dir.path()), BTreeSet::from(["keep.txt".to_owned()]));

    // A GET pinned to another ETag is refused (what keeps ranges of two versions apart).
    client
        .put_object(&b, "k", b"v1".to_vec(), &PutObject::new())
        .await
        .unwrap();
    let pinned = GetObject::new().if_match("\"0123456789abcdef0123456789abcdef\"");
    let e = client.get_object_with(&b, "k", &pinned).await.unwrap_err();
    assert_eq!(e.status(), Some(412), "{e:?}");
}

/// CRC32 by a second implementation (s3s's).
fn independent_crc32(data: &[u8]) -> String {
    let mut h = s3s::checksum::ChecksumHasher {
        crc32: Some(Default::default()),
        ..Default::default()
    };
    h.update(data);
    h.finalize().checksum_crc32.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrupted_downloads_fail_their_checksum_single_and_ranged() {
    // A CRC is checked range by range as the bytes arrive; a SHA-256 by reading back.
    let crc32 = "x-amz-checksum-crc32";
    let sha256 = "x-amz-checksum-sha256";
    for (size, header) in [(11u64, crc32), (6 * MIB, crc32), (6 * MIB, sha256)] {
        let original = pattern(size, 1);
        let value = match header == crc32 {
            true => independent_crc32(&original),
            false => {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&original))
            }
        };
        let mut served = original.clone();
        served[size as usize / 2] ^= 1;
        let srv = misbehaving::start(move |r: &Request| {
            let common = |reply: Reply| reply.header("etag", "\"v1\"").header(header, &value);
            if r.method == "HEAD" {
                // Content-Length is the body's length; a HEAD answer carries no body.
                return common(Reply::new(200, served.clone()));
            }
            assert_eq!(r.header("if-match"), Some("\"v1\""));
            match r.header("range").and_then(|v| v.strip_prefix("bytes=")) {
                None => common(Reply::new(200, served.clone())),
                Some(range) => {
                    let (a, z) = range.split_once('-').unwrap();
                    let (a, z): (usize, usize) = (a.parse().unwrap(), z.parse().unwrap());
                    Reply::new(206, served[a..=z].to_vec())
                        .header("etag", "\"v1\"")
                        .header("content-range", &format!("bytes {a}-{z}/{size}"))
                }
            }
        })
        .await;
        let client = client_for(&srv.endpoint, Credentials::new("AKIDEXAMPLE", "secret"), 2);
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out.bin");
        let e = client
            .download("bucket", "k", &dest, &Download::new().part_size(5 * MIB))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Integrity, "size {size}: {e:?}");
        assert!(
            names(dir.path()).is_empty(),
            "nothing written for size {size}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_handle_aborts_before_the_upload_returns() {
    let Some(c) = fault_ctx(PartFault::SlowAfterFirst, 3).await else {
        return;
    };
    let b = new_bucket(&c.client, "cancel2").await;
    let cancel = Cancel::new();
    let c2 = cancel.clone();
    let opts = multipart_opts()
        .concurrency(1)
        .cancel(&cancel)
        .on_progress(move |_, _| c2.cancel());
    let src = UploadSource::reader(std::io::Cursor::new(pattern(12 * MIB, 6)), None);
    let e = c.client.upload(&b, "k", src, &opts).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Cancelled, "{e:?}");
    assert!(cancel.is_cancelled());
    // The abort already happened: no waiting.
    let ids = c.uploads.lock().unwrap().clone();
    assert_eq!(ids.len(), 1, "one upload was started");
    for id in ids {
        let e = c.client.list_parts(&b, "k", &id).await.unwrap_err();
        assert!(e.is_not_found(), "upload {id} still open: {e:?}");
    }
}

// ---------------------------------------------------------------------------------------
// A ranged download whose body breaks off mid-stream fetches that range again.

/// Half a body, then a failure: the server drops the connection mid-body.
struct CutStream(Option<bytes::Bytes>, bool);

impl futures_core::Stream for CutStream {
    type Item = Result<hyper::body::Frame<bytes::Bytes>, std::io::Error>;

    fn poll_next(
        mut self: Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        if let Some(half) = self.0.take() {
            return std::task::Poll::Ready(Some(Ok(hyper::body::Frame::data(half))));
        }
        if !self.1 {
            self.1 = true;
            let cut = std::io::Error::other("connection cut by the test");
            return std::task::Poll::Ready(Some(Err(cut)));
        }
        std::task::Poll::Ready(None)
    }
}

/// Cuts the first answer to each ranged GET off after half its body (headers, Content-Length
/// included, are sent as they were), as a dropped connection would.
#[derive(Clone)]
struct CutRanges {
    /// Ranges already cut once.
    cut: Arc<Mutex<BTreeSet<String>>>,
    ranged_gets: Arc<AtomicU64>,
}

impl server::Intercept for CutRanges {
    fn intercept(&self, inner: &S3Service, req: http::Request<hyper::body::Incoming>) -> Answer {
        let range = req
            .headers()
            .get("range")
            .filter(|_| req.method() == http::Method::GET)
            .map(|v| v.to_str().unwrap().to_owned());
        let Some(range) = range else {
            return server::pass(inner, req);
        };
        self.ranged_gets.fetch_add(1, Ordering::SeqCst);
        let first = self.cut.lock().unwrap().insert(range);
        let fut = server::pass(inner, req);
        Box::pin(async move {
            let answer = fut.await?;
            if !first {
                return Ok(answer);
            }
            let (parts, body) = answer.into_parts();
            let bytes = http_body_util::BodyExt::collect(body)
                .await
                .unwrap()
                .to_bytes();
            let half = bytes.slice(..bytes.len() / 2);
            let body = http_body_util::StreamBody::new(CutStream(Some(half), false));
            Ok(http::Response::from_parts(
                parts,
                s3s::Body::http_body(body),
            ))
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_range_cut_off_mid_stream_is_fetched_again() {
    if std::env::var("S3PRESIGN_TEST_ENDPOINT").is_ok() {
        return; // the fault is injected in front of the in-process server only
    }
    let ranged_gets = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&ranged_gets);
    let srv = server::start_intercepted(CutRanges {
        cut: Arc::default(),
        ranged_gets: counted,
    })
    .await;
    let client = client_for(&srv.endpoint, in_process_creds(), 3);
    let b = new_bucket(&client, "dlcut").await;
    let data = pattern(12 * MIB, 7);
    client
        .put_object(&b, "big", data.clone(), &PutObject::new())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("big.bin");
    let opts = Download::new().part_size(5 * MIB).concurrency(2);
    let out = client.download(&b, "big", &dest, &opts).await.unwrap();
    assert_eq!(out.size, 12 * MIB);
    assert_eq!(sha256(&std::fs::read(&dest).unwrap()), sha256(&data));
    // Three ranges, each cut once and fetched again.
    assert_eq!(ranged_gets.load(Ordering::SeqCst), 6);
    assert_eq!(names(dir.path()), BTreeSet::from(["big.bin".to_owned()]));
}

// ---------------------------------------------------------------------------------------
// A FULL_OBJECT CRC64NVME multipart upload: the algorithm and type at
// CreateMultipartUpload, a CRC64NVME on every part, the whole object's value with
// CompleteMultipartUpload, and the stored value compared through HeadObject.

/// CRC64NVME by a second implementation (s3s's).
fn independent_crc64nvme(data: &[u8]) -> String {
    let mut h = s3s::checksum::ChecksumHasher {
        crc64nvme: Some(Default::default()),
        ..Default::default()
    };
    h.update(data);
    h.finalize().checksum_crc64nvme.unwrap()
}

/// A multipart request (`create`, `part`, `complete`) and its `x-amz-checksum*` headers.
type Seen = (String, Vec<(String, String)>);

/// Records the checksum headers of multipart requests and, as S3 does (s3s-fs stores no
/// checksum for a multipart object), answers HeadObject with the full-object checksum the
/// upload was completed with, changed when `tamper` is set.
#[derive(Clone)]
struct FullObjectStore {
    tamper: bool,
    /// (request, its x-amz-checksum* headers) in arrival order.
    seen: Arc<Mutex<Vec<Seen>>>,
    completed_with: Arc<Mutex<Option<String>>>,
}

impl server::Intercept for FullObjectStore {
    fn intercept(&self, inner: &S3Service, req: http::Request<hyper::body::Incoming>) -> Answer {
        let q = req.uri().query().unwrap_or("");
        let what = match *req.method() {
            http::Method::POST if q.starts_with("uploads") => "create",
            http::Method::POST if q.contains("uploadId=") => "complete",
            http::Method::PUT if q.contains("partNumber=") => "part",
            _ => "",
        };
        let checksums: Vec<(String, String)> = req
            .headers()
            .iter()
            .filter(|(n, _)| n.as_str().starts_with("x-amz-checksum"))
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
            .collect();
        if what == "complete" {
            let value = checksums
                .iter()
                .find(|(n, _)| n == "x-amz-checksum-crc64nvme");
            *self.completed_with.lock().unwrap() = value.map(|(_, v)| v.clone());
        }
        if !what.is_empty() {
            self.seen.lock().unwrap().push((what.to_owned(), checksums));
        }
        let head = req.method() == http::Method::HEAD;
        let stored = Arc::clone(&self.completed_with);
        let tamper = self.tamper;
        let fut = server::pass(inner, req);
        Box::pin(async move {
            let mut answer = fut.await?;
            let stored = stored.lock().unwrap().clone();
            if let (true, Some(mut value)) = (head, stored) {
                if tamper {
                    value = independent_crc64nvme(b"other bytes");
                }
                let h = answer.headers_mut();
                h.insert("x-amz-checksum-crc64nvme", value.parse().unwrap());
                h.insert("x-amz-checksum-type", "FULL_OBJECT".parse().unwrap());
            }
            Ok(answer)
        })
    }
}

/// The default: no `checksum(..)` call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_full_object_crc64nvme_is_sent_and_checked() {
    let data = pattern(12 * MIB + 3, 11);
    let whole = independent_crc64nvme(&data);
    let part_values: Vec<String> = data
        .chunks(5 * MIB as usize)
        .map(independent_crc64nvme)
        .collect();
    for tamper in [false, true] {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s2 = Arc::clone(&seen);
        let srv = server::start_intercepted(FullObjectStore {
            tamper,
            seen: s2,
            completed_with: Arc::default(),
        })
        .await;
        let client = client_for(&srv.endpoint, in_process_creds(), 3);
        let b = new_bucket(&client, "full").await;
        let src = UploadSource::reader(std::io::Cursor::new(data.clone()), None);
        let result = client.upload(&b, "k", src, &multipart_opts()).await;
        let seen = seen.lock().unwrap().clone();
        let headers = |what: &str| -> Vec<Vec<(String, String)>> {
            seen.iter()
                .filter(|(w, _)| w == what)
                .map(|(_, h)| h.clone())
                .collect()
        };
        let value = |h: &[(String, String)], name: &str| {
            h.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
        };
        let create = headers("create");
        assert_eq!(create.len(), 1);
        assert_eq!(
            value(&create[0], "x-amz-checksum-algorithm").as_deref(),
            Some("CRC64NVME")
        );
        assert_eq!(
            value(&create[0], "x-amz-checksum-type").as_deref(),
            Some("FULL_OBJECT")
        );
        let mut parts: Vec<String> = headers("part")
            .iter()
            .map(|h| value(h, "x-amz-checksum-crc64nvme").unwrap())
            .collect();
        parts.sort();
        let mut expected_parts = part_values.clone();
        expected_parts.sort();
        assert_eq!(parts, expected_parts, "each part carries its CRC64NVME");
        let complete = headers("complete");
        assert_eq!(complete.len(), 1);
        assert_eq!(
            value(&complete[0], "x-amz-checksum-crc64nvme").as_deref(),
            Some(whole.as_str()),
            "CompleteMultipartUpload carries the whole object's CRC64NVME"
        );
        if tamper {
            let e = result.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Integrity, "{e:?}");
        } else {
            assert_eq!(result.unwrap().parts, 3);
            let meta = client.head_object(&b, "k").await.unwrap();
            assert_eq!(
                meta.checksum,
                Some(Checksum::new(ChecksumAlgorithm::Crc64Nvme, whole.clone()))
            );
        }
    }
}

/// The default upload against the server under test, in one PUT and in parts: what it
/// stores is the whole object's CRC64NVME, and the bytes come back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_checksum_is_stored_as_the_whole_objects_crc64nvme() {
    let (client, srv) = ctx().await;
    let b = new_bucket(&client, "fullsrv").await;
    for (size, parts) in [(MIB, 0), (12 * MIB + 3, 3)] {
        let data = pattern(size, 12);
        let src = UploadSource::reader(std::io::Cursor::new(data.clone()), None);
        let key = format!("k{size}");
        let out = client.upload(&b, &key, src, &multipart_opts()).await;
        if server_is_moto() && parts > 0 {
            // moto stores a wrong full-object value (see `server_is_moto`): refused.
            let e = out.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Integrity, "{e:?}");
            continue;
        }
        assert_eq!(out.unwrap().parts, parts);
        let meta = client.head_object(&b, &key).await.unwrap();
        let expected = Checksum::new(ChecksumAlgorithm::Crc64Nvme, independent_crc64nvme(&data));
        match meta.checksum {
            Some(c) => assert_eq!(c, expected, "size {size}"),
            // s3s-fs stores no checksum for a multipart object (the test above stands in
            // for S3 there); every real server under test must store one.
            None => assert!(
                srv.is_some() && parts > 0,
                "size {size}: no checksum stored"
            ),
        }
        let got = client.get_object(&b, &key).await.unwrap();
        assert_eq!(sha256(&got.body), sha256(&data), "size {size}");
    }
}

/// The composite CRC32 choice (for stores without full-object checksums): the stored value
/// is S3's `-N` composite, which a download cannot check against the bytes (and does not).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_composite_crc32_upload_round_trips() {
    let (client, srv) = ctx().await;
    let b = new_bucket(&client, "comp").await;
    let data = pattern(12 * MIB + 5, 13);
    let opts = multipart_opts().checksum(ChecksumAlgorithm::Crc32, ChecksumType::Composite);
    let src = UploadSource::reader(std::io::Cursor::new(data.clone()), None);
    let out = client.upload(&b, "k", src, &opts).await.unwrap();
    assert_eq!(out.parts, 3);
    let meta = client.head_object(&b, "k").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("k");
    let got = client
        .download(&b, "k", &dest, &Download::new().part_size(5 * MIB))
        .await;
    if server_is_moto() {
        // moto reports the composite value without its `-3` (see `server_is_moto`): it
        // reads as a full-object CRC32 the bytes do not match, and the download refuses it.
        let stored = meta.checksum.unwrap();
        assert!(!stored.value.contains('-'), "{stored:?}");
        assert_eq!(got.unwrap_err().kind(), ErrorKind::Integrity);
        return;
    }
    match &meta.checksum {
        Some(stored) => {
            assert_eq!(stored.algorithm, ChecksumAlgorithm::Crc32);
            assert!(stored.value.ends_with("-3"), "{stored:?}");
        }
        // s3s-fs stores no checksum for a multipart object; SeaweedFS stores `...-3`.
        None => assert!(srv.is_some(), "no checksum stored"),
    }
    assert_eq!(got.unwrap().size, data.len() as u64);
    assert_eq!(sha256(&std::fs::read(&dest).unwrap()), sha256(&data));
}
