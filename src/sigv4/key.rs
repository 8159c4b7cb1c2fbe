//! Step 3: the [signing key](https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#derive-signing-key),
//! and [`Signer`], which holds credentials and caches derived keys.

use core::fmt;

use super::hmac_head::{HeadState, KeyPads, mac};
use super::{Scope, Signature, StringToSign};
use crate::credentials::Credentials;
use crate::error::Result;

/// The derived signing key: `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
/// terminator)`, where the terminator is the last part of every [`Scope`]. It keeps a
/// pre-keyed HMAC state so that each signature costs one HMAC without re-hashing the key
/// pads. `Debug` does not show it.
///
/// ```
/// use s3presign::sigv4::SigningKey;
/// let key = SigningKey::derive("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam");
/// assert_eq!(format!("{key:?}"), "SigningKey([redacted])");
/// ```
#[derive(Clone)]
pub struct SigningKey {
    // The SHA-256 states after the key's HMAC pads: each signature starts from them
    // instead of re-hashing the pads.
    pads: KeyPads,
}

impl SigningKey {
    /// Derives the key for a secret, a `YYYYMMDD` date, a region and a service.
    pub fn derive(secret: &str, date: &str, region: &str, service: &str) -> Self {
        let k_secret = KeyPads::from_parts(&[b"AWS4", secret.as_bytes()]);
        let k_date = mac(&k_secret, date.as_bytes());
        let k_region = mac(&KeyPads::new(&k_date), region.as_bytes());
        let k_service = mac(&KeyPads::new(&k_region), service.as_bytes());
        let bytes = mac(&KeyPads::new(&k_service), super::TERMINATOR.as_bytes());
        Self {
            pads: KeyPads::new(&bytes),
        }
    }

    /// The SHA-256 states after this key's HMAC pads.
    pub(crate) fn pads(&self) -> &KeyPads {
        &self.pads
    }

    /// Signs a string to sign.
    pub fn sign(&self, string_to_sign: &StringToSign<'_>) -> Signature {
        // Assembled on the stack (a validated scope keeps it under 256 bytes).
        let mut text = super::text::StackText::<256>::new();
        string_to_sign.write_to(&mut text);
        if let Some(bytes) = text.as_bytes() {
            return self.sign_bytes(bytes);
        }
        let mut long = alloc::string::String::new();
        string_to_sign.write_to(&mut long);
        self.sign_bytes(long.as_bytes())
    }

    /// HMAC-SHA256 of arbitrary bytes with this key, such as the base64 policy of a
    /// presigned POST form (which S3 signs in place of a string to sign).
    ///
    /// ```
    /// use s3presign::sigv4::SigningKey;
    /// let key = SigningKey::derive("secret", "20130524", "us-east-1", "s3");
    /// assert_ne!(key.sign_bytes(b"a").to_string(), key.sign_bytes(b"b").to_string());
    /// ```
    pub fn sign_bytes(&self, data: &[u8]) -> Signature {
        Signature::from_bytes(mac(&self.pads, data))
    }
}

impl HeadState {
    /// The HMAC state of a key (given by its pads) after the string to sign's first three
    /// lines for `scope`.
    pub(crate) fn for_scope(pads: &KeyPads, scope: &Scope<'_>) -> Self {
        head_state(pads, scope)
    }

    /// The signature of the string to sign whose first lines this state absorbed and whose
    /// canonical request hashes to `canonical_request_hash`.
    pub(crate) fn signature(&self, canonical_request_hash: &[u8; 32]) -> Signature {
        finish_with_hash(self, canonical_request_hash)
    }
}

/// The HMAC state after the string to sign's first three lines (algorithm, time, scope).
fn head_state(pads: &KeyPads, scope: &Scope<'_>) -> HeadState {
    let mut text = super::text::StackText::<256>::new();
    super::string_to_sign::write_head(scope, &mut text);
    match text.as_bytes() {
        Some(bytes) => HeadState::new(pads, bytes),
        None => {
            let mut long = alloc::string::String::new();
            super::string_to_sign::write_head(scope, &mut long);
            HeadState::new(pads, long.as_bytes())
        }
    }
}

/// Finishes a signature from `head_state` with the last line, the hex canonical-request hash.
fn finish_with_hash(state: &HeadState, canonical_request_hash: &[u8; 32]) -> Signature {
    let mut hex = [0u8; 64];
    super::text::hex32_bytes(canonical_request_hash, &mut hex);
    Signature::from_bytes(state.finish(&hex))
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey([redacted])")
    }
}

/// Credentials plus a small cache of derived signing keys.
///
/// Deriving a key costs four HMACs; a `Signer` does it at most once per (secret, date,
/// region, service) while the entry stays in its bounded cache (4 entries, under the `std`
/// feature; without `std` keys are derived on each call). Create one per set of
/// credentials and share it (`Signer` is `Send + Sync`).
///
/// ```
/// use s3presign::{Credentials, Signer};
/// let signer = Signer::new(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"))?;
/// assert_eq!(signer.credentials().access_key_id(), "AKIDEXAMPLE");
/// # Ok::<(), s3presign::Error>(())
/// ```
pub struct Signer {
    credentials: Credentials,
    // Percent-encoded once here rather than on every presigned URL (a 700-byte session
    // token costs about 350 ns to encode).
    encoded_access_key_id: alloc::string::String,
    encoded_session_token: Option<alloc::string::String>,
    #[cfg(feature = "std")]
    cache: std::sync::Mutex<KeyCache>,
    /// Unique per signer (never reused), to key the per-thread memo of `sign_hash`.
    #[cfg(feature = "std")]
    id: u64,
}

#[cfg(feature = "std")]
static NEXT_SIGNER_ID: core::sync::atomic::AtomicU64 = core::sync::atomic::AtomicU64::new(1);

/// This thread's last (signer, request time, region, service) and the HMAC state after the
/// string to sign's first three lines for it.
#[cfg(feature = "std")]
struct HeadMemo {
    signer: u64,
    time: crate::time::AmzDate,
    // Fixed arrays (regions and services are at most 64 bytes): refilling the memo never
    // allocates.
    region: ([u8; 64], usize),
    service: ([u8; 64], usize),
    state: HeadState,
}

#[cfg(feature = "std")]
std::thread_local! {
    // A thread that signs many requests in the same second with one signer (a server
    // worker, a batch) finds the state here: no lock, no cache search (about 25 ns).
    static LAST_HEAD: core::cell::RefCell<Option<HeadMemo>> =
        const { core::cell::RefCell::new(None) };
}

#[cfg(feature = "std")]
fn fixed64(s: &str) -> Option<([u8; 64], usize)> {
    let mut a = [0u8; 64];
    a.get_mut(..s.len())?.copy_from_slice(s.as_bytes());
    Some((a, s.len()))
}

impl Signer {
    /// Wraps validated credentials.
    ///
    /// # Errors
    /// As [`Credentials::validate`].
    pub fn new(credentials: Credentials) -> Result<Self> {
        credentials.validate()?;
        let encode = |v: &str| {
            // Room for an escape in one byte of eight (a base64 token escapes about one byte in
            // thirty-two): the string is written without growing.
            let mut out = alloc::string::String::with_capacity(v.len() + v.len() / 4 + 16);
            super::text::uri_encode_into(&mut out, v, super::text::Set::Query);
            out
        };
        Ok(Self {
            encoded_access_key_id: encode(credentials.access_key_id()),
            encoded_session_token: credentials.session_token().map(encode),
            credentials,
            #[cfg(feature = "std")]
            cache: std::sync::Mutex::new(KeyCache::default()),
            #[cfg(feature = "std")]
            id: NEXT_SIGNER_ID.fetch_add(1, core::sync::atomic::Ordering::Relaxed),
        })
    }

    /// The credentials this signer signs with.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The signing key for `scope`, from the cache when possible.
    pub fn signing_key(&self, scope: &Scope<'_>) -> SigningKey {
        #[cfg(feature = "std")]
        {
            let secret = self.credentials.secret_access_key();
            let day = scope.date();
            let date = day.date_str();
            if let Ok(mut cache) = self.cache.lock() {
                if let Some(key) = cache.get(secret, date, scope.region(), scope.service()) {
                    return key;
                }
                let key = SigningKey::derive(secret, date, scope.region(), scope.service());
                cache.insert(secret, date, scope.region(), scope.service(), key.clone());
                return key;
            }
        }
        SigningKey::derive(
            self.credentials.secret_access_key(),
            scope.date().date_str(),
            scope.region(),
            scope.service(),
        )
    }

    /// The access key id, percent-encoded for a query value.
    pub(crate) fn encoded_access_key_id(&self) -> &str {
        &self.encoded_access_key_id
    }

    /// The session token, percent-encoded for a query value.
    pub(crate) fn encoded_session_token(&self) -> Option<&str> {
        self.encoded_session_token.as_deref()
    }

    /// The signature of the string to sign for `scope` (at `scope.date()`) whose canonical
    /// request hashes to `canonical_request_hash`.
    // The cache also keeps, per key, the HMAC state that has absorbed the string to sign's
    // first three lines for the last request time seen: while the time repeats (many URLs
    // in the same second) each signature skips one of its SHA-256 blocks.
    pub(crate) fn sign_hash(
        &self,
        scope: &Scope<'_>,
        canonical_request_hash: &[u8; 32],
    ) -> Signature {
        #[cfg(feature = "std")]
        if let Some(signature) = self.memoised_signature(scope, canonical_request_hash) {
            return signature;
        }
        #[cfg(feature = "std")]
        if let Some(state) = self.cached_head(scope) {
            return finish_with_hash(&state, canonical_request_hash);
        }
        let state = head_state(&self.signing_key(scope).pads, scope);
        finish_with_hash(&state, canonical_request_hash)
    }

    /// The signature from this thread's memo of the head state, if it is for this signer
    /// and `scope`.
    #[cfg(feature = "std")]
    fn memoised_signature(&self, scope: &Scope<'_>, hash: &[u8; 32]) -> Option<Signature> {
        let (region, service) = (scope.region(), scope.service());
        LAST_HEAD
            .try_with(|m| {
                let m = m.try_borrow().ok()?;
                let h = m.as_ref()?;
                let hit = h.signer == self.id
                    && h.time == scope.date()
                    && h.region.0.get(..h.region.1) == Some(region.as_bytes())
                    && h.service.0.get(..h.service.1) == Some(service.as_bytes());
                hit.then(|| finish_with_hash(&h.state, hash))
            })
            .ok()
            .flatten()
    }

    /// The head state from the key cache (deriving the key if needed), memoised for this
    /// thread; `None` only if the cache lock is poisoned.
    #[cfg(feature = "std")]
    fn cached_head(&self, scope: &Scope<'_>) -> Option<HeadState> {
        let now = scope.date();
        let (region, service) = (scope.region(), scope.service());
        let secret = self.credentials.secret_access_key();
        let date = now.date_str();
        let mut cache = self.cache.lock().ok()?;
        if cache.entry(secret, date, region, service).is_none() {
            let key = SigningKey::derive(secret, date, region, service);
            cache.insert(secret, date, region, service, key);
        }
        let e = cache.entry_mut(secret, date, region, service)?;
        let state = match &e.head {
            Some((t, state)) if *t == now => state.clone(),
            _ => {
                let state = head_state(&e.key.pads, scope);
                e.head = Some((now, state.clone()));
                state
            }
        };
        drop(cache);
        self.remember(scope, &state);
        Some(state)
    }

    /// Keeps `state` as this thread's memo (a region or service over 64 bytes is not kept).
    #[cfg(feature = "std")]
    fn remember(&self, scope: &Scope<'_>, state: &HeadState) {
        let (Some(region), Some(service)) = (fixed64(scope.region()), fixed64(scope.service()))
        else {
            return;
        };
        let memo = HeadMemo {
            signer: self.id,
            time: scope.date(),
            region,
            service,
            state: state.clone(),
        };
        // Without thread-local storage (a thread being torn down) there is no memo, and the
        // next signature takes the cache path: same result.
        LAST_HEAD
            .try_with(|m| {
                if let Ok(mut m) = m.try_borrow_mut() {
                    *m = Some(memo);
                }
            })
            .unwrap_or_default();
    }

    /// How many keys have been derived since this signer was created (for the tests of
    /// the cache).
    #[cfg(all(test, feature = "std"))]
    pub(crate) fn derivations(&self) -> u64 {
        self.cache.lock().map(|c| c.derivations).unwrap_or(0)
    }
}

/// Forgets this thread's memo of the signer's key-derived HMAC state, so it does not outlive
/// the signer here (other threads overwrite theirs on their next signature).
#[cfg(feature = "std")]
impl Drop for Signer {
    fn drop(&mut self) {
        // Without thread-local storage (a thread being torn down) there is no memo to forget.
        LAST_HEAD
            .try_with(|m| {
                if let Ok(mut m) = m.try_borrow_mut()
                    && m.as_ref().is_some_and(|h| h.signer == self.id)
                {
                    *m = None;
                }
            })
            .unwrap_or_default();
    }
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "std")]
const CACHE_SLOTS: usize = 4;

/// A bounded cache: 4 slots, least recently inserted evicted first. Each entry is keyed by
/// the secret itself, so a rotated secret can never reuse an old key.
#[cfg(feature = "std")]
#[derive(Default)]
struct KeyCache {
    slots: [Option<CacheEntry>; CACHE_SLOTS],
    next: usize,
    derivations: u64,
}

#[cfg(feature = "std")]
struct CacheEntry {
    secret: alloc::string::String,
    date: [u8; 8],
    region: alloc::string::String,
    service: alloc::string::String,
    key: SigningKey,
    /// The last request time signed with this key and the HMAC state after the string to
    /// sign's first three lines for it.
    head: Option<(crate::time::AmzDate, HeadState)>,
}

#[cfg(feature = "std")]
impl CacheEntry {
    fn matches(&self, secret: &str, date: &str, region: &str, service: &str) -> bool {
        self.date.as_slice() == date.as_bytes()
            && self.region == region
            && self.service == service
            && ct_eq_bytes(self.secret.as_bytes(), secret.as_bytes())
    }
}

#[cfg(feature = "std")]
impl KeyCache {
    fn get(&self, secret: &str, date: &str, region: &str, service: &str) -> Option<SigningKey> {
        self.entry(secret, date, region, service)
            .map(|e| e.key.clone())
    }

    fn entry(&self, secret: &str, date: &str, region: &str, service: &str) -> Option<&CacheEntry> {
        self.slots
            .iter()
            .flatten()
            .find(|e| e.matches(secret, date, region, service))
    }

    fn entry_mut(
        &mut self,
        secret: &str,
        date: &str,
        region: &str,
        service: &str,
    ) -> Option<&mut CacheEntry> {
        self.slots
            .iter_mut()
            .flatten()
            .find(|e| e.matches(secret, date, region, service))
    }

    fn insert(&mut self, secret: &str, date: &str, region: &str, service: &str, key: SigningKey) {
        let mut d = [0u8; 8];
        let n = date.len().min(8);
        d[..n].copy_from_slice(&date.as_bytes()[..n]);
        self.slots[self.next] = Some(CacheEntry {
            secret: secret.into(),
            date: d,
            region: region.into(),
            service: service.into(),
            key,
            head: None,
        });
        self.next = (self.next + 1) % CACHE_SLOTS;
        self.derivations += 1;
    }
}

/// Equality whose time depends only on the lengths, not on where the bytes differ.
#[cfg(feature = "std")]
fn ct_eq_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |d, (x, y)| d | (x ^ y));
    core::hint::black_box(diff) == 0
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;
    use crate::s3::{Bucket, Endpoint};
    use crate::time::AmzDate;
    use alloc::string::String;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    const KEY: &str = "photos/2026/11/25/IMG_0001.jpg";

    fn signer(token: Option<&str>) -> Signer {
        let mut c = Credentials::new("AKIAIOSFODNN7EXAMPLE", SECRET);
        if let Some(t) = token {
            c = c.with_session_token(t);
        }
        Signer::new(c).unwrap()
    }

    fn token_700() -> String {
        "FwoGZXIvYXdzEJr//////////wEaDK+7x="
            .chars()
            .cycle()
            .take(700)
            .collect()
    }

    fn bucket() -> Bucket {
        Bucket::new(&Endpoint::aws("us-east-1").unwrap(), "examplebucket").unwrap()
    }

    fn now() -> AmzDate {
        AmzDate::parse("20130524T000000Z").unwrap()
    }

    #[test]
    fn the_aws_documentation_signing_key() {
        // IAM user guide, "derive a signing key": the key's HMAC of any data equals the
        // HMAC keyed with the documented key bytes.
        let key = SigningKey::derive(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "20150830",
            "us-east-1",
            "iam",
        );
        let mut documented = [0u8; 32];
        hex::decode_to_slice(
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9",
            &mut documented,
        )
        .unwrap();
        use hmac::{Hmac, KeyInit, Mac};
        let mut reference = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&documented).unwrap();
        reference.update(b"data");
        let expected: [u8; 32] = reference.finalize().into_bytes().into();
        assert_eq!(*key.sign_bytes(b"data").as_bytes(), expected);
    }

    #[test]
    fn signing_key_is_derived_once_per_secret_date_region_service() {
        let token = token_700();
        let signer = signer(Some(&token));
        let us = bucket();
        let eu = Bucket::new(&Endpoint::aws("eu-west-1").unwrap(), "examplebucket").unwrap();
        let day1 = now();
        let day1_later = AmzDate::parse("20130524T235959Z").unwrap();
        let day2 = AmzDate::parse("20130525T000000Z").unwrap();
        assert_eq!(signer.derivations(), 0);

        for _ in 0..50 {
            us.get_object(KEY).sign_url(&signer, day1).unwrap();
            us.put_object(KEY)
                .content_type("video/mp4")
                .sign_url(&signer, day1_later)
                .unwrap();
        }
        assert_eq!(
            signer.derivations(),
            1,
            "same secret, date, region, service"
        );

        us.get_object(KEY).sign_url(&signer, day2).unwrap();
        assert_eq!(signer.derivations(), 2, "a new date");
        eu.get_object(KEY).sign_url(&signer, day2).unwrap();
        assert_eq!(signer.derivations(), 3, "a new region");
        let scope = crate::sigv4::Scope::new(day2, "eu-west-1", "sts").unwrap();
        signer.signing_key(&scope);
        assert_eq!(signer.derivations(), 4, "a new service");

        // All four stay cached: going back to any of them derives nothing, and yields the same
        // URLs as a fresh signer that had to derive the key.
        let batch = us.presign_get_batch(3600, &signer, day1).unwrap();
        let cached = [
            batch.sign_url(KEY).unwrap(),
            us.get_object(KEY).sign_url(&signer, day2).unwrap(),
            eu.get_object(KEY).sign_url(&signer, day2).unwrap(),
        ];
        signer.signing_key(&scope);
        assert_eq!(signer.derivations(), 4);
        let fresh = |b: &Bucket, t| {
            b.get_object(KEY)
                .sign_url(&self::signer(Some(&token)), t)
                .unwrap()
        };
        assert_eq!(
            cached,
            [fresh(&us, day1), fresh(&us, day2), fresh(&eu, day2)]
        );

        // A rotated secret is another Signer with its own cache: never the old key.
        let rotated = Signer::new(
            Credentials::new(
                "AKIAIOSFODNN7EXAMPLE",
                "rotated/K7MDENG/bPxRfiCYEXAMPLEKEY000000",
            )
            .with_session_token(token.as_str()),
        )
        .unwrap();
        let url = us.get_object(KEY).sign_url(&rotated, day1).unwrap();
        assert_eq!(rotated.derivations(), 1);
        assert_ne!(url, cached[0]);
    }
}
