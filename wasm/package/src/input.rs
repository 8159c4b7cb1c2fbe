//! The options record written by the JavaScript glue: strings, each a little-endian `u32`
//! byte length and its UTF-8 bytes, in the order of [`Field`], then header name/value
//! pairs up to the end. An absent option is an empty string.

use crate::message::{Stop, glue};

/// The fixed fields, in record order (the glue writes them in this order).
#[derive(Clone, Copy)]
pub enum Field {
    AccessKeyId,
    SecretAccessKey,
    SessionToken,
    Endpoint,
    Region,
    Bucket,
    Key,
    AddressingStyle,
    VersionId,
    ContentType,
    ContentTypeMode,
    Method,
    PayloadHash,
    ResponseContentType,
    ResponseContentDisposition,
    ResponseCacheControl,
    ResponseContentEncoding,
    ResponseContentLanguage,
    ResponseExpires,
}

/// How many fixed fields come before the headers.
const FIELDS: usize = Field::ResponseExpires as usize + 1;

/// The options of one call, borrowed from the record.
pub struct Options<'a> {
    fields: [&'a str; FIELDS],
    /// Extra headers to sign, as given: the rest of the record (checked by `parse`).
    headers: &'a [u8],
}

/// The numeric options; NaN means absent.
pub struct Numbers {
    pub expires_in: f64,
    pub time: f64,
    pub min: f64,
    pub max: f64,
}

impl<'a> Options<'a> {
    /// Reads a record.
    pub fn parse(mut rest: &'a [u8]) -> Result<Self, Stop> {
        let mut fields = [""; FIELDS];
        for slot in &mut fields {
            *slot = next(&mut rest)?;
        }
        let headers = rest;
        // Checked here, read by `headers` (no list to allocate).
        while !rest.is_empty() {
            next(&mut rest)?;
            next(&mut rest)?;
        }
        Ok(Self { fields, headers })
    }

    /// The extra headers to sign, as given (name, value).
    pub fn headers(&self) -> impl Iterator<Item = (&'a str, &'a str)> {
        let mut rest = self.headers;
        // `parse` checked the record: reading it again cannot fail (nor store a message).
        core::iter::from_fn(move || {
            if rest.is_empty() {
                return None;
            }
            Some((next(&mut rest).ok()?, next(&mut rest).ok()?))
        })
    }

    /// A field ("" when absent).
    pub fn get(&self, field: Field) -> &'a str {
        self.fields[field as usize]
    }

    /// A field, or `None` when absent.
    pub fn opt(&self, field: Field) -> Option<&'a str> {
        Some(self.get(field)).filter(|s| !s.is_empty())
    }
}

/// Splits the next string off the record.
fn next<'a>(rest: &mut &'a [u8]) -> Result<&'a str, Stop> {
    let truncated = || glue("the options record is truncated");
    let (len, tail) = rest.split_first_chunk::<4>().ok_or_else(truncated)?;
    let len = usize::try_from(u32::from_le_bytes(*len)).map_err(|_| truncated())?;
    let (text, tail) = tail.split_at_checked(len).ok_or_else(truncated)?;
    *rest = tail;
    core::str::from_utf8(text).map_err(|_| glue("an option is not valid UTF-8"))
}

/// A whole number from JavaScript in `0..=2^53`, or the given complaint.
pub fn whole(x: f64, complaint: &'static str) -> Result<u64, Stop> {
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    // `as` saturates; the round trip rejects fractions, NaN and infinities.
    let n = x as u64;
    if (0.0..=MAX_SAFE).contains(&x) && n as f64 == x {
        Ok(n)
    } else {
        Err(glue(complaint))
    }
}
