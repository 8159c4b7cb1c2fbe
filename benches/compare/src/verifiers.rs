//! `VERIFY=1`: verifying a presigned GET, s3presign's `Verifier::verify_url` against s3s
//! 0.14.1 (the S3 server framework the tests run against), in one run, with signing the
//! same URL as the reference.
//!
//! s3s checks signatures inside its service, so it is timed through it: an `S3Service`
//! with one access key and an S3 implementation whose GetObject answers an empty object at
//! once. A GET whose signature s3s accepts reaches it and is answered 200; one it refuses is
//! answered 403. The run asserts both (so the time is that of a passed check, with s3s's
//! routing and an empty answer), and that s3presign accepts and refuses the same two URLs.
//! s3s compares the request time with the clock, so the URL is signed now.

use std::hint::black_box;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use s3presign::verify::Verifier;
use s3presign::{AmzDate, Credentials, Signer};

use crate::{ACCESS_KEY, EXPIRES, KEY, REGION, SECRET, interleaved};

/// An S3 implementation whose GetObject answers an empty object (every other operation is
/// NotImplemented).
struct EmptyObjects;

#[async_trait::async_trait]
impl s3s::S3 for EmptyObjects {
    async fn get_object(
        &self,
        _req: s3s::S3Request<s3s::dto::GetObjectInput>,
    ) -> s3s::S3Result<s3s::S3Response<s3s::dto::GetObjectOutput>> {
        Ok(s3s::S3Response::new(s3s::dto::GetObjectOutput::default()))
    }
}

/// Runs a future that needs no I/O to completion (s3s's service does not wait on anything
/// here), without a runtime's overhead in the timing.
fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = f.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

fn s3s_status(service: &s3s::service::S3Service, host: &str, path_and_query: &str) -> u16 {
    let req = http::Request::builder()
        .method("GET")
        .uri(path_and_query)
        .header("host", host)
        .body(s3s::Body::empty())
        .expect("a request");
    match block_on(service.call(req)) {
        Ok(resp) => resp.status().as_u16(),
        Err(e) => panic!("s3s failed: {e:?}"),
    }
}

pub fn run(rounds: usize) {
    const HOST: &str = "127.0.0.1:9000";
    let endpoint = s3presign::s3::Endpoint::custom(&format!("http://{HOST}"), REGION).unwrap();
    let bucket = s3presign::s3::Bucket::new(&endpoint, "examplebucket").unwrap();
    let signer = Signer::new(Credentials::new(ACCESS_KEY, SECRET)).unwrap();
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let now = AmzDate::from_unix_timestamp(secs as i64).unwrap();
    let sign = || {
        bucket
            .get_object(black_box(KEY))
            .expires_in(EXPIRES)
            .sign_url(&signer, now)
            .unwrap()
    };
    let url = sign();
    let path_and_query = &url[url.find(HOST).unwrap() + HOST.len()..];
    // The same URL with the signature's last digit changed.
    let last = if url.ends_with('0') { "1" } else { "0" };
    let forged = format!("{}{last}", &url[..url.len() - 1]);
    let forged_path = &forged[forged.find(HOST).unwrap() + HOST.len()..];

    let service = {
        let mut b = s3s::service::S3ServiceBuilder::new(EmptyObjects);
        b.set_auth(s3s::auth::SimpleAuth::from_single(ACCESS_KEY, SECRET.to_owned()));
        b.build()
    };
    assert_eq!(s3s_status(&service, HOST, path_and_query), 200, "s3s refused {url}");
    assert_eq!(s3s_status(&service, HOST, forged_path), 403, "s3s accepted {forged}");

    let creds = Arc::new(Credentials::new(ACCESS_KEY, SECRET));
    let verifier = Verifier::new(move |id: &str| (id == ACCESS_KEY).then(|| creds.clone()))
        .with_region(REGION);
    assert!(verifier.verify_url("GET", &url, &[], now).is_ok());
    assert!(verifier.verify_url("GET", &forged, &[], now).is_err());

    let fs: [&dyn Fn(); 3] = [
        &|| drop(black_box(sign())),
        &|| drop(black_box(verifier.verify_url("GET", black_box(&url), &[], now))),
        &|| {
            black_box(s3s_status(&service, HOST, black_box(path_and_query)));
        },
    ];
    let m = interleaved(&fs, rounds, 200);
    println!("| presigned GET | median ns | vs signing it |");
    println!("|---|---:|---:|");
    for (name, ns) in [
        ("s3presign: signing it (`sign_url`)", m[0]),
        ("s3presign: `Verifier::verify_url`", m[1]),
        ("s3s 0.14.1: its service (check, routing, empty answer)", m[2]),
    ] {
        println!("| {name} | {ns:.0} | {:.2}x |", ns / m[0]);
    }
}
