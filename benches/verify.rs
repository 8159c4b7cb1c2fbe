//! The verifier against the signer, measured in the same run: `verify_url` of a presigned
//! GET against `sign_url` of the same GET (the request: virtual-hosted, 30-byte key,
//! 3600 s), with the thread-CPU-time measurement and the counting allocator of
//! `benches/presign.rs`.
//!
//! `cargo bench --bench verify` prints criterion's medians, their ratio (budget: 1.5x) and
//! the allocations per call (budget for `verify_url`: 2).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::Criterion;
use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use s3presign::s3::{Bucket, Endpoint};
use s3presign::verify::Verifier;
use s3presign::{AmzDate, Credentials, Signer};

// ---------------------------------------------------------------------------------------
// Counting allocator (per thread, so criterion's own threads cannot disturb a count).

struct Counting;

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded unchanged to the system allocator; we only count.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
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

/// Allocations (alloc, alloc_zeroed and realloc calls) made by one call of `f`, averaged
/// over 100 calls after a warm-up call (which fills the signing-key cache).
fn allocs_per_call<R>(mut f: impl FnMut() -> R) -> f64 {
    drop(black_box(f()));
    let before = ALLOCS.with(Cell::get);
    for _ in 0..100 {
        drop(black_box(f()));
    }
    (ALLOCS.with(Cell::get) - before) as f64 / 100.0
}

// ---------------------------------------------------------------------------------------
// Measurement: this thread's CPU time (CLOCK_THREAD_CPUTIME_ID) instead of wall-clock time.
// On a machine shared with other jobs, wall-clock samples include the time this thread
// waited for a core; CPU time does not, so a case and its floor stay comparable.
// `S3PRESIGN_BENCH_CLOCK=wall` switches back to criterion's wall clock.

struct ThreadCpuTime(WallTime);

#[cfg(unix)]
fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Elsewhere (no `clock_gettime`), the wall clock since the first call.
#[cfg(not(unix))]
fn thread_cpu_ns() -> u64 {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START
        .get_or_init(std::time::Instant::now)
        .elapsed()
        .as_nanos() as u64
}

impl Measurement for ThreadCpuTime {
    type Intermediate = u64;
    type Value = Duration;
    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, start: u64) -> Duration {
        Duration::from_nanos(thread_cpu_ns() - start)
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, d: &Duration) -> f64 {
        d.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        self.0.formatter()
    }
}

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

fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    if let Some(t) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(t).join("criterion");
    }
    // The bench runs as <target>/release/deps/presign-HASH.
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(3).unwrap().join("criterion")
}

static RUN_START: std::sync::OnceLock<std::time::SystemTime> = std::sync::OnceLock::new();

/// Criterion's median estimate (ns per iteration) of `group/name` from this run, if run
/// (estimates left by an earlier run, e.g. one with another filter, are ignored).
fn median_ns(group: &str, name: &str) -> Option<f64> {
    let path = criterion_dir()
        .join(group)
        .join(name)
        .join("new")
        .join("estimates.json");
    let modified = std::fs::metadata(&path).ok()?.modified().ok()?;
    if modified < *RUN_START.get()? {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["median"]["point_estimate"].as_f64()
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
        println!("  verify_url / sign_url = {:.2}x (budget 1.5x)", m / s);
    }
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

fn criterion_config<M: Measurement>(c: Criterion<M>) -> Criterion<M> {
    c.warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args()
}

#[expect(
    clippy::disallowed_methods,
    reason = "a bench may read the clock: it dates its own output"
)]
fn main() {
    RUN_START.get_or_init(std::time::SystemTime::now);
    let f = fixture();
    if let Ok(spec) = std::env::var("S3PRESIGN_BENCH_LOOP") {
        run_loop(&spec, &f);
        return;
    }
    let wall = !cfg!(unix) || std::env::var("S3PRESIGN_BENCH_CLOCK").is_ok_and(|v| v == "wall");
    if wall {
        let mut c = criterion_config(Criterion::default());
        bench(&mut c, &f);
        c.final_summary();
    } else {
        let mut c =
            criterion_config(Criterion::default().with_measurement(ThreadCpuTime(WallTime)));
        bench(&mut c, &f);
        c.final_summary();
    }
    summary(
        &f,
        if wall {
            "wall-clock"
        } else {
            "thread CPU time"
        },
    );
}
