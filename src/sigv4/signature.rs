//! Step 4: the [signature](https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#calculate-signature).

use core::fmt;

/// A SigV4 signature: HMAC-SHA256 of the string to sign with the signing key.
///
/// `Display` prints the 64 lowercase hex digits that go into a request; `Debug` shows only
/// the first 8 (a presigned signature is a bearer credential and should not reach logs).
/// Compare signatures with [`Signature::ct_eq`], which takes the same time wherever the
/// inputs differ.
///
/// ```
/// use s3presign::sigv4::Signature;
/// let a = Signature::from_hex("aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404").unwrap();
/// assert!(a.ct_eq(&a));
/// assert_eq!(format!("{a:?}"), "Signature(aeeed9bb…)");
/// ```
#[derive(Clone, Copy)]
pub struct Signature([u8; 32]);

impl Signature {
    pub(crate) fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Parses 64 hex digits (either case), or `None`.
    pub fn from_hex(s: &str) -> Option<Self> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out).ok()?;
        Some(Self(out))
    }

    /// The raw 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Constant-time equality: the time taken does not depend on where the signatures differ.
    pub fn ct_eq(&self, other: &Signature) -> bool {
        let mut diff = 0u8;
        for (a, b) in self.0.iter().zip(other.0.iter()) {
            diff |= a ^ b;
        }
        // black_box keeps the optimiser from turning the fold into an early exit.
        core::hint::black_box(diff) == 0
    }

    /// Constant-time equality with 64 hex digits of either case, as received: no parsing
    /// into bytes first. `false` for anything but 64 hex digits.
    pub(crate) fn ct_eq_hex(&self, hex: &str) -> bool {
        let Ok(received) = <&[u8; 64]>::try_from(hex.as_bytes()) else {
            return false;
        };
        let mut ours = [0u8; 64];
        super::text::hex32_bytes(&self.0, &mut ours);
        let mut diff = 0u8;
        let mut hex_digits = true;
        for (&a, &b) in ours.iter().zip(received) {
            // Setting bit 5 lowercases A-F and leaves digits alone.
            diff |= a ^ (b | 0x20);
            hex_digits &= b.is_ascii_hexdigit();
        }
        core::hint::black_box(diff) == 0 && hex_digits
    }

    /// The 64 lowercase hex digits, in `buf`.
    fn hex<'b>(&self, buf: &'b mut [u8; 64]) -> Result<&'b str, fmt::Error> {
        super::text::hex32_bytes(&self.0, buf);
        core::str::from_utf8(buf).map_err(|_| fmt::Error)
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 64];
        f.write_str(self.hex(&mut buf)?)
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 64];
        let hex = self.hex(&mut buf)?;
        write!(f, "Signature({}…)", hex.get(..8).ok_or(fmt::Error)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_comparison_in_either_case_and_nothing_else() {
        let bytes: [u8; 32] = core::array::from_fn(|i| (i as u8).wrapping_mul(29) ^ 0x5a);
        let sig = Signature::from_bytes(bytes);
        let lower = hex::encode(bytes);
        assert!(sig.ct_eq_hex(&lower));
        assert!(sig.ct_eq_hex(&lower.to_ascii_uppercase()));
        assert!(!sig.ct_eq_hex(&lower[..63]));
        assert!(!sig.ct_eq_hex(&alloc::format!("{lower}0")));
        for i in 0..64 {
            let mut b = lower.clone().into_bytes();
            // Another digit, and bytes that lowercase to a digit or letter but are no digit.
            for c in [
                if b[i] == b'0' { b'1' } else { b'0' },
                b[i] & !0x20 ^ 0x40,
                b[i] & !0x20,
            ] {
                let orig = b[i];
                b[i] = c;
                let s = alloc::string::String::from_utf8(b.clone()).unwrap();
                let same =
                    s.eq_ignore_ascii_case(&lower) && s.bytes().all(|x| x.is_ascii_hexdigit());
                assert_eq!(sig.ct_eq_hex(&s), same, "{s}");
                b[i] = orig;
            }
        }
    }
}
