//! Bucket event notifications: Lambda, SQS and SNS targets with key filters.

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
                    filter: FilterRules::new(),
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
///     .filter(FilterRules::new().prefix("uploads/").suffix(".mp4")),
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
    let mut out = FilterRules::new();
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

bucket_op!(
    /// [GetBucketNotificationConfiguration](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketNotificationConfiguration.html)
    /// as an [`Operation`](super::Operation).
    GetBucketNotificationConfigurationOp, "GET", "notification", NotificationConfiguration, |r| {
        let x: NotificationXml = from_xml(
            &r.body,
            "could not parse the GetBucketNotificationConfiguration answer",
        )?;
        Ok(NotificationConfiguration::from_xml_doc(x))
    }
);

/// [PutBucketNotificationConfiguration](https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketNotificationConfiguration.html)
/// as an [`Operation`](super::Operation).
#[derive(Debug, Clone, Copy)]
pub struct PutBucketNotificationConfigurationOp<'a> {
    bucket: &'a str,
    config: &'a NotificationConfiguration,
}

impl<'a> PutBucketNotificationConfigurationOp<'a> {
    /// Replaces `bucket`'s notification configuration with `config`.
    pub fn new(bucket: &'a str, config: &'a NotificationConfiguration) -> Self {
        Self { bucket, config }
    }
}

impl Spec for PutBucketNotificationConfigurationOp<'_> {
    type Output = ();
    fn spec(&self) -> Result<RequestSpec<'_>> {
        Ok(RequestSpec::new("PUT", Target::Bucket(self.bucket))
            .query("notification", "")
            .header("content-type", "application/xml")
            .body(self.config.to_xml_doc()?))
    }
    fn parse(&self, _: Response) -> Result<()> {
        Ok(())
    }
}

operation!(PutBucketNotificationConfigurationOp<'_> => ());

#[cfg(feature = "client")]
impl Client {
    /// [GetBucketNotificationConfiguration](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketNotificationConfiguration.html).
    ///
    /// # Errors
    /// Server or transport errors.
    pub async fn get_bucket_notification_configuration(
        &self,
        bucket: &str,
    ) -> Result<NotificationConfiguration> {
        self.run(&GetBucketNotificationConfigurationOp::new(bucket))
            .await
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
        self.run(&PutBucketNotificationConfigurationOp::new(bucket, config))
            .await
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
                .filter(FilterRules::new().prefix("up/").suffix(".mp4")),
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
}
