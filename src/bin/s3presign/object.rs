//! `get`, `put`, `delete` and `head`: presigned object requests.

use clap::Args;
use s3presign::profile::Environment;
use s3presign::s3::ContentTypeMode;

use crate::common::{self, CliError, ConnectionArgs, input};

/// Options of the object subcommands.
#[derive(Debug, Args)]
pub struct ObjectArgs {
    /// The object, s3://BUCKET/KEY (the key is taken raw: not URL-decoded, not normalised).
    #[arg(value_name = "s3://BUCKET/KEY")]
    pub target: String,
    /// Seconds until the URL expires (1..=604800).
    #[arg(long, value_name = "S", default_value_t = 3600)]
    pub expires_in: u64,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Content-Type the uploader must send (signed unless --unsigned-content-type).
    #[arg(long, value_name = "T")]
    pub content_type: Option<String>,
    /// Do not sign the Content-Type (it is still listed in --json headers).
    #[arg(long, requires = "content_type")]
    pub unsigned_content_type: bool,
    /// A signed header the holder must send, 'Name: value' (repeatable).
    #[arg(long = "header", value_name = "'Name: value'")]
    pub headers: Vec<String>,
    /// An extra query parameter, name=value (repeatable; `name` alone means an empty value).
    #[arg(long = "query", value_name = "name=value")]
    pub queries: Vec<String>,
    /// Override the response's Content-Disposition (GET/HEAD).
    #[arg(long, value_name = "V")]
    pub response_content_disposition: Option<String>,
    /// Override the response's Content-Type (GET/HEAD).
    #[arg(long, value_name = "V")]
    pub response_content_type: Option<String>,
    /// A specific version of the object.
    #[arg(long, value_name = "V")]
    pub version_id: Option<String>,
    /// Print {"method","url","headers","expires_at"} as JSON instead of the URL.
    #[arg(long)]
    pub json: bool,
}

/// `'Name: value'` split at the first colon, both sides trimmed of spaces and tabs.
fn parse_header(h: &str) -> Result<(&str, &str), CliError> {
    match h.split_once(':') {
        Some((name, value)) if !common::trim_sigv4(name).is_empty() => {
            Ok((common::trim_sigv4(name), common::trim_sigv4(value)))
        }
        _ => Err(input(
            "invalid --header: expected 'Name: value' (a name, a colon, then the value)",
        )),
    }
}

/// `name=value` split at the first `=`; `name` alone has an empty value.
fn parse_query(q: &str) -> (&str, &str) {
    q.split_once('=').unwrap_or((q, ""))
}

pub fn run(method: &'static str, args: &ObjectArgs) -> Result<(), CliError> {
    let env = Environment::process();
    let (bucket_name, key) = common::parse_s3_uri(&args.target)?;
    let headers = args
        .headers
        .iter()
        .map(|h| parse_header(h))
        .collect::<Result<Vec<_>, _>>()?;
    let now = args.connection.now()?;
    let endpoint = args.connection.endpoint(&env)?;
    let bucket = common::bucket(&endpoint, bucket_name)?;
    let signer = args.connection.signer()?;

    let mut p = bucket.object(method, key).expires_in(args.expires_in);
    for q in &args.queries {
        let (name, value) = parse_query(q);
        p = p.query(name, value);
    }
    for (name, value) in headers {
        p = p.header(name, value);
    }
    if let Some(ct) = &args.content_type {
        p = p.content_type(ct);
        if args.unsigned_content_type {
            p = p.content_type_mode(ContentTypeMode::Unsigned);
        }
    }
    if let Some(v) = &args.version_id {
        p = p.version_id(v);
    }
    if let Some(v) = &args.response_content_disposition {
        p = p.response_content_disposition(v);
    }
    if let Some(v) = &args.response_content_type {
        p = p.response_content_type(v);
    }
    let req = p.sign(&signer, now)?;
    common::warn_if_shortened(&common::Expiry {
        what: "URL",
        asked_secs: args.expires_in,
        now,
        expires_at: req.expires_at(),
        cause: req.expiry_cause(),
    });
    common::print(&req, args.json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_and_queries() {
        assert_eq!(
            parse_header("x-amz-meta-a: b: c ").unwrap(),
            ("x-amz-meta-a", "b: c")
        );
        assert_eq!(
            parse_header("Cache-Control:no-cache").unwrap(),
            ("Cache-Control", "no-cache")
        );
        assert!(parse_header("no colon").is_err());
        assert_eq!(
            parse_header("x-amz-meta-a:\t\u{a0}v\u{3000} ").unwrap(),
            ("x-amz-meta-a", "\u{a0}v\u{3000}")
        );
        assert!(parse_header(" : v").is_err());
        assert_eq!(parse_query("partNumber=1"), ("partNumber", "1"));
        assert_eq!(parse_query("a=b=c"), ("a", "b=c"));
        assert_eq!(parse_query("uploads"), ("uploads", ""));
    }
}
