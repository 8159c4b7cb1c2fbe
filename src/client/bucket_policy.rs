//! Bucket policies: typed IAM policy documents (JSON) and Get/Put/DeleteBucketPolicy.

use std::collections::BTreeMap;
use std::string::String;
use std::vec;
use std::vec::Vec;

use serde::{Deserialize, Serialize};

#[cfg(feature = "client")]
use super::Client;
use super::error::{Error, Result};
use super::operation::{Spec, bucket_op, operation};
use super::request::{RequestSpec, Target};
use super::response::Response;

/// A value IAM accepts either alone or in a list (`"Action": "s3:GetObject"` or
/// `"Action": ["s3:GetObject", "s3:PutObject"]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    /// A single value.
    One(T),
    /// A list.
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    /// The values as a slice.
    pub fn as_slice(&self) -> &[T] {
        match self {
            OneOrMany::One(v) => core::slice::from_ref(v),
            OneOrMany::Many(v) => v,
        }
    }
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Effect {
    /// Grants.
    Allow,
    /// Denies (wins over any allow).
    Deny,
}

/// Who a statement applies to: `"*"` (everyone, anonymous included) or a map such as
/// `{"AWS": ["arn:aws:iam::111122223333:root"]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Principal {
    /// `"*"`.
    Everyone(String),
    /// `{"AWS": ..., "Service": ...}`.
    Map(BTreeMap<String, OneOrMany<String>>),
}

impl Principal {
    /// `"*"`.
    pub fn everyone() -> Self {
        Principal::Everyone(String::from("*"))
    }

    /// `{"AWS": [arns...]}`: these accounts, users or roles.
    ///
    /// ```
    /// use s3presign::client::Principal;
    /// let p = Principal::aws(["arn:aws:iam::111122223333:root"]);
    /// assert!(!p.is_everyone());
    /// assert!(Principal::aws(["*"]).is_everyone());
    /// ```
    pub fn aws<S: Into<String>>(arns: impl IntoIterator<Item = S>) -> Self {
        let arns: Vec<String> = arns.into_iter().map(Into::into).collect();
        let mut map = BTreeMap::new();
        map.insert(String::from("AWS"), OneOrMany::Many(arns));
        Principal::Map(map)
    }

    /// Whether this is `"*"` or `{"AWS": "*"}`.
    pub fn is_everyone(&self) -> bool {
        match self {
            Principal::Everyone(s) => s == "*",
            Principal::Map(m) => m
                .get("AWS")
                .is_some_and(|v| v.as_slice().iter().any(|p| p == "*")),
        }
    }
}

/// One statement of a [`BucketPolicy`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct Statement {
    /// Statement id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// Allow or deny.
    pub effect: Effect,
    /// Who.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<Principal>,
    /// Actions (`s3:GetObject`, ...).
    pub action: OneOrMany<String>,
    /// Resources (`arn:aws:s3:::bucket/*`).
    pub resource: OneOrMany<String>,
    /// Conditions, kept as JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<serde_json::Value>,
}

impl Statement {
    /// A statement with one action and one resource.
    pub fn new(
        effect: Effect,
        principal: Principal,
        action: impl Into<String>,
        resource: impl Into<String>,
    ) -> Self {
        Self {
            sid: None,
            effect,
            principal: Some(principal),
            action: OneOrMany::One(action.into()),
            resource: OneOrMany::One(resource.into()),
            condition: None,
        }
    }

    /// Sets the statement id.
    #[must_use]
    pub fn sid(mut self, sid: impl Into<String>) -> Self {
        self.sid = Some(sid.into());
        self
    }
}

/// An IAM policy document as used by bucket policies.
///
/// ```
/// use s3presign::client::BucketPolicy;
/// let policy = BucketPolicy::public_read("examplebucket");
/// let json = policy.to_json()?;
/// assert!(json.contains(r#""Action":"s3:GetObject""#));
/// assert!(json.contains(r#""Resource":"arn:aws:s3:::examplebucket/*""#));
/// assert_eq!(BucketPolicy::from_json(&json)?, policy);
/// # Ok::<(), s3presign::client::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct BucketPolicy {
    /// Policy language version, `2012-10-17`.
    pub version: String,
    /// Optional policy id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The statements.
    pub statement: Vec<Statement>,
}

impl BucketPolicy {
    /// A document (version `2012-10-17`) with these statements.
    pub fn new(statements: Vec<Statement>) -> Self {
        Self {
            version: String::from("2012-10-17"),
            id: None,
            statement: statements,
        }
    }

    /// Anyone may read every object: `Allow` `*` `s3:GetObject` on
    /// `arn:aws:s3:::BUCKET/*`. On AWS the bucket's public access block must allow public
    /// policies first (see `Client::put_public_access_block`).
    pub fn public_read(bucket: &str) -> Self {
        let mut resource = String::from("arn:aws:s3:::");
        resource.push_str(bucket);
        resource.push_str("/*");
        Self::new(vec![
            Statement::new(
                Effect::Allow,
                Principal::everyone(),
                "s3:GetObject",
                resource,
            )
            .sid("PublicReadGetObject"),
        ])
    }

    /// Whether some `Allow` statement grants `s3:GetObject` (or `s3:*`/`*`) to everyone
    /// on `arn:aws:s3:::BUCKET/*` (or a matching wildcard resource).
    pub fn allows_public_read(&self, bucket: &str) -> bool {
        let all = {
            let mut s = String::from("arn:aws:s3:::");
            s.push_str(bucket);
            s.push_str("/*");
            s
        };
        self.statement.iter().any(|st| {
            st.effect == Effect::Allow
                && st.condition.is_none()
                && st.principal.as_ref().is_some_and(Principal::is_everyone)
                && st
                    .action
                    .as_slice()
                    .iter()
                    .any(|a| a == "s3:GetObject" || a == "s3:*" || a == "*")
                && st
                    .resource
                    .as_slice()
                    .iter()
                    .any(|r| *r == all || r == "*" || r == "arn:aws:s3:::*")
        })
    }

    /// The JSON text.
    ///
    /// # Errors
    /// Serialization failed (it does not for these types).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| {
            Error::decode(
                "could not serialize the policy",
                Some(std::boxed::Box::new(e)),
            )
        })
    }

    /// Parses a policy's JSON text.
    ///
    /// # Errors
    /// [`ErrorKind::Decode`](super::ErrorKind::Decode) if it is not a policy document.
    pub fn from_json(json: &str) -> Result<Self> {
        serde_json::from_str(json).map_err(|e| {
            Error::decode(
                "could not parse the policy JSON",
                Some(std::boxed::Box::new(e)),
            )
        })
    }
}

fn policy_text(response: Response) -> Result<String> {
    String::from_utf8(response.body.to_vec())
        .map_err(|e| Error::decode("the policy is not UTF-8", Some(std::boxed::Box::new(e))))
}

bucket_op!(
    /// [GetBucketPolicy](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketPolicy.html)
    /// as an [`Operation`](super::Operation), the policy parsed.
    GetBucketPolicyOp, "GET", "policy", BucketPolicy, |r| {
        BucketPolicy::from_json(&policy_text(r)?)
    }
);

bucket_op!(
    /// [DeleteBucketPolicy](https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketPolicy.html)
    /// as an [`Operation`](super::Operation).
    DeleteBucketPolicyOp, "DELETE", "policy", (), |_| Ok(())
);

/// [PutBucketPolicy](https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html)
/// as an [`Operation`](super::Operation).
#[derive(Debug, Clone, Copy)]
pub struct PutBucketPolicyOp<'a> {
    bucket: &'a str,
    policy: &'a BucketPolicy,
}

impl<'a> PutBucketPolicyOp<'a> {
    /// Sets `policy` on `bucket`.
    pub fn new(bucket: &'a str, policy: &'a BucketPolicy) -> Self {
        Self { bucket, policy }
    }
}

impl Spec for PutBucketPolicyOp<'_> {
    type Output = ();
    fn spec(&self) -> Result<RequestSpec<'_>> {
        Ok(RequestSpec::new("PUT", Target::Bucket(self.bucket))
            .query("policy", "")
            .header("content-type", "application/json")
            .body(self.policy.to_json()?)
            .checksum_sha256())
    }
    fn parse(&self, _: Response) -> Result<()> {
        Ok(())
    }
}

operation!(PutBucketPolicyOp<'_> => ());

#[cfg(feature = "client")]
impl Client {
    /// [GetBucketPolicy](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketPolicy.html).
    ///
    /// # Errors
    /// `NoSuchBucketPolicy` ([`Error::is_not_found`]) when there is none; a policy that does
    /// not parse; transport errors.
    pub async fn get_bucket_policy(&self, bucket: &str) -> Result<BucketPolicy> {
        self.run(&GetBucketPolicyOp::new(bucket)).await
    }

    /// GetBucketPolicy, the JSON text as stored.
    ///
    /// # Errors
    /// As [`get_bucket_policy`](Self::get_bucket_policy).
    pub async fn get_bucket_policy_json(&self, bucket: &str) -> Result<String> {
        let op = GetBucketPolicyOp::new(bucket);
        policy_text(self.execute(op.spec()?).await?)
    }

    /// [PutBucketPolicy](https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html).
    ///
    /// # Errors
    /// `MalformedPolicy`, `AccessDenied` (a public access block), transport errors.
    pub async fn put_bucket_policy(&self, bucket: &str, policy: &BucketPolicy) -> Result<()> {
        self.run(&PutBucketPolicyOp::new(bucket, policy)).await
    }

    /// [DeleteBucketPolicy](https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketPolicy.html).
    ///
    /// # Errors
    /// Server or transport errors.
    pub async fn delete_bucket_policy(&self, bucket: &str) -> Result<()> {
        self.run(&DeleteBucketPolicyOp::new(bucket)).await
    }
}
