//! What every subcommand shares: credential/region/endpoint options, the `s3://` target,
//! the signing time, output and errors.

use std::fmt;
use std::io::Write;

use clap::Args;
use std::sync::Arc;

use s3presign::config::S3Config;
use s3presign::profile::Environment;
use s3presign::providers::{
    DefaultChain, ProfileProvider, ProvideCredentials, SharedEnv, region_from_imds,
};
use s3presign::s3::{AddressingStyle, Bucket, BucketNaming, Endpoint, PresignedRequest};
use s3presign::{AmzDate, ExpiryCause, Signer};

/// A failure, printed as one line on stderr.
#[derive(Debug)]
pub enum CliError {
    /// Bad input (arguments, credentials, region, profile): exit status 2.
    Input(String),
    /// The output could not be written: exit status 1.
    Output(std::io::Error),
}

impl CliError {
    /// The message on a single line (control characters become spaces).
    pub fn one_line(&self) -> String {
        self.to_string()
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect()
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Input(_) => 2,
            CliError::Output(_) => 1,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Input(m) => f.write_str(m),
            CliError::Output(e) => write!(f, "cannot write the output: {e}"),
        }
    }
}

impl From<s3presign::Error> for CliError {
    fn from(e: s3presign::Error) -> Self {
        // The library's messages never contain secrets, tokens or signatures.
        CliError::Input(e.to_string())
    }
}

pub fn input(msg: impl Into<String>) -> CliError {
    CliError::Input(msg.into())
}

/// Where to sign for and how to address the bucket.
#[derive(Debug, Args)]
pub struct ConnectionArgs {
    /// Region to sign for [default: AWS_REGION, AWS_DEFAULT_REGION, or the profile's region].
    #[arg(long, value_name = "R")]
    pub region: Option<String>,
    /// S3-compatible endpoint, http(s)://host[:port][/base] (MinIO, R2, ...) [default:
    /// AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's services section or endpoint_url].
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Put the bucket in the path (https://host/BUCKET/KEY) instead of the host name
    /// [default: the profile's s3 addressing_style, else automatic].
    #[arg(long)]
    pub path_style: bool,
    /// Named profile from ~/.aws/credentials and ~/.aws/config.
    #[arg(long, value_name = "P")]
    pub profile: Option<String>,
    /// Signing time, 2013-05-24T00:00:00Z or 20130524T000000Z [default: now].
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
}

impl ConnectionArgs {
    /// Where credentials come from: --profile's provider, else the AWS SDKs' default chain,
    /// over the process environment.
    pub fn credentials_provider(&self) -> Arc<dyn ProvideCredentials> {
        let env: SharedEnv = Arc::new(Environment::process());
        match &self.profile {
            Some(p) => Arc::new(ProfileProvider::named(env, p.clone())),
            None => Arc::new(DefaultChain::new(env)),
        }
    }

    /// The signer, from --profile's provider or the AWS SDKs' default chain (environment,
    /// web identity, the AWS_PROFILE/default profile with SSO, credential_process and
    /// assumed roles, the container endpoint, EC2 instance metadata) over the process
    /// environment, run on a single-threaded runtime.
    pub fn signer(&self) -> Result<Signer, CliError> {
        let provider = self.credentials_provider();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| input(format!("cannot start the credentials runtime: {e}")))?;
        let creds = runtime
            .block_on(provider.provide_credentials())
            // Provider errors name the source and the cause, never a secret or token.
            .map_err(|e| input(format!("no credentials: {e}")))?;
        Ok(Signer::new(creds)?)
    }

    /// The S3 settings of the environment and shared files (endpoint URL, addressing
    /// style, region), with --endpoint-url, --path-style and --region on top.
    pub fn s3_config(&self, env: &Environment<'_>) -> Result<S3Config, CliError> {
        let mut config = env.s3_config(self.profile.as_deref())?;
        if let Some(region) = &self.region {
            config = config.with_region(region);
        }
        if let Some(url) = &self.endpoint_url {
            config = config.with_endpoint_url(url);
        }
        if self.path_style {
            config = config.with_addressing_style(AddressingStyle::Path);
        }
        // Last, as the AWS SDKs do: the region of the EC2 instance we run on.
        Ok(config.or_region(region_from_instance_metadata))
    }

    /// The endpoint (`s3_config`'s, else AWS in the region) with the addressing style.
    /// Legacy bucket names (upper case, underscores) are accepted and addressed in the
    /// path, as botocore and the AWS SDK for JavaScript v3 do.
    pub fn endpoint(&self, env: &Environment<'_>) -> Result<Endpoint, CliError> {
        let endpoint = self.s3_config(env)?.endpoint().map_err(|e| match e {
            s3presign::Error::Missing { what: "region", .. } => input(
                "missing region: pass --region, or set AWS_REGION or AWS_DEFAULT_REGION, or `region` in the profile",
            ),
            e => e.into(),
        })?;
        Ok(endpoint.with_bucket_naming(BucketNaming::Relaxed))
    }

    /// The signing time: --date or the clock.
    pub fn now(&self) -> Result<AmzDate, CliError> {
        Ok(match &self.date {
            Some(d) => AmzDate::parse(d)?,
            None => AmzDate::now()?,
        })
    }
}

/// `s3://BUCKET/KEY` split into the bucket and the raw key (everything after the first
/// `/` following the bucket, so `s3://b//x` is the key `/x`).
pub fn parse_s3_uri(uri: &str) -> Result<(&str, &str), CliError> {
    let rest = uri
        .strip_prefix("s3://")
        .ok_or_else(|| input("expected s3://BUCKET/KEY: the target must start with s3://"))?;
    match rest.split_once('/') {
        Some((bucket, key)) if !bucket.is_empty() && !key.is_empty() => Ok((bucket, key)),
        Some((bucket, _)) if !bucket.is_empty() => Err(input(
            "expected s3://BUCKET/KEY: the object key after the bucket is empty",
        )),
        _ => Err(input("expected s3://BUCKET/KEY: missing bucket or key")),
    }
}

/// Builds the bucket on the endpoint.
pub fn bucket(endpoint: &Endpoint, name: &str) -> Result<Bucket, CliError> {
    Ok(Bucket::new(endpoint, name)?)
}

/// Trims what SigV4 trims from a header name or value: spaces and tabs (not other
/// Unicode whitespace such as U+00A0, which is part of the value).
pub fn trim_sigv4(s: &str) -> &str {
    s.trim_matches([' ', '\t'])
}

/// Prints the URL, or with `json` the whole request as one JSON line.
pub fn print(req: &PresignedRequest, json: bool) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    if json {
        let text = serde_json::to_string(req).map_err(|e| CliError::Output(e.into()))?;
        writeln!(out, "{text}")
    } else {
        writeln!(out, "{}", req.url())
    }
    .and_then(|()| out.flush())
    .map_err(CliError::Output)
}

/// What a presign asked for and what it got, for the warning when they differ.
pub struct Expiry {
    /// `"URL"` or `"form"`.
    pub what: &'static str,
    /// The `--expires-in` asked for.
    pub asked_secs: u64,
    /// The signing time.
    pub now: AmzDate,
    /// When the URL or form really expires.
    pub expires_at: AmzDate,
    /// Why.
    pub cause: ExpiryCause,
}

/// The one-line warning for an expiry shorter than asked, or `None`.
pub fn shortened_warning(e: &Expiry) -> Option<String> {
    match e.cause {
        ExpiryCause::Requested => None,
        _ => {
            let given = e.expires_at.unix_timestamp() - e.now.unix_timestamp();
            Some(format!(
                "warning: the {} expires in {given} s (at {}), not the {} s asked: the credentials it is signed with expire then; refresh them for a longer-lived {}",
                e.what,
                e.expires_at.to_rfc3339(),
                e.asked_secs,
                e.what,
            ))
        }
    }
}

/// Prints [`shortened_warning`] on stderr, if any.
pub fn warn_if_shortened(e: &Expiry) {
    if let Some(line) = shortened_warning(e) {
        eprintln!("{line}");
    }
}

/// The region EC2 instance metadata gives (IMDSv2, 1 s timeouts; `None` off EC2 or with
/// `AWS_EC2_METADATA_DISABLED=true`). On a thread of its own, so the async commands can ask
/// too.
fn region_from_instance_metadata() -> Option<String> {
    std::thread::spawn(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .ok()?;
        runtime
            .block_on(region_from_imds(&Environment::process()))
            .ok()
    })
    .join()
    .ok()
    .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_uris() {
        assert_eq!(parse_s3_uri("s3://b/k").unwrap(), ("b", "k"));
        assert_eq!(parse_s3_uri("s3://b//x").unwrap(), ("b", "/x"));
        assert_eq!(
            parse_s3_uri("s3://b/a b/../c?d#e").unwrap(),
            ("b", "a b/../c?d#e")
        );
        assert_eq!(parse_s3_uri("s3://b/dir/").unwrap(), ("b", "dir/"));
        for bad in [
            "s3://b",
            "s3://b/",
            "s3:///k",
            "https://b/k",
            "b/k",
            "S3://b/k",
        ] {
            assert!(parse_s3_uri(bad).is_err(), "{bad}");
        }
    }
}
