//! [`PostPolicy`]: the builder that writes and signs a policy and returns its form.

use alloc::string::String;
use alloc::vec::Vec;

use super::condition::Condition;
use super::form::PostForm;
use super::json::json_string;
use crate::error::{Error, Result, clip};
use crate::expiry::Expiry;
use crate::s3::bucket::Bucket;
use crate::sigv4::{ALGORITHM, Scope, Signature, Signer, SigningKey};
use crate::time::AmzDate;

/// The default lifetime of a POST policy, as in botocore and the JS SDK: one hour.
pub const DEFAULT_POST_EXPIRY_SECS: u64 = 3600;

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

    /// Signs the policy at `now` and returns the form. The policy's expiration is cut to
    /// the signer's credentials when they expire first ([`PostForm::expiry_cause`]).
    ///
    /// # Errors
    /// The first error of the chain ([`Error::InvalidPostPolicy`], [`Error::InvalidKey`],
    /// [`Error::InvalidHeaderName`], [`Error::InvalidHeaderValue`]), no key condition, an
    /// expiry outside 1..=max ([`Error::InvalidExpiry`]), or [`Error::CredentialsExpired`].
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
        let (expiry, expiry_cause) =
            Expiry::from_secs_with_max(self.expires_in, endpoint.max_expiry())?
                .within_credentials(signer.credentials(), now)?;
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
        scope.write_to(&mut credential);

        let mut auth: Vec<(&'static str, String)> = Vec::with_capacity(4);
        auth.push(("x-amz-algorithm", String::from(ALGORITHM)));
        auth.push(("x-amz-credential", credential));
        auth.push(("x-amz-date", String::from(now.as_str())));
        if let Some(t) = creds.session_token() {
            auth.push(("x-amz-security-token", String::from(t)));
        }

        let json = self.policy_json(expiration, key_cond, &auth);

        let policy = crate::base64::encode(json.as_bytes());
        let signature = sign_policy(&signer.signing_key(&scope), &policy);

        let mut fields = Vec::with_capacity(self.fields.len() + 7);
        fields.push((String::from("key"), key_field.clone()));
        fields.extend(self.fields.iter().cloned());
        fields.extend(auth.into_iter().map(|(n, v)| (String::from(n), v)));
        fields.push((String::from("policy"), policy));
        let mut hex = String::with_capacity(64);
        crate::sigv4::text::push_hex32(&mut hex, signature.as_bytes());
        fields.push((String::from("x-amz-signature"), hex));

        let mut action_url = String::from(self.bucket.url_prefix());
        if self.bucket.path_prefix().is_empty() {
            action_url.push('/');
        }
        Ok(PostForm {
            action_url,
            fields,
            open_fields: self.open_fields.clone(),
            expiration,
            expiry_cause,
            policy_json: json,
        })
    }

    /// The policy JSON, as botocore writes it: the conditions in the order they were added,
    /// then `bucket`, the key condition and the signing fields.
    fn policy_json(
        &self,
        expiration: AmzDate,
        key_cond: &Condition,
        auth: &[(&'static str, String)],
    ) -> String {
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
        for (name, value) in auth {
            sep(&mut json);
            json.push('{');
            json_string(&mut json, name);
            json.push_str(": ");
            json_string(&mut json, value);
            json.push('}');
        }
        json.push_str("]}");
        json
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

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

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
        let doc =
            super::super::PolicyDocument::parse(&crate::base64::decode(policy).unwrap()).unwrap();
        assert_eq!(doc.conditions().len(), 11);
    }
}
