//! [`Client`] and [`ClientBuilder`] (feature `client`): configuration, the credentials and
//! signer cache, and the clock offset learnt from the server.

use std::string::String;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::checksum::Integrity;
use super::credentials::{ProvideCredentials, StaticCredentials};
use super::error::{Error, Result};
use crate::config::S3Config;
use crate::profile::Environment;
use crate::s3::{AddressingStyle, Bucket, Endpoint};
use crate::{AmzDate, Credentials, Signer};

/// How failed requests are retried: exponential backoff with jitter.
///
/// Attempt `n` (from 1) waits a random duration between half and all of
/// `min(max_backoff, initial_backoff * 2^(n-1))` before the next one.
///
/// ```
/// use std::time::Duration;
/// use s3presign::client::RetryConfig;
/// let retry = RetryConfig::default().max_attempts(8).initial_backoff(Duration::from_millis(20));
/// assert_eq!(retry.attempts(), 8);
/// assert_eq!(RetryConfig::disabled().attempts(), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryConfig {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
}

impl Default for RetryConfig {
    /// 4 attempts, 100 ms initial backoff, at most 5 s between attempts.
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
        }
    }
}

impl RetryConfig {
    /// No retries: one attempt.
    pub fn disabled() -> Self {
        Self::default().max_attempts(1)
    }

    /// Total attempts including the first (at least 1).
    #[must_use]
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// The backoff before the second attempt.
    #[must_use]
    pub fn initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }

    /// The longest backoff.
    #[must_use]
    pub fn max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }

    /// Total attempts including the first.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The delay after failed attempt `attempt` (1-based), with jitter.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let exp = 1u32
            .checked_shl(attempt.saturating_sub(1))
            .unwrap_or(u32::MAX);
        let cap = self
            .initial_backoff
            .saturating_mul(exp)
            .min(self.max_backoff);
        let cap_us = u64::try_from(cap.as_micros()).unwrap_or(u64::MAX);
        let half = cap_us / 2;
        Duration::from_micros(half + fastrand::u64(0..=cap_us - half))
    }
}

/// Installs rustls's *ring* crypto provider process-wide unless one is installed already.
///
/// [`ClientBuilder::build`] calls it; call it yourself before building your own
/// `reqwest::Client` (reqwest is built here with `rustls-no-provider`, and panics when it
/// finds no provider).
pub fn install_crypto_provider() {
    crate::providers::http::install_crypto_provider();
}

/// Builds a [`Client`]. Errors are kept until [`build`](Self::build).
#[derive(Debug)]
pub struct ClientBuilder {
    endpoint: Option<Endpoint>,
    region: Option<String>,
    style: Option<AddressingStyle>,
    config: Option<S3Config>,
    credentials: Option<Arc<dyn ProvideCredentials>>,
    retry: RetryConfig,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    http: Option<reqwest::Client>,
    integrity: Integrity,
    error: Option<Error>,
}

impl ClientBuilder {
    /// The endpoint (region, scheme, host, addressing rules). Default:
    /// `Endpoint::aws(region)`.
    #[must_use]
    pub fn endpoint(mut self, endpoint: Endpoint) -> Self {
        self.endpoint = Some(endpoint);
        self
    }

    /// An S3-compatible endpoint URL such as `http://127.0.0.1:9000`, in `region`.
    #[must_use]
    pub fn endpoint_url(mut self, url: &str, region: &str) -> Self {
        match Endpoint::custom(url, region) {
            Ok(e) => self.endpoint = Some(e),
            Err(e) => {
                self.error.get_or_insert(Error::signing(e));
            }
        }
        self
    }

    /// The AWS region, used when no [`endpoint`](Self::endpoint) is given
    /// (`Endpoint::aws(region)`, or the endpoint URL of
    /// [`configure_from`](Self::configure_from)). Default: the configured region, else
    /// `us-east-1`.
    #[must_use]
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Overrides the endpoint's addressing style.
    #[must_use]
    pub fn addressing_style(mut self, style: AddressingStyle) -> Self {
        self.style = Some(style);
        self
    }

    /// Takes the endpoint URL, region and addressing style from resolved settings (the
    /// same resolution as the `s3presign` CLI: see [`crate::config`]). Whatever is set
    /// explicitly on the builder ([`endpoint`](Self::endpoint),
    /// [`endpoint_url`](Self::endpoint_url), [`region`](Self::region),
    /// [`addressing_style`](Self::addressing_style)) wins, whatever the order of the calls.
    ///
    /// ```
    /// use s3presign::client::Client;
    /// use s3presign::config::S3Config;
    /// use s3presign::profile::{Environment, Ini};
    /// use s3presign::Credentials;
    /// let env = Environment::from_pairs([
    ///     ("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9000"),
    ///     ("AWS_REGION", "eu-west-1"),
    /// ]);
    /// let config = S3Config::resolve(&env, &Ini::default(), &Ini::default(), None)?;
    /// let client = Client::builder()
    ///     .configure_from(&config)
    ///     .static_credentials(Credentials::new("AKID", "secret"))
    ///     .build()?;
    /// assert_eq!((client.endpoint().host(), client.endpoint().region()), ("127.0.0.1", "eu-west-1"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn configure_from(mut self, config: &S3Config) -> Self {
        self.config = Some(config.clone());
        self
    }

    /// [`configure_from`](Self::configure_from) the settings of the process environment
    /// and shared files for `profile` (else `AWS_PROFILE`, else `default`). A file that
    /// cannot be read or a setting that cannot be used is reported by
    /// [`build`](Self::build).
    #[must_use]
    pub fn configure_from_env(mut self, profile: Option<&str>) -> Self {
        match S3Config::from_env(&Environment::process(), profile) {
            Ok(config) => self.config = Some(config),
            Err(e) => {
                self.error.get_or_insert(Error::signing(e));
            }
        }
        self
    }

    /// The credentials provider ([`StaticCredentials`], [`EnvCredentials`](super::EnvCredentials) or your own).
    #[must_use]
    pub fn credentials(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.credentials = Some(Arc::new(provider));
        self
    }

    /// Fixed credentials (shorthand for [`StaticCredentials`]).
    #[must_use]
    pub fn static_credentials(self, credentials: Credentials) -> Self {
        self.credentials(StaticCredentials::new(credentials))
    }

    /// The retry policy. Default: [`RetryConfig::default`].
    #[must_use]
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.retry = retry;
        self
    }

    /// Timeout for each attempt, from sending to the end of the body. Default 60 s.
    #[must_use]
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = Some(d);
        self
    }

    /// Timeout for establishing a connection. Default 10 s.
    #[must_use]
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = Some(d);
        self
    }

    /// Uses this reqwest client (its timeouts and TLS settings) instead of building one.
    /// Redirects should be disabled on it: S3 redirects need a new signature. This crate
    /// builds reqwest without a bundled TLS crypto provider: call
    /// [`install_crypto_provider`] before `reqwest::Client::builder().build()`.
    #[must_use]
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// When uploads carry a checksum and downloads are checked against theirs. Default
    /// [`Integrity::WhenSupported`]; choose [`Integrity::WhenRequired`] for stores that
    /// refuse checksum headers.
    #[must_use]
    pub fn integrity(mut self, integrity: Integrity) -> Self {
        self.integrity = integrity;
        self
    }

    /// Builds the client.
    ///
    /// If no rustls crypto provider is installed process-wide, ring's is installed.
    ///
    /// # Errors
    /// An invalid endpoint or region ([`ErrorKind::Signing`](super::ErrorKind::Signing)), no credentials provider
    /// ([`ErrorKind::InvalidInput`](super::ErrorKind::InvalidInput)), or the HTTP client could not be built.
    pub fn build(self) -> Result<Client> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let mut endpoint = match (self.endpoint, self.config) {
            (Some(e), _) => e,
            (None, Some(config)) => {
                let region = match (self.region, config.region()) {
                    (Some(r), _) => r,
                    (None, Some(r)) => String::from(r),
                    (None, None) => String::from("us-east-1"),
                };
                config.with_region(region).endpoint()?
            }
            (None, None) => Endpoint::aws(self.region.as_deref().unwrap_or("us-east-1"))?,
        };
        if let Some(style) = self.style {
            endpoint = endpoint.with_addressing_style(style);
        }
        let credentials = self.credentials.ok_or_else(|| {
            Error::invalid_input("no credentials provider: call ClientBuilder::credentials")
        })?;
        let http = match self.http {
            Some(h) => h,
            None => {
                install_crypto_provider();
                reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .timeout(self.timeout.unwrap_or(Duration::from_secs(60)))
                    .connect_timeout(self.connect_timeout.unwrap_or(Duration::from_secs(10)))
                    .build()
                    .map_err(Error::transport)?
            }
        };
        Ok(Client {
            inner: Arc::new(ClientInner {
                endpoint,
                credentials,
                retry: self.retry,
                integrity: self.integrity,
                http,
                signer: Mutex::new(None),
                clock_skew: AtomicI64::new(0),
            }),
        })
    }
}

/// An async S3 client. Cheap to clone (an `Arc` inside); share one per endpoint.
///
/// See the [module documentation](super) for an example.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    pub(crate) endpoint: Endpoint,
    credentials: Arc<dyn ProvideCredentials>,
    pub(crate) retry: RetryConfig,
    integrity: Integrity,
    pub(crate) http: reqwest::Client,
    signer: Mutex<Option<Arc<Signer>>>,
    /// Seconds to add to the local clock, learnt from `RequestTimeTooSkewed` answers.
    pub(crate) clock_skew: AtomicI64,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.inner.endpoint)
            .field("credentials", &self.inner.credentials)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts building a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder {
            endpoint: None,
            region: None,
            style: None,
            config: None,
            credentials: None,
            retry: RetryConfig::default(),
            timeout: None,
            connect_timeout: None,
            http: None,
            integrity: Integrity::default(),
            error: None,
        }
    }

    /// The endpoint requests go to.
    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.endpoint
    }

    /// The retry policy.
    pub fn retry_config(&self) -> RetryConfig {
        self.inner.retry
    }

    /// When checksums are added and checked.
    pub fn integrity(&self) -> Integrity {
        self.inner.integrity
    }

    /// The core [`Bucket`] for `name` on this client's endpoint, to presign URLs with
    /// [`Client::signer`].
    ///
    /// # Errors
    /// An invalid bucket name for the endpoint.
    pub fn bucket(&self, name: &str) -> Result<Bucket> {
        Ok(Bucket::new(&self.inner.endpoint, name)?)
    }

    /// A [`Signer`] for the provider's current credentials (cached while they do not
    /// change), for presigning with the core.
    ///
    /// # Errors
    /// The credentials provider failed or returned invalid credentials.
    pub async fn signer(&self) -> Result<Arc<Signer>> {
        let creds = self.inner.credentials.provide_credentials().await?;
        self.signer_for(creds)
    }

    /// A [`Signer`] for a presigned URL that expires `expires_in_secs` from now: the
    /// provider is asked for credentials valid that long
    /// ([`ProvideCredentials::provide_credentials_valid_until`]), so a caching provider
    /// refreshes first when its credentials would expire before the URL.
    pub(crate) async fn presign_signer(&self, expires_in_secs: u64) -> Result<Arc<Signer>> {
        let until = self
            .now()?
            .checked_add_secs(expires_in_secs)
            .ok_or_else(|| Error::invalid_input("the expiry is out of range"))?;
        let creds = self
            .inner
            .credentials
            .provide_credentials_valid_until(until)
            .await?;
        self.signer_for(creds)
    }

    fn signer_for(&self, creds: Credentials) -> Result<Arc<Signer>> {
        let mut cached = self
            .inner
            .signer
            .lock()
            .map_err(|_| Error::credentials("the signer cache lock is poisoned", None))?;
        if let Some(s) = cached.as_ref()
            && same_credentials(s.credentials(), &creds)
        {
            return Ok(Arc::clone(s));
        }
        let signer = Arc::new(Signer::new(creds)?);
        *cached = Some(Arc::clone(&signer));
        Ok(signer)
    }

    /// The clock offset in use (seconds added to the local clock when signing), learnt
    /// from `RequestTimeTooSkewed` answers.
    pub fn clock_skew_secs(&self) -> i64 {
        self.inner.clock_skew.load(Ordering::Relaxed)
    }

    /// The time to sign with: the local clock corrected by the learnt offset. Used for
    /// every request and every presigned URL this client makes.
    ///
    /// # Errors
    /// The clock is outside the range SigV4 dates can express.
    pub(crate) fn now(&self) -> Result<AmzDate> {
        let now = AmzDate::now()?;
        Ok(match self.clock_skew_secs() {
            0 => now,
            s => AmzDate::from_unix_timestamp(now.unix_timestamp().saturating_add(s))?,
        })
    }
}

/// Whether two credentials are the same, in time that does not depend on where secrets
/// differ (the cache must not become a timing oracle for the secret).
fn same_credentials(a: &Credentials, b: &Credentials) -> bool {
    let token = |c: &Credentials| c.session_token().unwrap_or("").as_bytes().to_vec();
    let same_id = ct_eq(a.access_key_id().as_bytes(), b.access_key_id().as_bytes());
    let same_secret = ct_eq(
        a.secret_access_key().as_bytes(),
        b.secret_access_key().as_bytes(),
    );
    let same_token =
        ct_eq(&token(a), &token(b)) & (a.session_token().is_some() == b.session_token().is_some());
    same_id & same_secret & same_token
}

/// Equality whose time depends only on the lengths.
fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |d, (x, y)| d | (x ^ y));
    core::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_bounded_and_grows() {
        let r = RetryConfig::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(700));
        for _ in 0..100 {
            let d1 = r.backoff(1);
            assert!(d1 >= Duration::from_millis(50) && d1 <= Duration::from_millis(100));
            let d3 = r.backoff(3);
            assert!(d3 >= Duration::from_millis(200) && d3 <= Duration::from_millis(400));
            assert!(r.backoff(40) <= Duration::from_millis(700));
        }
    }

    #[test]
    fn credentials_compare_every_part() {
        let a = Credentials::new("AKID", "secret");
        assert!(same_credentials(&a, &a.clone()));
        assert!(!same_credentials(&a, &Credentials::new("AKID", "secreT")));
        assert!(!same_credentials(&a, &Credentials::new("AKIE", "secret")));
        assert!(!same_credentials(&a, &a.clone().with_session_token("t")));
        assert!(!same_credentials(
            &a.clone().with_session_token(""),
            &a.clone()
        ));
    }
}
