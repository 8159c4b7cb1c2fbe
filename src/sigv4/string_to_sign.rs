//! Step 2: the [credential scope and string to sign](https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#create-string-to-sign).

use core::fmt;

use super::text::Sink;
use crate::error::{Error, Result, clip};
use crate::time::AmzDate;

/// The last part of every credential scope, and the last input of the signing key.
pub(crate) const TERMINATOR: &str = terminator!();

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

    /// A scope whose region and service were validated already (by [`Scope::new`] or
    /// `Endpoint::check_scope`).
    // Skips re-validating the region on every presign: about 60 instructions.
    pub(crate) fn new_unchecked(date: AmzDate, region: &'a str, service: &'a str) -> Self {
        Self {
            date,
            region,
            service,
        }
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
    pub(crate) fn write_to<S: Sink>(&self, out: &mut S) {
        out.put(self.date.date_str());
        out.put("/");
        out.put(self.region);
        out.put("/");
        out.put(self.service);
        out.put("/");
        out.put(TERMINATOR);
    }
}

/// Letters, digits, `-`, `_` and `.`.
// A table lookup per byte instead of a chain of comparisons (regions are checked on every
// header signature).
#[inline]
fn is_scope_char(c: u8) -> bool {
    static OK: [bool; 256] = {
        let mut t = [false; 256];
        let mut c = 0;
        while c < 256 {
            let b = c as u8;
            t[c] = b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.';
            c += 1;
        }
        t
    };
    OK[usize::from(c)]
}

pub(crate) fn validate_scope_part(what: &'static str, v: &str) -> Result<()> {
    let reason = if v.is_empty() {
        "it is empty"
    } else if v.len() > 64 {
        "it is longer than 64 bytes"
    } else if !v.bytes().all(is_scope_char) {
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
    pub(crate) fn write_to<S: Sink>(&self, out: &mut S) {
        write_head(&self.scope, out);
        super::text::push_hex32(out, &self.canonical_request_hash);
    }
}

/// The string to sign's first three lines (algorithm, request time, scope), each ending in
/// a newline: everything but the canonical-request hash.
pub(crate) fn write_head<S: Sink>(scope: &Scope<'_>, out: &mut S) {
    out.put(super::ALGORITHM);
    out.put("\n");
    out.put(scope.date.as_str());
    out.put("\n");
    scope.write_to(out);
    out.put("\n");
}

impl fmt::Display for StringToSign<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = alloc::string::String::new();
        self.write_to(&mut s);
        f.write_str(&s)
    }
}
