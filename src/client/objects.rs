//! Single objects: HeadObject, GetObject, PutObject, CopyObject, DeleteObject, and the
//! presigned URLs the client hands to browsers.

#[cfg(feature = "client")]
use std::boxed::Box;
use std::string::String;
#[cfg(feature = "client")]
use std::string::ToString;
use std::vec::Vec;

use bytes::Bytes;
use serde::Deserialize;

#[cfg(feature = "client")]
use super::Client;
#[cfg(feature = "client")]
use super::checksum::BodyCheck;
use super::checksum::{Checksum, ChecksumAlgorithm, Integrity, check_body, crc32_base64};
#[cfg(feature = "client")]
use super::checksum::{HashingStream, stream_body};
use super::error::Result;
use super::operation::{Spec, operation};
use super::request::{RequestSpec, Target};
use super::response::Response;
use super::xml::from_xml;
#[cfg(feature = "client")]
use crate::s3::PresignedRequest;
use crate::sigv4::text::{Set, push_u64, uri_encode_into};

/// What HeadObject and GetObject say about an object.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ObjectMeta {
    /// `Content-Length` (of the returned range, for a ranged GET).
    pub content_length: u64,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// `ETag`.
    pub etag: Option<String>,
    /// `Last-Modified`.
    pub last_modified: Option<String>,
    /// `x-amz-version-id`.
    pub version_id: Option<String>,
    /// `Content-Range`, for a ranged GET.
    pub content_range: Option<String>,
    /// User metadata (`x-amz-meta-*`), names without the prefix, lowercase, sorted.
    pub metadata: Vec<(String, String)>,
    /// The checksum S3 stored (`x-amz-checksum-*`, asked for with
    /// [`Integrity::WhenSupported`]): a whole object's, or a composite one ending in `-N`.
    pub checksum: Option<Checksum>,
}

impl ObjectMeta {
    fn from_headers(h: &http::HeaderMap) -> Self {
        let get = |n: &str| h.get(n).and_then(|v| v.to_str().ok()).map(String::from);
        let mut metadata: Vec<(String, String)> = h
            .iter()
            .filter_map(|(n, v)| {
                let name = n.as_str().strip_prefix("x-amz-meta-")?;
                Some((String::from(name), String::from(v.to_str().ok()?)))
            })
            .collect();
        metadata.sort();
        Self {
            content_length: get("content-length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
            content_type: get("content-type"),
            etag: get("etag"),
            last_modified: get("last-modified"),
            version_id: get("x-amz-version-id"),
            content_range: get("content-range"),
            metadata,
            checksum: ChecksumAlgorithm::ALL
                .into_iter()
                .find_map(|a| Some(Checksum::new(a, get(a.header_name())?))),
        }
    }
}

/// Options for [`GetObjectOp`] and `Client::get_object_with`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GetObject {
    range: Option<(u64, Option<u64>)>,
    version_id: Option<String>,
    if_match: Option<String>,
}

impl GetObject {
    /// The whole current version.
    pub fn new() -> Self {
        Self::default()
    }
    /// Bytes `first..=last` (`last: None` for "to the end").
    #[must_use]
    pub fn range(mut self, first: u64, last: Option<u64>) -> Self {
        self.range = Some((first, last));
        self
    }
    /// A specific version.
    #[must_use]
    pub fn version_id(mut self, v: impl Into<String>) -> Self {
        self.version_id = Some(v.into());
        self
    }
    /// Only if the object's `ETag` is still this one (`If-Match`): a changed object is a
    /// `412 PreconditionFailed` error instead of bytes from another version.
    #[must_use]
    pub fn if_match(mut self, etag: impl Into<String>) -> Self {
        self.if_match = Some(etag.into());
        self
    }
}

/// A downloaded object.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct GetObjectOutput {
    /// Headers.
    pub meta: ObjectMeta,
    /// The bytes.
    pub body: Bytes,
}

/// A streamed download ([`Client::get_object_stream`]): read it with
/// [`chunk`](Self::chunk).
#[cfg(feature = "client")]
#[derive(Debug)]
pub struct ObjectBody {
    /// Headers.
    pub meta: ObjectMeta,
    response: reqwest::Response,
    check: BodyCheck,
}

#[cfg(feature = "client")]
impl ObjectBody {
    /// The next chunk, or `None` at the end, once the whole body has been checked
    /// against its length and checksum: a corrupted download ends with an error instead.
    ///
    /// # Errors
    /// The connection failed mid-body (not retried: restart with a range);
    /// [`ErrorKind::Integrity`](super::ErrorKind::Integrity) at the end of a body that does
    /// not match.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>> {
        let chunk = self
            .response
            .chunk()
            .await
            .map_err(super::Error::transport)?;
        match &chunk {
            Some(bytes) => self.check.update(bytes),
            None => self.check.finish()?,
        }
        Ok(chunk)
    }
}

/// Options for [`PutObjectOp`] and `Client::put_object`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PutObject {
    content_type: Option<String>,
    cache_control: Option<String>,
    content_disposition: Option<String>,
    metadata: Vec<(String, String)>,
    checksum: Option<Checksum>,
}

impl PutObject {
    /// No content type (S3 stores `binary/octet-stream`), no metadata.
    pub fn new() -> Self {
        Self::default()
    }
    /// `Content-Type`.
    #[must_use]
    pub fn content_type(mut self, ct: impl Into<String>) -> Self {
        self.content_type = Some(ct.into());
        self
    }
    /// `Cache-Control`.
    #[must_use]
    pub fn cache_control(mut self, v: impl Into<String>) -> Self {
        self.cache_control = Some(v.into());
        self
    }
    /// `Content-Disposition`.
    #[must_use]
    pub fn content_disposition(mut self, v: impl Into<String>) -> Self {
        self.content_disposition = Some(v.into());
        self
    }
    /// A user metadata entry, sent as `x-amz-meta-NAME` (name lowercased).
    #[must_use]
    pub fn metadata(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata
            .push((name.into().to_ascii_lowercase(), value.into()));
        self
    }
    /// The body's checksum, computed in advance (while the file was written, say): sent
    /// as `x-amz-checksum-*` whatever the [`Integrity`] setting, instead of the CRC32 the
    /// client would compute, and the only way to have a streamed body
    /// (`Client::put_object_stream`) checked by the server before it is stored.
    #[must_use]
    pub fn checksum(mut self, checksum: Checksum) -> Self {
        self.checksum = Some(checksum);
        self
    }
}

/// What PutObject and UploadPart return.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PutObjectOutput {
    /// The new object's entity tag.
    pub etag: Option<String>,
    /// The new version's id (versioned buckets).
    pub version_id: Option<String>,
}

/// What CopyObject returns.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CopyObjectOutput {
    /// The copy's entity tag.
    pub etag: Option<String>,
    /// The copy's version id.
    pub version_id: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct CopyObjectResultRaw {
    #[serde(rename = "ETag")]
    etag: Option<String>,
}

/// What DeleteObject returns.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteObjectOutput {
    /// The version removed, or the delete marker created.
    pub version_id: Option<String>,
    /// Whether a delete marker was involved.
    pub delete_marker: bool,
}

/// The source of a [`CopyObjectOp`] (`Client::copy_object`): a bucket, a key and
/// optionally a version.
///
/// ```
/// use s3presign::client::CopyObject;
/// let source = CopyObject::new("videos", "a.mp4").version_id("3HL4kqtJlcpXroDTDmJ");
/// # let _ = source;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyObject {
    bucket: String,
    key: String,
    version_id: Option<String>,
}

impl CopyObject {
    /// Copies the current version of `bucket/key`; metadata is copied with it.
    pub fn new(bucket: impl Into<String>, key: impl Into<String>) -> Self {
        Self {
            bucket: bucket.into(),
            key: key.into(),
            version_id: None,
        }
    }
    /// Copies this version of the source.
    #[must_use]
    pub fn version_id(mut self, v: impl Into<String>) -> Self {
        self.version_id = Some(v.into());
        self
    }

    /// The `x-amz-copy-source` value: `/bucket/key` encoded as a path, plus the version.
    fn header_value(&self) -> String {
        let mut source = String::from("/");
        source.push_str(&self.bucket);
        source.push('/');
        uri_encode_into(&mut source, &self.key, Set::Path);
        if let Some(v) = &self.version_id {
            source.push_str("?versionId=");
            uri_encode_into(&mut source, v, Set::Query);
        }
        source
    }
}

/// Options for [`DeleteObjectOp`] and `Client::delete_object`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeleteObject {
    version_id: Option<String>,
}

impl DeleteObject {
    /// The current version (a delete marker in a versioned bucket).
    pub fn new() -> Self {
        Self::default()
    }
    /// That version, permanently.
    #[must_use]
    pub fn version_id(mut self, v: impl Into<String>) -> Self {
        self.version_id = Some(v.into());
        self
    }
}

/// Options for `Client::presign_put`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PresignPut {
    content_type: Option<String>,
}

impl PresignPut {
    /// An upload URL with no content type bound.
    pub fn new() -> Self {
        Self::default()
    }
    /// Binds the URL to this `Content-Type`: the uploader must send exactly it.
    #[must_use]
    pub fn content_type(mut self, ct: impl Into<String>) -> Self {
        self.content_type = Some(ct.into());
        self
    }
}

/// [HeadObject](https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html) as
/// an [`Operation`](super::Operation).
#[derive(Debug, Clone, Copy)]
pub struct HeadObjectOp<'a> {
    bucket: &'a str,
    key: &'a str,
    integrity: Integrity,
}

impl<'a> HeadObjectOp<'a> {
    /// The metadata of `bucket/key`, with its stored checksum
    /// ([`Integrity::WhenSupported`]).
    pub fn new(bucket: &'a str, key: &'a str) -> Self {
        Self {
            bucket,
            key,
            integrity: Integrity::default(),
        }
    }

    /// Whether to ask for the stored checksum (default [`Integrity::WhenSupported`]).
    #[must_use]
    pub fn integrity(mut self, integrity: Integrity) -> Self {
        self.integrity = integrity;
        self
    }
}

impl Spec for HeadObjectOp<'_> {
    type Output = ObjectMeta;
    fn spec(&self) -> Result<RequestSpec<'_>> {
        let spec = RequestSpec::new("HEAD", Target::Object(self.bucket, self.key));
        Ok(match self.integrity {
            Integrity::WhenSupported => spec.header("x-amz-checksum-mode", "ENABLED"),
            Integrity::WhenRequired => spec,
        })
    }
    fn parse(&self, response: Response) -> Result<ObjectMeta> {
        Ok(ObjectMeta::from_headers(&response.headers))
    }
}

operation!(HeadObjectOp<'_> => ObjectMeta);

/// [GetObject](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html) as an
/// [`Operation`](super::Operation). The body is the object's bytes, whatever they hold (an
/// object may contain an S3 `<Error>` document; that is data, not an error).
#[derive(Debug, Clone, Copy)]
pub struct GetObjectOp<'a> {
    bucket: &'a str,
    key: &'a str,
    options: &'a GetObject,
    integrity: Integrity,
}

impl<'a> GetObjectOp<'a> {
    /// Downloads `bucket/key` with `options` (range, version), checked as
    /// [`Integrity::WhenSupported`] says.
    pub fn new(bucket: &'a str, key: &'a str, options: &'a GetObject) -> Self {
        Self {
            bucket,
            key,
            options,
            integrity: Integrity::default(),
        }
    }

    /// Which checks apply (default [`Integrity::WhenSupported`]).
    #[must_use]
    pub fn integrity(mut self, integrity: Integrity) -> Self {
        self.integrity = integrity;
        self
    }
}

impl Spec for GetObjectOp<'_> {
    type Output = GetObjectOutput;
    fn spec(&self) -> Result<RequestSpec<'_>> {
        let o = self.options;
        let mut spec = RequestSpec::new("GET", Target::Object(self.bucket, self.key))
            .query_opt("versionId", o.version_id.as_deref());
        if let Some(etag) = &o.if_match {
            spec = spec.header("if-match", etag.clone());
        }
        if let Some((first, last)) = o.range {
            let mut r = String::from("bytes=");
            push_u64(&mut r, first);
            r.push('-');
            if let Some(l) = last {
                push_u64(&mut r, l);
            }
            spec = spec.header("range", r);
        }
        if self.integrity == Integrity::WhenSupported {
            spec = spec.header("x-amz-checksum-mode", "ENABLED");
        }
        Ok(spec)
    }
    fn parse(&self, response: Response) -> Result<GetObjectOutput> {
        check_body(&response.headers, &response.body, self.integrity)?;
        Ok(GetObjectOutput {
            meta: ObjectMeta::from_headers(&response.headers),
            body: response.body,
        })
    }
}

operation!(GetObjectOp<'_> => GetObjectOutput);

/// [PutObject](https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html) as an
/// [`Operation`](super::Operation).
#[derive(Debug, Clone)]
pub struct PutObjectOp<'a> {
    bucket: &'a str,
    key: &'a str,
    body: Bytes,
    options: &'a PutObject,
    integrity: Integrity,
}

impl<'a> PutObjectOp<'a> {
    /// Uploads `body` to `bucket/key` with `options`.
    pub fn new(
        bucket: &'a str,
        key: &'a str,
        body: impl Into<Bytes>,
        options: &'a PutObject,
    ) -> Self {
        Self {
            bucket,
            key,
            body: body.into(),
            options,
            integrity: Integrity::default(),
        }
    }

    /// Whether the body carries a CRC32 (default [`Integrity::WhenSupported`]: it does).
    #[must_use]
    pub fn integrity(mut self, integrity: Integrity) -> Self {
        self.integrity = integrity;
        self
    }
}

/// The PutObject request without its body.
fn put_spec<'a>(bucket: &'a str, key: &'a str, opts: &PutObject) -> RequestSpec<'a> {
    let mut spec = RequestSpec::new("PUT", Target::Object(bucket, key));
    if let Some(ct) = &opts.content_type {
        spec = spec.header("content-type", ct.clone());
    }
    if let Some(v) = &opts.cache_control {
        spec = spec.header("cache-control", v.clone());
    }
    if let Some(v) = &opts.content_disposition {
        spec = spec.header("content-disposition", v.clone());
    }
    for (n, v) in &opts.metadata {
        let mut name = String::from("x-amz-meta-");
        name.push_str(n);
        spec = spec.header(name, v.clone());
    }
    if let Some(c) = &opts.checksum {
        spec = spec
            .header("x-amz-sdk-checksum-algorithm", c.algorithm.name())
            .header(c.algorithm.header_name(), c.value.clone());
    }
    spec
}

fn put_output(response: &Response) -> PutObjectOutput {
    PutObjectOutput {
        etag: response.header("etag").map(String::from),
        version_id: response.header("x-amz-version-id").map(String::from),
    }
}

impl Spec for PutObjectOp<'_> {
    type Output = PutObjectOutput;
    fn spec(&self) -> Result<RequestSpec<'_>> {
        let spec = put_spec(self.bucket, self.key, self.options);
        Ok(match self.integrity {
            _ if self.options.checksum.is_some() => spec,
            Integrity::WhenSupported => spec
                .header("x-amz-sdk-checksum-algorithm", "CRC32")
                .header("x-amz-checksum-crc32", crc32_base64(&self.body)),
            Integrity::WhenRequired => spec,
        }
        .body(self.body.clone()))
    }
    fn parse(&self, response: Response) -> Result<PutObjectOutput> {
        Ok(put_output(&response))
    }
}

operation!(PutObjectOp<'_> => PutObjectOutput);

/// [CopyObject](https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html) as an
/// [`Operation`](super::Operation): an `<Error>` inside a `200` answer is an error.
#[derive(Debug, Clone, Copy)]
pub struct CopyObjectOp<'a> {
    bucket: &'a str,
    key: &'a str,
    source: &'a CopyObject,
}

impl<'a> CopyObjectOp<'a> {
    /// Copies `source` to `bucket/key`.
    pub fn new(bucket: &'a str, key: &'a str, source: &'a CopyObject) -> Self {
        Self {
            bucket,
            key,
            source,
        }
    }
}

impl Spec for CopyObjectOp<'_> {
    type Output = CopyObjectOutput;
    fn spec(&self) -> Result<RequestSpec<'_>> {
        Ok(
            RequestSpec::new("PUT", Target::Object(self.bucket, self.key))
                .header("x-amz-copy-source", self.source.header_value())
                .error_in_success(),
        )
    }
    fn parse(&self, response: Response) -> Result<CopyObjectOutput> {
        let raw: CopyObjectResultRaw =
            from_xml(&response.body, "could not parse the CopyObject answer")?;
        Ok(CopyObjectOutput {
            etag: raw.etag,
            version_id: response.header("x-amz-version-id").map(String::from),
        })
    }
}

operation!(CopyObjectOp<'_> => CopyObjectOutput);

/// [DeleteObject](https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html)
/// as an [`Operation`](super::Operation).
#[derive(Debug, Clone, Copy)]
pub struct DeleteObjectOp<'a> {
    bucket: &'a str,
    key: &'a str,
    options: &'a DeleteObject,
}

impl<'a> DeleteObjectOp<'a> {
    /// Deletes `bucket/key` (the version in `options`, if any).
    pub fn new(bucket: &'a str, key: &'a str, options: &'a DeleteObject) -> Self {
        Self {
            bucket,
            key,
            options,
        }
    }
}

impl Spec for DeleteObjectOp<'_> {
    type Output = DeleteObjectOutput;
    fn spec(&self) -> Result<RequestSpec<'_>> {
        Ok(
            RequestSpec::new("DELETE", Target::Object(self.bucket, self.key))
                .query_opt("versionId", self.options.version_id.as_deref()),
        )
    }
    fn parse(&self, response: Response) -> Result<DeleteObjectOutput> {
        Ok(DeleteObjectOutput {
            version_id: response.header("x-amz-version-id").map(String::from),
            delete_marker: response.header("x-amz-delete-marker") == Some("true"),
        })
    }
}

operation!(DeleteObjectOp<'_> => DeleteObjectOutput);

#[cfg(feature = "client")]
impl Client {
    /// [HeadObject](https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html).
    ///
    /// # Errors
    /// [`Error::is_not_found`](super::Error::is_not_found) when there is no such key; other server or transport errors.
    pub async fn head_object(&self, bucket: &str, key: &str) -> Result<ObjectMeta> {
        self.run(&HeadObjectOp::new(bucket, key).integrity(self.integrity()))
            .await
    }

    /// [GetObject](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html), whole body.
    ///
    /// # Errors
    /// [`Error::is_not_found`](super::Error::is_not_found) when there is no such key; other server or transport errors.
    pub async fn get_object(&self, bucket: &str, key: &str) -> Result<GetObjectOutput> {
        self.get_object_with(bucket, key, &GetObject::new()).await
    }

    /// GetObject with a range and/or a version.
    ///
    /// # Errors
    /// As [`get_object`](Self::get_object); `InvalidRange` for a range past the end.
    pub async fn get_object_with(
        &self,
        bucket: &str,
        key: &str,
        opts: &GetObject,
    ) -> Result<GetObjectOutput> {
        let op = GetObjectOp::new(bucket, key, opts).integrity(self.integrity());
        self.run(&op).await
    }

    /// GetObject with the body streamed ([`ObjectBody::chunk`]).
    ///
    /// # Errors
    /// As [`get_object`](Self::get_object).
    pub async fn get_object_stream(
        &self,
        bucket: &str,
        key: &str,
        opts: &GetObject,
    ) -> Result<ObjectBody> {
        let op = GetObjectOp::new(bucket, key, opts).integrity(self.integrity());
        let response = self.execute_streaming(op.spec()?).await?;
        Ok(ObjectBody {
            meta: ObjectMeta::from_headers(response.headers()),
            check: BodyCheck::from_headers(response.headers(), op.integrity),
            response,
        })
    }

    /// [PutObject](https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html).
    ///
    /// # Errors
    /// Server or transport errors.
    pub async fn put_object(
        &self,
        bucket: &str,
        key: &str,
        body: impl Into<Bytes>,
        opts: &PutObject,
    ) -> Result<PutObjectOutput> {
        let op = PutObjectOp::new(bucket, key, body, opts).integrity(self.integrity());
        self.run(&op).await
    }

    /// PutObject with a streamed body of exactly `content_length` bytes (signed as
    /// `UNSIGNED-PAYLOAD`, so use HTTPS). Not retried, since the stream cannot be replayed;
    /// for large files prefer [`upload`](Self::upload).
    ///
    /// Integrity: a checksum known in advance ([`PutObject::checksum`]) is sent and
    /// checked by the server before it stores anything. Without one (and with
    /// [`Integrity::WhenSupported`]), the client computes the CRC64NVME of the bytes as
    /// they leave and compares it with the one the server reports having stored (S3
    /// does), so a body damaged on the way is an error rather than a silent success.
    ///
    /// # Errors
    /// Server or transport errors (a stream error aborts the request);
    /// [`ErrorKind::Integrity`](super::ErrorKind::Integrity) when the server stored
    /// other bytes than those sent (the object is then already written: delete or
    /// rewrite it).
    pub async fn put_object_stream<S>(
        &self,
        bucket: &str,
        key: &str,
        content_length: u64,
        body: S,
        opts: &PutObject,
    ) -> Result<PutObjectOutput>
    where
        S: futures_core::TryStream + Send + 'static,
        S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
        Bytes: From<S::Ok>,
    {
        let spec = put_spec(bucket, key, opts)
            .header("content-length", content_length.to_string())
            .not_idempotent();
        if opts.checksum.is_some() || self.integrity() == Integrity::WhenRequired {
            let resp = self
                .execute_with_stream(spec, reqwest::Body::wrap_stream(body))
                .await?;
            return Ok(put_output(&resp));
        }
        let (stream, sent) = HashingStream::new(body);
        let resp = self.execute_with_stream(spec, stream_body(stream)).await?;
        sent.check_against(&resp.headers)?;
        Ok(put_output(&resp))
    }

    /// [CopyObject](https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html)
    /// from `source` to `bucket/key`, metadata copied.
    ///
    /// # Errors
    /// Server or transport errors, including an `<Error>` inside a 200 answer.
    pub async fn copy_object(
        &self,
        bucket: &str,
        key: &str,
        source: &CopyObject,
    ) -> Result<CopyObjectOutput> {
        self.run(&CopyObjectOp::new(bucket, key, source)).await
    }

    /// [DeleteObject](https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html):
    /// the current version (a delete marker in a versioned bucket) or, with
    /// [`DeleteObject::version_id`], that version permanently. Deleting a missing key
    /// succeeds, as in S3.
    ///
    /// # Errors
    /// Server or transport errors.
    pub async fn delete_object(
        &self,
        bucket: &str,
        key: &str,
        opts: &DeleteObject,
    ) -> Result<DeleteObjectOutput> {
        self.run(&DeleteObjectOp::new(bucket, key, opts)).await
    }

    /// A presigned GET (download) URL from the core, dated by the client's corrected
    /// clock (see [`clock_skew_secs`](Self::clock_skew_secs)).
    ///
    /// # Errors
    /// Invalid bucket, key or expiry; credentials unavailable.
    pub async fn presign_get(
        &self,
        bucket: &str,
        key: &str,
        expires_in_secs: u64,
    ) -> Result<PresignedRequest> {
        let signer = self.presign_signer(expires_in_secs).await?;
        let b = self.bucket(bucket)?;
        Ok(b.get_object(key)
            .expires_in(expires_in_secs)
            .sign(&signer, self.now()?)?)
    }

    /// A presigned PUT (upload) URL from the core, optionally bound to a content type
    /// (the uploader must then send exactly that `Content-Type`), dated by the client's
    /// corrected clock.
    ///
    /// # Errors
    /// Invalid bucket, key or expiry; credentials unavailable.
    pub async fn presign_put(
        &self,
        bucket: &str,
        key: &str,
        expires_in_secs: u64,
        opts: &PresignPut,
    ) -> Result<PresignedRequest> {
        let signer = self.presign_signer(expires_in_secs).await?;
        let b = self.bucket(bucket)?;
        let mut p = b.put_object(key).expires_in(expires_in_secs);
        if let Some(ct) = &opts.content_type {
            p = p.content_type(ct);
        }
        Ok(p.sign(&signer, self.now()?)?)
    }
}
