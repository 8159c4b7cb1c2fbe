//! `s3presign-wasi get s3://BUCKET/KEY --region R --date DATE [--endpoint-url URL]
//! [--path-style] [--expires-in S]`: prints a presigned GET URL. Credentials come from
//! `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`, as for the native
//! `s3presign` command, whose output it matches (WASI has a clock, but the date is an
//! argument so that runs can be compared).

use s3presign::profile::Environment;
use s3presign::s3::{AddressingStyle, Bucket, BucketNaming, Endpoint};
use s3presign::{AmzDate, Signer};

const USAGE: &str = "usage: s3presign-wasi get s3://BUCKET/KEY --region R --date DATE \
                     [--endpoint-url URL] [--path-style] [--expires-in S]";

#[derive(Default)]
struct Args {
    target: Option<String>,
    region: Option<String>,
    date: Option<String>,
    endpoint: Option<String>,
    path_style: bool,
    expires_in: Option<String>,
}

fn parse(mut argv: impl Iterator<Item = String>) -> Result<Args, String> {
    if argv.next().as_deref() != Some("get") {
        return Err(USAGE.into());
    }
    let mut args = Args::default();
    while let Some(arg) = argv.next() {
        let slot = match arg.as_str() {
            "--path-style" => {
                args.path_style = true;
                continue;
            }
            "--region" => &mut args.region,
            "--date" => &mut args.date,
            "--endpoint-url" => &mut args.endpoint,
            "--expires-in" => &mut args.expires_in,
            _ if args.target.is_none() && !arg.starts_with("--") => {
                args.target = Some(arg);
                continue;
            }
            other => return Err(format!("unexpected argument {other:?}; {USAGE}")),
        };
        if slot.is_some() {
            return Err(format!("{arg} given twice; {USAGE}"));
        }
        *slot = Some(
            argv.next()
                .ok_or_else(|| format!("{arg} needs a value; {USAGE}"))?,
        );
    }
    Ok(args)
}

fn presign(args: &Args) -> Result<String, String> {
    let missing = |what: &str| format!("missing {what}; {USAGE}");
    let target = args
        .target
        .as_deref()
        .ok_or_else(|| missing("s3://BUCKET/KEY"))?;
    let (bucket, key) = target
        .strip_prefix("s3://")
        .and_then(|rest| rest.split_once('/'))
        .filter(|(b, k)| !b.is_empty() && !k.is_empty())
        .ok_or("expected s3://BUCKET/KEY")?;
    let region = args.region.as_deref().ok_or_else(|| missing("--region"))?;
    let date = args.date.as_deref().ok_or_else(|| missing("--date"))?;
    let expires_in = match &args.expires_in {
        Some(s) => s.parse().map_err(|_| "--expires-in takes whole seconds")?,
        None => 3600,
    };
    let mut endpoint = match &args.endpoint {
        Some(url) => Endpoint::custom(url, region),
        None => Endpoint::aws(region),
    }
    .map_err(|e| e.to_string())?
    .with_bucket_naming(BucketNaming::Relaxed);
    if args.path_style {
        endpoint = endpoint.with_addressing_style(AddressingStyle::Path);
    }
    let signer = Environment::process()
        .credentials_from_env()
        .and_then(Signer::new)
        .map_err(|e| e.to_string())?;
    let now = AmzDate::parse(date).map_err(|e| e.to_string())?;
    Bucket::new(&endpoint, bucket)
        .and_then(|b| {
            b.get_object(key)
                .expires_in(expires_in)
                .sign_url(&signer, now)
        })
        .map_err(|e| e.to_string())
}

fn main() {
    match parse(std::env::args().skip(1)).and_then(|args| presign(&args)) {
        Ok(url) => println!("{url}"),
        Err(message) => {
            eprintln!("error: {message}");
            std::process::exit(1);
        }
    }
}
