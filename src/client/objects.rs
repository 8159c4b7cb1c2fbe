//! Object operations: list (V2 and versions), head, get, put, copy, delete, delete many,
//! multipart uploads.

use std::boxed::Box;
use std::string::{String, ToString};
use std::vec::Vec;

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::xml::{NS, from_xml, to_xml, url_decode};
use super::{Client, Error, Op, Result, Target};
use crate::encoding::{self, PATH};
use crate::s3::PresignedRequest;

/// The most keys one DeleteObjects request may carry.
pub const DELETE_OBJECTS_BATCH: usize = 1000;

// ---------------------------------------------------------------------------------------
// ListObjectsV2

/// Options for [`Client::list_objects_v2`].
///
/// Keys are always requested with `encoding-type=url` and decoded, so keys with characters
/// XML 1.0 cannot carry survive; turn that off with [`url_encoding`](Self::url_encoding).
///
/// ```
/// use s3presign::client::ListObjectsV2;
/// let opts = ListObjectsV2::new().prefix("videos/").delimiter("/").max_keys(100);
/// # let _ = opts;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListObjectsV2 {
    prefix: Option<String>,
    delimiter: Option<String>,
    max_keys: Option<u32>,
    start_after: Option<String>,
    continuation_token: Option<String>,
    url_encoding: bool,
}

impl Default for ListObjectsV2 {
    fn default() -> Self {
        Self::new()
    }
}

impl ListObjectsV2 {
    /// All keys, 1000 per page, url-encoded on the wire.
    pub fn new() -> Self {
        Self {
            prefix: None,
            delimiter: None,
            max_keys: None,
            start_after: None,
            continuation_token: None,
            url_encoding: true,
        }
    }
    /// Only keys starting with `prefix`.
    #[must_use]
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }
    /// Group keys up to the next `delimiter` after the prefix into common prefixes.
    #[must_use]
    pub fn delimiter(mut self, delimiter: impl Into<String>) -> Self {
        self.delimiter = Some(delimiter.into());
        self
    }
    /// At most `n` keys (and common prefixes) per page (S3 caps it at 1000).
    #[must_use]
    pub fn max_keys(mut self, n: u32) -> Self {
        self.max_keys = Some(n);
        self
    }
    /// Start after this key.
    #[must_use]
    pub fn start_after(mut self, key: impl Into<String>) -> Self {
        self.start_after = Some(key.into());
        self
    }
    /// Continue a truncated listing ([`ListObjectsV2Output::next_continuation_token`]).
    #[must_use]
    pub fn continuation_token(mut self, token: impl Into<String>) -> Self {
        self.continuation_token = Some(token.into());
        self
    }
    /// Whether to ask for `encoding-type=url` (default `true`; decoding is automatic).
    #[must_use]
    pub fn url_encoding(mut self, on: bool) -> Self {
        self.url_encoding = on;
        self
    }
}

/// An object in a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Object {
    /// The key (decoded).
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// The entity tag, with its quotes as S3 sends it.
    pub etag: Option<String>,
    /// Last modification time (ISO 8601, as sent).
    pub last_modified: Option<String>,
    /// Storage class.
    pub storage_class: Option<String>,
}

/// One page of a [`Client::list_objects_v2`] listing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ListObjectsV2Output {
    /// Objects on this page.
    pub contents: Vec<Object>,
    /// Common prefixes (with a delimiter), decoded.
    pub common_prefixes: Vec<String>,
    /// Whether more pages follow.
    pub is_truncated: bool,
    /// The token for the next page.
    pub next_continuation_token: Option<String>,
    /// The number of keys and prefixes on this page, as the server counted them.
    pub key_count: Option<u32>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct ListBucketResultRaw {
    contents: Vec<ObjectRaw>,
    common_prefixes: Vec<PrefixRaw>,
    is_truncated: Option<bool>,
    next_continuation_token: Option<String>,
    key_count: Option<u32>,
    encoding_type: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct ObjectRaw {
    key: String,
    size: Option<u64>,
    #[serde(rename = "ETag")]
    etag: Option<String>,
    last_modified: Option<String>,
    storage_class: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct PrefixRaw {
    prefix: String,
}

fn decoder(encoding_type: Option<&str>) -> impl Fn(String) -> Result<String> + use<> {
    let url = encoding_type.is_some_and(|e| e.eq_ignore_ascii_case("url"));
    move |s: String| if url { url_decode(&s) } else { Ok(s) }
}

impl ListBucketResultRaw {
    fn into_output(self) -> Result<ListObjectsV2Output> {
        let dec = decoder(self.encoding_type.as_deref());
        let contents = self
            .contents
            .into_iter()
            .map(|o| {
                Ok(Object {
                    key: dec(o.key)?,
                    size: o.size.unwrap_or(0),
                    etag: o.etag,
                    last_modified: o.last_modified,
                    storage_class: o.storage_class,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let common_prefixes = self
            .common_prefixes
            .into_iter()
            .map(|p| dec(p.prefix))
            .collect::<Result<Vec<_>>>()?;
        Ok(ListObjectsV2Output {
            contents,
            common_prefixes,
            is_truncated: self.is_truncated.unwrap_or(false),
            next_continuation_token: self.next_continuation_token.filter(|t| !t.is_empty()),
            key_count: self.key_count,
        })
    }
}

/// Follows continuation tokens: call [`next_page`](Self::next_page) until it returns
/// `Ok(None)`. After an error, calling it again retries the same page.
#[derive(Debug)]
pub struct ListObjectsPaginator {
    client: Client,
    bucket: String,
    opts: ListObjectsV2,
    done: bool,
}

impl ListObjectsPaginator {
    /// The next page, or `None` when the listing is complete.
    ///
    /// # Errors
    /// As [`Client::list_objects_v2`]; also a server that says "truncated" without a
    /// continuation token.
    pub async fn next_page(&mut self) -> Result<Option<ListObjectsV2Output>> {
        if self.done {
            return Ok(None);
        }
        let page = self
            .client
            .list_objects_v2(&self.bucket, &self.opts)
            .await?;
        match (&page.next_continuation_token, page.is_truncated) {
            (Some(t), true) => self.opts.continuation_token = Some(t.clone()),
            (None, true) => {
                self.done = true;
                return Err(Error::decode(
                    "a truncated listing came without a NextContinuationToken",
                    None,
                ));
            }
            (_, false) => self.done = true,
        }
        Ok(Some(page))
    }

    /// The remaining pages as a [`futures_core::Stream`] (use it with `StreamExt` from
    /// futures or tokio-stream). The stream ends after the last page or the first error.
    pub fn into_stream(
        self,
    ) -> impl futures_core::Stream<Item = Result<ListObjectsV2Output>> + Send + Unpin + 'static
    {
        PageStream::new(self, |mut p| {
            Box::pin(async move {
                let r = p.next_page().await;
                (p, r)
            })
        })
    }

    /// Every remaining object, in order.
    ///
    /// # Errors
    /// As [`next_page`](Self::next_page).
    pub async fn collect_objects(mut self) -> Result<Vec<Object>> {
        let mut all = Vec::new();
        while let Some(page) = self.next_page().await? {
            all.extend(page.contents);
        }
        Ok(all)
    }
}

type PageFuture<P, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = (P, Result<Option<T>>)> + Send>>;

/// Drives a paginator's `next_page` as a stream, one request at a time.
struct PageStream<P, T> {
    idle: Option<P>,
    pending: Option<PageFuture<P, T>>,
    step: fn(P) -> PageFuture<P, T>,
}

impl<P, T> PageStream<P, T> {
    fn new(p: P, step: fn(P) -> PageFuture<P, T>) -> Self {
        Self {
            idle: Some(p),
            pending: None,
            step,
        }
    }
}

impl<P: Unpin, T> futures_core::Stream for PageStream<P, T> {
    type Item = Result<T>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.pending.is_none() {
            match this.idle.take() {
                Some(p) => this.pending = Some((this.step)(p)),
                None => return std::task::Poll::Ready(None),
            }
        }
        let Some(fut) = this.pending.as_mut() else {
            return std::task::Poll::Ready(None);
        };
        match fut.as_mut().poll(cx) {
            std::task::Poll::Pending => std::task::Poll::Pending,
            std::task::Poll::Ready((p, r)) => {
                this.pending = None;
                match r {
                    Ok(Some(page)) => {
                        this.idle = Some(p);
                        std::task::Poll::Ready(Some(Ok(page)))
                    }
                    Ok(None) => std::task::Poll::Ready(None),
                    Err(e) => std::task::Poll::Ready(Some(Err(e))),
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// ListObjectVersions

/// Options for [`Client::list_object_versions`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListObjectVersions {
    prefix: Option<String>,
    delimiter: Option<String>,
    max_keys: Option<u32>,
    key_marker: Option<String>,
    version_id_marker: Option<String>,
}

impl ListObjectVersions {
    /// Every version of every key.
    pub fn new() -> Self {
        Self::default()
    }
    /// Only keys starting with `prefix`.
    #[must_use]
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }
    /// Group keys into common prefixes.
    #[must_use]
    pub fn delimiter(mut self, d: impl Into<String>) -> Self {
        self.delimiter = Some(d.into());
        self
    }
    /// At most `n` entries per page.
    #[must_use]
    pub fn max_keys(mut self, n: u32) -> Self {
        self.max_keys = Some(n);
        self
    }
    /// Continue after this key (and [`version_id_marker`](Self::version_id_marker)).
    #[must_use]
    pub fn key_marker(mut self, k: impl Into<String>) -> Self {
        self.key_marker = Some(k.into());
        self
    }
    /// Continue after this version of the key marker.
    #[must_use]
    pub fn version_id_marker(mut self, v: impl Into<String>) -> Self {
        self.version_id_marker = Some(v.into());
        self
    }
}

/// A version of an object.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ObjectVersion {
    /// The key.
    pub key: String,
    /// The version id (`null` for objects written before versioning).
    pub version_id: String,
    /// Whether this is the current version.
    pub is_latest: bool,
    /// Size in bytes.
    pub size: u64,
    /// Entity tag.
    pub etag: Option<String>,
    /// Last modification time.
    pub last_modified: Option<String>,
}

/// A delete marker in a version listing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteMarkerEntry {
    /// The key.
    pub key: String,
    /// The marker's version id.
    pub version_id: String,
    /// Whether the marker is the current version (the object looks deleted).
    pub is_latest: bool,
    /// When the marker was created.
    pub last_modified: Option<String>,
}

/// One page of [`Client::list_object_versions`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ListObjectVersionsOutput {
    /// Versions on this page.
    pub versions: Vec<ObjectVersion>,
    /// Delete markers on this page.
    pub delete_markers: Vec<DeleteMarkerEntry>,
    /// Common prefixes.
    pub common_prefixes: Vec<String>,
    /// Whether more pages follow.
    pub is_truncated: bool,
    /// Key marker for the next page.
    pub next_key_marker: Option<String>,
    /// Version id marker for the next page.
    pub next_version_id_marker: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct ListVersionsResultRaw {
    version: Vec<VersionRaw>,
    delete_marker: Vec<VersionRaw>,
    common_prefixes: Vec<PrefixRaw>,
    is_truncated: Option<bool>,
    next_key_marker: Option<String>,
    next_version_id_marker: Option<String>,
    encoding_type: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct VersionRaw {
    key: String,
    version_id: Option<String>,
    is_latest: Option<bool>,
    size: Option<u64>,
    #[serde(rename = "ETag")]
    etag: Option<String>,
    last_modified: Option<String>,
}

/// Follows the key / version-id markers of [`Client::list_object_versions`].
#[derive(Debug)]
pub struct ListObjectVersionsPaginator {
    client: Client,
    bucket: String,
    opts: ListObjectVersions,
    done: bool,
}

impl ListObjectVersionsPaginator {
    /// The remaining pages as a [`futures_core::Stream`]; it ends after the last page or
    /// the first error.
    pub fn into_stream(
        self,
    ) -> impl futures_core::Stream<Item = Result<ListObjectVersionsOutput>> + Send + Unpin + 'static
    {
        PageStream::new(self, |mut p| {
            Box::pin(async move {
                let r = p.next_page().await;
                (p, r)
            })
        })
    }

    /// The next page, or `None` at the end.
    ///
    /// # Errors
    /// As [`Client::list_object_versions`].
    pub async fn next_page(&mut self) -> Result<Option<ListObjectVersionsOutput>> {
        if self.done {
            return Ok(None);
        }
        let page = self
            .client
            .list_object_versions(&self.bucket, &self.opts)
            .await?;
        if page.is_truncated {
            if page.next_key_marker.is_none() {
                self.done = true;
                return Err(Error::decode(
                    "a truncated version listing came without a NextKeyMarker",
                    None,
                ));
            }
            self.opts.key_marker.clone_from(&page.next_key_marker);
            self.opts
                .version_id_marker
                .clone_from(&page.next_version_id_marker);
        } else {
            self.done = true;
        }
        Ok(Some(page))
    }
}

// ---------------------------------------------------------------------------------------
// Head / Get / Put / Copy

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
}

impl ObjectMeta {
    fn from_headers(h: &reqwest::header::HeaderMap) -> Self {
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
        }
    }
}

/// Options for [`Client::get_object_with`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GetObject {
    range: Option<(u64, Option<u64>)>,
    version_id: Option<String>,
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
#[derive(Debug)]
pub struct ObjectBody {
    /// Headers.
    pub meta: ObjectMeta,
    response: reqwest::Response,
}

impl ObjectBody {
    /// The next chunk, or `None` at the end.
    ///
    /// # Errors
    /// The connection failed mid-body (not retried: restart with a range).
    pub async fn chunk(&mut self) -> Result<Option<Bytes>> {
        self.response.chunk().await.map_err(Error::transport)
    }
}

/// Options for [`Client::put_object`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PutObject {
    content_type: Option<String>,
    cache_control: Option<String>,
    content_disposition: Option<String>,
    metadata: Vec<(String, String)>,
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

// ---------------------------------------------------------------------------------------
// Delete

/// What DeleteObject returns.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteObjectOutput {
    /// The version removed, or the delete marker created.
    pub version_id: Option<String>,
    /// Whether a delete marker was involved.
    pub delete_marker: bool,
}

/// A key (and optionally a version) for [`Client::delete_objects`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObjectIdentifier {
    /// The key.
    pub key: String,
    /// The version to delete permanently; `None` for the current one.
    pub version_id: Option<String>,
}

impl ObjectIdentifier {
    /// The current version of `key`.
    pub fn new(key: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            version_id: None,
        }
    }
    /// A specific version of `key`.
    pub fn with_version(key: impl Into<String>, version_id: impl Into<String>) -> Self {
        Self {
            key: key.into(),
            version_id: Some(version_id.into()),
        }
    }
}

impl From<&str> for ObjectIdentifier {
    fn from(k: &str) -> Self {
        Self::new(k)
    }
}

impl From<String> for ObjectIdentifier {
    fn from(k: String) -> Self {
        Self::new(k)
    }
}

/// A key DeleteObjects removed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeletedObject {
    /// The key.
    pub key: String,
    /// The version removed.
    pub version_id: Option<String>,
    /// Whether a delete marker was created or removed.
    pub delete_marker: bool,
}

/// A key DeleteObjects could not remove.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ObjectError {
    /// The key.
    pub key: String,
    /// The version.
    pub version_id: Option<String>,
    /// The S3 error code (`AccessDenied`, `InternalError`, ...).
    pub code: String,
    /// The message.
    pub message: String,
}

/// What [`Client::delete_objects`] did, over every batch: check
/// [`errors`](Self::errors) — nothing is silently left behind.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct DeleteObjectsOutput {
    /// Keys removed.
    pub deleted: Vec<DeletedObject>,
    /// Keys not removed, with the reason.
    pub errors: Vec<ObjectError>,
}

#[derive(Serialize)]
struct DeleteRequest<'a> {
    #[serde(rename = "@xmlns")]
    xmlns: &'static str,
    #[serde(rename = "Quiet")]
    quiet: bool,
    #[serde(rename = "Object")]
    objects: &'a [ObjectIdentifierXml<'a>],
}

#[derive(Serialize)]
struct ObjectIdentifierXml<'a> {
    #[serde(rename = "Key")]
    key: &'a str,
    #[serde(rename = "VersionId", skip_serializing_if = "Option::is_none")]
    version_id: Option<&'a str>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct DeleteResultRaw {
    deleted: Vec<DeletedRaw>,
    error: Vec<DeleteErrorRaw>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct DeletedRaw {
    key: String,
    version_id: Option<String>,
    delete_marker: Option<bool>,
    delete_marker_version_id: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct DeleteErrorRaw {
    key: String,
    version_id: Option<String>,
    code: String,
    message: String,
}

// ---------------------------------------------------------------------------------------
// Multipart

/// A started multipart upload.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MultipartUpload {
    /// The key.
    pub key: String,
    /// The upload id to pass to the other multipart calls.
    pub upload_id: String,
}

/// A part to list in CompleteMultipartUpload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompletedPart {
    /// The part number (1..=10000).
    #[serde(rename = "PartNumber")]
    pub part_number: u16,
    /// The `ETag` the UploadPart answer carried.
    #[serde(rename = "ETag")]
    pub etag: String,
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

fn push_u(s: &mut String, n: u64) {
    s.push_str(&n.to_string());
}

impl Client {
    /// One page of [ListObjectsV2](https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html).
    ///
    /// # Errors
    /// [`Error`] from the server (`NoSuchBucket`, ...) or the transport.
    pub async fn list_objects_v2(
        &self,
        bucket: &str,
        opts: &ListObjectsV2,
    ) -> Result<ListObjectsV2Output> {
        let max_keys = opts.max_keys.map(|n| n.to_string());
        let mut op = Op::new("GET", Target::Bucket(bucket))
            .query("list-type", "2")
            .query_opt("prefix", opts.prefix.as_deref())
            .query_opt("delimiter", opts.delimiter.as_deref())
            .query_opt("start-after", opts.start_after.as_deref())
            .query_opt("continuation-token", opts.continuation_token.as_deref());
        if let Some(m) = max_keys {
            op = op.query("max-keys", m);
        }
        if opts.url_encoding {
            op = op.query("encoding-type", "url");
        }
        let resp = self.execute(op).await?;
        from_xml::<ListBucketResultRaw>(&resp.body, "could not parse the ListObjectsV2 answer")?
            .into_output()
    }

    /// A paginator over the whole listing (continuation tokens followed for you).
    pub fn list_objects_v2_pages(&self, bucket: &str, opts: ListObjectsV2) -> ListObjectsPaginator {
        ListObjectsPaginator {
            client: self.clone(),
            bucket: String::from(bucket),
            opts,
            done: false,
        }
    }

    /// One page of [ListObjectVersions](https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html).
    ///
    /// # Errors
    /// [`Error`] from the server or the transport.
    pub async fn list_object_versions(
        &self,
        bucket: &str,
        opts: &ListObjectVersions,
    ) -> Result<ListObjectVersionsOutput> {
        let max_keys = opts.max_keys.map(|n| n.to_string());
        let mut op = Op::new("GET", Target::Bucket(bucket))
            .query("versions", "")
            .query_opt("prefix", opts.prefix.as_deref())
            .query_opt("delimiter", opts.delimiter.as_deref())
            .query_opt("key-marker", opts.key_marker.as_deref())
            .query_opt("version-id-marker", opts.version_id_marker.as_deref())
            .query("encoding-type", "url");
        if let Some(m) = max_keys {
            op = op.query("max-keys", m);
        }
        let resp = self.execute(op).await?;
        let raw: ListVersionsResultRaw =
            from_xml(&resp.body, "could not parse the ListObjectVersions answer")?;
        let dec = decoder(raw.encoding_type.as_deref());
        let conv = |v: VersionRaw| -> Result<ObjectVersion> {
            Ok(ObjectVersion {
                key: dec(v.key)?,
                version_id: v.version_id.unwrap_or_else(|| String::from("null")),
                is_latest: v.is_latest.unwrap_or(false),
                size: v.size.unwrap_or(0),
                etag: v.etag,
                last_modified: v.last_modified,
            })
        };
        let versions = raw
            .version
            .into_iter()
            .map(conv)
            .collect::<Result<Vec<_>>>()?;
        let delete_markers = raw
            .delete_marker
            .into_iter()
            .map(|v| {
                let v = conv(v)?;
                Ok(DeleteMarkerEntry {
                    key: v.key,
                    version_id: v.version_id,
                    is_latest: v.is_latest,
                    last_modified: v.last_modified,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let common_prefixes = raw
            .common_prefixes
            .into_iter()
            .map(|p| dec(p.prefix))
            .collect::<Result<Vec<_>>>()?;
        Ok(ListObjectVersionsOutput {
            versions,
            delete_markers,
            common_prefixes,
            is_truncated: raw.is_truncated.unwrap_or(false),
            next_key_marker: raw.next_key_marker.map(&dec).transpose()?,
            next_version_id_marker: raw.next_version_id_marker,
        })
    }

    /// A paginator over every version.
    pub fn list_object_versions_pages(
        &self,
        bucket: &str,
        opts: ListObjectVersions,
    ) -> ListObjectVersionsPaginator {
        ListObjectVersionsPaginator {
            client: self.clone(),
            bucket: String::from(bucket),
            opts,
            done: false,
        }
    }

    /// [HeadObject](https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html).
    ///
    /// # Errors
    /// [`Error::is_not_found`] when there is no such key; other server or transport errors.
    pub async fn head_object(&self, bucket: &str, key: &str) -> Result<ObjectMeta> {
        let resp = self
            .execute(Op::new("HEAD", Target::Object(bucket, key)))
            .await?;
        Ok(ObjectMeta::from_headers(&resp.headers))
    }

    /// [GetObject](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html), whole body.
    ///
    /// # Errors
    /// [`Error::is_not_found`] when there is no such key; other server or transport errors.
    pub async fn get_object(&self, bucket: &str, key: &str) -> Result<GetObjectOutput> {
        self.get_object_with(bucket, key, &GetObject::new()).await
    }

    fn put_op<'a>(bucket: &'a str, key: &'a str, opts: &PutObject) -> Op<'a> {
        let mut op = Op::new("PUT", Target::Object(bucket, key));
        if let Some(ct) = &opts.content_type {
            op = op.header("content-type", ct.clone());
        }
        if let Some(v) = &opts.cache_control {
            op = op.header("cache-control", v.clone());
        }
        if let Some(v) = &opts.content_disposition {
            op = op.header("content-disposition", v.clone());
        }
        for (n, v) in &opts.metadata {
            let mut name = String::from("x-amz-meta-");
            name.push_str(n);
            op = op.header(name, v.clone());
        }
        op
    }

    fn get_op<'a>(bucket: &'a str, key: &'a str, opts: &'a GetObject) -> Op<'a> {
        let mut op = Op::new("GET", Target::Object(bucket, key))
            .query_opt("versionId", opts.version_id.as_deref());
        if let Some((first, last)) = opts.range {
            let mut r = String::from("bytes=");
            push_u(&mut r, first);
            r.push('-');
            if let Some(l) = last {
                push_u(&mut r, l);
            }
            op = op.header("range", r);
        }
        op
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
        let resp = self.execute(Self::get_op(bucket, key, opts)).await?;
        Ok(GetObjectOutput {
            meta: ObjectMeta::from_headers(&resp.headers),
            body: resp.body,
        })
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
        let response = self
            .execute_streaming(Self::get_op(bucket, key, opts))
            .await?;
        Ok(ObjectBody {
            meta: ObjectMeta::from_headers(response.headers()),
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
        let op = Self::put_op(bucket, key, opts).body(body);
        let resp = self.execute(op).await?;
        Ok(PutObjectOutput {
            etag: resp.header("etag").map(String::from),
            version_id: resp.header("x-amz-version-id").map(String::from),
        })
    }

    /// PutObject with a streamed body of exactly `content_length` bytes (signed as
    /// `UNSIGNED-PAYLOAD`, so use HTTPS). Not retried, since the stream cannot be replayed;
    /// for large files prefer a multipart upload.
    ///
    /// # Errors
    /// Server or transport errors (a stream error aborts the request).
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
        let op = Self::put_op(bucket, key, opts)
            .header("content-length", content_length.to_string())
            .not_idempotent();
        let resp = self
            .execute_with_stream(op, reqwest::Body::wrap_stream(body))
            .await?;
        Ok(PutObjectOutput {
            etag: resp.header("etag").map(String::from),
            version_id: resp.header("x-amz-version-id").map(String::from),
        })
    }

    /// [CopyObject](https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html)
    /// from `src_bucket/src_key` (optionally a version) to `bucket/key`, metadata copied.
    ///
    /// # Errors
    /// Server or transport errors, including an `<Error>` inside a 200 answer.
    pub async fn copy_object(
        &self,
        src_bucket: &str,
        src_key: &str,
        src_version_id: Option<&str>,
        bucket: &str,
        key: &str,
    ) -> Result<CopyObjectOutput> {
        let mut source = String::from("/");
        source.push_str(src_bucket);
        source.push('/');
        encoding::encode_into(&mut source, src_key, PATH);
        if let Some(v) = src_version_id {
            source.push_str("?versionId=");
            encoding::encode_into(&mut source, v, crate::encoding::QUERY);
        }
        let op = Op::new("PUT", Target::Object(bucket, key)).header("x-amz-copy-source", source);
        let resp = self.execute(op).await?;
        let raw: CopyObjectResultRaw =
            from_xml(&resp.body, "could not parse the CopyObject answer")?;
        Ok(CopyObjectOutput {
            etag: raw.etag,
            version_id: resp.header("x-amz-version-id").map(String::from),
        })
    }

    /// [DeleteObject](https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html):
    /// the current version (a delete marker in a versioned bucket) or, with `version_id`,
    /// that version permanently. Deleting a missing key succeeds, as in S3.
    ///
    /// # Errors
    /// Server or transport errors.
    pub async fn delete_object(
        &self,
        bucket: &str,
        key: &str,
        version_id: Option<&str>,
    ) -> Result<DeleteObjectOutput> {
        let op = Op::new("DELETE", Target::Object(bucket, key)).query_opt("versionId", version_id);
        let resp = self.execute(op).await?;
        Ok(DeleteObjectOutput {
            version_id: resp.header("x-amz-version-id").map(String::from),
            delete_marker: resp.header("x-amz-delete-marker") == Some("true"),
        })
    }

    /// [DeleteObjects](https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html)
    /// for any number of keys: batches of 1000, each with an `x-amz-checksum-sha256`.
    /// Per-key failures are collected in [`DeleteObjectsOutput::errors`]; a failed batch
    /// stops the call with its error (earlier batches stay deleted).
    ///
    /// # Errors
    /// A batch failed as a whole (server or transport, after retries).
    pub async fn delete_objects(
        &self,
        bucket: &str,
        objects: &[ObjectIdentifier],
    ) -> Result<DeleteObjectsOutput> {
        let mut out = DeleteObjectsOutput::default();
        for batch in objects.chunks(DELETE_OBJECTS_BATCH) {
            let ids: Vec<ObjectIdentifierXml<'_>> = batch
                .iter()
                .map(|o| ObjectIdentifierXml {
                    key: &o.key,
                    version_id: o.version_id.as_deref(),
                })
                .collect();
            let doc = to_xml(
                "Delete",
                &DeleteRequest {
                    xmlns: NS,
                    quiet: false,
                    objects: &ids,
                },
            )?;
            let op = Op::new("POST", Target::Bucket(bucket))
                .query("delete", "")
                .header("content-type", "application/xml")
                .body(doc)
                .checksum_sha256();
            let resp = self.execute(op).await?;
            let raw: DeleteResultRaw =
                from_xml(&resp.body, "could not parse the DeleteObjects answer")?;
            out.deleted
                .extend(raw.deleted.into_iter().map(|d| DeletedObject {
                    key: d.key,
                    version_id: d.version_id.or(d.delete_marker_version_id),
                    delete_marker: d.delete_marker.unwrap_or(false),
                }));
            out.errors
                .extend(raw.error.into_iter().map(|e| ObjectError {
                    key: e.key,
                    version_id: e.version_id,
                    code: e.code,
                    message: e.message,
                }));
        }
        Ok(out)
    }

    /// [CreateMultipartUpload](https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html).
    /// Not retried (a retry could leave an orphan upload).
    ///
    /// # Errors
    /// Server or transport errors.
    pub async fn create_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        content_type: Option<&str>,
    ) -> Result<MultipartUpload> {
        let mut op = Op::new("POST", Target::Object(bucket, key))
            .query("uploads", "")
            .not_idempotent();
        if let Some(ct) = content_type {
            op = op.header("content-type", ct);
        }
        let resp = self.execute(op).await?;
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
        let op = Op::new("PUT", Target::Object(bucket, key))
            .query("partNumber", part_number.to_string())
            .query("uploadId", upload_id)
            .body(body);
        let resp = self.execute(op).await?;
        let etag = resp
            .header("etag")
            .ok_or_else(|| Error::decode("UploadPart returned no ETag", None))?;
        Ok(CompletedPart {
            part_number,
            etag: String::from(etag),
        })
    }

    /// A presigned UploadPart URL (from the core's
    /// [`Bucket::upload_part`](crate::s3::Bucket::upload_part)) for a browser to `PUT` the
    /// part to; the answer's `ETag` header goes into
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
            .sign(&signer, crate::AmzDate::now()?)?)
    }

    /// A presigned GET (download) URL from the core.
    ///
    /// # Errors
    /// Invalid bucket, key or expiry; credentials unavailable.
    pub async fn presign_get(
        &self,
        bucket: &str,
        key: &str,
        expires_in_secs: u64,
    ) -> Result<PresignedRequest> {
        let signer = self.signer().await?;
        let b = self.bucket(bucket)?;
        Ok(b.get_object(key)
            .expires_in(expires_in_secs)
            .sign(&signer, crate::AmzDate::now()?)?)
    }

    /// A presigned PUT (upload) URL from the core, optionally bound to a content type
    /// (the uploader must then send exactly that `Content-Type`).
    ///
    /// # Errors
    /// Invalid bucket, key or expiry; credentials unavailable.
    pub async fn presign_put(
        &self,
        bucket: &str,
        key: &str,
        content_type: Option<&str>,
        expires_in_secs: u64,
    ) -> Result<PresignedRequest> {
        let signer = self.signer().await?;
        let b = self.bucket(bucket)?;
        let mut p = b.put_object(key).expires_in(expires_in_secs);
        if let Some(ct) = content_type {
            p = p.content_type(ct);
        }
        Ok(p.sign(&signer, crate::AmzDate::now()?)?)
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
        let op = Op::new("POST", Target::Object(bucket, key))
            .query("uploadId", upload_id)
            .header("content-type", "application/xml")
            .body(doc)
            .not_idempotent();
        let resp = self.execute(op).await?;
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
        let op = Op::new("DELETE", Target::Object(bucket, key)).query("uploadId", upload_id);
        self.execute(op).await?;
        Ok(())
    }

    /// [ListParts](https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListParts.html),
    /// every page.
    ///
    /// # Errors
    /// Server (`NoSuchUpload`) or transport errors.
    pub async fn list_parts(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<ListPartsOutput> {
        let mut out = ListPartsOutput::default();
        let mut marker: Option<String> = None;
        loop {
            let op = Op::new("GET", Target::Object(bucket, key))
                .query("uploadId", upload_id)
                .query_opt("part-number-marker", marker.as_deref());
            let resp = self.execute(op).await?;
            let raw: ListPartsRaw = from_xml(&resp.body, "could not parse the ListParts answer")?;
            out.parts.extend(raw.part);
            match (
                raw.is_truncated.unwrap_or(false),
                raw.next_part_number_marker,
            ) {
                (true, Some(m)) if Some(&m) != marker.as_ref() => marker = Some(m),
                _ => {
                    // S3 lists parts in order; some servers (s3s-fs) do not.
                    out.parts.sort_by_key(|p| p.part_number);
                    return Ok(out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_list_v2_example() {
        // Shape of the S3 API reference example, with url-encoded keys.
        let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name><Prefix/><KeyCount>3</KeyCount><MaxKeys>1000</MaxKeys>
  <IsTruncated>true</IsTruncated><EncodingType>url</EncodingType>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
  <Contents><Key>my+image%01.jpg</Key><LastModified>2009-10-12T17:50:30.000Z</LastModified>
    <ETag>"fba9dede5f27731c9771645a39863328"</ETag><Size>434234</Size><StorageClass>STANDARD</StorageClass></Contents>
  <CommonPrefixes><Prefix>photos%2F</Prefix></CommonPrefixes>
  <Contents><Key>b</Key><Size>1</Size></Contents>
  <CommonPrefixes><Prefix>videos/</Prefix></CommonPrefixes>
</ListBucketResult>"#;
        let out = from_xml::<ListBucketResultRaw>(body, "x")
            .unwrap()
            .into_output()
            .unwrap();
        assert_eq!(out.contents.len(), 2);
        assert_eq!(out.contents[0].key, "my image\u{1}.jpg");
        assert_eq!(out.contents[0].size, 434_234);
        assert_eq!(out.common_prefixes, ["photos/", "videos/"]);
        assert!(out.is_truncated);
        assert_eq!(
            out.next_continuation_token.as_deref(),
            Some("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
        );
    }

    #[test]
    fn delete_request_document() {
        let ids = [
            ObjectIdentifierXml {
                key: "a&b",
                version_id: None,
            },
            ObjectIdentifierXml {
                key: "c",
                version_id: Some("v1"),
            },
        ];
        let doc = to_xml(
            "Delete",
            &DeleteRequest {
                xmlns: NS,
                quiet: false,
                objects: &ids,
            },
        )
        .unwrap();
        assert_eq!(
            doc,
            "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>false</Quiet>\
             <Object><Key>a&amp;b</Key></Object><Object><Key>c</Key><VersionId>v1</VersionId></Object></Delete>"
        );
    }
}
