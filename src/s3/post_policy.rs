//! Browser uploads with a signed [POST policy](https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html):
//! [`PostPolicy`] (the builder), [`PostForm`] (the action URL and ordered form fields) and
//! [`PolicyDocument`] (a parsed policy, for verifiers).
//!
//! A presigned PUT cannot limit what a browser uploads; a POST policy can: a key prefix, a
//! size range, a content type. The policy is a JSON document, base64-encoded into the
//! `policy` field and signed with the SigV4 signing key (the string to sign *is* the base64
//! text).
//!
//! The JSON is written exactly as botocore's `generate_presigned_post` writes it (Python's
//! `json.dumps`: `", "` and `": "` separators, non-ASCII escaped as `\uXXXX`), so for the same
//! inputs the form, policy and signature are byte-identical to boto3's (tests check this
//! against fixtures generated with botocore).
//!
//! ```
//! use s3presign::{AmzDate, Credentials, Signer};
//! use s3presign::s3::{Bucket, Endpoint, PostPolicy};
//! let signer = Signer::new(Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"))?;
//! let bucket = Bucket::new(&Endpoint::aws("us-east-1")?, "examplebucket")?;
//! let form = PostPolicy::new(&bucket)
//!     .key_starts_with("uploads/")
//!     .content_length_range(1, 10 * 1024 * 1024)
//!     .content_type_starts_with("video/")
//!     .expires_in(600)
//!     .sign(&signer, AmzDate::parse("2026-11-25T12:00:00Z")?)?;
//! assert_eq!(form.action_url(), "https://examplebucket.s3.us-east-1.amazonaws.com/");
//! let names: Vec<&str> = form.fields().map(|(n, _)| n).collect();
//! assert_eq!(names, ["key", "x-amz-algorithm", "x-amz-credential", "x-amz-date", "policy", "x-amz-signature"]);
//! assert_eq!(form.field("key"), Some("uploads/${filename}"));
//! # Ok::<(), s3presign::Error>(())
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::bucket::Bucket;
use crate::error::{Error, Result, clip};
use crate::expiry::Expiry;
use crate::sigv4::{ALGORITHM, Scope, Signature, Signer, SigningKey};
use crate::time::AmzDate;

/// The default lifetime of a POST policy, as in botocore and the JS SDK: one hour.
pub const DEFAULT_POST_EXPIRY_SECS: u64 = 3600;

/// One condition of a POST policy. Field names are kept as written and compared
/// case-insensitively (as S3 does); they never start with `$` here.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Condition {
    /// `{"field": "value"}` or `["eq", "$field", "value"]`: the field must equal `value`.
    Eq {
        /// The form field (or `bucket`).
        field: String,
        /// The required value.
        value: String,
    },
    /// `["starts-with", "$field", "prefix"]`: the field must start with `prefix` (an empty
    /// prefix allows any value, but the field must still be present).
    StartsWith {
        /// The form field.
        field: String,
        /// The required prefix.
        prefix: String,
    },
    /// `["content-length-range", min, max]`: the file's size in bytes, inclusive.
    ContentLengthRange {
        /// Smallest accepted size.
        min: u64,
        /// Largest accepted size.
        max: u64,
    },
}

impl Condition {
    /// The form field this condition is about (`None` for a content-length range).
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Eq { field, .. } | Self::StartsWith { field, .. } => Some(field),
            Self::ContentLengthRange { .. } => None,
        }
    }

    /// Writes the condition as botocore does.
    fn write_json(&self, out: &mut String) {
        match self {
            Self::Eq { field, value } => {
                out.push('{');
                json_string(out, field);
                out.push_str(": ");
                json_string(out, value);
                out.push('}');
            }
            Self::StartsWith { field, prefix } => {
                out.push_str("[\"starts-with\", ");
                let mut f = String::with_capacity(field.len() + 1);
                f.push('$');
                f.push_str(field);
                json_string(out, &f);
                out.push_str(", ");
                json_string(out, prefix);
                out.push(']');
            }
            Self::ContentLengthRange { min, max } => {
                out.push_str("[\"content-length-range\", ");
                crate::sigv4::push_u64(out, *min);
                out.push_str(", ");
                crate::sigv4::push_u64(out, *max);
                out.push(']');
            }
        }
    }
}

/// Appends `s` as a JSON string the way Python's `json.dumps` (`ensure_ascii=True`) does:
/// `"` and `\` escaped, `\n \r \t \b \f` by name, other control characters and everything
/// outside ASCII as `\uXXXX` (lowercase hex, UTF-16 surrogate pairs above U+FFFF).
pub(crate) fn json_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let u = |out: &mut String, v: u16| {
        out.push_str("\\u");
        for shift in [12, 8, 4, 0] {
            out.push(char::from(HEX[usize::from((v >> shift) & 0xf)]));
        }
    };
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if !(' '..='~').contains(&c) => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    u(out, *unit);
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Signs a base64 policy: `HMAC-SHA256(signing key, policy)`, the `x-amz-signature` of a
/// POST form. The verifier uses the same function.
///
/// ```
/// use s3presign::sigv4::SigningKey;
/// use s3presign::s3::sign_policy;
/// // The AWS S3 documentation's POST example (sigv4-post-example.html).
/// let key = SigningKey::derive("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20151229", "us-east-1", "s3");
/// let policy = "eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9";
/// assert_eq!(sign_policy(&key, policy).to_string(),
///     "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e");
/// ```
pub fn sign_policy(key: &SigningKey, policy_base64: &str) -> Signature {
    key.sign_bytes(policy_base64.as_bytes())
}

/// Server-side encryption requested in a POST form.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerSideEncryption {
    /// `AES256` (SSE-S3).
    Aes256,
    /// `aws:kms` (SSE-KMS), with an optional key id or ARN.
    AwsKms {
        /// `x-amz-server-side-encryption-aws-kms-key-id`.
        key_id: Option<String>,
    },
    /// `aws:kms:dsse` (dual-layer SSE-KMS), with an optional key id or ARN.
    AwsKmsDsse {
        /// `x-amz-server-side-encryption-aws-kms-key-id`.
        key_id: Option<String>,
    },
}

/// A checksum algorithm S3 can verify an upload with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChecksumAlgorithm {
    /// CRC-32 (4 bytes).
    Crc32,
    /// CRC-32C (4 bytes).
    Crc32c,
    /// CRC-64/NVME (8 bytes).
    Crc64Nvme,
    /// SHA-1 (20 bytes).
    Sha1,
    /// SHA-256 (32 bytes).
    Sha256,
}

impl ChecksumAlgorithm {
    /// The `x-amz-checksum-algorithm` value.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Crc32 => "CRC32",
            Self::Crc32c => "CRC32C",
            Self::Crc64Nvme => "CRC64NVME",
            Self::Sha1 => "SHA1",
            Self::Sha256 => "SHA256",
        }
    }

    fn field(&self) -> &'static str {
        match self {
            Self::Crc32 => "x-amz-checksum-crc32",
            Self::Crc32c => "x-amz-checksum-crc32c",
            Self::Crc64Nvme => "x-amz-checksum-crc64nvme",
            Self::Sha1 => "x-amz-checksum-sha1",
            Self::Sha256 => "x-amz-checksum-sha256",
        }
    }

    fn len(&self) -> usize {
        match self {
            Self::Crc32 | Self::Crc32c => 4,
            Self::Crc64Nvme => 8,
            Self::Sha1 => 20,
            Self::Sha256 => 32,
        }
    }
}

/// Builds a POST policy and its form for one bucket. Errors are kept until
/// [`sign`](Self::sign), so a chain needs one `?`.
///
/// Conditions are written in the order they are added, then `bucket`, the key condition,
/// and the signing fields (`x-amz-algorithm`, `x-amz-credential`, `x-amz-date`,
/// `x-amz-security-token`), as botocore does. Exact-value conditions on form fields also
/// become form fields (after `key`); starts-with conditions other than the key's are left
/// to the uploader and listed by [`PostForm::open_fields`].
#[derive(Debug, Clone)]
#[must_use = "a PostPolicy does nothing until it is signed"]
pub struct PostPolicy<'a> {
    bucket: &'a Bucket,
    key: Option<(String, Condition)>,
    conditions: Vec<Condition>,
    fields: Vec<(String, String)>,
    open_fields: Vec<(String, String)>,
    expires_in: u64,
    error: Option<Error>,
}

impl<'a> PostPolicy<'a> {
    /// A policy for uploads to `bucket`. Set the key with [`key`](Self::key) or
    /// [`key_starts_with`](Self::key_starts_with).
    pub fn new(bucket: &'a Bucket) -> Self {
        Self {
            bucket,
            key: None,
            conditions: Vec::new(),
            fields: Vec::new(),
            open_fields: Vec::new(),
            expires_in: DEFAULT_POST_EXPIRY_SECS,
            error: None,
        }
    }

    fn fail(mut self, e: Error) -> Self {
        self.error.get_or_insert(e);
        self
    }

    /// Seconds until the policy expires: 1..=604800 (or the endpoint's maximum). Default 3600.
    pub fn expires_in(mut self, secs: u64) -> Self {
        self.expires_in = secs;
        self
    }

    /// The object key. A key ending in `${filename}` (S3 replaces it with the uploaded
    /// file's name) becomes a starts-with condition on the part before it, as in botocore.
    pub fn key(mut self, key: &str) -> Self {
        if let Err(e) = check_key(key) {
            return self.fail(e);
        }
        let cond = match key.strip_suffix("${filename}") {
            Some(prefix) => Condition::StartsWith {
                field: String::from("key"),
                prefix: String::from(prefix),
            },
            None => Condition::Eq {
                field: String::from("key"),
                value: String::from(key),
            },
        };
        self.key = Some((String::from(key), cond));
        self
    }

    /// Any key under `prefix`: the form's key field is `prefix${filename}`, and the uploader
    /// may change it as long as it keeps the prefix.
    pub fn key_starts_with(self, prefix: &str) -> Self {
        let mut k = String::with_capacity(prefix.len() + 11);
        k.push_str(prefix);
        k.push_str("${filename}");
        self.key(&k)
    }

    /// The upload's size must be within `min..=max` bytes.
    pub fn content_length_range(mut self, min: u64, max: u64) -> Self {
        if min > max {
            return self.fail(Error::InvalidPostPolicy {
                reason: "content-length-range minimum exceeds its maximum",
            });
        }
        self.conditions
            .push(Condition::ContentLengthRange { min, max });
        self
    }

    /// An exact `Content-Type` (sent as a form field and stored with the object).
    pub fn content_type(self, content_type: &str) -> Self {
        self.field("Content-Type", content_type)
    }

    /// A `Content-Type` starting with `prefix` (for example `video/`); the uploader supplies
    /// the field.
    pub fn content_type_starts_with(self, prefix: &str) -> Self {
        self.field_starts_with("Content-Type", prefix)
    }

    /// User metadata `x-amz-meta-NAME: value`.
    pub fn meta(self, name: &str, value: &str) -> Self {
        let mut n = String::from("x-amz-meta-");
        n.push_str(name);
        self.field(&n, value)
    }

    /// User metadata `x-amz-meta-NAME` that must start with `prefix`.
    pub fn meta_starts_with(self, name: &str, prefix: &str) -> Self {
        let mut n = String::from("x-amz-meta-");
        n.push_str(name);
        self.field_starts_with(&n, prefix)
    }

    /// A canned ACL (`private`, `public-read`, `bucket-owner-full-control`, ...).
    pub fn acl(self, acl: &str) -> Self {
        self.field("acl", acl)
    }

    /// The status S3 answers a successful upload with: 200, 201 (with an XML body) or 204
    /// (S3's default).
    pub fn success_action_status(self, status: u16) -> Self {
        match status {
            200 => self.field("success_action_status", "200"),
            201 => self.field("success_action_status", "201"),
            204 => self.field("success_action_status", "204"),
            _ => self.fail(Error::InvalidPostPolicy {
                reason: "success_action_status must be 200, 201 or 204",
            }),
        }
    }

    /// Where S3 redirects the browser after a successful upload.
    pub fn success_action_redirect(self, url: &str) -> Self {
        self.field("success_action_redirect", url)
    }

    /// The object's `Cache-Control`.
    pub fn cache_control(self, value: &str) -> Self {
        self.field("Cache-Control", value)
    }

    /// The object's `Content-Disposition`.
    pub fn content_disposition(self, value: &str) -> Self {
        self.field("Content-Disposition", value)
    }

    /// Asks S3 to check the upload against a checksum: `x-amz-checksum-algorithm` and
    /// `x-amz-checksum-<algorithm>` (the base64 of the digest).
    pub fn checksum(self, algorithm: ChecksumAlgorithm, base64_digest: &str) -> Self {
        match crate::base64::decode(base64_digest) {
            Ok(d) if d.len() == algorithm.len() => self
                .field("x-amz-checksum-algorithm", algorithm.as_str())
                .field(algorithm.field(), base64_digest),
            _ => self.fail(Error::InvalidPostPolicy {
                reason: "the checksum must be the base64 of a digest of the algorithm's size",
            }),
        }
    }

    /// Server-side encryption of the stored object.
    pub fn server_side_encryption(self, sse: &ServerSideEncryption) -> Self {
        let (value, key_id) = match sse {
            ServerSideEncryption::Aes256 => ("AES256", None),
            ServerSideEncryption::AwsKms { key_id } => ("aws:kms", key_id.as_deref()),
            ServerSideEncryption::AwsKmsDsse { key_id } => ("aws:kms:dsse", key_id.as_deref()),
        };
        let s = self.field("x-amz-server-side-encryption", value);
        match key_id {
            Some(k) => s.field("x-amz-server-side-encryption-aws-kms-key-id", k),
            None => s,
        }
    }

    /// Any other field that must equal `value` (it is also put in the form), for example
    /// `x-amz-storage-class` or `tagging`.
    pub fn field(mut self, name: &str, value: &str) -> Self {
        if let Err(e) = check_field(name, value) {
            return self.fail(e);
        }
        self.conditions.push(Condition::Eq {
            field: String::from(name),
            value: String::from(value),
        });
        self.fields.push((String::from(name), String::from(value)));
        self
    }

    /// Any other field that must start with `prefix` (the uploader supplies it).
    pub fn field_starts_with(mut self, name: &str, prefix: &str) -> Self {
        if let Err(e) = check_field(name, prefix) {
            return self.fail(e);
        }
        self.conditions.push(Condition::StartsWith {
            field: String::from(name),
            prefix: String::from(prefix),
        });
        self.open_fields
            .push((String::from(name), String::from(prefix)));
        self
    }

    /// Signs the policy at `now` and returns the form.
    ///
    /// # Errors
    /// The first error of the chain ([`Error::InvalidPostPolicy`], [`Error::InvalidKey`],
    /// [`Error::InvalidHeaderName`], [`Error::InvalidHeaderValue`]), no key condition, or an
    /// expiry outside 1..=max ([`Error::InvalidExpiry`]).
    pub fn sign(&self, signer: &Signer, now: AmzDate) -> Result<PostForm> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        let Some((key_field, key_cond)) = &self.key else {
            return Err(Error::InvalidPostPolicy {
                reason: "no key condition; call key() or key_starts_with()",
            });
        };
        let endpoint = self.bucket.endpoint();
        let expiry = Expiry::from_secs_with_max(self.expires_in, endpoint.max_expiry())?;
        let expiration = now
            .checked_add_secs(expiry.as_secs())
            .ok_or(Error::InvalidDate {
                reason: "expiration after year 9999",
            })?;
        let scope = Scope::new(now, endpoint.region(), "s3")?;
        let creds = signer.credentials();
        let mut credential = String::with_capacity(80);
        credential.push_str(creds.access_key_id());
        credential.push('/');
        credential.push_str(&alloc::format!("{scope}"));

        let mut auth: Vec<(&'static str, String)> = Vec::with_capacity(4);
        auth.push(("x-amz-algorithm", String::from(ALGORITHM)));
        auth.push(("x-amz-credential", credential));
        auth.push(("x-amz-date", String::from(now.as_str())));
        if let Some(t) = creds.session_token() {
            auth.push(("x-amz-security-token", String::from(t)));
        }

        let mut json = String::with_capacity(512);
        json.push_str("{\"expiration\": ");
        json_string(&mut json, &expiration.to_rfc3339());
        json.push_str(", \"conditions\": [");
        let bucket_cond = Condition::Eq {
            field: String::from("bucket"),
            value: String::from(self.bucket.name()),
        };
        let mut first = true;
        let mut sep = |json: &mut String| {
            if !first {
                json.push_str(", ");
            }
            first = false;
        };
        for c in self.conditions.iter().chain([&bucket_cond, key_cond]) {
            sep(&mut json);
            c.write_json(&mut json);
        }
        for (name, value) in &auth {
            sep(&mut json);
            json.push('{');
            json_string(&mut json, name);
            json.push_str(": ");
            json_string(&mut json, value);
            json.push('}');
        }
        json.push_str("]}");

        let policy = crate::base64::encode(json.as_bytes());
        let signature = sign_policy(&signer.signing_key(&scope), &policy);

        let mut fields = Vec::with_capacity(self.fields.len() + 7);
        fields.push((String::from("key"), key_field.clone()));
        fields.extend(self.fields.iter().cloned());
        fields.extend(auth.into_iter().map(|(n, v)| (String::from(n), v)));
        fields.push((String::from("policy"), policy));
        fields.push((
            String::from("x-amz-signature"),
            alloc::format!("{signature}"),
        ));

        let mut action_url = String::from(self.bucket.url_prefix());
        if self.bucket.path_prefix().is_empty() {
            action_url.push('/');
        }
        Ok(PostForm {
            action_url,
            fields,
            open_fields: self.open_fields.clone(),
            expiration,
            policy_json: json,
        })
    }
}

fn check_key(key: &str) -> Result<()> {
    if key.is_empty() || key.len() > 1024 {
        return Err(Error::InvalidKey {
            len: key.len(),
            reason: "object keys are 1..=1024 bytes",
        });
    }
    Ok(())
}

fn check_field(name: &str, value: &str) -> Result<()> {
    crate::sigv4::validate_header_name(name)?;
    let reserved = ["policy", "x-amz-signature", "file", "key", "bucket"]
        .iter()
        .any(|r| r.eq_ignore_ascii_case(name))
        || crate::sigv4::is_reserved_query_name(name);
    if reserved {
        return Err(Error::InvalidHeaderName {
            name: clip(name),
            reason: "this field is set by the policy builder",
        });
    }
    if value.bytes().any(|c| (c < 0x20 && c != b'\t') || c == 0x7f) {
        return Err(Error::InvalidHeaderValue {
            name: clip(name),
            reason: "form values may not contain CR, LF or other control characters",
        });
    }
    Ok(())
}

/// A signed POST form: where to post and the fields to send before the file.
///
/// Send the fields in order as `multipart/form-data`, then the file as the **last** part
/// named `file` (S3 ignores fields after it). With curl:
/// `curl -F key=... -F policy=... ... -F file=@clip.mp4 ACTION_URL`.
///
/// `Debug` hides the signature and session token. Serialises (feature `serde`) to
/// `{"url": "...", "fields": {"key": "...", ...}}`, the shape of boto3's
/// `generate_presigned_post`.
#[derive(Clone, PartialEq, Eq)]
pub struct PostForm {
    action_url: String,
    fields: Vec<(String, String)>,
    open_fields: Vec<(String, String)>,
    expiration: AmzDate,
    policy_json: String,
}

impl PostForm {
    /// The form's `action`: the bucket URL.
    pub fn action_url(&self) -> &str {
        &self.action_url
    }

    /// The fields in the order to send them: `key`, the exact-value fields, then
    /// `x-amz-algorithm`, `x-amz-credential`, `x-amz-date`, `x-amz-security-token` (with
    /// temporary credentials), `policy` and `x-amz-signature`.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The value of a field (name compared case-insensitively).
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Fields the uploader must add, with the prefix their value must start with (from
    /// starts-with conditions such as [`PostPolicy::content_type_starts_with`]).
    pub fn open_fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.open_fields
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// When the policy expires.
    pub fn expiration(&self) -> AmzDate {
        self.expiration
    }

    /// The policy JSON that was base64-encoded into the `policy` field.
    pub fn policy_json(&self) -> &str {
        &self.policy_json
    }

    /// A self-contained HTML form: hidden inputs for the fields, a text input per open
    /// field (pre-filled with its required prefix), a file input and a submit button. Every
    /// value is HTML-escaped.
    ///
    /// ```
    /// # use s3presign::{AmzDate, Credentials, Signer, s3::{Bucket, Endpoint, PostPolicy}};
    /// # let signer = Signer::new(Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"))?;
    /// # let bucket = Bucket::new(&Endpoint::aws("us-east-1")?, "examplebucket")?;
    /// let form = PostPolicy::new(&bucket).key("a\"<b>.txt").sign(&signer, AmzDate::parse("20260101T000000Z")?)?;
    /// let html = form.to_html();
    /// assert!(html.contains(r#"<input type="hidden" name="key" value="a&quot;&lt;b&gt;.txt">"#));
    /// assert!(html.find(r#"name="policy""#) < html.find(r#"type="file""#));
    /// # Ok::<(), s3presign::Error>(())
    /// ```
    pub fn to_html(&self) -> String {
        let mut h = String::with_capacity(2048);
        h.push_str("<form action=\"");
        html_escape(&mut h, &self.action_url);
        h.push_str("\" method=\"post\" enctype=\"multipart/form-data\">\n");
        for (n, v) in &self.fields {
            h.push_str("  <input type=\"hidden\" name=\"");
            html_escape(&mut h, n);
            h.push_str("\" value=\"");
            html_escape(&mut h, v);
            h.push_str("\">\n");
        }
        for (n, v) in &self.open_fields {
            h.push_str("  <label>");
            html_escape(&mut h, n);
            h.push_str(" <input type=\"text\" name=\"");
            html_escape(&mut h, n);
            h.push_str("\" value=\"");
            html_escape(&mut h, v);
            h.push_str("\"></label>\n");
        }
        h.push_str("  <input type=\"file\" name=\"file\">\n");
        h.push_str("  <input type=\"submit\" value=\"Upload\">\n</form>\n");
        h
    }
}

fn html_escape(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

impl fmt::Debug for PostForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Fields<'a>(&'a [(String, String)]);
        impl fmt::Debug for Fields<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map()
                    .entries(self.0.iter().map(|(n, v)| {
                        let hidden = n.eq_ignore_ascii_case("x-amz-signature")
                            || n.eq_ignore_ascii_case("x-amz-security-token");
                        (n.as_str(), if hidden { "[redacted]" } else { v.as_str() })
                    }))
                    .finish()
            }
        }
        f.debug_struct("PostForm")
            .field("action_url", &self.action_url)
            .field("fields", &Fields(&self.fields))
            .field("expiration", &self.expiration)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for PostForm {
    fn serialize<S: serde::Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct Fields<'a>(&'a [(String, String)]);
        impl serde::Serialize for Fields<'_> {
            fn serialize<S: serde::Serializer>(
                &self,
                s: S,
            ) -> core::result::Result<S::Ok, S::Error> {
                s.collect_map(self.0.iter().map(|(n, v)| (n, v)))
            }
        }
        let mut st = s.serialize_struct("PostForm", 2)?;
        st.serialize_field("url", &self.action_url)?;
        st.serialize_field("fields", &Fields(&self.fields))?;
        st.end()
    }
}

/// A parsed POST policy: its expiration and conditions.
///
/// ```
/// use s3presign::s3::{Condition, PolicyDocument};
/// let p = PolicyDocument::parse(br#"{"expiration": "2026-01-01T00:00:00.000Z",
///   "conditions": [{"bucket": "b"}, ["starts-with", "$key", "u/"], ["content-length-range", 0, 10]]}"#)?;
/// assert_eq!(p.expiration().as_str(), "20260101T000000Z");
/// assert_eq!(p.conditions()[2], Condition::ContentLengthRange { min: 0, max: 10 });
/// # Ok::<(), s3presign::s3::PolicyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyDocument {
    expiration: AmzDate,
    conditions: Vec<Condition>,
}

/// Why a policy document was rejected (S3's `InvalidPolicyDocument`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyError {
    reason: &'static str,
}

impl PolicyError {
    /// What was wrong.
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid policy document: {}", self.reason)
    }
}

impl core::error::Error for PolicyError {}

impl PolicyDocument {
    /// Parses policy JSON (the decoded `policy` field): an object with an `expiration`
    /// (RFC 3339, UTC) and a `conditions` array of `{"field": "value"}` objects and
    /// `["eq" | "starts-with", "$field", "value"]` / `["content-length-range", min, max]`
    /// arrays. Unknown top-level members are rejected, as S3 does.
    ///
    /// # Errors
    /// [`PolicyError`] naming the first problem.
    pub fn parse(json: &[u8]) -> core::result::Result<Self, PolicyError> {
        let err = |reason| PolicyError { reason };
        let mut p = json::Parser::new(json);
        let v = p.parse_document().map_err(err)?;
        let json::Value::Object(members) = v else {
            return Err(err("the policy is not a JSON object"));
        };
        let mut expiration = None;
        let mut conditions = None;
        for (k, v) in members {
            match (k.as_str(), v) {
                ("expiration", json::Value::String(s)) if expiration.is_none() => {
                    expiration = Some(
                        AmzDate::parse(&s)
                            .map_err(|_| err("expiration is not an RFC 3339 UTC time"))?,
                    );
                }
                ("conditions", json::Value::Array(items)) if conditions.is_none() => {
                    let mut out = Vec::with_capacity(items.len());
                    for item in items {
                        parse_condition(item, &mut out).map_err(err)?;
                    }
                    conditions = Some(out);
                }
                _ => {
                    return Err(err(
                        "unexpected or repeated member (only expiration and conditions)",
                    ));
                }
            }
        }
        Ok(Self {
            expiration: expiration.ok_or(err("no expiration"))?,
            conditions: conditions.ok_or(err("no conditions"))?,
        })
    }

    /// When the policy expires.
    pub fn expiration(&self) -> AmzDate {
        self.expiration
    }

    /// The conditions, in document order.
    pub fn conditions(&self) -> &[Condition] {
        &self.conditions
    }
}

fn parse_condition(
    v: json::Value,
    out: &mut Vec<Condition>,
) -> core::result::Result<(), &'static str> {
    match v {
        json::Value::Object(members) => {
            if members.is_empty() {
                return Err("empty condition object");
            }
            for (field, value) in members {
                let json::Value::String(value) = value else {
                    return Err("a condition value must be a string");
                };
                out.push(Condition::Eq { field, value });
            }
            Ok(())
        }
        json::Value::Array(items) => {
            let mut it = items.into_iter();
            let (Some(json::Value::String(op)), Some(a), Some(b), None) =
                (it.next(), it.next(), it.next(), it.next())
            else {
                return Err("a condition array has an operator and two operands");
            };
            if op.eq_ignore_ascii_case("content-length-range") {
                let (Some(min), Some(max)) = (a.as_u64(), b.as_u64()) else {
                    return Err("content-length-range bounds must be non-negative integers");
                };
                if min > max {
                    return Err("content-length-range minimum exceeds its maximum");
                }
                out.push(Condition::ContentLengthRange { min, max });
                return Ok(());
            }
            let (json::Value::String(f), json::Value::String(value)) = (a, b) else {
                return Err("eq and starts-with take a \"$field\" and a string");
            };
            let Some(field) = f.strip_prefix('$') else {
                return Err("the field of an eq or starts-with condition starts with '$'");
            };
            let field = String::from(field);
            if op.eq_ignore_ascii_case("eq") {
                out.push(Condition::Eq { field, value });
            } else if op.eq_ignore_ascii_case("starts-with") {
                out.push(Condition::StartsWith {
                    field,
                    prefix: value,
                });
            } else {
                return Err("unknown condition operator");
            }
            Ok(())
        }
        _ => Err("a condition is an object or an array"),
    }
}

/// A minimal JSON reader (RFC 8259) for policy documents: bounded nesting, strict syntax.
mod json {
    use alloc::string::String;
    use alloc::vec::Vec;

    const MAX_DEPTH: usize = 16;

    pub(super) enum Value {
        Null,
        Bool,
        Number(String),
        String(String),
        Array(Vec<Value>),
        Object(Vec<(String, Value)>),
    }

    impl Value {
        /// A non-negative integer, or a string of decimal digits (some SDKs quote the bounds).
        pub(super) fn as_u64(&self) -> Option<u64> {
            let s = match self {
                Value::Number(s) | Value::String(s) => s,
                _ => return None,
            };
            if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        }
    }

    type R<T> = core::result::Result<T, &'static str>;

    pub(super) struct Parser<'a> {
        b: &'a [u8],
        i: usize,
    }

    impl<'a> Parser<'a> {
        pub(super) fn new(b: &'a [u8]) -> Self {
            Self { b, i: 0 }
        }

        pub(super) fn parse_document(&mut self) -> R<Value> {
            let v = self.value(0)?;
            self.ws();
            if self.i != self.b.len() {
                return Err("trailing characters after the JSON document");
            }
            Ok(v)
        }

        fn ws(&mut self) {
            while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.i) {
                self.i += 1;
            }
        }

        fn peek(&self) -> Option<u8> {
            self.b.get(self.i).copied()
        }

        fn eat(&mut self, c: u8) -> bool {
            if self.peek() == Some(c) {
                self.i += 1;
                true
            } else {
                false
            }
        }

        fn literal(&mut self, word: &[u8]) -> R<()> {
            if self.b.get(self.i..self.i + word.len()) == Some(word) {
                self.i += word.len();
                Ok(())
            } else {
                Err("invalid JSON literal")
            }
        }

        fn value(&mut self, depth: usize) -> R<Value> {
            if depth > MAX_DEPTH {
                return Err("JSON nested too deeply");
            }
            self.ws();
            match self.peek() {
                Some(b'{') => {
                    self.i += 1;
                    let mut members = Vec::new();
                    self.ws();
                    if self.eat(b'}') {
                        return Ok(Value::Object(members));
                    }
                    loop {
                        self.ws();
                        if self.peek() != Some(b'"') {
                            return Err("expected a string member name");
                        }
                        let k = self.string()?;
                        self.ws();
                        if !self.eat(b':') {
                            return Err("expected ':'");
                        }
                        let v = self.value(depth + 1)?;
                        members.push((k, v));
                        self.ws();
                        if self.eat(b',') {
                            continue;
                        }
                        if self.eat(b'}') {
                            return Ok(Value::Object(members));
                        }
                        return Err("expected ',' or '}'");
                    }
                }
                Some(b'[') => {
                    self.i += 1;
                    let mut items = Vec::new();
                    self.ws();
                    if self.eat(b']') {
                        return Ok(Value::Array(items));
                    }
                    loop {
                        items.push(self.value(depth + 1)?);
                        self.ws();
                        if self.eat(b',') {
                            continue;
                        }
                        if self.eat(b']') {
                            return Ok(Value::Array(items));
                        }
                        return Err("expected ',' or ']'");
                    }
                }
                Some(b'"') => Ok(Value::String(self.string()?)),
                Some(b't') => self.literal(b"true").map(|()| Value::Bool),
                Some(b'f') => self.literal(b"false").map(|()| Value::Bool),
                Some(b'n') => self.literal(b"null").map(|()| Value::Null),
                Some(b'-' | b'0'..=b'9') => self.number(),
                _ => Err("expected a JSON value"),
            }
        }

        fn number(&mut self) -> R<Value> {
            let start = self.i;
            self.eat(b'-');
            let int_start = self.i;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.i += 1;
            }
            let int = &self.b[int_start..self.i];
            if int.is_empty() || (int.len() > 1 && int[0] == b'0') {
                return Err("invalid JSON number");
            }
            if self.eat(b'.') {
                let s = self.i;
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.i += 1;
                }
                if s == self.i {
                    return Err("invalid JSON number");
                }
            }
            if self.peek().is_some_and(|c| c == b'e' || c == b'E') {
                self.i += 1;
                if !self.eat(b'+') {
                    self.eat(b'-');
                }
                let s = self.i;
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.i += 1;
                }
                if s == self.i {
                    return Err("invalid JSON number");
                }
            }
            let text =
                core::str::from_utf8(&self.b[start..self.i]).map_err(|_| "invalid JSON number")?;
            Ok(Value::Number(String::from(text)))
        }

        fn hex4(&mut self) -> R<u32> {
            let h = self
                .b
                .get(self.i..self.i + 4)
                .ok_or("truncated \\u escape")?;
            let mut v = 0u32;
            for &c in h {
                let d = (c as char).to_digit(16).ok_or("invalid \\u escape")?;
                v = v * 16 + d;
            }
            self.i += 4;
            Ok(v)
        }

        fn string(&mut self) -> R<String> {
            // Caller checked the opening quote.
            self.i += 1;
            let mut out = String::new();
            loop {
                let start = self.i;
                while let Some(c) = self.peek() {
                    if c == b'"' || c == b'\\' || c < 0x20 {
                        break;
                    }
                    self.i += 1;
                }
                let chunk = core::str::from_utf8(&self.b[start..self.i])
                    .map_err(|_| "invalid UTF-8 in a JSON string")?;
                out.push_str(chunk);
                match self.peek() {
                    Some(b'"') => {
                        self.i += 1;
                        return Ok(out);
                    }
                    Some(b'\\') => {
                        self.i += 1;
                        let e = self.peek().ok_or("truncated escape")?;
                        self.i += 1;
                        match e {
                            b'"' => out.push('"'),
                            b'\\' => out.push('\\'),
                            b'/' => out.push('/'),
                            b'b' => out.push('\u{8}'),
                            b'f' => out.push('\u{c}'),
                            b'n' => out.push('\n'),
                            b'r' => out.push('\r'),
                            b't' => out.push('\t'),
                            b'u' => {
                                let hi = self.hex4()?;
                                let cp = if (0xd800..0xdc00).contains(&hi) {
                                    if !(self.eat(b'\\') && self.eat(b'u')) {
                                        return Err("unpaired surrogate in a JSON string");
                                    }
                                    let lo = self.hex4()?;
                                    if !(0xdc00..0xe000).contains(&lo) {
                                        return Err("unpaired surrogate in a JSON string");
                                    }
                                    0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00)
                                } else {
                                    hi
                                };
                                out.push(
                                    char::from_u32(cp)
                                        .ok_or("unpaired surrogate in a JSON string")?,
                                );
                            }
                            _ => return Err("invalid escape in a JSON string"),
                        }
                    }
                    Some(_) => return Err("control character in a JSON string"),
                    None => return Err("unterminated JSON string"),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn json_string_escapes_like_python() {
        let mut s = String::new();
        json_string(&mut s, "a\"b\\c\n\t\u{1}\u{7f}é😀/");
        // Python: json.dumps('a"b\\c\n\t\x01\x7f\u00e9\U0001f600/')
        assert_eq!(s, r#""a\"b\\c\n\t\u0001\u007f\u00e9\ud83d\ude00/""#);
    }

    #[test]
    fn parser_round_trips_our_output() {
        let c = [
            Condition::Eq {
                field: "k\"ey".into(),
                value: "v\u{0}é😀".into(),
            },
            Condition::StartsWith {
                field: "key".into(),
                prefix: "".into(),
            },
            Condition::ContentLengthRange {
                min: 0,
                max: u64::MAX,
            },
        ];
        let mut j = String::from("{\"expiration\": \"2026-01-01T00:00:00Z\", \"conditions\": [");
        for (i, x) in c.iter().enumerate() {
            if i > 0 {
                j.push_str(", ");
            }
            x.write_json(&mut j);
        }
        j.push_str("]}");
        let p = PolicyDocument::parse(j.as_bytes()).unwrap();
        assert_eq!(p.conditions(), &c);
    }

    #[test]
    fn parser_rejects() {
        for bad in [
            &b"{"[..],
            b"[]",
            b"{\"expiration\": \"2026-01-01T00:00:00Z\"}",
            b"{\"expiration\": \"2026-01-01T00:00:00Z\", \"conditions\": [], \"x\": 1}",
            b"{\"expiration\": \"2026-01-01T00:00:00Z\", \"conditions\": [[\"starts-with\", \"key\", \"a\"]]}",
            b"{\"expiration\": \"2026-01-01T00:00:00Z\", \"conditions\": [[\"content-length-range\", 5, 1]]}",
            b"{\"expiration\": \"2026-01-01T00:00:00Z\", \"conditions\": [[\"content-length-range\", -1, 1]]}",
            b"{\"expiration\": \"2026-01-01T00:00:00Z\", \"conditions\": [{\"a\": 1}]}",
            b"{\"expiration\": \"2026-01-01T00:00:00Z\", \"conditions\": [\"\\ud800\"]}",
            b"{\"expiration\": \"2026-01-01T00:00:00Z\", \"conditions\": []} x",
            b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
        ] {
            assert!(PolicyDocument::parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn aws_doc_post_example_signature() {
        // sigv4-post-example.html: the policy text as published, and its signature.
        let key = SigningKey::derive(
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "20151229",
            "us-east-1",
            "s3",
        );
        let policy = "eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9";
        assert_eq!(
            sign_policy(&key, policy).to_string(),
            "8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e"
        );
        // And the published policy parses.
        let doc = PolicyDocument::parse(&crate::base64::decode(policy).unwrap()).unwrap();
        assert_eq!(doc.conditions().len(), 11);
    }
}
