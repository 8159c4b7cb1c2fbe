//! `Client::upload`: one PUT below the threshold, a parallel multipart upload above it,
//! aborted on failure or cancellation.

use std::boxed::Box;
use std::path::PathBuf;
use std::string::String;
use std::vec::Vec;

use bytes::Bytes;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::task::JoinSet;

use super::combine::Combine;
use super::{
    Cancel, Counter, DEFAULT_CONCURRENCY, DEFAULT_PART_SIZE, MAX_PART_SIZE, MAX_PARTS, Progress,
    check_sizes, join_error, part_size_for,
};
use crate::client::checksum::{Checksum, ChecksumAlgorithm, ChecksumType, Integrity};
use crate::client::error::{Error, Result};
use crate::client::{
    Client, CompleteMultipartUploadOp, CompletedPart, CreateMultipartUpload, PutObject, UploadPart,
};

/// Options for [`Client::upload`].
///
/// ```
/// use s3presign::client::Upload;
/// let opts = Upload::new()
///     .part_size(16 * 1024 * 1024)
///     .concurrency(4)
///     .content_type("video/mp4")
///     .on_progress(|done, total| eprintln!("{done}/{total:?}"));
/// # let _ = opts;
/// ```
#[derive(Debug, Clone)]
pub struct Upload {
    threshold: u64,
    part_size: u64,
    concurrency: usize,
    content_type: Option<String>,
    checksum: (ChecksumAlgorithm, ChecksumType),
    progress: Option<Progress>,
    cancel: Option<Cancel>,
}

impl Default for Upload {
    fn default() -> Self {
        Self {
            threshold: DEFAULT_PART_SIZE,
            part_size: DEFAULT_PART_SIZE,
            concurrency: DEFAULT_CONCURRENCY,
            content_type: None,
            checksum: (ChecksumAlgorithm::Crc64Nvme, ChecksumType::FullObject),
            progress: None,
            cancel: None,
        }
    }
}

impl Upload {
    /// 8 MiB threshold and parts, 8 parts in flight, a full-object CRC64NVME checksum.
    pub fn new() -> Self {
        Self::default()
    }
    /// Objects up to this many bytes go in one PUT (at most 5 GiB); larger ones in parts.
    #[must_use]
    pub fn threshold(mut self, bytes: u64) -> Self {
        self.threshold = bytes;
        self
    }
    /// The part size (5 MiB to 5 GiB), raised when the source's length needs more than
    /// 10,000 parts.
    #[must_use]
    pub fn part_size(mut self, bytes: u64) -> Self {
        self.part_size = bytes;
        self
    }
    /// How many parts are uploaded at once (memory is about this × the part size).
    #[must_use]
    pub fn concurrency(mut self, parts: usize) -> Self {
        self.concurrency = parts;
        self
    }
    /// The object's `Content-Type`.
    #[must_use]
    pub fn content_type(mut self, ct: impl Into<String>) -> Self {
        self.content_type = Some(ct.into());
        self
    }
    /// The object's checksum: its algorithm, and for a multipart upload how the parts'
    /// checksums make the object's. Every part carries its own checksum; a single PUT
    /// carries the object's.
    ///
    /// The default, CRC64NVME over the full object, is what the AWS CLI v2 and AWS's
    /// transfer manager for Rust send by default, and the algorithm S3 itself computes by
    /// default ([Checking object integrity](https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html)).
    /// A full-object checksum is the checksum of the bytes whatever the part size, so
    /// it is sent with CompleteMultipartUpload (S3 refuses an object that does not match),
    /// compared with what HeadObject reports afterwards, and checked again by every
    /// [`Client::download`]; it is combined from the parts' CRCs, so the bytes are read
    /// once. A composite checksum (`-N` suffixed) cannot be compared with the bytes:
    /// choose `(ChecksumAlgorithm::Crc32, ChecksumType::Composite)`, what the AWS SDKs
    /// send for a plain UploadPart, for a store that does not know CRC64NVME or full-object
    /// checksums (it answers CreateMultipartUpload with an error such as `NotImplemented`
    /// or `InvalidArgument`), or the client's [`Integrity::WhenRequired`] to send none.
    ///
    /// ```
    /// use s3presign::client::{ChecksumAlgorithm, ChecksumType, Upload};
    /// let widest_support = Upload::new().checksum(ChecksumAlgorithm::Crc32, ChecksumType::Composite);
    /// # let _ = widest_support;
    /// ```
    #[must_use]
    pub fn checksum(mut self, algorithm: ChecksumAlgorithm, kind: ChecksumType) -> Self {
        self.checksum = (algorithm, kind);
        self
    }
    /// Called with (bytes done, bytes in total) as parts finish.
    #[must_use]
    pub fn on_progress(mut self, f: impl Fn(u64, Option<u64>) + Send + Sync + 'static) -> Self {
        self.progress = Some(Progress::new(f));
        self
    }
    /// Stops the upload when `cancel` is cancelled (a multipart upload is aborted first).
    #[must_use]
    pub fn cancel(mut self, cancel: &Cancel) -> Self {
        self.cancel = Some(cancel.clone());
        self
    }
}

/// What to upload: a file, or any async reader of known or unknown length.
///
/// ```
/// use s3presign::client::UploadSource;
/// let from_file = UploadSource::file("video.mp4");
/// let from_memory = UploadSource::reader(&b"hello"[..], Some(5));
/// # let _ = (from_file, from_memory);
/// ```
pub struct UploadSource {
    kind: SourceKind,
}

enum SourceKind {
    File(PathBuf),
    Reader(Box<dyn AsyncRead + Send + Unpin>, Option<u64>),
}

impl std::fmt::Debug for UploadSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            SourceKind::File(p) => f.debug_tuple("File").field(p).finish(),
            SourceKind::Reader(_, n) => f.debug_tuple("Reader").field(n).finish(),
        }
    }
}

impl UploadSource {
    /// The file at `path` (its length is read when the upload starts; a file that
    /// changes length meanwhile fails the upload).
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Self {
            kind: SourceKind::File(path.into()),
        }
    }
    /// Bytes from `reader`: `length` when known (it must then be exact), `None` for a
    /// stream of unknown length (parts of the configured size; at most 10,000 of them).
    pub fn reader(reader: impl AsyncRead + Send + Unpin + 'static, length: Option<u64>) -> Self {
        Self {
            kind: SourceKind::Reader(Box::new(reader), length),
        }
    }

    async fn open(self) -> Result<(Reader, Option<u64>)> {
        match self.kind {
            SourceKind::Reader(r, n) => Ok((Reader::Async(r), n)),
            SourceKind::File(path) => {
                let file = tokio::fs::File::open(&path)
                    .await
                    .map_err(|e| Error::io("could not open the file to upload", e))?;
                let len = file
                    .metadata()
                    .await
                    .map_err(|e| Error::io("could not read the file's length", e))?
                    .len();
                Ok((Reader::File(Some(file.into_std().await)), Some(len)))
            }
        }
    }
}

/// An opened source.
enum Reader {
    /// A file: each part is read by one blocking read straight into the part's buffer
    /// (an async file would read through a buffer of its own, one more copy of each byte).
    File(Option<std::fs::File>),
    /// Any async reader.
    Async(Box<dyn AsyncRead + Send + Unpin>),
}

impl Reader {
    /// Reads up to `limit` bytes into `buf` (which may hold some already), fewer only at
    /// the end of the source.
    async fn read_up_to(&mut self, buf: Vec<u8>, limit: u64) -> Result<Vec<u8>> {
        let slot = match self {
            Self::Async(r) => return read_up_to(r, buf, limit).await,
            Self::File(slot) => slot,
        };
        let file = slot
            .take()
            .ok_or_else(|| Error::invalid_input("the file's previous read did not finish"))?;
        let (file, read) = tokio::task::spawn_blocking(move || {
            let mut buf = buf;
            let want = limit.saturating_sub(buf.len() as u64);
            let read = std::io::Read::read_to_end(&mut std::io::Read::take(&file, want), &mut buf);
            (file, read.map(|_| buf))
        })
        .await
        .map_err(join_error)?;
        *slot = Some(file);
        read.map_err(|e| Error::io("could not read the source", e))
    }
}

/// What [`Client::upload`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadOutput {
    /// Bytes uploaded (checked against the stored object's size).
    pub size: u64,
    /// The object's `ETag`.
    pub etag: Option<String>,
    /// Parts uploaded; 0 for a single PUT.
    pub parts: u16,
}

/// Reads up to `limit` bytes, fewer only at the end of the source.
async fn read_up_to<R: AsyncRead + Unpin + ?Sized>(
    reader: &mut R,
    mut buf: Vec<u8>,
    limit: u64,
) -> Result<Vec<u8>> {
    let want = limit.saturating_sub(buf.len() as u64);
    (&mut *reader)
        .take(want)
        .read_to_end(&mut buf)
        .await
        .map_err(|e| Error::io("could not read the source", e))?;
    Ok(buf)
}

/// Aborts the multipart upload when dropped armed: a failed or cancelled upload leaves
/// no parts behind (the abort runs as a task of the current runtime).
struct AbortGuard {
    client: Client,
    bucket: String,
    key: String,
    upload_id: String,
    armed: bool,
}

impl Drop for AbortGuard {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let client = self.client.clone();
        let (b, k, u) = (
            core::mem::take(&mut self.bucket),
            core::mem::take(&mut self.key),
            core::mem::take(&mut self.upload_id),
        );
        rt.spawn(async move {
            let _ = client.abort_multipart_upload(&b, &k, &u).await;
        });
    }
}

/// One multipart upload in progress: what every part task needs.
struct Parts<'a> {
    client: &'a Client,
    bucket: &'a str,
    key: &'a str,
    upload_id: &'a str,
    part_size: u64,
    options: &'a Upload,
    counter: Counter,
}

impl Client {
    /// Uploads `source` to `bucket/key`: one PUT up to [`Upload::threshold`] bytes, else a
    /// multipart upload with [`Upload::concurrency`] parts in flight, each retried on its
    /// own (the client's [`RetryConfig`](crate::client::RetryConfig)) and carrying its
    /// checksum. On failure, or when the returned future is dropped, the multipart upload
    /// is aborted so that no parts are left behind. On success the stored size is checked
    /// (and the checksum, where the server reports one).
    ///
    /// ```no_run
    /// # async fn f(client: s3presign::client::Client) -> Result<(), s3presign::client::Error> {
    /// use s3presign::client::{Upload, UploadSource};
    /// let out = client
    ///     .upload("videos", "a.mp4", UploadSource::file("a.mp4"), &Upload::new())
    ///     .await?;
    /// println!("{} bytes in {} parts", out.size, out.parts);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Invalid options; the source could not be read or changed length; server or
    /// transport errors (after retries); [`ErrorKind::Integrity`](crate::client::ErrorKind::Integrity)
    /// when the stored object does not match what was sent.
    pub async fn upload(
        &self,
        bucket: &str,
        key: &str,
        source: UploadSource,
        options: &Upload,
    ) -> Result<UploadOutput> {
        check_sizes(options.part_size, options.concurrency)?;
        if options.threshold > MAX_PART_SIZE {
            return Err(Error::invalid_input(
                "the single-PUT threshold must be at most 5 GiB (S3's limit for one PUT)",
            ));
        }
        let (mut reader, length) = source.open().await?;
        // Room for the first read up front when the length is known (no regrowing copies).
        let first_size = length.map_or(0, |n| n.min(options.threshold) + 1);
        let part_size = part_size_for(options.part_size, length)?;
        let counter = Counter::new(options.progress.clone(), length);
        let cancel = options.cancel.as_ref();
        let first = Vec::with_capacity(usize::try_from(first_size).unwrap_or(0));
        let read = reader.read_up_to(first, options.threshold + 1);
        let first = Cancel::or_cancelled(cancel, read).await?;
        if first.len() as u64 <= options.threshold {
            let single = self.upload_single(bucket, key, first, length, options, &counter);
            return Cancel::or_cancelled(cancel, single).await;
        }
        let mut create = CreateMultipartUpload::new();
        if let Some(ct) = &options.content_type {
            create = create.content_type(ct.clone());
        }
        if self.integrity() == Integrity::WhenSupported {
            create = create.checksum(options.checksum.0, options.checksum.1);
        }
        let up = self.create_multipart_upload(bucket, key, &create).await?;
        let mut guard = AbortGuard {
            client: self.clone(),
            bucket: bucket.into(),
            key: key.into(),
            upload_id: up.upload_id.clone(),
            armed: true,
        };
        let parts = Parts {
            client: self,
            bucket,
            key,
            upload_id: &up.upload_id,
            part_size,
            options,
            counter,
        };
        let result = Cancel::or_cancelled(cancel, parts.run(reader, first, length)).await;
        if result.is_err() {
            guard.armed = false;
            let _ = self
                .abort_multipart_upload(bucket, key, &up.upload_id)
                .await;
        }
        guard.armed = false;
        result
    }

    async fn upload_single(
        &self,
        bucket: &str,
        key: &str,
        body: Vec<u8>,
        length: Option<u64>,
        options: &Upload,
        counter: &Counter,
    ) -> Result<UploadOutput> {
        let size = body.len() as u64;
        if length.is_some_and(|n| n != size) {
            return Err(changed_length());
        }
        let mut put = PutObject::new();
        if let Some(ct) = &options.content_type {
            put = put.content_type(ct.clone());
        }
        let whole = (self.integrity() == Integrity::WhenSupported)
            .then(|| options.checksum.0.checksum(&body));
        if let Some(c) = &whole {
            put = put.checksum(c.clone());
        }
        let out = self.put_object(bucket, key, body, &put).await?;
        counter.add(size);
        self.verify_size(bucket, key, size, whole.as_ref()).await?;
        Ok(UploadOutput {
            size,
            etag: out.etag,
            parts: 0,
        })
    }

    /// Compares the stored object with what was sent: its size, and its full-object
    /// checksum when both sides have one of the same algorithm.
    async fn verify_size(
        &self,
        bucket: &str,
        key: &str,
        size: u64,
        whole: Option<&Checksum>,
    ) -> Result<()> {
        let meta = self.head_object(bucket, key).await?;
        if meta.content_length != size {
            return Err(Error::integrity(
                "the stored object's size differs from the number of bytes uploaded",
            ));
        }
        if let (Some(sent), Some(stored)) = (whole, &meta.checksum)
            && sent.algorithm == stored.algorithm
            && !stored.value.contains('-')
            && sent.value != stored.value
        {
            return Err(Error::integrity(
                "the stored object's checksum differs from the bytes uploaded",
            ));
        }
        Ok(())
    }
}

fn changed_length() -> Error {
    Error::io(
        "the source's length changed while it was uploaded",
        std::io::Error::from(std::io::ErrorKind::UnexpectedEof),
    )
}

impl Parts<'_> {
    /// Reads parts in order, uploads up to `concurrency` at once, completes the upload.
    async fn run(
        &self,
        mut reader: Reader,
        first: Vec<u8>,
        length: Option<u64>,
    ) -> Result<UploadOutput> {
        let checksums = self.client.integrity() == Integrity::WhenSupported;
        let (algorithm, kind) = self.options.checksum;
        let part_options = match checksums {
            true => UploadPart::new().checksum(algorithm),
            false => UploadPart::new(),
        };
        let mut pending = Bytes::from(first);
        let mut tasks: JoinSet<Result<(CompletedPart, u64)>> = JoinSet::new();
        let mut done: Vec<(CompletedPart, u64)> = Vec::new();
        let (mut number, mut total) = (0u16, 0u64);
        loop {
            while tasks.len() >= self.options.concurrency {
                self.collect(&mut tasks, &mut done).await?;
            }
            let body = self.next_part(&mut reader, &mut pending).await?;
            if body.is_empty() && number > 0 {
                break;
            }
            if u64::from(number) >= MAX_PARTS {
                return Err(Error::invalid_input(
                    "the source needs more than 10,000 parts: set a larger part size",
                ));
            }
            number += 1;
            total += body.len() as u64;
            let last = (body.len() as u64) < self.part_size;
            self.spawn_part(&mut tasks, number, body, &part_options);
            if last {
                break;
            }
        }
        while !tasks.is_empty() {
            self.collect(&mut tasks, &mut done).await?;
        }
        if length.is_some_and(|n| n != total) {
            return Err(changed_length());
        }
        done.sort_by_key(|(p, _)| p.part_number);
        let whole = match checksums && kind == ChecksumType::FullObject {
            true => Some(whole_checksum(algorithm, &done)?),
            false => None,
        };
        let done: Vec<CompletedPart> = done.into_iter().map(|(p, _)| p).collect();
        let mut complete =
            CompleteMultipartUploadOp::new(self.bucket, self.key, self.upload_id, &done);
        if let Some(c) = &whole {
            complete = complete.full_object_checksum(c);
        }
        let etag = self.client.run(&complete).await?;
        self.client
            .verify_size(self.bucket, self.key, total, whole.as_ref())
            .await?;
        Ok(UploadOutput {
            size: total,
            etag,
            parts: number,
        })
    }

    /// The next part's bytes: from what was read ahead, then from the reader.
    async fn next_part(&self, reader: &mut Reader, pending: &mut Bytes) -> Result<Bytes> {
        let size = usize::try_from(self.part_size).unwrap_or(usize::MAX);
        if pending.len() >= size {
            return Ok(pending.split_to(size));
        }
        let mut buf = Vec::with_capacity(size);
        buf.extend_from_slice(pending);
        *pending = Bytes::new();
        Ok(Bytes::from(reader.read_up_to(buf, self.part_size).await?))
    }

    fn spawn_part(
        &self,
        tasks: &mut JoinSet<Result<(CompletedPart, u64)>>,
        number: u16,
        body: Bytes,
        options: &UploadPart,
    ) {
        let client = self.client.clone();
        let (b, k, u) = (
            String::from(self.bucket),
            String::from(self.key),
            String::from(self.upload_id),
        );
        let options = options.clone();
        tasks.spawn(async move {
            let len = body.len() as u64;
            let part = client
                .upload_part_with(&b, &k, &u, number, body, &options)
                .await?;
            Ok((part, len))
        });
    }

    /// Waits for one part task; a failed part fails the upload (the others are
    /// cancelled when the task set is dropped).
    async fn collect(
        &self,
        tasks: &mut JoinSet<Result<(CompletedPart, u64)>>,
        done: &mut Vec<(CompletedPart, u64)>,
    ) -> Result<()> {
        let Some(joined) = tasks.join_next().await else {
            return Ok(());
        };
        let (part, len) = joined.map_err(join_error)??;
        self.counter.add(len);
        done.push((part, len));
        Ok(())
    }
}

/// The whole object's checksum from its parts' (in order, with their lengths).
fn whole_checksum(
    algorithm: ChecksumAlgorithm,
    parts: &[(CompletedPart, u64)],
) -> Result<Checksum> {
    let mut combine = Combine::new(algorithm).ok_or_else(|| {
        Error::invalid_input(
            "S3 computes SHA-256 per part only: choose a CRC for a full-object checksum",
        )
    })?;
    for (part, len) in parts {
        part.checksum
            .as_ref()
            .and_then(|c| combine.push(c, *len))
            .ok_or_else(|| {
                Error::integrity("a part's checksum could not be combined into the object's")
            })?;
    }
    Ok(combine.finish())
}
