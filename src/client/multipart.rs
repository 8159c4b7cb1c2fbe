//! Multipart uploads: create, upload (or presign) parts, list, complete, abort.

use std::string::{String, ToString};
use std::vec::Vec;

use bytes::Bytes;
use serde::{Deserialize, Serialize};

#[cfg(feature = "client")]
use super::Client;
use super::checksum::{Checksum, ChecksumAlgorithm, ChecksumType};
use super::error::{Error, Result};
use super::operation::{Spec, operation};
#[cfg(feature = "client")]
use super::paginate::Cursor;
pub use super::parts::{CompletedPart, Part, UploadPart};
use super::parts::{PartChecksum, first_checksum};
use super::request::{RequestSpec, Target};
use super::response::Response;
use super::xml::{NS, from_xml, to_xml};
#[cfg(feature = "client")]
use crate::s3::PresignedRequest;

/// Options for [`CreateMultipartUploadOp`] and `Client::create_multipart_upload`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreateMultipartUpload {
    content_type: Option<String>,
    checksum: Option<(ChecksumAlgorithm, ChecksumType)>,
}

impl CreateMultipartUpload {
    /// No content type (S3 stores `binary/octet-stream`).
    pub fn new() -> Self {
        Self::default()
    }
    /// The object's `Content-Type`.
    #[must_use]
    pub fn content_type(mut self, ct: impl Into<String>) -> Self {
        self.content_type = Some(ct.into());
        self
    }
    /// Checksums on every part with `algorithm` (`x-amz-checksum-algorithm`), and how S3
    /// combines them into the object's checksum (`x-amz-checksum-type`, sent for
    /// [`ChecksumType::FullObject`]; composite is S3's default for CRC32, CRC32C and
    /// SHA-256). Each part must then carry its checksum
    /// ([`UploadPart::checksum`]) and each [`CompletedPart`] its value.
    ///
    /// ```
    /// use s3presign::client::{ChecksumAlgorithm, ChecksumType, CreateMultipartUpload};
    /// let opts = CreateMultipartUpload::new()
    ///     .checksum(ChecksumAlgorithm::Crc32, ChecksumType::FullObject);
    /// # let _ = opts;
    /// ```
    #[must_use]
    pub fn checksum(mut self, algorithm: ChecksumAlgorithm, kind: ChecksumType) -> Self {
        self.checksum = Some((algorithm, kind));
        self
    }
}

/// A started multipart upload.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MultipartUpload {
    /// The key.
    pub key: String,
    /// The upload id to pass to the other multipart calls.
    pub upload_id: String,
    /// The part checksum algorithm the upload was created with, if any.
    pub checksum_algorithm: Option<ChecksumAlgorithm>,
    /// How the parts' checksums combine into the object's, if a checksum was asked for.
    pub checksum_type: Option<ChecksumType>,
}

/// The parts of an upload: every part from `Client::list_parts` (which follows the
/// part-number markers), one page from [`ListPartsOp`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ListPartsOutput {
    /// Parts in order.
    pub parts: Vec<Part>,
    /// Whether more parts follow (one page of [`ListPartsOp`] only).
    pub is_truncated: bool,
    /// Where the next page starts (one page of [`ListPartsOp`] only).
    pub next_part_number_marker: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct ListPartsRaw {
    part: Vec<Part>,
    is_truncated: Option<bool>,
    next_part_number_marker: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct InitiateRaw {
    key: Option<String>,
    upload_id: String,
}

#[derive(Serialize)]
struct CompleteRequest<'a> {
    #[serde(rename = "@xmlns")]
    xmlns: &'static str,
    #[serde(rename = "Part")]
    parts: &'a [CompletedPart],
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct CompleteRaw {
    #[serde(rename = "ETag")]
    etag: Option<String>,
    #[serde(rename = "ChecksumCRC32", default)]
    crc32: Option<String>,
    #[serde(rename = "ChecksumCRC32C", default)]
    crc32c: Option<String>,
    #[serde(rename = "ChecksumCRC64NVME", default)]
    crc64nvme: Option<String>,
    #[serde(rename = "ChecksumSHA256", default)]
    sha256: Option<String>,
}

/// [CreateMultipartUpload](https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html)
/// as an [`Operation`](super::Operation). Do not resend it blindly after a failure whose
/// effect is unknown: a retry could leave an orphan upload.
#[derive(Debug, Clone, Copy)]
pub struct CreateMultipartUploadOp<'a> {
    bucket: &'a str,
    key: &'a str,
    options: &'a CreateMultipartUpload,
}

impl<'a> CreateMultipartUploadOp<'a> {
    /// Starts an upload to `bucket/key`.
    pub fn new(bucket: &'a str, key: &'a str, options: &'a CreateMultipartUpload) -> Self {
        Self {
            bucket,
            key,
            options,
        }
    }
}

impl Spec for CreateMultipartUploadOp<'_> {
    type Output = MultipartUpload;
    fn spec(&self) -> Result<RequestSpec<'_>> {
        let mut spec =
            RequestSpec::new("POST", Target::Object(self.bucket, self.key)).query("uploads", "");
        #[cfg(feature = "client")]
        {
            spec = spec.not_idempotent();
        }
        if let Some(ct) = &self.options.content_type {
            spec = spec.header("content-type", ct.clone());
        }
        if let Some((algorithm, kind)) = self.options.checksum {
            if !kind.supports(algorithm) {
                return Err(Error::invalid_input(
                    "S3 computes CRC64NVME over the full object only and SHA-256 per part only: pick another checksum type",
                ));
            }
            spec = spec.header("x-amz-checksum-algorithm", algorithm.name());
            if kind == ChecksumType::FullObject {
                spec = spec.header("x-amz-checksum-type", kind.name());
            }
        }
        Ok(spec)
    }
    fn parse(&self, response: Response) -> Result<MultipartUpload> {
        let raw: InitiateRaw = from_xml(
            &response.body,
            "could not parse the CreateMultipartUpload answer",
        )?;
        if raw.upload_id.is_empty() {
            return Err(Error::decode(
                "CreateMultipartUpload returned no UploadId",
                None,
            ));
        }
        Ok(MultipartUpload {
            key: raw.key.unwrap_or_else(|| String::from(self.key)),
            upload_id: raw.upload_id,
            checksum_algorithm: self.options.checksum.map(|(a, _)| a),
            checksum_type: self.options.checksum.map(|(_, t)| t),
        })
    }
}

operation!(CreateMultipartUploadOp<'_> => MultipartUpload);

/// [UploadPart](https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html) as an
/// [`Operation`](super::Operation). With a checksum ([`options`](Self::options)), an
/// answer that reports another checksum for the part is an
/// [`ErrorKind::Integrity`](super::ErrorKind::Integrity) error, and the returned
/// [`CompletedPart`] carries the checksum.
#[derive(Debug, Clone)]
pub struct UploadPartOp<'a> {
    bucket: &'a str,
    key: &'a str,
    upload_id: &'a str,
    part_number: u16,
    body: Bytes,
    checksum: Option<Checksum>,
}

impl<'a> UploadPartOp<'a> {
    /// Uploads `body` as part `part_number` (1..=10000) of `upload_id`.
    pub fn new(
        bucket: &'a str,
        key: &'a str,
        upload_id: &'a str,
        part_number: u16,
        body: impl Into<Bytes>,
    ) -> Self {
        Self {
            bucket,
            key,
            upload_id,
            part_number,
            body: body.into(),
            checksum: None,
        }
    }

    /// Applies `options` (the part's checksum, computed from the body now).
    #[must_use]
    pub fn options(mut self, options: &UploadPart) -> Self {
        self.checksum = match &options.checksum {
            None => None,
            Some(PartChecksum::Compute(a)) => Some(a.checksum(&self.body)),
            Some(PartChecksum::Declared(c)) => Some(c.clone()),
        };
        self
    }
}

impl Spec for UploadPartOp<'_> {
    type Output = CompletedPart;
    fn spec(&self) -> Result<RequestSpec<'_>> {
        if !(1..=10_000).contains(&self.part_number) {
            return Err(Error::invalid_input("part numbers are 1..=10000"));
        }
        let mut spec = RequestSpec::new("PUT", Target::Object(self.bucket, self.key))
            .query("partNumber", self.part_number.to_string())
            .query("uploadId", self.upload_id)
            .body(self.body.clone());
        if let Some(c) = &self.checksum {
            spec = spec
                .header("x-amz-sdk-checksum-algorithm", c.algorithm.name())
                .header(c.algorithm.header_name(), c.value.clone());
        }
        Ok(spec)
    }
    fn parse(&self, response: Response) -> Result<CompletedPart> {
        let etag = response
            .header("etag")
            .ok_or_else(|| Error::decode("UploadPart returned no ETag", None))?;
        let part = CompletedPart::new(self.part_number, etag);
        let Some(sent) = &self.checksum else {
            return Ok(part);
        };
        if response
            .header(sent.algorithm.header_name())
            .is_some_and(|v| v != sent.value)
        {
            return Err(Error::integrity(
                "the server reports another checksum for the part than the one sent",
            ));
        }
        Ok(part.with_checksum(sent.clone()))
    }
}

operation!(UploadPartOp<'_> => CompletedPart);

/// [CompleteMultipartUpload](https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html)
/// as an [`Operation`](super::Operation), the parts in order; its output is the object's
/// `ETag`. An `<Error>` inside a `200` answer is an error.
#[derive(Debug, Clone, Copy)]
pub struct CompleteMultipartUploadOp<'a> {
    bucket: &'a str,
    key: &'a str,
    upload_id: &'a str,
    parts: &'a [CompletedPart],
    full_object: Option<&'a Checksum>,
}

impl<'a> CompleteMultipartUploadOp<'a> {
    /// Completes `upload_id` with `parts`.
    pub fn new(
        bucket: &'a str,
        key: &'a str,
        upload_id: &'a str,
        parts: &'a [CompletedPart],
    ) -> Self {
        Self {
            bucket,
            key,
            upload_id,
            parts,
            full_object: None,
        }
    }

    /// The whole object's checksum, for an upload created with
    /// [`ChecksumType::FullObject`]: sent (`x-amz-checksum-*`, S3 refuses to complete an
    /// object that does not match) and compared with the answer's.
    #[must_use]
    pub fn full_object_checksum(mut self, checksum: &'a Checksum) -> Self {
        self.full_object = Some(checksum);
        self
    }

    /// Checks the answer's checksum: a composite one (`...-N`) against the parts'
    /// checksums, a full-object one against [`full_object_checksum`](Self::full_object_checksum).
    fn check_checksum(&self, answer: Option<Checksum>) -> Result<()> {
        let Some(answer) = answer else {
            return Ok(());
        };
        let expected = if answer.value.contains('-') {
            let parts: Option<Vec<&Checksum>> =
                self.parts.iter().map(|p| p.checksum.as_ref()).collect();
            parts.and_then(|p| Checksum::composite(&p))
        } else {
            self.full_object.cloned()
        };
        match expected {
            Some(e) if e.algorithm == answer.algorithm && e.value != answer.value => {
                Err(Error::integrity(
                    "the completed object's checksum differs from the one its parts give",
                ))
            }
            _ => Ok(()),
        }
    }
}

impl Spec for CompleteMultipartUploadOp<'_> {
    type Output = Option<String>;
    fn spec(&self) -> Result<RequestSpec<'_>> {
        let doc = to_xml(
            "CompleteMultipartUpload",
            &CompleteRequest {
                xmlns: NS,
                parts: self.parts,
            },
        )?;
        let mut spec = RequestSpec::new("POST", Target::Object(self.bucket, self.key))
            .query("uploadId", self.upload_id)
            .header("content-type", "application/xml")
            .body(doc)
            .error_in_success();
        if let Some(c) = self.full_object {
            spec = spec.header(c.algorithm.header_name(), c.value.clone());
        }
        #[cfg(feature = "client")]
        let spec = spec.not_idempotent();
        Ok(spec)
    }
    fn parse(&self, response: Response) -> Result<Option<String>> {
        let raw: CompleteRaw = from_xml(
            &response.body,
            "could not parse the CompleteMultipartUpload answer",
        )?;
        self.check_checksum(first_checksum(
            raw.crc32,
            raw.crc32c,
            raw.crc64nvme,
            raw.sha256,
        ))?;
        Ok(raw.etag)
    }
}

operation!(CompleteMultipartUploadOp<'_> => Option<String>);

/// [AbortMultipartUpload](https://docs.aws.amazon.com/AmazonS3/latest/API/API_AbortMultipartUpload.html)
/// as an [`Operation`](super::Operation).
#[derive(Debug, Clone, Copy)]
pub struct AbortMultipartUploadOp<'a> {
    bucket: &'a str,
    key: &'a str,
    upload_id: &'a str,
}

impl<'a> AbortMultipartUploadOp<'a> {
    /// Aborts `upload_id` (its parts are deleted).
    pub fn new(bucket: &'a str, key: &'a str, upload_id: &'a str) -> Self {
        Self {
            bucket,
            key,
            upload_id,
        }
    }
}

impl Spec for AbortMultipartUploadOp<'_> {
    type Output = ();
    fn spec(&self) -> Result<RequestSpec<'_>> {
        Ok(
            RequestSpec::new("DELETE", Target::Object(self.bucket, self.key))
                .query("uploadId", self.upload_id),
        )
    }
    fn parse(&self, _: Response) -> Result<()> {
        Ok(())
    }
}

operation!(AbortMultipartUploadOp<'_> => ());

/// One page of [ListParts](https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListParts.html)
/// as an [`Operation`](super::Operation): follow
/// [`ListPartsOutput::next_part_number_marker`] while
/// [`is_truncated`](ListPartsOutput::is_truncated), and stop with an error on a truncated
/// page without a marker or on a marker seen before.
#[derive(Debug, Clone, Copy)]
pub struct ListPartsOp<'a> {
    bucket: &'a str,
    key: &'a str,
    upload_id: &'a str,
    marker: Option<&'a str>,
}

impl<'a> ListPartsOp<'a> {
    /// The first page of `upload_id`'s parts.
    pub fn new(bucket: &'a str, key: &'a str, upload_id: &'a str) -> Self {
        Self {
            bucket,
            key,
            upload_id,
            marker: None,
        }
    }

    /// The page after this part-number marker.
    #[must_use]
    pub fn part_number_marker(mut self, marker: &'a str) -> Self {
        self.marker = Some(marker);
        self
    }
}

impl Spec for ListPartsOp<'_> {
    type Output = ListPartsOutput;
    fn spec(&self) -> Result<RequestSpec<'_>> {
        Ok(
            RequestSpec::new("GET", Target::Object(self.bucket, self.key))
                .query("uploadId", self.upload_id)
                .query_opt("part-number-marker", self.marker),
        )
    }
    fn parse(&self, response: Response) -> Result<ListPartsOutput> {
        let raw: ListPartsRaw = from_xml(&response.body, "could not parse the ListParts answer")?;
        Ok(ListPartsOutput {
            parts: raw.part,
            is_truncated: raw.is_truncated.unwrap_or(false),
            next_part_number_marker: raw.next_part_number_marker.filter(|m| !m.is_empty()),
        })
    }
}

operation!(ListPartsOp<'_> => ListPartsOutput);

#[cfg(feature = "client")]
impl Client {
    /// [CreateMultipartUpload](https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html).
    /// Not retried (a retry could leave an orphan upload).
    ///
    /// # Errors
    /// Server or transport errors.
    pub async fn create_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        opts: &CreateMultipartUpload,
    ) -> Result<MultipartUpload> {
        self.run(&CreateMultipartUploadOp::new(bucket, key, opts))
            .await
    }

    /// [UploadPart](https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html)
    /// from this process (browsers use [`presign_upload_part`](Self::presign_upload_part)).
    ///
    /// # Errors
    /// Server or transport errors; a part number outside 1..=10000.
    pub async fn upload_part(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        part_number: u16,
        body: impl Into<Bytes>,
    ) -> Result<CompletedPart> {
        self.run(&UploadPartOp::new(
            bucket,
            key,
            upload_id,
            part_number,
            body,
        ))
        .await
    }

    /// UploadPart with options: the part's checksum ([`UploadPart::checksum`]).
    ///
    /// # Errors
    /// As [`upload_part`](Self::upload_part); `BadDigest` (or `InvalidRequest`) from the
    /// server for a part that does not match its checksum;
    /// [`ErrorKind::Integrity`](super::ErrorKind::Integrity) for an answer that reports
    /// another checksum.
    pub async fn upload_part_with(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        part_number: u16,
        body: impl Into<Bytes>,
        options: &UploadPart,
    ) -> Result<CompletedPart> {
        let op = UploadPartOp::new(bucket, key, upload_id, part_number, body).options(options);
        self.run(&op).await
    }

    /// A presigned UploadPart URL (from the core's
    /// [`Bucket::upload_part`](crate::s3::Bucket::upload_part)) for a browser to `PUT` the
    /// part to, dated by the client's corrected clock; the answer's `ETag` header goes into
    /// [`complete_multipart_upload`](Self::complete_multipart_upload).
    ///
    /// # Errors
    /// Invalid bucket, key, part number or expiry; credentials unavailable.
    pub async fn presign_upload_part(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        part_number: u16,
        expires_in_secs: u64,
    ) -> Result<PresignedRequest> {
        let signer = self.presign_signer(expires_in_secs).await?;
        let b = self.bucket(bucket)?;
        Ok(b.upload_part(key, upload_id, part_number)
            .expires_in(expires_in_secs)
            .sign(&signer, self.now()?)?)
    }

    /// [CompleteMultipartUpload](https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html)
    /// with the parts in order. Not retried. Returns the object's `ETag`.
    ///
    /// # Errors
    /// Server or transport errors, including an `<Error>` inside a 200 answer.
    pub async fn complete_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        parts: &[CompletedPart],
    ) -> Result<Option<String>> {
        self.run(&CompleteMultipartUploadOp::new(
            bucket, key, upload_id, parts,
        ))
        .await
    }

    /// [AbortMultipartUpload](https://docs.aws.amazon.com/AmazonS3/latest/API/API_AbortMultipartUpload.html).
    ///
    /// # Errors
    /// Server (`NoSuchUpload`) or transport errors.
    pub async fn abort_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<()> {
        self.run(&AbortMultipartUploadOp::new(bucket, key, upload_id))
            .await
    }

    /// [ListParts](https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListParts.html),
    /// every page.
    ///
    /// # Errors
    /// Server (`NoSuchUpload`) or transport errors; a truncated page without a next
    /// marker, or a marker sent before (never a partial list returned as complete).
    pub async fn list_parts(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<ListPartsOutput> {
        let mut out = ListPartsOutput::default();
        let mut cursor = Cursor::default();
        let mut marker: Option<String> = None;
        loop {
            let mut op = ListPartsOp::new(bucket, key, upload_id);
            if let Some(m) = &marker {
                op = op.part_number_marker(m);
            }
            let page = self.run(&op).await?;
            out.parts.extend(page.parts);
            let truncated = page.is_truncated;
            let next = page.next_part_number_marker;
            let what = "a truncated ListParts page came without a NextPartNumberMarker";
            if !cursor.advance(truncated, next.clone(), what)? {
                // S3 lists parts in order; some servers (s3s-fs) do not.
                out.parts.sort_by_key(|p| p.part_number);
                return Ok(out);
            }
            marker = next;
        }
    }
}
