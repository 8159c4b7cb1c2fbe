//! Integration tests for `s3presign::client` against a real server.
//!
//! By default each test starts the in-process s3s-fs server (with the bucket-config
//! wrapper from `tests/common/bucket_config_server.rs`). With `S3PRESIGN_TEST_ENDPOINT`
//! set, the same tests run against that endpoint (credentials from `AWS_ACCESS_KEY_ID` /
//! `AWS_SECRET_ACCESS_KEY`, region from `S3PRESIGN_TEST_REGION`, default `us-east-1`);
//! `S3PRESIGN_TEST_FLAVOR=seaweedfs|moto` selects what that server is known not to do.

#[path = "common/fault_proxy.rs"]
mod fault_proxy;
#[path = "common/bucket_config_server.rs"]
mod server;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use s3presign::Credentials;
use s3presign::client::*;
use s3presign::s3::Endpoint;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavor {
    InProcess,
    SeaweedFs,
    Moto,
    Other,
}

struct Ctx {
    client: Client,
    flavor: Flavor,
    endpoint: String,
    _server: Option<server::Server>,
}

fn test_retry() -> RetryConfig {
    RetryConfig::default()
        .max_attempts(6)
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(100))
}

fn client_for(endpoint: &str, creds: Credentials, retry: RetryConfig) -> Client {
    let region = std::env::var("S3PRESIGN_TEST_REGION").unwrap_or_else(|_| "us-east-1".into());
    Client::builder()
        .endpoint(Endpoint::custom(endpoint, &region).unwrap())
        .static_credentials(creds)
        .retry(retry)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

fn external_creds() -> Credentials {
    let id = std::env::var("AWS_ACCESS_KEY_ID").unwrap_or_else(|_| server::ACCESS_KEY.into());
    let secret =
        std::env::var("AWS_SECRET_ACCESS_KEY").unwrap_or_else(|_| server::SECRET_KEY.into());
    Credentials::new(id, secret)
}

async fn ctx() -> Ctx {
    if let Ok(endpoint) = std::env::var("S3PRESIGN_TEST_ENDPOINT") {
        let flavor = match std::env::var("S3PRESIGN_TEST_FLAVOR").as_deref() {
            Ok("seaweedfs") => Flavor::SeaweedFs,
            Ok("moto") => Flavor::Moto,
            _ => Flavor::Other,
        };
        let client = client_for(&endpoint, external_creds(), test_retry());
        return Ctx {
            client,
            flavor,
            endpoint,
            _server: None,
        };
    }
    let srv = server::start().await;
    let client = client_for(
        &srv.endpoint,
        Credentials::new(server::ACCESS_KEY, server::SECRET_KEY),
        test_retry(),
    );
    Ctx {
        client,
        flavor: Flavor::InProcess,
        endpoint: srv.endpoint.clone(),
        _server: Some(srv),
    }
}

fn bucket_name(test: &str) -> String {
    format!("s3p-{test}-{:08x}", fastrand::u32(..))
}

async fn new_bucket(c: &Ctx, test: &str) -> String {
    let b = bucket_name(test);
    c.client.create_bucket(&b).await.unwrap();
    b
}

/// Removes every version and object, then the bucket.
async fn cleanup(c: &Ctx, bucket: &str) {
    let client = &c.client;
    let _ = client.delete_bucket_policy(bucket).await;
    let mut ids = Vec::new();
    let mut pages = client.list_object_versions_pages(bucket, ListObjectVersions::new());
    while let Ok(Some(page)) = pages.next_page().await {
        ids.extend(
            page.versions
                .iter()
                .map(|v| ObjectIdentifier::with_version(v.key.clone(), v.version_id.clone())),
        );
        ids.extend(
            page.delete_markers
                .iter()
                .map(|v| ObjectIdentifier::with_version(v.key.clone(), v.version_id.clone())),
        );
    }
    if !ids.is_empty() {
        let _ = client.delete_objects(bucket, &ids).await;
    }
    let keys: Vec<ObjectIdentifier> = client
        .list_objects_v2_pages(bucket, ListObjectsV2::new())
        .collect_objects()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|o| ObjectIdentifier::new(o.key))
        .collect();
    if !keys.is_empty() {
        let _ = client.delete_objects(bucket, &keys).await;
    }
    let _ = client.delete_bucket(bucket).await;
}

fn http() -> reqwest::Client {
    install_crypto_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buckets_create_head_list_delete() {
    let c = ctx().await;
    let b = bucket_name("buckets");
    let missing = c.client.head_bucket(&b).await.unwrap_err();
    assert!(missing.is_not_found(), "{missing:?}");
    c.client.create_bucket(&b).await.unwrap();
    c.client.head_bucket(&b).await.unwrap();
    let listed = c.client.list_buckets().await.unwrap();
    assert!(listed.buckets.iter().any(|x| x.name == b), "{listed:?}");
    c.client
        .put_object(&b, "k", b"x".to_vec(), &PutObject::new())
        .await
        .unwrap();
    if c.flavor == Flavor::SeaweedFs {
        // SeaweedFS 4.48 deletes a non-empty bucket instead of answering BucketNotEmpty.
        c.client.delete_bucket(&b).await.unwrap();
        assert!(c.client.head_bucket(&b).await.unwrap_err().is_not_found());
        return;
    }
    let not_empty = c.client.delete_bucket(&b).await.unwrap_err();
    assert_eq!(not_empty.code(), Some("BucketNotEmpty"), "{not_empty:?}");
    assert_eq!(not_empty.status(), Some(409));
    c.client
        .delete_object(&b, "k", &DeleteObject::new())
        .await
        .unwrap();
    c.client.delete_bucket(&b).await.unwrap();
    assert!(c.client.head_bucket(&b).await.unwrap_err().is_not_found());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_put_head_get_range_copy_delete() {
    let c = ctx().await;
    let b = new_bucket(&c, "objects").await;
    let body: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
    let put = c
        .client
        .put_object(
            &b,
            "dir/video clip+1.mp4",
            body.clone(),
            &PutObject::new()
                .content_type("video/mp4")
                .metadata("Owner", "alice"),
        )
        .await
        .unwrap();
    assert!(put.etag.is_some());

    let meta = c
        .client
        .head_object(&b, "dir/video clip+1.mp4")
        .await
        .unwrap();
    assert_eq!(meta.content_length, 10_000);
    assert_eq!(meta.content_type.as_deref(), Some("video/mp4"));
    assert_eq!(
        meta.metadata,
        vec![("owner".to_string(), "alice".to_string())]
    );

    let got = c
        .client
        .get_object(&b, "dir/video clip+1.mp4")
        .await
        .unwrap();
    assert_eq!(&got.body[..], &body[..]);

    let part = c
        .client
        .get_object_with(
            &b,
            "dir/video clip+1.mp4",
            &GetObject::new().range(100, Some(199)),
        )
        .await
        .unwrap();
    assert_eq!(&part.body[..], &body[100..200]);
    assert_eq!(part.meta.content_length, 100);
    let tail = c
        .client
        .get_object_with(
            &b,
            "dir/video clip+1.mp4",
            &GetObject::new().range(9_990, None),
        )
        .await
        .unwrap();
    assert_eq!(&tail.body[..], &body[9_990..]);

    let mut stream = c
        .client
        .get_object_stream(&b, "dir/video clip+1.mp4", &GetObject::new())
        .await
        .unwrap();
    let mut streamed = Vec::new();
    while let Some(chunk) = stream.chunk().await.unwrap() {
        streamed.extend_from_slice(&chunk);
    }
    assert_eq!(streamed, body);

    c.client
        .copy_object(
            &b,
            "copies/été.mp4",
            &CopyObject::new(&b, "dir/video clip+1.mp4"),
        )
        .await
        .unwrap();
    assert_eq!(
        &c.client
            .get_object(&b, "copies/été.mp4")
            .await
            .unwrap()
            .body[..],
        &body[..]
    );

    c.client
        .delete_object(&b, "dir/video clip+1.mp4", &DeleteObject::new())
        .await
        .unwrap();
    let gone = c
        .client
        .get_object(&b, "dir/video clip+1.mp4")
        .await
        .unwrap_err();
    assert!(gone.is_not_found(), "{gone:?}");
    assert_eq!(gone.code(), Some("NoSuchKey"));
    assert_eq!(gone.kind(), ErrorKind::Service);
    let head_gone = c
        .client
        .head_object(&b, "dir/video clip+1.mp4")
        .await
        .unwrap_err();
    assert!(head_gone.is_not_found() && !head_gone.is_access_denied());
    // Deleting a missing key succeeds, as in S3.
    c.client
        .delete_object(&b, "never-existed", &DeleteObject::new())
        .await
        .unwrap();
    cleanup(&c, &b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_options_and_url_encoded_keys() {
    let c = ctx().await;
    let b = new_bucket(&c, "list").await;
    let mut keys = vec![
        "a/1.txt",
        "a/2.txt",
        "a/b/3.txt",
        "b/4.txt",
        "top.txt",
        "sp ace+plus.txt",
        "ünï/cödé.txt",
        "pct%41.txt",
        "amp&lt<gt>.txt",
    ];
    if c.flavor == Flavor::InProcess || c.flavor == Flavor::Moto {
        keys.push("ctl\u{1}char.txt");
    }
    for k in &keys {
        c.client
            .put_object(&b, k, k.as_bytes().to_vec(), &PutObject::new())
            .await
            .unwrap();
    }
    let all = c
        .client
        .list_objects_v2_pages(&b, ListObjectsV2::new())
        .collect_objects()
        .await
        .unwrap();
    let mut want: Vec<&str> = keys.clone();
    want.sort();
    assert_eq!(all.iter().map(|o| o.key.as_str()).collect::<Vec<_>>(), want);
    for o in &all {
        assert_eq!(o.size, o.key.len() as u64, "{}", o.key);
    }

    let page = c
        .client
        .list_objects_v2(&b, &ListObjectsV2::new().prefix("a/"))
        .await
        .unwrap();
    assert_eq!(
        page.contents
            .iter()
            .map(|o| o.key.as_str())
            .collect::<Vec<_>>(),
        ["a/1.txt", "a/2.txt", "a/b/3.txt"]
    );

    let page = c
        .client
        .list_objects_v2(&b, &ListObjectsV2::new().prefix("a/").delimiter("/"))
        .await
        .unwrap();
    assert_eq!(
        page.contents
            .iter()
            .map(|o| o.key.as_str())
            .collect::<Vec<_>>(),
        ["a/1.txt", "a/2.txt"]
    );
    assert_eq!(page.common_prefixes, ["a/b/"]);

    let page = c
        .client
        .list_objects_v2(&b, &ListObjectsV2::new().delimiter("/"))
        .await
        .unwrap();
    assert!(
        page.common_prefixes.contains(&"a/".to_string())
            && page.common_prefixes.contains(&"ünï/".to_string()),
        "{page:?}"
    );

    let page = c
        .client
        .list_objects_v2(&b, &ListObjectsV2::new().start_after("b/4.txt"))
        .await
        .unwrap();
    assert_eq!(
        page.contents.first().map(|o| o.key.as_str()),
        want.iter().copied().find(|k| *k > "b/4.txt")
    );

    let page = c
        .client
        .list_objects_v2(&b, &ListObjectsV2::new().max_keys(2))
        .await
        .unwrap();
    assert_eq!(page.contents.len(), 2);
    assert!(page.is_truncated && page.next_continuation_token.is_some());
    let next = c
        .client
        .list_objects_v2(
            &b,
            &ListObjectsV2::new()
                .max_keys(2)
                .continuation_token(page.next_continuation_token.clone().unwrap()),
        )
        .await
        .unwrap();
    assert_eq!(next.contents[0].key, want[2]);

    let missing = c
        .client
        .list_objects_v2("s3p-no-such-bucket-xyz", &ListObjectsV2::new())
        .await
        .unwrap_err();
    assert_eq!(missing.code(), Some("NoSuchBucket"));
    cleanup(&c, &b).await;
}

async fn put_many(client: &Client, bucket: &str, keys: &[String]) {
    let sem = Arc::new(tokio::sync::Semaphore::new(16));
    let mut tasks = Vec::new();
    for k in keys {
        let (client, bucket, k) = (client.clone(), bucket.to_string(), k.clone());
        let permit = Arc::clone(&sem).acquire_owned().await.unwrap();
        tasks.push(tokio::spawn(async move {
            client
                .put_object(&bucket, &k, k.clone().into_bytes(), &PutObject::new())
                .await
                .unwrap();
            drop(permit);
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paginate_and_delete_2500_objects() {
    let c = ctx().await;
    let b = new_bucket(&c, "many").await;
    let keys: Vec<String> = (0..2_600).map(|i| format!("clips/{:05}.mp4", i)).collect();
    put_many(&c.client, &b, &keys).await;

    let mut pages = c
        .client
        .list_objects_v2_pages(&b, ListObjectsV2::new().prefix("clips/"));
    let mut seen = Vec::new();
    let mut n_pages = 0;
    while let Some(page) = pages.next_page().await.unwrap() {
        n_pages += 1;
        assert!(page.contents.len() <= 1000);
        seen.extend(page.contents.into_iter().map(|o| o.key));
    }
    assert_eq!(n_pages, 3);
    assert_eq!(seen, keys);

    // The same listing as a futures Stream, 700 keys a page.
    let mut stream = c
        .client
        .list_objects_v2_pages(&b, ListObjectsV2::new().prefix("clips/").max_keys(700))
        .into_stream();
    let (mut streamed, mut n_pages) = (Vec::new(), 0);
    while let Some(page) = std::future::poll_fn(|cx| {
        futures_core::Stream::poll_next(std::pin::Pin::new(&mut stream), cx)
    })
    .await
    {
        n_pages += 1;
        streamed.extend(page.unwrap().contents.into_iter().map(|o| o.key));
    }
    assert_eq!(n_pages, 4);
    assert_eq!(streamed, keys);

    let ids: Vec<ObjectIdentifier> = keys
        .iter()
        .map(|k| ObjectIdentifier::new(k.as_str()))
        .collect();
    let out = c.client.delete_objects(&b, &ids).await.unwrap();
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let deleted: BTreeSet<String> = out.deleted.iter().map(|d| d.key.clone()).collect();
    assert_eq!(out.deleted.len(), keys.len());
    assert_eq!(deleted, keys.iter().cloned().collect());
    let left = c
        .client
        .list_objects_v2(&b, &ListObjectsV2::new())
        .await
        .unwrap();
    assert!(left.contents.is_empty(), "{left:?}");
    cleanup(&c, &b).await;
}

async fn anonymous_get(url: &str) -> u16 {
    http().get(url).send().await.unwrap().status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bucket_policy_public_access_block_and_anonymous_get() {
    let c = ctx().await;
    let b = new_bucket(&c, "policy").await;
    c.client
        .put_object(&b, "public/clip.mp4", b"movie".to_vec(), &PutObject::new())
        .await
        .unwrap();
    let url = format!("{}/{}/public/clip.mp4", c.endpoint, b);

    let none = c.client.get_bucket_policy(&b).await.unwrap_err();
    assert!(none.is_not_found(), "{none:?}");
    assert_eq!(none.code(), Some("NoSuchBucketPolicy"));
    assert_eq!(anonymous_get(&url).await, 403);

    let pab_supported = c.flavor != Flavor::SeaweedFs;
    if pab_supported {
        c.client
            .put_public_access_block(&b, &PublicAccessBlockConfiguration::block_all())
            .await
            .unwrap();
        assert_eq!(
            c.client.get_public_access_block(&b).await.unwrap(),
            PublicAccessBlockConfiguration::block_all()
        );
        if c.flavor == Flavor::InProcess {
            // AWS refuses a public policy while BlockPublicPolicy is on.
            let denied = c
                .client
                .put_bucket_policy(&b, &BucketPolicy::public_read(&b))
                .await
                .unwrap_err();
            assert!(denied.is_access_denied(), "{denied:?}");
        }
        c.client
            .put_public_access_block(&b, &PublicAccessBlockConfiguration::allow_public_policy())
            .await
            .unwrap();
        assert_eq!(
            c.client.get_public_access_block(&b).await.unwrap(),
            PublicAccessBlockConfiguration::allow_public_policy()
        );
    } else {
        let e = c.client.get_public_access_block(&b).await.unwrap_err();
        assert!(e.is_not_implemented(), "{e:?}");
    }

    let policy = BucketPolicy::public_read(&b);
    c.client.put_bucket_policy(&b, &policy).await.unwrap();
    let back = c.client.get_bucket_policy(&b).await.unwrap();
    assert!(back.allows_public_read(&b), "{back:?}");
    assert_eq!(back.statement.len(), 1);
    assert_eq!(back.statement[0].action.as_slice(), ["s3:GetObject"]);
    assert_eq!(
        back.statement[0].resource.as_slice(),
        [format!("arn:aws:s3:::{b}/*")]
    );

    // The policy really opens the object to anonymous readers...
    let resp = http().get(&url).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(&resp.bytes().await.unwrap()[..], b"movie");
    // ...and deleting it closes it again.
    c.client.delete_bucket_policy(&b).await.unwrap();
    assert_eq!(anonymous_get(&url).await, 403);
    assert!(
        c.client
            .get_bucket_policy(&b)
            .await
            .unwrap_err()
            .is_not_found()
    );

    if pab_supported {
        c.client.delete_public_access_block(&b).await.unwrap();
        let e = c.client.get_public_access_block(&b).await.unwrap_err();
        assert!(e.is_not_found(), "{e:?}");
        assert_eq!(e.code(), Some("NoSuchPublicAccessBlockConfiguration"));
    }
    cleanup(&c, &b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn versioning_and_versions() {
    let c = ctx().await;
    let b = new_bucket(&c, "versions").await;
    assert_eq!(
        c.client.get_bucket_versioning(&b).await.unwrap(),
        VersioningStatus::Unversioned
    );
    c.client
        .put_bucket_versioning(&b, VersioningStatus::Enabled)
        .await
        .unwrap();
    assert_eq!(
        c.client.get_bucket_versioning(&b).await.unwrap(),
        VersioningStatus::Enabled
    );
    assert_eq!(
        c.client
            .put_bucket_versioning(&b, VersioningStatus::Unversioned)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );

    let v1 = c
        .client
        .put_object(&b, "clip.mp4", b"first cut".to_vec(), &PutObject::new())
        .await
        .unwrap();
    let v2 = c
        .client
        .put_object(&b, "clip.mp4", b"second cut".to_vec(), &PutObject::new())
        .await
        .unwrap();
    let (v1, v2) = (v1.version_id.unwrap(), v2.version_id.unwrap());
    assert_ne!(v1, v2);

    let page = c
        .client
        .list_object_versions(&b, &ListObjectVersions::new().prefix("clip"))
        .await
        .unwrap();
    let ids: Vec<(&str, bool)> = page
        .versions
        .iter()
        .map(|v| (v.version_id.as_str(), v.is_latest))
        .collect();
    assert_eq!(page.versions.len(), 2, "{page:?}");
    assert!(
        ids.contains(&(v2.as_str(), true)) && ids.contains(&(v1.as_str(), false)),
        "{ids:?}"
    );

    let old = c
        .client
        .get_object_with(&b, "clip.mp4", &GetObject::new().version_id(&v1))
        .await
        .unwrap();
    assert_eq!(&old.body[..], b"first cut");
    assert_eq!(
        &c.client.get_object(&b, "clip.mp4").await.unwrap().body[..],
        b"second cut"
    );

    // A plain delete leaves a marker; the versions survive.
    let del = c
        .client
        .delete_object(&b, "clip.mp4", &DeleteObject::new())
        .await
        .unwrap();
    assert!(del.delete_marker);
    assert!(
        c.client
            .get_object(&b, "clip.mp4")
            .await
            .unwrap_err()
            .is_not_found()
    );
    let page = c
        .client
        .list_object_versions(&b, &ListObjectVersions::new())
        .await
        .unwrap();
    assert_eq!(page.versions.len(), 2);
    assert_eq!(page.delete_markers.len(), 1);
    assert!(page.delete_markers[0].is_latest);

    // Removing the marker by version id brings the object back.
    let marker = del.version_id.unwrap();
    c.client
        .delete_object(&b, "clip.mp4", &DeleteObject::new().version_id(&marker))
        .await
        .unwrap();
    assert_eq!(
        &c.client.get_object(&b, "clip.mp4").await.unwrap().body[..],
        b"second cut"
    );
    c.client
        .delete_object(&b, "clip.mp4", &DeleteObject::new().version_id(&v2))
        .await
        .unwrap();
    assert_eq!(
        &c.client.get_object(&b, "clip.mp4").await.unwrap().body[..],
        b"first cut"
    );
    cleanup(&c, &b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_round_trip() {
    let c = ctx().await;
    let b = new_bucket(&c, "notify").await;
    let empty = c.client.get_bucket_notification_configuration(&b).await;
    if c.flavor == Flavor::SeaweedFs {
        // SeaweedFS does not implement notification configuration the S3 way: the client
        // must surface its answer as a typed error, not garble it.
        if let Err(e) = &empty {
            assert_eq!(e.kind(), ErrorKind::Service, "{e:?}");
        }
        cleanup(&c, &b).await;
        return;
    }
    assert_eq!(empty.unwrap(), NotificationConfiguration::default());
    let config = NotificationConfiguration::default()
        .lambda(
            LambdaFunctionConfiguration::new(
                "arn:aws:lambda:us-east-1:123456789012:function:transcode",
                [Event::ObjectCreatedAll],
            )
            .id("transcode")
            .filter(FilterRules::new().prefix("uploads/").suffix(".mp4")),
        )
        .queue(
            QueueConfiguration::new(
                "arn:aws:sqs:us-east-1:123456789012:uploads",
                [Event::ObjectRemovedAll],
            )
            .id("q"),
        )
        .topic(
            TopicConfiguration::new(
                "arn:aws:sns:us-east-1:123456789012:topic",
                [Event::ObjectCreatedPut, Event::ObjectRemovedDelete],
            )
            .id("t"),
        );
    c.client
        .put_bucket_notification_configuration(&b, &config)
        .await
        .unwrap();
    let back = c
        .client
        .get_bucket_notification_configuration(&b)
        .await
        .unwrap();
    assert_eq!(back, config);
    c.client
        .put_bucket_notification_configuration(&b, &NotificationConfiguration::default())
        .await
        .unwrap();
    assert_eq!(
        c.client
            .get_bucket_notification_configuration(&b)
            .await
            .unwrap(),
        NotificationConfiguration::default()
    );
    cleanup(&c, &b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multipart_with_presigned_part() {
    let c = ctx().await;
    let b = new_bucket(&c, "multipart").await;
    let part1: Vec<u8> = vec![b'a'; 5 * 1024 * 1024];
    let part2: Vec<u8> = b"the end".to_vec();
    let up = c
        .client
        .create_multipart_upload(
            &b,
            "big/video.mp4",
            &CreateMultipartUpload::new().content_type("video/mp4"),
        )
        .await
        .unwrap();

    // Part 1 from a "browser": a plain PUT to a presigned UploadPart URL.
    let presigned = c
        .client
        .presign_upload_part(&b, "big/video.mp4", &up.upload_id, 1, 600)
        .await
        .unwrap();
    let signature = presigned
        .url()
        .rsplit_once("X-Amz-Signature=")
        .unwrap()
        .1
        .to_string();
    assert_eq!(signature.len(), 64);
    assert!(
        !format!("{presigned:?}").contains(&signature),
        "Debug must redact"
    );
    let resp = http()
        .put(presigned.url())
        .body(part1.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200, "{:?}", resp.text().await);
    let etag1 = resp.headers()["etag"].to_str().unwrap().to_string();
    let p2 = c
        .client
        .upload_part(&b, "big/video.mp4", &up.upload_id, 2, part2.clone())
        .await
        .unwrap();

    let parts = c
        .client
        .list_parts(&b, "big/video.mp4", &up.upload_id)
        .await
        .unwrap();
    assert_eq!(
        parts
            .parts
            .iter()
            .map(|p| p.part_number)
            .collect::<Vec<_>>(),
        [1, 2]
    );
    assert_eq!(parts.parts[0].size, part1.len() as u64);

    let done = vec![CompletedPart::new(1, etag1), p2];
    c.client
        .complete_multipart_upload(&b, "big/video.mp4", &up.upload_id, &done)
        .await
        .unwrap();
    let got = c.client.get_object(&b, "big/video.mp4").await.unwrap();
    assert_eq!(got.body.len(), part1.len() + part2.len());
    assert!(got.body.starts_with(&part1) && got.body.ends_with(&part2));

    let up2 = c
        .client
        .create_multipart_upload(&b, "big/abandoned.mp4", &CreateMultipartUpload::new())
        .await
        .unwrap();
    c.client
        .upload_part(&b, "big/abandoned.mp4", &up2.upload_id, 1, b"x".to_vec())
        .await
        .unwrap();
    c.client
        .abort_multipart_upload(&b, "big/abandoned.mp4", &up2.upload_id)
        .await
        .unwrap();
    let e = c
        .client
        .list_parts(&b, "big/abandoned.mp4", &up2.upload_id)
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
    cleanup(&c, &b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presigned_put_and_get_round_trip() {
    let c = ctx().await;
    let b = new_bucket(&c, "presign").await;
    let put = c
        .client
        .presign_put(
            &b,
            "up/clip.mp4",
            300,
            &PresignPut::new().content_type("video/mp4"),
        )
        .await
        .unwrap();
    let resp = http()
        .put(put.url())
        .header("content-type", "video/mp4")
        .body(b"frames".to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    // The content type is signed: another one is refused (moto checks no signatures).
    if c.flavor != Flavor::Moto {
        let resp = http()
            .put(put.url())
            .header("content-type", "text/plain")
            .body(b"x".to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 403);
    }
    let get = c.client.presign_get(&b, "up/clip.mp4", 300).await.unwrap();
    let resp = http().get(get.url()).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(&resp.bytes().await.unwrap()[..], b"frames");
    cleanup(&c, &b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_with_dot_segments_are_refused_not_rewritten() {
    let c = ctx().await;
    let b = new_bucket(&c, "dotseg").await;
    for key in ["a/../b", "./x", "a/./b", "..", "a/."] {
        let e = c
            .client
            .put_object(&b, key, b"x".to_vec(), &PutObject::new())
            .await
            .expect_err(key);
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{key}: {e:?}");
        assert!(e.to_string().contains("path segments"), "{key}: {e}");
    }
    // Dots that are not whole segments, and a literal "%2e%2e" (sent as %252e%252e), are
    // ordinary key bytes.
    for key in ["a.b/..c/d..", "a/%2e%2e/b"] {
        c.client
            .put_object(&b, key, b"x".to_vec(), &PutObject::new())
            .await
            .unwrap();
        c.client
            .delete_object(&b, key, &DeleteObject::new())
            .await
            .unwrap();
    }
    cleanup(&c, &b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_are_typed_and_redacted() {
    let c = ctx().await;
    let b = new_bucket(&c, "errors").await;
    let secret = "wrong/secret+KEY0000000000000000000";
    if c.flavor == Flavor::Moto {
        // moto checks no signatures: nothing to learn from a wrong secret there.
        cleanup(&c, &b).await;
        return;
    }
    let bad = client_for(
        &c.endpoint,
        Credentials::new(external_creds().access_key_id(), secret),
        RetryConfig::disabled(),
    );
    let e = bad.get_object(&b, "x").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Service);
    assert_eq!(e.status(), Some(403), "{e:?}");
    assert_eq!(e.code(), Some("SignatureDoesNotMatch"), "{e:?}");
    assert!(e.is_access_denied());
    for shown in [format!("{e}"), format!("{e:?}"), format!("{bad:?}")] {
        assert!(!shown.contains(secret), "{shown}");
        assert!(!shown.contains("Signature="), "{shown}");
    }

    // Transport errors keep their source but not the URL.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let dead = client_for(
        &format!("http://127.0.0.1:{port}"),
        external_creds(),
        RetryConfig::disabled(),
    );
    let e = dead
        .get_object("bucket", "secret-key-name")
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e:?}");
    assert!(std::error::Error::source(&e).is_some());
    let shown = format!("{e} {e:?}");
    assert!(
        !shown.contains("secret-key-name") && !shown.contains("http://"),
        "{shown}"
    );
    assert!(e.is_retryable());
    cleanup(&c, &b).await;
}

// ---------------------------------------------------------------------------------------
// Fault injection (in-process only).

async fn fault_ctx(
    cfg: fault_proxy::FaultConfig,
    retry: RetryConfig,
) -> (Client, server::Server, Arc<fault_proxy::FaultStats>) {
    let stats = Arc::new(fault_proxy::FaultStats::default());
    let s2 = Arc::clone(&stats);
    let srv = server::start_intercepted(fault_proxy::FaultService::new(cfg, s2)).await;
    let client = client_for(
        &srv.endpoint,
        Credentials::new(server::ACCESS_KEY, server::SECRET_KEY),
        retry,
    );
    (client, srv, stats)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_list_delete_many_and_policy_still_exact() {
    if std::env::var("S3PRESIGN_TEST_ENDPOINT").is_ok() {
        return;
    }
    use std::sync::atomic::Ordering::Relaxed;
    let cfg = fault_proxy::FaultConfig {
        slow_down: 0.12,
        drop_before: 0.06,
        drop_after: 0.06,
        seed: 0x5eed,
    };
    let retry = RetryConfig::default()
        .max_attempts(12)
        .initial_backoff(Duration::from_millis(2))
        .max_backoff(Duration::from_millis(50));
    let (client, _srv, stats) = fault_ctx(cfg, retry).await;
    let b = "faulty-bucket";
    // CreateBucket is a PUT and is retried; when a dropped connection hid its success, the
    // retry is told the bucket exists. That answer is the documented outcome, not a loss.
    if let Err(e) = client.create_bucket(b).await {
        assert!(
            matches!(
                e.code(),
                Some("BucketAlreadyExists" | "BucketAlreadyOwnedByYou")
            ),
            "{e:?}"
        );
    }
    client.head_bucket(b).await.unwrap();
    let keys: Vec<String> = (0..1_200).map(|i| format!("f/{i:04}")).collect();
    put_many(&client, b, &keys).await;

    let listed: Vec<String> = client
        .list_objects_v2_pages(b, ListObjectsV2::new().max_keys(250))
        .collect_objects()
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.key)
        .collect();
    assert_eq!(listed, keys, "nothing lost, nothing duplicated");

    let policy = BucketPolicy::public_read(b);
    client.put_bucket_policy(b, &policy).await.unwrap();
    assert_eq!(client.get_bucket_policy(b).await.unwrap(), policy);

    let (first, rest) = keys.split_at(1_100);
    let ids: Vec<ObjectIdentifier> = first
        .iter()
        .map(|k| ObjectIdentifier::new(k.as_str()))
        .collect();
    let out = client.delete_objects(b, &ids).await.unwrap();
    assert!(out.errors.is_empty());
    assert_eq!(
        out.deleted.len(),
        first.len(),
        "each key reported exactly once"
    );
    assert_eq!(
        out.deleted
            .iter()
            .map(|d| d.key.clone())
            .collect::<BTreeSet<_>>(),
        first.iter().cloned().collect()
    );
    let left: Vec<String> = client
        .list_objects_v2_pages(b, ListObjectsV2::new())
        .collect_objects()
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.key)
        .collect();
    assert_eq!(left, rest, "exactly the keys not deleted remain");

    let (sd, db, da) = (
        stats.slow_downs.load(Relaxed),
        stats.drops_before.load(Relaxed),
        stats.drops_after.load(Relaxed),
    );
    assert!(
        sd > 10 && db > 5 && da > 5,
        "faults injected: {sd} slow-downs, {db}/{da} drops"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_are_bounded_and_skip_non_idempotent_requests() {
    if std::env::var("S3PRESIGN_TEST_ENDPOINT").is_ok() {
        return;
    }
    use std::sync::atomic::Ordering::Relaxed;
    let always_slow = fault_proxy::FaultConfig {
        slow_down: 1.0,
        drop_before: 0.0,
        drop_after: 0.0,
        seed: 1,
    };
    let retry = RetryConfig::default()
        .max_attempts(3)
        .initial_backoff(Duration::from_millis(1));
    let (client, _srv, stats) = fault_ctx(always_slow, retry).await;
    let e = client.head_bucket("any-bucket").await.unwrap_err();
    assert_eq!(e.status(), Some(503));
    assert!(e.is_retryable());
    assert_eq!(stats.requests.load(Relaxed), 3, "3 attempts, no more");

    let e = client
        .list_objects_v2("any-bucket", &ListObjectsV2::new())
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("SlowDown"));
    assert_eq!(e.request_id(), Some("FAULT"));
    assert_eq!(stats.requests.load(Relaxed), 6);

    let always_drop = fault_proxy::FaultConfig {
        slow_down: 0.0,
        drop_before: 1.0,
        drop_after: 0.0,
        seed: 2,
    };
    let (client, _srv, stats) = fault_ctx(always_drop, retry).await;
    let e = client
        .create_multipart_upload("any-bucket", "k", &CreateMultipartUpload::new())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e:?}");
    assert_eq!(
        stats.requests.load(Relaxed),
        1,
        "CreateMultipartUpload is not retried"
    );
    let _ = client.get_object("any-bucket", "k").await.unwrap_err();
    assert_eq!(stats.requests.load(Relaxed), 4, "GetObject is retried");
}

// ---------------------------------------------------------------------------------------
// Credentials providers read the process environment: the test re-runs this binary as a
// child with a controlled environment instead of mutating its own.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_from_env_and_shared_files() {
    if std::env::var("S3PRESIGN_CHILD").is_err() {
        if std::env::var("S3PRESIGN_TEST_ENDPOINT").is_ok() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let creds_file = dir.path().join("credentials");
        std::fs::write(
            &creds_file,
            format!(
                "[default]\naws_access_key_id = {}\naws_secret_access_key = {}\n\n[other]\naws_access_key_id = {}\naws_secret_access_key = not-the-secret\n",
                server::ACCESS_KEY,
                server::SECRET_KEY,
                server::ACCESS_KEY
            ),
        )
        .unwrap();
        let run = |mode: &str, with_env_keys: bool| {
            let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
            cmd.args([
                "--exact",
                "credentials_from_env_and_shared_files",
                "--nocapture",
            ])
            .env("S3PRESIGN_CHILD", mode)
            .env("AWS_SHARED_CREDENTIALS_FILE", &creds_file)
            .env("AWS_CONFIG_FILE", dir.path().join("config"))
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_SESSION_TOKEN");
            if with_env_keys {
                cmd.env("AWS_ACCESS_KEY_ID", server::ACCESS_KEY)
                    .env("AWS_SECRET_ACCESS_KEY", server::SECRET_KEY);
            } else {
                cmd.env_remove("AWS_ACCESS_KEY_ID")
                    .env_remove("AWS_SECRET_ACCESS_KEY");
            }
            let out = cmd.output().unwrap();
            assert!(
                out.status.success(),
                "child {mode}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(String::from_utf8_lossy(&out.stdout).contains("1 passed"));
        };
        run("files", false);
        run("env", true);
        return;
    }
    let mode = std::env::var("S3PRESIGN_CHILD").unwrap();
    let srv = server::start().await;
    let build = |p: Box<dyn Fn(ClientBuilder) -> ClientBuilder>| {
        p(Client::builder().endpoint(Endpoint::custom(&srv.endpoint, "us-east-1").unwrap()))
            .retry(RetryConfig::disabled())
            .build()
            .unwrap()
    };
    if mode == "env" {
        let c = build(Box::new(|b| b.credentials(EnvCredentials)));
        c.create_bucket("from-env").await.unwrap();
        // The environment wins over the default profile in the chain.
        let c = build(Box::new(|b| {
            b.credentials(ProfileCredentials::default_chain())
        }));
        c.head_bucket("from-env").await.unwrap();
    } else {
        let missing = build(Box::new(|b| b.credentials(EnvCredentials)));
        let e = missing.create_bucket("x-bucket").await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Credentials, "{e:?}");
        let c = build(Box::new(|b| {
            b.credentials(ProfileCredentials::default_chain())
        }));
        c.create_bucket("from-files").await.unwrap();
        let wrong = build(Box::new(|b| {
            b.credentials(ProfileCredentials::named("other"))
        }));
        let e = wrong.head_bucket("from-files").await.unwrap_err();
        assert!(e.is_access_denied(), "{e:?}");
        let e = build(Box::new(|b| {
            b.credentials(ProfileCredentials::named("nope"))
        }))
        .head_bucket("from-files")
        .await
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Credentials, "{e:?}");
    }
}

// ---------------------------------------------------------------------------------------
// Feature `http`: an `http::Request` signed by the core, sent by any client.

#[cfg(feature = "http")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_requests_signed_and_presigned() {
    use s3presign::http_request::{presign_request, sign_request};
    use s3presign::sigv4::{Payload, SigningParams, SigningSettings};
    use s3presign::{AmzDate, Expiry, Signer};

    let c = ctx().await;
    let b = new_bucket(&c, "httpreq").await;
    let signer = Signer::new(external_creds()).unwrap();
    let region = std::env::var("S3PRESIGN_TEST_REGION").unwrap_or_else(|_| "us-east-1".into());
    let params = SigningParams::new(&signer, &region, "s3", AmzDate::now().unwrap())
        .with_settings(SigningSettings::s3());

    let body = b"signed by http_request".to_vec();
    let mut req = http::Request::put(format!("{}/{b}/http/put%20me.txt", c.endpoint))
        .header("content-type", "text/plain")
        .body(body.clone())
        .unwrap();
    sign_request(&mut req, Payload::Bytes(&body), &params).unwrap();
    assert!(req.headers()["authorization"].is_sensitive());
    let resp = http()
        .execute(reqwest::Request::try_from(req).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200, "{:?}", resp.text().await);
    let got = c.client.get_object(&b, "http/put me.txt").await.unwrap();
    assert_eq!(&got.body[..], &body[..]);
    assert_eq!(got.meta.content_type.as_deref(), Some("text/plain"));

    let get = http::Request::get(format!("{}/{b}/http/put%20me.txt", c.endpoint))
        .body(())
        .unwrap();
    let uri = presign_request(
        &get,
        Payload::Unsigned,
        &params,
        Expiry::from_secs(300).unwrap(),
    )
    .unwrap();
    let resp = http().get(uri.to_string()).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(&resp.bytes().await.unwrap()[..], &body[..]);

    // A body that differs from the signed payload is refused by a verifying server
    // (moto checks no signatures; SeaweedFS 4.48 does not compare x-amz-content-sha256
    // with the body).
    if matches!(c.flavor, Flavor::InProcess | Flavor::Other) {
        let mut req = http::Request::put(format!("{}/{b}/http/tampered.txt", c.endpoint))
            .body(b"something else".to_vec())
            .unwrap();
        sign_request(&mut req, Payload::Bytes(b"what was signed"), &params).unwrap();
        let resp = http()
            .execute(reqwest::Request::try_from(req).unwrap())
            .await
            .unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        assert!(!status.is_success(), "{status} {text}");
        // (s3s-fs reports the hash mismatch as InternalError.)
        assert!(
            c.client
                .head_object(&b, "http/tampered.txt")
                .await
                .unwrap_err()
                .is_not_found()
        );
    }
    cleanup(&c, &b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_bucket_outside_us_east_1_sends_location_constraint() {
    let c = ctx().await;
    if c.flavor == Flavor::SeaweedFs {
        return; // SeaweedFS has no regions.
    }
    let eu = client_for_region(&c.endpoint, "eu-west-1");
    let b = bucket_name("location");
    eu.create_bucket(&b).await.unwrap();
    if c.flavor != Flavor::InProcess {
        // s3s-fs does not store a location; moto and AWS do.
        assert_eq!(eu.get_bucket_location(&b).await.unwrap(), "eu-west-1");
    }
    eu.delete_bucket(&b).await.unwrap();
    let us = client_for_region(&c.endpoint, "us-east-1");
    let b = bucket_name("location");
    us.create_bucket(&b).await.unwrap();
    assert_eq!(us.get_bucket_location(&b).await.unwrap(), "us-east-1");
    us.delete_bucket(&b).await.unwrap();
}

fn client_for_region(endpoint: &str, region: &str) -> Client {
    Client::builder()
        .endpoint(Endpoint::custom(endpoint, region).unwrap())
        .static_credentials(external_creds())
        .retry(test_retry())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeouts_are_typed_and_retried_boundedly() {
    use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
    // A server that accepts connections and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicU64::new(0));
    let acc = Arc::clone(&accepted);
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            acc.fetch_add(1, Relaxed);
            held.push(s);
        }
    });
    let client = Client::builder()
        .endpoint(Endpoint::custom(&format!("http://{addr}"), "us-east-1").unwrap())
        .static_credentials(Credentials::new(server::ACCESS_KEY, server::SECRET_KEY))
        .retry(
            RetryConfig::default()
                .max_attempts(2)
                .initial_backoff(Duration::from_millis(1)),
        )
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let e = client.get_object("bucket", "key").await.unwrap_err();
    assert!(e.is_timeout(), "{e:?}");
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        accepted.load(Relaxed),
        2,
        "one retry after the first timeout"
    );
    task.abort();
}

/// A stream of chunks, as a body producer would yield them.
struct Chunks(std::collections::VecDeque<bytes::Bytes>);

impl futures_core::Stream for Chunks {
    type Item = Result<bytes::Bytes, std::io::Error>;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        std::task::Poll::Ready(self.0.pop_front().map(Ok))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_object_from_a_stream() {
    let c = ctx().await;
    let b = new_bucket(&c, "stream").await;
    let chunks: Vec<bytes::Bytes> = (0..5u8)
        .map(|i| bytes::Bytes::from(vec![b'a' + i; 10_000]))
        .collect();
    let whole: Vec<u8> = chunks.iter().flat_map(|c| c.iter().copied()).collect();
    let out = c
        .client
        .put_object_stream(
            &b,
            "streamed.bin",
            whole.len() as u64,
            Chunks(chunks.into()),
            &PutObject::new().content_type("application/octet-stream"),
        )
        .await
        .unwrap();
    assert!(out.etag.is_some());
    let got = c.client.get_object(&b, "streamed.bin").await.unwrap();
    assert_eq!(&got.body[..], &whole[..]);
    cleanup(&c, &b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn virtual_hosted_addressing() {
    if std::env::var("S3PRESIGN_TEST_ENDPOINT").is_ok() {
        return;
    }
    let srv = server::start_virtual_hosted("s3.example.test").await;
    let endpoint = Endpoint::custom(
        &format!("http://s3.example.test:{}", srv.addr.port()),
        "us-east-1",
    )
    .unwrap()
    .with_addressing_style(s3presign::s3::AddressingStyle::VirtualHosted);
    let b = "vhost-bucket";
    // Every BUCKET.s3.example.test name resolves to the test server.
    install_crypto_provider();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .resolve(&format!("{b}.s3.example.test"), srv.addr)
        .resolve("s3.example.test", srv.addr)
        .build()
        .unwrap();
    let client = Client::builder()
        .endpoint(endpoint)
        .static_credentials(Credentials::new(server::ACCESS_KEY, server::SECRET_KEY))
        .http_client(http.clone())
        .build()
        .unwrap();
    assert_eq!(
        client.bucket(b).unwrap().host(),
        format!("{b}.s3.example.test:{}", srv.addr.port())
    );
    client.create_bucket(b).await.unwrap();
    client
        .put_object(b, "a b/c.txt", b"hi".to_vec(), &PutObject::new())
        .await
        .unwrap();
    let listed = client
        .list_objects_v2(b, &ListObjectsV2::new())
        .await
        .unwrap();
    assert_eq!(listed.contents[0].key, "a b/c.txt");
    assert_eq!(
        &client.get_object(b, "a b/c.txt").await.unwrap().body[..],
        b"hi"
    );
    let url = client.presign_get(b, "a b/c.txt", 60).await.unwrap();
    assert!(
        url.url()
            .starts_with(&format!("http://{b}.s3.example.test:"))
    );
    assert_eq!(
        &http
            .get(url.url())
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()[..],
        b"hi"
    );
    client
        .delete_objects(b, &[ObjectIdentifier::new("a b/c.txt")])
        .await
        .unwrap();
    client.delete_bucket(b).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_objects_reports_per_key_errors() {
    if std::env::var("S3PRESIGN_TEST_ENDPOINT").is_ok() {
        return; // needs the in-process server's protected/ keys
    }
    let c = ctx().await;
    let b = new_bucket(&c, "perkey").await;
    let mut keys: Vec<String> = (0..1_500).map(|i| format!("k/{i:04}")).collect();
    keys.extend(["protected/a", "protected/b"].map(String::from));
    keys.push(format!("{}z", server::PROTECTED_PREFIX));
    put_many(&c.client, &b, &keys).await;
    // The protected keys sit in different 1000-key batches.
    let mut ids: Vec<ObjectIdentifier> = keys
        .iter()
        .map(|k| ObjectIdentifier::new(k.as_str()))
        .collect();
    ids.swap(0, 1_500);
    let out = c.client.delete_objects(&b, &ids).await.unwrap();
    let failed: BTreeSet<&str> = out.errors.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(
        failed,
        BTreeSet::from(["protected/a", "protected/b", "protected/z"])
    );
    assert!(
        out.errors
            .iter()
            .all(|e| e.code == "AccessDenied" && !e.message.is_empty())
    );
    assert_eq!(out.deleted.len(), 1_500);
    let left: Vec<String> = c
        .client
        .list_objects_v2_pages(&b, ListObjectsV2::new())
        .collect_objects()
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.key)
        .collect();
    assert_eq!(left, ["protected/a", "protected/b", "protected/z"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clock_skew_is_learnt_and_the_request_resent_once() {
    if std::env::var("S3PRESIGN_TEST_ENDPOINT").is_ok() {
        return;
    }
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let s2 = Arc::clone(&seen);
    // The "server" is 5 minutes ahead (s3s accepts 15 minutes, so both clocks work).
    let srv = server::start_intercepted(fault_proxy::SkewService::new(300, s2)).await;
    let client = client_for(
        &srv.endpoint,
        Credentials::new(server::ACCESS_KEY, server::SECRET_KEY),
        RetryConfig::disabled(),
    );
    client.create_bucket("skewed").await.unwrap();
    assert_eq!(client.clock_skew_secs(), 0);
    // CreateMultipartUpload is never retried for failures, but a skew refusal means the
    // server did not act: it is resent once with a corrected date.
    let up = client
        .create_multipart_upload("skewed", "k", &CreateMultipartUpload::new())
        .await
        .unwrap();
    assert!(!up.upload_id.is_empty());
    let skew = client.clock_skew_secs();
    assert!((295..=305).contains(&skew), "learnt skew {skew}");
    let dates = seen.lock().unwrap().clone();
    assert_eq!(dates.len(), 2, "{dates:?}");
    let ts = |d: &str| s3presign::AmzDate::parse(d).unwrap().unix_timestamp();
    let shift = ts(&dates[1]) - ts(&dates[0]);
    assert!((295..=310).contains(&shift), "signed dates {dates:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bucket_cors_put_get_delete_and_preflight() {
    let c = ctx().await;
    let b = new_bucket(&c, "cors").await;
    let none = c.client.get_bucket_cors(&b).await.unwrap_err();
    assert!(none.is_not_found(), "{none}");

    let origin = "http://127.0.0.1:47321";
    let config = CorsConfiguration::new([CorsRule::browser_upload(origin)]);
    c.client.put_bucket_cors(&b, &config).await.unwrap();
    let got = c.client.get_bucket_cors(&b).await.unwrap();
    assert_eq!(got.rules.len(), 1, "{got:?}");
    let rule = &got.rules[0];
    assert_eq!(rule.allowed_origins, [origin]);
    let methods: BTreeSet<&str> = rule.allowed_methods.iter().map(|m| m.as_str()).collect();
    assert_eq!(methods, BTreeSet::from(["GET", "HEAD", "POST", "PUT"]));
    let headers: BTreeSet<String> = rule
        .allowed_headers
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    assert_eq!(
        headers,
        BTreeSet::from(["content-type".to_owned(), "x-amz-*".to_owned()])
    );
    assert!(
        rule.expose_headers
            .iter()
            .any(|h| h.eq_ignore_ascii_case("etag"))
    );

    if c.flavor == Flavor::InProcess {
        // A browser's preflight for a presigned PUT: allowed from the rule's origin only.
        let url = format!("{}/{b}/uploads/clip.mp4", c.endpoint);
        let preflight = |from: &str| {
            http()
                .request(reqwest::Method::OPTIONS, &url)
                .header("origin", from)
                .header("access-control-request-method", "PUT")
                .header(
                    "access-control-request-headers",
                    "content-type,x-amz-checksum-sha256",
                )
                .send()
        };
        let ok = preflight(origin).await.unwrap();
        assert_eq!(ok.status(), 200);
        assert_eq!(ok.headers()["access-control-allow-origin"], origin);
        assert_eq!(ok.headers()["access-control-expose-headers"], "ETag");
        let no_origin = http()
            .request(reqwest::Method::OPTIONS, &url)
            .header("access-control-request-method", "PUT")
            .send()
            .await
            .unwrap();
        assert_eq!(no_origin.status(), 400);
        let other = preflight("http://127.0.0.1:1").await.unwrap();
        assert_eq!(other.status(), 403);
        assert!(other.headers().get("access-control-allow-origin").is_none());

        // The actual (signed) request carries the CORS headers too.
        let put = c
            .client
            .presign_put(&b, "uploads/clip.mp4", 60, &PresignPut::new())
            .await
            .unwrap();
        let sent = http()
            .put(put.url())
            .header("origin", origin)
            .body("video")
            .send()
            .await
            .unwrap();
        assert_eq!(sent.status(), 200);
        assert_eq!(sent.headers()["access-control-allow-origin"], origin);
        assert_eq!(sent.headers()["access-control-expose-headers"], "ETag");
        let foreign = http()
            .put(put.url())
            .header("origin", "http://127.0.0.1:1")
            .body("video")
            .send()
            .await
            .unwrap();
        assert!(
            foreign
                .headers()
                .get("access-control-allow-origin")
                .is_none()
        );
    }

    c.client.delete_bucket_cors(&b).await.unwrap();
    let gone = c.client.get_bucket_cors(&b).await.unwrap_err();
    assert!(gone.is_not_found(), "{gone}");
    if c.flavor == Flavor::InProcess {
        let url = format!("{}/{b}/k", c.endpoint);
        let refused = http()
            .request(reqwest::Method::OPTIONS, &url)
            .header("origin", origin)
            .header("access-control-request-method", "PUT")
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 403);
    }
    cleanup(&c, &b).await;
}

/// S3 refuses PutBucketCors without Content-MD5 or a checksum header; the embedded server
/// does too, so the client's checksum header is really exercised.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_bucket_cors_needs_an_integrity_header() {
    use s3presign::http_request::sign_request;
    use s3presign::sigv4::{Payload, SigningParams, SigningSettings};
    use s3presign::{AmzDate, Signer};

    let c = ctx().await;
    if c.flavor != Flavor::InProcess {
        return; // AWS makes this check; only the embedded server is known here to make it.
    }
    let b = new_bucket(&c, "corsmd5").await;
    let signer = Signer::new(external_creds()).unwrap();
    let params = SigningParams::new(&signer, "us-east-1", "s3", AmzDate::now().unwrap())
        .with_settings(SigningSettings::s3());
    let body = b"<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin>\
        <AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>"
        .to_vec();
    let send = |md5: Option<String>| {
        let mut req = http::Request::put(format!("{}/{b}/?cors", c.endpoint));
        if let Some(md5) = md5 {
            req = req.header("content-md5", md5);
        }
        let mut req = req.body(body.clone()).unwrap();
        sign_request(&mut req, Payload::Bytes(&body), &params).unwrap();
        http().execute(reqwest::Request::try_from(req).unwrap())
    };
    let refused = send(None).await.unwrap();
    assert_eq!(refused.status(), 400);
    assert!(
        refused.text().await.unwrap().contains("Content-MD5"),
        "the refusal should name the missing header"
    );
    assert!(
        c.client
            .get_bucket_cors(&b)
            .await
            .unwrap_err()
            .is_not_found()
    );

    // The client's own call carries x-amz-checksum-sha256 and is accepted.
    let rule = CorsRule::new(["*"], [CorsMethod::Get]);
    c.client
        .put_bucket_cors(&b, &CorsConfiguration::new([rule]))
        .await
        .unwrap();
    cleanup(&c, &b).await;
}

/// The checksum a second implementation (s3s's) gives for `data`.
fn independent_crc32(data: &[u8]) -> String {
    let mut h = s3s::checksum::ChecksumHasher {
        crc32: Some(Default::default()),
        ..Default::default()
    };
    h.update(data);
    h.finalize().checksum_crc32.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checksums_on_parts_completion_and_streams() {
    let c = ctx().await;
    let b = new_bucket(&c, "checksums").await;
    let part1: Vec<u8> = (0..5 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    let part2: Vec<u8> = b"the end".to_vec();
    let key = "sums/object.bin";
    let create =
        CreateMultipartUpload::new().checksum(ChecksumAlgorithm::Crc32, ChecksumType::Composite);
    let up = c
        .client
        .create_multipart_upload(&b, key, &create)
        .await
        .unwrap();
    assert_eq!(up.checksum_algorithm, Some(ChecksumAlgorithm::Crc32));
    let crc32 = UploadPart::new().checksum(ChecksumAlgorithm::Crc32);
    let id = &up.upload_id;
    let p1 = c
        .client
        .upload_part_with(&b, key, id, 1, part1.clone(), &crc32)
        .await
        .unwrap();
    let expected1 = Checksum::new(ChecksumAlgorithm::Crc32, independent_crc32(&part1));
    assert_eq!(p1.checksum.as_ref(), Some(&expected1));
    let p2 = c
        .client
        .upload_part_with(&b, key, id, 2, part2.clone(), &crc32)
        .await
        .unwrap();

    // A part whose bytes do not match its checksum is refused by the server (moto 5.2.5
    // stores such a part without checking it, so it is not asked there).
    let wrong = Checksum::new(ChecksumAlgorithm::Crc32, independent_crc32(b"other bytes"));
    if c.flavor != Flavor::Moto {
        let lying = UploadPart::new().declared_checksum(wrong.clone());
        let e = c
            .client
            .upload_part_with(&b, key, id, 3, part2.clone(), &lying)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Service, "{e:?}");
        assert!(
            matches!(e.code(), Some("BadDigest" | "InvalidRequest")),
            "{e:?}"
        );
    }

    let listed = c.client.list_parts(&b, key, id).await.unwrap();
    let numbers: Vec<u16> = listed.parts.iter().map(|p| p.part_number).collect();
    assert_eq!(numbers, [1, 2], "the refused part is not stored");
    // SeaweedFS 4.48 and moto 5.2.5 leave the parts' checksums out of ListParts.
    if !matches!(c.flavor, Flavor::SeaweedFs | Flavor::Moto) {
        assert_eq!(listed.parts[0].checksum.as_ref(), Some(&expected1));
    }

    // Completing with a part checksum that is not the uploaded one is refused (moto 5.2.5
    // completes it: it does not compare the listed checksums).
    if c.flavor != Flavor::Moto {
        let forged = [p1.clone().with_checksum(wrong), p2.clone()];
        let e = c
            .client
            .complete_multipart_upload(&b, key, id, &forged)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Service, "{e:?}");
    }
    c.client
        .complete_multipart_upload(&b, key, id, &[p1, p2])
        .await
        .unwrap();
    let got = c.client.get_object(&b, key).await.unwrap();
    assert_eq!(got.body.len(), part1.len() + part2.len());
    assert!(got.body.starts_with(&part1) && got.body.ends_with(&part2));

    // A streamed PutObject with its checksum declared up front: checked by the server.
    let chunks = || {
        Chunks(
            vec![
                bytes::Bytes::from_static(b"hello "),
                bytes::Bytes::from_static(b"world"),
            ]
            .into(),
        )
    };
    let good = PutObject::new().checksum(Checksum::new(
        ChecksumAlgorithm::Crc32,
        independent_crc32(b"hello world"),
    ));
    c.client
        .put_object_stream(&b, "sums/stream", 11, chunks(), &good)
        .await
        .unwrap();
    let bad = PutObject::new().checksum(Checksum::new(
        ChecksumAlgorithm::Crc32,
        independent_crc32(b"hello worle"),
    ));
    // moto 5.2.5 stores a streamed body whatever checksum header it carries.
    if c.flavor != Flavor::Moto {
        let e = c
            .client
            .put_object_stream(&b, "sums/bad", 11, chunks(), &bad)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Service, "{e:?}");
        assert!(
            c.client
                .head_object(&b, "sums/bad")
                .await
                .unwrap_err()
                .is_not_found()
        );
    }
    // Without a declared checksum the stream is hashed as it leaves and compared with the
    // checksum the server reports (if it reports one).
    c.client
        .put_object_stream(&b, "sums/plain", 11, chunks(), &PutObject::new())
        .await
        .unwrap();
    let got = c.client.get_object(&b, "sums/stream").await.unwrap();
    assert_eq!(&got.body[..], b"hello world");
    cleanup(&c, &b).await;
}
