//! `ls`: the objects under `s3://BUCKET[/PREFIX]`, one level (with `PRE dir/` lines) or
//! `--recursive`; sizes and dates, or one JSON object per line with `--json`.

use std::io::Write;

use clap::Args;
use s3presign::client::ListObjectsV2;

use crate::common::ConnectionArgs;
use crate::cp::{XferError, client, input};

/// Options of `ls`.
#[derive(Debug, Args)]
pub struct LsArgs {
    /// s3://BUCKET or s3://BUCKET/PREFIX.
    #[arg(value_name = "s3://BUCKET[/PREFIX]")]
    pub target: String,
    /// Every object under the prefix, not only one level.
    #[arg(long)]
    pub recursive: bool,
    /// One JSON object per line: {"key","size","last_modified","etag"} or {"prefix"}.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `s3://BUCKET[/PREFIX]` split into the bucket and the prefix.
pub fn split_target(uri: &str) -> Result<(&str, &str), XferError> {
    let rest = uri
        .strip_prefix("s3://")
        .ok_or_else(|| input("expected s3://BUCKET[/PREFIX]: the target must start with s3://"))?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(input("expected s3://BUCKET[/PREFIX]: missing bucket"));
    }
    Ok((bucket, prefix))
}

fn write_err(e: std::io::Error) -> XferError {
    XferError::Failed(format!("cannot write the output: {e}"))
}

pub async fn run(args: &LsArgs) -> Result<(), XferError> {
    let (bucket, prefix) = split_target(&args.target)?;
    let client = client(&args.connection)?;
    let mut opts = ListObjectsV2::new().prefix(prefix);
    if !args.recursive {
        opts = opts.delimiter("/");
    }
    let mut pages = client.list_objects_v2_pages(bucket, opts);
    let mut out = std::io::stdout().lock();
    while let Some(page) = pages.next_page().await? {
        for p in &page.common_prefixes {
            if args.json {
                let line = serde_json::json!({ "prefix": p });
                writeln!(out, "{line}").map_err(write_err)?;
            } else {
                writeln!(out, "{:>30} PRE {p}", "").map_err(write_err)?;
            }
        }
        for o in &page.contents {
            let date = o.last_modified.as_deref().unwrap_or("-");
            if args.json {
                let line = serde_json::json!({
                    "key": o.key,
                    "size": o.size,
                    "last_modified": o.last_modified,
                    "etag": o.etag,
                });
                writeln!(out, "{line}").map_err(write_err)?;
            } else {
                writeln!(out, "{date:<24} {:>10} {}", o.size, o.key).map_err(write_err)?;
            }
        }
    }
    out.flush().map_err(write_err)
}
