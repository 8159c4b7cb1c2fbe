//! Step 2: the [credential scope and string to sign](https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#create-string-to-sign).

use core::fmt;

use crate::error::{Error, Result, clip};
use crate::time::AmzDate;

/// The credential scope, `20150830/us-east-1/service/aws4_request`.
///
/// ```
/// use s3presign::{AmzDate, sigv4::Scope};
/// let scope = Scope::new(AmzDate::parse("20150830T123600Z")?, "us-east-1", "s3")?;
/// assert_eq!(scope.to_string(), "20150830/us-east-1/s3/aws4_request");
/// # Ok::<(), s3presign::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope<'a> {
    date: AmzDate,
    region: &'a str,
    service: &'a str,
}

impl<'a> Scope<'a> {
    /// A scope for `date`'s day, `region` and `service`.
    ///
    /// # Errors
    /// [`Error::InvalidScope`] if the region or service is empty, longer than 64 bytes, or
    /// has characters other than letters, digits, `-`, `_` and `.`.
    pub fn new(date: AmzDate, region: &'a str, service: &'a str) -> Result<Self> {
        validate_scope_part("region", region)?;
        validate_scope_part("service", service)?;
        Ok(Self {
            date,
            region,
            service,
        })
    }

    /// The request time this scope was made for.
    pub fn date(&self) -> AmzDate {
        self.date
    }

    /// The region.
    pub fn region(&self) -> &'a str {
        self.region
    }

    /// The service.
    pub fn service(&self) -> &'a str {
        self.service
    }

    /// Writes the scope into `out` (no allocation beyond growing `out`).
    pub(crate) fn write_to<S: super::Sink>(&self, out: &mut S) {
        out.put(self.date.date_str());
        out.put("/");
        out.put(self.region);
        out.put("/");
        out.put(self.service);
        out.put("/aws4_request");
    }
}

pub(crate) fn validate_scope_part(what: &'static str, v: &str) -> Result<()> {
    let reason = if v.is_empty() {
        "it is empty"
    } else if v.len() > 64 {
        "it is longer than 64 bytes"
    } else if !v
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
    {
        "only letters, digits, '-', '_' and '.' are allowed"
    } else {
        return Ok(());
    };
    Err(Error::InvalidScope {
        what,
        value: clip(v),
        reason,
    })
}

impl fmt::Display for Scope<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = alloc::string::String::new();
        self.write_to(&mut s);
        f.write_str(&s)
    }
}

/// The string to sign: algorithm, request time, scope and hex SHA-256 of the canonical
/// request, one per line.
///
/// ```
/// use s3presign::{AmzDate, sigv4::{Scope, StringToSign}};
/// let date = AmzDate::parse("20150830T123600Z")?;
/// let sts = StringToSign::new(Scope::new(date, "us-east-1", "service")?, [0u8; 32]);
/// assert!(sts.to_string().starts_with("AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n0000"));
/// # Ok::<(), s3presign::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StringToSign<'a> {
    scope: Scope<'a>,
    canonical_request_hash: [u8; 32],
}

impl<'a> StringToSign<'a> {
    /// The string to sign for a canonical request whose SHA-256 is `canonical_request_hash`.
    pub fn new(scope: Scope<'a>, canonical_request_hash: [u8; 32]) -> Self {
        Self {
            scope,
            canonical_request_hash,
        }
    }

    /// The scope.
    pub fn scope(&self) -> &Scope<'a> {
        &self.scope
    }

    /// Writes the string to sign into `out`.
    pub(crate) fn write_to<S: super::Sink>(&self, out: &mut S) {
        let mut hex_buf = [0u8; 64];
        // Writing into a stack buffer keeps the hot path free of allocations.
        let hash_hex = hex_into(&self.canonical_request_hash, &mut hex_buf);
        out.put(super::ALGORITHM);
        out.put("\n");
        out.put(self.scope.date.as_str());
        out.put("\n");
        self.scope.write_to(out);
        out.put("\n");
        out.put(hash_hex);
    }
}

/// Lowercase hex of 32 bytes into a stack buffer.
pub(crate) fn hex_into<'b>(bytes: &[u8; 32], buf: &'b mut [u8; 64]) -> &'b str {
    // `encode_to_slice` only fails when the lengths disagree, which they cannot here.
    let _ = hex::encode_to_slice(bytes, buf);
    core::str::from_utf8(buf).unwrap_or("")
}

impl fmt::Display for StringToSign<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = alloc::string::String::new();
        self.write_to(&mut s);
        f.write_str(&s)
    }
}
