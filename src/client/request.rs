//! The pure request layer: an operation's [`RequestSpec`] (method, target, query, headers,
//! body) is addressed once ([`Addressed`]: bucket validated, path and query encoded and
//! sorted once) and signed per attempt into an [`http::Request`]. No I/O here.

use std::borrow::Cow;
use std::string::String;
use std::vec::Vec;

use bytes::Bytes;

use super::error::{Error, Result};
use crate::s3::{Bucket, Endpoint, Scheme};
use crate::sigv4::text::{Set, uri_encode_into};
use crate::sigv4::{Payload, SignableRequest, SigningParams, SigningSettings, sign_headers};
use crate::{AmzDate, Signer};

/// Bodies larger than this are sent with `UNSIGNED-PAYLOAD` over HTTPS (TLS protects
/// them; hashing them would cost a second pass). Over plain HTTP every body is hashed.
const UNSIGNED_PAYLOAD_THRESHOLD: usize = 1 << 20;

/// What a request addresses.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Target<'a> {
    /// The service endpoint itself (ListBuckets).
    Service,
    /// A bucket (bucket-level operations).
    Bucket(&'a str),
    /// An object.
    Object(&'a str, &'a str),
}

/// Whether a request may be sent again after a failure whose effect is unknown.
#[cfg(feature = "client")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Idempotency {
    Idempotent,
    NotIdempotent,
}

/// Whether a `200` answer may carry an `<Error>` document instead of a result. S3 does this
/// only for CopyObject, CompleteMultipartUpload and UploadPartCopy; anywhere else such a
/// body is data (an object may well contain an error document).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EmbeddedError {
    Possible,
    Never,
}

/// How the body takes part in the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodySigning {
    /// The body in the spec: hashed (or `UNSIGNED-PAYLOAD` when large, over HTTPS).
    Buffered,
    /// A body streamed by the sender: `UNSIGNED-PAYLOAD`.
    Streamed,
}

/// One S3 request, before addressing and signing.
pub(crate) struct RequestSpec<'a> {
    pub(crate) method: &'static str,
    target: Target<'a>,
    /// Decoded query parameters; an empty value is sent as a bare name (`?versioning`).
    query: Vec<(&'static str, Cow<'a, str>)>,
    /// Header names in lowercase.
    headers: Vec<(Cow<'static, str>, String)>,
    pub(crate) body: Bytes,
    #[cfg(feature = "client")]
    pub(crate) idempotency: Idempotency,
    pub(crate) embedded_error: EmbeddedError,
}

impl<'a> RequestSpec<'a> {
    pub(crate) fn new(method: &'static str, target: Target<'a>) -> Self {
        Self {
            method,
            target,
            query: Vec::new(),
            headers: Vec::new(),
            body: Bytes::new(),
            #[cfg(feature = "client")]
            idempotency: Idempotency::Idempotent,
            embedded_error: EmbeddedError::Never,
        }
    }

    pub(crate) fn query(mut self, name: &'static str, value: impl Into<Cow<'a, str>>) -> Self {
        self.query.push((name, value.into()));
        self
    }

    pub(crate) fn query_opt(self, name: &'static str, value: Option<&'a str>) -> Self {
        match value {
            Some(v) => self.query(name, v),
            None => self,
        }
    }

    pub(crate) fn header(
        mut self,
        name: impl Into<Cow<'static, str>>,
        value: impl Into<String>,
    ) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub(crate) fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    #[cfg(feature = "client")]
    pub(crate) fn not_idempotent(mut self) -> Self {
        self.idempotency = Idempotency::NotIdempotent;
        self
    }

    pub(crate) fn error_in_success(mut self) -> Self {
        self.embedded_error = EmbeddedError::Possible;
        self
    }

    /// Adds `x-amz-checksum-sha256` (and `x-amz-sdk-checksum-algorithm`) for the body:
    /// S3 requires an integrity header on DeleteObjects and some configuration calls.
    pub(crate) fn checksum_sha256(self) -> Self {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(&self.body);
        let b64 = crate::base64::encode(&digest);
        self.header("x-amz-sdk-checksum-algorithm", "SHA256")
            .header("x-amz-checksum-sha256", b64)
    }
}

/// A request addressed on an endpoint: validated once, signed for every attempt.
#[derive(Debug)]
pub(crate) struct Addressed {
    /// `scheme://authority`.
    origin: String,
    host: String,
    /// The encoded path, as sent and as signed.
    path: String,
    /// The encoded query, sorted by name: the canonical order, so the signer finds it as
    /// it will hash it.
    query: String,
    https: bool,
}

/// S3 keys are 1 to 1024 bytes; `.` and `..` segments would be removed by URL libraries
/// (reqwest's included), which would send a request other than the one signed.
fn check_key(key: &str) -> Result<()> {
    if key.is_empty() || key.len() > 1024 {
        return Err(Error::invalid_input(
            "an object key must be 1 to 1024 bytes long",
        ));
    }
    if key.split('/').any(|seg| seg == "." || seg == "..") {
        return Err(Error::invalid_input(
            "this object key has '.' or '..' path segments, which HTTP stacks rewrite; \
             use a presigned URL with an HTTP client that sends paths verbatim",
        ));
    }
    Ok(())
}

impl Addressed {
    /// Validates the bucket and key and encodes the path and query, once.
    ///
    /// # Errors
    /// An invalid bucket name for the endpoint, an invalid key.
    pub(crate) fn new(endpoint: &Endpoint, spec: &RequestSpec<'_>) -> Result<Self> {
        let (origin, host, mut path) = match spec.target {
            Target::Service => {
                let host = endpoint.authority();
                let mut origin = String::from(endpoint.scheme().as_str());
                origin.push_str("://");
                origin.push_str(&host);
                (origin, host, String::from(endpoint.base_path()))
            }
            Target::Bucket(name) | Target::Object(name, _) => {
                let b = Bucket::new(endpoint, name)?;
                let origin = b
                    .url_prefix()
                    .get(..b.path_start())
                    .ok_or_else(|| Error::invalid_input("unexpected bucket URL shape"))?;
                (
                    String::from(origin),
                    String::from(b.host()),
                    String::from(b.path_prefix()),
                )
            }
        };
        path.push('/');
        if let Target::Object(_, key) = spec.target {
            check_key(key)?;
            uri_encode_into(&mut path, key, Set::Path);
        }
        Ok(Self {
            origin,
            host,
            path,
            query: encode_query(&spec.query),
            https: endpoint.scheme() == Scheme::Https,
        })
    }

    /// The URL the request goes to.
    pub(crate) fn url(&self) -> String {
        let mut url =
            String::with_capacity(self.origin.len() + self.path.len() + self.query.len() + 1);
        url.push_str(&self.origin);
        url.push_str(&self.path);
        if !self.query.is_empty() {
            url.push('?');
            url.push_str(&self.query);
        }
        url
    }

    /// Signs one attempt of `spec` at `now`: the request to send, body included.
    ///
    /// # Errors
    /// The core refused to sign (invalid header, region); a header the `http` crate refuses.
    pub(crate) fn sign(
        &self,
        spec: &RequestSpec<'_>,
        signer: &Signer,
        region: &str,
        now: AmzDate,
        body: BodySigning,
    ) -> Result<http::Request<Bytes>> {
        let mut headers: Vec<(&str, &str)> = Vec::with_capacity(spec.headers.len() + 1);
        headers.push(("host", &self.host));
        headers.extend(spec.headers.iter().map(|h| (h.0.as_ref(), h.1.as_str())));
        let unsigned = body == BodySigning::Streamed
            || (self.https && spec.body.len() > UNSIGNED_PAYLOAD_THRESHOLD);
        let payload = match unsigned {
            true => Payload::Unsigned,
            false => Payload::Bytes(&spec.body),
        };
        let req = SignableRequest::new(spec.method, &self.path, &self.query, &headers, payload);
        let params =
            SigningParams::new(signer, region, "s3", now).with_settings(SigningSettings::s3());
        let signed = sign_headers(&req, &params)?;

        let mut out = http::Request::new(spec.body.clone());
        *out.method_mut() = http::Method::from_bytes(spec.method.as_bytes())
            .map_err(|_| Error::invalid_input("invalid HTTP method"))?;
        *out.uri_mut() = http::Uri::try_from(self.url())
            .map_err(|_| Error::invalid_input("the request URL is not a valid URI"))?;
        for (name, value) in &headers {
            append_header(out.headers_mut(), name, value)?;
        }
        for (name, value) in signed.headers() {
            append_header(out.headers_mut(), name, value)?;
        }
        Ok(out)
    }
}

/// Adds a header; the credentials-bearing ones are marked sensitive (never logged).
fn append_header(map: &mut http::HeaderMap, name: &str, value: &str) -> Result<()> {
    let name = http::HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| Error::invalid_input("invalid header name"))?;
    let mut value = http::HeaderValue::from_str(value)
        .map_err(|_| Error::invalid_input("invalid header value"))?;
    if name == http::header::AUTHORIZATION || name == "x-amz-security-token" {
        value.set_sensitive(true);
    }
    map.append(name, value);
    Ok(())
}

/// The query string, built once: names sorted (they are fixed ASCII names, so this is
/// the canonical order), names and values encoded with the SigV4 set.
fn encode_query(params: &[(&'static str, Cow<'_, str>)]) -> String {
    let mut sorted: Vec<&(&'static str, Cow<'_, str>)> = params.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0).then_with(|| a.1.cmp(&b.1)));
    let mut query = String::new();
    for (name, value) in sorted {
        if !query.is_empty() {
            query.push('&');
        }
        uri_encode_into(&mut query, name, Set::Query);
        if !value.is_empty() {
            query.push('=');
            uri_encode_into(&mut query, value, Set::Query);
        }
    }
    query
}

/// Addresses and signs `spec` for one attempt: the pure request layer in one call.
///
/// # Errors
/// As [`Addressed::new`] and [`Addressed::sign`].
pub(crate) fn prepare(
    endpoint: &Endpoint,
    spec: &RequestSpec<'_>,
    signer: &Signer,
    now: AmzDate,
) -> Result<http::Request<Bytes>> {
    Addressed::new(endpoint, spec)?.sign(
        spec,
        signer,
        endpoint.region(),
        now,
        BodySigning::Buffered,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Credentials;

    #[test]
    fn query_is_sorted_and_encoded_once() {
        let spec = RequestSpec::new("GET", Target::Bucket("b"))
            .query("prefix", "a b/é")
            .query("list-type", "2")
            .query("encoding-type", "url")
            .query("versions", "");
        assert_eq!(
            encode_query(&spec.query),
            "encoding-type=url&list-type=2&prefix=a%20b%2F%C3%A9&versions"
        );
    }

    #[test]
    fn dot_segments_and_empty_keys_are_refused() {
        let endpoint = Endpoint::custom("http://127.0.0.1:9000", "us-east-1").unwrap();
        for key in ["", "a/../b", "./x", "a/.."] {
            let spec = RequestSpec::new("GET", Target::Object("bucket", key));
            assert!(Addressed::new(&endpoint, &spec).is_err(), "{key}");
        }
        let spec = RequestSpec::new("GET", Target::Object("bucket", "a/.../b c"));
        let a = Addressed::new(&endpoint, &spec).unwrap();
        assert_eq!(a.url(), "http://127.0.0.1:9000/bucket/a/.../b%20c");
    }

    #[test]
    fn signed_request_carries_host_and_authorization() {
        let endpoint = Endpoint::custom("http://127.0.0.1:9000", "us-east-1").unwrap();
        let signer = Signer::new(Credentials::new("AKIDEXAMPLE", "secret")).unwrap();
        let now = AmzDate::parse("20250101T000000Z").unwrap();
        let spec = RequestSpec::new("PUT", Target::Object("bucket", "k")).body("data");
        let req = prepare(&endpoint, &spec, &signer, now).unwrap();
        assert_eq!(req.method(), "PUT");
        assert_eq!(req.uri(), "http://127.0.0.1:9000/bucket/k");
        assert_eq!(req.headers()["host"], "127.0.0.1:9000");
        assert!(req.headers()["authorization"].is_sensitive());
        assert_eq!(req.body().as_ref(), b"data");
    }
}
