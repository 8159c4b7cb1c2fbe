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
