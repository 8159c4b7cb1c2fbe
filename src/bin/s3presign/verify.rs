//! `verify`: checks a presigned URL (or a header-signed request) against a secret.
//!
//! ```text
//! s3presign verify --secret-from-env 'https://b.s3.us-east-1.amazonaws.com/k?X-Amz-...'
//! printf 'PUT https://...\nContent-Type: video/mp4\n' | s3presign verify --secret-from-env
//! ```
//!
//! Prints `valid: ...` and exits 0, or `invalid: CODE (STATUS): message` and exits 1; bad
//! input (no URL, no secret) exits 2. For a header-signed request (or a presigned URL that
//! signs a payload hash) the line also shows the payload hash the signature covers; with
//! `--body FILE` the file's SHA-256 is checked against it, otherwise the body is not checked. On stdin: a first line `METHOD URL`, then one
//! `Name: value` header per line (an `Authorization` header makes it a header-signed
//! request).

use std::io::{Read, Write};
use std::path::PathBuf;

use clap::Args;
use s3presign::profile::Environment;
use s3presign::sigv4::UNSIGNED_PAYLOAD;
use s3presign::verify::{AuthMethod, IncomingRequest, Verified, Verifier, parse_url};
use s3presign::{AmzDate, Credentials};

use sha2::{Digest, Sha256};

use crate::common::{CliError, input, trim_sigv4};

/// Options of `verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The presigned URL [default: read `METHOD URL` and headers from stdin].
    #[arg(value_name = "URL")]
    pub url: Option<String>,
    /// The HTTP method the URL is used with.
    #[arg(long, value_name = "M", default_value = "GET")]
    pub method: String,
    /// A header the request carries, 'Name: value' (repeatable).
    #[arg(long = "header", short = 'H', value_name = "'Name: value'")]
    pub headers: Vec<String>,
    /// Take the secret from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and
    /// AWS_SESSION_TOKEN) only, never from the shared files.
    #[arg(long)]
    pub secret_from_env: bool,
    /// Named profile from ~/.aws/credentials (instead of the environment).
    #[arg(long, value_name = "P", conflicts_with = "secret_from_env")]
    pub profile: Option<String>,
    /// Only accept signatures for this region.
    #[arg(long, value_name = "R")]
    pub region: Option<String>,
    /// The longest X-Amz-Expires accepted, in seconds.
    #[arg(long, value_name = "S", default_value_t = 604_800)]
    pub max_expiry: u64,
    /// The clock skew tolerated, in seconds.
    #[arg(long, value_name = "S", default_value_t = 900)]
    pub max_clock_skew: u64,
    /// Verify as of this time, 2013-05-24T00:00:00Z or 20130524T000000Z [default: now].
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// The request body: its SHA-256 must match the signed payload hash.
    #[arg(long, value_name = "FILE")]
    pub body: Option<PathBuf>,
}

fn split_header(h: &str) -> Result<(String, String), CliError> {
    match h.split_once(':') {
        Some((n, v)) if !trim_sigv4(n).is_empty() => {
            Ok((trim_sigv4(n).to_owned(), trim_sigv4(v).to_owned()))
        }
        _ => Err(input("invalid header: expected 'Name: value'")),
    }
}

/// Method, URL and headers.
type Request = (String, String, Vec<(String, String)>);

/// (method, url, headers) from the arguments or stdin.
fn request(args: &VerifyArgs) -> Result<Request, CliError> {
    let mut headers = args
        .headers
        .iter()
        .map(|h| split_header(h))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(url) = &args.url {
        return Ok((args.method.clone(), url.clone(), headers));
    }
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| input(format!("cannot read stdin: {e}")))?;
    let mut lines = text.lines().map(|l| l.trim_end_matches('\r'));
    let first = lines.next().unwrap_or("").trim();
    let (method, url) = match first.split_once(' ') {
        Some((m, u)) => (m.to_owned(), u.trim().to_owned()),
        None if !first.is_empty() => (args.method.clone(), first.to_owned()),
        None => {
            return Err(input(
                "no URL: pass it as an argument or as `METHOD URL` on stdin",
            ));
        }
    };
    for l in lines.take_while(|l| !l.trim().is_empty()) {
        headers.push(split_header(l)?);
    }
    Ok((method, url, headers))
}

pub fn run(args: &VerifyArgs) -> Result<bool, CliError> {
    let env = Environment::process();
    let creds: Credentials = if args.secret_from_env {
        env.credentials_from_env()?
    } else {
        env.credentials(args.profile.as_deref())?
    };
    let now = match &args.date {
        Some(d) => AmzDate::parse(d)?,
        None => AmzDate::now()?,
    };
    let (method, url, headers) = request(args)?;
    let refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let mut verifier =
        Verifier::new(move |id: &str| (id == creds.access_key_id()).then(|| creds.clone()))
            .with_max_expiry(args.max_expiry)
            .with_max_clock_skew(args.max_clock_skew);
    if let Some(r) = &args.region {
        verifier = verifier.with_region(r);
    }
    let result = if refs.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        parse_url(&url).and_then(|u| {
            verifier.verify(&IncomingRequest::new(&method, u.path, u.query, &refs), now)
        })
    } else {
        verifier.verify_url(&method, &url, &refs, now)
    };
    let body_hash = args.body.as_deref().map(sha256_of_file).transpose()?;
    let line = match &result {
        Ok(v) => match payload_check(v, body_hash.as_deref()) {
            Ok(payload) => format!("{}{payload}", valid_line(v)),
            Err(mismatch) => mismatch,
        },
        Err(e) => format!("invalid: {e}"),
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(CliError::Output)?;
    Ok(line.starts_with("valid:"))
}

fn valid_line(v: &Verified) -> String {
    format!(
        "valid: signed by {} for {} at {}{}",
        v.access_key_id(),
        v.region(),
        v.signed_at().to_rfc3339(),
        v.expires_at()
            .map(|e| format!(", expires {}", e.to_rfc3339()))
            .unwrap_or_default()
    )
}

/// What the line says about the body: nothing for a presigned URL without a payload hash
/// and no `--body`; otherwise the signed payload hash and whether the body matches it.
/// `Err` is the `invalid: ...` line for a body that does not match.
fn payload_check(v: &Verified, body_hash: Option<&str>) -> Result<String, String> {
    let claimed = v.payload_hash();
    let unsigned = claimed == UNSIGNED_PAYLOAD;
    match body_hash {
        None if unsigned && v.auth_method() == AuthMethod::QueryString => Ok(String::new()),
        _ if unsigned => Ok(format!(
            "; payload {UNSIGNED_PAYLOAD} (the body is not signed)"
        )),
        None => Ok(format!(
            "; payload sha256 {claimed} (body not checked; pass --body FILE to check it)"
        )),
        Some(h) if h == claimed => Ok(format!("; payload sha256 {claimed} (the body matches)")),
        Some(_) => Err(String::from(
            "invalid: XAmzContentSHA256Mismatch (400): The provided 'x-amz-content-sha256' header does not match what was computed.",
        )),
    }
}

/// The SHA-256 of a file, in lowercase hex.
fn sha256_of_file(path: &std::path::Path) -> Result<String, CliError> {
    let mut file = std::fs::File::open(path)
        .map_err(|e| input(format!("cannot read --body {}: {e}", path.display())))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| input(format!("cannot read --body {}: {e}", path.display())))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}
