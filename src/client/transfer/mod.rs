//! Large transfers (feature `client`): [`Client::upload`](super::Client::upload) (one PUT
//! below a threshold, a parallel multipart upload above it) and
//! [`Client::download`](super::Client::download) (parallel ranged GETs into a temporary
//! file renamed at the end), with progress reports.
//!
//! Memory stays bounded by about `concurrency × part size` whatever the object's size:
//! a part is read only when a slot is free, and each part in flight holds its own bytes.

mod combine;
mod download;
mod upload;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub use download::{Download, DownloadOutput};
pub use upload::{Upload, UploadOutput, UploadSource};

use super::error::{Error, Result};

/// The smallest part S3 accepts (all parts but the last): 5 MiB.
pub const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;
/// The largest part (and the largest single PUT) S3 accepts: 5 GiB.
pub const MAX_PART_SIZE: u64 = 5 * 1024 * 1024 * 1024;
/// The most parts one multipart upload may have.
pub const MAX_PARTS: u64 = 10_000;
/// The default part size and single-PUT threshold: 8 MiB (as the AWS CLI's).
pub const DEFAULT_PART_SIZE: u64 = 8 * 1024 * 1024;
/// The default number of parts or ranges in flight.
pub const DEFAULT_CONCURRENCY: usize = 8;

/// A progress callback: called with (bytes done, bytes in total if known) after each
/// part, range or chunk. Called from the transfer's tasks: keep it short (update a
/// progress bar, send on a channel).
///
/// ```
/// use s3presign::client::Progress;
/// let p = Progress::new(|done, total| eprintln!("{done} of {total:?} bytes"));
/// # let _ = p;
/// ```
#[derive(Clone)]
pub struct Progress(Arc<dyn Fn(u64, Option<u64>) + Send + Sync>);

impl Progress {
    /// Wraps a callback.
    pub fn new(f: impl Fn(u64, Option<u64>) + Send + Sync + 'static) -> Self {
        Self(Arc::new(f))
    }
}

impl fmt::Debug for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Progress(..)")
    }
}

/// Cancels a transfer from elsewhere (a Ctrl-C handler, a button): the upload stops, its
/// multipart upload is aborted (and the abort awaited), and it returns
/// [`ErrorKind::Cancelled`](super::ErrorKind::Cancelled). Dropping the upload's future
/// also aborts, from a task that nothing waits for; use a `Cancel` when the process is
/// about to exit.
///
/// ```
/// use s3presign::client::{Cancel, Upload};
/// let cancel = Cancel::new();
/// let opts = Upload::new().cancel(&cancel);
/// // elsewhere: cancel.cancel();
/// # let _ = opts;
/// ```
#[derive(Debug, Clone)]
pub struct Cancel(Arc<tokio::sync::watch::Sender<bool>>);

impl Default for Cancel {
    fn default() -> Self {
        Self(Arc::new(tokio::sync::watch::Sender::new(false)))
    }
}

impl Cancel {
    /// Not cancelled yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Cancels every transfer given this handle (or a clone of it).
    pub fn cancel(&self) {
        self.0.send_replace(true);
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        *self.0.borrow()
    }

    async fn cancelled(&self) {
        let mut rx = self.0.subscribe();
        let _ = rx.wait_for(|c| *c).await;
    }

    /// Runs `f` until it finishes or the transfer is cancelled.
    pub(crate) async fn or_cancelled<T>(
        cancel: Option<&Self>,
        f: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        let Some(cancel) = cancel else {
            return f.await;
        };
        let mut f = core::pin::pin!(f);
        let mut stop = core::pin::pin!(cancel.cancelled());
        core::future::poll_fn(|cx| {
            if let core::task::Poll::Ready(r) = f.as_mut().poll(cx) {
                return core::task::Poll::Ready(r);
            }
            match stop.as_mut().poll(cx) {
                core::task::Poll::Ready(()) => core::task::Poll::Ready(Err(Error::cancelled())),
                core::task::Poll::Pending => core::task::Poll::Pending,
            }
        })
        .await
    }
}

/// Bytes done so far, reported to the callback.
#[derive(Debug, Clone)]
struct Counter {
    progress: Option<Progress>,
    done: Arc<AtomicU64>,
    total: Option<u64>,
}

impl Counter {
    fn new(progress: Option<Progress>, total: Option<u64>) -> Self {
        Self {
            progress,
            done: Arc::default(),
            total,
        }
    }

    fn add(&self, n: u64) {
        let done = self.done.fetch_add(n, Ordering::Relaxed).saturating_add(n);
        if let Some(p) = &self.progress {
            (p.0)(done, self.total);
        }
    }
}

/// Checks a part size and concurrency given by the caller.
fn check_sizes(part_size: u64, concurrency: usize) -> Result<()> {
    if !(MIN_PART_SIZE..=MAX_PART_SIZE).contains(&part_size) {
        return Err(Error::invalid_input(
            "the part size must be between 5 MiB and 5 GiB (S3's limits)",
        ));
    }
    if concurrency == 0 {
        return Err(Error::invalid_input(
            "the concurrency must be at least 1 part in flight",
        ));
    }
    Ok(())
}

/// The part size for an object of `total` bytes: `configured`, raised (to a whole MiB)
/// when more than [`MAX_PARTS`] parts would be needed.
///
/// # Errors
/// An object too large for 10,000 parts of 5 GiB.
fn part_size_for(configured: u64, total: Option<u64>) -> Result<u64> {
    let Some(total) = total else {
        return Ok(configured);
    };
    let needed = total.div_ceil(MAX_PARTS).next_multiple_of(1024 * 1024);
    let size = configured.max(needed);
    if size > MAX_PART_SIZE {
        return Err(Error::invalid_input(
            "the object is larger than S3's limit of 10,000 parts of 5 GiB",
        ));
    }
    Ok(size)
}

/// Maps a task that panicked or was cancelled to an error.
fn join_error(e: tokio::task::JoinError) -> Error {
    Error::io(
        "a transfer task panicked or was cancelled",
        std::io::Error::other(std::string::ToString::to_string(&e)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    #[test]
    fn part_sizes_keep_within_10000_parts() {
        const MIB: u64 = 1024 * 1024;
        assert_eq!(part_size_for(8 * MIB, None).unwrap(), 8 * MIB);
        assert_eq!(part_size_for(8 * MIB, Some(100 * MIB)).unwrap(), 8 * MIB);
        // 1 TiB needs parts of at least 1 TiB / 10,000 = 104.86 MiB: 105 MiB.
        let tib = 1024 * 1024 * MIB;
        let size = part_size_for(8 * MIB, Some(tib)).unwrap();
        assert_eq!(size, 105 * MIB);
        assert!(tib.div_ceil(size) <= MAX_PARTS);
        assert!(part_size_for(8 * MIB, Some(MAX_PARTS * MAX_PART_SIZE)).is_ok());
        assert!(part_size_for(8 * MIB, Some(MAX_PARTS * MAX_PART_SIZE + 1)).is_err());
        assert!(check_sizes(MIN_PART_SIZE - 1, 1).is_err());
        assert!(check_sizes(MIN_PART_SIZE, 0).is_err());
        assert!(check_sizes(MIN_PART_SIZE, 1).is_ok());
    }

    #[test]
    fn progress_counts_up() {
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let s2 = Arc::clone(&seen);
        let c = Counter::new(
            Some(Progress::new(move |d, t| s2.lock().unwrap().push((d, t)))),
            Some(10),
        );
        c.add(4);
        c.clone().add(6);
        assert_eq!(*seen.lock().unwrap(), [(4, Some(10)), (10, Some(10))]);
    }
}
