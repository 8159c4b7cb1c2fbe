//! [`PresignedRequest`]: what a holder needs to make the request.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::expiry::ExpiryCause;
use crate::sigv4::param;
use crate::time::AmzDate;

/// A presigned request: the method, the URL, the headers the holder must send exactly as
/// given, and when it expires. Serialises (feature `serde`) to
/// `{"method": "PUT", "url": "...", "headers": {"content-type": "video/mp4"}, "expires_at": "2013-05-24T00:01:00Z"}`
/// so a backend can hand it to a browser as it is.
///
/// The URL is a bearer credential: `Debug` shows it with the signature and any session
/// token replaced by `[redacted]`.
///
/// ```
/// use s3presign::{AmzDate, Credentials, Signer, s3::{Bucket, Endpoint}};
/// let signer = Signer::new(Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"))?;
/// let bucket = Bucket::new(&Endpoint::aws("us-east-1")?, "examplebucket")?;
/// let get = bucket.get_object("test.txt").expires_in(20).sign(&signer, AmzDate::parse("20130524T000000Z")?)?;
/// assert_eq!(get.expires_at().to_rfc3339(), "2013-05-24T00:00:20Z");
/// assert!(format!("{get:?}").contains("X-Amz-Signature=[redacted]"));
/// # Ok::<(), s3presign::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct PresignedRequest {
    method: Cow<'static, str>,
    url: String,
    headers: Vec<(String, String)>,
    expires_at: AmzDate,
    expiry_cause: ExpiryCause,
}

impl PresignedRequest {
    pub(crate) fn new(
        method: Cow<'static, str>,
        url: String,
        headers: Vec<(String, String)>,
        expires_at: AmzDate,
    ) -> Self {
        Self {
            method,
            url,
            headers,
            expires_at,
            expiry_cause: ExpiryCause::Requested,
        }
    }

    pub(crate) fn with_expiry_cause(mut self, cause: ExpiryCause) -> Self {
        self.expiry_cause = cause;
        self
    }

    /// The HTTP method.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The presigned URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Consumes the request and returns the URL.
    pub fn into_url(self) -> String {
        self.url
    }

    /// The headers to send (lowercase names, sorted; `host` is left to the HTTP client).
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// When the URL stops working: the requested expiry, or the signer's credentials'
    /// expiry if that came first (see [`Self::expiry_cause`]).
    pub fn expires_at(&self) -> AmzDate {
        self.expires_at
    }

    /// Why the URL expires at [`Self::expires_at`]: as requested, or cut because the
    /// signer's credentials expire sooner.
    pub fn expiry_cause(&self) -> ExpiryCause {
        self.expiry_cause
    }

    /// Whether the expiry is shorter than requested (the credentials expire first).
    pub fn expiry_shortened(&self) -> bool {
        self.expiry_cause != ExpiryCause::Requested
    }
}

/// The URL with the values of `X-Amz-Signature` and `X-Amz-Security-Token` hidden.
pub(crate) fn redact_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some(p) => p,
        None => return String::from(url),
    };
    let mut out = String::with_capacity(url.len());
    out.push_str(base);
    out.push('?');
    for (i, pair) in query.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match pair.split_once('=') {
            Some((n, _))
                if n.eq_ignore_ascii_case(param::SIGNATURE)
                    || n.eq_ignore_ascii_case(param::SECURITY_TOKEN) =>
            {
                out.push_str(n);
                out.push_str("=[redacted]");
            }
            _ => out.push_str(pair),
        }
    }
    out
}

impl fmt::Debug for PresignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PresignedRequest")
            .field("method", &self.method)
            .field("url", &redact_url(&self.url))
            .field("headers", &self.headers)
            .field("expires_at", &self.expires_at)
            .field("expiry_cause", &self.expiry_cause)
            .finish()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for PresignedRequest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeStruct};
        struct Headers<'a>(&'a [(String, String)]);
        impl serde::Serialize for Headers<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(self.0.len()))?;
                for (n, v) in self.0 {
                    m.serialize_entry(n, v)?;
                }
                m.end()
            }
        }
        let mut st = s.serialize_struct("PresignedRequest", 4)?;
        st.serialize_field("method", &self.method)?;
        st.serialize_field("url", &self.url)?;
        st.serialize_field("headers", &Headers(&self.headers))?;
        st.serialize_field("expires_at", &self.expires_at.to_rfc3339())?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction() {
        assert_eq!(
            redact_url("https://h/k?X-Amz-Security-Token=abc&a=b&X-Amz-Signature=0123"),
            "https://h/k?X-Amz-Security-Token=[redacted]&a=b&X-Amz-Signature=[redacted]"
        );
        assert_eq!(redact_url("https://h/k"), "https://h/k");
    }
}
