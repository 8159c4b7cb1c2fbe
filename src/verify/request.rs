//! What the verifier is given ([`IncomingRequest`], [`PostSubmission`], a [`SecretLookup`])
//! and what it returns ([`Verified`]).

use alloc::string::String;
use core::borrow::Borrow;
use core::fmt;

use super::credential::CredentialScope;
use super::redact;
use crate::credentials::Credentials;
use crate::sigv4::{Payload, UNSIGNED_PAYLOAD};
use crate::time::AmzDate;

/// Where the verifier gets secrets: credentials (secret and, for temporary credentials, the
/// session token the request must carry) by access key id.
///
/// Any `Fn(&str) -> Option<C>` is a lookup, where `C` is [`Credentials`] or a cheap handle
/// to them (`Arc<Credentials>`, `&'static Credentials`): a lookup that hands out shared
/// credentials does not allocate.
///
/// ```
/// use std::sync::Arc;
/// use s3presign::Credentials;
/// use s3presign::verify::Verifier;
/// let creds = Arc::new(Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"));
/// let verifier = Verifier::new(move |id: &str| (id == creds.access_key_id()).then(|| creds.clone()));
/// # let _ = verifier;
/// ```
pub trait SecretLookup {
    /// What a lookup returns: [`Credentials`] or something that borrows as them.
    type Credentials: Borrow<Credentials>;

    /// The credentials for `access_key_id`, or `None` if it is unknown.
    fn credentials(&self, access_key_id: &str) -> Option<Self::Credentials>;
}

impl<F, C> SecretLookup for F
where
    F: Fn(&str) -> Option<C>,
    C: Borrow<Credentials>,
{
    type Credentials = C;

    fn credentials(&self, access_key_id: &str) -> Option<C> {
        self(access_key_id)
    }
}

/// A request as received: method, path and query exactly as on the wire (path
/// percent-encoded, query without `?`), and all headers including `host`.
///
/// `Debug` hides the signature (of the `Authorization` header and of `X-Amz-Signature`) and
/// the session token.
#[derive(Clone, Copy)]
pub struct IncomingRequest<'a> {
    pub(super) method: &'a str,
    pub(super) path: &'a str,
    pub(super) query: &'a str,
    pub(super) headers: &'a [(&'a str, &'a str)],
}

impl<'a> IncomingRequest<'a> {
    /// Describes a received request.
    pub fn new(
        method: &'a str,
        path: &'a str,
        query: &'a str,
        headers: &'a [(&'a str, &'a str)],
    ) -> Self {
        Self {
            method,
            path,
            query,
            headers,
        }
    }

    pub(super) fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }
}

/// A POST upload as received: the bucket it was posted to, the form fields before the file
/// (in any order), the file's size in bytes and, if known, its filename (S3 substitutes it
/// for `${filename}` in the key).
///
/// `Debug` hides `x-amz-signature` and `x-amz-security-token`.
#[derive(Clone, Copy)]
pub struct PostSubmission<'a> {
    pub(super) bucket: &'a str,
    pub(super) fields: &'a [(&'a str, &'a str)],
    pub(super) file_size: u64,
    pub(super) filename: Option<&'a str>,
}

impl<'a> PostSubmission<'a> {
    /// Describes a received POST upload.
    pub fn new(bucket: &'a str, fields: &'a [(&'a str, &'a str)], file_size: u64) -> Self {
        Self {
            bucket,
            fields,
            file_size,
            filename: None,
        }
    }

    /// The uploaded file's name (from the `file` part's `Content-Disposition`).
    #[must_use]
    pub fn with_filename(mut self, filename: &'a str) -> Self {
        self.filename = Some(filename);
        self
    }
}

impl fmt::Debug for IncomingRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IncomingRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &redact::Query(self.query))
            .field("headers", &redact::Headers(self.headers))
            .finish()
    }
}

impl fmt::Debug for PostSubmission<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostSubmission")
            .field("bucket", &self.bucket)
            .field("fields", &redact::Fields(self.fields))
            .field("file_size", &self.file_size)
            .field("filename", &self.filename)
            .finish()
    }
}

impl fmt::Debug for Verified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verified")
            .field("method", &self.method)
            .field("access_key_id", &self.access_key_id())
            .field("region", &self.region())
            .field("signed_at", &self.signed_at)
            .field("expires_at", &self.expires_at())
            .field("payload_hash", &self.payload_hash())
            .field("key", &self.key)
            .finish()
    }
}

/// How a verified request was authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthMethod {
    /// A presigned URL (`X-Amz-*` query parameters).
    QueryString,
    /// An `Authorization` header.
    AuthorizationHeader,
    /// A POST policy.
    PostPolicy,
}

/// When a verified request expires: never (header signing), at a time (a POST policy's
/// expiration), or some seconds after it was signed (a presigned URL; computed when asked).
#[derive(Clone, Copy)]
pub(super) enum Expires {
    Never,
    At(AmzDate),
    After(u64),
}

/// A successfully verified request.
#[derive(Clone)]
pub struct Verified {
    method: AuthMethod,
    /// The access key id, the region and the payload hash, one after the other;
    /// `region_at` and `hash_at` are where the last two start.
    text: ScopeText,
    region_at: usize,
    hash_at: usize,
    signed_at: AmzDate,
    expires: Expires,
    pub(super) key: Option<String>,
}

/// Room for an access key id of 20 bytes, a region of up to 12 and a payload hash (64):
/// verifying a request of AWS's shape does not allocate for them. (Longer ones, up to the
/// parsers' limits of 128, 64 and 64 bytes, go on the heap.)
const INLINE: usize = 96;

/// Text held in the value itself when it fits, else on the heap.
#[derive(Clone)]
enum ScopeText {
    Inline([u8; INLINE], usize),
    Heap(String),
}

impl ScopeText {
    fn new(parts: [&str; 3]) -> Self {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        if len > INLINE {
            return Self::Heap(parts.concat());
        }
        let mut buf = [0u8; INLINE];
        let mut at = 0;
        for part in parts {
            if let Some(dst) = buf.get_mut(at..at + part.len()) {
                dst.copy_from_slice(part.as_bytes());
            }
            at += part.len();
        }
        Self::Inline(buf, len)
    }

    /// The bytes `range` of the text (the joined strings, cut where they were joined).
    fn get(&self, range: core::ops::Range<usize>) -> &str {
        let bytes = match self {
            Self::Inline(buf, len) => buf.get(..*len).and_then(|b| b.get(range)),
            Self::Heap(s) => s.as_bytes().get(range),
        };
        // Whole strings copied in `new`: valid UTF-8 by construction.
        bytes
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or("\u{FFFD}")
    }

    fn len(&self) -> usize {
        match self {
            Self::Inline(_, len) => *len,
            Self::Heap(s) => s.len(),
        }
    }
}

impl PartialEq for Verified {
    fn eq(&self, other: &Self) -> bool {
        self.method == other.method
            && self.access_key_id() == other.access_key_id()
            && self.region() == other.region()
            && self.payload_hash() == other.payload_hash()
            && self.signed_at == other.signed_at
            && self.expires_at() == other.expires_at()
            && self.key == other.key
    }
}

impl Eq for Verified {}

impl Verified {
    pub(super) fn new(
        method: AuthMethod,
        scope: &CredentialScope<'_>,
        signed_at: AmzDate,
        expires: Expires,
        payload: Payload<'_>,
    ) -> Self {
        let hash = match payload {
            Payload::Precomputed(v) => v,
            _ => UNSIGNED_PAYLOAD,
        };
        let region_at = scope.access_key_id.len();
        let hash_at = region_at + scope.region.len();
        Self {
            method,
            text: ScopeText::new([scope.access_key_id, scope.region, hash]),
            region_at,
            hash_at,
            signed_at,
            expires,
            key: None,
        }
    }

    /// How it was authenticated.
    pub fn auth_method(&self) -> AuthMethod {
        self.method
    }

    /// Who signed it.
    pub fn access_key_id(&self) -> &str {
        self.text.get(0..self.region_at)
    }

    /// The region of the credential scope.
    pub fn region(&self) -> &str {
        self.text.get(self.region_at..self.hash_at)
    }

    /// `X-Amz-Date`.
    pub fn signed_at(&self) -> AmzDate {
        self.signed_at
    }

    /// When a presigned URL or a POST policy expires.
    pub fn expires_at(&self) -> Option<AmzDate> {
        match self.expires {
            Expires::Never => None,
            Expires::At(t) => Some(t),
            Expires::After(secs) => self.signed_at.checked_add_secs(secs),
        }
    }

    /// The payload hash that was signed: `UNSIGNED-PAYLOAD` or the hex SHA-256 claimed in
    /// `x-amz-content-sha256`. The verifier does not read bodies: when it is a hash, compare
    /// it with the SHA-256 of the body you receive.
    pub fn payload_hash(&self) -> &str {
        self.text.get(self.hash_at..self.text.len())
    }

    /// For a POST upload, the object key (after `${filename}` substitution).
    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verified(id: &str, region: &str, payload: Payload<'_>) -> Verified {
        let scope = CredentialScope {
            access_key_id: id,
            date: "20261125",
            region,
            service: "s3",
        };
        let at = AmzDate::parse("20261125T120000Z").unwrap();
        Verified::new(AuthMethod::QueryString, &scope, at, Expires::Never, payload)
    }

    #[test]
    fn the_scope_reads_back_held_inline_or_on_the_heap() {
        let hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let long_id = "A".repeat(200);
        for (id, region, payload, inline) in [
            ("AKIDEXAMPLE", "us-east-1", Payload::Unsigned, true),
            ("", "eu-west-1", Payload::Precomputed(hash), true),
            (
                "AKIAIOSFODNN7EXAMPLE",
                "ap-southeast",
                Payload::Precomputed(hash),
                true,
            ),
            (
                &"K".repeat(128),
                &"r".repeat(64),
                Payload::Precomputed(hash),
                false,
            ),
            (&long_id, "ap-south-1", Payload::Precomputed(hash), false),
        ] {
            let v = verified(id, region, payload);
            assert_eq!(matches!(v.text, ScopeText::Inline(..)), inline, "{id}");
            assert_eq!(v.access_key_id(), id);
            assert_eq!(v.region(), region);
            let expected = match payload {
                Payload::Precomputed(h) => h,
                _ => UNSIGNED_PAYLOAD,
            };
            assert_eq!(v.payload_hash(), expected);
            assert!(v == v.clone());
        }
    }
}
