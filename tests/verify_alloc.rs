//! Allocations of the verifier, counted with a counting global allocator (per thread, so
//! tests running in parallel do not disturb each other): `verify_url` of a presigned GET
//! with a lookup that shares its credentials.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::Arc;

use s3presign::s3::{Bucket, Endpoint};
use s3presign::verify::Verifier;
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

const ACCESS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

#[test]
fn verify_url_allocations() {
    let creds = Arc::new(Credentials::new(ACCESS_KEY, SECRET));
    let signer = Signer::new(Credentials::new(ACCESS_KEY, SECRET)).unwrap();
    let bucket = Bucket::new(&Endpoint::aws("us-east-1").unwrap(), "examplebucket").unwrap();
    let now = AmzDate::parse("20261125T120000Z").unwrap();
    let url = bucket
        .get_object("photos/2026/11/25/IMG_0001.jpg")
        .expires_in(3600)
        .sign_url(&signer, now)
        .unwrap();
    let v = Verifier::new(move |id: &str| (id == ACCESS_KEY).then(|| creds.clone()))
        .with_region("us-east-1");
    // The first call derives and caches the signing key.
    let (first, r) = count(|| v.verify_url("GET", &url, &[], now));
    assert!(r.is_ok(), "{r:?}");
    let (n, r) = count(|| v.verify_url("GET", &url, &[], now));
    assert!(r.is_ok(), "{r:?}");
    println!("verify_url: {first} allocations on the first call, {n} after");
    assert!(
        n <= BUDGET,
        "verify_url made {n} allocations (budget {BUDGET})"
    );
}

const BUDGET: u64 = 2;
