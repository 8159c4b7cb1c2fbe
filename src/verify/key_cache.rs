//! The verifier's signing-key cache, bounded like the signer's: 4 entries, the oldest
//! insertion evicted first, each keyed by the secret itself (compared in constant time) plus
//! the date, region and service, so a rotated secret never reuses an old key. Each entry
//! also keeps, as the signer's cache does, the HMAC state after the string to sign's first
//! lines for the last request time it verified: requests signed in the same second skip
//! those lines. Without the `std` feature there is no lock to share it with, and every call
//! derives its key.

use crate::sigv4::{HeadState, Scope, Signature, SigningKey};
#[cfg(feature = "std")]
use crate::time::AmzDate;

#[cfg(feature = "std")]
const SLOTS: usize = 4;

/// Derived signing keys by (secret, date, region, service).
#[derive(Default)]
pub(super) struct KeyCache {
    #[cfg(feature = "std")]
    slots: std::sync::Mutex<Slots>,
}

#[cfg(feature = "std")]
#[derive(Default)]
struct Slots {
    entries: [Option<Entry>; SLOTS],
    next: usize,
}

#[cfg(feature = "std")]
struct Entry {
    secret: alloc::string::String,
    date: [u8; 8],
    region: alloc::string::String,
    service: alloc::string::String,
    key: SigningKey,
    /// The last request time verified with this key, and the HMAC state after the string
    /// to sign's first lines for it.
    head: Option<(AmzDate, HeadState)>,
}

#[cfg(feature = "std")]
impl Slots {
    /// The entry for the key, derived and inserted (in the oldest slot) if missing; `None`
    /// for a date that is not `YYYYMMDD`'s 8 bytes (never cached).
    fn entry(
        &mut self,
        secret: &str,
        date: &str,
        region: &str,
        service: &str,
    ) -> Option<&mut Entry> {
        let d: [u8; 8] = date.as_bytes().try_into().ok()?;
        let hit = self.entries.iter().position(|e| {
            e.as_ref()
                .is_some_and(|e| e.matches(secret, date, region, service))
        });
        let i = match hit {
            Some(i) => i,
            None => {
                let i = self.next % SLOTS;
                self.entries[i] = Some(Entry {
                    secret: secret.into(),
                    date: d,
                    region: region.into(),
                    service: service.into(),
                    key: SigningKey::derive(secret, date, region, service),
                    head: None,
                });
                self.next = (i + 1) % SLOTS;
                i
            }
        };
        self.entries[i].as_mut()
    }
}

#[cfg(feature = "std")]
impl Entry {
    fn matches(&self, secret: &str, date: &str, region: &str, service: &str) -> bool {
        self.date.as_slice() == date.as_bytes()
            && self.region == region
            && self.service == service
            && super::ct_eq_str(&self.secret, secret)
    }
}

impl KeyCache {
    /// The signing key, from the cache when possible; derived (and cached) otherwise.
    pub(super) fn get(&self, secret: &str, date: &str, region: &str, service: &str) -> SigningKey {
        #[cfg(feature = "std")]
        if let Ok(mut slots) = self.slots.lock()
            && let Some(e) = slots.entry(secret, date, region, service)
        {
            return e.key.clone();
        }
        SigningKey::derive(secret, date, region, service)
    }

    /// The signature of the string to sign for `scope` whose canonical request hashes to
    /// `digest`, with the key of `secret` (see [`get`](Self::get)).
    pub(super) fn sign(&self, secret: &str, scope: &Scope<'_>, digest: &[u8; 32]) -> Signature {
        let (time, region, service) = (scope.date(), scope.region(), scope.service());
        let date = time.date_str();
        #[cfg(feature = "std")]
        if let Ok(mut slots) = self.slots.lock()
            && let Some(e) = slots.entry(secret, date, region, service)
        {
            let state = match &e.head {
                Some((t, state)) if *t == time => state.clone(),
                _ => {
                    let state = HeadState::for_scope(e.key.pads(), scope);
                    e.head = Some((time, state.clone()));
                    state
                }
            };
            drop(slots);
            return state.signature(digest);
        }
        let key = SigningKey::derive(secret, date, region, service);
        HeadState::for_scope(key.pads(), scope).signature(digest)
    }

    /// How many entries hold a key (for tests).
    #[cfg(all(test, feature = "std"))]
    fn len(&self) -> usize {
        self.slots
            .lock()
            .map(|s| s.entries.iter().flatten().count())
            .unwrap_or(0)
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;

    /// Two keys are equal when they sign the same data alike.
    fn mac(k: &SigningKey) -> alloc::string::String {
        alloc::string::ToString::to_string(&k.sign_bytes(b"key check"))
    }

    #[test]
    fn bounded_and_keyed_by_the_secret() {
        let c = KeyCache::default();
        let a = c.get("secret-a", "20261125", "us-east-1", "s3");
        assert_eq!(
            mac(&a),
            mac(&SigningKey::derive(
                "secret-a",
                "20261125",
                "us-east-1",
                "s3"
            ))
        );
        // A rotated secret under the same date/region/service gets its own key.
        let b = c.get("secret-b", "20261125", "us-east-1", "s3");
        assert_ne!(mac(&a), mac(&b));
        assert_eq!(
            mac(&c.get("secret-a", "20261125", "us-east-1", "s3")),
            mac(&a)
        );
        for day in 10..30 {
            let date = alloc::format!("202611{day}");
            let k = c.get("secret-a", &date, "us-east-1", "s3");
            assert_eq!(
                mac(&k),
                mac(&SigningKey::derive("secret-a", &date, "us-east-1", "s3"))
            );
        }
        assert_eq!(c.len(), SLOTS);
    }
}
