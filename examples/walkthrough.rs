//! The tutorial, end to end: create a bucket, let a "browser" upload a small video through
//! a presigned PUT, download it through a presigned GET, list the bucket, make it publicly
//! readable (public access block lifted, public-read policy) and read it anonymously,
//! turn on versioning and keep the old cut of the video, attach a Lambda notification,
//! then delete everything.
//!
//! ```text
//! cargo run --example walkthrough --features client
//! ```
//! With no environment it starts an embedded S3 server (s3s-fs in-process) and needs no
//! account. Against AWS or any S3 endpoint:
//! ```text
//! AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... AWS_REGION=eu-west-1 \
//! S3PRESIGN_BUCKET=my-new-bucket [S3PRESIGN_ENDPOINT=http://127.0.0.1:8333] \
//! [S3PRESIGN_LAMBDA_ARN=arn:aws:lambda:...] cargo run --example walkthrough --features client
//! ```
//! (The bucket is created if needed and deleted at the end only if this run created it.
//! On AWS the notification step needs a Lambda that allows S3 to invoke it; without
//! `S3PRESIGN_LAMBDA_ARN` that step is skipped there.)

#[path = "../tests/common/bucket_config_server.rs"]
mod server;

use std::error::Error;
use std::time::Instant;

use s3presign::Credentials;
use s3presign::client::{
    BucketPolicy, Client, EnvCredentials, Event, FilterRules, LambdaFunctionConfiguration,
    ListObjectVersions, ListObjectsV2, NotificationConfiguration, ObjectIdentifier, PresignPut,
    PublicAccessBlockConfiguration, PutObject, VersioningStatus,
};
use s3presign::s3::Endpoint;

const KEY: &str = "uploads/user-uploads/clip.mp4";

fn step(n: u32, text: &str) {
    println!("[{n}/8] {text}");
}

/// A small stand-in for a video: an MP4 `ftyp` box followed by patterned bytes.
fn fake_video(seed: u8, len: usize) -> Vec<u8> {
    let mut v = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom".to_vec();
    v.extend((0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)));
    v
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let started = Instant::now();
    let external = std::env::var("S3PRESIGN_BUCKET").ok();
    let _embedded; // keeps the embedded server alive
    let (client, bucket, lambda_arn) = match external {
        Some(bucket) => {
            let region = std::env::var("AWS_REGION")
                .or_else(|_| std::env::var("AWS_DEFAULT_REGION"))
                .unwrap_or_else(|_| "us-east-1".into());
            let endpoint = match std::env::var("S3PRESIGN_ENDPOINT") {
                Ok(url) => Endpoint::custom(&url, &region)?,
                Err(_) => Endpoint::aws(&region)?,
            };
            println!(
                "using {} (region {region}), bucket {bucket}",
                endpoint_label(&endpoint)
            );
            let client = Client::builder()
                .endpoint(endpoint)
                .credentials(EnvCredentials)
                .build()?;
            (client, bucket, std::env::var("S3PRESIGN_LAMBDA_ARN").ok())
        }
        None => {
            let srv = server::start().await;
            println!(
                "no S3PRESIGN_BUCKET set: started the embedded S3 server at {}",
                srv.endpoint
            );
            let client = Client::builder()
                .endpoint(Endpoint::custom(&srv.endpoint, "us-east-1")?)
                .static_credentials(Credentials::new(server::ACCESS_KEY, server::SECRET_KEY))
                .build()?;
            _embedded = srv;
            let arn = "arn:aws:lambda:us-east-1:123456789012:function:transcode-video".to_string();
            (client, "walkthrough-videos".to_string(), Some(arn))
        }
    };
    // A plain HTTP client, standing in for the browser and for anonymous readers.
    s3presign::client::install_crypto_provider();
    let http = reqwest::Client::new();

    step(1, &format!("create bucket {bucket}"));
    let created = match client.create_bucket(&bucket).await {
        Ok(()) => true,
        Err(e) if e.code() == Some("BucketAlreadyOwnedByYou") => {
            println!("      already exists and is yours; it will be kept at the end");
            false
        }
        Err(e) => return Err(e.into()),
    };

    step(
        2,
        "presigned PUT: a browser uploads a small video over plain HTTP",
    );
    let video = fake_video(7, 48 * 1024);
    let put = client
        .presign_put(
            &bucket,
            KEY,
            300,
            &PresignPut::new().content_type("video/mp4"),
        )
        .await?;
    println!("      {put:?}"); // Debug redacts the signature
    let resp = http
        .put(put.url())
        .header("content-type", "video/mp4")
        .body(video.clone())
        .send()
        .await?;
    ensure(
        resp.status().is_success(),
        format!("upload answered {}", resp.status()),
    )?;
    println!("      uploaded {} bytes ({})", video.len(), resp.status());

    step(3, "presigned GET: download and compare");
    let get = client.presign_get(&bucket, KEY, 300).await?;
    let downloaded = http
        .get(get.url())
        .send()
        .await?
        .error_for_status()?
        .bytes()
        .await?;
    ensure(
        downloaded[..] == video[..],
        "downloaded bytes differ".into(),
    )?;
    println!("      {} bytes, identical", downloaded.len());

    step(4, "list the uploads");
    let objects = client
        .list_objects_v2_pages(&bucket, ListObjectsV2::new().prefix("uploads/"))
        .collect_objects()
        .await?;
    for o in &objects {
        println!("      {} ({} bytes)", o.key, o.size);
    }
    ensure(
        objects.iter().any(|o| o.key == KEY),
        "the upload is not listed".into(),
    )?;

    step(
        5,
        "lift the public access block, set the public-read policy, read anonymously",
    );
    let mut public_url = client.bucket(&bucket)?.url_prefix().to_string();
    public_url.push('/');
    // The key as a URL path: RFC 3986's unreserved characters and `/` kept.
    const PATH: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b'/');
    public_url.extend(percent_encoding::utf8_percent_encode(KEY, PATH));
    let before = http.get(&public_url).send().await?.status();
    println!("      anonymous GET before: {before}");
    match client
        .put_public_access_block(
            &bucket,
            &PublicAccessBlockConfiguration::allow_public_policy(),
        )
        .await
    {
        Ok(()) => {
            println!("      public access block: public policies allowed, ACLs still blocked")
        }
        // SeaweedFS, for one, has no public access block.
        Err(e) if e.is_not_implemented() => {
            println!("      this server has no public access block ({e})")
        }
        Err(e) => return Err(e.into()),
    }
    let policy = BucketPolicy::public_read(&bucket);
    println!("      policy: {}", policy.to_json()?);
    client.put_bucket_policy(&bucket, &policy).await?;
    let resp = http.get(&public_url).send().await?;
    let status = resp.status();
    let body = resp.bytes().await?;
    ensure(
        status.is_success() && body[..] == video[..],
        format!("anonymous GET answered {status}"),
    )?;
    println!("      anonymous GET after: {status}, {} bytes", body.len());

    step(6, "versioning on, overwrite the video, list both versions");
    client
        .put_bucket_versioning(&bucket, VersioningStatus::Enabled)
        .await?;
    println!(
        "      versioning: {:?}",
        client.get_bucket_versioning(&bucket).await?
    );
    let recut = fake_video(99, 40 * 1024);
    client
        .put_object(
            &bucket,
            KEY,
            recut.clone(),
            &PutObject::new().content_type("video/mp4"),
        )
        .await?;
    let versions = client
        .list_object_versions(&bucket, &ListObjectVersions::new().prefix(KEY))
        .await?;
    for v in &versions.versions {
        println!(
            "      version {} latest={} {} bytes",
            v.version_id, v.is_latest, v.size
        );
    }
    ensure(
        versions.versions.len() == 2,
        format!("{} versions listed", versions.versions.len()),
    )?;
    let current = client.get_object(&bucket, KEY).await?;
    ensure(
        current.body[..] == recut[..],
        "the current version is not the re-cut".into(),
    )?;

    step(7, "notification: a Lambda runs on each upload");
    match &lambda_arn {
        Some(arn) => {
            let config = NotificationConfiguration::default().lambda(
                LambdaFunctionConfiguration::new(arn.clone(), [Event::ObjectCreatedAll])
                    .id("transcode-uploads")
                    .filter(FilterRules::new().prefix("uploads/").suffix(".mp4")),
            );
            match client
                .put_bucket_notification_configuration(&bucket, &config)
                .await
            {
                Ok(()) => {}
                // SeaweedFS answers 409 / 501 here.
                Err(e) if e.is_not_implemented() || e.status() == Some(409) => {
                    println!("      this server does not store notification configurations ({e})");
                    return cleanup_and_finish(&client, &bucket, created, started).await;
                }
                Err(e) => return Err(e.into()),
            }
            let back = client
                .get_bucket_notification_configuration(&bucket)
                .await?;
            ensure(back == config, format!("read back {back:?}"))?;
            println!(
                "      stored and read back: {} -> {arn}",
                Event::ObjectCreatedAll.as_str()
            );
            client
                .put_bucket_notification_configuration(
                    &bucket,
                    &NotificationConfiguration::default(),
                )
                .await?;
        }
        None => println!("      skipped: set S3PRESIGN_LAMBDA_ARN to a Lambda S3 may invoke"),
    }

    cleanup_and_finish(&client, &bucket, created, started).await
}

async fn cleanup_and_finish(
    client: &Client,
    bucket: &str,
    created: bool,
    started: Instant,
) -> Result<(), Box<dyn Error>> {
    step(8, "delete everything");
    client.delete_bucket_policy(bucket).await?;
    let mut ids = Vec::new();
    let mut pages = client.list_object_versions_pages(bucket, ListObjectVersions::new());
    while let Some(page) = pages.next_page().await? {
        ids.extend(
            page.versions
                .into_iter()
                .map(|v| ObjectIdentifier::with_version(v.key, v.version_id)),
        );
        ids.extend(
            page.delete_markers
                .into_iter()
                .map(|v| ObjectIdentifier::with_version(v.key, v.version_id)),
        );
    }
    let out = client.delete_objects(bucket, &ids).await?;
    ensure(
        out.errors.is_empty(),
        format!("not deleted: {:?}", out.errors),
    )?;
    println!("      deleted {} object versions", out.deleted.len());
    if created {
        client.delete_bucket(bucket).await?;
        ensure(
            client
                .head_bucket(bucket)
                .await
                .is_err_and(|e| e.is_not_found()),
            "the bucket is still there".into(),
        )?;
        println!("      bucket {bucket} deleted");
    }
    println!("done in {:.2?}", started.elapsed());
    Ok(())
}

fn endpoint_label(e: &Endpoint) -> String {
    format!("{}://{}", e.scheme().as_str(), e.authority())
}

fn ensure(ok: bool, what: String) -> Result<(), Box<dyn Error>> {
    if ok { Ok(()) } else { Err(what.into()) }
}
