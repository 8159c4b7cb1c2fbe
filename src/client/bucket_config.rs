//! Bucket configuration: public access block and versioning.

use std::string::String;

use serde::{Deserialize, Serialize};

#[cfg(feature = "client")]
use super::Client;
use super::error::{Error, Result};
use super::operation::{Spec, bucket_op, operation};
use super::request::{RequestSpec, Target};
use super::response::Response;
use super::xml::{NS, from_xml, to_xml};

// ---------------------------------------------------------------------------------------
// Public access block

/// The four switches of S3 Block Public Access for a bucket.
///
/// New AWS buckets have all four on; [`PublicAccessBlockConfiguration::allow_public_policy`]
/// turns off the two that stop a public-read bucket policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct PublicAccessBlockConfiguration {
    /// Reject requests that set public ACLs.
    #[serde(default)]
    pub block_public_acls: bool,
    /// Ignore public ACLs.
    #[serde(default)]
    pub ignore_public_acls: bool,
    /// Reject bucket policies that grant public access.
    #[serde(default)]
    pub block_public_policy: bool,
    /// Ignore public bucket policies for anonymous and cross-account requests.
    #[serde(default)]
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlockConfiguration {
    /// All four on (the AWS default for new buckets).
    pub fn block_all() -> Self {
        Self {
            block_public_acls: true,
            ignore_public_acls: true,
            block_public_policy: true,
            restrict_public_buckets: true,
        }
    }

    /// ACLs still blocked, public bucket policies allowed (what a public-read policy needs).
    pub fn allow_public_policy() -> Self {
        Self {
            block_public_acls: true,
            ignore_public_acls: true,
            block_public_policy: false,
            restrict_public_buckets: false,
        }
    }
}

#[derive(Serialize)]
struct PabXml<'a> {
    #[serde(rename = "@xmlns")]
    xmlns: &'static str,
    #[serde(flatten)]
    config: &'a PublicAccessBlockConfiguration,
}

// ---------------------------------------------------------------------------------------
// Versioning

/// A bucket's versioning state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum VersioningStatus {
    /// Versioning was never turned on.
    Unversioned,
    /// Every write keeps the previous version.
    Enabled,
    /// Turned off after being on; old versions are kept.
    Suspended,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct VersioningXml {
    #[serde(
        rename = "@xmlns",
        skip_deserializing,
        skip_serializing_if = "Option::is_none"
    )]
    xmlns: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
}

bucket_op!(
    /// [GetPublicAccessBlock](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetPublicAccessBlock.html)
    /// as an [`Operation`](super::Operation).
    GetPublicAccessBlockOp, "GET", "publicAccessBlock", PublicAccessBlockConfiguration, |r| {
        from_xml(&r.body, "could not parse the GetPublicAccessBlock answer")
    }
);

bucket_op!(
    /// [DeletePublicAccessBlock](https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeletePublicAccessBlock.html)
    /// as an [`Operation`](super::Operation).
    DeletePublicAccessBlockOp, "DELETE", "publicAccessBlock", (), |_| Ok(())
);

/// [PutPublicAccessBlock](https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutPublicAccessBlock.html)
/// as an [`Operation`](super::Operation).
#[derive(Debug, Clone, Copy)]
pub struct PutPublicAccessBlockOp<'a> {
    bucket: &'a str,
    config: &'a PublicAccessBlockConfiguration,
}

impl<'a> PutPublicAccessBlockOp<'a> {
    /// Sets `config` on `bucket`.
    pub fn new(bucket: &'a str, config: &'a PublicAccessBlockConfiguration) -> Self {
        Self { bucket, config }
    }
}

impl Spec for PutPublicAccessBlockOp<'_> {
    type Output = ();
    fn spec(&self) -> Result<RequestSpec<'_>> {
        let doc = to_xml(
            "PublicAccessBlockConfiguration",
            &PabXml {
                xmlns: NS,
                config: self.config,
            },
        )?;
        Ok(RequestSpec::new("PUT", Target::Bucket(self.bucket))
            .query("publicAccessBlock", "")
            .header("content-type", "application/xml")
            .body(doc)
            .checksum_sha256())
    }
    fn parse(&self, _: Response) -> Result<()> {
        Ok(())
    }
}

operation!(PutPublicAccessBlockOp<'_> => ());

bucket_op!(
    /// [GetBucketVersioning](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketVersioning.html)
    /// as an [`Operation`](super::Operation).
    GetBucketVersioningOp, "GET", "versioning", VersioningStatus, |r| {
        let x: VersioningXml =
            from_xml(&r.body, "could not parse the GetBucketVersioning answer")?;
        match x.status.as_deref() {
            None | Some("") => Ok(VersioningStatus::Unversioned),
            Some("Enabled") => Ok(VersioningStatus::Enabled),
            Some("Suspended") => Ok(VersioningStatus::Suspended),
            Some(_) => Err(Error::decode("unknown versioning status", None)),
        }
    }
);

/// [PutBucketVersioning](https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketVersioning.html)
/// as an [`Operation`](super::Operation): `Enabled` or `Suspended` (a bucket cannot go back
/// to unversioned).
#[derive(Debug, Clone, Copy)]
pub struct PutBucketVersioningOp<'a> {
    bucket: &'a str,
    status: VersioningStatus,
}

impl<'a> PutBucketVersioningOp<'a> {
    /// Sets `bucket`'s versioning to `status`.
    pub fn new(bucket: &'a str, status: VersioningStatus) -> Self {
        Self { bucket, status }
    }
}

impl Spec for PutBucketVersioningOp<'_> {
    type Output = ();
    fn spec(&self) -> Result<RequestSpec<'_>> {
        let s = match self.status {
            VersioningStatus::Enabled => "Enabled",
            VersioningStatus::Suspended => "Suspended",
            VersioningStatus::Unversioned => {
                return Err(Error::invalid_input(
                    "versioning can only be Enabled or Suspended",
                ));
            }
        };
        let doc = to_xml(
            "VersioningConfiguration",
            &VersioningXml {
                xmlns: Some(NS),
                status: Some(String::from(s)),
            },
        )?;
        Ok(RequestSpec::new("PUT", Target::Bucket(self.bucket))
            .query("versioning", "")
            .header("content-type", "application/xml")
            .body(doc)
            .checksum_sha256())
    }
    fn parse(&self, _: Response) -> Result<()> {
        Ok(())
    }
}

operation!(PutBucketVersioningOp<'_> => ());

#[cfg(feature = "client")]
impl Client {
    /// [GetPublicAccessBlock](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetPublicAccessBlock.html).
    ///
    /// # Errors
    /// `NoSuchPublicAccessBlockConfiguration` ([`Error::is_not_found`])
    /// when none is set; transport errors.
    pub async fn get_public_access_block(
        &self,
        bucket: &str,
    ) -> Result<PublicAccessBlockConfiguration> {
        self.run(&GetPublicAccessBlockOp::new(bucket)).await
    }

    /// [PutPublicAccessBlock](https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutPublicAccessBlock.html).
    ///
    /// # Errors
    /// Server or transport errors.
    pub async fn put_public_access_block(
        &self,
        bucket: &str,
        config: &PublicAccessBlockConfiguration,
    ) -> Result<()> {
        self.run(&PutPublicAccessBlockOp::new(bucket, config)).await
    }

    /// [DeletePublicAccessBlock](https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeletePublicAccessBlock.html).
    ///
    /// # Errors
    /// Server or transport errors.
    pub async fn delete_public_access_block(&self, bucket: &str) -> Result<()> {
        self.run(&DeletePublicAccessBlockOp::new(bucket)).await
    }

    /// [GetBucketVersioning](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketVersioning.html).
    ///
    /// # Errors
    /// Server or transport errors; an unknown status.
    pub async fn get_bucket_versioning(&self, bucket: &str) -> Result<VersioningStatus> {
        self.run(&GetBucketVersioningOp::new(bucket)).await
    }

    /// [PutBucketVersioning](https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketVersioning.html):
    /// `Enabled` or `Suspended` (a bucket cannot go back to unversioned).
    ///
    /// # Errors
    /// [`ErrorKind::InvalidInput`](super::ErrorKind::InvalidInput) for `Unversioned`;
    /// server or transport errors.
    pub async fn put_bucket_versioning(
        &self,
        bucket: &str,
        status: VersioningStatus,
    ) -> Result<()> {
        self.run(&PutBucketVersioningOp::new(bucket, status)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pab_and_versioning_documents() {
        let doc = to_xml(
            "PublicAccessBlockConfiguration",
            &PabXml {
                xmlns: NS,
                config: &PublicAccessBlockConfiguration::allow_public_policy(),
            },
        )
        .unwrap();
        assert_eq!(
            doc,
            "<PublicAccessBlockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>false</BlockPublicPolicy><RestrictPublicBuckets>false</RestrictPublicBuckets></PublicAccessBlockConfiguration>"
        );
        let v: VersioningXml = from_xml(b"<VersioningConfiguration xmlns=\"x\"/>", "x").unwrap();
        assert!(v.status.is_none());
    }
}
