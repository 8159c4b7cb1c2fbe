//! The client against servers that misbehave in one precise way each: an object whose
//! content is an S3 error document, repeated continuation markers, truncated pages without
//! a marker, deletes the server does not acknowledge, an endless error body, a skewed
//! clock that presigned URLs must follow.

mod common;

use std::time::{Duration, Instant};

use common::misbehaving::{self, Reply, Request};
use s3presign::Credentials;
use s3presign::client::{
    Client, ErrorKind, ListObjectVersions, ListObjectsV2, ObjectIdentifier, RetryConfig,
};
use s3presign::s3::Endpoint;

fn client(endpoint: &str) -> Client {
    Client::builder()
        .endpoint(Endpoint::custom(endpoint, "us-east-1").unwrap())
        .static_credentials(Credentials::new("AKIDEXAMPLE", "secret"))
        .retry(
            RetryConfig::default()
                .max_attempts(3)
                .initial_backoff(Duration::from_millis(1)),
        )
        .timeout(Duration::from_secs(8))
        .build()
        .unwrap()
}

/// Runs `f` with a deadline: a client that loops forever fails the test instead of
/// hanging it.
async fn within<T>(secs: u64, f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(secs), f)
        .await
        .expect("the client did not finish: it loops or waits forever")
}

const NS: &str = r#" xmlns="http://s3.amazonaws.com/doc/2006-03-01/""#;

#[tokio::test]
async fn get_object_returns_error_documents_as_content() {
    // A skew error with a server time years ahead, and a retryable code: as content.
    for code in ["RequestTimeTooSkewed", "InternalError", "NoSuchKey"] {
        let content = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code>\
             <Message>m</Message><ServerTime>2031-01-01T00:00:00Z</ServerTime></Error>"
        );
        let body = content.clone();
        let srv = misbehaving::start(move |_| {
            Reply::new(200, body.clone()).header("content-type", "application/xml")
        })
        .await;
        let c = client(&srv.endpoint);
        let got = within(20, c.get_object("bucket", "saved-error.xml"))
            .await
            .unwrap_or_else(|e| panic!("{code}: the object was taken for an error: {e}"));
        assert_eq!(got.body, content.as_bytes());
        assert_eq!(srv.count(), 1, "{code}: sent again");
        assert_eq!(c.clock_skew_secs(), 0, "{code}: the clock moved");
    }
}

fn list_v2_page(token: Option<&str>, key: &str) -> String {
    let next = token.map_or(String::new(), |t| {
        format!("<NextContinuationToken>{t}</NextContinuationToken>")
    });
    format!(
        "<ListBucketResult{NS}><IsTruncated>true</IsTruncated>{next}\
         <Contents><Key>{key}</Key><Size>1</Size></Contents></ListBucketResult>"
    )
}

#[tokio::test]
async fn list_objects_v2_stops_on_any_repeated_token() {
    // Tokens A, B, A, B, ...: not an immediate repeat, still a loop.
    let srv = misbehaving::start(|r: &Request| {
        let next = match r.query("continuation-token").as_deref() {
            None => "A",
            Some("A") => "B",
            _ => "A",
        };
        Reply::new(200, list_v2_page(Some(next), next))
    })
    .await;
    let c = client(&srv.endpoint);
    let result = within(
        20,
        c.list_objects_v2_pages("bucket", ListObjectsV2::new())
            .collect_objects(),
    )
    .await;
    let e = result.expect_err("a looping listing must end in an error");
    assert_eq!(e.kind(), ErrorKind::Decode, "{e}");
    assert_eq!(srv.count(), 3);
}

#[tokio::test]
async fn list_object_versions_stops_on_any_repeated_marker() {
    let srv = misbehaving::start(|r: &Request| {
        let next = match r.query("key-marker").as_deref() {
            None => "a",
            Some("a") => "b",
            _ => "a",
        };
        Reply::new(
            200,
            format!(
                "<ListVersionsResult{NS}><IsTruncated>true</IsTruncated>\
                 <NextKeyMarker>{next}</NextKeyMarker><NextVersionIdMarker>v</NextVersionIdMarker>\
                 <Version><Key>{next}</Key><VersionId>v</VersionId><Size>1</Size></Version>\
                 </ListVersionsResult>"
            ),
        )
    })
    .await;
    let c = client(&srv.endpoint);
    let mut pages = c.list_object_versions_pages("bucket", ListObjectVersions::new());
    let outcome = within(20, async {
        loop {
            match pages.next_page().await {
                Ok(Some(_)) => {}
                Ok(None) => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    })
    .await;
    assert!(
        outcome.is_err(),
        "a looping version listing must end in an error"
    );
    assert_eq!(srv.count(), 3);
}

fn parts_page(truncated: bool, marker: Option<&str>, part: u16) -> String {
    let marker = marker.map_or(String::new(), |m| {
        format!("<NextPartNumberMarker>{m}</NextPartNumberMarker>")
    });
    format!(
        "<ListPartsResult{NS}><IsTruncated>{truncated}</IsTruncated>{marker}\
         <Part><PartNumber>{part}</PartNumber><ETag>\"e{part}\"</ETag><Size>5</Size></Part>\
         </ListPartsResult>"
    )
}

#[tokio::test]
async fn list_parts_never_returns_a_partial_list_as_complete() {
    // Truncated, but no marker to continue from.
    let srv = misbehaving::start(|_| Reply::new(200, parts_page(true, None, 1))).await;
    let c = client(&srv.endpoint);
    let r = within(20, c.list_parts("bucket", "k", "up")).await;
    assert!(
        r.is_err(),
        "a truncated page without a marker was taken as the whole list: {r:?}"
    );

    // Markers 1, 2, 1, 2, ...
    let srv = misbehaving::start(|r: &Request| {
        let next = match r.query("part-number-marker").as_deref() {
            None => "1",
            Some("1") => "2",
            _ => "1",
        };
        Reply::new(200, parts_page(true, Some(next), next.parse().unwrap()))
    })
    .await;
    let c = client(&srv.endpoint);
    let r = within(20, c.list_parts("bucket", "k", "up")).await;
    assert!(
        r.is_err(),
        "a repeated marker ended the listing as complete: {r:?}"
    );
}

#[tokio::test]
async fn delete_objects_reports_keys_the_server_did_not_mention() {
    let srv = misbehaving::start(|_| {
        Reply::new(
            200,
            format!(
                "<DeleteResult{NS}><Deleted><Key>a</Key></Deleted>\
                 <Error><Key>b</Key><Code>AccessDenied</Code><Message>no</Message></Error>\
                 </DeleteResult>"
            ),
        )
    })
    .await;
    let c = client(&srv.endpoint);
    let keys = ["a", "b", "c"].map(ObjectIdentifier::from);
    let out = within(20, c.delete_objects("bucket", &keys)).await.unwrap();
    let not_deleted: Vec<(&str, &str)> = out
        .errors
        .iter()
        .map(|e| (e.key.as_str(), e.code.as_str()))
        .collect();
    assert_eq!(
        not_deleted,
        [("b", "AccessDenied"), ("c", "NotAcknowledged")],
        "key c looks deleted although the server never said so"
    );
    assert_eq!(out.deleted.len(), 1);
}

#[tokio::test]
async fn error_bodies_are_read_with_a_cap() {
    // A 403 that declares 64 MiB, sends 128 KiB of an error document's start, then stalls.
    let mut body = b"<Error><Code>AccessDenied</Code><Message>".to_vec();
    body.resize(128 * 1024, b'x');
    let srv = misbehaving::start(move |_| {
        let mut r = Reply::new(403, body.clone());
        r.declared_length = Some(64 << 20);
        r
    })
    .await;
    let c = client(&srv.endpoint);
    let started = Instant::now();
    let e = within(20, c.get_object("bucket", "k")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Service, "{e:?}");
    assert_eq!(e.status(), Some(403));
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "the error body was read to the end: {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn presigned_urls_follow_the_learnt_clock() {
    let ahead = 2 * 3600;
    let srv = misbehaving::start(move |r: &Request| {
        let local = s3presign::AmzDate::now().unwrap().unix_timestamp();
        let signed = r
            .header("x-amz-date")
            .and_then(|d| s3presign::AmzDate::parse(d).ok())
            .map_or(0, |d| d.unix_timestamp());
        if signed < local + ahead - 600 {
            let server = s3presign::AmzDate::from_unix_timestamp(local + ahead).unwrap();
            let doc = format!(
                "<Error><Code>RequestTimeTooSkewed</Code><Message>skewed</Message>\
                 <ServerTime>{}</ServerTime></Error>",
                iso8601(server.as_str())
            );
            return Reply::new(403, doc);
        }
        Reply::new(200, "")
    })
    .await;
    let c = client(&srv.endpoint);
    within(20, c.get_object("bucket", "k")).await.unwrap();
    let url = within(20, c.presign_get("bucket", "k", 600)).await.unwrap();
    let date = url
        .url()
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("X-Amz-Date="))
        .expect("X-Amz-Date")
        .to_owned();
    let signed = s3presign::AmzDate::parse(&date).unwrap().unix_timestamp();
    let local = s3presign::AmzDate::now().unwrap().unix_timestamp();
    assert!(
        (signed - local - ahead).abs() < 60,
        "presigned at {date}, {}s from the server's clock",
        signed - local - ahead
    );
}

/// `20250101T000000Z` as `2025-01-01T00:00:00Z` (S3's `ServerTime` form).
fn iso8601(amz: &str) -> String {
    format!(
        "{}-{}-{}T{}:{}:{}Z",
        &amz[0..4],
        &amz[4..6],
        &amz[6..8],
        &amz[9..11],
        &amz[11..13],
        &amz[13..15]
    )
}

#[tokio::test]
async fn corrupted_downloads_fail_their_checksum_whole_and_streamed() {
    // The CRC32 of the original bytes, as S3 stored it; the body arrives with one bit flipped.
    let crc = "DUoRhQ=="; // 0x0D4A1185, big-endian, base64
    let srv = misbehaving::start(move |r: &Request| {
        assert_eq!(r.header("x-amz-checksum-mode"), Some("ENABLED"));
        Reply::new(200, b"hello worle".to_vec()).header("x-amz-checksum-crc32", crc)
    })
    .await;
    let c = client(&srv.endpoint);
    let e = within(20, c.get_object("bucket", "k")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Integrity, "{e:?}");

    let mut body = within(
        20,
        c.get_object_stream("bucket", "k", &s3presign::client::GetObject::new()),
    )
    .await
    .unwrap();
    let mut seen = Vec::new();
    let end = loop {
        match within(20, body.chunk()).await {
            Ok(Some(chunk)) => seen.extend_from_slice(&chunk),
            Ok(None) => break Ok(()),
            Err(e) => break Err(e),
        }
    };
    assert_eq!(seen, b"hello worle");
    let e = end.expect_err("the stream reported its end although the bytes do not match");
    assert_eq!(e.kind(), ErrorKind::Integrity);
}

#[tokio::test]
async fn uploads_carry_a_crc32_unless_only_required_ones_are_wanted() {
    let srv = misbehaving::start(|_| Reply::new(200, "").header("etag", "\"e\"")).await;
    let c = client(&srv.endpoint);
    let opts = s3presign::client::PutObject::new();
    within(
        20,
        c.put_object("bucket", "k", b"hello world".to_vec(), &opts),
    )
    .await
    .unwrap();
    let plain = Client::builder()
        .endpoint(Endpoint::custom(&srv.endpoint, "us-east-1").unwrap())
        .static_credentials(Credentials::new("AKIDEXAMPLE", "secret"))
        .integrity(s3presign::client::Integrity::WhenRequired)
        .build()
        .unwrap();
    within(
        20,
        plain.put_object("bucket", "k", b"hello world".to_vec(), &opts),
    )
    .await
    .unwrap();
    let seen = srv.requests.lock().unwrap().clone();
    // CRC-32 of "hello world" is 0x0D4A1185.
    assert_eq!(seen[0].header("x-amz-checksum-crc32"), Some("DUoRhQ=="));
    assert_eq!(
        seen[0].header("x-amz-sdk-checksum-algorithm"),
        Some("CRC32")
    );
    assert!(
        seen[1]
            .headers
            .iter()
            .all(|(n, _)| !n.starts_with("x-amz-checksum"))
    );
}

#[tokio::test]
async fn short_bodies_are_not_returned_as_complete() {
    // Content-Length says 20, 11 bytes arrive, the connection closes.
    let srv = misbehaving::start(|_| {
        let mut r = Reply::new(200, b"hello world".to_vec());
        r.declared_length = Some(20);
        r
    })
    .await;
    let c = Client::builder()
        .endpoint(Endpoint::custom(&srv.endpoint, "us-east-1").unwrap())
        .static_credentials(Credentials::new("AKIDEXAMPLE", "secret"))
        .retry(RetryConfig::disabled())
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let r = within(20, c.get_object("bucket", "k")).await;
    assert!(r.is_err(), "a truncated body was returned as the object");
}
