//! S3 operations (feature `http`) and an async S3 client over them (feature `client`):
//! objects, buckets, bucket policy, bucket CORS, public access block, versioning,
//! notifications and multipart uploads.
//!
//! Two layers:
//! - **Sans I/O** (feature `http`): an [`Operation`] such as [`ListObjectsV2Op`] or
//!   [`DeleteObjectsOp`] [prepares](Operation::prepare) its signed [`http::Request`]
//!   (method, URL, headers, body) and [parses](Operation::parse_response) the
//!   [`http::Response`], with no I/O: run it over hyper, axum, a Worker's `fetch`, or
//!   anything else.
//! - **`Client`** (feature `client`): sends the same requests over reqwest (rustls) and
//!   tokio, with retries, clock-skew correction and paginators.
//!
//! Every request is signed by the core ([`crate::sigv4::sign_headers`] with
//! [`SigningSettings::s3`](crate::sigv4::SigningSettings::s3)) and addressed by the core's
//! [`Bucket`](crate::s3::Bucket) / [`Endpoint`](crate::s3::Endpoint) rules; this module
//! never builds a canonical request itself. XML goes through quick-xml (serde), JSON
//! through serde_json.
//!
//! ```no_run
//! # #[cfg(feature = "client")] mod m {
//! use s3presign::client::{BucketPolicy, Client, EnvCredentials, ListObjectsV2};
//! use s3presign::s3::Endpoint;
//!
//! # async fn run() -> Result<(), s3presign::client::Error> {
//! let client = Client::builder()
//!     .endpoint(Endpoint::aws("eu-west-1")?)
//!     .credentials(EnvCredentials)
//!     .build()?;
//! client.put_object("my-bucket", "videos/clip.mp4", b"...".to_vec(), &Default::default()).await?;
//! let mut pages = client.list_objects_v2_pages("my-bucket", ListObjectsV2::new().prefix("videos/"));
//! while let Some(page) = pages.next_page().await? {
//!     for object in &page.contents {
//!         println!("{} {}", object.key, object.size);
//!     }
//! }
//! client.put_bucket_policy("my-bucket", &BucketPolicy::public_read("my-bucket")).await?;
//! # Ok(()) }
//! # }
//! ```
//!
//! Retries: throttling (`503 SlowDown`), 500/502/504, `RequestTimeout`, timeouts and
//! connection errors are retried with exponential backoff and jitter (`RetryConfig`), for
//! idempotent requests only (`CreateMultipartUpload` and `CompleteMultipartUpload` are not
//! retried; `DeleteObjects` is, since deleting a key twice has the same effect as once).
//! Every attempt is signed afresh.
//!
//! What a misbehaving server cannot do:
//! - make object content count as an error: only CopyObject and CompleteMultipartUpload
//!   read an `<Error>` inside a `200` as one (S3 embeds errors nowhere else);
//! - loop a listing: a truncated page without a marker, or any marker seen before, ends it
//!   with an error (and ListParts never returns a partial list as complete);
//! - hide an undeleted key: DeleteObjects reports every key it did not mention as
//!   [`NOT_ACKNOWLEDGED`];
//! - make the client read an endless error body: at most [`MAX_ERROR_BODY`] bytes are read;
//! - corrupt data unseen ([`Integrity`], default [`Integrity::WhenSupported`]): uploads carry
//!   a CRC32, downloads are checked against their full-object checksum and
//!   `Content-Length`, streamed ones before their end is reported; multipart parts carry
//!   their checksums when the upload asks for them ([`CreateMultipartUpload::checksum`]).
//!   Use [`Integrity::WhenRequired`] for stores that refuse checksum headers.
//!
//! ## By operation group
//!
//! Buckets and objects:
//! ```no_run
//! # #[cfg(feature = "client")] mod m {
//! # use s3presign::client::*;
//! # async fn run(client: Client) -> Result<(), Error> {
//! client.create_bucket("videos-eu").await?; // LocationConstraint = the endpoint's region
//! client.put_object("videos-eu", "a.mp4", b"...".to_vec(),
//!     &PutObject::new().content_type("video/mp4").metadata("owner", "alice")).await?;
//! let head = client.head_object("videos-eu", "a.mp4").await?;
//! let first_kb = client.get_object_with("videos-eu", "a.mp4", &GetObject::new().range(0, Some(1023))).await?;
//! client.copy_object("videos-eu", "b.mp4", &CopyObject::new("videos-eu", "a.mp4")).await?;
//! let keys = [ObjectIdentifier::new("a.mp4"), ObjectIdentifier::new("b.mp4")];
//! let report = client.delete_objects("videos-eu", &keys).await?; // any number of keys
//! assert!(report.errors.is_empty(), "not deleted: {:?}", report.errors);
//! # let _ = (head, first_kb); Ok(()) }
//! # }
//! ```
//!
//! Public read (on AWS, lift the public access block first):
//! ```no_run
//! # #[cfg(feature = "client")] mod m {
//! # use s3presign::client::*;
//! # async fn run(client: Client) -> Result<(), Error> {
//! client.put_public_access_block("videos-eu", &PublicAccessBlockConfiguration::allow_public_policy()).await?;
//! client.put_bucket_policy("videos-eu", &BucketPolicy::public_read("videos-eu")).await?;
//! assert!(client.get_bucket_policy("videos-eu").await?.allows_public_read("videos-eu"));
//! client.delete_bucket_policy("videos-eu").await?;
//! # Ok(()) }
//! # }
//! ```
//!
//! Versioning and notifications:
//! ```no_run
//! # #[cfg(feature = "client")] mod m {
//! # use s3presign::client::*;
//! # async fn run(client: Client) -> Result<(), Error> {
//! client.put_bucket_versioning("videos-eu", VersioningStatus::Enabled).await?;
//! let mut pages = client.list_object_versions_pages("videos-eu", ListObjectVersions::new().prefix("a.mp4"));
//! while let Some(page) = pages.next_page().await? {
//!     for v in page.versions { println!("{} {} latest={}", v.key, v.version_id, v.is_latest); }
//! }
//! let lambda = LambdaFunctionConfiguration::new(
//!     "arn:aws:lambda:eu-west-1:123456789012:function:transcode", [Event::ObjectCreatedAll])
//!     .filter(FilterRules::new().prefix("uploads/").suffix(".mp4"));
//! client.put_bucket_notification_configuration("videos-eu",
//!     &NotificationConfiguration::default().lambda(lambda)).await?;
//! # Ok(()) }
//! # }
//! ```
//!
//! Large files, in parallel parts with bounded memory, checksums and progress (a failed or
//! cancelled upload is aborted; a failed download leaves the destination untouched):
//! ```no_run
//! # #[cfg(feature = "client")] mod m {
//! # use s3presign::client::*;
//! # async fn run(client: Client) -> Result<(), Error> {
//! let opts = Upload::new().on_progress(|done, total| eprintln!("{done} of {total:?}"));
//! client.upload("videos-eu", "big.mp4", UploadSource::file("big.mp4"), &opts).await?;
//! client.download("videos-eu", "big.mp4", "copy.mp4", &Download::new()).await?;
//! # Ok(()) }
//! # }
//! ```
//!
//! A browser uploads a large video in parts (the bucket's CORS rule lets the page at
//! `https://app.example.com` send the parts and read their ETags):
//! ```no_run
//! # #[cfg(feature = "client")] mod m {
//! # use s3presign::client::*;
//! # async fn run(client: Client) -> Result<(), Error> {
//! let cors = CorsConfiguration::new([CorsRule::browser_upload("https://app.example.com")]);
//! client.put_bucket_cors("videos-eu", &cors).await?;
//! let up = client.create_multipart_upload("videos-eu", "big.mp4",
//!     &CreateMultipartUpload::new().content_type("video/mp4")).await?;
//! let part1 = client.presign_upload_part("videos-eu", "big.mp4", &up.upload_id, 1, 3600).await?;
//! // ... the browser PUTs part 1 to part1.url() and reports the ETag it got back ...
//! # let etag = String::new();
//! let parts = [CompletedPart::new(1, etag)];
//! client.complete_multipart_upload("videos-eu", "big.mp4", &up.upload_id, &parts).await?;
//! # let _ = part1; Ok(()) }
//! # }
//! ```

mod bucket_config;
mod bucket_policy;
mod buckets;
#[cfg(feature = "client")]
mod builder;
mod checksum;
mod cors;
#[cfg(feature = "client")]
mod credentials;
mod delete;
mod error;
mod listing;
mod multipart;
mod notification;
mod objects;
pub(crate) mod operation;
#[cfg(feature = "client")]
mod paginate;
mod parts;
pub(crate) mod request;
pub(crate) mod response;
#[cfg(feature = "client")]
mod send;
#[cfg(feature = "client")]
mod transfer;
mod xml;

pub use bucket_config::{
    DeletePublicAccessBlockOp, GetBucketVersioningOp, GetPublicAccessBlockOp,
    PublicAccessBlockConfiguration, PutBucketVersioningOp, PutPublicAccessBlockOp,
    VersioningStatus,
};
pub use bucket_policy::{
    BucketPolicy, DeleteBucketPolicyOp, Effect, GetBucketPolicyOp, OneOrMany, Principal,
    PutBucketPolicyOp, Statement,
};
pub use buckets::{
    BucketInfo, CreateBucketOp, DeleteBucketOp, GetBucketLocationOp, HeadBucketOp, ListBucketsOp,
    ListBucketsOutput,
};
#[cfg(feature = "client")]
pub use builder::{Client, ClientBuilder, RetryConfig, install_crypto_provider};
pub use checksum::{Checksum, ChecksumAlgorithm, ChecksumType, Integrity};
pub use cors::{
    CorsConfiguration, CorsMethod, CorsRule, DeleteBucketCorsOp, GetBucketCorsOp, MAX_CORS_RULES,
    PutBucketCorsOp,
};
#[cfg(feature = "client")]
pub use credentials::{
    CredentialsFuture, EnvCredentials, ProfileCredentials, ProvideCredentials, StaticCredentials,
};
pub use delete::{
    DELETE_OBJECTS_BATCH, DeleteObjectsOp, DeleteObjectsOutput, DeletedObject, NOT_ACKNOWLEDGED,
    ObjectError, ObjectIdentifier,
};
pub use error::{Error, ErrorKind, Result};
pub use listing::{
    DeleteMarkerEntry, ListObjectVersions, ListObjectVersionsOp, ListObjectVersionsOutput,
    ListObjectsV2, ListObjectsV2Op, ListObjectsV2Output, Object, ObjectVersion,
};
#[cfg(feature = "client")]
pub use listing::{ListObjectVersionsPaginator, ListObjectsPaginator};
pub use multipart::{
    AbortMultipartUploadOp, CompleteMultipartUploadOp, CompletedPart, CreateMultipartUpload,
    CreateMultipartUploadOp, ListPartsOp, ListPartsOutput, MultipartUpload, Part, UploadPart,
    UploadPartOp,
};
pub use notification::{
    Event, FilterRules, GetBucketNotificationConfigurationOp, LambdaFunctionConfiguration,
    NotificationConfiguration, PutBucketNotificationConfigurationOp, QueueConfiguration,
    TopicConfiguration,
};
#[cfg(feature = "client")]
pub use objects::ObjectBody;
pub use objects::{
    CopyObject, CopyObjectOp, CopyObjectOutput, DeleteObject, DeleteObjectOp, DeleteObjectOutput,
    GetObject, GetObjectOp, GetObjectOutput, HeadObjectOp, ObjectMeta, PresignPut, PutObject,
    PutObjectOp, PutObjectOutput,
};
pub use operation::{Operation, prepare};
pub use response::MAX_ERROR_BODY;
#[cfg(feature = "client")]
pub use transfer::{
    Cancel, DEFAULT_CONCURRENCY, DEFAULT_PART_SIZE, Download, DownloadOutput, MAX_PART_SIZE,
    MAX_PARTS, MIN_PART_SIZE, Progress, Upload, UploadOutput, UploadSource,
};
