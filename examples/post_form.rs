//! A browser upload form for S3: any file name under `uploads/`, at most 10 MB, only
//! `video/*`, valid for 10 minutes. Prints a ready-to-save HTML page (or, with `--json`,
//! the `{"url": ..., "fields": {...}}` a frontend needs; that needs `--features serde`).
//!
//! ```text
//! cargo run --example post_form > upload.html      # open upload.html in a browser
//! ```
//!
//! Uses AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), AWS_REGION and
//! S3_BUCKET when set, and the AWS documentation's example credentials otherwise, so it runs
//! without an AWS account (the form is then well formed but S3 will refuse the upload).
//!
//! Unlike a presigned PUT URL, the signed policy limits what is uploaded: S3 rejects a file
//! over 10 MB (`EntityTooLarge`), a key outside `uploads/` or a `Content-Type` that does not
//! start with `video/` (`AccessDenied`), and any use after the expiration.

use s3presign::s3::{Bucket, Endpoint, PostForm, PostPolicy};
use s3presign::{AmzDate, Credentials, Error, Signer};

const MAX_BYTES: u64 = 10 * 1024 * 1024;

/// The policy: the form works for 10 minutes.
fn video_upload_form(bucket: &Bucket, signer: &Signer, now: AmzDate) -> Result<PostForm, Error> {
    PostPolicy::new(bucket)
        .key_starts_with("uploads/")
        .content_length_range(1, MAX_BYTES)
        .content_type_starts_with("video/")
        .success_action_status(201)
        .expires_in(600)
        .sign(signer, now)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let credentials = match Credentials::from_env() {
        Err(Error::Missing {
            what: "AWS_ACCESS_KEY_ID",
            ..
        }) => {
            eprintln!("note: AWS_ACCESS_KEY_ID is not set; using AWS's example credentials");
            Credentials::new(
                "AKIAIOSFODNN7EXAMPLE",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            )
        }
        other => other?,
    };
    let region = std::env::var("AWS_REGION").unwrap_or_else(|_| "us-east-1".into());
    let bucket_name = std::env::var("S3_BUCKET").unwrap_or_else(|_| "examplebucket".into());
    let bucket = Bucket::new(&Endpoint::aws(&region)?, &bucket_name)?;
    let form = video_upload_form(&bucket, &Signer::new(credentials)?, AmzDate::now()?)?;

    if std::env::args().any(|a| a == "--json") {
        #[cfg(feature = "serde")]
        {
            println!("{}", serde_json::to_string_pretty(&form)?);
            return Ok(());
        }
        #[cfg(not(feature = "serde"))]
        return Err(
            "--json needs: cargo run --example post_form --features serde -- --json".into(),
        );
    }
    println!("<!doctype html>\n<meta charset=\"utf-8\">\n<title>Upload a video</title>");
    println!(
        "<p>Choose a video (video/*, at most 10 MB). This form expires at {}.</p>",
        form.expiration().to_rfc3339()
    );
    print!("{}", form.to_html());
    Ok(())
}
