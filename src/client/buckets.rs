//! Bucket operations: create, head, delete, list, location.

use std::string::String;
use std::vec::Vec;

use serde::{Deserialize, Serialize};

#[cfg(feature = "client")]
use super::Client;
use super::error::Result;
use super::operation::{Spec, bucket_op, operation};
use super::request::{RequestSpec, Target};
use super::response::Response;
use super::xml::{NS, from_xml, to_xml};

/// A bucket in [`ListBucketsOutput`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct BucketInfo {
    /// The name.
    pub name: String,
    /// When it was created (ISO 8601, as sent).
    #[serde(default)]
    pub creation_date: Option<String>,
}

/// What `Client::list_buckets` returns.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ListBucketsOutput {
    /// The buckets.
    pub buckets: Vec<BucketInfo>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct ListAllMyBucketsRaw {
    buckets: BucketsRaw,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct BucketsRaw {
    bucket: Vec<BucketInfo>,
}

#[derive(Serialize)]
struct CreateBucketConfiguration<'a> {
    #[serde(rename = "@xmlns")]
    xmlns: &'static str,
    #[serde(rename = "LocationConstraint")]
    location_constraint: &'a str,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LocationConstraintRaw {
    #[serde(rename = "$text")]
    value: Option<String>,
}

/// [ListBuckets](https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html)
/// as an [`Operation`](super::Operation).
#[derive(Debug, Clone, Copy, Default)]
pub struct ListBucketsOp;

impl Spec for ListBucketsOp {
    type Output = ListBucketsOutput;
    fn spec(&self) -> Result<RequestSpec<'_>> {
        Ok(RequestSpec::new("GET", Target::Service))
    }
    fn parse(&self, response: Response) -> Result<ListBucketsOutput> {
        let raw: ListAllMyBucketsRaw =
            from_xml(&response.body, "could not parse the ListBuckets answer")?;
        Ok(ListBucketsOutput {
            buckets: raw.buckets.bucket,
        })
    }
}

operation!(ListBucketsOp => ListBucketsOutput);

/// [CreateBucket](https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html)
/// as an [`Operation`](super::Operation): a `LocationConstraint` is sent outside
/// `us-east-1`.
#[derive(Debug, Clone, Copy)]
pub struct CreateBucketOp<'a> {
    bucket: &'a str,
    region: &'a str,
}

impl<'a> CreateBucketOp<'a> {
    /// Creates `bucket` in `region` (the endpoint's region).
    pub fn new(bucket: &'a str, region: &'a str) -> Self {
        Self { bucket, region }
    }
}

impl Spec for CreateBucketOp<'_> {
    type Output = ();
    fn spec(&self) -> Result<RequestSpec<'_>> {
        let spec = RequestSpec::new("PUT", Target::Bucket(self.bucket));
        if self.region == "us-east-1" {
            return Ok(spec);
        }
        let doc = to_xml(
            "CreateBucketConfiguration",
            &CreateBucketConfiguration {
                xmlns: NS,
                location_constraint: self.region,
            },
        )?;
        Ok(spec.header("content-type", "application/xml").body(doc))
    }
    fn parse(&self, _: Response) -> Result<()> {
        Ok(())
    }
}

operation!(CreateBucketOp<'_> => ());

bucket_op!(
    /// [HeadBucket](https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html)
    /// as an [`Operation`](super::Operation): `Ok` if the bucket exists and is accessible.
    HeadBucketOp, "HEAD", "", (), |_| Ok(())
);

bucket_op!(
    /// [DeleteBucket](https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html)
    /// as an [`Operation`](super::Operation) (the bucket must be empty).
    DeleteBucketOp, "DELETE", "", (), |_| Ok(())
);

bucket_op!(
    /// [GetBucketLocation](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html)
    /// as an [`Operation`](super::Operation): the bucket's region (`us-east-1` when S3
    /// answers with an empty constraint, and `EU` translated to `eu-west-1`, as the SDKs do).
    GetBucketLocationOp, "GET", "location", String, |response| {
        let raw: LocationConstraintRaw =
            from_xml(&response.body, "could not parse the GetBucketLocation answer")?;
        Ok(match raw.value.as_deref().map(str::trim) {
            None | Some("") => String::from("us-east-1"),
            Some("EU") => String::from("eu-west-1"),
            Some(r) => String::from(r),
        })
    }
);

#[cfg(feature = "client")]
impl Client {
    /// [GetBucketLocation](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html):
    /// the bucket's region (`us-east-1` when S3 answers with an empty constraint, and `EU`
    /// translated to `eu-west-1`, as the SDKs do).
    ///
    /// # Errors
    /// `NoSuchBucket`, transport errors.
    pub async fn get_bucket_location(&self, bucket: &str) -> Result<String> {
        self.run(&GetBucketLocationOp::new(bucket)).await
    }

    /// [CreateBucket](https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html)
    /// in the endpoint's region (a `LocationConstraint` is sent outside `us-east-1`).
    ///
    /// # Errors
    /// `BucketAlreadyExists`, `BucketAlreadyOwnedByYou`, invalid names, transport errors.
    pub async fn create_bucket(&self, bucket: &str) -> Result<()> {
        self.run(&CreateBucketOp::new(bucket, self.endpoint().region()))
            .await
    }

    /// [HeadBucket](https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html):
    /// `Ok` if the bucket exists and is accessible.
    ///
    /// # Errors
    /// [`Error::is_not_found`](super::Error::is_not_found) or
    /// [`is_access_denied`](super::Error::is_access_denied), transport errors.
    pub async fn head_bucket(&self, bucket: &str) -> Result<()> {
        self.run(&HeadBucketOp::new(bucket)).await
    }

    /// [DeleteBucket](https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html)
    /// (it must be empty).
    ///
    /// # Errors
    /// `BucketNotEmpty`, `NoSuchBucket`, transport errors.
    pub async fn delete_bucket(&self, bucket: &str) -> Result<()> {
        self.run(&DeleteBucketOp::new(bucket)).await
    }

    /// [ListBuckets](https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html).
    ///
    /// # Errors
    /// Server or transport errors.
    pub async fn list_buckets(&self) -> Result<ListBucketsOutput> {
        self.run(&ListBucketsOp).await
    }
}
