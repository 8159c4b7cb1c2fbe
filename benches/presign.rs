//! Presigning cost against the cryptographic floor, measured in the same run.
//!
//! `cargo bench --bench presign` runs every case with criterion, then prints a summary:
//! criterion's median per case, its ratio to the floor of the same request, the allocations
//! per call (counting global allocator) and the batch throughput.
//!
//! The floor of a request is the work no SigV4 implementation can skip: SHA-256 of its
//! canonical request plus one HMAC-SHA256 of its string to sign, starting from a cloned
//! pre-keyed HMAC state (the signing key is cached). It is computed with the same sha2 and
//! hmac crates the library uses, over the exact canonical request and string to sign that
//! the library reports for that case (so the token case's floor includes hashing the token).
//!
//! The floors are mostly SHA-256, so the ratios depend on the SHA-256 code (the summary
//! names it): CPUs with SHA instructions make the floors several times cheaper, and the
//! same code reads higher ratios there. `RUSTFLAGS='--cfg sha2_backend="soft"' cargo bench
//! --bench presign` measures with the portable code on any machine.
//!
//! `S3PRESIGN_BENCH_LOOP=<case>:<n>` skips criterion and runs one case `n` times, for
//! instruction counts under `valgrind --tool=callgrind` (run with two `n` and subtract).

use std::hint::black_box;

use criterion::measurement::{Measurement, WallTime};
use criterion::{BatchSize, Criterion, Throughput};
use hmac::{Hmac, KeyInit, Mac};
use s3presign::s3::{Bucket, Endpoint};
use s3presign::sigv4::{
    Payload, SignableRequest, SigningParams, SigningSettings, presign, sign_headers,
};
use s3presign::{AmzDate, Credentials, Expiry, Signer};
use sha2::{Digest, Sha256};

#[path = "support/measure.rs"]
mod measure;
use measure::{ThreadCpuTime, allocs_per_call, median_ns, paired_ratio};

// ---------------------------------------------------------------------------------------
// Inputs: the GET (virtual-hosted, 30-byte key, 3600 s) and a PUT with a signed
// content type, with and without a 700-character session token.

const ACCESS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
/// 30 bytes, nothing to escape.
const KEY: &str = "photos/2026/11/25/IMG_0001.jpg";
const EXPIRES: u64 = 3600;

/// A 700-character token shaped like an STS session token (base64 with `+`, `/`, `=`,
/// which the query encoding escapes).
fn session_token() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut x: u32 = 0x2545_f491;
    let mut t: String = (0..698)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            ALPHABET[(x % 64) as usize] as char
        })
        .collect();
    t.push_str("==");
    assert_eq!(t.len(), 700);
    t
}

struct Fixture {
    bucket: Bucket,
    plain: Signer,
    token: Signer,
    now: AmzDate,
}

fn fixture() -> Fixture {
    assert_eq!(KEY.len(), 30);
    let endpoint = Endpoint::aws("us-east-1").unwrap();
    let bucket = Bucket::new(&endpoint, "examplebucket").unwrap();
    let plain = Signer::new(Credentials::new(ACCESS_KEY, SECRET)).unwrap();
    let token =
        Signer::new(Credentials::new(ACCESS_KEY, SECRET).with_session_token(session_token()))
            .unwrap();
    let now = AmzDate::parse("20130524T000000Z").unwrap();
    Fixture {
        bucket,
        plain,
        token,
        now,
    }
}

// ---------------------------------------------------------------------------------------
// The floor.

type HmacSha256 = Hmac<Sha256>;

/// SHA-256 of `canonical_request`, hex, then one HMAC of `string_to_sign` from a cloned
/// pre-keyed state: the work any implementation must do per signature.
struct Floor {
    canonical_request: Vec<u8>,
    /// The string to sign without its last line (the hash, which the floor computes).
    sts_prefix: Vec<u8>,
    keyed: HmacSha256,
    /// Whether each run derives the signing key first (a cold signer's first URL).
    derive: bool,
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(key).unwrap();
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// The SigV4 signing key of the fixture's scope: four chained HMACs.
#[inline(never)]
fn derive_key() -> [u8; 32] {
    let mut secret = [0u8; 44];
    secret[..4].copy_from_slice(b"AWS4");
    secret[4..].copy_from_slice(SECRET.as_bytes());
    let k = hmac(black_box(&secret), b"20130524");
    let k = hmac(&k, b"us-east-1");
    let k = hmac(&k, b"s3");
    hmac(&k, b"aws4_request")
}

impl Floor {
    fn new(canonical_request: &str, string_to_sign: &str) -> Self {
        let prefix_len = string_to_sign.rfind('\n').unwrap() + 1;
        assert_eq!(string_to_sign.len() - prefix_len, 64);
        Self {
            canonical_request: canonical_request.as_bytes().to_vec(),
            sts_prefix: string_to_sign.as_bytes()[..prefix_len].to_vec(),
            keyed: <HmacSha256 as KeyInit>::new_from_slice(&derive_key()).unwrap(),
            derive: false,
        }
    }

    /// As [`Floor::new`], plus the key derivation in every run.
    fn with_derivation(mut self) -> Self {
        self.derive = true;
        self
    }

    #[inline(never)]
    fn run(&self) -> [u8; 32] {
        let hash = Sha256::digest(&self.canonical_request);
        let mut hex = [0u8; 64];
        hex::encode_to_slice(hash, &mut hex).unwrap();
        let mut mac = if self.derive {
            <HmacSha256 as KeyInit>::new_from_slice(&derive_key()).unwrap()
        } else {
            self.keyed.clone()
        };
        mac.update(&self.sts_prefix);
        mac.update(&hex);
        mac.finalize().into_bytes().into()
    }

    fn lens(&self) -> (usize, usize) {
        (self.canonical_request.len(), self.sts_prefix.len() + 64)
    }
}

// ---------------------------------------------------------------------------------------
// Header signing: an S3 GET with an unsigned payload, as the client sends it.

fn header_request_headers(f: &Fixture) -> [(&str, &str); 1] {
    [("host", f.bucket.host())]
}

fn header_path() -> String {
    format!("/{KEY}")
}

// ---------------------------------------------------------------------------------------
// Cases.

/// 4096 consecutive seconds of the fixture's day.
fn new_seconds(f: &Fixture) -> Vec<AmzDate> {
    (0..4096)
        .map(|s| AmzDate::from_unix_timestamp(f.now.unix_timestamp() + s).unwrap())
        .collect()
}

const BATCH: usize = 1000;

fn batch_keys() -> Vec<String> {
    (0..BATCH)
        .map(|i| format!("photos/2026/11/25/IMG_{:04}.jpg", i % 10_000))
        .collect()
}

fn floors(f: &Fixture) -> [(&'static str, Floor); 7] {
    let get = f.bucket.get_object(KEY).expires_in(EXPIRES);
    let put = f
        .bucket
        .put_object(KEY)
        .content_type("video/mp4")
        .expires_in(EXPIRES);
    let floor_of = |p: &s3presign::s3::Presign<'_>, s: &Signer| {
        Floor::new(
            &p.canonical_request(s, f.now).unwrap(),
            &p.string_to_sign(s, f.now).unwrap(),
        )
    };
    let path = header_path();
    let hdrs = header_request_headers(f);
    let req = SignableRequest::new("GET", &path, "", &hdrs, Payload::Unsigned);
    let params =
        SigningParams::new(&f.plain, "us-east-1", "s3", f.now).with_settings(SigningSettings::s3());
    let signed = sign_headers(&req, &params).unwrap();
    let generic = presign(&req, &params, Expiry::from_secs(EXPIRES).unwrap()).unwrap();
    [
        ("get", floor_of(&get, &f.plain)),
        ("get_token", floor_of(&get, &f.token)),
        ("put", floor_of(&put, &f.plain)),
        ("put_token", floor_of(&put, &f.token)),
        (
            "headers",
            Floor::new(
                &signed.canonical_request().to_string(),
                &signed.string_to_sign().to_string(),
            ),
        ),
        (
            "presign_generic",
            Floor::new(
                &generic.canonical_request().to_string(),
                &generic.string_to_sign().to_string(),
            ),
        ),
        (
            "new_signer_token",
            floor_of(&get, &f.token).with_derivation(),
        ),
    ]
}

fn bench<M: Measurement>(c: &mut Criterion<M>, f: &Fixture) {
    let floors = floors(f);
    let mut g = c.benchmark_group("presign");
    for (name, floor) in &floors {
        g.bench_function(format!("floor_{name}"), |b| b.iter(|| floor.run()));
    }
    let now = f.now;
    for (name, signer) in [("get", &f.plain), ("get_token", &f.token)] {
        let bucket = &f.bucket;
        g.bench_function(name, |b| {
            b.iter(|| {
                bucket
                    .get_object(black_box(KEY))
                    .expires_in(EXPIRES)
                    .sign_url(signer, now)
                    .unwrap()
            })
        });
    }
    {
        // A new request time on every call (a new second within the same day): the
        // signer's per-time HMAC state never repeats, the worst case for a server.
        let bucket = &f.bucket;
        let times = new_seconds(f);
        let mut i = 0;
        g.bench_function("get_new_second", |b| {
            b.iter(|| {
                i = (i + 1) % times.len();
                bucket
                    .get_object(black_box(KEY))
                    .expires_in(EXPIRES)
                    .sign_url(&f.plain, times[i])
                    .unwrap()
            })
        });
    }
    for (name, signer) in [("put", &f.plain), ("put_token", &f.token)] {
        let bucket = &f.bucket;
        g.bench_function(name, |b| {
            b.iter(|| {
                bucket
                    .put_object(black_box(KEY))
                    .content_type("video/mp4")
                    .expires_in(EXPIRES)
                    .sign_url(signer, now)
                    .unwrap()
            })
        });
    }
    {
        let bucket = &f.bucket;
        let signer = &f.plain;
        let mut buf = String::with_capacity(1024);
        g.bench_function("get_into", |b| {
            b.iter(|| {
                buf.clear();
                bucket
                    .get_object(black_box(KEY))
                    .expires_in(EXPIRES)
                    .sign_into(signer, now, &mut buf)
                    .unwrap();
            })
        });
    }
    {
        let path = header_path();
        let hdrs = header_request_headers(f);
        let params = SigningParams::new(&f.plain, "us-east-1", "s3", now)
            .with_settings(SigningSettings::s3());
        g.bench_function("headers", |b| {
            b.iter(|| {
                let req =
                    SignableRequest::new("GET", black_box(&path), "", &hdrs, Payload::Unsigned);
                sign_headers(&req, &params).unwrap()
            })
        });
    }
    {
        let path = header_path();
        let hdrs = header_request_headers(f);
        let params = SigningParams::new(&f.plain, "us-east-1", "s3", now)
            .with_settings(SigningSettings::s3());
        let expiry = Expiry::from_secs(EXPIRES).unwrap();
        g.bench_function("presign_generic", |b| {
            b.iter(|| {
                let req =
                    SignableRequest::new("GET", black_box(&path), "", &hdrs, Payload::Unsigned);
                presign(&req, &params, expiry).unwrap()
            })
        });
    }
    {
        // A cold signer with a session token: its setup, one key derivation, one URL, and
        // dropping the signer (its memory is then reused, as in a program that makes one
        // signer per request).
        let creds = f.token.credentials().clone();
        let bucket = &f.bucket;
        g.bench_function("new_signer_token", |b| {
            b.iter_batched(
                || creds.clone(),
                |c| {
                    let signer = Signer::new(c).unwrap();
                    bucket
                        .get_object(black_box(KEY))
                        .expires_in(EXPIRES)
                        .sign_url(&signer, now)
                        .unwrap()
                },
                BatchSize::SmallInput,
            )
        });
    }
    g.finish();

    let keys = batch_keys();
    let mut g = c.benchmark_group("batch");
    g.throughput(Throughput::Elements(BATCH as u64));
    {
        let mut buf = String::with_capacity(600 * BATCH);
        g.bench_function("get_1000", |b| {
            b.iter(|| {
                buf.clear();
                let batch = f.bucket.presign_get_batch(EXPIRES, &f.plain, now).unwrap();
                for k in &keys {
                    batch.sign_into(k, &mut buf).unwrap();
                    buf.push('\n');
                }
            })
        });
    }
    g.finish();
}

// ---------------------------------------------------------------------------------------
// Summary: criterion's medians, read back from its estimates, divided by the floors.

fn allocation_counts(f: &Fixture) -> Vec<(&'static str, f64)> {
    let now = f.now;
    let b = &f.bucket;
    let get = |s: &Signer| {
        b.get_object(KEY)
            .expires_in(EXPIRES)
            .sign_url(s, now)
            .unwrap()
    };
    let put = |s: &Signer| {
        b.put_object(KEY)
            .content_type("video/mp4")
            .expires_in(EXPIRES)
            .sign_url(s, now)
            .unwrap()
    };
    let mut buf = String::with_capacity(4096);
    let path = header_path();
    let hdrs = header_request_headers(f);
    let params =
        SigningParams::new(&f.plain, "us-east-1", "s3", now).with_settings(SigningSettings::s3());
    let keys = batch_keys();
    let mut batch_buf = String::with_capacity(600 * BATCH);
    let batch_allocs = allocs_per_call(|| {
        batch_buf.clear();
        let batch = b.presign_get_batch(EXPIRES, &f.plain, now).unwrap();
        for k in &keys {
            batch.sign_into(k, &mut batch_buf).unwrap();
        }
    }) / BATCH as f64;
    vec![
        ("get", allocs_per_call(|| get(&f.plain))),
        ("get_token", allocs_per_call(|| get(&f.token))),
        ("put", allocs_per_call(|| put(&f.plain))),
        ("put_token", allocs_per_call(|| put(&f.token))),
        (
            "get_into",
            allocs_per_call(|| {
                buf.clear();
                b.get_object(KEY)
                    .expires_in(EXPIRES)
                    .sign_into(&f.plain, now, &mut buf)
                    .unwrap()
            }),
        ),
        (
            "headers",
            allocs_per_call(|| {
                let req = SignableRequest::new("GET", &path, "", &hdrs, Payload::Unsigned);
                sign_headers(&req, &params).unwrap()
            }),
        ),
        ("batch/get_1000 (per URL)", batch_allocs),
        (
            "presign_generic",
            allocs_per_call(|| {
                let req = SignableRequest::new("GET", &path, "", &hdrs, Payload::Unsigned);
                presign(&req, &params, Expiry::from_secs(EXPIRES).unwrap()).unwrap()
            }),
        ),
    ]
}

fn summary(f: &Fixture, clock: &str) {
    let floors = floors(f);
    println!("\n## s3presign bench summary (criterion medians of this run, {clock})\n");
    println!("SHA-256: {}\n", measure::sha256_backend());
    for (name, floor) in &floors {
        let (creq, sts) = floor.lens();
        println!("floor_{name}: canonical request {creq} bytes, string to sign {sts} bytes");
    }
    println!();
    println!("| case | median ns | floor ns | ratio | budget |");
    println!("|---|---:|---:|---:|---:|");
    let rows: [(&str, &str, Option<f64>); 9] = [
        ("get", "get", Some(1.25)),
        ("get_token", "get_token", Some(1.25)),
        ("get_into", "get", None),
        ("get_new_second", "get", None),
        ("put", "put", None),
        ("put_token", "put_token", None),
        ("headers", "headers", Some(1.3)),
        ("presign_generic", "presign_generic", Some(1.3)),
        ("new_signer_token", "new_signer_token", Some(1.4)),
    ];
    for (case, floor, budget) in rows {
        let (Some(m), Some(fl)) = (
            median_ns("presign", case),
            median_ns("presign", &format!("floor_{floor}")),
        ) else {
            continue;
        };
        let ratio = m / fl;
        let verdict = match budget {
            Some(b) if ratio <= b => format!("<= {b} ok"),
            Some(b) => format!("<= {b} OVER"),
            None => String::from("-"),
        };
        println!("| {case} | {m:.0} | {fl:.0} (floor_{floor}) | {ratio:.3} | {verdict} |");
    }
    if let Some(m) = median_ns("batch", "get_1000") {
        let per_url = m / BATCH as f64;
        let rate = 1e9 / per_url;
        let verdict = if rate >= 1.5e6 { "ok" } else { "UNDER" };
        println!(
            "| batch get (per URL) | {per_url:.0} | - | - | {:.2} M URLs/s (>= 1.5 M {verdict}) |",
            rate / 1e6
        );
    }
    println!("\nThe budgeted cases against their floors, paired (median of alternating rounds):\n");
    println!("| case | paired ratio | budget |");
    println!("|---|---:|---:|");
    for (case, ratio, budget) in paired_ratios(f) {
        let verdict = if ratio <= budget { "ok" } else { "OVER" };
        println!("| {case} | {ratio:.3} | <= {budget} {verdict} |");
    }
    println!("\n| case | allocations per call |");
    println!("|---|---:|");
    for (case, n) in allocation_counts(f) {
        println!("| {case} | {n} |");
    }
}

/// The budgeted cases, each timed against its floor in alternating rounds (see
/// `measure::paired_ratio`): (case, ratio, budget).
fn paired_ratios(f: &Fixture) -> Vec<(&'static str, f64, f64)> {
    let floors = floors(f);
    let floor = |name: &str| &floors.iter().find(|(n, _)| *n == name).unwrap().1;
    let (now, b) = (f.now, &f.bucket);
    let get = |signer: &Signer| {
        b.get_object(black_box(KEY))
            .expires_in(EXPIRES)
            .sign_url(signer, now)
            .unwrap()
    };
    let path = header_path();
    let hdrs = header_request_headers(f);
    let params =
        SigningParams::new(&f.plain, "us-east-1", "s3", now).with_settings(SigningSettings::s3());
    let req = || SignableRequest::new("GET", black_box(&path), "", &hdrs, Payload::Unsigned);
    let expiry = Expiry::from_secs(EXPIRES).unwrap();
    let creds = f.token.credentials();
    vec![
        (
            "get",
            paired_ratio(|| get(&f.plain), || floor("get").run()),
            1.25,
        ),
        (
            "get_token",
            paired_ratio(|| get(&f.token), || floor("get_token").run()),
            1.25,
        ),
        (
            "headers",
            paired_ratio(
                || sign_headers(&req(), &params).unwrap(),
                || floor("headers").run(),
            ),
            1.3,
        ),
        (
            "presign_generic",
            paired_ratio(
                || presign(&req(), &params, expiry).unwrap(),
                || floor("presign_generic").run(),
            ),
            1.3,
        ),
        // Both sides clone the credentials (the case needs them by value), so that the
        // clone is not counted against the signer alone.
        (
            "new_signer_token",
            paired_ratio(
                || get(&Signer::new(creds.clone()).unwrap()),
                || (black_box(creds.clone()), floor("new_signer_token").run()),
            ),
            1.4,
        ),
    ]
}

/// `S3PRESIGN_BENCH_LOOP=<case>:<n>`: run one case `n` times and exit (for callgrind).
fn run_loop(spec: &str, f: &Fixture) {
    let (case, n) = spec
        .split_once(':')
        .expect("S3PRESIGN_BENCH_LOOP=<case>:<n>");
    let n: u64 = n.parse().unwrap();
    let floors = floors(f);
    let now = f.now;
    let b = &f.bucket;
    let mut buf = String::with_capacity(4096);
    let path = header_path();
    let hdrs = header_request_headers(f);
    let params =
        SigningParams::new(&f.plain, "us-east-1", "s3", now).with_settings(SigningSettings::s3());
    // Warm the key cache so that only steady-state work is counted.
    let _ = b.get_object(KEY).sign_url(&f.plain, now).unwrap();
    let _ = b.get_object(KEY).sign_url(&f.token, now).unwrap();
    let keys = batch_keys();
    let times = new_seconds(f);
    let batch = b.presign_get_batch(EXPIRES, &f.plain, now).unwrap();
    for i in 0..n {
        match case {
            "get" => drop(black_box(
                b.get_object(black_box(KEY))
                    .expires_in(EXPIRES)
                    .sign_url(&f.plain, now)
                    .unwrap(),
            )),
            "put" => drop(black_box(
                b.put_object(black_box(KEY))
                    .content_type("video/mp4")
                    .expires_in(EXPIRES)
                    .sign_url(&f.plain, now)
                    .unwrap(),
            )),
            "get_token" => drop(black_box(
                b.get_object(black_box(KEY))
                    .expires_in(EXPIRES)
                    .sign_url(&f.token, now)
                    .unwrap(),
            )),
            "get_new_second" => drop(black_box(
                b.get_object(black_box(KEY))
                    .expires_in(EXPIRES)
                    .sign_url(&f.plain, times[i as usize % times.len()])
                    .unwrap(),
            )),
            "headers" => {
                let req =
                    SignableRequest::new("GET", black_box(&path), "", &hdrs, Payload::Unsigned);
                drop(black_box(sign_headers(&req, &params).unwrap()));
            }
            "presign_generic" => {
                let req =
                    SignableRequest::new("GET", black_box(&path), "", &hdrs, Payload::Unsigned);
                let expiry = Expiry::from_secs(EXPIRES).unwrap();
                drop(black_box(presign(&req, &params, expiry).unwrap()));
            }
            "new_signer_token" => {
                let signer = Signer::new(f.token.credentials().clone()).unwrap();
                drop(black_box(
                    b.get_object(black_box(KEY))
                        .expires_in(EXPIRES)
                        .sign_url(&signer, now)
                        .unwrap(),
                ));
            }
            "batch" => {
                if i % BATCH as u64 == 0 {
                    buf.clear();
                }
                batch
                    .sign_into(&keys[i as usize % BATCH], &mut buf)
                    .unwrap();
            }
            other => {
                let floor = &floors
                    .iter()
                    .find(|(n, _)| format!("floor_{n}") == other)
                    .expect("case: get, get_token, headers, batch, floor_get, ...")
                    .1;
                black_box(floor.run());
            }
        }
    }
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
