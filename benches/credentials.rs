//! Presigning through a [`CachingProvider`] against presigning with a fixed `Signer`, in the
//! same run: the cache's hit path (a clock read, an atomic load of the cached signer, an
//! `Arc` clone) must cost at most 10% of a presigned GET (virtual-hosted, 30-byte key,
//! 3600 s, temporary credentials with a session token).
//!
//! `cargo bench --bench credentials` prints criterion's medians, their ratio (budget
//! 1.10x) and the allocations per call (the cache must add none).

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use criterion::Criterion;
use criterion::measurement::{Measurement, WallTime};
use s3presign::providers::{CachingProvider, CredentialsFuture, ProvideCredentials};
use s3presign::s3::{Bucket, Endpoint};
use s3presign::{AmzDate, Credentials, Signer};

#[path = "support/measure.rs"]
mod measure;
use measure::{ThreadCpuTime, allocs_per_call, median_ns};

const KEY: &str = "photos/2026/11/25/IMG_0001.jpg";
const EXPIRES: u64 = 3600;

/// Temporary credentials that live far beyond the bench.
fn credentials() -> Credentials {
    Credentials::new(
        "ASIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )
    .with_session_token("FwoGZXIvYXdzEXAMPLESESSIONTOKEN".repeat(20))
    .with_expiry(AmzDate::from_unix_timestamp(4_000_000_000).unwrap())
}

#[derive(Debug)]
struct Fixed;

impl ProvideCredentials for Fixed {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async { Ok(credentials()) })
    }
}

struct Fixture {
    signer: Signer,
    cache: CachingProvider<Fixed>,
    bucket: Bucket,
    now: AmzDate,
    until: AmzDate,
}

/// Runs a future that does not wait (a cache hit) to completion.
fn ready<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("a cache hit does not wait"),
    }
}

fn fixture() -> Fixture {
    let now = AmzDate::now().unwrap();
    let f = Fixture {
        signer: Signer::new(credentials()).unwrap(),
        cache: CachingProvider::new(Fixed),
        bucket: Bucket::new(&Endpoint::aws("us-east-1").unwrap(), "examplebucket").unwrap(),
        now,
        until: now.checked_add_secs(EXPIRES).unwrap(),
    };
    // Fill the cache (a runtime only for the first fetch).
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f.cache.signer())
        .unwrap();
    f
}

fn cached(f: &Fixture) -> String {
    let signer = ready(f.cache.signer_valid_until(black_box(f.until))).unwrap();
    f.bucket
        .get_object(black_box(KEY))
        .expires_in(EXPIRES)
        .sign_url(&signer, black_box(f.now))
        .unwrap()
}

fn fixed(f: &Fixture) -> String {
    f.bucket
        .get_object(black_box(KEY))
        .expires_in(EXPIRES)
        .sign_url(&f.signer, black_box(f.now))
        .unwrap()
}

fn bench<M: Measurement>(c: &mut Criterion<M>, f: &Fixture) {
    let mut g = c.benchmark_group("credentials");
    g.bench_function("static_signer", |b| b.iter(|| fixed(f)));
    g.bench_function("cached_provider", |b| b.iter(|| cached(f)));
    g.finish();
}

fn summary(f: &Fixture, clock: &str) {
    println!(
        "\npresign through a CachingProvider against a fixed Signer ({clock}, criterion medians of this run)"
    );
    let (s, c) = (
        median_ns("credentials", "static_signer"),
        median_ns("credentials", "cached_provider"),
    );
    let allocs = [allocs_per_call(|| fixed(f)), allocs_per_call(|| cached(f))];
    for ((name, ns), a) in [("static_signer", s), ("cached_provider", c)]
        .into_iter()
        .zip(allocs)
    {
        match ns {
            Some(ns) => println!("  {name:<16} {ns:>9.0} ns  {a:>5.1} allocations/call"),
            None => println!("  {name:<16} (not run)  {a:>5.1} allocations/call"),
        }
    }
    if let (Some(s), Some(c)) = (s, c) {
        println!(
            "  cached_provider / static_signer = {:.3}x (budget 1.10x)",
            c / s
        );
    }
}

/// `S3PRESIGN_BENCH_LOOP=<static_signer|cached_provider>:<n>` runs one case `n` times.
fn run_loop(spec: &str, f: &Fixture) {
    let (case, n) = spec.split_once(':').unwrap_or((spec, "1000000"));
    let n: u32 = n.parse().unwrap_or(1_000_000);
    let start = std::time::Instant::now();
    for _ in 0..n {
        drop(black_box(if case == "static_signer" {
            fixed(f)
        } else {
            cached(f)
        }));
    }
    let ns = start.elapsed().as_nanos() as f64 / f64::from(n.max(1));
    println!("{case}: {ns:.0} ns per call over {n} calls (wall clock)");
}

fn main() {
    measure::main_with(
        &fixture(),
        bench::<ThreadCpuTime>,
        bench::<WallTime>,
        run_loop,
        summary,
    );
}
