//! The whole object's CRC from its parts' CRCs, without reading the bytes again (crc-fast's
//! `checksum_combine`: the CRC of `A ‖ B` from the CRCs of `A` and `B` and the length of
//! `B`). A FULL_OBJECT multipart upload so costs one CRC pass over the bytes (each part's,
//! in its own task), not two.

use crc_fast::CrcAlgorithm;

use crate::client::checksum::{Checksum, ChecksumAlgorithm, crc_base64};

/// Combines part CRCs of one algorithm, in order.
pub(super) struct Combine {
    algorithm: ChecksumAlgorithm,
    crc_algorithm: CrcAlgorithm,
    /// The CRC's width in bytes (4 or 8).
    width: usize,
    /// The CRC of everything combined so far (0 is the CRC of no bytes for CRC32, CRC32C
    /// and CRC64NVME, whose initial value equals their final XOR).
    crc: u64,
}

impl Combine {
    /// Whether `algorithm` can be combined (the CRCs, not SHA-256).
    pub(super) fn covers(algorithm: ChecksumAlgorithm) -> bool {
        algorithm.crc().is_some()
    }

    /// `None` for an algorithm that cannot be combined (SHA-256).
    pub(super) fn new(algorithm: ChecksumAlgorithm) -> Option<Self> {
        let (crc_algorithm, width) = algorithm.crc()?;
        Some(Self {
            algorithm,
            crc_algorithm,
            width,
            crc: 0,
        })
    }

    /// Appends a part of `len` bytes whose checksum is `part`. `None` when `part` is of
    /// another algorithm or not a base64 value of the CRC's width.
    pub(super) fn push(&mut self, part: &Checksum, len: u64) -> Option<()> {
        if part.algorithm != self.algorithm {
            return None;
        }
        let raw = crate::base64::decode(&part.value).ok()?;
        if raw.len() != self.width {
            return None;
        }
        let value = raw.iter().fold(0u64, |v, b| (v << 8) | u64::from(*b));
        self.crc = crc_fast::checksum_combine(self.crc_algorithm, self.crc, value, len);
        Some(())
    }

    /// The checksum of all the parts pushed, as S3 writes it.
    pub(super) fn finish(&self) -> Checksum {
        Checksum::new(self.algorithm, crc_base64(self.crc, self.width))
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
