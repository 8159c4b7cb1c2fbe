//! What the benches share: a counting global allocator (per thread) and criterion
//! measured in this thread's CPU time. Included by each bench with `#[path]`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::Criterion;
use criterion::measurement::{Measurement, ValueFormatter, WallTime};

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
pub fn allocs_per_call<R>(mut f: impl FnMut() -> R) -> f64 {
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

pub struct ThreadCpuTime(pub WallTime);

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
// Paired, alternating measurement of a case against its floor.
//
// Criterion measures one case after the other, seconds apart; on a shared machine the
// neighbours' load changes in between, and a ratio of two medians taken at different
// moments moves with it (the same binary gave 1.5x and 2.1x for one pair). Here the two
// closures run in short alternating batches (the order swapped every round), each batch
// timed in this thread's CPU time, and the ratio is taken within each round: both halves of
// a round see the same machine. The median over the rounds is the estimate.

/// The median over `rounds` alternating rounds of (time of `case`) / (time of `floor`),
/// each batch about `batch_ns` of CPU time, after a warm-up of both.
#[allow(
    dead_code,
    reason = "included by every bench; the credentials bench has no floor to pair with"
)]
pub fn paired_ratio<A, B>(mut case: impl FnMut() -> A, mut floor: impl FnMut() -> B) -> f64 {
    const ROUNDS: usize = 301;
    const BATCH_NS: u64 = 200_000;
    let time = |f: &mut dyn FnMut(), n: u32| {
        let t0 = thread_cpu_ns();
        for _ in 0..n {
            f();
        }
        thread_cpu_ns() - t0
    };
    let mut run_case = || drop(black_box(case()));
    let mut run_floor = || drop(black_box(floor()));
    // Warm-up, and the batch size: as many calls of the floor as fit in BATCH_NS.
    time(&mut run_case, 1000);
    let per_call = time(&mut run_floor, 1000).max(1000) / 1000;
    let n = u32::try_from((BATCH_NS / per_call).clamp(10, 100_000)).unwrap_or(10);
    let mut ratios: Vec<f64> = (0..ROUNDS)
        .map(|round| {
            let (c, f) = if round % 2 == 0 {
                let c = time(&mut run_case, n);
                (c, time(&mut run_floor, n))
            } else {
                let f = time(&mut run_floor, n);
                (time(&mut run_case, n), f)
            };
            c as f64 / f.max(1) as f64
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    ratios[ROUNDS / 2]
}

/// The SHA-256 code this run uses, as sha2 picks it. Every floor is mostly SHA-256, so the
/// ratios depend on it: with SHA instructions the floors are several times cheaper and the
/// work besides hashing (writing the URL, parsing) weighs more. Build with
/// `RUSTFLAGS='--cfg sha2_backend="soft"'` to measure with the portable code on any machine.
#[allow(
    dead_code,
    reason = "included by every bench; the credentials bench has no SHA-256 floor"
)]
pub fn sha256_backend() -> &'static str {
    if cfg!(any(sha2_backend = "soft", sha2_256_backend = "soft")) {
        return "portable (forced by --cfg sha2_backend=\"soft\")";
    }
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    if std::is_x86_feature_detected!("sha")
        && std::is_x86_feature_detected!("sse2")
        && std::is_x86_feature_detected!("ssse3")
        && std::is_x86_feature_detected!("sse4.1")
    {
        return "x86 SHA extensions (SHA-NI)";
    }
    #[cfg(target_arch = "aarch64")]
    if std::arch::is_aarch64_feature_detected!("sha2") {
        return "Armv8 SHA-2 instructions";
    }
    "portable (this CPU has no SHA instructions sha2 uses)"
}

// ---------------------------------------------------------------------------------------
// Criterion's results and the benches' `main`.

fn criterion_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    if let Some(t) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(t).join("criterion");
    }
    // A bench runs as <target>/release/deps/NAME-HASH.
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(3).unwrap().join("criterion")
}

static RUN_START: std::sync::OnceLock<std::time::SystemTime> = std::sync::OnceLock::new();

/// Criterion's median estimate (ns per iteration) of `group/name` from this run, if run
/// (estimates left by an earlier run, e.g. one with another filter, are ignored).
pub fn median_ns(group: &str, name: &str) -> Option<f64> {
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

fn criterion_config<M: Measurement>(c: Criterion<M>) -> Criterion<M> {
    c.warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args()
}

/// A bench's `main`: `S3PRESIGN_BENCH_LOOP=<case>:<n>` runs `run_loop` alone (for
/// callgrind); otherwise criterion runs `bench` in thread CPU time (or the wall clock with
/// `S3PRESIGN_BENCH_CLOCK=wall`, and on non-unix systems), then `summary` prints the table,
/// told which clock measured it.
#[allow(
    clippy::disallowed_methods,
    reason = "a bench may read the clock: it dates its own output"
)]
pub fn main_with<F>(
    fixture: &F,
    bench_cpu: fn(&mut Criterion<ThreadCpuTime>, &F),
    bench_wall: fn(&mut Criterion<WallTime>, &F),
    run_loop: fn(&str, &F),
    summary: fn(&F, &str),
) {
    RUN_START.get_or_init(std::time::SystemTime::now);
    if let Ok(spec) = std::env::var("S3PRESIGN_BENCH_LOOP") {
        run_loop(&spec, fixture);
        return;
    }
    let wall = !cfg!(unix) || std::env::var("S3PRESIGN_BENCH_CLOCK").is_ok_and(|v| v == "wall");
    if wall {
        let mut c = criterion_config(Criterion::default());
        bench_wall(&mut c, fixture);
        c.final_summary();
    } else {
        let mut c =
            criterion_config(Criterion::default().with_measurement(ThreadCpuTime(WallTime)));
        bench_cpu(&mut c, fixture);
        c.final_summary();
    }
    summary(
        fixture,
        if wall {
            "wall-clock"
        } else {
            "thread CPU time"
        },
    );
}
