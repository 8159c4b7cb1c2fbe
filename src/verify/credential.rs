//! [`CredentialScope`]: the `X-Amz-Credential` value (or the `Credential=` of an
//! `Authorization` header), split and checked.

use crate::sigv4::{TERMINATOR, terminator};

use super::parse::SplitSeparator;

/// A credential scope: `AKID/20130524/us-east-1/s3/aws4_request`.
///
/// Made by [`CredentialScope::parse`] (and the parsers of whole requests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CredentialScope<'a> {
    /// The access key id.
    pub access_key_id: &'a str,
    /// `YYYYMMDD`.
    pub date: &'a str,
    /// The region.
    pub region: &'a str,
    /// The service.
    pub service: &'a str,
}

impl<'a> CredentialScope<'a> {
    /// Parses `AKID/YYYYMMDD/region/service/aws4_request`. Returns the reason on failure.
    ///
    /// ```
    /// use s3presign::verify::CredentialScope;
    /// let s = CredentialScope::parse("AKIDEXAMPLE/20150830/us-east-1/s3/aws4_request").unwrap();
    /// assert_eq!((s.date, s.region, s.service), ("20150830", "us-east-1", "s3"));
    /// assert!(CredentialScope::parse("AKIDEXAMPLE/2015083/us-east-1/s3/aws4_request").is_err());
    /// ```
    ///
    /// # Errors
    /// A static reason naming the malformed part.
    pub fn parse(s: &'a str) -> core::result::Result<Self, &'static str> {
        Self::parse_separated(s, "/")
    }

    /// As [`parse`](Self::parse), with the parts separated by `sep` (`%2F` in a query
    /// value that was not decoded).
    pub(super) fn parse_separated(
        s: &'a str,
        sep: &str,
    ) -> core::result::Result<Self, &'static str> {
        let mut it = SplitSeparator::new(s, sep);
        let (Some(id), Some(date), Some(region), Some(service), Some(term), None) = (
            it.next(),
            it.next(),
            it.next(),
            it.next(),
            it.next(),
            it.next(),
        ) else {
            return Err(concat!(
                "the credential must be ACCESS_KEY_ID/YYYYMMDD/REGION/SERVICE/",
                terminator!()
            ));
        };
        Self::from_parts([id, date, region, service, term])
    }

    /// As [`parse_separated`](Self::parse_separated), with the four separators already
    /// found: each of `cuts` is where one starts, and each is `sep_len` bytes long.
    /// `None` if the cuts do not split `s` (then nothing was checked).
    pub(super) fn parse_cut(
        s: &'a str,
        cuts: [usize; 4],
        sep_len: usize,
    ) -> Option<core::result::Result<Self, &'static str>> {
        let [a, b, c, d] = cuts;
        let parts = [
            s.get(..a)?,
            s.get(a + sep_len..b)?,
            s.get(b + sep_len..c)?,
            s.get(c + sep_len..d)?,
            s.get(d + sep_len..)?,
        ];
        Some(Self::from_parts(parts))
    }

    /// Checks the five parts of a credential.
    fn from_parts(parts: [&'a str; 5]) -> core::result::Result<Self, &'static str> {
        let [id, date, region, service, term] = parts;
        // Branch-free folds (the parts are usually well formed).
        let all = |p: &str, f: fn(u8) -> bool| p.bytes().fold(true, |ok, c| ok & f(c));
        if id.is_empty() || id.len() > 128 || !all(id, |c| c.is_ascii_graphic()) {
            return Err("the access key id in the credential is malformed");
        }
        if date.len() != 8 || !all(date, |c| c.is_ascii_digit()) {
            return Err("the credential date is not YYYYMMDD");
        }
        let part_ok = |p: &str| {
            !p.is_empty()
                && p.len() <= 64
                && all(p, |c| {
                    c.is_ascii_alphanumeric() | matches!(c, b'-' | b'_' | b'.')
                })
        };
        if !part_ok(region) {
            return Err("the credential region is malformed");
        }
        if !part_ok(service) {
            return Err("the credential service is malformed");
        }
        if term != TERMINATOR {
            return Err(concat!("the credential must end with ", terminator!()));
        }
        Ok(Self {
            access_key_id: id,
            date,
            region,
            service,
        })
    }
}
