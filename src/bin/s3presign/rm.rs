//! `rm`: delete `s3://BUCKET/KEY`, or with `--recursive` every object under a prefix,
//! after a confirmation that names the count (or `--yes`).

use std::io::{BufRead, IsTerminal, Write};

use clap::Args;
use s3presign::client::{DeleteObject, ListObjectsV2, ObjectIdentifier};

use crate::common::{self, ConnectionArgs};
use crate::cp::{XferError, client, input};
use crate::ls::split_target;

/// Options of `rm`.
#[derive(Debug, Args)]
pub struct RmArgs {
    /// s3://BUCKET/KEY, or with --recursive s3://BUCKET[/PREFIX].
    #[arg(value_name = "s3://BUCKET/KEY")]
    pub target: String,
    /// Every object under the prefix.
    #[arg(long)]
    pub recursive: bool,
    /// Do not ask for confirmation (needed with --recursive when stdin is not a terminal).
    #[arg(long)]
    pub yes: bool,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// Asks on the terminal whether to delete `count` objects.
fn confirm(count: usize, target: &str) -> Result<bool, XferError> {
    eprint!("delete {count} objects under {target}? [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| XferError::Failed(format!("cannot read the answer: {e}")))?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

pub async fn run(args: &RmArgs) -> Result<(), XferError> {
    if !args.recursive {
        let (bucket, key) = common::parse_s3_uri(&args.target)?;
        let client = client(&args.connection)?;
        client
            .delete_object(bucket, key, &DeleteObject::new())
            .await?;
        println!("delete: s3://{bucket}/{key}");
        return Ok(());
    }
    let (bucket, prefix) = split_target(&args.target)?;
    let client = client(&args.connection)?;
    let keys: Vec<ObjectIdentifier> = client
        .list_objects_v2_pages(bucket, ListObjectsV2::new().prefix(prefix))
        .collect_objects()
        .await?
        .into_iter()
        .map(|o| ObjectIdentifier::new(o.key))
        .collect();
    if keys.is_empty() {
        println!("nothing under {}", args.target);
        return Ok(());
    }
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            return Err(input(format!(
                "refusing to delete {} objects under {} without confirmation: add --yes",
                keys.len(),
                args.target
            )));
        }
        if !confirm(keys.len(), &args.target)? {
            return Err(input("not confirmed: nothing deleted"));
        }
    }
    let out = client.delete_objects(bucket, &keys).await?;
    println!(
        "deleted {} objects under {}",
        out.deleted.len(),
        args.target
    );
    if let Some(first) = out.errors.first() {
        return Err(XferError::Failed(format!(
            "{} objects not deleted (first: {}: {})",
            out.errors.len(),
            first.key,
            first.code
        )));
    }
    Ok(())
}
