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
use crate::error::{Error, Result, clip};
use crate::expiry::{Expiry, ExpiryCause, cut_to_credentials};
use crate::sigv4::text::push_hex32;
use crate::sigv4::text::{HashSink, Set, Sink, cmp_encoded, uri_encode_into};
use crate::sigv4::{
    ALGORITHM, HeaderBlock, Payload, QueryAuth, Scope, Signature, SignedHeaderNames, Signer,
    StringToSign, UNSIGNED_PAYLOAD, UserParam, canonical_header_value, is_reserved_query_name,
    validate_header_name, validate_method, write_canonical_request, write_query, write_signature,
};
use crate::time::AmzDate;

/// Whether a presigned PUT's `Content-Type` is covered by the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
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
            cmp_encoded(n.as_bytes(), name.as_bytes(), Set::Query)
                .then_with(|| cmp_encoded(v.as_bytes(), value.as_bytes(), Set::Query))
                != Ordering::Greater
        });
        self.query.insert(pos, (name, value));
        self
    }

    /// Addresses a specific version of the object (`versionId`).
    pub fn version_id(self, version_id: &'a str) -> Self {
        if version_id.is_empty() {
            return self.fail(Error::InvalidQueryParameter {
                name: String::from("versionId"),
                reason: "a version id may not be empty (unversioned objects have the id \"null\")",
            });
        }
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
            "host"
                | "authorization"
                | "x-amz-date"
                | "x-amz-security-token"
                | "x-amz-content-sha256"
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
        match self
            .headers
            .binary_search_by(|(n, _)| n.as_str().cmp(&lower))
        {
            // A repeated header is one header whose values are joined by ',' (SigV4 rule).
            Ok(i) => {
                self.headers[i].1.push(',');
                self.headers[i].1.push_str(&canonical);
            }
            Err(i) => self.headers.insert(i, (lower, canonical)),
        }
        self
    }

    /// Signs `Content-Length`: S3 then refuses an upload of any other size, so a URL handed
    /// to a browser cannot be used to store more (or less) than the size it asked for. The
    /// browser sets the header itself from the body it sends.
    ///
    /// ```
    /// # use s3presign::{AmzDate, Credentials, Signer, s3::{Bucket, Endpoint}};
    /// # let signer = Signer::new(Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"))?;
    /// # let bucket = Bucket::new(&Endpoint::aws("us-east-1")?, "examplebucket")?;
    /// let put = bucket
    ///     .put_object("uploads/clip.mp4")
    ///     .content_length(1_048_576)
    ///     .checksum_sha256("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
    ///     .sign(&signer, AmzDate::parse("20261201T120000Z")?)?;
    /// assert!(put.url().contains("X-Amz-SignedHeaders=content-length%3Bhost%3Bx-amz-checksum-sha256"));
    /// assert_eq!(put.headers().collect::<Vec<_>>(), [
    ///     ("content-length", "1048576"),
    ///     ("x-amz-checksum-sha256", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="),
    /// ]);
    /// # Ok::<(), s3presign::Error>(())
    /// ```
    pub fn content_length(self, bytes: u64) -> Self {
        let mut value = String::new();
        crate::sigv4::text::push_u64(&mut value, bytes);
        self.header("content-length", &value)
    }

    /// Signs `x-amz-checksum-sha256`, the base64 SHA-256 of the body: S3 then refuses any
    /// other bytes (and stores the checksum with the object). The uploader must send the
    /// header as given. Anything but 32 bytes in standard base64 is refused here.
    pub fn checksum_sha256(self, base64_sha256: &str) -> Self {
        match crate::base64::decode(base64_sha256) {
            Ok(digest) if digest.len() == 32 => self.header("x-amz-checksum-sha256", base64_sha256),
            _ => self.fail(Error::InvalidHeaderValue {
                name: String::from("x-amz-checksum-sha256"),
                reason: "give the body's SHA-256 as standard base64 (44 characters, ending in '=')",
            }),
        }
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

    fn response_override(self, name: &'static str, value: impl Into<Cow<'a, str>>) -> Self {
        if !self.method.eq_ignore_ascii_case("GET") && !self.method.eq_ignore_ascii_case("HEAD") {
            return self.fail(Error::InvalidQueryParameter {
                name: String::from(name),
                reason: "response-* overrides only apply to GET and HEAD",
            });
        }
        self.query_cow(Cow::Borrowed(name), value.into())
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
        self.response_override("response-content-disposition", v.to_header_value())
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

    /// Signs and returns the method, URL and headers to send. When the signer's credentials
    /// expire before the requested expiry, the URL's expiry is cut to them and
    /// [`PresignedRequest::expiry_cause`] says so.
    ///
    /// # Errors
    /// The first invalid option given to the builder, an invalid key (empty, over 1024
    /// bytes) or method, an expiry outside 1..=max, or [`Error::CredentialsExpired`].
    pub fn sign(&self, signer: &Signer, now: AmzDate) -> Result<PresignedRequest> {
        let mut url = String::new();
        let expires_at = self.sign_into(signer, now, &mut url)?;
        let mut headers = Vec::new();
        if !self.headers.is_empty() || self.content_type.is_some() {
            headers.reserve(self.headers.len() + 1);
            // The content type is sent whether it is signed or not; `host` is the client's.
            let ct = self.content_type.as_deref().map(|v| ("content-type", v));
            self.for_each_header_with(&[ct], &mut |n, v| {
                headers.push((String::from(n), String::from(v)));
            });
        }
        Ok(
            PresignedRequest::new(method_cow(self.method), url, headers, expires_at)
                .with_expiry_cause(ExpiryCause::of_times(now, self.expires_in, expires_at)),
        )
    }

    /// Signs and returns only the URL (one allocation for a plain GET). As with
    /// [`Self::sign`], the URL never outlives the signer's credentials: its expiry is cut
    /// to theirs when they expire first. To learn whether it was, use [`Self::sign`]
    /// ([`PresignedRequest::expiry_cause`]), compare the time [`Self::sign_into`] returns,
    /// or ask [`Expiry::within_credentials`] beforehand.
    ///
    /// # Errors
    /// As [`Self::sign`].
    pub fn sign_url(&self, signer: &Signer, now: AmzDate) -> Result<String> {
        // Allocated at its final size here: `write_url`'s reservation is then a no-op, and the
        // growth path of an empty String (about 50 instructions) is skipped.
        let token = signer.encoded_session_token();
        let mut url =
            String::with_capacity(self.estimated_len(signer.encoded_access_key_id(), token));
        // `write_url` directly: the expiry date, which only `sign_into` returns, is not built.
        self.write_url(signer, now, &mut url, &mut HashSink::new())?;
        Ok(url)
    }

    /// Appends the presigned URL to `out` and returns when it really expires (the requested
    /// expiry, or the credentials' expiry if that comes first). Allocates nothing when
    /// `out` has room (reuse one buffer for many URLs). On error `out` is left as it was.
    ///
    /// # Errors
    /// As [`Self::sign`].
    pub fn sign_into(&self, signer: &Signer, now: AmzDate, out: &mut String) -> Result<AmzDate> {
        let start = out.len();
        let result = self
            .write_url(signer, now, out, &mut HashSink::new())
            .and_then(|secs| {
                now.checked_add_secs(secs).ok_or(Error::InvalidDate {
                    reason: "the expiry time is after year 9999",
                })
            });
        if result.is_err() {
            out.truncate(start);
        }
        result
    }

    /// The canonical request this presign signs, as text (for debugging a
    /// `SignatureDoesNotMatch`: compare with the server's `CanonicalRequest`). These are
    /// the bytes whose hash the URL's signature covers: the URL is signed while they are
    /// recorded.
    ///
    /// # Errors
    /// As [`Self::sign`].
    pub fn canonical_request(&self, signer: &Signer, now: AmzDate) -> Result<String> {
        let mut url = String::new();
        let mut text = String::new();
        self.write_url(signer, now, &mut url, &mut HashSink::recording(&mut text))?;
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

    /// Signs the request with an `Authorization` header instead of query parameters, for
    /// sending it now: S3 accepts it within 15 minutes of `now`, which is its
    /// [`expires_at`](PresignedRequest::expires_at) (the expiry of [`Self::expires_in`] is
    /// not used). The URL keeps the operation's query parameters (such as `versionId`); the
    /// headers to send are the builder's, `x-amz-content-sha256` (the payload hash, as S3
    /// requires), `x-amz-date`, `x-amz-security-token` with temporary credentials, and
    /// `authorization`. The same signature as [`sigv4::sign_headers`](crate::sigv4::sign_headers)
    /// with [`SigningSettings::s3`](crate::sigv4::SigningSettings::s3) for this URL.
    ///
    /// ```
    /// use s3presign::{AmzDate, Credentials, Signer, s3::{Bucket, Endpoint}, sigv4::Payload};
    /// let signer = Signer::new(Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"))?;
    /// let bucket = Bucket::new(&Endpoint::aws("us-east-1")?, "examplebucket")?;
    /// let get = bucket
    ///     .get_object("test.txt")
    ///     .header("range", "bytes=0-9")
    ///     .sign_headers(&signer, AmzDate::parse("20130524T000000Z")?, Payload::Unsigned)?;
    /// assert_eq!(get.url(), "https://examplebucket.s3.us-east-1.amazonaws.com/test.txt");
    /// let headers: Vec<_> = get.headers().map(|(name, _)| name).collect();
    /// assert_eq!(headers, ["authorization", "range", "x-amz-content-sha256", "x-amz-date"]);
    /// assert!(get.headers().any(|(_, v)| v.starts_with("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=")));
    /// # Ok::<(), s3presign::Error>(())
    /// ```
    ///
    /// # Errors
    /// The first invalid option given to the builder, an invalid key or method, or an
    /// invalid payload hash.
    pub fn sign_headers(
        &self,
        signer: &Signer,
        now: AmzDate,
        payload: Payload<'_>,
    ) -> Result<PresignedRequest> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        validate_method(self.method)?;
        validate_key(self.key)?;
        let mut hash_buf = [0u8; 64];
        let payload_hash = payload.hash_str(&mut hash_buf)?;
        // The signer's headers, sorted after `content-type` and `host`.
        let sha = Some(("x-amz-content-sha256", payload_hash));
        let date = Some(("x-amz-date", now.as_str()));
        let token = signer.credentials().session_token();
        let token = token.map(|t| ("x-amz-security-token", t));
        let ct = match (&self.content_type, self.content_type_mode) {
            (Some(v), ContentTypeMode::Signed) => Some(("content-type", v.as_str())),
            _ => None,
        };
        let host = Some(("host", self.bucket.host()));
        let signed = AuthHeaders([ct, host, sha, date, token], self);
        let (url, path_start, path_end) = self.object_url();
        let uri = &url[path_start..path_end];
        let query = if self.query.is_empty() {
            ""
        } else {
            &url[path_end + 1..]
        };
        let mut hash = HashSink::new();
        write_canonical_request(&mut hash, self.method, uri, query, &signed, payload_hash)?;
        // The region was validated when the bucket was made (`Endpoint::check_scope`).
        let scope = Scope::new_unchecked(now, self.bucket.endpoint().region(), "s3");
        let signature = signer.sign_hash(&scope, &hash.finish());
        let authorization = authorization(signer, &scope, &signed, &signature);
        let mut headers = alloc::vec![(String::from("authorization"), authorization)];
        // To send: the content type even when it is not signed; `host` is the client's.
        let ct = self.content_type.as_deref().map(|v| ("content-type", v));
        self.for_each_header_with(&[ct, sha, date, token], &mut |n, v| {
            headers.push((String::from(n), String::from(v)));
        });
        let expires_at = now.checked_add_secs(HEADER_SIGNATURE_SECS).unwrap_or(now);
        Ok(PresignedRequest::new(
            method_cow(self.method),
            url,
            headers,
            expires_at,
        ))
    }

    /// The URL without signing parameters, where its path starts and where it ends (then
    /// `?` and the operation's query parameters, if there are any).
    fn object_url(&self) -> (String, usize, usize) {
        let mut url = String::from(self.bucket.url_prefix());
        let path_start = url.len() - self.bucket.path_prefix().len();
        url.push('/');
        uri_encode_into(&mut url, self.key, Set::Path);
        let path_end = url.len();
        for (i, param) in self.query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            Decoded(param).write(&mut url);
        }
        (url, path_start, path_end)
    }

    /// Only `host` is signed: no other header, and no signed content type (the common case,
    /// written directly).
    fn only_host_signed(&self) -> bool {
        self.headers.is_empty()
            && !matches!(
                (&self.content_type, self.content_type_mode),
                (Some(_), ContentTypeMode::Signed)
            )
    }

    /// Calls `f` with each signed header in canonical order, `host` included.
    // A loop rather than a chain of iterator adapters: the same work in far less code (the
    // WebAssembly module has a size budget).
    fn for_each_signed_header(&self, f: &mut dyn FnMut(&str, &str)) {
        let ct = match (&self.content_type, self.content_type_mode) {
            (Some(v), ContentTypeMode::Signed) => Some(("content-type", v.as_str())),
            _ => None,
        };
        // Sorted: `content-type` before `host`.
        let extra = [ct, Some(("host", self.bucket.host()))];
        // On WebAssembly the general merge (one copy of it in the module); natively this
        // copy, which the signing path inlines (measured: fewer instructions).
        #[cfg(target_arch = "wasm32")]
        self.for_each_header_with(&extra, f);
        #[cfg(not(target_arch = "wasm32"))]
        {
            let mut pending = extra.as_slice();
            for (name, value) in &self.headers {
                while let Some((first, rest)) = pending.split_first() {
                    match first {
                        Some((n, _)) if *n >= name.as_str() => break,
                        Some((n, v)) => f(n, v),
                        None => {}
                    }
                    pending = rest;
                }
                f(name, value);
            }
            for (n, v) in pending.iter().flatten() {
                f(n, v);
            }
        }
    }

    /// As [`Self::for_each_signed_header`], with the builder's headers merged with `extra`
    /// (sorted by name; `None` entries are skipped) instead of its content type and `host`.
    fn for_each_header_with(&self, extra: &[Option<(&str, &str)>], f: &mut dyn FnMut(&str, &str)) {
        let mut pending = extra;
        for (name, value) in &self.headers {
            while let Some((first, rest)) = pending.split_first() {
                match first {
                    Some((n, _)) if *n >= name.as_str() => break,
                    Some((n, v)) => f(n, v),
                    None => {}
                }
                pending = rest;
            }
            f(name, value);
        }
        for (n, v) in pending.iter().flatten() {
            f(n, v);
        }
    }

    /// Checks the options; returns the expiry in seconds.
    fn validate(&self, now: AmzDate) -> Result<u64> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        validate_method(self.method)?;
        validate_key(self.key)?;
        let expiry =
            Expiry::from_secs_with_max(self.expires_in, self.bucket.endpoint().max_expiry())?
                .as_secs();
        // A range check instead of building the expiry date: saves a calendar conversion
        // when the caller only wants the URL.
        let in_range = i64::try_from(expiry)
            .ok()
            .and_then(|secs| now.unix_timestamp().checked_add(secs))
            .is_some_and(|end| end <= LAST_UNIX_SECOND);
        if !in_range {
            return Err(Error::InvalidDate {
                reason: "the expiry time is after year 9999",
            });
        }
        Ok(expiry)
    }

    /// Writes the URL into `out`, feeding its canonical request to `hash`, and returns the
    /// validated expiry in seconds. The canonical request is hashed straight out of the
    /// URL just written: what is signed is byte for byte what is sent.
    fn write_url(
        &self,
        signer: &Signer,
        now: AmzDate,
        out: &mut String,
        hash: &mut HashSink<'_>,
    ) -> Result<u64> {
        let expiry = cut_to_credentials(self.validate(now)?, now, signer.credentials())?;
        // The region was validated when the bucket was made (`Endpoint::check_scope`).
        let scope = Scope::new_unchecked(now, self.bucket.endpoint().region(), "s3");
        // One reservation up front: the URL is then written without reallocating.
        out.reserve(self.estimated_len(
            signer.encoded_access_key_id(),
            signer.encoded_session_token(),
        ));
        out.push_str(self.bucket.url_prefix());
        let path_start = out.len() - self.bucket.path_prefix().len();
        out.push('/');
        uri_encode_into(out, self.key, Set::Path);
        let path_end = out.len();
        out.push('?');
        let query_start = out.len();
        let user = self.query.iter().map(Decoded);
        write_query(out, &auth(signer, scope, expiry, Names(self)), user);
        let uri = &out[path_start..path_end];
        let query = &out[query_start..];
        write_canonical_request(
            hash,
            self.method,
            uri,
            query,
            &Names(self),
            UNSIGNED_PAYLOAD,
        )?;
        let signature = signer.sign_hash(&scope, &hash.finish());
        write_signature(out, &signature);
        Ok(expiry)
    }

    /// `access_key_id` and `token` are already encoded.
    // Escaping at most triples a byte: bounding the key by 3x its length instead of scanning
    // it saves a pass over the key (the allocator rounds sizes up anyway).
    fn estimated_len(&self, access_key_id: &str, token: Option<&str>) -> usize {
        let key = 3 * self.key.len();
        let token = token.map_or(0, |t| 22 + t.len());
        let user: usize = self
            .query
            .iter()
            .map(|(n, v)| 2 + 3 * (n.len() + v.len()))
            .sum();
        // Signed header names, each with its `%3B` separator: `host`, `content-type`, the rest.
        let names: usize = self.headers.iter().map(|(n, _)| 3 * n.len() + 3).sum();
        let headers = names + 4 + 15;
        // Fixed parts: the X-Amz-* names and values (249 bytes at most besides the access
        // key id, the region, the token and the signed header names) and `/`, `?`.
        self.bucket.url_prefix().len()
            + 2
            + key
            + 249
            + access_key_id.len()
            + self.bucket.endpoint().region().len()
            + token
            + user
            + headers
    }
}

/// The `Authorization` value of a request signed with its headers.
fn authorization(
    signer: &Signer,
    scope: &Scope<'_>,
    signed: &AuthHeaders<'_, '_>,
    signature: &Signature,
) -> String {
    let mut out = String::from(ALGORITHM);
    out.push_str(" Credential=");
    out.push_str(signer.credentials().access_key_id());
    out.push('/');
    scope.write_to(&mut out);
    out.push_str(", SignedHeaders=");
    signed.write_names(&mut out);
    out.push_str(", Signature=");
    push_hex32(&mut out, signature.as_bytes());
    out
}

/// How long S3 accepts a request signed with an `Authorization` header after its
/// `x-amz-date` (its allowed clock skew).
const HEADER_SIGNATURE_SECS: u64 = 900;

/// The last second AmzDate can represent, 9999-12-31T23:59:59Z.
const LAST_UNIX_SECOND: i64 = 253_402_300_799;

/// The signing parameters of a presigned URL.
fn auth<'s, H>(signer: &'s Signer, scope: Scope<'s>, expiry: u64, names: H) -> QueryAuth<'s, H> {
    QueryAuth {
        encoded_access_key_id: signer.encoded_access_key_id(),
        scope,
        expires: expiry,
        encoded_session_token: signer.encoded_session_token(),
        signed_headers: names,
    }
}

/// The signed header names of a [`Presign`], for `X-Amz-SignedHeaders`.
struct Names<'p, 'a>(&'p Presign<'a>);

impl SignedHeaderNames for Names<'_, '_> {
    fn write_encoded<S: Sink>(&self, out: &mut S) {
        if self.0.only_host_signed() {
            out.put("host");
            return;
        }
        let mut first = true;
        self.0.for_each_signed_header(&mut |name, _| {
            if !first {
                out.put("%3B");
            }
            first = false;
            uri_encode_into(out, name, Set::Query);
        });
    }
}

/// The signed headers of a [`Presign`], as the canonical request's header block.
impl HeaderBlock for Names<'_, '_> {
    fn write_lines<S: Sink>(&self, out: &mut S) -> Result<()> {
        if self.0.only_host_signed() {
            out.put("host:");
            out.put(self.0.bucket.host());
            out.put("\n");
            return Ok(());
        }
        self.0.for_each_signed_header(&mut |name, value| {
            out.put(name);
            out.put(":");
            out.put(value);
            out.put("\n");
        });
        Ok(())
    }

    fn write_names<S: Sink>(&self, out: &mut S) {
        if self.0.only_host_signed() {
            out.put("host");
            return;
        }
        let mut first = true;
        self.0.for_each_signed_header(&mut |name, _| {
            if !first {
                out.put(";");
            }
            first = false;
            out.put(name);
        });
    }
}

/// The signed headers of a request signed with an `Authorization` header: the builder's
/// merged with these, sorted by name (content type, host, then the signer's).
struct AuthHeaders<'p, 'a>([Option<(&'p str, &'p str)>; 5], &'p Presign<'a>);

impl HeaderBlock for AuthHeaders<'_, '_> {
    fn write_lines<S: Sink>(&self, out: &mut S) -> Result<()> {
        self.1.for_each_header_with(&self.0, &mut |name, value| {
            out.put(name);
            out.put(":");
            out.put(value);
            out.put("\n");
        });
        Ok(())
    }

    fn write_names<S: Sink>(&self, out: &mut S) {
        let mut first = true;
        self.1.for_each_header_with(&self.0, &mut |name, _| {
            if !first {
                out.put(";");
            }
            first = false;
            out.put(name);
        });
    }
}

/// An operation parameter as given (decoded), encoded when written.
struct Decoded<'p, 'a>(&'p (Cow<'a, str>, Cow<'a, str>));

impl UserParam for Decoded<'_, '_> {
    fn cmp_name(&self, name: &str) -> Ordering {
        cmp_encoded(self.0.0.as_bytes(), name.as_bytes(), Set::Query)
    }

    fn write<S: Sink>(&self, out: &mut S) {
        uri_encode_into(out, &self.0.0, Set::Query);
        out.put("=");
        uri_encode_into(out, &self.0.1, Set::Query);
    }
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
