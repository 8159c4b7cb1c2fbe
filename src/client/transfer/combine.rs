//! The whole object's CRC from its parts' CRCs, without reading the bytes again: the CRC
//! of `A ‖ B` is the CRC of `A` multiplied by `x^(8·len(B))` modulo the polynomial, plus
//! the CRC of `B` (zlib's `crc32_combine`, for any reflected CRC whose initial value equals
//! its final XOR, as CRC32, CRC32C and CRC64NVME do). A FULL_OBJECT multipart upload so
//! costs one CRC pass over the bytes (each part's, in its own task), not two.

use crate::client::checksum::{Checksum, ChecksumAlgorithm};

/// Combines part CRCs of one algorithm, in order.
pub(super) struct Combine {
    algorithm: ChecksumAlgorithm,
    /// The reflected polynomial.
    poly: u64,
    /// The CRC's width in bits (32 or 64).
    width: u32,
    /// `x2n[k]` is `x^(2^k)` modulo the polynomial (`k` up to 66: `8·len` for any `u64`).
    x2n: [u64; 67],
    /// The CRC of everything combined so far (0 is the CRC of no bytes).
    crc: u64,
}

impl Combine {
    /// Whether `algorithm` can be combined (the CRCs, not SHA-256).
    pub(super) fn covers(algorithm: ChecksumAlgorithm) -> bool {
        !matches!(algorithm, ChecksumAlgorithm::Sha256)
    }

    /// `None` for an algorithm that cannot be combined (SHA-256).
    pub(super) fn new(algorithm: ChecksumAlgorithm) -> Option<Self> {
        let (poly, width) = match algorithm {
            ChecksumAlgorithm::Crc32 => (0xEDB8_8320, 32),
            ChecksumAlgorithm::Crc32c => (0x82F6_3B78, 32),
            ChecksumAlgorithm::Crc64Nvme => (0x9A6C_9329_AC4B_C9B5, 64),
            _ => return None,
        };
        let mut c = Self {
            algorithm,
            poly,
            width,
            x2n: [0; 67],
            crc: 0,
        };
        // x^1, then squares: x^2, x^4, x^8, ...
        let mut p = 1u64 << (width - 2);
        for k in 0..67 {
            c.x2n[k] = p;
            p = c.mult(p, p);
        }
        Some(c)
    }

    /// `a · b` modulo the polynomial (bit-reflected: `x^0` is the top bit).
    fn mult(&self, a: u64, mut b: u64) -> u64 {
        let mut m = 1u64 << (self.width - 1);
        let mut p = 0;
        while m != 0 {
            if a & m != 0 {
                p ^= b;
            }
            m >>= 1;
            b = if b & 1 != 0 {
                (b >> 1) ^ self.poly
            } else {
                b >> 1
            };
        }
        p
    }

    /// `x^(8·len)` modulo the polynomial.
    fn shift(&self, len: u64) -> u64 {
        let (mut p, mut n, mut k) = (1u64 << (self.width - 1), len, 3usize);
        while n != 0 {
            if n & 1 != 0 {
                p = self.mult(self.x2n[k], p);
            }
            n >>= 1;
            k += 1;
        }
        p
    }

    /// Appends a part of `len` bytes whose checksum is `part`. `None` when `part` is of
    /// another algorithm or not a base64 value of the CRC's width.
    pub(super) fn push(&mut self, part: &Checksum, len: u64) -> Option<()> {
        if part.algorithm != self.algorithm {
            return None;
        }
        let raw = crate::base64::decode(&part.value).ok()?;
        if raw.len() * 8 != self.width as usize {
            return None;
        }
        let value = raw.iter().fold(0u64, |v, b| (v << 8) | u64::from(*b));
        self.crc = self.mult(self.shift(len), self.crc) ^ value;
        Some(())
    }

    /// The checksum of all the parts pushed, as S3 writes it.
    pub(super) fn finish(&self) -> Checksum {
        let bytes = self.crc.to_be_bytes();
        let raw = &bytes[bytes.len() - self.width as usize / 8..];
        Checksum::new(self.algorithm, crate::base64::encode(raw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    #[test]
    fn combined_parts_equal_the_whole_objects_crc() {
        let mut rng = fastrand::Rng::with_seed(7);
        let data: Vec<u8> = core::iter::repeat_with(|| rng.u8(..))
            .take(70_000)
            .collect();
        let crcs = [
            ChecksumAlgorithm::Crc32,
            ChecksumAlgorithm::Crc32c,
            ChecksumAlgorithm::Crc64Nvme,
        ];
        for algorithm in crcs {
            for cuts in [
                &[][..],
                &[0][..],
                &[1, 2][..],
                &[0, 0, 70_000][..],
                &[5, 4096, 4097, 65_536][..],
            ] {
                let mut c = Combine::new(algorithm).unwrap();
                let mut start = 0;
                for &end in cuts.iter().chain([&data.len()]) {
                    let part = &data[start..end];
                    c.push(&algorithm.checksum(part), part.len() as u64)
                        .unwrap();
                    start = end;
                }
                assert_eq!(
                    c.finish(),
                    algorithm.checksum(&data),
                    "{algorithm:?} {cuts:?}"
                );
            }
        }
        assert!(Combine::new(ChecksumAlgorithm::Sha256).is_none());
        assert!(!Combine::covers(ChecksumAlgorithm::Sha256));
        assert!(crcs.iter().all(|a| Combine::covers(*a)));
        let mut c = Combine::new(ChecksumAlgorithm::Crc32).unwrap();
        let other = ChecksumAlgorithm::Crc64Nvme.checksum(b"x");
        assert!(c.push(&other, 1).is_none(), "another algorithm");
        let wide = Checksum::new(ChecksumAlgorithm::Crc32, other.value);
        assert!(c.push(&wide, 1).is_none(), "another width");
    }
}
