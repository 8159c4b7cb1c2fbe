//! [`GetBatch`]: presigned GET URLs for many keys with one credential, time and expiry.
//!
//! Everything that does not depend on the key is prepared once when the batch is made: the
//! signing key (one cache lookup or derivation for the whole batch), the `X-Amz-*` query
//! string, the tail of the canonical request after the path, and the HMAC state that has
//! already absorbed the constant first lines of the string to sign. Each URL then costs one
//! SHA-256 of its canonical request, the rest of one HMAC, and writing the URL.

use alloc::string::String;

use super::bucket::{Bucket, validate_key};
use crate::error::{Error, Result};
use crate::expiry::{Expiry, ExpiryCause};
use crate::sigv4::text::{HashSink, Set, Sink, hex32_bytes, uri_encode_into, uri_encoded_len};
use crate::sigv4::{
    Canonical, HeadState, HostOnly, QueryAuth, Scope, Signature, Signer, UNSIGNED_PAYLOAD,
    write_head, write_query, write_signature, write_tail,
};
use crate::time::AmzDate;

/// Presigns `GetObject` URLs for many keys of one bucket with the same signer, time and
/// expiry; made by [`Bucket::presign_get_batch`]. Each URL is byte for byte the one
/// [`Bucket::get_object`]`(key).expires_in(secs).sign_url(signer, now)` returns.
///
/// ```
/// use s3presign::{AmzDate, Credentials, Signer, s3::{Bucket, Endpoint}};
/// let signer = Signer::new(Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"))?;
/// let bucket = Bucket::new(&Endpoint::aws("us-east-1")?, "examplebucket")?;
/// let now = AmzDate::parse("20130524T000000Z")?;
/// let batch = bucket.presign_get_batch(3600, &signer, now)?;
///
/// // One URL per key, each a new String...
/// let urls: Vec<String> = batch.urls(["a.txt", "b.txt"]).collect::<Result<_, _>>()?;
/// assert_eq!(urls[1], bucket.get_object("b.txt").expires_in(3600).sign_url(&signer, now)?);
///
/// // ...or all into one reused buffer, without allocating once it is large enough.
/// let mut out = String::with_capacity(4096);
/// for key in ["a.txt", "b.txt"] {
///     batch.sign_into(key, &mut out)?;
///     out.push('\n');
/// }
/// assert_eq!(out.lines().next(), Some(urls[0].as_str()));
/// # Ok::<(), s3presign::Error>(())
/// ```
#[derive(Clone)]
pub struct GetBatch<'a> {
    bucket: &'a Bucket,
    expires_at: AmzDate,
    expiry_cause: ExpiryCause,
    /// `X-Amz-Algorithm=...&X-Amz-SignedHeaders=host`, as sent and as signed.
    query: String,
    /// The canonical request after the method and path: `{query}\nhost:{host}\n\nhost\n`
    /// `UNSIGNED-PAYLOAD`.
    creq_tail: String,
    /// The signing key's HMAC state after the string to sign's first three lines.
    // Pre-absorbing the constant 69+ bytes saves one SHA-256 block per URL.
    head: HeadState,
}

impl Bucket {
    /// Prepares presigned GETs of many keys with one signer, time and expiry (`secs`,
    /// 1..=the endpoint's maximum), cut to the signer's credentials if they expire first
    /// ([`GetBatch::expiry_cause`]). The signing key is looked up (or derived) once here.
    ///
    /// # Errors
    /// [`Error::InvalidExpiry`] for an expiry out of range, [`Error::InvalidDate`] if the
    /// expiry ends after year 9999, [`Error::CredentialsExpired`], and the scope errors of
    /// [`Scope::new`].
    pub fn presign_get_batch<'a>(
        &'a self,
        secs: u64,
        signer: &Signer,
        now: AmzDate,
    ) -> Result<GetBatch<'a>> {
        let (expiry, expiry_cause) =
            Expiry::from_secs_with_max(secs, self.endpoint().max_expiry())?
                .within_credentials(signer.credentials(), now)?;
        let expires_at = now
            .checked_add_secs(expiry.as_secs())
            .ok_or(Error::InvalidDate {
                reason: "the expiry time is after year 9999",
            })?;
        let scope = Scope::new(now, self.endpoint().region(), "s3")?;
        let auth = QueryAuth {
            encoded_access_key_id: signer.encoded_access_key_id(),
            scope,
            expires: expiry.as_secs(),
            encoded_session_token: signer.encoded_session_token(),
            signed_headers: HostOnly,
        };
        let mut query = String::with_capacity(256);
        write_query(&mut query, &auth, core::iter::empty::<(String, String)>());
        let mut creq_tail = String::with_capacity(query.len() + self.host().len() + 40);
        let host = Canonical(core::iter::once(("host", self.host())));
        write_tail(&mut creq_tail, query.as_str(), &host, UNSIGNED_PAYLOAD)?;
        let key = signer.signing_key(&scope);
        let head = HeadState::for_scope(key.pads(), &scope);
        Ok(GetBatch {
            bucket: self,
            expires_at,
            expiry_cause,
            query,
            creq_tail,
            head,
        })
    }
}

impl<'a> GetBatch<'a> {
    /// When every URL of this batch expires.
    pub fn expires_at(&self) -> AmzDate {
        self.expires_at
    }

    /// Why the URLs expire at [`Self::expires_at`]: as requested, or cut because the
    /// signer's credentials expire sooner.
    pub fn expiry_cause(&self) -> ExpiryCause {
        self.expiry_cause
    }

    /// Appends the presigned URL of `key` to `out`. Allocates nothing when `out` has room.
    /// On error `out` is left as it was.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] for an empty key or one over 1024 bytes.
    pub fn sign_into(&self, key: &str, out: &mut String) -> Result<()> {
        validate_key(key)?;
        let prefix = self.bucket.url_prefix();
        // One reservation: the URL is then written without reallocating.
        let key_len = uri_encoded_len(key.as_bytes(), Set::Path);
        out.reserve(prefix.len() + 2 + key_len + self.query.len() + 81);
        out.push_str(prefix);
        let path_start = out.len() - self.bucket.path_prefix().len();
        out.push('/');
        uri_encode_into(out, key, Set::Path);
        let path_end = out.len();
        out.push('?');
        out.push_str(&self.query);

        // Canonical request: method, the path just written, then the prepared tail.
        let mut hash = HashSink::new();
        write_head(&mut hash, "GET", &out[path_start..path_end])?;
        hash.put(&self.creq_tail);
        let mut hex = [0u8; 64];
        hex32_bytes(&hash.finish(), &mut hex);
        let signature = Signature::from_bytes(self.head.finish(&hex));
        write_signature(out, &signature);
        Ok(())
    }

    /// The presigned URL of `key` (one allocation).
    ///
    /// # Errors
    /// As [`Self::sign_into`].
    pub fn sign_url(&self, key: &str) -> Result<String> {
        let mut out = String::new();
        self.sign_into(key, &mut out)?;
        Ok(out)
    }

    /// The presigned URLs of `keys`, in order, one `String` each.
    pub fn urls<'b, I>(&'b self, keys: I) -> impl Iterator<Item = Result<String>> + 'b
    where
        I: IntoIterator + 'b,
        I::Item: AsRef<str>,
    {
        keys.into_iter().map(move |k| self.sign_url(k.as_ref()))
    }
}

impl core::fmt::Debug for GetBatch<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The query holds the session token and the state is keyed: neither is shown.
        f.debug_struct("GetBatch")
            .field("bucket", &self.bucket.name())
            .field("expires_at", &self.expires_at)
            .field("expiry_cause", &self.expiry_cause)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Credentials;
    use crate::s3::Endpoint;

    #[test]
    fn batch_urls_equal_single_presigns() {
        let now = AmzDate::parse("20130524T000000Z").unwrap();
        let plain = Signer::new(Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        ))
        .unwrap();
        let token = Signer::new(
            Credentials::new(
                "AKIAIOSFODNN7EXAMPLE",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            )
            .with_session_token("FQoGZXIvYXdzE+/=token"),
        )
        .unwrap();
        let aws = Endpoint::aws("eu-west-3").unwrap();
        let minio = Endpoint::custom("http://127.0.0.1:9000/base", "us-east-1").unwrap();
        let buckets = [
            Bucket::new(&aws, "examplebucket").unwrap(),
            Bucket::new(&minio, "examplebucket").unwrap(),
        ];
        let keys = ["test.txt", "/a//b/../c/./ d+e=f&g?h#i%j~k", "é/ü", "x/"];
        for bucket in &buckets {
            for signer in [&plain, &token] {
                let batch = bucket.presign_get_batch(20, signer, now).unwrap();
                let mut buf = String::from("keep:");
                for key in keys {
                    let single = bucket
                        .get_object(key)
                        .expires_in(20)
                        .sign_url(signer, now)
                        .unwrap();
                    assert_eq!(batch.sign_url(key).unwrap(), single);
                    buf.truncate(5);
                    batch.sign_into(key, &mut buf).unwrap();
                    assert_eq!(&buf[5..], single);
                }
                assert!(batch.sign_into("", &mut buf).is_err());
                assert!(buf.starts_with("keep:"));
            }
        }
    }

    #[test]
    fn the_aws_documentation_example() {
        let signer = Signer::new(Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        ))
        .unwrap();
        let endpoint = Endpoint::aws("us-east-1")
            .unwrap()
            .with_us_east_1(crate::s3::UsEast1Endpoint::Global);
        let bucket = Bucket::new(&endpoint, "examplebucket").unwrap();
        let now = AmzDate::parse("20130524T000000Z").unwrap();
        let batch = bucket.presign_get_batch(86400, &signer, now).unwrap();
        assert!(batch.sign_url("test.txt").unwrap().ends_with(
            "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        ));
        assert!(bucket.presign_get_batch(0, &signer, now).is_err());
        assert!(bucket.presign_get_batch(604_801, &signer, now).is_err());
    }
}
