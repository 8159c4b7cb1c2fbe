//! Data integrity beyond TCP: a CRC32 on uploads, and downloads checked against the
//! full-object checksum and length the server declares.
//!
//! CRC32 is the upload default because it is what the AWS SDKs send by default (so every
//! S3-compatible store that accepts SDK uploads accepts it), it is cheap, and S3 can
//! combine it into full-object checksums. Downloads verify whichever full-object checksum
//! the server returns: CRC32, CRC32C, CRC64NVME (S3's own default) or SHA-256.

use std::string::String;

use crc::{CRC_32_ISCSI, CRC_32_ISO_HDLC, CRC_64_NVME, Crc, Digest as CrcDigest, Table};
use sha2::Digest as _;

/// The CRCs S3 uses, slice-by-16 tables built at compile time.
static CRC32: Crc<u32, Table<16>> = Crc::<u32, Table<16>>::new(&CRC_32_ISO_HDLC);
static CRC32C: Crc<u32, Table<16>> = Crc::<u32, Table<16>>::new(&CRC_32_ISCSI);
static CRC64NVME: Crc<u64, Table<16>> = Crc::<u64, Table<16>>::new(&CRC_64_NVME);

use super::error::{Error, Result};

/// When checksums are added and checked: the AWS SDKs' `when_supported` and
/// `when_required` settings.
///
/// ```
/// use s3presign::client::Integrity;
/// assert_eq!(Integrity::default(), Integrity::WhenSupported);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Integrity {
    /// PutObject carries `x-amz-checksum-crc32` (S3 refuses a body that does not match),
    /// GetObject asks for the stored checksum (`x-amz-checksum-mode: ENABLED`) and a whole
    /// object is checked against it and its `Content-Length`, streams included. The
    /// default.
    #[default]
    WhenSupported,
    /// Checksums only where S3 requires one (DeleteObjects, configuration documents);
    /// downloads are checked against their `Content-Length` only. For stores that refuse
    /// checksum headers (Backblaze B2, some gateways).
    WhenRequired,
}

/// The `x-amz-checksum-crc32` value of `body`: the big-endian CRC32, base64.
pub(crate) fn crc32_base64(body: &[u8]) -> String {
    crate::base64::encode(&CRC32.checksum(body).to_be_bytes())
}

enum State {
    Crc32(CrcDigest<'static, u32, Table<16>>),
    Crc64(CrcDigest<'static, u64, Table<16>>),
    Sha256(sha2::Sha256),
}

/// Checks a body, whole or chunk by chunk, against what its answer's headers declare.
pub(crate) struct BodyCheck {
    state: Option<(State, String)>,
    length: Option<u64>,
    seen: u64,
}

impl core::fmt::Debug for BodyCheck {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BodyCheck")
            .field("checksum", &self.state.as_ref().map(|(_, v)| v))
            .field("length", &self.length)
            .field("seen", &self.seen)
            .finish()
    }
}

impl BodyCheck {
    /// The checks `headers` call for. With [`Integrity::WhenSupported`], the full-object
    /// checksum of a whole object (a ranged answer, or a composite multipart checksum,
    /// `...-N`, cannot be checked against the bytes); always the `Content-Length`.
    pub(crate) fn from_headers(headers: &http::HeaderMap, integrity: Integrity) -> Self {
        let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
        let length = header("content-length").and_then(|v| v.parse().ok());
        let whole = !headers.contains_key("content-range");
        let state = (integrity == Integrity::WhenSupported && whole)
            .then(|| {
                let start = |name: &str| match name {
                    "x-amz-checksum-crc64nvme" => State::Crc64(CRC64NVME.digest()),
                    "x-amz-checksum-crc32c" => State::Crc32(CRC32C.digest()),
                    "x-amz-checksum-crc32" => State::Crc32(CRC32.digest()),
                    _ => State::Sha256(sha2::Sha256::new()),
                };
                [
                    "x-amz-checksum-crc64nvme",
                    "x-amz-checksum-crc32c",
                    "x-amz-checksum-crc32",
                    "x-amz-checksum-sha256",
                ]
                .into_iter()
                .find_map(|name| {
                    let value = header(name).filter(|v| !v.contains('-'))?;
                    Some((start(name), String::from(value)))
                })
            })
            .flatten();
        Self {
            state,
            length,
            seen: 0,
        }
    }

    /// Feeds the next bytes of the body.
    pub(crate) fn update(&mut self, chunk: &[u8]) {
        self.seen = self.seen.saturating_add(chunk.len() as u64);
        match &mut self.state {
            Some((State::Crc32(d), _)) => d.update(chunk),
            Some((State::Crc64(d), _)) => d.update(chunk),
            Some((State::Sha256(h), _)) => h.update(chunk),
            None => {}
        }
    }

    /// After the last byte: the length and checksum must be the declared ones.
    ///
    /// # Errors
    /// [`ErrorKind::Integrity`](super::ErrorKind::Integrity) on a mismatch.
    pub(crate) fn finish(&self) -> Result<()> {
        if self.length.is_some_and(|n| n != self.seen) {
            return Err(Error::integrity(
                "the body's length differs from its Content-Length",
            ));
        }
        let Some((state, expected)) = &self.state else {
            return Ok(());
        };
        let actual = match state {
            State::Crc32(d) => crate::base64::encode(&d.clone().finalize().to_be_bytes()),
            State::Crc64(d) => crate::base64::encode(&d.clone().finalize().to_be_bytes()),
            State::Sha256(h) => crate::base64::encode(&h.clone().finalize()),
        };
        if actual != *expected {
            return Err(Error::integrity(
                "the object's bytes do not match the checksum the server stored for them",
            ));
        }
        Ok(())
    }
}

/// Checks a whole body at once.
///
/// # Errors
/// As [`BodyCheck::finish`].
pub(crate) fn check_body(
    headers: &http::HeaderMap,
    body: &[u8],
    integrity: Integrity,
) -> Result<()> {
    let mut check = BodyCheck::from_headers(headers, integrity);
    check.update(body);
    check.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> http::HeaderMap {
        let mut h = http::HeaderMap::new();
        for (n, v) in pairs {
            h.insert(*n, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn crc32_of_the_check_string() {
        // CRC-32/ISO-HDLC("123456789") = 0xCBF43926.
        assert_eq!(
            crc32_base64(b"123456789"),
            crate::base64::encode(&[0xCB, 0xF4, 0x39, 0x26])
        );
    }

    #[test]
    fn every_full_object_checksum_is_verified() {
        let ok = [
            (
                "x-amz-checksum-crc32",
                crate::base64::encode(&[0xCB, 0xF4, 0x39, 0x26]),
            ),
            // CRC-32C("123456789") = 0xE3069283.
            (
                "x-amz-checksum-crc32c",
                crate::base64::encode(&[0xE3, 0x06, 0x92, 0x83]),
            ),
            // CRC-64/NVME("123456789") = 0xAE8B14860A799888.
            (
                "x-amz-checksum-crc64nvme",
                crate::base64::encode(&[0xAE, 0x8B, 0x14, 0x86, 0x0A, 0x79, 0x98, 0x88]),
            ),
            (
                "x-amz-checksum-sha256",
                crate::base64::encode(&sha2::Sha256::digest(b"123456789")),
            ),
        ];
        for (name, value) in ok {
            let h = headers(&[(name, &value), ("content-length", "9")]);
            check_body(&h, b"123456789", Integrity::WhenSupported).unwrap();
            let e = check_body(&h, b"123456780", Integrity::WhenSupported).unwrap_err();
            assert_eq!(e.kind(), super::super::ErrorKind::Integrity, "{name}");
            check_body(&h, b"123456780", Integrity::WhenRequired).unwrap();
        }
    }

    #[test]
    fn lengths_ranges_and_composites() {
        let h = headers(&[("content-length", "10")]);
        assert!(check_body(&h, b"123456789", Integrity::WhenRequired).is_err());
        let wrong = crate::base64::encode(&[0, 0, 0, 0]);
        let ranged = headers(&[
            ("x-amz-checksum-crc32", &wrong),
            ("content-range", "bytes 0-8/20"),
        ]);
        check_body(&ranged, b"123456789", Integrity::WhenSupported).unwrap();
        let composite = headers(&[("x-amz-checksum-crc32", "AAAAAA==-3")]);
        check_body(&composite, b"123456789", Integrity::WhenSupported).unwrap();
    }
}
