//! The verifier's signing-key cache, bounded like the signer's: 4 entries, the oldest
//! insertion evicted first, each keyed by the secret itself (compared in constant time) plus
//! the date, region and service, so a rotated secret never reuses an old key. Without the
//! `std` feature there is no lock to share it with, and every call derives its key.

use crate::sigv4::SigningKey;

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
        if let Ok(mut slots) = self.slots.lock() {
            let hit = slots
                .entries
                .iter()
                .flatten()
                .find(|e| e.matches(secret, date, region, service));
            if let Some(e) = hit {
                return e.key.clone();
            }
            let key = SigningKey::derive(secret, date, region, service);
            let mut d = [0u8; 8];
            if date.len() == d.len() {
                d.copy_from_slice(date.as_bytes());
                let i = slots.next % SLOTS;
                slots.entries[i] = Some(Entry {
                    secret: secret.into(),
                    date: d,
                    region: region.into(),
                    service: service.into(),
                    key: key.clone(),
                });
                slots.next = (i + 1) % SLOTS;
            }
            return key;
        }
        SigningKey::derive(secret, date, region, service)
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
