//! `s3presign`: presigned S3 URLs from the command line, shaped like `aws s3 presign` but
//! for uploads too.
//!
//! ```text
//! s3presign get s3://examplebucket/test.txt --expires-in 600
//! s3presign put s3://uploads/user-uploads/clip.mp4 --content-type video/mp4 --expires-in 60 --json
//! s3presign cp ./video.mp4 s3://bucket/videos/video.mp4
//! s3presign ls s3://bucket/videos/ --recursive
//! ```
//!
//! Credentials and region come from the environment or the shared AWS files (see
//! `s3presign::profile`). Exit status: 0 on success, 2 for bad input (arguments,
//! credentials, region, profile), 1 if the output cannot be written.
//!
//! Layout: this file holds the command line and the dispatch; `common.rs` the options and
//! helpers every subcommand shares (credentials, endpoint, date, output); one module per
//! group of subcommands (`object.rs` for get/put/delete/head; `cp.rs`, `ls.rs`, `rm.rs`
//! send requests with the client, and exit 1 on a server error, 130 on Ctrl-C).

mod common;
mod cp;
mod ls;
mod object;
mod post;
mod rm;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::common::CliError;

#[derive(Debug, Parser)]
#[command(
    name = "s3presign",
    version,
    about = "Presigned Amazon S3 (and S3-compatible) URLs for downloads and uploads",
    after_help = "Credentials: --profile, else AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, \
                  else the profile AWS_PROFILE (or default) in ~/.aws/credentials and ~/.aws/config.\n\
                  Region: --region, else AWS_REGION, AWS_DEFAULT_REGION, or the profile's region.\n\
                  Endpoint: --endpoint-url, else AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's services \
                  section (s3 = endpoint_url = ...) or its endpoint_url (AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true \
                  ignores all four); addressing: --path-style, else the profile's s3 addressing_style.\n\
                  Exit status: 0 success, 2 bad input, 1 output error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Presign a GET (download) of an object.
    Get(object::ObjectArgs),
    /// Presign a PUT (upload) of an object.
    Put(object::ObjectArgs),
    /// Presign a DELETE of an object.
    Delete(object::ObjectArgs),
    /// Presign a HEAD (metadata) request for an object.
    Head(object::ObjectArgs),
    /// A browser upload form with a signed POST policy (HTML, or JSON with --json).
    Post(post::PostArgs),
    /// Check a presigned URL (or a signed request on stdin); exit 0 if valid, 1 if not.
    Verify(verify::VerifyArgs),
    /// Copy a local file to S3 or an object to a local file (multipart and parallel).
    Cp(cp::CpArgs),
    /// List objects under s3://BUCKET[/PREFIX].
    Ls(ls::LsArgs),
    /// Delete an object, or with --recursive every object under a prefix.
    Rm(rm::RmArgs),
}

fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Get(args) => object::run("GET", &args),
        Command::Put(args) => object::run("PUT", &args),
        Command::Delete(args) => object::run("DELETE", &args),
        Command::Head(args) => object::run("HEAD", &args),
        Command::Post(args) => post::run(&args),
        // Handled in main: an invalid signature exits 1 without being an error; the
        // client commands have their own exit statuses.
        Command::Verify(_) | Command::Cp(_) | Command::Ls(_) | Command::Rm(_) => Ok(()),
    }
}

/// A usage error of the argument parser as one line: what was wrong, then any tip
/// (the usage text and the pointer to --help are left out).
fn usage_error_line(rendered: &str) -> String {
    let mut line = String::new();
    for l in rendered.lines().map(str::trim) {
        if l.starts_with("Usage:") || l.starts_with("For more information") {
            break;
        }
        if l.is_empty() {
            continue;
        }
        let l = l.strip_prefix("error: ").unwrap_or(l);
        if !line.is_empty() {
            line.push_str(if line.ends_with(':') { " " } else { "; " });
        }
        line.push_str(l);
    }
    line
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version print to stdout and exit 0.
        Err(e) if !e.use_stderr() => e.exit(),
        Err(e) => {
            let line = usage_error_line(&e.render().to_string());
            eprintln!("error: {} (see --help)", CliError::Input(line).one_line());
            return ExitCode::from(2);
        }
    };
    match &cli.command {
        Command::Cp(args) => return cp::exit_with(cp::run(args)),
        Command::Ls(args) => return cp::exit_with(ls::run(args)),
        Command::Rm(args) => return cp::exit_with(rm::run(args)),
        _ => {}
    }
    if let Command::Verify(args) = &cli.command {
        return match verify::run(args) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(1),
            Err(e) => {
                eprintln!("error: {}", e.one_line());
                ExitCode::from(e.exit_code())
            }
        };
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", e.one_line());
            ExitCode::from(e.exit_code())
        }
    }
}
