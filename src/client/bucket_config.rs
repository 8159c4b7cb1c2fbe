//! Bucket configuration: public access block, versioning, event notifications.

use std::string::String;
use std::vec::Vec;

use serde::{Deserialize, Serialize};

use super::xml::{NS, from_xml, to_xml};
#[cfg(feature = "client")]
use super::Client;
use super::error::Result;
#[cfg(feature = "client")]
use super::request::{RequestSpec, Target};

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

// ---------------------------------------------------------------------------------------
// Notifications

/// An S3 event type for notifications.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
#[non_exhaustive]
pub enum Event {
    /// `s3:ObjectCreated:*`
    ObjectCreatedAll,
    /// `s3:ObjectCreated:Put`
    ObjectCreatedPut,
    /// `s3:ObjectCreated:Post`
    ObjectCreatedPost,
    /// `s3:ObjectCreated:Copy`
    ObjectCreatedCopy,
    /// `s3:ObjectCreated:CompleteMultipartUpload`
    ObjectCreatedCompleteMultipartUpload,
    /// `s3:ObjectRemoved:*`
    ObjectRemovedAll,
    /// `s3:ObjectRemoved:Delete`
    ObjectRemovedDelete,
    /// `s3:ObjectRemoved:DeleteMarkerCreated`
    ObjectRemovedDeleteMarkerCreated,
    /// Any other event name, as written.
    Other(String),
}

const EVENT_NAMES: &[(&str, Event)] = &[
    ("s3:ObjectCreated:*", Event::ObjectCreatedAll),
    ("s3:ObjectCreated:Put", Event::ObjectCreatedPut),
    ("s3:ObjectCreated:Post", Event::ObjectCreatedPost),
    ("s3:ObjectCreated:Copy", Event::ObjectCreatedCopy),
    (
        "s3:ObjectCreated:CompleteMultipartUpload",
        Event::ObjectCreatedCompleteMultipartUpload,
    ),
    ("s3:ObjectRemoved:*", Event::ObjectRemovedAll),
    ("s3:ObjectRemoved:Delete", Event::ObjectRemovedDelete),
    (
        "s3:ObjectRemoved:DeleteMarkerCreated",
        Event::ObjectRemovedDeleteMarkerCreated,
    ),
];

impl Event {
    /// The event name (`s3:ObjectCreated:*`).
    pub fn as_str(&self) -> &str {
        if let Event::Other(s) = self {
            return s;
        }
        EVENT_NAMES
            .iter()
            .find(|(_, e)| e == self)
            .map_or("", |(n, _)| n)
    }
}

impl From<String> for Event {
    fn from(s: String) -> Self {
        EVENT_NAMES
            .iter()
            .find(|(n, _)| *n == s)
            .map_or(Event::Other(s), |(_, e)| e.clone())
    }
}

impl From<Event> for String {
    fn from(e: Event) -> Self {
        String::from(e.as_str())
    }
}

/// Key name filters of a notification.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct FilterRules {
    /// Only keys starting with this.
    pub prefix: Option<String>,
    /// Only keys ending with this.
    pub suffix: Option<String>,
}

impl FilterRules {
    /// No filter (every key); narrow it with [`prefix`](Self::prefix) and
    /// [`suffix`](Self::suffix).
    pub fn new() -> Self {
        Self::default()
    }
    /// Keys starting with `prefix`.
    #[must_use]
    pub fn prefix(mut self, p: impl Into<String>) -> Self {
        self.prefix = Some(p.into());
        self
    }
    /// Keys ending with `suffix`.
    #[must_use]
    pub fn suffix(mut self, s: impl Into<String>) -> Self {
        self.suffix = Some(s.into());
        self
    }
}

/// Invoke a Lambda function on events.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LambdaFunctionConfiguration {
    /// Configuration id (the server makes one up if absent).
    pub id: Option<String>,
    /// The function ARN.
    pub lambda_function_arn: String,
    /// Events that trigger it.
    pub events: Vec<Event>,
    /// Key filters.
    pub filter: FilterRules,
}

/// Send events to an SQS queue.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct QueueConfiguration {
    /// Configuration id.
    pub id: Option<String>,
    /// The queue ARN.
    pub queue_arn: String,
    /// Events.
    pub events: Vec<Event>,
    /// Key filters.
    pub filter: FilterRules,
}

/// Publish events to an SNS topic.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TopicConfiguration {
    /// Configuration id.
    pub id: Option<String>,
    /// The topic ARN.
    pub topic_arn: String,
    /// Events.
    pub events: Vec<Event>,
    /// Key filters.
    pub filter: FilterRules,
}

macro_rules! target_ctor {
    ($ty:ident, $field:ident, $doc:literal) => {
        impl $ty {
            #[doc = $doc]
            pub fn new(arn: impl Into<String>, events: impl IntoIterator<Item = Event>) -> Self {
                Self {
                    id: None,
                    $field: arn.into(),
                    events: events.into_iter().collect(),
                    filter: FilterRules::default(),
                }
            }
            /// Sets the configuration id.
            #[must_use]
            pub fn id(mut self, id: impl Into<String>) -> Self {
                self.id = Some(id.into());
                self
            }
            /// Sets the key filters.
            #[must_use]
            pub fn filter(mut self, filter: FilterRules) -> Self {
                self.filter = filter;
                self
            }
        }
    };
}
target_ctor!(
    LambdaFunctionConfiguration,
    lambda_function_arn,
    "A Lambda target for these events."
);
target_ctor!(
    QueueConfiguration,
    queue_arn,
    "An SQS target for these events."
);
target_ctor!(
    TopicConfiguration,
    topic_arn,
    "An SNS target for these events."
);

/// A bucket's event notification configuration. An empty one turns notifications off.
///
/// ```
/// use s3presign::client::{Event, FilterRules, LambdaFunctionConfiguration, NotificationConfiguration};
/// let config = NotificationConfiguration::default().lambda(
///     LambdaFunctionConfiguration::new(
///         "arn:aws:lambda:us-east-1:123456789012:function:transcode",
///         [Event::ObjectCreatedAll],
///     )
///     .id("transcode-uploads")
///     .filter(FilterRules::default().prefix("uploads/").suffix(".mp4")),
/// );
/// assert_eq!(config.lambda_function_configurations.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct NotificationConfiguration {
    /// Lambda targets.
    pub lambda_function_configurations: Vec<LambdaFunctionConfiguration>,
    /// SQS targets.
    pub queue_configurations: Vec<QueueConfiguration>,
    /// SNS targets.
    pub topic_configurations: Vec<TopicConfiguration>,
}

impl NotificationConfiguration {
    /// Adds a Lambda target.
    #[must_use]
    pub fn lambda(mut self, c: LambdaFunctionConfiguration) -> Self {
        self.lambda_function_configurations.push(c);
        self
    }
    /// Adds an SQS target.
    #[must_use]
    pub fn queue(mut self, c: QueueConfiguration) -> Self {
        self.queue_configurations.push(c);
        self
    }
    /// Adds an SNS target.
    #[must_use]
    pub fn topic(mut self, c: TopicConfiguration) -> Self {
        self.topic_configurations.push(c);
        self
    }
}

#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct NotificationXml {
    #[serde(
        rename = "@xmlns",
        skip_deserializing,
        skip_serializing_if = "Option::is_none"
    )]
    xmlns: Option<&'static str>,
    #[serde(rename = "TopicConfiguration")]
    topics: Vec<TargetXml>,
    #[serde(rename = "QueueConfiguration")]
    queues: Vec<TargetXml>,
    #[serde(rename = "CloudFunctionConfiguration")]
    lambdas: Vec<TargetXml>,
}

/// One target element; the ARN element's name depends on the kind.
#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct TargetXml {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    topic: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    queue: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cloud_function: Option<String>,
    event: Vec<Event>,
    #[serde(skip_serializing_if = "Option::is_none")]
    filter: Option<FilterXml>,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct FilterXml {
    #[serde(rename = "S3Key")]
    s3_key: S3KeyXml,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct S3KeyXml {
    filter_rule: Vec<FilterRuleXml>,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct FilterRuleXml {
    name: String,
    value: String,
}

fn filter_to_xml(f: &FilterRules) -> Option<FilterXml> {
    let mut rules = Vec::new();
    if let Some(p) = &f.prefix {
        rules.push(FilterRuleXml {
            name: String::from("prefix"),
            value: p.clone(),
        });
    }
    if let Some(s) = &f.suffix {
        rules.push(FilterRuleXml {
            name: String::from("suffix"),
            value: s.clone(),
        });
    }
    (!rules.is_empty()).then_some(FilterXml {
        s3_key: S3KeyXml { filter_rule: rules },
    })
}

fn filter_from_xml(f: Option<FilterXml>) -> FilterRules {
    let mut out = FilterRules::default();
    for r in f.map(|f| f.s3_key.filter_rule).unwrap_or_default() {
        if r.name.eq_ignore_ascii_case("prefix") {
            out.prefix = Some(r.value);
        } else if r.name.eq_ignore_ascii_case("suffix") {
            out.suffix = Some(r.value);
        }
    }
    out
}

impl NotificationConfiguration {
    fn to_xml_doc(&self) -> Result<String> {
        let target = |id: &Option<String>, events: &[Event], filter: &FilterRules| TargetXml {
            id: id.clone(),
            event: events.to_vec(),
            filter: filter_to_xml(filter),
            ..TargetXml::default()
        };
        let doc = NotificationXml {
            xmlns: Some(NS),
            topics: self
                .topic_configurations
                .iter()
                .map(|c| TargetXml {
                    topic: Some(c.topic_arn.clone()),
                    ..target(&c.id, &c.events, &c.filter)
                })
                .collect(),
            queues: self
                .queue_configurations
                .iter()
                .map(|c| TargetXml {
                    queue: Some(c.queue_arn.clone()),
                    ..target(&c.id, &c.events, &c.filter)
                })
                .collect(),
            lambdas: self
                .lambda_function_configurations
                .iter()
                .map(|c| TargetXml {
                    cloud_function: Some(c.lambda_function_arn.clone()),
                    ..target(&c.id, &c.events, &c.filter)
                })
                .collect(),
        };
        to_xml("NotificationConfiguration", &doc)
    }

    fn from_xml_doc(x: NotificationXml) -> Self {
        Self {
            topic_configurations: x
                .topics
                .into_iter()
                .map(|t| TopicConfiguration {
                    id: t.id,
                    topic_arn: t.topic.unwrap_or_default(),
                    events: t.event,
                    filter: filter_from_xml(t.filter),
                })
                .collect(),
            queue_configurations: x
                .queues
                .into_iter()
                .map(|t| QueueConfiguration {
                    id: t.id,
                    queue_arn: t.queue.unwrap_or_default(),
                    events: t.event,
                    filter: filter_from_xml(t.filter),
                })
                .collect(),
            lambda_function_configurations: x
                .lambdas
                .into_iter()
                .map(|t| LambdaFunctionConfiguration {
                    id: t.id,
                    lambda_function_arn: t.cloud_function.unwrap_or_default(),
                    events: t.event,
                    filter: filter_from_xml(t.filter),
                })
                .collect(),
        }
    }
}

#[cfg(feature = "client")]
impl Client {
    /// [GetPublicAccessBlock](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetPublicAccessBlock.html).
    ///
    /// # Errors
    /// `NoSuchPublicAccessBlockConfiguration` ([`Error::is_not_found`](super::Error::is_not_found))
    /// when none is set; transport errors.
    pub async fn get_public_access_block(
        &self,
        bucket: &str,
    ) -> Result<PublicAccessBlockConfiguration> {
        let resp = self
            .execute(RequestSpec::new("GET", Target::Bucket(bucket)).query("publicAccessBlock", ""))
            .await?;
        from_xml(
            &resp.body,
            "could not parse the GetPublicAccessBlock answer",
        )
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
        let doc = to_xml(
            "PublicAccessBlockConfiguration",
            &PabXml { xmlns: NS, config },
        )?;
        let op = RequestSpec::new("PUT", Target::Bucket(bucket))
            .query("publicAccessBlock", "")
            .header("content-type", "application/xml")
            .body(doc)
            .checksum_sha256();
        self.execute(op).await?;
        Ok(())
    }

    /// [DeletePublicAccessBlock](https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeletePublicAccessBlock.html).
    ///
    /// # Errors
    /// Server or transport errors.
    pub async fn delete_public_access_block(&self, bucket: &str) -> Result<()> {
        self.execute(RequestSpec::new("DELETE", Target::Bucket(bucket)).query("publicAccessBlock", ""))
            .await?;
        Ok(())
    }

    /// [GetBucketVersioning](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketVersioning.html).
    ///
    /// # Errors
    /// Server or transport errors; an unknown status.
    pub async fn get_bucket_versioning(&self, bucket: &str) -> Result<VersioningStatus> {
        let resp = self
            .execute(RequestSpec::new("GET", Target::Bucket(bucket)).query("versioning", ""))
            .await?;
        let x: VersioningXml =
            from_xml(&resp.body, "could not parse the GetBucketVersioning answer")?;
        match x.status.as_deref() {
            None | Some("") => Ok(VersioningStatus::Unversioned),
            Some("Enabled") => Ok(VersioningStatus::Enabled),
            Some("Suspended") => Ok(VersioningStatus::Suspended),
            Some(_) => Err(super::Error::decode("unknown versioning status", None)),
        }
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
        let s = match status {
            VersioningStatus::Enabled => "Enabled",
            VersioningStatus::Suspended => "Suspended",
            VersioningStatus::Unversioned => {
                return Err(super::Error::invalid_input(
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
        let op = RequestSpec::new("PUT", Target::Bucket(bucket))
            .query("versioning", "")
            .header("content-type", "application/xml")
            .body(doc)
            .checksum_sha256();
        self.execute(op).await?;
        Ok(())
    }

    /// [GetBucketNotificationConfiguration](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketNotificationConfiguration.html).
    ///
    /// # Errors
    /// Server or transport errors.
    pub async fn get_bucket_notification_configuration(
        &self,
        bucket: &str,
    ) -> Result<NotificationConfiguration> {
        let resp = self
            .execute(RequestSpec::new("GET", Target::Bucket(bucket)).query("notification", ""))
            .await?;
        let x: NotificationXml = from_xml(
            &resp.body,
            "could not parse the GetBucketNotificationConfiguration answer",
        )?;
        Ok(NotificationConfiguration::from_xml_doc(x))
    }

    /// [PutBucketNotificationConfiguration](https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketNotificationConfiguration.html).
    /// AWS checks that it may invoke the targets (`InvalidArgument` otherwise).
    ///
    /// # Errors
    /// Server or transport errors.
    pub async fn put_bucket_notification_configuration(
        &self,
        bucket: &str,
        config: &NotificationConfiguration,
    ) -> Result<()> {
        let op = RequestSpec::new("PUT", Target::Bucket(bucket))
            .query("notification", "")
            .header("content-type", "application/xml")
            .body(config.to_xml_doc()?);
        self.execute(op).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notification_round_trip() {
        let c = NotificationConfiguration::default()
            .lambda(
                LambdaFunctionConfiguration::new(
                    "arn:aws:lambda:us-east-1:1:function:f",
                    [Event::ObjectCreatedAll],
                )
                .id("l1")
                .filter(FilterRules::default().prefix("up/").suffix(".mp4")),
            )
            .queue(QueueConfiguration::new(
                "arn:aws:sqs:us-east-1:1:q",
                [Event::ObjectRemovedAll],
            ))
            .topic(TopicConfiguration::new(
                "arn:aws:sns:us-east-1:1:t",
                [
                    Event::ObjectCreatedPut,
                    Event::Other("s3:Replication:*".into()),
                ],
            ));
        let doc = c.to_xml_doc().unwrap();
        assert!(doc.contains("<CloudFunctionConfiguration><Id>l1</Id><CloudFunction>arn:aws:lambda:us-east-1:1:function:f</CloudFunction><Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>prefix</Name><Value>up/</Value></FilterRule><FilterRule><Name>suffix</Name><Value>.mp4</Value></FilterRule></S3Key></Filter></CloudFunctionConfiguration>"), "{doc}");
        let back: NotificationXml = from_xml(doc.as_bytes(), "x").unwrap();
        assert_eq!(NotificationConfiguration::from_xml_doc(back), c);
    }

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
