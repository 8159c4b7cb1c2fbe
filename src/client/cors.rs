//! Bucket CORS: typed rules and Put/Get/DeleteBucketCors.
//!
//! A browser sends a preflight (`OPTIONS`) before a cross-origin `PUT` with custom
//! headers, and S3 answers it only from the bucket's CORS configuration: without a rule
//! for the page's origin, a presigned upload from the browser fails with a CORS error even
//! though its signature is valid. [`CorsRule::browser_upload`] is the rule such a page
//! needs.

use std::string::String;
use std::vec::Vec;

use serde::{Deserialize, Serialize};

#[cfg(feature = "client")]
use super::Client;
use super::error::{Error, Result};
use super::operation::{Spec, bucket_op, operation};
use super::request::{RequestSpec, Target};
use super::response::Response;
use super::xml::{NS, from_xml, to_xml};

/// S3 accepts at most this many rules in one configuration.
pub const MAX_CORS_RULES: usize = 100;

/// An HTTP method a CORS rule allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum CorsMethod {
    /// `GET`
    Get,
    /// `PUT`
    Put,
    /// `POST`
    Post,
    /// `DELETE`
    Delete,
    /// `HEAD`
    Head,
}

impl CorsMethod {
    /// The method's name (`PUT`).
    pub fn as_str(self) -> &'static str {
        match self {
            CorsMethod::Get => "GET",
            CorsMethod::Put => "PUT",
            CorsMethod::Post => "POST",
            CorsMethod::Delete => "DELETE",
            CorsMethod::Head => "HEAD",
        }
    }
}

impl From<CorsMethod> for &'static str {
    fn from(m: CorsMethod) -> Self {
        m.as_str()
    }
}

impl TryFrom<String> for CorsMethod {
    type Error = String;
    fn try_from(s: String) -> core::result::Result<Self, String> {
        [
            CorsMethod::Get,
            CorsMethod::Put,
            CorsMethod::Post,
            CorsMethod::Delete,
            CorsMethod::Head,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
        .ok_or_else(|| {
            let mut e = String::from("not a CORS method (GET, PUT, POST, DELETE, HEAD): ");
            e.extend(s.chars().take(16));
            e
        })
    }
}

/// One CORS rule: which origins may use which methods, with which request headers, and
/// which response headers their scripts may read.
///
/// ```
/// use s3presign::client::{CorsMethod, CorsRule};
/// let rule = CorsRule::new(["https://app.example.com"], [CorsMethod::Get])
///     .allowed_header("range")
///     .expose_header("content-range")
///     .max_age_seconds(600)
///     .id("video-player");
/// assert_eq!(rule.allowed_methods, [CorsMethod::Get]);
/// assert_eq!(rule.max_age_seconds, Some(600));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CorsRule {
    /// The rule's id (up to 255 characters).
    #[serde(rename = "ID", default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Origins (`https://app.example.com`, at most one `*` each).
    #[serde(rename = "AllowedOrigin", default)]
    pub allowed_origins: Vec<String>,
    /// Methods.
    #[serde(rename = "AllowedMethod", default)]
    pub allowed_methods: Vec<CorsMethod>,
    /// Request headers a preflight may ask for (`content-type`, `x-amz-*`).
    #[serde(rename = "AllowedHeader", default)]
    pub allowed_headers: Vec<String>,
    /// Response headers scripts may read (`ETag`).
    #[serde(rename = "ExposeHeader", default)]
    pub expose_headers: Vec<String>,
    /// How long a browser may cache the preflight's answer, in seconds.
    #[serde(
        rename = "MaxAgeSeconds",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub max_age_seconds: Option<u32>,
}

impl CorsRule {
    /// A rule allowing `methods` from `origins`, with no request headers.
    pub fn new<S: Into<String>>(
        origins: impl IntoIterator<Item = S>,
        methods: impl IntoIterator<Item = CorsMethod>,
    ) -> Self {
        Self {
            id: None,
            allowed_origins: origins.into_iter().map(Into::into).collect(),
            allowed_methods: methods.into_iter().collect(),
            allowed_headers: Vec::new(),
            expose_headers: Vec::new(),
            max_age_seconds: None,
        }
    }

    /// The rule a page at `origin` needs to upload with presigned requests and read the
    /// result: `PUT`, `POST`, `GET` and `HEAD`; the `content-type` and `x-amz-*` request
    /// headers (checksums, metadata); `ETag` exposed (a multipart upload reads each part's
    /// ETag); preflights cached for an hour.
    ///
    /// ```
    /// use s3presign::client::{CorsConfiguration, CorsMethod, CorsRule};
    /// let rule = CorsRule::browser_upload("http://127.0.0.1:8080");
    /// assert_eq!(rule.allowed_origins, ["http://127.0.0.1:8080"]);
    /// assert!(rule.allowed_methods.contains(&CorsMethod::Put));
    /// assert_eq!(rule.allowed_headers, ["content-type", "x-amz-*"]);
    /// assert_eq!(rule.expose_headers, ["ETag"]);
    /// let config = CorsConfiguration::new([rule]);
    /// assert_eq!(config.rules.len(), 1);
    /// ```
    pub fn browser_upload(origin: impl Into<String>) -> Self {
        use CorsMethod::{Get, Head, Post, Put};
        Self::new([origin.into()], [Put, Post, Get, Head])
            .id("browser-upload")
            .allowed_header("content-type")
            .allowed_header("x-amz-*")
            .expose_header("ETag")
            .max_age_seconds(3600)
    }

    /// Sets the rule's id.
    #[must_use]
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Adds a request header a preflight may ask for (`*` wildcards allowed).
    #[must_use]
    pub fn allowed_header(mut self, name: impl Into<String>) -> Self {
        self.allowed_headers.push(name.into());
        self
    }

    /// Adds a response header scripts may read.
    #[must_use]
    pub fn expose_header(mut self, name: impl Into<String>) -> Self {
        self.expose_headers.push(name.into());
        self
    }

    /// Sets how long a browser may cache the preflight's answer.
    #[must_use]
    pub fn max_age_seconds(mut self, seconds: u32) -> Self {
        self.max_age_seconds = Some(seconds);
        self
    }

    fn check(&self) -> Result<()> {
        if self.allowed_origins.is_empty() || self.allowed_methods.is_empty() {
            return Err(Error::invalid_input(
                "every CORS rule needs at least one allowed origin and one allowed method",
            ));
        }
        if self.id.as_ref().is_some_and(|id| id.len() > 255) {
            return Err(Error::invalid_input(
                "a CORS rule id must be at most 255 characters long",
            ));
        }
        Ok(())
    }
}

/// A bucket's CORS configuration: S3 answers a cross-origin request from the first rule
/// that matches its origin, method and requested headers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CorsConfiguration {
    #[serde(
        rename = "@xmlns",
        default,
        skip_deserializing,
        skip_serializing_if = "Option::is_none"
    )]
    xmlns: Option<&'static str>,
    /// The rules, in the order S3 tries them.
    #[serde(rename = "CORSRule", default)]
    pub rules: Vec<CorsRule>,
}

impl CorsConfiguration {
    /// A configuration with these rules.
    pub fn new(rules: impl IntoIterator<Item = CorsRule>) -> Self {
        Self {
            xmlns: None,
            rules: rules.into_iter().collect(),
        }
    }

    /// Adds a rule after the existing ones.
    #[must_use]
    pub fn rule(mut self, rule: CorsRule) -> Self {
        self.rules.push(rule);
        self
    }

    /// The request document, after the checks S3 makes.
    fn to_xml_doc(&self) -> Result<String> {
        if self.rules.is_empty() || self.rules.len() > MAX_CORS_RULES {
            return Err(Error::invalid_input(
                "a CORS configuration needs 1 to 100 rules (use DeleteBucketCors to remove all)",
            ));
        }
        self.rules.iter().try_for_each(CorsRule::check)?;
        let doc = Self {
            xmlns: Some(NS),
            rules: self.rules.clone(),
        };
        to_xml("CORSConfiguration", &doc)
    }
}

bucket_op!(
    /// [GetBucketCors](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketCors.html)
    /// as an [`Operation`](super::Operation).
    GetBucketCorsOp, "GET", "cors", CorsConfiguration, |r| {
        from_xml(&r.body, "could not parse the GetBucketCors answer")
    }
);

bucket_op!(
    /// [DeleteBucketCors](https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketCors.html)
    /// as an [`Operation`](super::Operation).
    DeleteBucketCorsOp, "DELETE", "cors", (), |_| Ok(())
);

/// [PutBucketCors](https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketCors.html)
/// as an [`Operation`](super::Operation). The body carries an `x-amz-checksum-sha256`,
/// which S3 requires (it refuses the call without an integrity header).
///
/// ```
/// use s3presign::client::{CorsConfiguration, CorsRule, Operation, PutBucketCorsOp};
/// use s3presign::s3::Endpoint;
/// use s3presign::{AmzDate, Credentials, Signer};
///
/// let endpoint = Endpoint::custom("http://127.0.0.1:9000", "us-east-1")?;
/// let signer = Signer::new(Credentials::new("AKIDEXAMPLE", "secret"))?;
/// let config = CorsConfiguration::new([CorsRule::browser_upload("https://app.example.com")]);
/// let request = PutBucketCorsOp::new("videos", &config)
///     .prepare(&endpoint, &signer, AmzDate::parse("20250101T000000Z")?)?;
/// assert_eq!(request.uri(), "http://127.0.0.1:9000/videos/?cors");
/// assert!(request.headers().contains_key("x-amz-checksum-sha256"));
/// # Ok::<(), s3presign::client::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct PutBucketCorsOp<'a> {
    bucket: &'a str,
    config: &'a CorsConfiguration,
}

impl<'a> PutBucketCorsOp<'a> {
    /// Replaces `bucket`'s CORS configuration with `config`.
    pub fn new(bucket: &'a str, config: &'a CorsConfiguration) -> Self {
        Self { bucket, config }
    }
}

impl Spec for PutBucketCorsOp<'_> {
    type Output = ();
    fn spec(&self) -> Result<RequestSpec<'_>> {
        Ok(RequestSpec::new("PUT", Target::Bucket(self.bucket))
            .query("cors", "")
            .header("content-type", "application/xml")
            .body(self.config.to_xml_doc()?)
            .checksum_sha256())
    }
    fn parse(&self, _: Response) -> Result<()> {
        Ok(())
    }
}

operation!(PutBucketCorsOp<'_> => ());

#[cfg(feature = "client")]
impl Client {
    /// [GetBucketCors](https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketCors.html).
    ///
    /// # Errors
    /// `NoSuchCORSConfiguration` ([`Error::is_not_found`]) when there is none; server or
    /// transport errors.
    pub async fn get_bucket_cors(&self, bucket: &str) -> Result<CorsConfiguration> {
        self.run(&GetBucketCorsOp::new(bucket)).await
    }

    /// [PutBucketCors](https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketCors.html):
    /// replaces the bucket's CORS rules.
    ///
    /// ```no_run
    /// # #[cfg(feature = "client")] mod m {
    /// # use s3presign::client::*;
    /// # async fn run(client: Client) -> Result<(), Error> {
    /// let rule = CorsRule::browser_upload("https://app.example.com");
    /// client.put_bucket_cors("videos-eu", &CorsConfiguration::new([rule])).await?;
    /// # Ok(()) }
    /// # }
    /// ```
    ///
    /// # Errors
    /// A configuration with no rule, over 100 rules, or a rule without an origin or method
    /// ([`ErrorKind::InvalidInput`](super::ErrorKind::InvalidInput), nothing sent);
    /// server or transport errors.
    pub async fn put_bucket_cors(&self, bucket: &str, config: &CorsConfiguration) -> Result<()> {
        self.run(&PutBucketCorsOp::new(bucket, config)).await
    }

    /// [DeleteBucketCors](https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketCors.html):
    /// removes every rule (browsers are then refused).
    ///
    /// # Errors
    /// Server or transport errors.
    pub async fn delete_bucket_cors(&self, bucket: &str) -> Result<()> {
        self.run(&DeleteBucketCorsOp::new(bucket)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;
    use std::vec;

    #[test]
    fn document_has_s3_element_names_and_round_trips() {
        let config = CorsConfiguration::new([
            CorsRule::browser_upload("http://127.0.0.1:8080"),
            CorsRule::new(["*"], [CorsMethod::Get]),
        ]);
        let doc = config.to_xml_doc().unwrap();
        assert!(doc.starts_with(
            "<CORSConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><CORSRule>\
             <ID>browser-upload</ID><AllowedOrigin>http://127.0.0.1:8080</AllowedOrigin>\
             <AllowedMethod>PUT</AllowedMethod><AllowedMethod>POST</AllowedMethod>"
        ));
        assert!(doc.contains(
            "<AllowedHeader>content-type</AllowedHeader><AllowedHeader>x-amz-*</AllowedHeader>\
             <ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3600</MaxAgeSeconds></CORSRule>"
        ));
        let back: CorsConfiguration = from_xml(doc.as_bytes(), "cors").unwrap();
        assert_eq!(back, config);
    }

    #[test]
    fn parses_an_s3_answer_with_one_of_each() {
        let body = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
            <CORSConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
            <CORSRule><AllowedMethod>GET</AllowedMethod><AllowedOrigin>*</AllowedOrigin>\
            </CORSRule></CORSConfiguration>";
        let c: CorsConfiguration = from_xml(body, "cors").unwrap();
        assert_eq!(c.rules, [CorsRule::new(["*"], [CorsMethod::Get])]);
    }

    #[test]
    fn invalid_configurations_are_refused_before_sending() {
        let empty = CorsConfiguration::default();
        assert!(PutBucketCorsOp::new("b", &empty).spec().is_err());
        let no_origin =
            CorsConfiguration::new([CorsRule::new(Vec::<String>::new(), [CorsMethod::Get])]);
        let err = PutBucketCorsOp::new("b", &no_origin).spec().err().unwrap();
        assert!(err.to_string().contains("allowed origin"), "{err}");
        let too_many = CorsConfiguration::new(vec![CorsRule::new(["*"], [CorsMethod::Get]); 101]);
        assert!(PutBucketCorsOp::new("b", &too_many).spec().is_err());
    }
}
