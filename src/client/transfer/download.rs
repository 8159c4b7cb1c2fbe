//! `Client::download`: parallel ranged GETs pinned to one `ETag`, written in place into a
//! temporary file beside the destination and renamed over it at the end.

use std::format;
use std::path::{Path, PathBuf};
use std::string::String;
use std::vec;
use std::vec::Vec;

use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use tokio::task::JoinSet;

use super::combine::Combine;
use super::{Counter, DEFAULT_CONCURRENCY, DEFAULT_PART_SIZE, Progress, check_sizes, join_error};
use crate::client::checksum::{Checksum, ChecksumAlgorithm, Hasher};
use crate::client::error::{Error, Result};
use crate::client::{Client, GetObject};

/// Options for [`Client::download`].
///
/// ```
/// use s3presign::client::Download;
/// let opts = Download::new().part_size(16 * 1024 * 1024).concurrency(4);
/// # let _ = opts;
/// ```
#[derive(Debug, Clone)]
pub struct Download {
    part_size: u64,
    concurrency: usize,
    progress: Option<Progress>,
}

impl Default for Download {
    fn default() -> Self {
        Self {
            part_size: DEFAULT_PART_SIZE,
            concurrency: DEFAULT_CONCURRENCY,
            progress: None,
        }
    }
}

impl Download {
    /// 8 MiB ranges, 8 in flight.
    pub fn new() -> Self {
        Self::default()
    }
    /// The range size (5 MiB to 5 GiB); objects up to this size come in one GET.
    #[must_use]
    pub fn part_size(mut self, bytes: u64) -> Self {
        self.part_size = bytes;
        self
    }
    /// How many ranges are downloaded at once (memory is about this × the range size).
    #[must_use]
    pub fn concurrency(mut self, ranges: usize) -> Self {
        self.concurrency = ranges;
        self
    }
    /// Called with (bytes done, bytes in total) as ranges or chunks arrive.
    #[must_use]
    pub fn on_progress(mut self, f: impl Fn(u64, Option<u64>) + Send + Sync + 'static) -> Self {
        self.progress = Some(Progress::new(f));
        self
    }
}

/// What [`Client::download`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DownloadOutput {
    /// Bytes written.
    pub size: u64,
    /// The `ETag` of the version downloaded.
    pub etag: Option<String>,
    /// The full-object checksum the bytes were checked against, if the server has one.
    pub checksum: Option<Checksum>,
}

/// The temporary file: removed when dropped unless renamed into place.
struct TempFile {
    path: PathBuf,
    keep: bool,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

impl TempFile {
    /// A new, empty file beside `destination` (same directory, so the final rename stays
    /// on one file system).
    async fn beside(destination: &Path) -> Result<(Self, tokio::fs::File)> {
        let dir = match destination.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let name = destination
            .file_name()
            .ok_or_else(|| Error::invalid_input("the destination must name a file"))?;
        let mut tmp = std::ffi::OsString::from(".");
        tmp.push(name);
        tmp.push(format!(".{:08x}.s3presign-partial", fastrand::u32(..)));
        let path = dir.join(tmp);
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await
            .map_err(|e| {
                Error::io(
                    "could not create a temporary file beside the destination",
                    e,
                )
            })?;
        Ok((Self { path, keep: false }, file))
    }
}

fn write_error(e: std::io::Error) -> Error {
    Error::io("could not write the downloaded bytes", e)
}

impl Client {
    /// Downloads `bucket/key` into the file `destination`: in one GET up to
    /// [`Download::part_size`] bytes, else in ranges, [`Download::concurrency`] at once,
    /// each retried on its own and pinned to the object's `ETag` (`If-Match`: an object
    /// replaced meanwhile is an error, never a mix of two versions). The bytes go into a
    /// temporary file in the destination's directory, renamed over the destination at
    /// the end: on failure the destination is untouched. The full-object checksum is
    /// checked when the server has one.
    ///
    /// ```no_run
    /// # async fn f(client: s3presign::client::Client) -> Result<(), s3presign::client::Error> {
    /// use s3presign::client::Download;
    /// let out = client.download("videos", "a.mp4", "copy.mp4", &Download::new()).await?;
    /// println!("{} bytes", out.size);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Invalid options; server or transport errors (`PreconditionFailed` when the object
    /// changed); [`ErrorKind::Integrity`](crate::client::ErrorKind::Integrity) for bytes
    /// that do not match; [`ErrorKind::Io`](crate::client::ErrorKind::Io) when the file
    /// cannot be written.
    pub async fn download(
        &self,
        bucket: &str,
        key: &str,
        destination: impl AsRef<Path>,
        options: &Download,
    ) -> Result<DownloadOutput> {
        check_sizes(options.part_size, options.concurrency)?;
        let destination = destination.as_ref();
        let meta = self.head_object(bucket, key).await?;
        let size = meta.content_length;
        let counter = Counter::new(options.progress.clone(), Some(size));
        let (mut temp, mut file) = TempFile::beside(destination).await?;
        let mut get = GetObject::new();
        if let Some(etag) = &meta.etag {
            get = get.if_match(etag.clone());
        }
        let whole = meta.checksum.filter(|c| !c.value.contains('-'));
        if size <= options.part_size {
            let mut body = self.get_object_stream(bucket, key, &get).await?;
            while let Some(chunk) = body.chunk().await? {
                file.write_all(&chunk).await.map_err(write_error)?;
                counter.add(chunk.len() as u64);
            }
        } else {
            file.set_len(size).await.map_err(write_error)?;
            // A CRC is computed range by range as the bytes arrive, then combined; a SHA-256
            // (which cannot be combined) by reading the file back.
            let crc = whole
                .as_ref()
                .map(|c| c.algorithm)
                .filter(|a| Combine::covers(*a));
            let pieces = self
                .download_ranges(bucket, key, &temp.path, size, &get, options, &counter, crc)
                .await?;
            match (&whole, crc) {
                (Some(expected), Some(_)) => check_pieces(pieces, expected)?,
                (Some(expected), None) => check_file(&temp.path, expected).await?,
                (None, _) => {}
            }
        }
        file.sync_all().await.map_err(write_error)?;
        drop(file);
        tokio::fs::rename(&temp.path, destination)
            .await
            .map_err(|e| Error::io("could not move the download into place", e))?;
        temp.keep = true;
        Ok(DownloadOutput {
            size,
            etag: meta.etag,
            checksum: whole,
        })
    }

    /// The ranges, `concurrency` at once; returns each range with its `crc` (when asked
    /// for), in the order they finished.
    #[expect(clippy::too_many_arguments, reason = "one private step of download")]
    async fn download_ranges(
        &self,
        bucket: &str,
        key: &str,
        path: &Path,
        size: u64,
        get: &GetObject,
        options: &Download,
        counter: &Counter,
        crc: Option<ChecksumAlgorithm>,
    ) -> Result<Vec<Piece>> {
        let mut tasks: JoinSet<Result<Piece>> = JoinSet::new();
        let mut pieces = Vec::new();
        let mut start = 0u64;
        while start < size || !tasks.is_empty() {
            if start < size && tasks.len() < options.concurrency {
                let last = (start + options.part_size).min(size) - 1;
                let client = self.clone();
                let (b, k, p) = (String::from(bucket), String::from(key), path.to_path_buf());
                let get = get.clone().range(start, Some(last));
                let piece = Piece {
                    start,
                    len: last - start + 1,
                    checksum: None,
                };
                tasks
                    .spawn(async move { fetch_range(&client, &b, &k, &get, &p, piece, crc).await });
                start = last + 1;
                continue;
            }
            if let Some(joined) = tasks.join_next().await {
                let piece = joined.map_err(join_error)??;
                counter.add(piece.len);
                pieces.push(piece);
            }
        }
        Ok(pieces)
    }
}

/// One range of the object: where it starts, its length, and once downloaded the CRC of
/// its bytes (when the object's checksum is a CRC).
#[derive(Debug, Clone)]
struct Piece {
    start: u64,
    len: u64,
    checksum: Option<Checksum>,
}

/// Combines the ranges' CRCs, in order, and compares the result with the object's.
fn check_pieces(mut pieces: Vec<Piece>, expected: &Checksum) -> Result<()> {
    pieces.sort_by_key(|p| p.start);
    let mismatch = || {
        Error::integrity(
            "the downloaded bytes do not match the checksum the server stored for them",
        )
    };
    let mut combine = Combine::new(expected.algorithm).ok_or_else(mismatch)?;
    for p in &pieces {
        let crc = p.checksum.as_ref().ok_or_else(mismatch)?;
        combine.push(crc, p.len).ok_or_else(mismatch)?;
    }
    if combine.finish().value != expected.value {
        return Err(mismatch());
    }
    Ok(())
}

/// Attempts at one range when its body breaks off mid-stream (the request itself is
/// retried by the client's retry loop; a body that fails after its headers is retried
/// here, from the range's start).
const RANGE_ATTEMPTS: u32 = 3;

/// Streams one range of the object into the file at its offset, chunk by chunk, so a
/// range never sits in memory whole (memory stays near concurrency × chunk size, not
/// concurrency × part size), computing the `crc` of its bytes on the way. Returns the
/// range, with that CRC, once all of it is written.
async fn fetch_range(
    client: &Client,
    bucket: &str,
    key: &str,
    get: &GetObject,
    path: &Path,
    piece: Piece,
    crc: Option<ChecksumAlgorithm>,
) -> Result<Piece> {
    let mut attempt = 1;
    loop {
        match stream_range(client, bucket, key, get, path, piece.clone(), crc).await {
            Err(e) if e.is_retryable() && attempt < RANGE_ATTEMPTS => attempt += 1,
            other => return other,
        }
    }
}

/// One attempt of [`fetch_range`].
async fn stream_range(
    client: &Client,
    bucket: &str,
    key: &str,
    get: &GetObject,
    path: &Path,
    mut piece: Piece,
    crc: Option<ChecksumAlgorithm>,
) -> Result<Piece> {
    let (start, len) = (piece.start, piece.len);
    let mut hasher = crc.map(Hasher::new);
    let mut body = client.get_object_stream(bucket, key, get).await?;
    let mut f = tokio::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .await
        .map_err(write_error)?;
    f.seek(std::io::SeekFrom::Start(start))
        .await
        .map_err(write_error)?;
    let mut written = 0u64;
    while let Some(chunk) = body.chunk().await? {
        written += chunk.len() as u64;
        if written > len {
            break;
        }
        f.write_all(&chunk).await.map_err(write_error)?;
        if let Some(h) = &mut hasher {
            h.update(&chunk);
        }
    }
    if written != len {
        return Err(Error::integrity(
            "a range came back with another length than asked for",
        ));
    }
    f.flush().await.map_err(write_error)?;
    piece.checksum = hasher.map(|h| h.finish());
    Ok(piece)
}

/// Reads the file back and compares its checksum with the server's.
async fn check_file(path: &Path, expected: &Checksum) -> Result<()> {
    let mut file = tokio::fs::File::open(path)
        .await
        .map_err(|e| Error::io("could not read the download back to check it", e))?;
    let mut hasher = Hasher::new(expected.algorithm);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file
            .read(&mut buf)
            .await
            .map_err(|e| Error::io("could not read the download back to check it", e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    if hasher.finish().value != expected.value {
        return Err(Error::integrity(
            "the downloaded bytes do not match the checksum the server stored for them",
        ));
    }
    Ok(())
}
