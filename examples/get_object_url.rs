//! The tutorial's `getObjectURL(key)`: a presigned GET that works for 20 seconds, so a
//! browser can download a private object without AWS keys.
//!
//! ```text
//! cargo run --example get_object_url -- [KEY]
//! ```
//!
//! Uses AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), AWS_REGION and
//! S3_BUCKET when set, and the AWS documentation's example credentials otherwise, so it runs
//! without an AWS account (the URL is then well formed but S3 will refuse it).

use s3presign::s3::{Bucket, Endpoint};
use s3presign::{AmzDate, Credentials, Error, Signer};

/// `getObjectURL(key)`: a URL that downloads `key` for the next 20 seconds.
fn get_object_url(bucket: &Bucket, signer: &Signer, key: &str) -> Result<String, Error> {
    bucket
        .get_object(key)
        .expires_in(20)
        .sign_url(signer, AmzDate::now()?)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let key = std::env::args().nth(1).unwrap_or_else(|| "test.txt".into());
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
    let url = get_object_url(&bucket, &signer, &key)?;

    println!("{url}");
    // Percent-encoding leaves no `'` in the URL, so single quotes are safe.
    println!("curl --fail -o downloaded.bin '{url}'");
    Ok(())
}
