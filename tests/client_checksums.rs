//! Checksums the client checks on its own, against a server that reports another value
//! than the one the bytes give: an UploadPart answer, a CompleteMultipartUpload answer and a
//! streamed PutObject answer. The expected values were computed with an independent
//! implementation (Python's `zlib.crc32` and a bitwise CRC-64/NVME).

mod common;

use std::time::Duration;

use common::misbehaving::{self, Reply, Request};
use s3presign::Credentials;
use s3presign::client::{
    Checksum, ChecksumAlgorithm, ChecksumType, Client, CompleteMultipartUploadOp, CompletedPart,
    CreateMultipartUpload, ErrorKind, Operation, PutObject, RetryConfig, UploadPart,
};
use s3presign::s3::Endpoint;

fn client(endpoint: &str) -> Client {
    Client::builder()
        .endpoint(Endpoint::custom(endpoint, "us-east-1").unwrap())
        .static_credentials(Credentials::new("AKIDEXAMPLE", "secret"))
        .retry(RetryConfig::disabled())
        .timeout(Duration::from_secs(8))
        .build()
        .unwrap()
}

async fn within<T>(f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(20), f)
        .await
        .expect("the client did not finish")
}

/// CRC32 of "hello world".
const HELLO_CRC32: &str = "DUoRhQ==";
/// CRC-64/NVME of "hello world".
const HELLO_CRC64NVME: &str = "jSnVw/bqjr4=";

#[tokio::test]
async fn upload_part_sends_its_checksum_and_checks_the_echo() {
    let srv = misbehaving::start(|r: &Request| {
        let echo = if r.query("partNumber").as_deref() == Some("1") {
            HELLO_CRC32
        } else {
            "AAAAAA=="
        };
        Reply::new(200, "")
            .header("etag", "\"e\"")
            .header("x-amz-checksum-crc32", echo)
    })
    .await;
    let c = client(&srv.endpoint);
    let opts = UploadPart::new().checksum(ChecksumAlgorithm::Crc32);
    let part = within(c.upload_part_with("bkt", "k", "up", 1, b"hello world".to_vec(), &opts))
        .await
        .unwrap();
    assert_eq!(
        part.checksum,
        Some(Checksum::new(ChecksumAlgorithm::Crc32, HELLO_CRC32))
    );
    let seen = srv.requests.lock().unwrap()[0].clone();
    assert_eq!(seen.header("x-amz-checksum-crc32"), Some(HELLO_CRC32));
    assert_eq!(seen.header("x-amz-sdk-checksum-algorithm"), Some("CRC32"));

    // The server says it received other bytes for part 2.
    let e = within(c.upload_part_with("bkt", "k", "up", 2, b"hello world".to_vec(), &opts))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Integrity, "{e:?}");

    // Without options no checksum header is sent.
    within(c.upload_part("bkt", "k", "up", 1, b"hello world".to_vec()))
        .await
        .unwrap();
    let seen = srv.requests.lock().unwrap()[2].clone();
    assert!(
        seen.headers
            .iter()
            .all(|(n, _)| !n.starts_with("x-amz-checksum"))
    );
}

fn complete_answer(checksum: &str) -> Vec<u8> {
    format!(
        "<CompleteMultipartUploadResult><Key>k</Key><ETag>\"x-2\"</ETag>\
         <ChecksumCRC32>{checksum}</ChecksumCRC32><ChecksumType>COMPOSITE</ChecksumType>\
         </CompleteMultipartUploadResult>"
    )
    .into_bytes()
}

#[test]
fn complete_checks_the_composite_checksum_and_lists_part_checksums() {
    let endpoint = Endpoint::custom("http://127.0.0.1:9", "us-east-1").unwrap();
    let signer = s3presign::Signer::new(Credentials::new("AKIDEXAMPLE", "secret")).unwrap();
    let now = s3presign::AmzDate::parse("20250101T000000Z").unwrap();
    // CRC32("part one") and CRC32("part two"); the composite is CRC32 of their 8 raw bytes.
    let parts = [
        CompletedPart::new(1, "\"a\"")
            .with_checksum(Checksum::new(ChecksumAlgorithm::Crc32, "ixQTsA==")),
        CompletedPart::new(2, "\"b\"")
            .with_checksum(Checksum::new(ChecksumAlgorithm::Crc32, "4LIfJw==")),
    ];
    let op = CompleteMultipartUploadOp::new("bkt", "k", "up", &parts);
    let req = op.prepare(&endpoint, &signer, now).unwrap();
    let xml = String::from_utf8(req.body().to_vec()).unwrap();
    assert!(
        xml.contains(
            "<PartNumber>1</PartNumber><ETag>\"a\"</ETag><ChecksumCRC32>ixQTsA==</ChecksumCRC32>"
        ),
        "{xml}"
    );
    let answer = |c: &str| http::Response::new(bytes::Bytes::from(complete_answer(c)));
    assert_eq!(
        op.parse_response(answer("FZJWqg==-2")).unwrap().as_deref(),
        Some("\"x-2\"")
    );
    let e = op.parse_response(answer("AAAAAA==-2")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Integrity, "{e:?}");

    // A full-object checksum given by the caller is sent and compared.
    let whole = Checksum::new(ChecksumAlgorithm::Crc32, HELLO_CRC32);
    let op = CompleteMultipartUploadOp::new("bkt", "k", "up", &parts).full_object_checksum(&whole);
    let req = op.prepare(&endpoint, &signer, now).unwrap();
    assert_eq!(req.headers()["x-amz-checksum-crc32"], HELLO_CRC32);
    op.parse_response(answer(HELLO_CRC32)).unwrap();
    let e = op.parse_response(answer("AAAAAA==")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Integrity, "{e:?}");

    // ListParts reads the part checksums.
    let list = s3presign::client::ListPartsOp::new("bkt", "k", "up");
    let page = list
        .parse_response(http::Response::new(bytes::Bytes::from_static(
            b"<ListPartsResult><IsTruncated>false</IsTruncated><Part><PartNumber>1</PartNumber>\
              <ETag>\"a\"</ETag><Size>8</Size><ChecksumCRC32C>yZRlqg==</ChecksumCRC32C></Part>\
              <Part><PartNumber>2</PartNumber><Size>3</Size></Part></ListPartsResult>",
        )))
        .unwrap();
    assert_eq!(page.parts[0].part_number, 1);
    assert_eq!(page.parts[0].size, 8);
    assert_eq!(
        page.parts[0].checksum,
        Some(Checksum::new(ChecksumAlgorithm::Crc32c, "yZRlqg=="))
    );
    assert_eq!(page.parts[1].checksum, None);
}

#[tokio::test]
async fn create_multipart_upload_asks_for_the_checksum() {
    let srv = misbehaving::start(|_| {
        Reply::new(
            200,
            "<InitiateMultipartUploadResult><Key>k</Key><UploadId>u</UploadId></InitiateMultipartUploadResult>",
        )
    })
    .await;
    let c = client(&srv.endpoint);
    let full =
        CreateMultipartUpload::new().checksum(ChecksumAlgorithm::Crc32c, ChecksumType::FullObject);
    let up = within(c.create_multipart_upload("bkt", "k", &full))
        .await
        .unwrap();
    assert_eq!(up.checksum_algorithm, Some(ChecksumAlgorithm::Crc32c));
    assert_eq!(up.checksum_type, Some(ChecksumType::FullObject));
    let composite =
        CreateMultipartUpload::new().checksum(ChecksumAlgorithm::Sha256, ChecksumType::Composite);
    within(c.create_multipart_upload("bkt", "k", &composite))
        .await
        .unwrap();
    let seen = srv.requests.lock().unwrap().clone();
    assert_eq!(seen[0].header("x-amz-checksum-algorithm"), Some("CRC32C"));
    assert_eq!(seen[0].header("x-amz-checksum-type"), Some("FULL_OBJECT"));
    assert_eq!(seen[1].header("x-amz-checksum-algorithm"), Some("SHA256"));
    assert_eq!(seen[1].header("x-amz-checksum-type"), None);

    // S3 has no composite CRC64NVME and no full-object SHA-256: refused before sending.
    for (a, t) in [
        (ChecksumAlgorithm::Crc64Nvme, ChecksumType::Composite),
        (ChecksumAlgorithm::Sha256, ChecksumType::FullObject),
    ] {
        let e = c
            .create_multipart_upload("bkt", "k", &CreateMultipartUpload::new().checksum(a, t))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e:?}");
    }
    assert_eq!(srv.count(), 2);
}

/// One chunk of "hello world", as a streamed body.
fn hello_stream() -> impl futures_core::Stream<Item = Result<bytes::Bytes, std::io::Error>> {
    struct Once(Option<bytes::Bytes>);
    impl futures_core::Stream for Once {
        type Item = Result<bytes::Bytes, std::io::Error>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            std::task::Poll::Ready(self.0.take().map(Ok))
        }
    }
    Once(Some(bytes::Bytes::from_static(b"hello world")))
}

#[tokio::test]
async fn streamed_puts_are_checked_against_the_stored_checksum() {
    let srv = misbehaving::start(|r: &Request| {
        let stored = if r.target.contains("good") {
            HELLO_CRC64NVME
        } else {
            "AAAAAAAAAAA="
        };
        Reply::new(200, "")
            .header("etag", "\"e\"")
            .header("x-amz-checksum-crc64nvme", stored)
    })
    .await;
    let c = client(&srv.endpoint);
    let opts = PutObject::new();
    within(c.put_object_stream("bkt", "good", 11, hello_stream(), &opts))
        .await
        .unwrap();
    let e = within(c.put_object_stream("bkt", "bad", 11, hello_stream(), &opts))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Integrity, "{e:?}");

    // A checksum known in advance is sent as a header, for the server to check.
    let declared = PutObject::new().checksum(Checksum::new(ChecksumAlgorithm::Crc32, HELLO_CRC32));
    within(c.put_object_stream("bkt", "good", 11, hello_stream(), &declared))
        .await
        .unwrap();
    let seen = srv.requests.lock().unwrap().clone();
    assert_eq!(seen[0].body, b"hello world");
    assert_eq!(seen[2].header("x-amz-checksum-crc32"), Some(HELLO_CRC32));
    assert_eq!(
        seen[2].header("x-amz-sdk-checksum-algorithm"),
        Some("CRC32")
    );
}
