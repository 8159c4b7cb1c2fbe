//! An async S3 client (feature `client`): objects, buckets, bucket policy, public access
//! block, versioning, notifications and multipart uploads, over reqwest (rustls) and tokio.
//!
//! Every request is signed by the core ([`crate::sigv4::sign_headers`] with
//! [`SigningSettings::s3`](crate::sigv4::SigningSettings::s3)) and addressed by the core's
//! [`Bucket`] / [`Endpoint`] rules; this module never
//! builds a canonical request itself. XML goes through quick-xml (serde), JSON through
//! serde_json.
//!
//! ```no_run
//! use s3presign::client::{Client, EnvCredentials, ListObjectsV2, PolicyDocument};
//! use s3presign::s3::Endpoint;
//!
//! # async fn run() -> Result<(), s3presign::client::Error> {
//! let client = Client::builder()
//!     .endpoint(Endpoint::aws("eu-west-1")?)
//!     .credentials(EnvCredentials)
//!     .build()?;
//! client.put_object("my-bucket", "videos/clip.mp4", b"...".to_vec(), &Default::default()).await?;
//! let mut pages = client.list_objects_v2_pages("my-bucket", ListObjectsV2::new().prefix("videos/"));
//! while let Some(page) = pages.next_page().await? {
//!     for object in &page.contents {
//!         println!("{} {}", object.key, object.size);
//!     }
//! }
//! client.put_bucket_policy("my-bucket", &PolicyDocument::public_read("my-bucket")).await?;
//! # Ok(()) }
//! ```
//!
//! Retries: throttling (`503 SlowDown`), 500/502/504, `RequestTimeout`, timeouts and
//! connection errors are retried with exponential backoff and jitter ([`RetryConfig`]), for
//! idempotent requests only (`CreateMultipartUpload` and `CompleteMultipartUpload` are not
//! retried; `DeleteObjects` is, since deleting a key twice has the same effect as once).
//! Every attempt is signed afresh.
//!
//! ## By operation group
//!
//! Buckets and objects:
//! ```no_run
//! # use s3presign::client::*;
//! # async fn run(client: Client) -> Result<(), Error> {
//! client.create_bucket("videos-eu").await?; // LocationConstraint = the endpoint's region
//! client.put_object("videos-eu", "a.mp4", b"...".to_vec(),
//!     &PutObject::new().content_type("video/mp4").metadata("owner", "alice")).await?;
//! let head = client.head_object("videos-eu", "a.mp4").await?;
//! let first_kb = client.get_object_with("videos-eu", "a.mp4", &GetObject::new().range(0, Some(1023))).await?;
//! client.copy_object("videos-eu", "a.mp4", None, "videos-eu", "b.mp4").await?;
//! let keys = [ObjectIdentifier::new("a.mp4"), ObjectIdentifier::new("b.mp4")];
//! let report = client.delete_objects("videos-eu", &keys).await?; // any number of keys
//! assert!(report.errors.is_empty(), "not deleted: {:?}", report.errors);
//! # let _ = (head, first_kb); Ok(()) }
//! ```
//!
//! Public read (on AWS, lift the public access block first):
//! ```no_run
//! # use s3presign::client::*;
//! # async fn run(client: Client) -> Result<(), Error> {
//! client.put_public_access_block("videos-eu", &PublicAccessBlockConfiguration::allow_public_policy()).await?;
//! client.put_bucket_policy("videos-eu", &PolicyDocument::public_read("videos-eu")).await?;
//! assert!(client.get_bucket_policy("videos-eu").await?.allows_public_read("videos-eu"));
//! client.delete_bucket_policy("videos-eu").await?;
//! # Ok(()) }
//! ```
//!
//! Versioning and notifications:
//! ```no_run
//! # use s3presign::client::*;
//! # async fn run(client: Client) -> Result<(), Error> {
//! client.put_bucket_versioning("videos-eu", VersioningStatus::Enabled).await?;
//! let mut pages = client.list_object_versions_pages("videos-eu", ListObjectVersions::new().prefix("a.mp4"));
//! while let Some(page) = pages.next_page().await? {
//!     for v in page.versions { println!("{} {} latest={}", v.key, v.version_id, v.is_latest); }
//! }
//! let lambda = LambdaFunctionConfiguration::new(
//!     "arn:aws:lambda:eu-west-1:123456789012:function:transcode", [Event::ObjectCreatedAll])
//!     .filter(FilterRules::default().prefix("uploads/").suffix(".mp4"));
//! client.put_bucket_notification_configuration("videos-eu",
//!     &NotificationConfiguration::default().lambda(lambda)).await?;
//! # Ok(()) }
//! ```
//!
//! A browser uploads a large video in parts:
//! ```no_run
//! # use s3presign::client::*;
//! # async fn run(client: Client) -> Result<(), Error> {
//! let up = client.create_multipart_upload("videos-eu", "big.mp4", Some("video/mp4")).await?;
//! let part1 = client.presign_upload_part("videos-eu", "big.mp4", &up.upload_id, 1, 3600).await?;
//! // ... the browser PUTs part 1 to part1.url() and reports the ETag it got back ...
//! # let etag = String::new();
//! let parts = [CompletedPart { part_number: 1, etag }];
//! client.complete_multipart_upload("videos-eu", "big.mp4", &up.upload_id, &parts).await?;
//! # let _ = part1; Ok(()) }
//! ```

mod buckets;
mod config;
mod credentials;
mod error;
mod objects;
mod policy;
mod xml;

pub use buckets::{BucketInfo, ListBucketsOutput};
pub use config::{
    Event, FilterRules, LambdaFunctionConfiguration, NotificationConfiguration,
    PublicAccessBlockConfiguration, QueueConfiguration, TopicConfiguration, VersioningStatus,
};
pub use credentials::{
    CredentialsFuture, EnvCredentials, ProfileCredentials, ProvideCredentials, StaticCredentials,
};
pub use error::{Error, ErrorKind, Result};
pub use objects::{
    CompletedPart, CopyObjectOutput, DeleteMarkerEntry, DeleteObjectOutput, DeleteObjectsOutput,
    DeletedObject, GetObject, GetObjectOutput, ListObjectVersions, ListObjectVersionsOutput,
    ListObjectVersionsPaginator, ListObjectsPaginator, ListObjectsV2, ListObjectsV2Output,
    ListPartsOutput, MultipartUpload, Object, ObjectBody, ObjectError, ObjectIdentifier,
    ObjectMeta, ObjectVersion, Part, PutObject, PutObjectOutput,
};
pub use policy::{Effect, OneOrMany, PolicyDocument, Principal, Statement};

use std::borrow::Cow;
use std::string::String;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use std::vec::Vec;

use bytes::Bytes;

use crate::encoding::{self, PATH, QUERY};
use crate::s3::{AddressingStyle, Bucket, Endpoint, Scheme};
use crate::sigv4::{Payload, SignableRequest, SigningParams, SigningSettings, sign_headers};
use crate::{AmzDate, Credentials, Signer};

/// Bodies larger than this are sent with `UNSIGNED-PAYLOAD` over HTTPS (TLS protects
/// them; hashing them would cost a second pass). Over plain HTTP every body is hashed.
const UNSIGNED_PAYLOAD_THRESHOLD: usize = 1 << 20;

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
    fn backoff(&self, attempt: u32) -> Duration {
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
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Another thread may have won the race; either way one is installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// Builds a [`Client`]. Errors are kept until [`build`](Self::build).
#[derive(Debug)]
pub struct ClientBuilder {
    endpoint: Option<Endpoint>,
    region: Option<String>,
    style: Option<AddressingStyle>,
    credentials: Option<Arc<dyn ProvideCredentials>>,
    retry: RetryConfig,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    http: Option<reqwest::Client>,
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
    /// (`Endpoint::aws(region)`). Default `us-east-1`.
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

    /// The credentials provider ([`StaticCredentials`], [`EnvCredentials`] or your own).
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

    /// Builds the client.
    ///
    /// If no rustls crypto provider is installed process-wide, ring's is installed.
    ///
    /// # Errors
    /// An invalid endpoint or region ([`ErrorKind::Signing`]), no credentials provider
    /// ([`ErrorKind::InvalidInput`]), or the HTTP client could not be built.
    pub fn build(self) -> Result<Client> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let mut endpoint = match self.endpoint {
            Some(e) => e,
            None => Endpoint::aws(self.region.as_deref().unwrap_or("us-east-1"))?,
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
                http,
                signer: Mutex::new(None),
                clock_skew: AtomicI64::new(0),
            }),
        })
    }
}

/// An async S3 client. Cheap to clone (an `Arc` inside); share one per endpoint.
///
/// See the [module documentation](self) for an example.
#[derive(Clone)]
pub struct Client {
    inner: Arc<ClientInner>,
}

struct ClientInner {
    endpoint: Endpoint,
    credentials: Arc<dyn ProvideCredentials>,
    retry: RetryConfig,
    http: reqwest::Client,
    signer: Mutex<Option<Arc<Signer>>>,
    /// Seconds to add to the local clock, learnt from `RequestTimeTooSkewed` answers.
    clock_skew: AtomicI64,
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

/// What a request addresses.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Target<'a> {
    /// The service endpoint itself (ListBuckets).
    Service,
    /// A bucket (bucket-level operations).
    Bucket(&'a str),
    /// An object.
    Object(&'a str, &'a str),
}

/// Whether a request may be sent again after a failure whose effect is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Idempotency {
    Idempotent,
    NotIdempotent,
}

/// One S3 request, before addressing and signing.
pub(crate) struct Op<'a> {
    method: &'static str,
    target: Target<'a>,
    /// Decoded query parameters; an empty value is sent as a bare name (`?versioning`).
    query: Vec<(&'static str, Cow<'a, str>)>,
    /// Header names in lowercase.
    headers: Vec<(Cow<'static, str>, String)>,
    body: Bytes,
    idempotency: Idempotency,
}

impl<'a> Op<'a> {
    pub(crate) fn new(method: &'static str, target: Target<'a>) -> Self {
        Self {
            method,
            target,
            query: Vec::new(),
            headers: Vec::new(),
            body: Bytes::new(),
            idempotency: Idempotency::Idempotent,
        }
    }

    pub(crate) fn query(mut self, name: &'static str, value: impl Into<Cow<'a, str>>) -> Self {
        self.query.push((name, value.into()));
        self
    }

    pub(crate) fn query_opt(self, name: &'static str, value: Option<&'a str>) -> Self {
        match value {
            Some(v) => self.query(name, v),
            None => self,
        }
    }

    pub(crate) fn header(
        mut self,
        name: impl Into<Cow<'static, str>>,
        value: impl Into<String>,
    ) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub(crate) fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    pub(crate) fn not_idempotent(mut self) -> Self {
        self.idempotency = Idempotency::NotIdempotent;
        self
    }

    /// Adds `x-amz-checksum-sha256` (and `x-amz-sdk-checksum-algorithm`) for the body:
    /// S3 requires an integrity header on DeleteObjects and some configuration calls.
    pub(crate) fn checksum_sha256(self) -> Self {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(&self.body);
        let b64 = crate::base64::encode(&digest);
        self.header("x-amz-sdk-checksum-algorithm", "SHA256")
            .header("x-amz-checksum-sha256", b64)
    }
}

/// A response whose status was a success.
pub(crate) struct Response {
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: Bytes,
}

impl Response {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl Client {
    /// Starts building a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder {
            endpoint: None,
            region: None,
            style: None,
            credentials: None,
            retry: RetryConfig::default(),
            timeout: None,
            connect_timeout: None,
            http: None,
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
        let mut cached = self
            .inner
            .signer
            .lock()
            .map_err(|_| Error::credentials("the signer cache lock is poisoned", None))?;
        if let Some(s) = cached.as_ref() {
            let c = s.credentials();
            if c.access_key_id() == creds.access_key_id()
                && c.secret_access_key() == creds.secret_access_key()
                && c.session_token() == creds.session_token()
            {
                return Ok(Arc::clone(s));
            }
        }
        let signer = Arc::new(Signer::new(creds)?);
        *cached = Some(Arc::clone(&signer));
        Ok(signer)
    }

    /// Sends `op` with retries and reads the whole body.
    pub(crate) async fn execute(&self, op: Op<'_>) -> Result<Response> {
        let retry = self.inner.retry;
        let mut attempt = 1;
        let mut skew_fixed = false;
        loop {
            let result = match self.send_once(&op, None).await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let headers = resp.headers().clone();
                    match resp.bytes().await {
                        Ok(body) => check_embedded_error(status, &headers, body),
                        Err(e) => Err(Error::transport(e)),
                    }
                }
                Err(e) => Err(e),
            };
            match result {
                Err(e) if !skew_fixed && self.learn_clock_skew(&e) => skew_fixed = true,
                Err(e) if self.should_retry(&op, &e, attempt) => {
                    tokio::time::sleep(retry.backoff(attempt)).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// Sends `op` with retries and returns the response with its body unread.
    pub(crate) async fn execute_streaming(&self, op: Op<'_>) -> Result<reqwest::Response> {
        let retry = self.inner.retry;
        let mut attempt = 1;
        let mut skew_fixed = false;
        loop {
            match self.send_once(&op, None).await {
                Err(e) if !skew_fixed && self.learn_clock_skew(&e) => skew_fixed = true,
                Err(e) if self.should_retry(&op, &e, attempt) => {
                    tokio::time::sleep(retry.backoff(attempt)).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// On `RequestTimeTooSkewed`, remembers the offset to the server's clock and says
    /// whether to resend: the server refused the request unread, so any request may be
    /// sent again (once) with a corrected date.
    fn learn_clock_skew(&self, e: &Error) -> bool {
        let (true, Some(server)) = (e.is_clock_skew(), e.server_time()) else {
            return false;
        };
        let Ok(local) = AmzDate::now() else {
            return false;
        };
        self.inner
            .clock_skew
            .store(server - local.unix_timestamp(), Ordering::Relaxed);
        true
    }

    /// The clock offset in use (seconds added to the local clock when signing), learnt
    /// from `RequestTimeTooSkewed` answers.
    pub fn clock_skew_secs(&self) -> i64 {
        self.inner.clock_skew.load(Ordering::Relaxed)
    }

    fn should_retry(&self, op: &Op<'_>, e: &Error, attempt: u32) -> bool {
        op.idempotency == Idempotency::Idempotent
            && attempt < self.inner.retry.max_attempts
            && e.is_retryable()
    }

    /// Addresses, signs and sends one attempt. A status >= 300 becomes an [`Error`].
    /// Sends `op` once with a streamed body (signed as `UNSIGNED-PAYLOAD`), reading the
    /// whole answer. Not retried: the body cannot be replayed.
    pub(crate) async fn execute_with_stream(
        &self,
        op: Op<'_>,
        body: reqwest::Body,
    ) -> Result<Response> {
        let resp = self.send_once(&op, Some(body)).await?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.map_err(Error::transport)?;
        check_embedded_error(status, &headers, bytes)
    }

    async fn send_once(
        &self,
        op: &Op<'_>,
        stream_body: Option<reqwest::Body>,
    ) -> Result<reqwest::Response> {
        let endpoint = &self.inner.endpoint;
        let (url_base, host, mut path) = match op.target {
            Target::Service => {
                let host = endpoint.authority();
                let mut base = String::from(endpoint.scheme().as_str());
                base.push_str("://");
                base.push_str(&host);
                (base, host, String::from(endpoint.base_path()))
            }
            Target::Bucket(name) | Target::Object(name, _) => {
                let b = Bucket::new(endpoint, name)?;
                let prefix = b.url_prefix();
                let base = prefix
                    .strip_suffix(b.path_prefix())
                    .map(String::from)
                    .ok_or_else(|| Error::invalid_input("unexpected bucket URL shape"))?;
                (base, String::from(b.host()), String::from(b.path_prefix()))
            }
        };
        match op.target {
            Target::Object(_, key) => {
                if key.is_empty() {
                    return Err(Error::invalid_input("an object key may not be empty"));
                }
                path.push('/');
                encoding::encode_into(&mut path, key, PATH);
            }
            _ => path.push('/'),
        }
        let mut query = String::new();
        for (name, value) in &op.query {
            if !query.is_empty() {
                query.push('&');
            }
            encoding::encode_into(&mut query, name, QUERY);
            if !value.is_empty() {
                query.push('=');
                encoding::encode_into(&mut query, value, QUERY);
            }
        }

        let signer = self.signer().await?;
        let mut headers: Vec<(&str, &str)> = Vec::with_capacity(op.headers.len() + 1);
        headers.push(("host", &host));
        for (n, v) in &op.headers {
            headers.push((n, v));
        }
        let payload = if stream_body.is_some()
            || (endpoint.scheme() == Scheme::Https && op.body.len() > UNSIGNED_PAYLOAD_THRESHOLD)
        {
            Payload::Unsigned
        } else {
            Payload::Bytes(&op.body)
        };
        let skew = self.inner.clock_skew.load(Ordering::Relaxed);
        let now = match skew {
            0 => AmzDate::now()?,
            s => AmzDate::from_unix_timestamp(AmzDate::now()?.unix_timestamp().saturating_add(s))?,
        };
        let req = SignableRequest::new(op.method, &path, &query, &headers, payload);
        let params = SigningParams::new(&signer, endpoint.region(), "s3", now)
            .with_settings(SigningSettings::s3());
        let signed = sign_headers(&req, &params)?;

        let mut url = url_base;
        url.push_str(&path);
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query);
        }
        let method = reqwest::Method::from_bytes(op.method.as_bytes())
            .map_err(|_| Error::invalid_input("invalid HTTP method"))?;
        // reqwest sends the path through `url::Url`, which removes `.` and `..` segments
        // (even escaped ones): refuse rather than send a request other than the one signed.
        let parsed = reqwest::Url::parse(&url)
            .map_err(|_| Error::invalid_input("the request URL could not be parsed"))?;
        if parsed.path() != path {
            return Err(Error::invalid_input(
                "this object key has '.' or '..' path segments, which the HTTP stack would \
                 rewrite; use a presigned URL with an HTTP client that sends paths verbatim",
            ));
        }
        let mut rb = self.inner.http.request(method, parsed);
        for (n, v) in &op.headers {
            rb = rb.header(n.as_ref(), v.as_str());
        }
        for (n, v) in signed.headers() {
            rb = rb.header(n, v);
        }
        let resp = rb
            .body(match stream_body {
                Some(b) => b,
                None => reqwest::Body::from(op.body.clone()),
            })
            .send()
            .await
            .map_err(Error::transport)?;
        let status = resp.status().as_u16();
        if status < 300 || status == 304 {
            return Ok(resp);
        }
        let headers = resp.headers().clone();
        let body = resp.bytes().await.unwrap_or_default();
        Err(service_error(status, &headers, &body))
    }
}

/// Builds the typed error from an error answer (XML body or, for HEAD, status only).
fn service_error(status: u16, headers: &reqwest::header::HeaderMap, body: &[u8]) -> Error {
    let header_id = headers
        .get("x-amz-request-id")
        .and_then(|v| v.to_str().ok())
        .map(String::from);
    match xml::parse_error(body) {
        Some(x) => {
            let server_time = x
                .server_time
                .as_deref()
                .and_then(|t| AmzDate::parse(t).ok())
                .map(|t| t.unix_timestamp())
                .or_else(|| {
                    headers
                        .get("date")
                        .and_then(|v| v.to_str().ok())
                        .and_then(parse_http_date)
                });
            Error::service(
                status,
                x.code,
                x.message,
                x.request_id.or(header_id),
                x.resource,
            )
            .with_server_time(server_time)
        }
        None => {
            let code = match status {
                301 => "PermanentRedirect",
                307 => "TemporaryRedirect",
                400 => "BadRequest",
                403 => "Forbidden",
                404 => "NotFound",
                405 => "MethodNotAllowed",
                409 => "Conflict",
                412 => "PreconditionFailed",
                501 => "NotImplemented",
                503 => "ServiceUnavailable",
                _ => "",
            };
            Error::service(status, Some(String::from(code)), None, header_id, None)
        }
    }
}

/// Parses an IMF-fixdate `Date` header (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110
/// section 5.6.7) into Unix seconds.
fn parse_http_date(s: &str) -> Option<i64> {
    let mut it = s.split_ascii_whitespace();
    let (_dow, day, month, year, hms, zone) = (
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
    );
    if zone != "GMT" || it.next().is_some() {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| *m == month)?;
    let month = time::Month::try_from(u8::try_from(month + 1).ok()?).ok()?;
    let date = time::Date::from_calendar_date(year.parse().ok()?, month, day.parse().ok()?).ok()?;
    let mut t = hms.split(':');
    let (h, m, sec) = (
        t.next()?.parse().ok()?,
        t.next()?.parse().ok()?,
        t.next()?.parse().ok()?,
    );
    let time = time::Time::from_hms(h, m, sec).ok()?;
    Some(
        time::PrimitiveDateTime::new(date, time)
            .assume_utc()
            .unix_timestamp(),
    )
}

/// S3 may answer 200 and put an `<Error>` in the body (CopyObject,
/// CompleteMultipartUpload): treat that as the error it is.
fn check_embedded_error(
    status: u16,
    headers: &reqwest::header::HeaderMap,
    body: Bytes,
) -> Result<Response> {
    if xml::is_error_document(&body) {
        return Err(service_error(status, headers, &body));
    }
    Ok(Response {
        headers: headers.clone(),
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates() {
        // RFC 9110's example.
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 PST"), None);
        assert_eq!(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"), None);
        assert_eq!(parse_http_date("garbage"), None);
    }

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
}
