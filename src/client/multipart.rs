//! Multipart uploads: create, upload (or presign) parts, list, complete, abort.

use std::string::{String, ToString};
use std::vec::Vec;

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::Client;
use super::error::{Error, Result};
use super::paginate::Cursor;
use super::request::{RequestSpec, Target};
use super::xml::{NS, from_xml, to_xml};
use crate::s3::PresignedRequest;

/// Options for [`Client::create_multipart_upload`].
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

/// Every part of an upload ([`Client::list_parts`] follows the part-number markers).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ListPartsOutput {
    /// Parts in order.
    pub parts: Vec<Part>,
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
        let mut spec = RequestSpec::new("POST", Target::Object(bucket, key))
            .query("uploads", "")
            .not_idempotent();
        if let Some(ct) = &opts.content_type {
            spec = spec.header("content-type", ct.clone());
        }
        let resp = self.execute(spec).await?;
        let raw: InitiateRaw = from_xml(
            &resp.body,
            "could not parse the CreateMultipartUpload answer",
        )?;
        if raw.upload_id.is_empty() {
            return Err(Error::decode(
                "CreateMultipartUpload returned no UploadId",
                None,
            ));
        }
        Ok(MultipartUpload {
            key: raw.key.unwrap_or_else(|| String::from(key)),
            upload_id: raw.upload_id,
        })
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
        if !(1..=10_000).contains(&part_number) {
            return Err(Error::invalid_input("part numbers are 1..=10000"));
        }
        let spec = RequestSpec::new("PUT", Target::Object(bucket, key))
            .query("partNumber", part_number.to_string())
            .query("uploadId", upload_id)
            .body(body);
        let resp = self.execute(spec).await?;
        let etag = resp
            .header("etag")
            .ok_or_else(|| Error::decode("UploadPart returned no ETag", None))?;
        Ok(CompletedPart::new(part_number, etag))
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
        let signer = self.signer().await?;
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
        let doc = to_xml(
            "CompleteMultipartUpload",
            &CompleteRequest { xmlns: NS, parts },
        )?;
        let spec = RequestSpec::new("POST", Target::Object(bucket, key))
            .query("uploadId", upload_id)
            .header("content-type", "application/xml")
            .body(doc)
            .not_idempotent()
            .error_in_success();
        let resp = self.execute(spec).await?;
        let raw: CompleteRaw = from_xml(
            &resp.body,
            "could not parse the CompleteMultipartUpload answer",
        )?;
        Ok(raw.etag)
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
        let spec =
            RequestSpec::new("DELETE", Target::Object(bucket, key)).query("uploadId", upload_id);
        self.execute(spec).await?;
        Ok(())
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
            let spec = RequestSpec::new("GET", Target::Object(bucket, key))
                .query("uploadId", upload_id)
                .query_opt("part-number-marker", marker.as_deref());
            let resp = self.execute(spec).await?;
            let raw: ListPartsRaw = from_xml(&resp.body, "could not parse the ListParts answer")?;
            out.parts.extend(raw.part);
            let next = raw.next_part_number_marker.filter(|m| !m.is_empty());
            if !cursor.advance(
                raw.is_truncated.unwrap_or(false),
                next.clone(),
                "a truncated ListParts page came without a NextPartNumberMarker",
            )? {
                // S3 lists parts in order; some servers (s3s-fs) do not.
                out.parts.sort_by_key(|p| p.part_number);
                return Ok(out);
            }
            marker = next;
        }
    }
}
