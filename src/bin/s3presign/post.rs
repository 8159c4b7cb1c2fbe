//! `post`: a presigned POST form (browser upload with a signed policy).
//!
//! ```text
//! s3presign post s3://BUCKET/uploads/ --content-length-range 1:10485760 --content-type-starts-with video/
//! ```
//!
//! The key may be anything under the prefix (`PREFIX${filename}`, S3 substitutes the
//! uploaded file's name) unless `--exact-key`. Prints a ready-to-save HTML form, or with
//! `--json` `{"url": ..., "fields": {...}}` (for `curl -F name=value ... -F file=@FILE URL`).

use std::io::Write;

use clap::Args;
use s3presign::profile::Environment;
use s3presign::s3::PostPolicy;

use crate::common::{self, CliError, ConnectionArgs, input};

/// Options of `post`.
#[derive(Debug, Args)]
pub struct PostArgs {
    /// Where uploads go: s3://BUCKET/PREFIX (any key starting with PREFIX; PREFIX may be empty).
    #[arg(value_name = "s3://BUCKET/PREFIX")]
    pub target: String,
    /// Treat PREFIX as the exact object key.
    #[arg(long)]
    pub exact_key: bool,
    /// Allowed upload size in bytes, MIN:MAX (inclusive).
    #[arg(long, value_name = "MIN:MAX")]
    pub content_length_range: Option<String>,
    /// The exact Content-Type the upload must have (sent as a form field).
    #[arg(long, value_name = "T", conflicts_with = "content_type_starts_with")]
    pub content_type: Option<String>,
    /// The Content-Type must start with this (for example video/); the uploader sends it.
    #[arg(long, value_name = "P")]
    pub content_type_starts_with: Option<String>,
    /// The status S3 answers a successful upload with: 200, 201 or 204.
    #[arg(long, value_name = "N")]
    pub success_action_status: Option<u16>,
    /// Seconds until the form expires (1..=604800).
    #[arg(long, value_name = "S", default_value_t = 3600)]
    pub expires_in: u64,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Print {"url", "fields"} as JSON instead of an HTML form.
    #[arg(long)]
    pub json: bool,
}

/// `s3://BUCKET[/PREFIX]` split into the bucket and the (possibly empty) prefix.
fn parse_target(uri: &str) -> Result<(&str, &str), CliError> {
    let rest = uri
        .strip_prefix("s3://")
        .ok_or_else(|| input("expected s3://BUCKET/PREFIX: the target must start with s3://"))?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    if bucket.is_empty() {
        return Err(input("expected s3://BUCKET/PREFIX: the bucket is missing"));
    }
    Ok((bucket, prefix))
}

/// `MIN:MAX` in bytes.
fn parse_range(s: &str) -> Result<(u64, u64), CliError> {
    let bad = || {
        input(
            "invalid --content-length-range: expected MIN:MAX in bytes, MIN <= MAX, like 1:10485760",
        )
    };
    let (a, b) = s.split_once(':').ok_or_else(bad)?;
    let (min, max): (u64, u64) = (
        a.trim().parse().map_err(|_| bad())?,
        b.trim().parse().map_err(|_| bad())?,
    );
    if min > max {
        return Err(bad());
    }
    Ok((min, max))
}

pub fn run(args: &PostArgs) -> Result<(), CliError> {
    let env = Environment::process();
    let (bucket_name, prefix) = parse_target(&args.target)?;
    if args.exact_key && prefix.is_empty() {
        return Err(input("--exact-key needs a key: s3://BUCKET/KEY"));
    }
    let range = args
        .content_length_range
        .as_deref()
        .map(parse_range)
        .transpose()?;
    let now = args.connection.now()?;
    let endpoint = args.connection.endpoint(&env)?;
    let bucket = common::bucket(&endpoint, bucket_name)?;
    let signer = args.connection.signer()?;

    let mut p = PostPolicy::new(&bucket).expires_in(args.expires_in);
    if let Some((min, max)) = range {
        p = p.content_length_range(min, max);
    }
    if let Some(t) = &args.content_type {
        p = p.content_type(t);
    }
    if let Some(t) = &args.content_type_starts_with {
        p = p.content_type_starts_with(t);
    }
    if let Some(s) = args.success_action_status {
        p = p.success_action_status(s);
    }
    p = if args.exact_key {
        p.key(prefix)
    } else {
        p.key_starts_with(prefix)
    };
    let form = p.sign(&signer, now)?;
    common::warn_if_shortened(&common::Expiry {
        what: "form",
        asked_secs: args.expires_in,
        now,
        expires_at: form.expiration(),
        cause: form.expiry_cause(),
    });

    let mut out = std::io::stdout().lock();
    if args.json {
        let text = serde_json::to_string(&form).map_err(|e| CliError::Output(e.into()))?;
        writeln!(out, "{text}")
    } else {
        write!(out, "{}", form.to_html())
    }
    .and_then(|()| out.flush())
    .map_err(CliError::Output)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_and_ranges() {
        assert_eq!(parse_target("s3://b/uploads/").unwrap(), ("b", "uploads/"));
        assert_eq!(parse_target("s3://b").unwrap(), ("b", ""));
        assert_eq!(parse_target("s3://b/").unwrap(), ("b", ""));
        assert!(parse_target("s3:///x").is_err());
        assert!(parse_target("b/x").is_err());
        assert_eq!(parse_range("1:10485760").unwrap(), (1, 10_485_760));
        assert_eq!(parse_range("0:0").unwrap(), (0, 0));
        for bad in ["", "1", "2:1", "-1:5", "a:b", "1:2:3"] {
            assert!(parse_range(bad).is_err(), "{bad}");
        }
    }
}
