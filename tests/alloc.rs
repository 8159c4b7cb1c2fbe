//! Allocation budgets asserted with a counting global allocator: signing (presigned URLs,
//! header signing, the generic presigner, the batch) and verifying a presigned URL.
//!
//! The counter is per thread, so tests running in parallel do not disturb each other.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use s3presign::s3::{Bucket, Endpoint};
use s3presign::{AmzDate, Credentials, Signer};

struct Counting;

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

fn bump() {
    let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: every call is forwarded unchanged to the system allocator; we only count.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        bump();
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        bump();
        // SAFETY: same contract as ours.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        bump();
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations (alloc, alloc_zeroed, realloc) made on this thread by `f`.
fn count<R>(f: impl FnOnce() -> R) -> (u64, R) {
    let before = ALLOCS.with(Cell::get);
    let r = f();
    (ALLOCS.with(Cell::get) - before, r)
}

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const KEY: &str = "photos/2026/11/25/IMG_0001.jpg";

fn signer(token: Option<&str>) -> Signer {
    let mut c = Credentials::new("AKIAIOSFODNN7EXAMPLE", SECRET);
    if let Some(t) = token {
        c = c.with_session_token(t);
    }
    Signer::new(c).unwrap()
}

fn token_700() -> String {
    let t: String = "FwoGZXIvYXdzEJr//////////wEaDK+7x="
        .chars()
        .cycle()
        .take(700)
        .collect();
    assert_eq!(t.len(), 700);
    t
}

fn bucket() -> Bucket {
    Bucket::new(&Endpoint::aws("us-east-1").unwrap(), "examplebucket").unwrap()
}

fn now() -> AmzDate {
    AmzDate::parse("20130524T000000Z").unwrap()
}

#[test]
fn sign_url_allocates_exactly_the_returned_string() {
    let bucket = bucket();
    let token = token_700();
    for signer in [signer(None), signer(Some(&token))] {
        // The first call derives the signing key and fills the cache (it may allocate).
        let first = bucket
            .get_object(KEY)
            .expires_in(3600)
            .sign_url(&signer, now())
            .unwrap();
        for _ in 0..3 {
            let (n, url) = count(|| {
                bucket
                    .get_object(KEY)
                    .expires_in(3600)
                    .sign_url(&signer, now())
                    .unwrap()
            });
            assert_eq!(
                n,
                1,
                "allocations for one presigned GET (token: {})",
                url.contains("Token")
            );
            assert_eq!(url, first);
        }
        // Also for a key that needs escaping and a time in another second of the same day.
        let later = AmzDate::parse("20130524T235959Z").unwrap();
        let (n, url) = count(|| {
            bucket
                .get_object("a b/ü+=?.txt")
                .sign_url(&signer, later)
                .unwrap()
        });
        assert_eq!(n, 1);
        assert!(url.contains("/a%20b/%C3%BC%2B%3D%3F.txt?"));
    }
}

#[test]
fn signing_a_prepared_put_allocates_only_the_url() {
    let bucket = bucket();
    let signer = signer(None);
    // The builder owns the canonical content type (its own allocation); signing then makes
    // only the URL.
    let put = bucket
        .put_object(KEY)
        .content_type("video/mp4")
        .expires_in(60);
    put.sign_url(&signer, now()).unwrap();
    let (n, url) = count(|| put.sign_url(&signer, now()).unwrap());
    assert_eq!(n, 1);
    assert!(url.contains("X-Amz-SignedHeaders=content-type%3Bhost&"));
}

#[test]
fn sign_into_a_large_enough_buffer_allocates_nothing() {
    let bucket = bucket();
    let token = token_700();
    for signer in [signer(None), signer(Some(&token))] {
        let expected = bucket
            .get_object(KEY)
            .expires_in(3600)
            .sign_url(&signer, now())
            .unwrap();
        let mut buf = String::with_capacity(4096);
        for _ in 0..3 {
            buf.clear();
            let (n, r) = count(|| {
                bucket
                    .get_object(KEY)
                    .expires_in(3600)
                    .sign_into(&signer, now(), &mut buf)
            });
            r.unwrap();
            assert_eq!(n, 0);
            assert_eq!(buf, expected);
        }
    }
}

#[test]
fn batch_sign_into_allocates_nothing_per_url() {
    let bucket = bucket();
    let signer = signer(None);
    let batch = bucket.presign_get_batch(3600, &signer, now()).unwrap();
    let keys: Vec<String> = (0..100).map(|i| format!("photos/IMG_{i:04}.jpg")).collect();
    let mut buf = String::with_capacity(100 * 600);
    let (n, ()) = count(|| {
        for k in &keys {
            batch.sign_into(k, &mut buf).unwrap();
            buf.push('\n');
        }
    });
    assert_eq!(n, 0);
    let single = bucket
        .get_object(&keys[42])
        .expires_in(3600)
        .sign_url(&signer, now())
        .unwrap();
    assert_eq!(buf.lines().nth(42), Some(single.as_str()));
}

#[test]
fn signing_key_cache_hit_allocates_nothing() {
    let signer = signer(None);
    let scope = s3presign::sigv4::Scope::new(now(), "us-east-1", "s3").unwrap();
    let first = signer.signing_key(&scope);
    let (n, again) = count(|| signer.signing_key(&scope));
    assert_eq!(n, 0);
    // The same key: the same MAC of any data.
    assert_eq!(
        again.sign_bytes(b"data").as_bytes(),
        first.sign_bytes(b"data").as_bytes()
    );
}

#[test]
fn generic_presign_allocates_only_the_canonical_request() {
    use s3presign::Expiry;
    use s3presign::sigv4::{Payload, SignableRequest, SigningParams, SigningSettings, presign};
    let token = token_700();
    for signer in [signer(None), signer(Some(&token))] {
        let headers = [("host", "examplebucket.s3.us-east-1.amazonaws.com")];
        let params = SigningParams::new(&signer, "us-east-1", "s3", now())
            .with_settings(SigningSettings::s3());
        let req = SignableRequest::new(
            "GET",
            "/photos/IMG_0001.jpg",
            "",
            &headers,
            Payload::Unsigned,
        );
        let expiry = Expiry::from_secs(3600).unwrap();
        let first = presign(&req, &params, expiry).unwrap();
        let (n, again) = count(|| presign(&req, &params, expiry).unwrap());
        // One text holds the canonical request and, after it, the decoded parameter values.
        assert_eq!(n, 1);
        assert_eq!(again.query_string(""), first.query_string(""));
    }
}

#[test]
fn header_signing_allocates_only_the_canonical_request() {
    use s3presign::sigv4::{
        Payload, SignableRequest, SigningParams, SigningSettings, sign_headers,
    };
    let signer = signer(None);
    let headers = [("host", "examplebucket.s3.us-east-1.amazonaws.com")];
    let params =
        SigningParams::new(&signer, "us-east-1", "s3", now()).with_settings(SigningSettings::s3());
    let req = SignableRequest::new(
        "GET",
        "/photos/IMG_0001.jpg",
        "",
        &headers,
        Payload::Unsigned,
    );
    let first = sign_headers(&req, &params).unwrap();
    let (n, again) = count(|| sign_headers(&req, &params).unwrap());
    // The canonical request text; the other headers' values are borrowed or inline.
    assert_eq!(n, 1);
    assert_eq!(again.authorization(), first.authorization());
    assert_eq!(again.headers().count(), 3);
}

/// The per-thread memo of the string-to-sign state is keyed by signer, time, region and
/// service: alternating signers (different secrets), times and regions on one thread, and
/// sharing one signer across threads, always gives the URL a fresh signer computes.
#[test]
fn cached_signing_state_never_crosses_signers_times_or_regions() {
    let a = signer(None);
    let b = Signer::new(Credentials::new(
        "AKIAIOSFODNN7EXAMPLE",
        "another/secret/K7MDENGbPxRfiCYEXAMPLEKEY",
    ))
    .unwrap();
    let us = bucket();
    let eu = Bucket::new(&Endpoint::aws("eu-west-1").unwrap(), "examplebucket").unwrap();
    let t1 = now();
    let t2 = AmzDate::parse("20130524T000001Z").unwrap();
    // The reference: a new signer on a new thread (whose memo is empty), so it cannot
    // reuse any state this thread has cached.
    let fresh = |secret: &str, bucket: &Bucket, t: AmzDate| {
        std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    let s = Signer::new(Credentials::new("AKIAIOSFODNN7EXAMPLE", secret)).unwrap();
                    bucket.get_object(KEY).sign_url(&s, t).unwrap()
                })
                .join()
                .unwrap()
        })
    };
    let expected = |which: &Signer| {
        if std::ptr::eq(which, &a) {
            SECRET
        } else {
            "another/secret/K7MDENGbPxRfiCYEXAMPLEKEY"
        }
    };
    for _ in 0..3 {
        for s in [&a, &b, &a] {
            for bucket in [&us, &eu, &us] {
                for t in [t1, t2, t1] {
                    let url = bucket.get_object(KEY).sign_url(s, t).unwrap();
                    assert_eq!(url, fresh(expected(s), bucket, t));
                }
            }
        }
    }
    let want = fresh(SECRET, &us, t2);
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for _ in 0..50 {
                    assert_eq!(us.get_object(KEY).sign_url(&a, t2).unwrap(), want);
                }
            });
        }
    });
}

/// Verifying a presigned GET with a lookup that shares its credentials: after the first call
/// (which derives and caches the signing key) no allocation (the budget was 2; the result
/// holds its scope inline).
#[test]
fn verify_url_allocations() {
    const ACCESS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
    const EXPECTED: u64 = 0;
    let creds = std::sync::Arc::new(Credentials::new(ACCESS_KEY, SECRET));
    let signer = Signer::new(Credentials::new(ACCESS_KEY, SECRET)).unwrap();
    let bucket = Bucket::new(&Endpoint::aws("us-east-1").unwrap(), "examplebucket").unwrap();
    let now = AmzDate::parse("20261125T120000Z").unwrap();
    let url = bucket
        .get_object("photos/2026/11/25/IMG_0001.jpg")
        .expires_in(3600)
        .sign_url(&signer, now)
        .unwrap();
    let v =
        s3presign::verify::Verifier::new(move |id: &str| (id == ACCESS_KEY).then(|| creds.clone()))
            .with_region("us-east-1");
    let (first, r) = count(|| v.verify_url("GET", &url, &[], now));
    assert!(r.is_ok(), "{r:?}");
    let (n, r) = count(|| v.verify_url("GET", &url, &[], now));
    assert!(r.is_ok(), "{r:?}");
    println!("verify_url: {first} allocations on the first call, {n} after");
    assert_eq!(n, EXPECTED, "verify_url made {n} allocations");
}
