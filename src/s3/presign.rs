//! [`Presign`]: the builder that turns (bucket, method, key, options) into a presigned URL.
//!
//! This is the fast path. It writes the URL once and hashes the canonical request straight
//! out of it, so what is signed is byte for byte what is sent, and a plain GET costs one
//! allocation (the returned URL) or none with [`Presign::sign_into`].

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;

use sha2::{Digest, Sha256};

use super::bucket::{Bucket, validate_key};
use super::disposition::ContentDisposition;
use super::presigned::PresignedRequest;
use crate::encoding::{self, PATH, QUERY, cmp_encoded};
use crate::error::{Error, Result, clip};
use crate::expiry::Expiry;
use crate::sigv4::{
    ALGORITHM, Scope, Signer, StringToSign, UNSIGNED_PAYLOAD, canonical_header_value,
    is_reserved_query_name, push_u64, validate_header_name, validate_method,
    write_canonical_request,
};
use crate::time::AmzDate;

/// Whether a presigned PUT's `Content-Type` is covered by the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ContentTypeMode {
    /// Signed: the uploader must send exactly this `Content-Type` (botocore and
    /// aws-sdk-rust do this).
    #[default]
    Signed,
    /// Not signed: the uploader may send any `Content-Type` (the AWS SDK for JavaScript v3
    /// does this). It is still listed in the headers to send.
    Unsigned,
}

/// Default expiry when none is set: one hour, like `aws s3 presign`.
pub const DEFAULT_EXPIRY_SECS: u64 = 3600;

/// A presigned request being described. Options are checked once, when it is signed, so a
/// chain needs a single `?`.
///
/// ```
/// use s3presign::{AmzDate, Credentials, Signer, s3::{Bucket, Endpoint}};
/// let signer = Signer::new(Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"))?;
/// let bucket = Bucket::new(&Endpoint::aws("us-east-1")?, "examplebucket")?;
/// let put = bucket
///     .put_object("uploads/user-uploads/cat video.mp4")
///     .content_type("video/mp4")
///     .expires_in(60)
///     .sign(&signer, AmzDate::parse("20130524T000000Z")?)?;
/// assert_eq!(put.method(), "PUT");
/// assert!(put.url().starts_with("https://examplebucket.s3.us-east-1.amazonaws.com/uploads/user-uploads/cat%20video.mp4?"));
/// assert_eq!(put.headers().collect::<Vec<_>>(), [("content-type", "video/mp4")]);
/// # Ok::<(), s3presign::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "a Presign does nothing until it is signed"]
pub struct Presign<'a> {
    bucket: &'a Bucket,
    method: &'a str,
    key: &'a str,
    expires_in: u64,
    /// Sorted by encoded name, then encoded value (the canonical order).
    query: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// Signed headers: lowercase names, canonical values, sorted by name, no `host`.
    headers: Vec<(String, String)>,
    content_type: Option<String>,
    content_type_mode: ContentTypeMode,
    error: Option<Error>,
}

impl<'a> Presign<'a> {
    pub(crate) fn new(bucket: &'a Bucket, method: &'a str, key: &'a str) -> Self {
        Self {
            bucket,
            method,
            key,
            expires_in: DEFAULT_EXPIRY_SECS,
            query: Vec::new(),
            headers: Vec::new(),
            content_type: None,
            content_type_mode: ContentTypeMode::Signed,
            error: None,
        }
    }

    pub(crate) fn fail(mut self, e: Error) -> Self {
        self.error.get_or_insert(e);
        self
    }

    /// Seconds until the URL expires: 1..=604800 (or the endpoint's maximum). Default 3600.
    pub fn expires_in(mut self, secs: u64) -> Self {
        self.expires_in = secs;
        self
    }

    /// Adds an operation query parameter (decoded name and value; they are encoded for you).
    /// `X-Amz-*` signing parameters are rejected.
    pub fn query(self, name: &'a str, value: &'a str) -> Self {
        self.query_cow(Cow::Borrowed(name), Cow::Borrowed(value))
    }

    pub(crate) fn query_owned(self, name: &'a str, value: String) -> Self {
        self.query_cow(Cow::Borrowed(name), Cow::Owned(value))
    }

    fn query_cow(mut self, name: Cow<'a, str>, value: Cow<'a, str>) -> Self {
        if name.is_empty() || is_reserved_query_name(&name) {
            return self.fail(Error::InvalidQueryParameter {
                name: clip(&name),
                reason: "the name is empty or is an X-Amz-* signing parameter set by the signer",
            });
        }
        let pos = self.query.partition_point(|(n, v)| {
            cmp_encoded(n.as_bytes(), name.as_bytes(), QUERY)
                .then_with(|| cmp_encoded(v.as_bytes(), value.as_bytes(), QUERY))
                != Ordering::Greater
        });
        self.query.insert(pos, (name, value));
        self
    }

    /// Addresses a specific version of the object (`versionId`).
    pub fn version_id(self, version_id: &'a str) -> Self {
        self.query("versionId", version_id)
    }

    /// Adds a header the holder must send exactly as given; it is signed. Names are
    /// case-insensitive; `host`, `authorization` and `x-amz-date` are rejected. Use for
    /// `x-amz-meta-*`, `x-amz-acl`, `x-amz-server-side-encryption*`, `x-amz-checksum-*`,
    /// `content-md5`, `cache-control`, ...
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let Err(e) = validate_header_name(name) {
            return self.fail(e);
        }
        let lower = name.to_ascii_lowercase();
        if matches!(
            lower.as_str(),
            "host" | "authorization" | "x-amz-date" | "x-amz-security-token" | "x-amz-content-sha256"
        ) {
            return self.fail(Error::InvalidHeaderName {
                name: clip(name),
                reason: "this header is set by the signer or the HTTP client",
            });
        }
        if lower == "content-type" {
            return self.content_type(value);
        }
        let mut canonical = String::with_capacity(value.len());
        if let Err(e) = canonical_header_value(&mut canonical, &lower, value) {
            return self.fail(e);
        }
        match self.headers.binary_search_by(|(n, _)| n.as_str().cmp(&lower)) {
            // A repeated header is one header whose values are joined by ',' (SigV4 rule).
            Ok(i) => {
                self.headers[i].1.push(',');
                self.headers[i].1.push_str(&canonical);
            }
            Err(i) => self.headers.insert(i, (lower, canonical)),
        }
        self
    }

    /// The `Content-Type` of an upload. Signed by default; see [`Self::content_type_mode`].
    pub fn content_type(mut self, content_type: &str) -> Self {
        let mut canonical = String::with_capacity(content_type.len());
        if let Err(e) = canonical_header_value(&mut canonical, "content-type", content_type) {
            return self.fail(e);
        }
        self.content_type = Some(canonical);
        self
    }

    /// Whether the content type is signed (default) or only recommended.
    pub fn content_type_mode(mut self, mode: ContentTypeMode) -> Self {
        self.content_type_mode = mode;
        self
    }

    fn response_override(self, name: &'static str, value: &'a str) -> Self {
        if !self.method.eq_ignore_ascii_case("GET") && !self.method.eq_ignore_ascii_case("HEAD") {
            return self.fail(Error::InvalidQueryParameter {
                name: String::from(name),
                reason: "response-* overrides only apply to GET and HEAD",
            });
        }
        self.query(name, value)
    }

    /// Overrides the `Content-Type` of the response (`response-content-type`).
    pub fn response_content_type(self, v: &'a str) -> Self {
        self.response_override("response-content-type", v)
    }

    /// Overrides the `Content-Disposition` of the response (`response-content-disposition`),
    /// for example to make the browser save the file under another name; build the value
    /// with [`ContentDisposition`] for non-ASCII file names.
    pub fn response_content_disposition(self, v: &'a str) -> Self {
        self.response_override("response-content-disposition", v)
    }

    /// As [`Self::response_content_disposition`] with a typed value.
    pub fn response_content_disposition_typed(self, v: &ContentDisposition) -> Self {
        let value = v.to_header_value();
        if !self.method.eq_ignore_ascii_case("GET") && !self.method.eq_ignore_ascii_case("HEAD") {
            return self.response_override("response-content-disposition", "");
        }
        self.query_cow(Cow::Borrowed("response-content-disposition"), Cow::Owned(value))
    }

    /// Overrides `Cache-Control` (`response-cache-control`).
    pub fn response_cache_control(self, v: &'a str) -> Self {
        self.response_override("response-cache-control", v)
    }

    /// Overrides `Content-Encoding` (`response-content-encoding`).
    pub fn response_content_encoding(self, v: &'a str) -> Self {
        self.response_override("response-content-encoding", v)
    }

    /// Overrides `Content-Language` (`response-content-language`).
    pub fn response_content_language(self, v: &'a str) -> Self {
        self.response_override("response-content-language", v)
    }

    /// Overrides `Expires` (`response-expires`), an HTTP date.
    pub fn response_expires(self, v: &'a str) -> Self {
        self.response_override("response-expires", v)
    }

    /// Signs and returns the method, URL and headers to send.
    ///
    /// # Errors
    /// The first invalid option given to the builder, an invalid key (empty, over 1024
    /// bytes) or method, or an expiry outside 1..=max.
    pub fn sign(&self, signer: &Signer, now: AmzDate) -> Result<PresignedRequest> {
        let mut url = String::new();
        let expires_at = self.sign_into(signer, now, &mut url)?;
        let mut headers = Vec::new();
        if !self.headers.is_empty() || self.content_type.is_some() {
            headers.reserve(self.headers.len() + 1);
            headers.extend(
                self.signed_headers_without_host()
                    .map(|(n, v)| (String::from(n), String::from(v))),
            );
            if let (Some(ct), ContentTypeMode::Unsigned) = (&self.content_type, self.content_type_mode) {
                let at = headers.partition_point(|(n, _)| n.as_str() < "content-type");
                headers.insert(at, (String::from("content-type"), ct.clone()));
            }
        }
        Ok(PresignedRequest::new(
            method_cow(self.method),
            url,
            headers,
            expires_at,
        ))
    }

    /// Signs and returns only the URL (one allocation for a plain GET).
    ///
    /// # Errors
    /// As [`Self::sign`].
    pub fn sign_url(&self, signer: &Signer, now: AmzDate) -> Result<String> {
        let mut url = String::new();
        self.sign_into(signer, now, &mut url)?;
        Ok(url)
    }

    /// Appends the presigned URL to `out` and returns when it expires. Allocates nothing when
    /// `out` has room (reuse one buffer for many URLs). On error `out` is left as it was.
    ///
    /// # Errors
    /// As [`Self::sign`].
    pub fn sign_into(&self, signer: &Signer, now: AmzDate, out: &mut String) -> Result<AmzDate> {
        let start = out.len();
        let result = self.write_url(signer, now, out);
        if result.is_err() {
            out.truncate(start);
        }
        result
    }

    /// The canonical request this presign signs, as text (for debugging a
    /// `SignatureDoesNotMatch`: compare with the server's `CanonicalRequest`).
    ///
    /// # Errors
    /// As [`Self::sign`].
    pub fn canonical_request(&self, signer: &Signer, now: AmzDate) -> Result<String> {
        let mut url = String::new();
        self.sign_into(signer, now, &mut url)?;
        let (path, query) = self.split_signed_url(&url);
        let mut text = String::new();
        write_canonical_request(
            &mut text,
            self.method,
            path,
            query,
            self.signed_headers(),
            UNSIGNED_PAYLOAD,
        );
        Ok(text)
    }

    /// The string to sign, as text (for debugging).
    ///
    /// # Errors
    /// As [`Self::sign`].
    pub fn string_to_sign(&self, signer: &Signer, now: AmzDate) -> Result<String> {
        let creq = self.canonical_request(signer, now)?;
        let scope = Scope::new(now, self.bucket.endpoint().region(), "s3")?;
        let sts = StringToSign::new(scope, Sha256::digest(creq.as_bytes()).into());
        let mut text = String::new();
        sts.write_to(&mut text);
        Ok(text)
    }

    /// The canonical URI and canonical query inside a URL made by `write_url`.
    fn split_signed_url<'u>(&self, url: &'u str) -> (&'u str, &'u str) {
        let after_host = &url[self.bucket.path_start()..];
        let (path, query) = after_host.split_once('?').unwrap_or((after_host, ""));
        let query = query
            .rfind("&X-Amz-Signature=")
            .map_or(query, |i| &query[..i]);
        (path, query)
    }

    fn signed_headers_without_host(&self) -> impl Iterator<Item = (&str, &str)> + Clone {
        let ct = match (&self.content_type, self.content_type_mode) {
            (Some(v), ContentTypeMode::Signed) => Some(("content-type", v.as_str())),
            _ => None,
        };
        let split = self.headers.partition_point(|(n, _)| n.as_str() < "content-type");
        self.headers[..split]
            .iter()
            .map(header_pair)
            .chain(ct)
            .chain(self.headers[split..].iter().map(header_pair))
    }

    /// All signed headers in canonical order, `host` included.
    fn signed_headers(&self) -> impl Iterator<Item = (&str, &str)> + Clone {
        let rest = self.signed_headers_without_host();
        let before = rest.clone().take_while(|(n, _)| *n < "host");
        let after = rest.skip_while(|(n, _)| *n < "host");
        before
            .chain(core::iter::once(("host", self.bucket.host())))
            .chain(after)
    }

    fn validate(&self) -> Result<Expiry> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        validate_method(self.method)?;
        validate_key(self.key)?;
        Expiry::from_secs_with_max(self.expires_in, self.bucket.endpoint().max_expiry())
    }

    fn write_url(&self, signer: &Signer, now: AmzDate, out: &mut String) -> Result<AmzDate> {
        let expiry = self.validate()?;
        let expires_at = now.checked_add_secs(expiry.as_secs()).ok_or(Error::InvalidDate {
            reason: "the expiry time is after year 9999",
        })?;
        let creds = signer.credentials();
        let scope = Scope::new(now, self.bucket.endpoint().region(), "s3")?;
        let token = creds.session_token();

        // One reservation up front: the URL is then written without reallocating.
        out.reserve(self.estimated_len(creds.access_key_id(), token));
        out.push_str(self.bucket.url_prefix());
        let path_start = out.len() - self.bucket.path_prefix().len();
        out.push('/');
        encoding::encode_into(out, self.key, PATH);
        let path_end = out.len();
        out.push('?');
        let query_start = out.len();

        // The canonical query, written straight into the URL in sorted order: the fixed
        // X-Amz-* parameters merged with the (pre-sorted) operation parameters.
        let mut user = self.query.iter().peekable();
        let mut first = true;
        let mut sep = |out: &mut String| {
            if !first {
                out.push('&');
            }
            first = false;
        };
        for fixed in FIXED {
            if *fixed == "X-Amz-Security-Token" && token.is_none() {
                continue;
            }
            while let Some((n, v)) = user.next_if(|(n, _)| {
                cmp_encoded(n.as_bytes(), fixed.as_bytes(), QUERY) == Ordering::Less
            }) {
                sep(out);
                write_param(out, n, v);
            }
            sep(out);
            out.push_str(fixed);
            out.push('=');
            match *fixed {
                "X-Amz-Algorithm" => out.push_str(ALGORITHM),
                "X-Amz-Credential" => {
                    encoding::encode_into(out, creds.access_key_id(), QUERY);
                    out.push_str("%2F");
                    out.push_str(now.date_str());
                    out.push_str("%2F");
                    out.push_str(scope.region());
                    out.push_str("%2Fs3%2Faws4_request");
                }
                "X-Amz-Date" => out.push_str(now.as_str()),
                "X-Amz-Expires" => push_u64(out, expiry.as_secs()),
                "X-Amz-Security-Token" => {
                    if let Some(t) = token {
                        encoding::encode_into(out, t, QUERY);
                    }
                }
                _ => {
                    for (i, (name, _)) in self.signed_headers().enumerate() {
                        if i > 0 {
                            out.push_str("%3B");
                        }
                        out.push_str(name);
                    }
                }
            }
        }
        for (n, v) in user {
            sep(out);
            write_param(out, n, v);
        }
        let query_end = out.len();

        // Hash the canonical request incrementally from the URL just written: no copy.
        let mut hasher = Sha256::new();
        write_canonical_request(
            &mut hasher,
            self.method,
            &out[path_start..path_end],
            &out[query_start..query_end],
            self.signed_headers(),
            UNSIGNED_PAYLOAD,
        );
        let string_to_sign = StringToSign::new(scope, hasher.finalize().into());
        let signature = signer.signing_key(&scope).sign(&string_to_sign);
        out.push_str("&X-Amz-Signature=");
        let mut buf = [0u8; 64];
        out.push_str(signature.to_hex(&mut buf));
        Ok(expires_at)
    }

    fn estimated_len(&self, access_key_id: &str, token: Option<&str>) -> usize {
        let key = encoding::encoded_len(self.key.as_bytes(), PATH);
        let token = token.map_or(0, |t| 22 + encoding::encoded_len(t.as_bytes(), QUERY));
        let user: usize = self
            .query
            .iter()
            .map(|(n, v)| 2 + encoding::encoded_len(n.as_bytes(), QUERY) + encoding::encoded_len(v.as_bytes(), QUERY))
            .sum();
        let headers: usize = self.headers.iter().map(|(n, _)| n.len() + 3).sum::<usize>() + 16;
        // Fixed parts: the X-Amz-* names and values, the signature and separators.
        self.bucket.url_prefix().len()
            + 2
            + key
            + 230
            + access_key_id.len() * 3
            + self.bucket.endpoint().region().len()
            + token
            + user
            + headers
    }
}

/// The X-Amz-* parameters of a presigned URL, in canonical (sorted) order.
const FIXED: &[&str] = &[
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-Security-Token",
    "X-Amz-SignedHeaders",
];

fn header_pair((n, v): &(String, String)) -> (&str, &str) {
    (n.as_str(), v.as_str())
}

fn write_param(out: &mut String, name: &str, value: &str) {
    encoding::encode_into(out, name, QUERY);
    out.push('=');
    encoding::encode_into(out, value, QUERY);
}

/// Common methods need no allocation in the result.
fn method_cow(method: &str) -> Cow<'static, str> {
    match method {
        "GET" => Cow::Borrowed("GET"),
        "PUT" => Cow::Borrowed("PUT"),
        "DELETE" => Cow::Borrowed("DELETE"),
        "HEAD" => Cow::Borrowed("HEAD"),
        "POST" => Cow::Borrowed("POST"),
        other => Cow::Owned(String::from(other)),
    }
}
