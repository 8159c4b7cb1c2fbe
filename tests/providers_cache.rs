//! The refreshing cache: single flight under load, serving still-valid credentials when a
//! refresh fails, refreshing before a presign that would outlive the cached credentials.

mod common;

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::time::Duration;

use common::metadata::{self, Hits, Imds};
use s3presign::profile::Environment;
use s3presign::providers::{
    CachingProvider, CredentialsFuture, ImdsProvider, ProvideCredentials, ProviderError,
};
use s3presign::{AmzDate, Credentials};

/// A clock the test moves.
#[derive(Clone)]
struct FakeClock(Arc<AtomicI64>);

impl FakeClock {
    fn at(secs: i64) -> Self {
        Self(Arc::new(AtomicI64::new(secs)))
    }
    fn set(&self, secs: i64) {
        self.0.store(secs, Ordering::SeqCst);
    }
    fn reader(&self) -> impl Fn() -> AmzDate + Send + Sync + 'static {
        let c = Arc::clone(&self.0);
        move || AmzDate::from_unix_timestamp(c.load(Ordering::SeqCst)).expect("time")
    }
}

fn real_now() -> i64 {
    AmzDate::now().unwrap().unix_timestamp()
}

/// A source whose n-th answer (from 0) is `answer(n)`; counts calls.
struct Scripted {
    calls: AtomicUsize,
    answer: Box<dyn Fn(usize) -> Result<Credentials, ProviderError> + Send + Sync>,
}

impl fmt::Debug for Scripted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Scripted")
    }
}

impl Scripted {
    fn new(
        answer: impl Fn(usize) -> Result<Credentials, ProviderError> + Send + Sync + 'static,
    ) -> Arc<Self> {
        Arc::new(Self {
            calls: AtomicUsize::new(0),
            answer: Box::new(answer),
        })
    }
    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl ProvideCredentials for Scripted {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        let r = (self.answer)(n);
        Box::pin(async move { r })
    }
}

fn temporary(id: &str, expires_at: i64) -> Credentials {
    Credentials::new(id, "secret")
        .with_session_token("token")
        .with_expiry(AmzDate::from_unix_timestamp(expires_at).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_tasks_during_expiry_cause_one_refresh() {
    let (server, hits) = metadata::imds(Imds {
        delay: Some(Duration::from_millis(100)),
        ..Imds::default()
    })
    .await;
    let env = Arc::new(Environment::from_pairs([(
        "AWS_EC2_METADATA_SERVICE_ENDPOINT",
        server.url(),
    )]));
    let t0 = real_now();
    let clock = FakeClock::at(t0);
    let cache = Arc::new(CachingProvider::new(ImdsProvider::new(env)).with_clock(clock.reader()));
    let first = cache.signer().await.unwrap();
    assert_eq!(Hits::get(&hits.credentials), 1);
    // Cached: no call.
    cache.signer().await.unwrap();
    assert_eq!(Hits::get(&hits.credentials), 1);

    // The double's credentials live six hours: 30 s before expiry a refresh is due.
    clock.set(t0 + 6 * 3600 - 30);
    let tasks: Vec<_> = (0..200)
        .map(|_| {
            let cache = Arc::clone(&cache);
            tokio::spawn(async move {
                cache
                    .signer()
                    .await
                    .map(|s| s.credentials().access_key_id().to_owned())
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), "ASIAIMDSEXAMPLE");
    }
    assert_eq!(Hits::get(&hits.credentials), 2, "exactly one refresh");
    let after = cache.signer().await.unwrap();
    assert!(
        !Arc::ptr_eq(&first, &after),
        "the refreshed signer is served"
    );
}

#[tokio::test]
async fn a_failing_refresh_keeps_serving_valid_credentials() {
    let t0 = 2_000_000_000;
    let clock = FakeClock::at(t0);
    let source = Scripted::new(move |n| match n {
        0 => Ok(temporary("ASIAFIRST", t0 + 3600)),
        _ => Err(ProviderError::failed("scripted", "the endpoint is down")),
    });
    let cache = CachingProvider::new(Arc::clone(&source)).with_clock(clock.reader());
    assert_eq!(
        cache.signer().await.unwrap().credentials().access_key_id(),
        "ASIAFIRST"
    );
    assert_eq!(source.calls(), 1);

    clock.set(t0 + 3600 - 60);
    let c = cache.provide_credentials().await.unwrap();
    assert_eq!(c.access_key_id(), "ASIAFIRST");
    let after_refresh = source.calls();
    assert!(
        (2..=4).contains(&after_refresh),
        "bounded retries: {after_refresh}"
    );
    // The next few seconds serve the old credentials without asking again.
    clock.set(t0 + 3600 - 55);
    assert_eq!(
        cache.provide_credentials().await.unwrap().access_key_id(),
        "ASIAFIRST"
    );
    assert_eq!(source.calls(), after_refresh);

    // Once they have expired, the source's error comes through.
    clock.set(t0 + 3601);
    let err = cache.provide_credentials().await.unwrap_err();
    assert!(err.to_string().contains("the endpoint is down"), "{err}");
}

#[tokio::test]
async fn valid_until_refreshes_first_but_not_in_a_loop() {
    let t0 = 2_000_000_000;
    let clock = FakeClock::at(t0);
    let source =
        Scripted::new(move |n| Ok(temporary(&format!("ASIA{n}"), t0 + 3600 * (n as i64 + 1))));
    let cache = CachingProvider::new(Arc::clone(&source)).with_clock(clock.reader());
    let at = |s: i64| AmzDate::from_unix_timestamp(t0 + s).unwrap();
    assert_eq!(
        cache
            .signer_valid_until(at(600))
            .await
            .unwrap()
            .credentials()
            .access_key_id(),
        "ASIA0"
    );
    // Still valid at t0 + 600: no refresh.
    cache.signer_valid_until(at(600)).await.unwrap();
    assert_eq!(source.calls(), 1);

    clock.set(t0 + 100);
    let s = cache.signer_valid_until(at(5000)).await.unwrap();
    assert_eq!(s.credentials().access_key_id(), "ASIA1");
    assert_eq!(source.calls(), 2);

    // The new ones (until t0 + 7200) are still too short for t0 + 9000, but were fetched
    // moments ago: served as they are, the caller sees their expiry.
    clock.set(t0 + 110);
    let s = cache.signer_valid_until(at(9000)).await.unwrap();
    assert_eq!(s.credentials().expires_at(), Some(at(7200)));
    assert_eq!(source.calls(), 2);
}

#[tokio::test]
async fn the_clients_presign_helpers_refresh_before_presigning() {
    use s3presign::client::Client;
    let now = real_now();
    let clock = FakeClock::at(now);
    let source = Scripted::new(move |n| match n {
        0 => Ok(temporary("ASIASHORT", now + 600)),
        _ => Ok(temporary("ASIALONG", now + 7200)),
    });
    let cache = CachingProvider::new(Arc::clone(&source)).with_clock(clock.reader());
    let client = Client::builder()
        .region("eu-west-1")
        .credentials(cache)
        .build()
        .unwrap();
    let url = client.presign_get("bucket", "key", 60).await.unwrap();
    assert!(url.url().contains("ASIASHORT%2F"), "{}", url.url());
    // An hour-long URL would outlive the cached credentials: refreshed first.
    clock.set(now + 40);
    let url = client.presign_get("bucket", "key", 3600).await.unwrap();
    assert!(url.url().contains("ASIALONG%2F"), "{}", url.url());
    assert_eq!(source.calls(), 2);
}
