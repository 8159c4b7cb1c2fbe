//! object_store's side of the transfer benchmark.
//!
//! `object_store_bench upload FILE KEY` streams FILE into a multipart upload
//! (`put_multipart` + `WriteMultipart::new_with_chunk_size(PART_SIZE)`, at most
//! CONCURRENCY parts in flight through `wait_for_capacity`).
//! `object_store_bench download KEY FILE` gets the object's size (HEAD), then fetches
//! PART_SIZE ranges with `get_range`, CONCURRENCY at a time (`buffer_unordered`), and
//! writes each in place (`write_all_at`) as it arrives.
//!
//! Environment: ENDPOINT, BUCKET, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, PART_SIZE
//! (bytes), CONCURRENCY.
use std::os::unix::fs::FileExt;
use std::sync::Arc;

use futures::{StreamExt, TryStreamExt};
use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};
use tokio::io::AsyncReadExt;

type Res<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

fn env(name: &str) -> Res<String> {
    std::env::var(name).map_err(|_| format!("set {name}").into())
}

#[tokio::main]
async fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().collect();
    // No TLS on loopback, but reqwest's client is built with rustls: give it ring.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let part_size: usize = env("PART_SIZE")?.parse()?;
    let concurrency: usize = env("CONCURRENCY")?.parse()?;
    let store: Arc<dyn ObjectStore> = Arc::new(
        AmazonS3Builder::new()
            .with_endpoint(env("ENDPOINT")?)
            .with_allow_http(true)
            .with_virtual_hosted_style_request(false)
            .with_region("us-east-1")
            .with_bucket_name(env("BUCKET")?)
            .with_access_key_id(env("AWS_ACCESS_KEY_ID")?)
            .with_secret_access_key(env("AWS_SECRET_ACCESS_KEY")?)
            .build()?,
    );
    match args.get(1..).unwrap_or_default() {
        [cmd, file, key] if cmd == "upload" => upload(store, file, key, part_size, concurrency).await,
        [cmd, key, file] if cmd == "download" => download(store, key, file, part_size, concurrency).await,
        _ => Err("usage: object_store_bench upload FILE KEY | download KEY FILE".into()),
    }
}

async fn upload(store: Arc<dyn ObjectStore>, file: &str, key: &str, part: usize, n: usize) -> Res<()> {
    let mut f = tokio::fs::File::open(file).await?;
    let upload = store.put_multipart(&Path::from(key)).await?;
    let mut w = WriteMultipart::new_with_chunk_size(upload, part);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let got = f.read(&mut buf).await?;
        if got == 0 {
            break;
        }
        w.wait_for_capacity(n).await?;
        w.write(&buf[..got]);
    }
    w.finish().await?;
    Ok(())
}

async fn download(store: Arc<dyn ObjectStore>, key: &str, file: &str, part: usize, n: usize) -> Res<()> {
    let path = Path::from(key);
    let size = store.head(&path).await?.size;
    let out = std::fs::File::create(file)?;
    out.set_len(size)?;
    let part = part as u64;
    let ranges = (0..size.div_ceil(part)).map(|i| i * part..((i + 1) * part).min(size));
    futures::stream::iter(ranges)
        .map(|r| {
            let (store, path) = (store.clone(), path.clone());
            async move { store.get_range(&path, r.clone()).await.map(|b| (r.start, b)) }
        })
        .buffer_unordered(n)
        .map_err(Box::<dyn std::error::Error + Send + Sync>::from)
        .try_for_each(|(at, bytes)| {
            let res = out.write_all_at(&bytes, at).map_err(Into::into);
            futures::future::ready(res)
        })
        .await?;
    out.sync_all()?;
    Ok(())
}
