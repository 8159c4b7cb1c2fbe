//! The tutorial's `putObject(filename, contentType)`: a presigned PUT that lets a browser
//! upload `uploads/user-uploads/<filename>` straight to S3 within 60 seconds. The content
//! type is signed, so the upload must send exactly that `Content-Type`.
//!
//! ```text
//! cargo run --example put_object -- [FILENAME] [CONTENT_TYPE]
//! ```
//!
//! Uses AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), AWS_REGION and
//! S3_BUCKET when set, and the AWS documentation's example credentials otherwise, so it runs
//! without an AWS account (the URL is then well formed but S3 will refuse it).

use s3presign::s3::{Bucket, Endpoint, PresignedRequest};
use s3presign::{AmzDate, Credentials, Error, Signer};

/// `putObject(filename, contentType)`: the method, URL and headers for the upload.
fn put_object(
    bucket: &Bucket,
    signer: &Signer,
    filename: &str,
    content_type: &str,
) -> Result<PresignedRequest, Error> {
    let key = format!("uploads/user-uploads/{filename}");
    bucket
        .put_object(&key)
        .content_type(content_type)
        .expires_in(60)
        .sign(signer, AmzDate::now()?)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let filename = args.next().unwrap_or_else(|| "video.mp4".into());
    let content_type = args.next().unwrap_or_else(|| "video/mp4".into());
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

    let signer = Signer::new(credentials)?;
    let bucket = Bucket::new(&Endpoint::aws(&region)?, &bucket_name)?;
    let upload = put_object(&bucket, &signer, &filename, &content_type)?;

    println!("{}", upload.url());
    // The headers the uploader must send (here the signed Content-Type). Percent-encoding
    // leaves no `'` in the URL; header values are quoted the same way.
    let headers: String = upload
        .headers()
        .map(|(name, value)| format!(" -H '{name}: {}'", value.replace('\'', r"'\''")))
        .collect();
    println!(
        "curl --fail -X {}{headers} --upload-file '{}' '{}'",
        upload.method(),
        filename.replace('\'', r"'\''"),
        upload.url()
    );
    Ok(())
}
