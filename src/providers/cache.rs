//! [`CachingProvider`]: caches a source's credentials (as a ready [`Signer`]) and
//! refreshes them before they expire.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::ToString;
use alloc::sync::Arc;
use core::fmt;
use core::time::Duration;

use arc_swap::ArcSwapOption;

use super::{CredentialsFuture, ProvideCredentials, ProviderError, ProviderErrorKind};
use crate::{AmzDate, Credentials, Signer};

const NAME: &str = "credentials cache";
/// Refresh this long before expiry, less up to [`JITTER_SECS`] so that many processes do
/// not refresh at the same second.
const REFRESH_AHEAD_SECS: i64 = 300;
const JITTER_SECS: u64 = 60;
/// After a failed refresh, the still-valid credentials are served this long before the
/// next attempt.
const RETRY_AFTER_SECS: i64 = 10;
/// Attempts per refresh (a source's own HTTP retries come on top).
const ATTEMPTS: u32 = 3;
/// Credentials fetched less than this long ago are served even if they expire before the
/// time asked for: the source cannot do better now.
const MIN_REFETCH_SECS: i64 = 30;

/// Seconds since 1970 (a hit reads the clock: no calendar arithmetic on that path).
type Clock = Arc<dyn Fn() -> Option<i64> + Send + Sync>;

#[expect(
    clippy::disallowed_methods,
    reason = "the cache's hit path needs only the seconds; AmzDate::now would also compute the calendar fields on every presign"
)]
fn system_clock() -> Option<i64> {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    i64::try_from(since.as_secs()).ok()
}

struct Entry {
    signer: Arc<Signer>,
    expires_at: Option<i64>,
    refresh_at: i64,
    fetched_at: i64,
}

impl Entry {
    fn new(creds: Credentials, now: i64) -> Result<Self, ProviderError> {
        let expires_at = creds.expires_at().map(|t| t.unix_timestamp());
        let signer = Signer::new(creds).map_err(|e| {
            ProviderError::failed(NAME, format!("the source gave unusable credentials: {e}"))
        })?;
        let refresh_at = expires_at.map_or(i64::MAX, |exp| {
            let life = exp - now;
            let ahead = REFRESH_AHEAD_SECS - fastrand::u64(0..=JITTER_SECS) as i64;
            // Short-lived credentials: refresh half way through their life.
            if life < 2 * ahead {
                now + life / 2
            } else {
                exp - ahead
            }
        });
        Ok(Self {
            signer: Arc::new(signer),
            expires_at,
            refresh_at,
            fetched_at: now,
        })
    }

    /// Usable at `now` (not expired).
    fn valid_at(&self, now: i64) -> bool {
        self.expires_at.is_none_or(|exp| exp > now)
    }
}

/// Caches another provider's credentials as a ready [`Signer`]:
/// - a hit is one atomic load (no lock), so presigning through the cache costs about what
///   presigning with a fixed `Signer` does;
/// - credentials are refreshed a few minutes (jittered) before they expire, half way
///   through their life if they live shorter than that;
/// - one refresh at a time: callers that arrive during a refresh wait for its result;
/// - a failed refresh (after a few attempts) keeps serving the old credentials while they
///   are valid, and tries again a little later;
/// - [`signer_valid_until`](Self::signer_valid_until) refreshes first when the cached
///   credentials would expire before a presigned URL does.
///
/// ```no_run
/// use s3presign::providers::{CachingProvider, DefaultChain};
/// # async fn run() -> Result<(), s3presign::providers::ProviderError> {
/// let provider = CachingProvider::new(DefaultChain::from_process_env());
/// let signer = provider.signer().await?;
/// # let _ = signer; Ok(()) }
/// ```
pub struct CachingProvider<P> {
    inner: P,
    current: ArcSwapOption<Entry>,
    refresh: tokio::sync::Mutex<()>,
    clock: Clock,
}

impl<P: fmt::Debug> fmt::Debug for CachingProvider<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cached = self.current.load();
        f.debug_struct("CachingProvider")
            .field("inner", &self.inner)
            .field(
                "cached_access_key_id",
                &cached
                    .as_ref()
                    .map(|e| e.signer.credentials().access_key_id().to_string()),
            )
            .field("expires_at", &cached.as_ref().and_then(|e| e.expires_at))
            .finish()
    }
}

impl<P: ProvideCredentials> CachingProvider<P> {
    /// Caches `inner`.
    pub fn new(inner: P) -> Self {
        Self {
            inner,
            current: ArcSwapOption::const_empty(),
            refresh: tokio::sync::Mutex::new(()),
            clock: Arc::new(system_clock),
        }
    }

    /// Uses this clock instead of the system's (for tests and simulations).
    #[must_use]
    pub fn with_clock(mut self, clock: impl Fn() -> AmzDate + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(move || Some(clock().unix_timestamp()));
        self
    }

    fn now(&self) -> Result<i64, ProviderError> {
        (self.clock)().ok_or_else(|| ProviderError::failed(NAME, "the system clock is before 1970"))
    }

    /// The cached signer if it needs no refresh for `until`.
    fn fresh(&self, now: i64, until: Option<i64>) -> Option<Arc<Signer>> {
        let guard = self.current.load();
        let e = guard.as_ref()?;
        if now >= e.refresh_at {
            return None;
        }
        if let (Some(until), Some(exp)) = (until, e.expires_at)
            && exp < until
            && now >= e.fetched_at + MIN_REFETCH_SECS
        {
            return None;
        }
        Some(Arc::clone(&e.signer))
    }

    /// A signer for the current credentials, refreshed first if they are due.
    ///
    /// # Errors
    /// The source failed and no cached credentials are still valid.
    pub async fn signer(&self) -> Result<Arc<Signer>, ProviderError> {
        let now = self.now()?;
        match self.fresh(now, None) {
            Some(s) => Ok(s),
            None => self.refresh(None).await,
        }
    }

    /// A signer whose credentials are valid until `at` if the source can give such: the
    /// cached ones are refreshed first when they would expire earlier. Check
    /// `signer.credentials().expires_at()`: the source may not give longer-lived ones.
    ///
    /// # Errors
    /// As [`signer`](Self::signer).
    pub async fn signer_valid_until(&self, at: AmzDate) -> Result<Arc<Signer>, ProviderError> {
        let now = self.now()?;
        let until = Some(at.unix_timestamp());
        match self.fresh(now, until) {
            Some(s) => Ok(s),
            None => self.refresh(until).await,
        }
    }

    /// The single flight: the first caller fetches, the others wait and reuse its result.
    async fn refresh(&self, until: Option<i64>) -> Result<Arc<Signer>, ProviderError> {
        let _flight = self.refresh.lock().await;
        let now = self.now()?;
        if let Some(s) = self.fresh(now, until) {
            return Ok(s);
        }
        let fetched = self.fetch().await.and_then(|c| match c.expires_at() {
            Some(at) if at.unix_timestamp() <= now => Err(ProviderError::failed(
                NAME,
                format!(
                    "the source gave credentials that expired at {}",
                    at.to_rfc3339()
                ),
            )),
            _ => Ok(c),
        });
        match fetched {
            Ok(creds) => {
                let entry = Entry::new(creds, now)?;
                let signer = Arc::clone(&entry.signer);
                self.current.store(Some(Arc::new(entry)));
                Ok(signer)
            }
            Err(err) => {
                let old = self.current.load_full();
                let Some(old) = old.filter(|o| o.valid_at(now)) else {
                    return Err(err);
                };
                let exp = old.expires_at.unwrap_or(i64::MAX);
                self.current.store(Some(Arc::new(Entry {
                    signer: Arc::clone(&old.signer),
                    expires_at: old.expires_at,
                    refresh_at: (now + RETRY_AFTER_SECS).min(exp),
                    fetched_at: now,
                })));
                Ok(Arc::clone(&old.signer))
            }
        }
    }

    async fn fetch(&self) -> Result<Credentials, ProviderError> {
        let mut attempt = 0;
        loop {
            match self.inner.provide_credentials().await {
                Ok(c) => return Ok(c),
                Err(e) if e.kind() == ProviderErrorKind::NotConfigured => return Err(e),
                Err(e) => {
                    attempt += 1;
                    if attempt >= ATTEMPTS {
                        return Err(e);
                    }
                    let pause = 100u64 << attempt;
                    tokio::time::sleep(Duration::from_millis(pause + fastrand::u64(0..=pause)))
                        .await;
                }
            }
        }
    }
}

impl<P: ProvideCredentials> ProvideCredentials for CachingProvider<P> {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async move { Ok(self.signer().await?.credentials().clone()) })
    }

    fn provide_credentials_valid_until(&self, at: AmzDate) -> CredentialsFuture<'_> {
        Box::pin(async move { Ok(self.signer_valid_until(at).await?.credentials().clone()) })
    }
}
