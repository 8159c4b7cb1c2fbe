//! The verifier against the signer, measured in the same run: `verify_url` of a presigned
//! GET against `sign_url` of the same GET (the request: virtual-hosted, 30-byte key,
//! 3600 s), with the thread-CPU-time measurement and the counting allocator of
//! `benches/presign.rs`.
//!
//! `cargo bench --bench verify` prints criterion's medians, their ratio (budget: 1.5x) and
//! the allocations per call (budget for `verify_url`: 2).

use std::hint::black_box;

use criterion::Criterion;
use criterion::measurement::{Measurement, WallTime};
use s3presign::s3::{Bucket, Endpoint};
use s3presign::verify::Verifier;
use s3presign::{AmzDate, Credentials, Signer};

#[path = "support/measure.rs"]
mod measure;
use measure::{ThreadCpuTime, allocs_per_call, median_ns, paired_ratio};

// ---------------------------------------------------------------------------------------
// Inputs

const ACCESS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
/// 30 bytes, nothing to escape.
const KEY: &str = "photos/2026/11/25/IMG_0001.jpg";
const EXPIRES: u64 = 3600;

struct Fixture {
    signer: Signer,
    bucket: Bucket,
    now: AmzDate,
    url: String,
}

fn fixture() -> Fixture {
    let signer = Signer::new(Credentials::new(ACCESS_KEY, SECRET)).unwrap();
    let bucket = Bucket::new(&Endpoint::aws("us-east-1").unwrap(), "examplebucket").unwrap();
    let now = AmzDate::parse("20261125T120000Z").unwrap();
    let url = bucket
        .get_object(KEY)
        .expires_in(EXPIRES)
        .sign_url(&signer, now)
        .unwrap();
    Fixture {
        signer,
        bucket,
        now,
        url,
    }
}

/// The gatekeeper's lookup: one known key, the credentials shared (handing them out is a
/// reference count, as a server holding its keys in memory would do).
fn verifier() -> Verifier<impl Fn(&str) -> Option<std::sync::Arc<Credentials>>> {
    let creds = std::sync::Arc::new(Credentials::new(ACCESS_KEY, SECRET));
    Verifier::new(move |id: &str| (id == ACCESS_KEY).then(|| creds.clone()))
        .with_region("us-east-1")
}

fn bench<M: Measurement>(c: &mut Criterion<M>, f: &Fixture) {
    let v = verifier();
    let mut g = c.benchmark_group("verify");
    g.bench_function("sign_url", |b| {
        b.iter(|| {
            f.bucket
                .get_object(black_box(KEY))
                .expires_in(EXPIRES)
                .sign_url(&f.signer, black_box(f.now))
                .unwrap()
        })
    });
    g.bench_function("verify_url", |b| {
        b.iter(|| {
            v.verify_url("GET", black_box(&f.url), &[], black_box(f.now))
                .unwrap()
        })
    });
    g.finish();
}

fn summary(f: &Fixture, clock: &str) {
    let v = verifier();
    let sign = allocs_per_call(|| {
        f.bucket
            .get_object(KEY)
            .expires_in(EXPIRES)
            .sign_url(&f.signer, f.now)
            .unwrap()
    });
    let verify = allocs_per_call(|| v.verify_url("GET", &f.url, &[], f.now).unwrap());
    println!("\nverify_url against sign_url ({clock}, criterion medians of this run)");
    println!("  SHA-256: {}", measure::sha256_backend());
    let (s, m) = (
        median_ns("verify", "sign_url"),
        median_ns("verify", "verify_url"),
    );
    for (name, ns, allocs) in [("sign_url", s, sign), ("verify_url", m, verify)] {
        match ns {
            Some(ns) => println!("  {name:<12} {ns:>9.0} ns  {allocs:>5.1} allocations/call"),
            None => println!("  {name:<12} (not run)  {allocs:>5.1} allocations/call"),
        }
    }
    if let (Some(s), Some(m)) = (s, m) {
        println!(
            "  verify_url / sign_url = {:.2}x (criterion medians)",
            m / s
        );
    }
    let paired = paired_ratio(
        || {
            v.verify_url("GET", black_box(&f.url), &[], black_box(f.now))
                .unwrap()
        },
        || {
            f.bucket
                .get_object(black_box(KEY))
                .expires_in(EXPIRES)
                .sign_url(&f.signer, black_box(f.now))
                .unwrap()
        },
    );
    let verdict = if paired <= 1.5 { "ok" } else { "OVER" };
    println!(
        "  verify_url / sign_url = {paired:.2}x paired (median of alternating rounds; budget 1.5x {verdict})"
    );
}

/// `S3PRESIGN_BENCH_LOOP=<sign_url|verify_url>:<n>` skips criterion and runs one case `n`
/// times (for profilers), printing the wall-clock time per call.
fn run_loop(spec: &str, f: &Fixture) {
    let (case, n) = spec.split_once(':').unwrap_or((spec, "1000000"));
    let n: u32 = n.parse().unwrap_or(1_000_000);
    let v = verifier();
    let start = std::time::Instant::now();
    for _ in 0..n {
        match case {
            "sign_url" => drop(black_box(
                f.bucket
                    .get_object(black_box(KEY))
                    .expires_in(EXPIRES)
                    .sign_url(&f.signer, black_box(f.now))
                    .unwrap(),
            )),
            _ => drop(black_box(
                v.verify_url("GET", black_box(&f.url), &[], black_box(f.now))
                    .unwrap(),
            )),
        }
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
