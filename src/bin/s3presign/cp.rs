//! `cp`: upload a local file to S3 or download an object to a local file, with the
//! library's parallel multipart upload and ranged download. Also what `ls` and `rm`
//! share: the client from the same credentials, region and endpoint as the presign
//! commands, the runtime, and errors with their exit status.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use s3presign::client::{
    self, Cancel, ChecksumAlgorithm, ChecksumType, Client, Download, ErrorKind, Upload,
    UploadSource,
};
use s3presign::profile::Environment;
use s3presign::providers::CachingProvider;

use crate::common::{self, CliError, ConnectionArgs};

/// A failure of `cp`, `ls` or `rm`, printed as one line.
#[derive(Debug)]
pub enum XferError {
    /// Bad input: exit status 2.
    Input(String),
    /// The server or the transfer failed: exit status 1.
    Failed(String),
    /// Interrupted by Ctrl-C (a multipart upload was aborted): exit status 130.
    Interrupted,
}

impl From<CliError> for XferError {
    fn from(e: CliError) -> Self {
        match e.exit_code() {
            2 => Self::Input(e.one_line()),
            _ => Self::Failed(e.one_line()),
        }
    }
}

impl From<client::Error> for XferError {
    fn from(e: client::Error) -> Self {
        // The client's errors never contain secrets, tokens, signatures or signed URLs.
        match e.kind() {
            ErrorKind::InvalidInput | ErrorKind::Signing | ErrorKind::Credentials => {
                Self::Input(e.to_string())
            }
            ErrorKind::Cancelled => Self::Interrupted,
            _ => Self::Failed(e.to_string()),
        }
    }
}

pub fn input(msg: impl Into<String>) -> XferError {
    XferError::Input(msg.into())
}

/// Runs a subcommand body on a runtime and turns its result into the exit status.
pub fn exit_with(body: impl Future<Output = Result<(), XferError>>) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let (line, code) = match rt.block_on(body) {
        Ok(()) => return ExitCode::SUCCESS,
        Err(XferError::Input(m)) => (m, 2),
        Err(XferError::Failed(m)) => (m, 1),
        Err(XferError::Interrupted) => ("interrupted".to_owned(), 130),
    };
    let line: String = line
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    eprintln!("error: {line}");
    ExitCode::from(code)
}

/// A client with the presign commands' credentials, region and endpoint. The credentials
/// are cached and refreshed before they expire, so a long transfer outlives them.
pub fn client(connection: &ConnectionArgs) -> Result<Client, XferError> {
    let env = Environment::process();
    let endpoint = connection.endpoint(&env)?;
    Ok(Client::builder()
        .endpoint(endpoint)
        .credentials(CachingProvider::new(connection.credentials_provider()))
        .build()?)
}

/// Options of `cp`.
#[derive(Debug, Args)]
pub struct CpArgs {
    /// What to copy: a local file (or - for stdin) or s3://BUCKET/KEY.
    #[arg(value_name = "SOURCE")]
    pub source: String,
    /// Where to: s3://BUCKET/KEY (a KEY ending in / gets the file's name) or a local path
    /// (a directory gets the key's last segment).
    #[arg(value_name = "DEST")]
    pub destination: String,
    /// Part (and range) size in MiB, 5 to 5120; raised when 10,000 parts would not cover
    /// the file.
    #[arg(long, value_name = "MIB", default_value_t = 8)]
    pub part_size: u64,
    /// Parts or ranges in flight.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub concurrency: usize,
    /// The object's Content-Type (uploads).
    #[arg(long, value_name = "T")]
    pub content_type: Option<String>,
    /// The object's checksum (uploads): crc64nvme over the full object (checked again on
    /// download), or crc32, crc32c or sha256 per part, combined into S3's composite
    /// checksum (crc32 for stores without CRC64NVME or full-object checksums).
    #[arg(long, value_name = "ALG", value_enum, default_value_t = CpChecksum::Crc64nvme)]
    pub checksum: CpChecksum,
    /// No progress bar even on a terminal.
    #[arg(long)]
    pub no_progress: bool,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// The checksums `cp --checksum` offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CpChecksum {
    /// CRC64NVME over the full object.
    Crc64nvme,
    /// CRC32 per part (composite).
    Crc32,
    /// CRC32C per part (composite).
    Crc32c,
    /// SHA-256 per part (composite).
    Sha256,
}

impl CpChecksum {
    fn choice(self) -> (ChecksumAlgorithm, ChecksumType) {
        match self {
            Self::Crc64nvme => (ChecksumAlgorithm::Crc64Nvme, ChecksumType::FullObject),
            Self::Crc32 => (ChecksumAlgorithm::Crc32, ChecksumType::Composite),
            Self::Crc32c => (ChecksumAlgorithm::Crc32c, ChecksumType::Composite),
            Self::Sha256 => (ChecksumAlgorithm::Sha256, ChecksumType::Composite),
        }
    }
}

/// A progress bar on stderr when it is a terminal, else nothing.
fn progress_bar(enabled: bool) -> Option<indicatif::ProgressBar> {
    if !enabled || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(0);
    let style = indicatif::ProgressStyle::with_template(
        "{bar:40} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} eta {eta}",
    )
    .ok()?;
    bar.set_style(style);
    Some(bar)
}

fn on_progress(
    bar: &Option<indicatif::ProgressBar>,
) -> impl Fn(u64, Option<u64>) + Send + Sync + 'static {
    let bar = bar.clone();
    move |done, total| {
        if let Some(b) = &bar {
            if let Some(t) = total {
                b.set_length(t);
            }
            b.set_position(done);
        }
    }
}

pub async fn run(args: &CpArgs) -> Result<(), XferError> {
    let part_size = args
        .part_size
        .checked_mul(1024 * 1024)
        .filter(|n| (client::MIN_PART_SIZE..=client::MAX_PART_SIZE).contains(n))
        .ok_or_else(|| input("invalid --part-size: give MiB between 5 and 5120"))?;
    if args.concurrency == 0 {
        return Err(input("invalid --concurrency: at least 1"));
    }
    let from_s3 = args.source.starts_with("s3://");
    let to_s3 = args.destination.starts_with("s3://");
    let client = match (from_s3, to_s3) {
        (false, true) | (true, false) => client(&args.connection)?,
        _ => {
            return Err(input(
                "cp copies between a local file and s3://BUCKET/KEY: give one of each",
            ));
        }
    };
    let bar = progress_bar(!args.no_progress);
    let result = if to_s3 {
        upload(&client, args, part_size, &bar).await
    } else {
        download(&client, args, part_size, &bar).await
    };
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    result
}

async fn upload(
    client: &Client,
    args: &CpArgs,
    part_size: u64,
    bar: &Option<indicatif::ProgressBar>,
) -> Result<(), XferError> {
    let (bucket, key) = split_dest(&args.destination)?;
    let source = if args.source == "-" {
        UploadSource::reader(tokio::io::stdin(), None)
    } else {
        let path = Path::new(&args.source);
        if !path.is_file() {
            return Err(input(format!("no such file: {}", args.source)));
        }
        UploadSource::file(path)
    };
    let key = match key.strip_suffix('/').is_some() || key.is_empty() {
        true => {
            let name = Path::new(&args.source)
                .file_name()
                .and_then(|n| n.to_str())
                .filter(|_| args.source != "-")
                .ok_or_else(|| input("give the object's key: s3://BUCKET/KEY"))?;
            format!("{key}{name}")
        }
        false => key.to_owned(),
    };
    let cancel = Cancel::new();
    let (algorithm, kind) = args.checksum.choice();
    let mut opts = Upload::new()
        .checksum(algorithm, kind)
        .threshold(part_size)
        .part_size(part_size)
        .concurrency(args.concurrency)
        .cancel(&cancel)
        .on_progress(on_progress(bar));
    if let Some(ct) = &args.content_type {
        opts = opts.content_type(ct.clone());
    }
    let on_ctrl_c = cancel.clone();
    let watcher = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_ctrl_c.cancel();
        }
    });
    let out = client.upload(bucket, &key, source, &opts).await;
    watcher.abort();
    let out = out?;
    println!(
        "upload: {} to s3://{bucket}/{key} ({} bytes)",
        args.source, out.size
    );
    Ok(())
}

async fn download(
    client: &Client,
    args: &CpArgs,
    part_size: u64,
    bar: &Option<indicatif::ProgressBar>,
) -> Result<(), XferError> {
    let (bucket, key) = common::parse_s3_uri(&args.source)?;
    let mut dest = PathBuf::from(&args.destination);
    if dest.is_dir() || args.destination.ends_with('/') {
        let name = key
            .rsplit('/')
            .next()
            .filter(|n| !n.is_empty() && *n != "." && *n != "..");
        let name =
            name.ok_or_else(|| input("the key has no file name: give the destination file"))?;
        dest.push(name);
    }
    let opts = Download::new()
        .part_size(part_size)
        .concurrency(args.concurrency)
        .on_progress(on_progress(bar));
    // On Ctrl-C the download's future is dropped: its temporary file is removed and the
    // destination is left as it was.
    let out = tokio::select! {
        r = client.download(bucket, key, &dest, &opts) => r?,
        _ = tokio::signal::ctrl_c() => return Err(XferError::Interrupted),
    };
    println!(
        "download: s3://{bucket}/{key} to {} ({} bytes)",
        dest.display(),
        out.size
    );
    Ok(())
}

/// `s3://BUCKET/KEY` or `s3://BUCKET/PREFIX/` (the key may end in / or be empty).
fn split_dest(uri: &str) -> Result<(&str, &str), XferError> {
    let rest = uri.strip_prefix("s3://").unwrap_or(uri);
    let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(input("expected s3://BUCKET/KEY: missing bucket"));
    }
    Ok((bucket, key))
}
