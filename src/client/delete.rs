//! DeleteObjects: many keys per request, with every key accounted for.

use std::collections::BTreeSet;
use std::string::String;
use std::vec::Vec;

use serde::{Deserialize, Serialize};

#[cfg(feature = "client")]
use super::Client;
use super::error::{Error, Result};
use super::operation::{Spec, operation};
use super::request::{RequestSpec, Target};
use super::response::Response;
use super::xml::{NS, from_xml, to_xml};

/// The most keys one DeleteObjects request may carry.
pub const DELETE_OBJECTS_BATCH: usize = 1000;

/// The [`ObjectError::code`] of a key the server listed neither as deleted nor as an
/// error: it may still be there.
pub const NOT_ACKNOWLEDGED: &str = "NotAcknowledged";

/// A key (and optionally a version) for [`DeleteObjectsOp`] and `Client::delete_objects`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
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

/// What DeleteObjects did (over every batch, for `Client::delete_objects`): check
/// [`errors`](Self::errors), nothing is silently left behind. A key the server listed
/// neither as deleted nor as an error is reported there with the code
/// [`NOT_ACKNOWLEDGED`].
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

/// One [DeleteObjects](https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html)
/// request (at most [`DELETE_OBJECTS_BATCH`] keys) as an [`Operation`](super::Operation).
/// The body carries an `x-amz-checksum-sha256`, which S3 requires.
///
/// ```
/// use bytes::Bytes;
/// use s3presign::client::{DeleteObjectsOp, NOT_ACKNOWLEDGED, ObjectIdentifier, Operation};
/// let keys = [ObjectIdentifier::new("a"), ObjectIdentifier::new("b")];
/// let op = DeleteObjectsOp::new("bucket", &keys);
/// let answer = http::Response::new(Bytes::from_static(
///     b"<DeleteResult><Deleted><Key>a</Key></Deleted></DeleteResult>",
/// ));
/// let out = op.parse_response(answer)?;
/// assert_eq!(out.deleted[0].key, "a");
/// assert_eq!((out.errors[0].key.as_str(), out.errors[0].code.as_str()), ("b", NOT_ACKNOWLEDGED));
/// # Ok::<(), s3presign::client::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct DeleteObjectsOp<'a> {
    bucket: &'a str,
    objects: &'a [ObjectIdentifier],
}

impl<'a> DeleteObjectsOp<'a> {
    /// Deletes `objects` (at most [`DELETE_OBJECTS_BATCH`]) from `bucket`.
    pub fn new(bucket: &'a str, objects: &'a [ObjectIdentifier]) -> Self {
        Self { bucket, objects }
    }
}

impl Spec for DeleteObjectsOp<'_> {
    type Output = DeleteObjectsOutput;

    fn spec(&self) -> Result<RequestSpec<'_>> {
        if self.objects.is_empty() || self.objects.len() > DELETE_OBJECTS_BATCH {
            return Err(Error::invalid_input(
                "one DeleteObjects request takes 1 to 1000 keys; split larger sets",
            ));
        }
        let ids: Vec<ObjectIdentifierXml<'_>> = self
            .objects
            .iter()
            .map(|o| ObjectIdentifierXml {
                key: &o.key,
                version_id: o.version_id.as_deref(),
            })
            .collect();
        let request = DeleteRequest {
            xmlns: NS,
            quiet: false,
            objects: &ids,
        };
        Ok(RequestSpec::new("POST", Target::Bucket(self.bucket))
            .query("delete", "")
            .header("content-type", "application/xml")
            .body(to_xml("Delete", &request)?)
            .checksum_sha256())
    }

    fn parse(&self, response: Response) -> Result<DeleteObjectsOutput> {
        let raw: DeleteResultRaw =
            from_xml(&response.body, "could not parse the DeleteObjects answer")?;
        let mut out = DeleteObjectsOutput {
            deleted: raw
                .deleted
                .into_iter()
                .map(DeletedRaw::into_deleted)
                .collect(),
            errors: raw
                .error
                .into_iter()
                .map(DeleteErrorRaw::into_error)
                .collect(),
        };
        let unacknowledged = unacknowledged(self.objects, &out);
        out.errors.extend(unacknowledged);
        Ok(out)
    }
}

operation!(DeleteObjectsOp<'_> => DeleteObjectsOutput);

impl DeletedRaw {
    fn into_deleted(self) -> DeletedObject {
        DeletedObject {
            key: self.key,
            version_id: self.version_id.or(self.delete_marker_version_id),
            delete_marker: self.delete_marker.unwrap_or(false),
        }
    }
}

impl DeleteErrorRaw {
    fn into_error(self) -> ObjectError {
        ObjectError {
            key: self.key,
            version_id: self.version_id,
            code: self.code,
            message: self.message,
        }
    }
}

/// The requested keys the answer does not mention. A version-specific request counts as
/// answered by an entry for that version, or for the key without a version (servers that
/// do not echo it).
fn unacknowledged(requested: &[ObjectIdentifier], out: &DeleteObjectsOutput) -> Vec<ObjectError> {
    let mut exact: BTreeSet<(&str, Option<&str>)> = BTreeSet::new();
    let mut keys: BTreeSet<&str> = BTreeSet::new();
    let answered = out
        .deleted
        .iter()
        .map(|d| (d.key.as_str(), d.version_id.as_deref()))
        .chain(
            out.errors
                .iter()
                .map(|e| (e.key.as_str(), e.version_id.as_deref())),
        );
    for (key, version) in answered {
        exact.insert((key, version));
        keys.insert(key);
    }
    let unversioned_answer = |key: &str| exact.contains(&(key, None));
    requested
        .iter()
        .filter(|o| match o.version_id.as_deref() {
            None => !keys.contains(o.key.as_str()),
            Some(v) => !exact.contains(&(o.key.as_str(), Some(v))) && !unversioned_answer(&o.key),
        })
        .map(|o| ObjectError {
            key: o.key.clone(),
            version_id: o.version_id.clone(),
            code: String::from(NOT_ACKNOWLEDGED),
            message: String::from(
                "the server listed this key neither as deleted nor as an error; it may remain",
            ),
        })
        .collect()
}

#[cfg(feature = "client")]
impl Client {
    /// [DeleteObjects](https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html)
    /// for any number of keys: batches of 1000, each with an `x-amz-checksum-sha256`.
    /// Per-key failures, and keys the server did not mention ([`NOT_ACKNOWLEDGED`]), are
    /// collected in [`DeleteObjectsOutput::errors`]; a failed batch stops the call with its
    /// error (earlier batches stay deleted).
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
            let page = self.run(&DeleteObjectsOp::new(bucket, batch)).await?;
            out.deleted.extend(page.deleted);
            out.errors.extend(page.errors);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn versions_are_matched() {
        let keys = [
            ObjectIdentifier::with_version("a", "v1"),
            ObjectIdentifier::with_version("a", "v2"),
            ObjectIdentifier::new("b"),
        ];
        let op = DeleteObjectsOp::new("bucket", &keys);
        let body = "<DeleteResult><Deleted><Key>a</Key><VersionId>v1</VersionId></Deleted>\
                    <Error><Key>b</Key><Code>AccessDenied</Code><Message>no</Message></Error>\
                    </DeleteResult>";
        let out = op
            .parse(Response {
                headers: http::HeaderMap::new(),
                body: bytes::Bytes::from(body),
            })
            .unwrap();
        let missing: Vec<_> = out
            .errors
            .iter()
            .filter(|e| e.code == NOT_ACKNOWLEDGED)
            .map(|e| (e.key.as_str(), e.version_id.as_deref()))
            .collect();
        assert_eq!(missing, [("a", Some("v2"))]);
    }
}
