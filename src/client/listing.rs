//! Listing: ListObjectsV2 and ListObjectVersions, one page per [`Operation`] and the
//! paginators that follow their markers.

#[cfg(feature = "client")]
use std::boxed::Box;
use std::string::{String, ToString};
use std::vec::Vec;

use serde::Deserialize;

#[cfg(feature = "client")]
use super::Client;
use super::error::Result;
use super::operation::{Spec, operation};
#[cfg(feature = "client")]
use super::paginate::{Cursor, PageStream};
use super::request::{RequestSpec, Target};
use super::response::Response;
use super::xml::{from_xml, url_decode};

// ---------------------------------------------------------------------------------------
// ListObjectsV2

/// Options for `Client::list_objects_v2`.
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

/// One page of a `Client::list_objects_v2` listing.
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

fn decode_prefixes(
    prefixes: Vec<PrefixRaw>,
    dec: &impl Fn(String) -> Result<String>,
) -> Result<Vec<String>> {
    prefixes.into_iter().map(|p| dec(p.prefix)).collect()
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
        Ok(ListObjectsV2Output {
            contents,
            common_prefixes: decode_prefixes(self.common_prefixes, &dec)?,
            is_truncated: self.is_truncated.unwrap_or(false),
            next_continuation_token: self.next_continuation_token.filter(|t| !t.is_empty()),
            key_count: self.key_count,
        })
    }
}

/// One page of [ListObjectsV2](https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html)
/// as an [`Operation`](super::Operation) (what `Client::list_objects_v2` sends).
#[derive(Debug, Clone, Copy)]
pub struct ListObjectsV2Op<'a> {
    bucket: &'a str,
    options: &'a ListObjectsV2,
}

impl<'a> ListObjectsV2Op<'a> {
    /// One page of `bucket`'s listing with `options`.
    pub fn new(bucket: &'a str, options: &'a ListObjectsV2) -> Self {
        Self { bucket, options }
    }
}

impl Spec for ListObjectsV2Op<'_> {
    type Output = ListObjectsV2Output;

    fn spec(&self) -> Result<RequestSpec<'_>> {
        let o = self.options;
        let mut spec = RequestSpec::new("GET", Target::Bucket(self.bucket))
            .query("list-type", "2")
            .query_opt("prefix", o.prefix.as_deref())
            .query_opt("delimiter", o.delimiter.as_deref())
            .query_opt("start-after", o.start_after.as_deref())
            .query_opt("continuation-token", o.continuation_token.as_deref());
        if let Some(m) = o.max_keys {
            spec = spec.query("max-keys", m.to_string());
        }
        if o.url_encoding {
            spec = spec.query("encoding-type", "url");
        }
        Ok(spec)
    }

    fn parse(&self, response: Response) -> Result<ListObjectsV2Output> {
        from_xml::<ListBucketResultRaw>(&response.body, "could not parse the ListObjectsV2 answer")?
            .into_output()
    }
}

operation!(ListObjectsV2Op<'_> => ListObjectsV2Output);

/// Follows continuation tokens: call [`next_page`](Self::next_page) until it returns
/// `Ok(None)`. After an error other than a broken listing, calling it again retries the
/// same page.
#[cfg(feature = "client")]
#[derive(Debug)]
pub struct ListObjectsPaginator {
    client: Client,
    bucket: String,
    opts: ListObjectsV2,
    cursor: Cursor,
}

#[cfg(feature = "client")]
impl ListObjectsPaginator {
    /// The next page, or `None` when the listing is complete.
    ///
    /// # Errors
    /// As [`Client::list_objects_v2`]; also a server that says "truncated" without a
    /// continuation token, or sends a token it sent before (the listing would loop).
    pub async fn next_page(&mut self) -> Result<Option<ListObjectsV2Output>> {
        if self.cursor.is_done() {
            return Ok(None);
        }
        let page = self
            .client
            .list_objects_v2(&self.bucket, &self.opts)
            .await?;
        let token = page.next_continuation_token.clone();
        if self.cursor.advance(
            page.is_truncated,
            token.clone(),
            "a truncated listing came without a NextContinuationToken",
        )? {
            self.opts.continuation_token = token;
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

// ---------------------------------------------------------------------------------------
// ListObjectVersions

/// Options for `Client::list_object_versions`.
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

/// One page of `Client::list_object_versions`.
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

impl ListVersionsResultRaw {
    fn into_output(self) -> Result<ListObjectVersionsOutput> {
        let dec = decoder(self.encoding_type.as_deref());
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
        let versions = self.version.into_iter().map(conv).collect::<Result<_>>()?;
        let delete_markers = self
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
            .collect::<Result<_>>()?;
        Ok(ListObjectVersionsOutput {
            versions,
            delete_markers,
            common_prefixes: decode_prefixes(self.common_prefixes, &dec)?,
            is_truncated: self.is_truncated.unwrap_or(false),
            next_key_marker: self.next_key_marker.map(&dec).transpose()?,
            next_version_id_marker: self.next_version_id_marker,
        })
    }
}

/// One page of [ListObjectVersions](https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html)
/// as an [`Operation`](super::Operation) (what `Client::list_object_versions` sends).
#[derive(Debug, Clone, Copy)]
pub struct ListObjectVersionsOp<'a> {
    bucket: &'a str,
    options: &'a ListObjectVersions,
}

impl<'a> ListObjectVersionsOp<'a> {
    /// One page of `bucket`'s version listing with `options`.
    pub fn new(bucket: &'a str, options: &'a ListObjectVersions) -> Self {
        Self { bucket, options }
    }
}

impl Spec for ListObjectVersionsOp<'_> {
    type Output = ListObjectVersionsOutput;

    fn spec(&self) -> Result<RequestSpec<'_>> {
        let o = self.options;
        let mut spec = RequestSpec::new("GET", Target::Bucket(self.bucket))
            .query("versions", "")
            .query_opt("prefix", o.prefix.as_deref())
            .query_opt("delimiter", o.delimiter.as_deref())
            .query_opt("key-marker", o.key_marker.as_deref())
            .query_opt("version-id-marker", o.version_id_marker.as_deref())
            .query("encoding-type", "url");
        if let Some(m) = o.max_keys {
            spec = spec.query("max-keys", m.to_string());
        }
        Ok(spec)
    }

    fn parse(&self, response: Response) -> Result<ListObjectVersionsOutput> {
        from_xml::<ListVersionsResultRaw>(
            &response.body,
            "could not parse the ListObjectVersions answer",
        )?
        .into_output()
    }
}

operation!(ListObjectVersionsOp<'_> => ListObjectVersionsOutput);

/// Follows the key / version-id markers of [`Client::list_object_versions`].
#[cfg(feature = "client")]
#[derive(Debug)]
pub struct ListObjectVersionsPaginator {
    client: Client,
    bucket: String,
    opts: ListObjectVersions,
    cursor: Cursor,
}

#[cfg(feature = "client")]
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
    /// As [`Client::list_object_versions`]; also a truncated page without a key marker,
    /// or markers the server sent before (the listing would loop).
    pub async fn next_page(&mut self) -> Result<Option<ListObjectVersionsOutput>> {
        if self.cursor.is_done() {
            return Ok(None);
        }
        let page = self
            .client
            .list_object_versions(&self.bucket, &self.opts)
            .await?;
        // Both markers together name the position (the key marker alone repeats while
        // one key's versions span pages).
        let marker = page.next_key_marker.as_ref().map(|k| {
            let mut m = k.clone();
            m.push('\0');
            m.push_str(page.next_version_id_marker.as_deref().unwrap_or(""));
            m
        });
        if self.cursor.advance(
            page.is_truncated,
            marker,
            "a truncated version listing came without a NextKeyMarker",
        )? {
            self.opts.key_marker.clone_from(&page.next_key_marker);
            self.opts
                .version_id_marker
                .clone_from(&page.next_version_id_marker);
        }
        Ok(Some(page))
    }
}

#[cfg(feature = "client")]
impl Client {
    /// One page of [ListObjectsV2](https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html).
    ///
    /// # Errors
    /// [`Error`](super::Error) from the server (`NoSuchBucket`, ...) or the transport.
    pub async fn list_objects_v2(
        &self,
        bucket: &str,
        opts: &ListObjectsV2,
    ) -> Result<ListObjectsV2Output> {
        self.run(&ListObjectsV2Op::new(bucket, opts)).await
    }

    /// A paginator over the whole listing (continuation tokens followed for you).
    pub fn list_objects_v2_pages(&self, bucket: &str, opts: ListObjectsV2) -> ListObjectsPaginator {
        ListObjectsPaginator {
            client: self.clone(),
            bucket: String::from(bucket),
            opts,
            cursor: Cursor::default(),
        }
    }

    /// One page of [ListObjectVersions](https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html).
    ///
    /// # Errors
    /// [`Error`](super::Error) from the server or the transport.
    pub async fn list_object_versions(
        &self,
        bucket: &str,
        opts: &ListObjectVersions,
    ) -> Result<ListObjectVersionsOutput> {
        self.run(&ListObjectVersionsOp::new(bucket, opts)).await
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
            cursor: Cursor::default(),
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
}
