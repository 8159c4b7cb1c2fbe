//! The parts of a multipart upload: [`CompletedPart`] (what CompleteMultipartUpload
//! lists), [`Part`] (what ListParts reports) and [`UploadPart`] (a part's checksum), with
//! their `Checksum*` XML fields.

use std::string::String;

use serde::{Deserialize, Serialize};

use super::checksum::{Checksum, ChecksumAlgorithm};

/// A part to list in CompleteMultipartUpload: build it with [`CompletedPart::new`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(into = "CompletedPartXml")]
#[non_exhaustive]
pub struct CompletedPart {
    /// The part number (1..=10000).
    pub part_number: u16,
    /// The `ETag` the UploadPart answer carried.
    pub etag: String,
    /// The part's checksum (`ChecksumCRC32`, ...): required by S3 when the upload was
    /// created with a checksum algorithm.
    pub checksum: Option<Checksum>,
}

/// [`CompletedPart`] as CompleteMultipartUpload's XML spells it.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct CompletedPartXml {
    part_number: u16,
    #[serde(rename = "ETag")]
    etag: String,
    #[serde(rename = "ChecksumCRC32", skip_serializing_if = "Option::is_none")]
    crc32: Option<String>,
    #[serde(rename = "ChecksumCRC32C", skip_serializing_if = "Option::is_none")]
    crc32c: Option<String>,
    #[serde(rename = "ChecksumCRC64NVME", skip_serializing_if = "Option::is_none")]
    crc64nvme: Option<String>,
    #[serde(rename = "ChecksumSHA256", skip_serializing_if = "Option::is_none")]
    sha256: Option<String>,
}

impl From<CompletedPart> for CompletedPartXml {
    fn from(p: CompletedPart) -> Self {
        let mut x = Self {
            part_number: p.part_number,
            etag: p.etag,
            crc32: None,
            crc32c: None,
            crc64nvme: None,
            sha256: None,
        };
        if let Some(c) = p.checksum {
            *x.slot(c.algorithm) = Some(c.value);
        }
        x
    }
}

impl CompletedPartXml {
    fn slot(&mut self, algorithm: ChecksumAlgorithm) -> &mut Option<String> {
        match algorithm {
            ChecksumAlgorithm::Crc32 => &mut self.crc32,
            ChecksumAlgorithm::Crc32c => &mut self.crc32c,
            ChecksumAlgorithm::Crc64Nvme => &mut self.crc64nvme,
            ChecksumAlgorithm::Sha256 => &mut self.sha256,
        }
    }
}

/// The first checksum among the `Checksum*` fields of a ListParts `<Part>` or a
/// CompleteMultipartUpload answer, in [`ChecksumAlgorithm::ALL`] order. (The fields are
/// spelt out in each struct: serde's `flatten` would read the numbers beside them as
/// strings.)
pub(crate) fn first_checksum(
    crc32: Option<String>,
    crc32c: Option<String>,
    crc64nvme: Option<String>,
    sha256: Option<String>,
) -> Option<Checksum> {
    [
        (ChecksumAlgorithm::Crc64Nvme, crc64nvme),
        (ChecksumAlgorithm::Crc32c, crc32c),
        (ChecksumAlgorithm::Crc32, crc32),
        (ChecksumAlgorithm::Sha256, sha256),
    ]
    .into_iter()
    .find_map(|(a, v)| Some(Checksum::new(a, v.filter(|v| !v.is_empty())?)))
}

impl CompletedPart {
    /// Part `part_number` (1..=10000), uploaded with this `ETag` (from the UploadPart
    /// answer, or from the browser that sent a presigned part).
    ///
    /// ```
    /// use s3presign::client::CompletedPart;
    /// let part = CompletedPart::new(1, "\"a54357aff0632cce46d942af68356b38\"");
    /// assert_eq!(part.part_number, 1);
    /// ```
    pub fn new(part_number: u16, etag: impl Into<String>) -> Self {
        Self {
            part_number,
            etag: etag.into(),
            checksum: None,
        }
    }

    /// The part with its checksum (as its UploadPart sent it).
    ///
    /// ```
    /// use s3presign::client::{ChecksumAlgorithm, CompletedPart};
    /// let part = CompletedPart::new(1, "\"e\"")
    ///     .with_checksum(ChecksumAlgorithm::Crc32.checksum(b"part one"));
    /// assert!(part.checksum.is_some());
    /// ```
    #[must_use]
    pub fn with_checksum(mut self, checksum: Checksum) -> Self {
        self.checksum = Some(checksum);
        self
    }
}

/// An uploaded part, as ListParts reports it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "PartRaw")]
#[non_exhaustive]
pub struct Part {
    /// The part number.
    pub part_number: u16,
    /// Entity tag (some servers omit it).
    pub etag: Option<String>,
    /// Size in bytes.
    pub size: u64,
    /// The part's checksum, for an upload created with a checksum algorithm.
    pub checksum: Option<Checksum>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PartRaw {
    part_number: u16,
    #[serde(rename = "ETag", default)]
    etag: Option<String>,
    #[serde(default)]
    size: u64,
    #[serde(rename = "ChecksumCRC32", default)]
    crc32: Option<String>,
    #[serde(rename = "ChecksumCRC32C", default)]
    crc32c: Option<String>,
    #[serde(rename = "ChecksumCRC64NVME", default)]
    crc64nvme: Option<String>,
    #[serde(rename = "ChecksumSHA256", default)]
    sha256: Option<String>,
}

impl From<PartRaw> for Part {
    fn from(p: PartRaw) -> Self {
        Self {
            part_number: p.part_number,
            etag: p.etag,
            size: p.size,
            checksum: first_checksum(p.crc32, p.crc32c, p.crc64nvme, p.sha256),
        }
    }
}

/// Options for [`UploadPartOp::options`](super::UploadPartOp::options) and `Client::upload_part_with`: the part's
/// checksum.
///
/// ```
/// use s3presign::client::{ChecksumAlgorithm, UploadPart};
/// let opts = UploadPart::new().checksum(ChecksumAlgorithm::Crc32);
/// # let _ = opts;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UploadPart {
    pub(crate) checksum: Option<PartChecksum>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PartChecksum {
    Compute(ChecksumAlgorithm),
    Declared(Checksum),
}

impl UploadPart {
    /// No checksum (for an upload created without a checksum algorithm).
    pub fn new() -> Self {
        Self::default()
    }
    /// Sends the part's checksum with `algorithm`, computed here: S3 refuses a part whose
    /// bytes do not match it. Use the upload's algorithm
    /// ([`MultipartUpload::checksum_algorithm`](super::MultipartUpload::checksum_algorithm)).
    #[must_use]
    pub fn checksum(mut self, algorithm: ChecksumAlgorithm) -> Self {
        self.checksum = Some(PartChecksum::Compute(algorithm));
        self
    }
    /// Sends this checksum, computed elsewhere (while the part was read from disk, or by
    /// the party that produced it): S3 refuses the part if its bytes do not match.
    #[must_use]
    pub fn declared_checksum(mut self, checksum: Checksum) -> Self {
        self.checksum = Some(PartChecksum::Declared(checksum));
        self
    }
}
