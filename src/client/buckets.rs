//! Bucket operations: create, head, delete, list.

use std::string::String;
use std::vec::Vec;

use serde::{Deserialize, Serialize};

use super::xml::{NS, from_xml, to_xml};
#[cfg(feature = "client")]
use super::Client;
use super::error::Result;
#[cfg(feature = "client")]
use super::request::{RequestSpec, Target};

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

/// What [`Client::list_buckets`] returns.
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

#[cfg(feature = "client")]
impl Client {
    /// [GetBucketLocation](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html):
    /// the bucket's region (`us-east-1` when S3 answers with an empty constraint, and `EU`
    /// translated to `eu-west-1`, as the SDKs do).
    ///
    /// # Errors
    /// `NoSuchBucket`, transport errors.
    pub async fn get_bucket_location(&self, bucket: &str) -> Result<String> {
        let resp = self
            .execute(RequestSpec::new("GET", Target::Bucket(bucket)).query("location", ""))
            .await?;
        let raw: LocationConstraintRaw =
            from_xml(&resp.body, "could not parse the GetBucketLocation answer")?;
        Ok(match raw.value.as_deref().map(str::trim) {
            None | Some("") => String::from("us-east-1"),
            Some("EU") => String::from("eu-west-1"),
            Some(r) => String::from(r),
        })
    }

    /// [CreateBucket](https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html)
    /// in the endpoint's region (a `LocationConstraint` is sent outside `us-east-1`).
    ///
    /// # Errors
    /// `BucketAlreadyExists`, `BucketAlreadyOwnedByYou`, invalid names, transport errors.
    pub async fn create_bucket(&self, bucket: &str) -> Result<()> {
        let region = self.endpoint().region();
        let mut op = RequestSpec::new("PUT", Target::Bucket(bucket));
        if region != "us-east-1" {
            let doc = to_xml(
                "CreateBucketConfiguration",
                &CreateBucketConfiguration {
                    xmlns: NS,
                    location_constraint: region,
                },
            )?;
            op = op.header("content-type", "application/xml").body(doc);
        }
        self.execute(op).await?;
        Ok(())
    }

    /// [HeadBucket](https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html):
    /// `Ok` if the bucket exists and is accessible.
    ///
    /// # Errors
    /// [`Error::is_not_found`](super::Error::is_not_found) or
    /// [`is_access_denied`](super::Error::is_access_denied), transport errors.
    pub async fn head_bucket(&self, bucket: &str) -> Result<()> {
        self.execute(RequestSpec::new("HEAD", Target::Bucket(bucket)))
            .await?;
        Ok(())
    }

    /// [DeleteBucket](https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucket.html)
    /// (it must be empty).
    ///
    /// # Errors
    /// `BucketNotEmpty`, `NoSuchBucket`, transport errors.
    pub async fn delete_bucket(&self, bucket: &str) -> Result<()> {
        self.execute(RequestSpec::new("DELETE", Target::Bucket(bucket)))
            .await?;
        Ok(())
    }

    /// [ListBuckets](https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html).
    ///
    /// # Errors
    /// Server or transport errors.
    pub async fn list_buckets(&self) -> Result<ListBucketsOutput> {
        let resp = self.execute(RequestSpec::new("GET", Target::Service)).await?;
        let raw: ListAllMyBucketsRaw =
            from_xml(&resp.body, "could not parse the ListBuckets answer")?;
        Ok(ListBucketsOutput {
            buckets: raw.buckets.bucket,
        })
    }
}
