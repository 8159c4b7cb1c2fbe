//! Fault injection for the client tests: a service wrapper that, from a seeded RNG,
//! answers `503 SlowDown` without touching the store, drops the connection before the
//! request reaches the store, or lets the store act and then drops the connection (the
//! client cannot know whether it happened).
#![allow(dead_code, reason = "each test binary uses a different part")]
// Test doubles read the real clock.
#![allow(
    clippy::disallowed_methods,
    reason = "timeouts and delays read the clock"
)]

use s3s::service::S3Service;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::server::{Answer, Intercept, pass};

/// Fault probabilities (each in 0..=1, tried in this order).
#[derive(Debug, Clone, Copy)]
pub struct FaultConfig {
    /// Answer 503 SlowDown.
    pub slow_down: f64,
    /// Close the connection without processing.
    pub drop_before: f64,
    /// Process, then close the connection without answering.
    pub drop_after: f64,
    /// RNG seed.
    pub seed: u64,
}

/// How many faults were injected.
#[derive(Debug, Default)]
pub struct FaultStats {
    pub requests: AtomicU64,
    pub slow_downs: AtomicU64,
    pub drops_before: AtomicU64,
    pub drops_after: AtomicU64,
}

/// The wrapper (in front of the server: `server::start_intercepted`).
#[derive(Clone)]
pub struct FaultService {
    cfg: FaultConfig,
    rng: Arc<Mutex<fastrand::Rng>>,
    pub stats: Arc<FaultStats>,
}

impl FaultService {
    pub fn new(cfg: FaultConfig, stats: Arc<FaultStats>) -> Self {
        Self {
            cfg,
            rng: Arc::new(Mutex::new(fastrand::Rng::with_seed(cfg.seed))),
            stats,
        }
    }
}

enum Fault {
    None,
    SlowDown,
    DropBefore,
    DropAfter,
}

impl Intercept for FaultService {
    fn intercept(&self, inner: &S3Service, req: http::Request<hyper::body::Incoming>) -> Answer {
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        let r = self.rng.lock().unwrap().f64();
        let c = self.cfg;
        let fault = if r < c.slow_down {
            Fault::SlowDown
        } else if r < c.slow_down + c.drop_before {
            Fault::DropBefore
        } else if r < c.slow_down + c.drop_before + c.drop_after {
            Fault::DropAfter
        } else {
            Fault::None
        };
        let stats = Arc::clone(&self.stats);
        let fut = match fault {
            Fault::SlowDown | Fault::DropBefore => None,
            _ => Some(pass(inner, req)),
        };
        Box::pin(async move {
            let dropped =
                || s3s::HttpError::new(Box::new(std::io::Error::other("injected connection drop")));
            match (fault, fut) {
                (Fault::SlowDown, _) => {
                    stats.slow_downs.fetch_add(1, Ordering::Relaxed);
                    let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>FAULT</RequestId></Error>";
                    Ok(http::Response::builder()
                        .status(503)
                        .header("content-type", "application/xml")
                        .body(s3s::Body::from(body.to_owned()))
                        .unwrap())
                }
                (Fault::DropBefore, _) => {
                    stats.drops_before.fetch_add(1, Ordering::Relaxed);
                    Err(dropped())
                }
                (Fault::DropAfter, Some(f)) => {
                    let _ = f.await;
                    stats.drops_after.fetch_add(1, Ordering::Relaxed);
                    Err(dropped())
                }
                (_, Some(f)) => f.await,
                (_, None) => Err(dropped()),
            }
        })
    }
}

/// Answers the first POST with `403 RequestTimeTooSkewed` and a `Date` header
/// `skew_secs` ahead of the real clock (as S3 does when the client's clock is off), and
/// records the `x-amz-date` of every request it passes on.
#[derive(Clone)]
pub struct SkewService {
    skew_secs: i64,
    fired: Arc<std::sync::atomic::AtomicBool>,
    pub seen_dates: Arc<Mutex<Vec<String>>>,
}

impl SkewService {
    pub fn new(skew_secs: i64, seen_dates: Arc<Mutex<Vec<String>>>) -> Self {
        Self {
            skew_secs,
            fired: Arc::default(),
            seen_dates,
        }
    }
}

impl Intercept for SkewService {
    fn intercept(&self, inner: &S3Service, req: http::Request<hyper::body::Incoming>) -> Answer {
        if req.method() == http::Method::POST && !self.fired.swap(true, Ordering::SeqCst) {
            let server_now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs() as i64
                + self.skew_secs;
            let date = time::OffsetDateTime::from_unix_timestamp(server_now).unwrap();
            let (wd, mon) = (date.weekday().to_string(), date.month().to_string());
            let header = format!(
                "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
                &wd[..3],
                date.day(),
                &mon[..3],
                date.year(),
                date.hour(),
                date.minute(),
                date.second()
            );
            let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>RequestTimeTooSkewed</Code><Message>The difference between the request time and the current time is too large.</Message></Error>";
            return Box::pin(async move {
                Ok(http::Response::builder()
                    .status(403)
                    .header("date", header)
                    .body(s3s::Body::from(body.to_owned()))
                    .unwrap())
            });
        }
        if let Some(d) = req
            .headers()
            .get("x-amz-date")
            .and_then(|v| v.to_str().ok())
        {
            self.seen_dates.lock().unwrap().push(d.to_owned());
        }
        pass(inner, req)
    }
}
