//! Step 3: the [signing key](https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#derive-signing-key),
//! and [`Signer`], which holds credentials and caches derived keys.

use core::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::hmac_head::HeadState;
use super::{Scope, Signature, StringToSign};
use crate::credentials::Credentials;
use crate::error::Result;

pub(crate) type HmacSha256 = Hmac<Sha256>;

/// An HMAC-SHA256 state keyed with `key`, built through the infallible `KeyInit::new`:
/// as RFC 2104 says, a key longer than the 64-byte block is hashed first, a shorter one is
/// padded with zeros.
fn keyed(key: &[u8]) -> HmacSha256 {
    use sha2::Digest;
    let mut block = [0u8; 64];
    if key.len() > block.len() {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    HmacSha256::new(&block.into())
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = keyed(key);
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// The derived signing key: `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
/// "aws4_request")`. It keeps a pre-keyed HMAC state so that each signature costs one HMAC
/// without re-hashing the key pads. `Debug` does not show it.
///
/// ```
/// use s3presign::sigv4::SigningKey;
/// // The AWS documentation's example (IAM user guide, "derive a signing key").
/// let key = SigningKey::derive("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20150830", "us-east-1", "iam");
/// assert_eq!(hex::encode(key.as_bytes()), "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
/// ```
#[derive(Clone)]
pub struct SigningKey {
    bytes: [u8; 32],
    // Cloning this state saves the two compression rounds that keying HMAC costs.
    mac: HmacSha256,
    // The same two rounds as raw SHA-256 states, for the presigning fast path.
    pads: super::hmac_head::KeyPads,
}

impl SigningKey {
    /// Derives the key for a secret, a `YYYYMMDD` date, a region and a service.
    pub fn derive(secret: &str, date: &str, region: &str, service: &str) -> Self {
        let mut k_secret = alloc::vec::Vec::with_capacity(4 + secret.len());
        k_secret.extend_from_slice(b"AWS4");
        k_secret.extend_from_slice(secret.as_bytes());
        let k_date = hmac(&k_secret, date.as_bytes());
        let k_region = hmac(&k_date, region.as_bytes());
        let k_service = hmac(&k_region, service.as_bytes());
        let bytes = hmac(&k_service, b"aws4_request");
        Self::from_bytes(bytes)
    }

    fn from_bytes(bytes: [u8; 32]) -> Self {
        Self {
            bytes,
            mac: keyed(&bytes),
            pads: super::hmac_head::KeyPads::new(&bytes),
        }
    }

    /// The SHA-256 states after this key's HMAC pads.
    pub(crate) fn pads(&self) -> &super::hmac_head::KeyPads {
        &self.pads
    }

    /// The 32 key bytes. This is secret material: do not log it.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// Signs a string to sign.
    pub fn sign(&self, string_to_sign: &StringToSign<'_>) -> Signature {
        sign_with(self.mac.clone(), string_to_sign)
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
        let mut mac = self.mac.clone();
        mac.update(data);
        Signature::from_bytes(mac.finalize().into_bytes().into())
    }
}

/// The HMAC state after the string to sign's first three lines (algorithm, time, scope).
fn head_state(pads: &super::hmac_head::KeyPads, scope: &Scope<'_>) -> HeadState {
    let mut text = super::string_to_sign::StackText::<256>::new();
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
    super::uri_encode::hex32_bytes(canonical_request_hash, &mut hex);
    Signature::from_bytes(state.finish(&hex))
}

/// Finishes the HMAC of `string_to_sign` from a state keyed with the signing key.
#[inline]
fn sign_with(mut mac: HmacSha256, string_to_sign: &StringToSign<'_>) -> Signature {
    // Assembling the text on the stack costs one HMAC update instead of ten small ones.
    let mut text = super::string_to_sign::StackText::<256>::new();
    string_to_sign.write_to(&mut text);
    match text.as_bytes() {
        Some(bytes) => mac.update(bytes),
        None => string_to_sign.write_to(&mut MacSink(&mut mac)),
    }
    Signature::from_bytes(mac.finalize().into_bytes().into())
}

struct MacSink<'a>(&'a mut HmacSha256);

impl super::Sink for MacSink<'_> {
    #[inline]
    fn put(&mut self, s: &str) {
        self.0.update(s.as_bytes());
    }
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
            let mut out = alloc::string::String::with_capacity(v.len() + 16);
            crate::encoding::encode_into(&mut out, v, crate::encoding::QUERY);
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
        {
            let now = scope.date();
            let (region, service) = (scope.region(), scope.service());
            let memo = LAST_HEAD.try_with(|m| {
                let m = m.try_borrow().ok()?;
                let h = m.as_ref()?;
                let hit = h.signer == self.id
                    && h.time == now
                    && h.region.0.get(..h.region.1) == Some(region.as_bytes())
                    && h.service.0.get(..h.service.1) == Some(service.as_bytes());
                hit.then(|| finish_with_hash(&h.state, canonical_request_hash))
            });
            if let Ok(Some(signature)) = memo {
                return signature;
            }
            let secret = self.credentials.secret_access_key();
            let date = now.date_str();
            if let Ok(mut cache) = self.cache.lock() {
                if cache.entry(secret, date, region, service).is_none() {
                    let key = SigningKey::derive(secret, date, region, service);
                    cache.insert(secret, date, region, service, key);
                }
                if let Some(e) = cache.entry_mut(secret, date, region, service) {
                    let state = match &e.head {
                        Some((t, state)) if *t == now => state.clone(),
                        _ => {
                            let state = head_state(&e.key.pads, scope);
                            e.head = Some((now, state.clone()));
                            state
                        }
                    };
                    drop(cache);
                    if let (Some(r), Some(sv)) = (fixed64(region), fixed64(service)) {
                        let _ = LAST_HEAD.try_with(|m| {
                            if let Ok(mut m) = m.try_borrow_mut() {
                                *m = Some(HeadMemo {
                                    signer: self.id,
                                    time: now,
                                    region: r,
                                    service: sv,
                                    state: state.clone(),
                                });
                            }
                        });
                    }
                    return finish_with_hash(&state, canonical_request_hash);
                }
            }
        }
        let state = head_state(&self.signing_key(scope).pads, scope);
        finish_with_hash(&state, canonical_request_hash)
    }

    /// How many keys have been derived since this signer was created (for tests and
    /// benchmarks that check the cache).
    #[cfg(feature = "std")]
    pub fn derivations(&self) -> u64 {
        self.cache.lock().map(|c| c.derivations).unwrap_or(0)
    }
}

/// Forgets this thread's memo of the signer's key-derived HMAC state, so it does not outlive
/// the signer here (other threads overwrite theirs on their next signature).
#[cfg(feature = "std")]
impl Drop for Signer {
    fn drop(&mut self) {
        let _ = LAST_HEAD.try_with(|m| {
            if let Ok(mut m) = m.try_borrow_mut()
                && m.as_ref().is_some_and(|h| h.signer == self.id)
            {
                *m = None;
            }
        });
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
