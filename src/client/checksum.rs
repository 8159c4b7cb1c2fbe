//! Data integrity beyond TCP: a CRC32 on uploads, checksums on multipart parts, and
//! downloads checked against the full-object checksum and length the server declares.
//!
//! CRC32 is the default of single requests (`put_object`, parts sent one by one) because it
//! is what the AWS SDKs send by default (so every S3-compatible store that accepts SDK
//! uploads accepts it) and it is cheap. [`Client::upload`](super::Client::upload) defaults
//! to a full-object CRC64NVME instead (see [`Upload::checksum`](super::Upload::checksum)).
//! Downloads verify whichever full-object checksum the server returns: CRC32, CRC32C,
//! CRC64NVME (S3's own default) or SHA-256.

use std::string::String;

use crc_fast::{CrcAlgorithm, Digest as CrcDigest};
use sha2::Digest as _;

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

/// An S3 additional-checksum algorithm
/// ([Checking object integrity](https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html)).
///
/// ```
/// use s3presign::client::ChecksumAlgorithm;
/// let c = ChecksumAlgorithm::Crc32.checksum(b"hello world");
/// assert_eq!(c.value, "DUoRhQ==");
/// assert_eq!(ChecksumAlgorithm::Crc32.header_name(), "x-amz-checksum-crc32");
/// assert_eq!(ChecksumAlgorithm::from_name("crc64nvme"), Some(ChecksumAlgorithm::Crc64Nvme));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChecksumAlgorithm {
    /// CRC-32 (ISO-HDLC), the SDKs' default.
    Crc32,
    /// CRC-32C (Castagnoli).
    Crc32c,
    /// CRC-64/NVME, S3's own default for objects uploaded without a checksum.
    Crc64Nvme,
    /// SHA-256.
    Sha256,
}

impl ChecksumAlgorithm {
    /// Every algorithm, in the order downloads look for them.
    pub(crate) const ALL: [Self; 4] = [Self::Crc64Nvme, Self::Crc32c, Self::Crc32, Self::Sha256];

    /// The CRC this algorithm is and its width in bytes; `None` for SHA-256.
    pub(crate) fn crc(self) -> Option<(CrcAlgorithm, usize)> {
        match self {
            Self::Crc32 => Some((CrcAlgorithm::Crc32IsoHdlc, 4)),
            Self::Crc32c => Some((CrcAlgorithm::Crc32Iscsi, 4)),
            Self::Crc64Nvme => Some((CrcAlgorithm::Crc64Nvme, 8)),
            Self::Sha256 => None,
        }
    }

    /// The name S3 uses in `x-amz-checksum-algorithm` (`CRC32`, `CRC32C`, `CRC64NVME`,
    /// `SHA256`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Crc32 => "CRC32",
            Self::Crc32c => "CRC32C",
            Self::Crc64Nvme => "CRC64NVME",
            Self::Sha256 => "SHA256",
        }
    }

    /// The header that carries the value (`x-amz-checksum-crc32`, ...).
    pub fn header_name(self) -> &'static str {
        match self {
            Self::Crc32 => "x-amz-checksum-crc32",
            Self::Crc32c => "x-amz-checksum-crc32c",
            Self::Crc64Nvme => "x-amz-checksum-crc64nvme",
            Self::Sha256 => "x-amz-checksum-sha256",
        }
    }

    /// The algorithm with this name, in any case (`crc32c`, `CRC32C`).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(name))
    }

    /// The checksum of `bytes`: the big-endian digest, base64, as S3 writes it.
    pub fn checksum(self, bytes: &[u8]) -> Checksum {
        let mut h = Hasher::new(self);
        h.update(bytes);
        h.finish()
    }
}

/// How S3 checksums a multipart object: from the parts' checksums (`COMPOSITE`, the value
/// ends in `-N`) or over the whole object (`FULL_OBJECT`, CRCs only), set at
/// CreateMultipartUpload (`x-amz-checksum-type`).
///
/// ```
/// use s3presign::client::ChecksumType;
/// assert_eq!(ChecksumType::FullObject.name(), "FULL_OBJECT");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChecksumType {
    /// The checksum of the concatenated part checksums, suffixed `-N` (CRC32, CRC32C,
    /// SHA-256).
    Composite,
    /// The checksum of the whole object, as if uploaded at once (CRC32, CRC32C,
    /// CRC64NVME). A download can be checked against it.
    FullObject,
}

impl ChecksumType {
    /// The name S3 uses (`COMPOSITE`, `FULL_OBJECT`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Composite => "COMPOSITE",
            Self::FullObject => "FULL_OBJECT",
        }
    }

    /// The type with this name.
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Composite, Self::FullObject]
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(name))
    }

    /// Whether S3 accepts `algorithm` with this type (CRC64NVME is full-object only,
    /// SHA-256 composite only).
    pub fn supports(self, algorithm: ChecksumAlgorithm) -> bool {
        !matches!(
            (self, algorithm),
            (Self::Composite, ChecksumAlgorithm::Crc64Nvme)
                | (Self::FullObject, ChecksumAlgorithm::Sha256)
        )
    }
}

/// A checksum value: the algorithm and its base64 value as S3 sends it (a composite
/// multipart checksum ends in `-N`).
///
/// ```
/// use s3presign::client::{Checksum, ChecksumAlgorithm};
/// let c = Checksum::new(ChecksumAlgorithm::Crc32, "DUoRhQ==");
/// assert_eq!(c, ChecksumAlgorithm::Crc32.checksum(b"hello world"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Checksum {
    /// The algorithm.
    pub algorithm: ChecksumAlgorithm,
    /// The base64 value.
    pub value: String,
}

impl Checksum {
    /// A checksum known in advance (computed elsewhere, or reported by S3).
    pub fn new(algorithm: ChecksumAlgorithm, value: impl Into<String>) -> Self {
        Self {
            algorithm,
            value: value.into(),
        }
    }

    /// S3's composite checksum of these part checksums, in part order: the checksum of
    /// their concatenated raw values, base64, then `-N`. `None` when a value is not
    /// base64 or the parts mix algorithms.
    pub(crate) fn composite(parts: &[&Self]) -> Option<Self> {
        let algorithm = parts.first()?.algorithm;
        let mut h = Hasher::new(algorithm);
        for p in parts {
            if p.algorithm != algorithm {
                return None;
            }
            h.update(&crate::base64::decode(&p.value).ok()?);
        }
        let mut value = h.finish().value;
        value.push('-');
        crate::sigv4::text::push_u64(&mut value, parts.len() as u64);
        Some(Self { algorithm, value })
    }
}

/// The `x-amz-checksum-crc32` value of `body`: the big-endian CRC32, base64.
pub(crate) fn crc32_base64(body: &[u8]) -> String {
    crc_base64(crc_fast::checksum(CrcAlgorithm::Crc32IsoHdlc, body), 4)
}

/// A CRC of `width` bytes as S3 writes it: big-endian, base64.
pub(crate) fn crc_base64(crc: u64, width: usize) -> String {
    let bytes = crc.to_be_bytes();
    crate::base64::encode(bytes.get(8 - width.min(8)..).unwrap_or(&bytes))
}

enum State {
    /// A CRC and its width in bytes (the digest's `u64` holds a CRC32 in its low half).
    Crc(CrcDigest, usize),
    Sha256(sha2::Sha256),
}

/// A checksum computed chunk by chunk.
pub(crate) struct Hasher {
    algorithm: ChecksumAlgorithm,
    state: State,
}

impl core::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("Hasher").field(&self.algorithm).finish()
    }
}

impl Hasher {
    pub(crate) fn new(algorithm: ChecksumAlgorithm) -> Self {
        let state = match algorithm.crc() {
            Some((crc, width)) => State::Crc(CrcDigest::new(crc), width),
            None => State::Sha256(sha2::Sha256::new()),
        };
        Self { algorithm, state }
    }

    pub(crate) fn update(&mut self, chunk: &[u8]) {
        match &mut self.state {
            State::Crc(d, _) => d.update(chunk),
            State::Sha256(h) => h.update(chunk),
        }
    }

    /// The checksum of everything fed so far (the hasher may be fed further).
    pub(crate) fn finish(&self) -> Checksum {
        let value = match &self.state {
            State::Crc(d, width) => crc_base64(d.finalize(), *width),
            State::Sha256(h) => crate::base64::encode(&h.clone().finalize()),
        };
        Checksum {
            algorithm: self.algorithm,
            value,
        }
    }
}

/// Checks a body, whole or chunk by chunk, against what its answer's headers declare.
pub(crate) struct BodyCheck {
    state: Option<(Hasher, String)>,
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
                ChecksumAlgorithm::ALL.into_iter().find_map(|a| {
                    let value = header(a.header_name()).filter(|v| !v.contains('-'))?;
                    Some((Hasher::new(a), String::from(value)))
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
        if let Some((h, _)) = &mut self.state {
            h.update(chunk);
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
        let Some((hasher, expected)) = &self.state else {
            return Ok(());
        };
        if hasher.finish().value != *expected {
            return Err(Error::integrity(
                "the object's bytes do not match the checksum the server stored for them",
            ));
        }
        Ok(())
    }
}

/// A body stream that hashes (CRC64NVME, S3's default) what passes through it, for a
/// streamed upload whose checksum cannot be sent in advance.
#[cfg(feature = "client")]
pub(crate) struct HashingStream<S> {
    inner: core::pin::Pin<std::boxed::Box<S>>,
    hasher: std::sync::Arc<std::sync::Mutex<Hasher>>,
}

/// What a [`HashingStream`] saw, to compare with the server's answer.
#[cfg(feature = "client")]
pub(crate) struct SentChecksum(std::sync::Arc<std::sync::Mutex<Hasher>>);

#[cfg(feature = "client")]
impl<S> HashingStream<S> {
    pub(crate) fn new(inner: S) -> (Self, SentChecksum) {
        let hasher = std::sync::Arc::new(std::sync::Mutex::new(Hasher::new(
            ChecksumAlgorithm::Crc64Nvme,
        )));
        let sent = SentChecksum(std::sync::Arc::clone(&hasher));
        let stream = Self {
            inner: std::boxed::Box::pin(inner),
            hasher,
        };
        (stream, sent)
    }
}

#[cfg(feature = "client")]
impl<S> futures_core::Stream for HashingStream<S>
where
    S: futures_core::TryStream,
    S::Error: Into<std::boxed::Box<dyn std::error::Error + Send + Sync>>,
    bytes::Bytes: From<S::Ok>,
{
    type Item =
        core::result::Result<bytes::Bytes, std::boxed::Box<dyn std::error::Error + Send + Sync>>;

    fn poll_next(
        mut self: core::pin::Pin<&mut Self>,
        cx: &mut core::task::Context<'_>,
    ) -> core::task::Poll<Option<Self::Item>> {
        let next = self.inner.as_mut().try_poll_next(cx);
        core::task::Poll::Ready(match core::task::ready!(next) {
            Some(Ok(chunk)) => {
                let chunk = bytes::Bytes::from(chunk);
                if let Ok(mut h) = self.hasher.lock() {
                    h.update(&chunk);
                }
                Some(Ok(chunk))
            }
            Some(Err(e)) => Some(Err(e.into())),
            None => None,
        })
    }
}

/// A request body from a stream of bytes. (A function of its own: where a caller's
/// `Bytes: From<S::Ok>` bound is in scope, the compiler would take it for this stream's.)
#[cfg(feature = "client")]
pub(crate) fn stream_body<T>(stream: T) -> reqwest::Body
where
    T: futures_core::Stream<
            Item = core::result::Result<
                bytes::Bytes,
                std::boxed::Box<dyn std::error::Error + Send + Sync>,
            >,
        > + Send
        + 'static,
{
    reqwest::Body::wrap_stream(stream)
}

#[cfg(feature = "client")]
impl SentChecksum {
    /// Compares what was sent with the checksum of the same algorithm the answer
    /// reports, if it reports one.
    ///
    /// # Errors
    /// [`ErrorKind::Integrity`](super::ErrorKind::Integrity) when they differ.
    pub(crate) fn check_against(&self, headers: &http::HeaderMap) -> Result<()> {
        let Ok(hasher) = self.0.lock() else {
            return Ok(());
        };
        let sent = hasher.finish();
        let stored = headers
            .get(sent.algorithm.header_name())
            .and_then(|v| v.to_str().ok());
        match stored {
            Some(v) if v != sent.value => Err(Error::integrity(
                "the server stored other bytes than those sent (its checksum differs)",
            )),
            _ => Ok(()),
        }
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

    #[test]
    fn composite_checksums_hash_the_raw_part_values() {
        let a = ChecksumAlgorithm::Crc32.checksum(b"123456789");
        let b = ChecksumAlgorithm::Crc32.checksum(b"hello world");
        // 0xCBF43926 then 0x0D4A1185, hashed as 8 raw bytes.
        let raw = [0xCB, 0xF4, 0x39, 0x26, 0x0D, 0x4A, 0x11, 0x85];
        let mut expected = crc32_base64(&raw);
        expected.push_str("-2");
        let c = Checksum::composite(&[&a, &b]).unwrap();
        assert_eq!(c, Checksum::new(ChecksumAlgorithm::Crc32, expected));
        let mixed = ChecksumAlgorithm::Sha256.checksum(b"x");
        assert_eq!(Checksum::composite(&[&a, &mixed]), None);
        assert_eq!(Checksum::composite(&[]), None);
        let bad = Checksum::new(ChecksumAlgorithm::Crc32, "not base64!");
        assert_eq!(Checksum::composite(&[&bad]), None);
    }

    #[test]
    fn names_round_trip_and_types_restrict_algorithms() {
        for a in ChecksumAlgorithm::ALL {
            assert_eq!(ChecksumAlgorithm::from_name(a.name()), Some(a));
            assert!(a.header_name().ends_with(&a.name().to_ascii_lowercase()));
        }
        assert!(!ChecksumType::Composite.supports(ChecksumAlgorithm::Crc64Nvme));
        assert!(!ChecksumType::FullObject.supports(ChecksumAlgorithm::Sha256));
        assert!(ChecksumType::FullObject.supports(ChecksumAlgorithm::Crc32));
        assert_eq!(
            ChecksumType::from_name("full_object"),
            Some(ChecksumType::FullObject)
        );
    }
}
