//! Multipart uploads: create, upload (or presign) parts, list, complete, abort.

use std::string::{String, ToString};
use std::vec::Vec;

use bytes::Bytes;
use serde::{Deserialize, Serialize};

#[cfg(feature = "client")]
use super::Client;
use super::error::{Error, Result};
use super::operation::{Spec, operation};
#[cfg(feature = "client")]
use super::paginate::Cursor;
use super::request::{RequestSpec, Target};
use super::response::Response;
use super::xml::{NS, from_xml, to_xml};
#[cfg(feature = "client")]
use crate::s3::PresignedRequest;

/// Options for [`CreateMultipartUploadOp`] and `Client::create_multipart_upload`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CreateMultipartUpload {
    content_type: Option<String>,
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
}

/// A started multipart upload.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MultipartUpload {
    /// The key.
    pub key: String,
    /// The upload id to pass to the other multipart calls.
    pub upload_id: String,
}

/// A part to list in CompleteMultipartUpload: build it with [`CompletedPart::new`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CompletedPart {
    /// The part number (1..=10000).
    #[serde(rename = "PartNumber")]
    pub part_number: u16,
    /// The `ETag` the UploadPart answer carried.
    #[serde(rename = "ETag")]
    pub etag: String,
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
        }
    }
}

/// An uploaded part, as ListParts reports it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct Part {
    /// The part number.
    pub part_number: u16,
    /// Entity tag (some servers omit it).
    #[serde(rename = "ETag", default)]
    pub etag: Option<String>,
    /// Size in bytes.
    #[serde(default)]
    pub size: u64,
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
        })
    }
}

operation!(CreateMultipartUploadOp<'_> => MultipartUpload);

/// [UploadPart](https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html) as an
/// [`Operation`](super::Operation).
#[derive(Debug, Clone)]
pub struct UploadPartOp<'a> {
    bucket: &'a str,
    key: &'a str,
    upload_id: &'a str,
    part_number: u16,
    body: Bytes,
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
        }
    }
}

impl Spec for UploadPartOp<'_> {
    type Output = CompletedPart;
    fn spec(&self) -> Result<RequestSpec<'_>> {
        if !(1..=10_000).contains(&self.part_number) {
            return Err(Error::invalid_input("part numbers are 1..=10000"));
        }
        Ok(
            RequestSpec::new("PUT", Target::Object(self.bucket, self.key))
                .query("partNumber", self.part_number.to_string())
                .query("uploadId", self.upload_id)
                .body(self.body.clone()),
        )
    }
    fn parse(&self, response: Response) -> Result<CompletedPart> {
        let etag = response
            .header("etag")
            .ok_or_else(|| Error::decode("UploadPart returned no ETag", None))?;
        Ok(CompletedPart::new(self.part_number, etag))
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
        let spec = RequestSpec::new("POST", Target::Object(self.bucket, self.key))
            .query("uploadId", self.upload_id)
            .header("content-type", "application/xml")
            .body(doc)
            .error_in_success();
        #[cfg(feature = "client")]
        let spec = spec.not_idempotent();
        Ok(spec)
    }
    fn parse(&self, response: Response) -> Result<Option<String>> {
        let raw: CompleteRaw = from_xml(
            &response.body,
            "could not parse the CompleteMultipartUpload answer",
        )?;
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
