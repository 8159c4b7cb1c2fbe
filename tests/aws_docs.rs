//! The worked examples of the Amazon S3 API Reference, every published stage asserted:
//!
//! * "Authenticating Requests: Using Query Parameters (AWS Signature Version 4)"
//!   (<https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html>): the
//!   presigned GET of `examplebucket/test.txt`, 86400 s;
//! * "Signature Calculations for the Authorization Header: Transferring Payload in a Single
//!   Chunk" (<https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html>,
//!   section "Examples: Signature Calculations"): GET Object with a Range header, PUT Object
//!   with a Date header and a storage class, GET Bucket lifecycle, GET Bucket (list objects)
//!   with `max-keys` and `prefix`.
//!
//! All use the access key `AKIAIOSFODNN7EXAMPLE`, the secret
//! `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY`, 2013-05-24T00:00:00Z, `us-east-1` and the
//! global host `examplebucket.s3.amazonaws.com`. The expected texts below are the published
//! ones (canonical request, string to sign, signature, `Authorization` header); the pages
//! print the header without a space after each comma
//! (`...aws4_request,SignedHeaders=...,Signature=...`), ours has `, ` as the SigV4 suite
//! and the SDKs do. S3 accepts both; the comparison ignores that one difference only.

use s3presign::s3::{Bucket, Endpoint, UsEast1Endpoint};
use s3presign::sigv4::{self, Payload, SignableRequest, SigningParams, SigningSettings};
use s3presign::{AmzDate, Credentials, Expiry, Signer};

const AKID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const HOST: &str = "examplebucket.s3.amazonaws.com";
const EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

fn signer() -> Signer {
    Signer::new(Credentials::new(AKID, SECRET)).unwrap()
}

fn now() -> AmzDate {
    AmzDate::parse("20130524T000000Z").unwrap()
}

fn lines(parts: &[&str]) -> String {
    parts.join("\n")
}

fn string_to_sign(canonical_request_hash: &str) -> String {
    lines(&[
        "AWS4-HMAC-SHA256",
        "20130524T000000Z",
        "20130524/us-east-1/s3/aws4_request",
        canonical_request_hash,
    ])
}

/// The published `Authorization` header, in its published spelling.
fn published_authorization(signed_headers: &str, signature: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential={AKID}/20130524/us-east-1/s3/aws4_request,\
         SignedHeaders={signed_headers},Signature={signature}"
    )
}

struct HeaderExample<'a> {
    method: &'a str,
    path: &'a str,
    query: &'a str,
    headers: &'a [(&'a str, &'a str)],
    body: &'a [u8],
    canonical_request: String,
    canonical_request_hash: &'a str,
    signed_headers: &'a str,
    signature: &'a str,
}

/// Signs the example with S3's settings and checks each published stage, and the headers
/// the signer returns (`x-amz-date`, `x-amz-content-sha256`, `authorization`).
fn check(ex: &HeaderExample<'_>) {
    let signer = signer();
    let req = SignableRequest::new(
        ex.method,
        ex.path,
        ex.query,
        ex.headers,
        Payload::Bytes(ex.body),
    );
    let params =
        SigningParams::new(&signer, "us-east-1", "s3", now()).with_settings(SigningSettings::s3());
    let signed = sigv4::sign_headers(&req, &params).unwrap();

    assert_eq!(
        signed.canonical_request().to_string(),
        ex.canonical_request,
        "canonical request"
    );
    assert_eq!(
        signed.string_to_sign().to_string(),
        string_to_sign(ex.canonical_request_hash),
        "string to sign"
    );
    assert_eq!(signed.signature().to_string(), ex.signature, "signature");
    assert_eq!(
        signed.authorization().replace(", ", ","),
        published_authorization(ex.signed_headers, ex.signature),
        "authorization"
    );
    let payload_hash = ex.canonical_request.rsplit('\n').next().unwrap();
    let added: Vec<(&str, &str)> = signed.headers().collect();
    assert_eq!(
        added,
        [
            ("x-amz-date", "20130524T000000Z"),
            ("x-amz-content-sha256", payload_hash),
            ("authorization", signed.authorization()),
        ]
    );
}

/// "Example: GET Object": the first 10 bytes of `test.txt`, payload hash of the empty body.
#[test]
fn get_object_with_range() {
    check(&HeaderExample {
        method: "GET",
        path: "/test.txt",
        query: "",
        headers: &[("Host", HOST), ("Range", "bytes=0-9")],
        body: b"",
        canonical_request: lines(&[
            "GET",
            "/test.txt",
            "",
            "host:examplebucket.s3.amazonaws.com",
            "range:bytes=0-9",
            "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "x-amz-date:20130524T000000Z",
            "",
            "host;range;x-amz-content-sha256;x-amz-date",
            EMPTY,
        ]),
        canonical_request_hash: "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972",
        signed_headers: "host;range;x-amz-content-sha256;x-amz-date",
        signature: "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
    });
}

/// "Example: PUT Object": `test$file.text` with the body `Welcome to Amazon S3.`, a `Date`
/// header and `x-amz-storage-class: REDUCED_REDUNDANCY`. The key's `$` is escaped once.
#[test]
fn put_object_with_date_and_storage_class() {
    let body = b"Welcome to Amazon S3.";
    let hash = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072";
    assert_eq!(Payload::Bytes(body).hash_hex().unwrap(), hash);
    // The path as a client sends it (`%24`) and raw (`$`): single encoding gives the same
    // canonical URI, `/test%24file.text`.
    for path in ["/test$file.text", "/test%24file.text"] {
        check(&HeaderExample {
            method: "PUT",
            path,
            query: "",
            headers: &[
                ("Host", HOST),
                ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
                ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            ],
            body,
            canonical_request: lines(&[
                "PUT",
                "/test%24file.text",
                "",
                "date:Fri, 24 May 2013 00:00:00 GMT",
                "host:examplebucket.s3.amazonaws.com",
                "x-amz-content-sha256:44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
                "x-amz-date:20130524T000000Z",
                "x-amz-storage-class:REDUCED_REDUNDANCY",
                "",
                "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
                hash,
            ]),
            canonical_request_hash: "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d",
            signed_headers: "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
            signature: "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd",
        });
    }
}

/// "Example: GET Bucket Lifecycle": the sub-resource `?lifecycle` has no value; it is
/// canonicalised as `lifecycle=`.
#[test]
fn get_bucket_lifecycle() {
    check(&HeaderExample {
        method: "GET",
        path: "/",
        query: "lifecycle",
        headers: &[("Host", HOST)],
        body: b"",
        canonical_request: lines(&[
            "GET",
            "/",
            "lifecycle=",
            "host:examplebucket.s3.amazonaws.com",
            "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "x-amz-date:20130524T000000Z",
            "",
            "host;x-amz-content-sha256;x-amz-date",
            EMPTY,
        ]),
        canonical_request_hash: "9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca",
        signed_headers: "host;x-amz-content-sha256;x-amz-date",
        signature: "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543",
    });
}

/// "Example: Get Bucket (List Objects)": `?max-keys=2&prefix=J`, sorted by name. The query
/// is given in the other order as well: the canonical query does not depend on it.
#[test]
fn get_bucket_list_objects() {
    for query in ["max-keys=2&prefix=J", "prefix=J&max-keys=2"] {
        check(&HeaderExample {
            method: "GET",
            path: "/",
            query,
            headers: &[("Host", HOST)],
            body: b"",
            canonical_request: lines(&[
                "GET",
                "/",
                "max-keys=2&prefix=J",
                "host:examplebucket.s3.amazonaws.com",
                "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                "x-amz-date:20130524T000000Z",
                "",
                "host;x-amz-content-sha256;x-amz-date",
                EMPTY,
            ]),
            canonical_request_hash: "df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7",
            signed_headers: "host;x-amz-content-sha256;x-amz-date",
            signature: "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7",
        });
    }
}

// ---------------------------------------------------------------------------------------
// The presigned GET (query-string authentication)
// ---------------------------------------------------------------------------------------

fn presigned_canonical_request() -> String {
    lines(&[
        "GET",
        "/test.txt",
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host",
        "host:examplebucket.s3.amazonaws.com",
        "",
        "host",
        "UNSIGNED-PAYLOAD",
    ])
}

const PRESIGNED_STS_HASH: &str = "3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04";
const PRESIGNED_SIGNATURE: &str =
    "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
const PRESIGNED_URL: &str = "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

/// Through the generic presigner with S3's settings.
#[test]
fn presigned_get_with_sigv4_presign() {
    let signer = signer();
    let headers = [("host", HOST)];
    let req = SignableRequest::new("GET", "/test.txt", "", &headers, Payload::Unsigned);
    let params =
        SigningParams::new(&signer, "us-east-1", "s3", now()).with_settings(SigningSettings::s3());
    let signed = sigv4::presign(&req, &params, Expiry::from_secs(86400).unwrap()).unwrap();
    assert_eq!(
        signed.canonical_request().to_string(),
        presigned_canonical_request()
    );
    assert_eq!(
        signed.string_to_sign().to_string(),
        string_to_sign(PRESIGNED_STS_HASH)
    );
    assert_eq!(signed.signature().to_string(), PRESIGNED_SIGNATURE);
    // X-Amz-SignedHeaders is written after X-Amz-Expires here too, as on the page.
    assert_eq!(
        format!("https://{HOST}/test.txt?{}", signed.query_string("")),
        PRESIGNED_URL
    );
}

/// Through the S3 builder, on the legacy global endpoint the page uses.
#[test]
fn presigned_get_with_bucket_builder() {
    let signer = signer();
    let endpoint = Endpoint::aws("us-east-1")
        .unwrap()
        .with_us_east_1(UsEast1Endpoint::Global);
    let bucket = Bucket::new(&endpoint, "examplebucket").unwrap();
    let get = bucket.get_object("test.txt").expires_in(86400);
    assert_eq!(
        get.canonical_request(&signer, now()).unwrap(),
        presigned_canonical_request()
    );
    assert_eq!(
        get.string_to_sign(&signer, now()).unwrap(),
        string_to_sign(PRESIGNED_STS_HASH)
    );
    assert_eq!(get.sign_url(&signer, now()).unwrap(), PRESIGNED_URL);
    let presigned = get.sign(&signer, now()).unwrap();
    assert_eq!(presigned.url(), PRESIGNED_URL);
    assert_eq!(presigned.method(), "GET");
    assert_eq!(presigned.headers().count(), 0);
    assert_eq!(presigned.expires_at().as_str(), "20130525T000000Z");
}

/// The same page's example, seen from the date side: the RFC 3339 spelling of the time
/// gives the same URL.
#[test]
fn presigned_get_with_rfc3339_time() {
    let endpoint = Endpoint::aws("us-east-1")
        .unwrap()
        .with_us_east_1(UsEast1Endpoint::Global);
    let bucket = Bucket::new(&endpoint, "examplebucket").unwrap();
    let t = AmzDate::parse("2013-05-24T00:00:00Z").unwrap();
    assert_eq!(
        bucket
            .get_object("test.txt")
            .expires_in(86400)
            .sign_url(&signer(), t)
            .unwrap(),
        PRESIGNED_URL
    );
}
