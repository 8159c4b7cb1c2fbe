//! An in-process S3 server for the client tests and the walkthrough example: s3s-fs for
//! objects, wrapped by an `s3s::S3` implementation that keeps what s3s-fs answers 501 to
//! (bucket policy, public access block, versioning, notification configuration) in memory,
//! keeps object versions of versioned buckets, and answers `encoding-type=url` listings the
//! way S3 does, and answers cross-origin requests from the bucket's CORS configuration as
//! S3 does (preflights refused with 403 when no rule matches). s3s still parses every request against the S3 model and verifies SigV4, so
//! the client's encoding and signing are really exercised.
//!
//! Anonymous requests are allowed only for `GetObject` on a bucket whose stored policy
//! grants `s3:GetObject` to `*` on `arn:aws:s3:::BUCKET/*` and whose public access block
//! (if any) does not set `RestrictPublicBuckets`; a public policy is refused with
//! `AccessDenied` while `BlockPublicPolicy` is set, as on AWS.
#![allow(
    dead_code,
    reason = "each test binary and example uses a different part"
)]
// A test server keeps real timestamps for versions.
#![allow(
    clippy::disallowed_methods,
    reason = "a server stamps its answers with the clock"
)]

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use s3s::access::{S3Access, S3AccessContext};
use s3s::auth::SimpleAuth;
use s3s::dto::*;
use s3s::path::S3Path;
use s3s::service::{S3Service, S3ServiceBuilder};
use s3s::{S3, S3Error, S3ErrorCode, S3Request, S3Response, S3Result, s3_error};

/// DeleteObjects refuses keys under this prefix with a per-key `AccessDenied`.
pub const PROTECTED_PREFIX: &str = "protected/";

/// The access key the server accepts.
pub const ACCESS_KEY: &str = "AKIAS3PRESIGNTEST";
/// Its secret.
pub const SECRET_KEY: &str = "s3presign/test/secret+key";

#[derive(Clone)]
struct Version {
    id: String,
    /// `None` for a delete marker.
    data: Option<Vec<u8>>,
    etag: String,
    last_modified: std::time::SystemTime,
}

#[derive(Default)]
struct BucketState {
    policy: Option<String>,
    public_access_block: Option<PublicAccessBlockConfiguration>,
    versioning: Option<BucketVersioningStatus>,
    notification: Option<NotificationConfiguration>,
    cors: Option<Vec<CORSRule>>,
    /// Versions per key, oldest first (versioned buckets only).
    versions: BTreeMap<String, Vec<Version>>,
}

impl BucketState {
    fn versioning_enabled(&self) -> bool {
        self.versioning
            .as_ref()
            .is_some_and(|s| s.as_str() == BucketVersioningStatus::ENABLED)
    }
}

/// A part's `x-amz-checksum-*` values (one of them set).
#[derive(Clone, Default)]
struct PartChecksum {
    crc32: Option<String>,
    crc32c: Option<String>,
    crc64nvme: Option<String>,
    sha256: Option<String>,
}

impl PartChecksum {
    fn of_input(i: &UploadPartInput) -> Self {
        Self {
            crc32: i.checksum_crc32.clone(),
            crc32c: i.checksum_crc32c.clone(),
            crc64nvme: i.checksum_crc64nvme.clone(),
            sha256: i.checksum_sha256.clone(),
        }
    }

    fn is_empty(&self) -> bool {
        self.crc32.is_none()
            && self.crc32c.is_none()
            && self.crc64nvme.is_none()
            && self.sha256.is_none()
    }

    /// The same checksums, computed over `data`.
    fn compute(&self, data: &[u8]) -> Self {
        let mut h = s3s::checksum::ChecksumHasher::default();
        if self.crc32.is_some() {
            h.crc32 = Some(Default::default());
        }
        if self.crc32c.is_some() {
            h.crc32c = Some(Default::default());
        }
        if self.crc64nvme.is_some() {
            h.crc64nvme = Some(Default::default());
        }
        if self.sha256.is_some() {
            h.sha256 = Some(Default::default());
        }
        h.update(data);
        let c = h.finalize();
        Self {
            crc32: c.checksum_crc32,
            crc32c: c.checksum_crc32c,
            crc64nvme: c.checksum_crc64nvme,
            sha256: c.checksum_sha256,
        }
    }

    fn same(&self, o: &Self) -> bool {
        (&self.crc32, &self.crc32c, &self.crc64nvme, &self.sha256)
            == (&o.crc32, &o.crc32c, &o.crc64nvme, &o.sha256)
    }
}

#[derive(Default)]
struct State {
    buckets: Mutex<HashMap<String, BucketState>>,
    /// Open multipart uploads (s3s-fs lists parts of unknown uploads as empty).
    uploads: Mutex<std::collections::HashSet<String>>,
    /// The checksum each part was uploaded with (s3s-fs neither checks nor lists them):
    /// (upload id, part number) -> checksum.
    part_checksums: Mutex<HashMap<(String, i32), PartChecksum>>,
    next_version: AtomicU64,
}

impl State {
    fn with<R>(&self, bucket: &str, f: impl FnOnce(&mut BucketState) -> R) -> R {
        let mut map = self.buckets.lock().unwrap();
        f(map.entry(bucket.to_owned()).or_default())
    }
}

/// Whether a policy (JSON) grants anonymous `s3:GetObject` on every object of `bucket`.
/// Written independently of the client's `PolicyDocument` on purpose.
fn policy_is_public_read(policy: &str, bucket: &str) -> bool {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(policy) else {
        return false;
    };
    let list = |v: &serde_json::Value| -> Vec<String> {
        match v {
            serde_json::Value::String(s) => vec![s.clone()],
            serde_json::Value::Array(a) => a
                .iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect(),
            _ => vec![],
        }
    };
    let want_resource = format!("arn:aws:s3:::{bucket}/*");
    let statements = list_statements(&v);
    statements.iter().any(|s| {
        let everyone = match &s["Principal"] {
            serde_json::Value::String(p) => p == "*",
            serde_json::Value::Object(m) => m
                .get("AWS")
                .is_some_and(|a| list(a).iter().any(|x| x == "*")),
            _ => false,
        };
        s["Effect"] == "Allow"
            && everyone
            && list(&s["Action"])
                .iter()
                .any(|a| a == "s3:GetObject" || a == "s3:*")
            && list(&s["Resource"]).contains(&want_resource)
    })
}

fn list_statements(v: &serde_json::Value) -> Vec<serde_json::Value> {
    match &v["Statement"] {
        serde_json::Value::Array(a) => a.clone(),
        o @ serde_json::Value::Object(_) => vec![o.clone()],
        _ => vec![],
    }
}

/// S3's `encoding-type=url` form: unreserved bytes and `/` kept, space as `+`, the rest `%XX`.
fn url_encode_key(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// The wrapper: object calls go to s3s-fs, bucket configuration lives in memory.
pub struct ConfigServer {
    fs: s3s_fs::FileSystem,
    root: PathBuf,
    state: Arc<State>,
}

fn not_implemented_by_fs(e: &S3Error) -> bool {
    *e.code() == S3ErrorCode::NotImplemented
}

impl ConfigServer {
    fn object_path(&self, bucket: &str, key: &str) -> PathBuf {
        self.root.join(bucket).join(key)
    }

    fn new_version_id(&self) -> String {
        let n = self.state.next_version.fetch_add(1, Ordering::Relaxed);
        format!("v{n:08}")
    }

    fn check_upload(&self, upload_id: &str) -> S3Result<()> {
        if self.state.uploads.lock().unwrap().contains(upload_id) {
            Ok(())
        } else {
            Err(s3_error!(NoSuchUpload))
        }
    }

    fn bucket_exists(&self, bucket: &str) -> bool {
        self.root.join(bucket).is_dir()
    }
}

fn dir_has_files(dir: &std::path::Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let p = e.path();
        if p.is_dir() { dir_has_files(&p) } else { true }
    })
}

fn no_such_bucket() -> S3Error {
    s3_error!(NoSuchBucket)
}

#[async_trait::async_trait]
impl S3 for ConfigServer {
    // ----- pass-through object and bucket calls -----
    async fn create_bucket(
        &self,
        req: S3Request<CreateBucketInput>,
    ) -> S3Result<S3Response<CreateBucketOutput>> {
        self.fs.create_bucket(req).await
    }
    async fn head_bucket(
        &self,
        req: S3Request<HeadBucketInput>,
    ) -> S3Result<S3Response<HeadBucketOutput>> {
        self.fs.head_bucket(req).await
    }
    async fn delete_bucket(
        &self,
        req: S3Request<DeleteBucketInput>,
    ) -> S3Result<S3Response<DeleteBucketOutput>> {
        let bucket = req.input.bucket.clone();
        let has_versions = self.state.with(&bucket, |b| !b.versions.is_empty());
        // s3s-fs would remove a bucket with everything in it; S3 refuses.
        if has_versions || dir_has_files(&self.root.join(&bucket)) {
            return Err(s3_error!(
                BucketNotEmpty,
                "The bucket you tried to delete is not empty"
            ));
        }
        let out = self.fs.delete_bucket(req).await?;
        self.state.buckets.lock().unwrap().remove(&bucket);
        Ok(out)
    }
    async fn list_buckets(
        &self,
        req: S3Request<ListBucketsInput>,
    ) -> S3Result<S3Response<ListBucketsOutput>> {
        self.fs.list_buckets(req).await
    }
    async fn get_bucket_location(
        &self,
        req: S3Request<GetBucketLocationInput>,
    ) -> S3Result<S3Response<GetBucketLocationOutput>> {
        self.fs.get_bucket_location(req).await
    }
    async fn head_object(
        &self,
        req: S3Request<HeadObjectInput>,
    ) -> S3Result<S3Response<HeadObjectOutput>> {
        self.fs.head_object(req).await
    }
    async fn copy_object(
        &self,
        req: S3Request<CopyObjectInput>,
    ) -> S3Result<S3Response<CopyObjectOutput>> {
        self.fs.copy_object(req).await
    }
    async fn list_objects(
        &self,
        req: S3Request<ListObjectsInput>,
    ) -> S3Result<S3Response<ListObjectsOutput>> {
        self.fs.list_objects(req).await
    }
    async fn create_multipart_upload(
        &self,
        req: S3Request<CreateMultipartUploadInput>,
    ) -> S3Result<S3Response<CreateMultipartUploadOutput>> {
        let resp = self.fs.create_multipart_upload(req).await?;
        if let Some(id) = &resp.output.upload_id {
            self.state.uploads.lock().unwrap().insert(id.clone());
        }
        Ok(resp)
    }
    async fn upload_part(
        &self,
        req: S3Request<UploadPartInput>,
    ) -> S3Result<S3Response<UploadPartOutput>> {
        // As S3: a part whose bytes do not match its checksum is refused (BadDigest) and
        // the checksum is kept for ListParts.
        self.check_upload(&req.input.upload_id)?;
        let declared = PartChecksum::of_input(&req.input);
        let (id, n) = (req.input.upload_id.clone(), req.input.part_number);
        let resp = self.fs.upload_part(req).await?;
        if declared.is_empty() {
            return Ok(resp);
        }
        let path = self.root.join(format!(".upload_id-{id}.part-{n}"));
        let data = std::fs::read(&path).map_err(|e| s3_error!(e, InternalError))?;
        if !declared.compute(&data).same(&declared) {
            let _ = std::fs::remove_file(&path);
            return Err(s3_error!(BadDigest, "the part does not match its checksum"));
        }
        self.state
            .part_checksums
            .lock()
            .unwrap()
            .insert((id, n), declared);
        Ok(resp)
    }
    async fn list_parts(
        &self,
        req: S3Request<ListPartsInput>,
    ) -> S3Result<S3Response<ListPartsOutput>> {
        self.check_upload(&req.input.upload_id)?;
        let id = req.input.upload_id.clone();
        let mut resp = self.fs.list_parts(req).await?;
        let sums = self.state.part_checksums.lock().unwrap();
        for part in resp.output.parts.iter_mut().flatten() {
            let Some(c) = part.part_number.and_then(|n| sums.get(&(id.clone(), n))) else {
                continue;
            };
            part.checksum_crc32 = c.crc32.clone();
            part.checksum_crc32c = c.crc32c.clone();
            part.checksum_crc64nvme = c.crc64nvme.clone();
            part.checksum_sha256 = c.sha256.clone();
        }
        Ok(resp)
    }
    async fn complete_multipart_upload(
        &self,
        req: S3Request<CompleteMultipartUploadInput>,
    ) -> S3Result<S3Response<CompleteMultipartUploadOutput>> {
        let id = req.input.upload_id.clone();
        self.check_upload(&id)?;
        // As S3: a listed part checksum must be the one the part was uploaded with.
        let listed = req
            .input
            .multipart_upload
            .iter()
            .flat_map(|m| m.parts.iter().flatten());
        for p in listed {
            let given = PartChecksum {
                crc32: p.checksum_crc32.clone(),
                crc32c: p.checksum_crc32c.clone(),
                crc64nvme: p.checksum_crc64nvme.clone(),
                sha256: p.checksum_sha256.clone(),
            };
            let key = (id.clone(), p.part_number.unwrap_or(0));
            let stored = self.state.part_checksums.lock().unwrap().get(&key).cloned();
            if !given.is_empty() && !stored.is_some_and(|s| s.same(&given)) {
                return Err(s3_error!(
                    InvalidPart,
                    "a part's checksum is not the one uploaded"
                ));
            }
        }
        let resp = self.fs.complete_multipart_upload(req).await?;
        self.state.uploads.lock().unwrap().remove(&id);
        Ok(resp)
    }
    async fn abort_multipart_upload(
        &self,
        req: S3Request<AbortMultipartUploadInput>,
    ) -> S3Result<S3Response<AbortMultipartUploadOutput>> {
        let id = req.input.upload_id.clone();
        self.check_upload(&id)?;
        let resp = self.fs.abort_multipart_upload(req).await?;
        self.state.uploads.lock().unwrap().remove(&id);
        Ok(resp)
    }

    // ----- listing with S3's url encoding -----
    async fn list_objects_v2(
        &self,
        req: S3Request<ListObjectsV2Input>,
    ) -> S3Result<S3Response<ListObjectsV2Output>> {
        let mut resp = self.fs.list_objects_v2(req).await?;
        let out = &mut resp.output;
        if out
            .encoding_type
            .as_ref()
            .is_some_and(|e| e.as_str() == EncodingType::URL)
        {
            for o in out.contents.iter_mut().flatten() {
                o.key = o.key.as_deref().map(url_encode_key);
            }
            for p in out.common_prefixes.iter_mut().flatten() {
                p.prefix = p.prefix.as_deref().map(url_encode_key);
            }
            out.prefix = out.prefix.as_deref().map(url_encode_key);
            out.start_after = out.start_after.as_deref().map(url_encode_key);
            out.delimiter = out.delimiter.as_deref().map(url_encode_key);
        }
        Ok(resp)
    }

    // ----- versions -----
    async fn put_object(
        &self,
        req: S3Request<PutObjectInput>,
    ) -> S3Result<S3Response<PutObjectOutput>> {
        let bucket = req.input.bucket.clone();
        let key = req.input.key.clone();
        let path = self.object_path(&bucket, &key);
        let previous = std::fs::read(&path).ok();
        let mut resp = match self.fs.put_object(req).await {
            Ok(resp) => resp,
            Err(e) => {
                // s3s-fs checks a checksum after writing the file; S3 stores nothing.
                if *e.code() == S3ErrorCode::BadDigest {
                    let _ = match &previous {
                        Some(p) => std::fs::write(&path, p),
                        None => std::fs::remove_file(&path),
                    };
                }
                return Err(e);
            }
        };
        let versioned = self.state.with(&bucket, |b| b.versioning_enabled());
        if versioned {
            let data = std::fs::read(&path).map_err(|e| s3_error!(e, InternalError))?;
            let etag = resp
                .output
                .e_tag
                .as_ref()
                .map(|e| e.value().to_owned())
                .unwrap_or_default();
            let id = self.new_version_id();
            self.state.with(&bucket, |b| {
                let list = b.versions.entry(key.clone()).or_default();
                if list.is_empty()
                    && let Some(prev) = previous
                {
                    // Written before versioning was enabled: the "null" version.
                    list.push(Version {
                        id: "null".into(),
                        data: Some(prev),
                        etag: String::new(),
                        last_modified: std::time::SystemTime::now(),
                    });
                }
                list.push(Version {
                    id: id.clone(),
                    data: Some(data),
                    etag,
                    last_modified: std::time::SystemTime::now(),
                });
            });
            resp.output.version_id = Some(id);
        }
        Ok(resp)
    }

    async fn get_object(
        &self,
        req: S3Request<GetObjectInput>,
    ) -> S3Result<S3Response<GetObjectOutput>> {
        if let Some(vid) = req.input.version_id.clone() {
            let bucket = req.input.bucket.clone();
            let key = req.input.key.clone();
            let found = self.state.with(&bucket, |b| {
                b.versions
                    .get(&key)
                    .and_then(|l| l.iter().find(|v| v.id == vid).cloned())
            });
            return match found {
                Some(Version {
                    data: Some(data),
                    id,
                    etag,
                    last_modified,
                }) => {
                    let len = data.len() as i64;
                    let out = GetObjectOutput {
                        body: Some(StreamingBlob::from(s3s::Body::from(data))),
                        content_length: Some(len),
                        version_id: Some(id),
                        e_tag: (!etag.is_empty()).then_some(ETag::Strong(etag)),
                        last_modified: Some(Timestamp::from(last_modified)),
                        ..Default::default()
                    };
                    Ok(S3Response::new(out))
                }
                Some(_) => Err(s3_error!(
                    MethodNotAllowed,
                    "the version is a delete marker"
                )),
                None => Err(s3_error!(NoSuchVersion)),
            };
        }
        let bucket = req.input.bucket.clone();
        let key = req.input.key.clone();
        let has_versions = self.state.with(&bucket, |b| b.versions.contains_key(&key));
        let if_match = req.input.if_match.clone();
        let mut resp = self.fs.get_object(req).await?;
        // s3s-fs ignores If-Match on GET; S3 answers 412 when the ETag differs.
        if let (Some(ETagCondition::ETag(want)), Some(have)) = (&if_match, &resp.output.e_tag)
            && !want.strong_cmp(have)
        {
            return Err(s3_error!(PreconditionFailed));
        }
        if has_versions {
            // The store keeps one checksum per key, from the last write; after a version
            // is removed the file holds an older version's bytes. S3 keeps a checksum per
            // version; this double has none to give, so it gives none.
            let out = &mut resp.output;
            out.checksum_crc32 = None;
            out.checksum_crc32c = None;
            out.checksum_crc64nvme = None;
            out.checksum_sha1 = None;
            out.checksum_sha256 = None;
            out.checksum_type = None;
        }
        Ok(resp)
    }

    async fn delete_object(
        &self,
        req: S3Request<DeleteObjectInput>,
    ) -> S3Result<S3Response<DeleteObjectOutput>> {
        let bucket = req.input.bucket.clone();
        let key = req.input.key.clone();
        let vid = req.input.version_id.clone();
        let (versioned, has_versions) = self.state.with(&bucket, |b| {
            (b.versioning_enabled(), b.versions.contains_key(&key))
        });
        if !versioned && !has_versions {
            return self.fs.delete_object(req).await;
        }
        let path = self.object_path(&bucket, &key);
        match vid {
            None => {
                // A delete marker becomes the current version.
                let id = self.new_version_id();
                self.state.with(&bucket, |b| {
                    b.versions.entry(key.clone()).or_default().push(Version {
                        id: id.clone(),
                        data: None,
                        etag: String::new(),
                        last_modified: std::time::SystemTime::now(),
                    })
                });
                let _ = std::fs::remove_file(&path);
                let out = DeleteObjectOutput {
                    delete_marker: Some(true),
                    version_id: Some(id),
                    ..Default::default()
                };
                Ok(S3Response::new(out))
            }
            Some(vid) => {
                let (was_marker, new_current) = self.state.with(&bucket, |b| {
                    let Some(list) = b.versions.get_mut(&key) else {
                        return (None, None);
                    };
                    let Some(pos) = list.iter().position(|v| v.id == vid) else {
                        return (None, None);
                    };
                    let removed = list.remove(pos);
                    let current = list.last().map(|v| v.data.clone());
                    if list.is_empty() {
                        b.versions.remove(&key);
                    }
                    (Some(removed.data.is_none()), Some(current))
                });
                match new_current {
                    // Unknown version: S3 answers 204 all the same.
                    None => {}
                    Some(Some(Some(data))) => {
                        std::fs::write(&path, data).map_err(|e| s3_error!(e, InternalError))?;
                    }
                    Some(_) => {
                        let _ = std::fs::remove_file(&path);
                    }
                }
                let out = DeleteObjectOutput {
                    delete_marker: was_marker.filter(|m| *m),
                    version_id: Some(vid),
                    ..Default::default()
                };
                Ok(S3Response::new(out))
            }
        }
    }

    async fn delete_objects(
        &self,
        req: S3Request<DeleteObjectsInput>,
    ) -> S3Result<S3Response<DeleteObjectsOutput>> {
        let bucket = req.input.bucket.clone();
        let versioned = self.state.with(&bucket, |b| {
            b.versioning_enabled() || !b.versions.is_empty()
        });
        if !versioned {
            // Keys under `protected/` cannot be deleted (as if under object lock): they come
            // back as per-key errors, which the client must report.
            let mut req = req;
            let (protected, rest): (Vec<_>, Vec<_>) = req
                .input
                .delete
                .objects
                .drain(..)
                .partition(|o| o.key.starts_with(PROTECTED_PREFIX));
            req.input.delete.objects = rest;
            let mut resp = self.fs.delete_objects(req).await?;
            if !protected.is_empty() {
                resp.output.errors = Some(
                    protected
                        .into_iter()
                        .map(|o| Error {
                            code: Some("AccessDenied".into()),
                            key: Some(o.key),
                            message: Some(
                                "Access Denied because object protected by object lock.".into(),
                            ),
                            version_id: o.version_id,
                        })
                        .collect(),
                );
            }
            return Ok(resp);
        }
        let mut deleted = Vec::new();
        for obj in req.input.delete.objects.clone() {
            let input = DeleteObjectInput {
                bucket: bucket.clone(),
                key: obj.key.clone(),
                version_id: obj.version_id.clone(),
                ..Default::default()
            };
            let sub = S3Request {
                input,
                method: req.method.clone(),
                uri: req.uri.clone(),
                headers: req.headers.clone(),
                extensions: Default::default(),
                credentials: req.credentials.clone(),
                region: req.region.clone(),
                service: req.service.clone(),
                trailing_headers: None,
            };
            let out = self.delete_object(sub).await?.output;
            deleted.push(DeletedObject {
                key: Some(obj.key),
                version_id: obj.version_id,
                delete_marker: out.delete_marker,
                delete_marker_version_id: out.delete_marker.and(out.version_id),
            });
        }
        Ok(S3Response::new(DeleteObjectsOutput {
            deleted: Some(deleted),
            ..Default::default()
        }))
    }

    async fn list_object_versions(
        &self,
        req: S3Request<ListObjectVersionsInput>,
    ) -> S3Result<S3Response<ListObjectVersionsOutput>> {
        let input = req.input;
        if !self.bucket_exists(&input.bucket) {
            return Err(no_such_bucket());
        }
        let prefix = input.prefix.clone().unwrap_or_default();
        let url = input
            .encoding_type
            .as_ref()
            .is_some_and(|e| e.as_str() == EncodingType::URL);
        let enc = |s: &str| if url { url_encode_key(s) } else { s.to_owned() };
        let (versions, markers) = self.state.with(&input.bucket, |b| {
            let mut versions = Vec::new();
            let mut markers = Vec::new();
            for (key, list) in b.versions.range(prefix.clone()..) {
                if !key.starts_with(&prefix) {
                    break;
                }
                // Newest first, as S3 lists them.
                for (i, v) in list.iter().enumerate().rev() {
                    let is_latest = Some(i + 1 == list.len());
                    match &v.data {
                        Some(d) => versions.push(ObjectVersion {
                            key: Some(enc(key)),
                            version_id: Some(v.id.clone()),
                            is_latest,
                            size: Some(d.len() as i64),
                            e_tag: (!v.etag.is_empty()).then(|| ETag::Strong(v.etag.clone())),
                            last_modified: Some(Timestamp::from(v.last_modified)),
                            ..Default::default()
                        }),
                        None => markers.push(DeleteMarkerEntry {
                            key: Some(enc(key)),
                            version_id: Some(v.id.clone()),
                            is_latest,
                            last_modified: Some(Timestamp::from(v.last_modified)),
                            ..Default::default()
                        }),
                    }
                }
            }
            (versions, markers)
        });
        Ok(S3Response::new(ListObjectVersionsOutput {
            name: Some(input.bucket),
            prefix: input.prefix,
            encoding_type: input.encoding_type,
            is_truncated: Some(false),
            versions: Some(versions),
            delete_markers: Some(markers),
            ..Default::default()
        }))
    }

    async fn get_bucket_versioning(
        &self,
        req: S3Request<GetBucketVersioningInput>,
    ) -> S3Result<S3Response<GetBucketVersioningOutput>> {
        if !self.bucket_exists(&req.input.bucket) {
            return Err(no_such_bucket());
        }
        let status = self.state.with(&req.input.bucket, |b| b.versioning.clone());
        Ok(S3Response::new(GetBucketVersioningOutput {
            status,
            ..Default::default()
        }))
    }

    async fn put_bucket_versioning(
        &self,
        req: S3Request<PutBucketVersioningInput>,
    ) -> S3Result<S3Response<PutBucketVersioningOutput>> {
        if !self.bucket_exists(&req.input.bucket) {
            return Err(no_such_bucket());
        }
        let status = req.input.versioning_configuration.status.clone();
        self.state
            .with(&req.input.bucket, |b| b.versioning = status);
        Ok(S3Response::new(PutBucketVersioningOutput::default()))
    }

    // ----- policy -----
    async fn get_bucket_policy(
        &self,
        req: S3Request<GetBucketPolicyInput>,
    ) -> S3Result<S3Response<GetBucketPolicyOutput>> {
        if !self.bucket_exists(&req.input.bucket) {
            return Err(no_such_bucket());
        }
        match self.state.with(&req.input.bucket, |b| b.policy.clone()) {
            Some(policy) => Ok(S3Response::new(GetBucketPolicyOutput {
                policy: Some(policy),
            })),
            None => Err(s3_error!(
                NoSuchBucketPolicy,
                "The bucket policy does not exist"
            )),
        }
    }

    async fn put_bucket_policy(
        &self,
        req: S3Request<PutBucketPolicyInput>,
    ) -> S3Result<S3Response<PutBucketPolicyOutput>> {
        let bucket = req.input.bucket.clone();
        if !self.bucket_exists(&bucket) {
            return Err(no_such_bucket());
        }
        let policy = req.input.policy.clone();
        if serde_json::from_str::<serde_json::Value>(&policy).is_err() {
            return Err(s3_error!(MalformedPolicy, "Policies must be valid JSON"));
        }
        let blocked = self.state.with(&bucket, |b| {
            b.public_access_block
                .as_ref()
                .is_some_and(|p| p.block_public_policy == Some(true))
        });
        if blocked && policy_is_public_read(&policy, &bucket) {
            return Err(s3_error!(
                AccessDenied,
                "public policies are blocked by the BlockPublicPolicy block public access setting"
            ));
        }
        self.state.with(&bucket, |b| b.policy = Some(policy));
        Ok(S3Response::new(PutBucketPolicyOutput::default()))
    }

    async fn delete_bucket_policy(
        &self,
        req: S3Request<DeleteBucketPolicyInput>,
    ) -> S3Result<S3Response<DeleteBucketPolicyOutput>> {
        if !self.bucket_exists(&req.input.bucket) {
            return Err(no_such_bucket());
        }
        self.state.with(&req.input.bucket, |b| b.policy = None);
        Ok(S3Response::new(DeleteBucketPolicyOutput::default()))
    }

    // ----- public access block -----
    async fn get_public_access_block(
        &self,
        req: S3Request<GetPublicAccessBlockInput>,
    ) -> S3Result<S3Response<GetPublicAccessBlockOutput>> {
        if !self.bucket_exists(&req.input.bucket) {
            return Err(no_such_bucket());
        }
        match self
            .state
            .with(&req.input.bucket, |b| b.public_access_block.clone())
        {
            Some(c) => Ok(S3Response::new(GetPublicAccessBlockOutput {
                public_access_block_configuration: Some(c),
            })),
            None => {
                let mut e = S3Error::with_message(
                    S3ErrorCode::Custom("NoSuchPublicAccessBlockConfiguration".into()),
                    "The public access block configuration was not found",
                );
                e.set_status_code(http::StatusCode::NOT_FOUND);
                Err(e)
            }
        }
    }

    async fn put_public_access_block(
        &self,
        req: S3Request<PutPublicAccessBlockInput>,
    ) -> S3Result<S3Response<PutPublicAccessBlockOutput>> {
        if !self.bucket_exists(&req.input.bucket) {
            return Err(no_such_bucket());
        }
        let c = req.input.public_access_block_configuration.clone();
        self.state
            .with(&req.input.bucket, |b| b.public_access_block = Some(c));
        Ok(S3Response::new(PutPublicAccessBlockOutput::default()))
    }

    async fn delete_public_access_block(
        &self,
        req: S3Request<DeletePublicAccessBlockInput>,
    ) -> S3Result<S3Response<DeletePublicAccessBlockOutput>> {
        if !self.bucket_exists(&req.input.bucket) {
            return Err(no_such_bucket());
        }
        self.state
            .with(&req.input.bucket, |b| b.public_access_block = None);
        Ok(S3Response::new(DeletePublicAccessBlockOutput::default()))
    }

    // ----- CORS -----
    async fn get_bucket_cors(
        &self,
        req: S3Request<GetBucketCorsInput>,
    ) -> S3Result<S3Response<GetBucketCorsOutput>> {
        if !self.bucket_exists(&req.input.bucket) {
            return Err(no_such_bucket());
        }
        match self.state.with(&req.input.bucket, |b| b.cors.clone()) {
            Some(rules) => Ok(S3Response::new(GetBucketCorsOutput {
                cors_rules: Some(rules),
            })),
            None => Err(s3_error!(
                NoSuchCORSConfiguration,
                "The CORS configuration does not exist"
            )),
        }
    }

    async fn put_bucket_cors(
        &self,
        req: S3Request<PutBucketCorsInput>,
    ) -> S3Result<S3Response<PutBucketCorsOutput>> {
        if !self.bucket_exists(&req.input.bucket) {
            return Err(no_such_bucket());
        }
        // S3 requires an integrity header on this call.
        let integrity = req.input.content_md5.is_some()
            || req
                .headers
                .keys()
                .any(|h| h.as_str().starts_with("x-amz-checksum-"));
        if !integrity {
            return Err(s3_error!(
                InvalidRequest,
                "Missing required header for this request: Content-MD5"
            ));
        }
        let rules = req.input.cors_configuration.cors_rules;
        if rules.is_empty()
            || rules.len() > 100
            || rules
                .iter()
                .any(|r| r.allowed_origins.is_empty() || r.allowed_methods.is_empty())
        {
            return Err(s3_error!(MalformedXML));
        }
        self.state.with(&req.input.bucket, |b| b.cors = Some(rules));
        Ok(S3Response::new(PutBucketCorsOutput::default()))
    }

    async fn delete_bucket_cors(
        &self,
        req: S3Request<DeleteBucketCorsInput>,
    ) -> S3Result<S3Response<DeleteBucketCorsOutput>> {
        if !self.bucket_exists(&req.input.bucket) {
            return Err(no_such_bucket());
        }
        self.state.with(&req.input.bucket, |b| b.cors = None);
        Ok(S3Response::new(DeleteBucketCorsOutput::default()))
    }

    // ----- notifications -----
    async fn get_bucket_notification_configuration(
        &self,
        req: S3Request<GetBucketNotificationConfigurationInput>,
    ) -> S3Result<S3Response<GetBucketNotificationConfigurationOutput>> {
        if !self.bucket_exists(&req.input.bucket) {
            return Err(no_such_bucket());
        }
        let c = self
            .state
            .with(&req.input.bucket, |b| b.notification.clone())
            .unwrap_or_default();
        Ok(S3Response::new(GetBucketNotificationConfigurationOutput {
            event_bridge_configuration: c.event_bridge_configuration,
            lambda_function_configurations: c.lambda_function_configurations,
            queue_configurations: c.queue_configurations,
            topic_configurations: c.topic_configurations,
        }))
    }

    async fn put_bucket_notification_configuration(
        &self,
        req: S3Request<PutBucketNotificationConfigurationInput>,
    ) -> S3Result<S3Response<PutBucketNotificationConfigurationOutput>> {
        if !self.bucket_exists(&req.input.bucket) {
            return Err(no_such_bucket());
        }
        let mut c = req.input.notification_configuration.clone();
        // As S3 does, give every target an id.
        for l in c.lambda_function_configurations.iter_mut().flatten() {
            if l.id.is_none() {
                l.id = Some(self.new_version_id());
            }
        }
        self.state
            .with(&req.input.bucket, |b| b.notification = Some(c));
        Ok(S3Response::new(
            PutBucketNotificationConfigurationOutput::default(),
        ))
    }
}

/// Signed requests pass; anonymous ones only for a public-read GetObject.
struct PolicyAccess {
    state: Arc<State>,
}

#[async_trait::async_trait]
impl S3Access for PolicyAccess {
    async fn check(&self, cx: &mut S3AccessContext<'_>) -> S3Result<()> {
        if cx.credentials().is_some() {
            return Ok(());
        }
        if cx.s3_op().name() == "GetObject"
            && let S3Path::Object { bucket, .. } = cx.s3_path()
        {
            let allowed = self.state.with(bucket, |b| {
                let restricted = b
                    .public_access_block
                    .as_ref()
                    .is_some_and(|p| p.restrict_public_buckets == Some(true));
                !restricted
                    && b.policy
                        .as_deref()
                        .is_some_and(|p| policy_is_public_read(p, bucket))
            });
            if allowed {
                return Ok(());
            }
        }
        Err(s3_error!(AccessDenied, "Access Denied"))
    }
}

/// `BUCKET.DOMAIN[:port]` is virtual-hosted, anything else path-style (s3s's own
/// `SingleDomain` does not strip a port).
struct PortAwareDomain(String);

impl s3s::host::S3Host for PortAwareDomain {
    fn parse_host_header<'a>(&'a self, host: &'a str) -> S3Result<s3s::host::VirtualHost<'a>> {
        let name = match host.rsplit_once(':') {
            Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => host,
        };
        let vh = s3s::host::VirtualHost::new(self.0.as_str());
        match name
            .strip_suffix(self.0.as_str())
            .and_then(|b| b.strip_suffix('.'))
        {
            Some(bucket) if !bucket.is_empty() => Ok(vh.with_bucket(bucket)),
            _ => Ok(vh),
        }
    }
}

/// Builds the wrapped service over a fresh s3s-fs root.
pub fn service(root: &std::path::Path) -> S3Service {
    service_with_domain(root, None)
}

/// As [`service`], also accepting virtual-hosted requests (`BUCKET.DOMAIN[:port]`).
pub fn service_with_domain(root: &std::path::Path, domain: Option<&str>) -> S3Service {
    build(root, domain).0
}

fn build(root: &std::path::Path, domain: Option<&str>) -> (S3Service, Arc<State>) {
    let state = Arc::new(State::default());
    let fs = s3s_fs::FileSystem::new(root).expect("s3s-fs root");
    let root = root.canonicalize().expect("canonical root");
    let server = ConfigServer {
        fs,
        root,
        state: Arc::clone(&state),
    };
    let mut b = S3ServiceBuilder::new(server);
    b.set_auth(SimpleAuth::from_single(ACCESS_KEY, SECRET_KEY));
    b.set_access(PolicyAccess {
        state: Arc::clone(&state),
    });
    if let Some(d) = domain {
        b.set_host(PortAwareDomain(d.to_owned()));
    }
    (b.build(), state)
}

// ----- CORS, as S3 answers it -----

/// `*` in a CORS pattern matches any run of characters (S3 allows one per pattern).
fn wildcard_match(pattern: &str, value: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == value,
        Some((pre, suf)) => {
            value.len() >= pre.len() + suf.len() && value.starts_with(pre) && value.ends_with(suf)
        }
    }
}

/// The `Access-Control-Request-Headers` list, lowercased (at most 64 names).
fn requested_headers(value: Option<&str>) -> Vec<String> {
    value
        .unwrap_or("")
        .split(',')
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .take(64)
        .collect()
}

/// The first rule allowing `origin` to use `method` with all of `headers`: how S3 picks.
pub fn matching_rule<'r>(
    rules: &'r [CORSRule],
    origin: &str,
    method: &str,
    headers: &[String],
) -> Option<&'r CORSRule> {
    rules.iter().find(|r| {
        r.allowed_origins.iter().any(|o| wildcard_match(o, origin))
            && r.allowed_methods.iter().any(|m| m == method)
            && headers.iter().all(|h| {
                r.allowed_headers
                    .iter()
                    .flatten()
                    .any(|a| wildcard_match(&a.to_ascii_lowercase(), h))
            })
    })
}

/// The `Access-Control-*` headers S3 sends for `rule` (`requested`: a preflight's
/// requested headers, echoed in `Access-Control-Allow-Headers`).
pub fn cors_headers(
    rule: &CORSRule,
    origin: &str,
    requested: Option<&[String]>,
) -> Vec<(&'static str, String)> {
    let any_origin = rule.allowed_origins.iter().any(|o| o == "*");
    let mut out = vec![(
        "access-control-allow-origin",
        if any_origin {
            "*".to_owned()
        } else {
            origin.to_owned()
        },
    )];
    out.push((
        "access-control-allow-methods",
        rule.allowed_methods.join(", "),
    ));
    if let Some(h) = requested.filter(|h| !h.is_empty()) {
        out.push(("access-control-allow-headers", h.join(", ")));
    }
    if let Some(e) = rule.expose_headers.as_ref().filter(|e| !e.is_empty()) {
        out.push(("access-control-expose-headers", e.join(", ")));
    }
    if let Some(age) = rule.max_age_seconds {
        out.push(("access-control-max-age", age.to_string()));
    }
    if !any_origin {
        out.push(("access-control-allow-credentials", "true".to_owned()));
    }
    out.push((
        "vary",
        "Origin, Access-Control-Request-Headers, Access-Control-Request-Method".to_owned(),
    ));
    out
}

fn cors_error(status: u16, code: &str, message: &str) -> s3s::HttpResponse {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    );
    let mut resp = http::Response::new(s3s::Body::from(body));
    *resp.status_mut() = http::StatusCode::from_u16(status).expect("status");
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/xml"),
    );
    resp
}

/// S3's answer to a preflight (`OPTIONS`) given the bucket's rules, if any.
pub fn preflight(
    rules: Option<&[CORSRule]>,
    origin: &str,
    method: Option<&str>,
    request_headers: Option<&str>,
) -> s3s::HttpResponse {
    let Some(method) = method else {
        return cors_error(
            400,
            "BadRequest",
            "Insufficient information. Access-Control-Request-Method header needed.",
        );
    };
    let Some(rules) = rules else {
        return cors_error(
            403,
            "AccessForbidden",
            "CORSResponse: CORS is not enabled for this bucket.",
        );
    };
    let headers = requested_headers(request_headers);
    match matching_rule(rules, origin, method, &headers) {
        Some(rule) => {
            let mut resp = http::Response::new(s3s::Body::empty());
            for (name, value) in cors_headers(rule, origin, Some(&headers)) {
                if let Ok(v) = http::HeaderValue::from_str(&value) {
                    resp.headers_mut().append(name, v);
                }
            }
            resp
        }
        None => cors_error(
            403,
            "AccessForbidden",
            "CORSResponse: This CORS request is not allowed. This is usually because the \
             evaluation of Origin, request method / Access-Control-Request-Method or \
             Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
        ),
    }
}

/// Answers preflights and adds CORS headers to cross-origin requests, from the bucket's
/// stored configuration; everything else goes to the inner service untouched.
#[derive(Clone)]
pub struct CorsService<S> {
    inner: S,
    state: Arc<State>,
    domain: Option<String>,
}

impl<S> CorsService<S> {
    fn bucket_of<B>(&self, req: &http::Request<B>) -> Option<String> {
        if let Some(domain) = &self.domain {
            let host = req.headers().get(http::header::HOST)?.to_str().ok()?;
            let name = host.rsplit_once(':').map_or(host, |(h, _)| h);
            let bucket = name.strip_suffix(domain.as_str())?.strip_suffix('.')?;
            return (!bucket.is_empty()).then(|| bucket.to_owned());
        }
        let first = req.uri().path().trim_start_matches('/').split('/').next()?;
        (!first.is_empty()).then(|| first.to_owned())
    }

    fn rules_of<B>(&self, req: &http::Request<B>) -> Option<Vec<CORSRule>> {
        let bucket = self.bucket_of(req)?;
        let map = self.state.buckets.lock().unwrap();
        map.get(&bucket).and_then(|b| b.cors.clone())
    }
}

type BoxFuture<T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send>>;

impl<S> hyper::service::Service<http::Request<hyper::body::Incoming>> for CorsService<S>
where
    S: hyper::service::Service<
            http::Request<hyper::body::Incoming>,
            Response = s3s::HttpResponse,
            Error = s3s::HttpError,
        >,
    S::Future: Send + 'static,
{
    type Response = s3s::HttpResponse;
    type Error = s3s::HttpError;
    type Future = BoxFuture<Result<s3s::HttpResponse, s3s::HttpError>>;

    fn call(&self, req: http::Request<hyper::body::Incoming>) -> Self::Future {
        let header = |name: &str| {
            req.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let Some(origin) = header("origin") else {
            if req.method() == http::Method::OPTIONS {
                let answer = cors_error(
                    400,
                    "BadRequest",
                    "Insufficient information. Origin request header needed.",
                );
                return Box::pin(async move { Ok(answer) });
            }
            return Box::pin(self.inner.call(req));
        };
        let rules = self.rules_of(&req);
        if req.method() == http::Method::OPTIONS {
            let answer = preflight(
                rules.as_deref(),
                &origin,
                header("access-control-request-method").as_deref(),
                header("access-control-request-headers").as_deref(),
            );
            return Box::pin(async move { Ok(answer) });
        }
        let method = req.method().as_str().to_owned();
        let add = rules.and_then(|r| {
            matching_rule(&r, &origin, &method, &[]).map(|rule| cors_headers(rule, &origin, None))
        });
        let fut = self.inner.call(req);
        Box::pin(async move {
            let mut resp = fut.await?;
            for (name, value) in add.into_iter().flatten() {
                if let Ok(v) = http::HeaderValue::from_str(&value) {
                    resp.headers_mut().append(name, v);
                }
            }
            Ok(resp)
        })
    }
}

/// What a server answers a request with.
pub type Answer = BoxFuture<Result<s3s::HttpResponse, s3s::HttpError>>;

/// A test's stand-in in front of the server (fault injection, delays, records): it sees each
/// request first and answers it itself or passes it to `inner`.
pub trait Intercept: Clone + Send + Sync + 'static {
    fn intercept(&self, inner: &S3Service, req: http::Request<hyper::body::Incoming>) -> Answer;
}

/// Passes `req` on to the server.
pub fn pass(inner: &S3Service, req: http::Request<hyper::body::Incoming>) -> Answer {
    Box::pin(hyper::service::Service::call(inner, req))
}

/// The server's service with `hook` in front of it.
#[derive(Clone)]
pub struct Intercepted<I> {
    inner: S3Service,
    hook: I,
}

impl<I: Intercept> hyper::service::Service<http::Request<hyper::body::Incoming>>
    for Intercepted<I>
{
    type Response = s3s::HttpResponse;
    type Error = s3s::HttpError;
    type Future = Answer;

    fn call(&self, req: http::Request<hyper::body::Incoming>) -> Answer {
        self.hook.intercept(&self.inner, req)
    }
}

/// Starts the server with `hook` in front of it.
pub async fn start_intercepted<I: Intercept>(hook: I) -> Server {
    start_inner(None, move |inner| Intercepted { inner, hook }).await
}

/// A running server; dropping it stops accepting connections and removes its files.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// The bound address.
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts the server on 127.0.0.1 (any free port). Call inside a tokio runtime.
pub async fn start() -> Server {
    start_inner(None, |svc| svc).await
}

/// Starts a server that also serves virtual-hosted requests under `domain` (only
/// `BUCKET.DOMAIN` hosts: path-style requests to the IP address no longer work).
pub async fn start_virtual_hosted(domain: &str) -> Server {
    start_inner(Some(domain), |svc| svc).await
}

async fn start_inner<S, F>(domain: Option<&str>, wrap: F) -> Server
where
    F: FnOnce(S3Service) -> S,
    S: hyper::service::Service<
            http::Request<hyper::body::Incoming>,
            Response = s3s::HttpResponse,
            Error = s3s::HttpError,
        > + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
{
    let dir = tempfile::tempdir().expect("tempdir");
    let (svc, state) = build(dir.path(), domain);
    let svc = CorsService {
        inner: wrap(svc),
        state,
        domain: domain.map(str::to_owned),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let svc = svc.clone();
            tokio::spawn(async move {
                let io = hyper_util::rt::TokioIo::new(stream);
                let _ = hyper_util::server::conn::auto::Builder::new(
                    hyper_util::rt::TokioExecutor::new(),
                )
                .serve_connection(io, svc)
                .await;
            });
        }
    });
    Server {
        endpoint: format!("http://{addr}"),
        addr,
        task,
        _dir: dir,
    }
}

#[cfg(test)]
mod cors_tests {
    use super::*;

    fn rule(origins: &[&str], methods: &[&str], headers: &[&str]) -> CORSRule {
        CORSRule {
            allowed_origins: origins.iter().map(|s| s.to_string()).collect(),
            allowed_methods: methods.iter().map(|s| s.to_string()).collect(),
            allowed_headers: Some(headers.iter().map(|s| s.to_string()).collect()),
            expose_headers: Some(vec!["ETag".into()]),
            id: None,
            max_age_seconds: Some(600),
        }
    }

    fn header<'a>(r: &'a s3s::HttpResponse, name: &str) -> Option<&'a str> {
        r.headers().get(name).and_then(|v| v.to_str().ok())
    }

    #[test]
    fn preflight_answers_from_the_first_matching_rule() {
        let rules = [
            rule(&["https://other.example"], &["GET"], &[]),
            rule(
                &["http://127.0.0.1:*"],
                &["PUT", "POST"],
                &["Content-Type", "x-amz-*"],
            ),
            rule(&["*"], &["PUT"], &["*"]),
        ];
        let r = preflight(
            Some(&rules),
            "http://127.0.0.1:8080",
            Some("PUT"),
            Some("content-type, X-Amz-Checksum-Sha256"),
        );
        assert_eq!(r.status(), 200);
        assert_eq!(
            header(&r, "access-control-allow-origin"),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(
            header(&r, "access-control-allow-methods"),
            Some("PUT, POST")
        );
        assert_eq!(
            header(&r, "access-control-allow-headers"),
            Some("content-type, x-amz-checksum-sha256")
        );
        assert_eq!(header(&r, "access-control-expose-headers"), Some("ETag"));
        assert_eq!(header(&r, "access-control-max-age"), Some("600"));
        assert!(header(&r, "vary").is_some_and(|v| v.starts_with("Origin")));
        // A header the second rule does not allow: the third (any origin) answers.
        let r = preflight(
            Some(&rules),
            "http://127.0.0.1:8080",
            Some("PUT"),
            Some("x-custom"),
        );
        assert_eq!(r.status(), 200);
        assert_eq!(header(&r, "access-control-allow-origin"), Some("*"));
    }

    #[test]
    fn preflight_is_refused_without_a_matching_rule_or_configuration() {
        let rules = [rule(
            &["http://127.0.0.1:8080"],
            &["PUT"],
            &["content-type"],
        )];
        for (origin, method, headers) in [
            ("http://127.0.0.1:9999", "PUT", None),
            ("http://127.0.0.1:8080", "DELETE", None),
            ("http://127.0.0.1:8080", "PUT", Some("x-amz-meta-owner")),
        ] {
            let r = preflight(Some(&rules), origin, Some(method), headers);
            assert_eq!(r.status(), 403, "{origin} {method} {headers:?}");
            assert!(header(&r, "access-control-allow-origin").is_none());
        }
        let r = preflight(None, "http://127.0.0.1:8080", Some("PUT"), None);
        assert_eq!(r.status(), 403);
        let r = preflight(Some(&rules), "http://127.0.0.1:8080", None, None);
        assert_eq!(r.status(), 400);
    }

    #[test]
    fn actual_requests_get_headers_only_from_a_matching_rule() {
        let rules = [rule(&["http://a.example"], &["GET"], &[])];
        let m = matching_rule(&rules, "http://a.example", "GET", &[]).unwrap();
        let h = cors_headers(m, "http://a.example", None);
        assert!(h.contains(&("access-control-allow-origin", "http://a.example".into())));
        assert!(h.contains(&("access-control-expose-headers", "ETag".into())));
        assert!(!h.iter().any(|(n, _)| *n == "access-control-allow-headers"));
        assert!(matching_rule(&rules, "http://a.example", "PUT", &[]).is_none());
        assert!(matching_rule(&rules, "http://b.example", "GET", &[]).is_none());
        assert!(matching_rule(&rules, "http://a.example.evil", "GET", &[]).is_none());
    }
}
