//! SigV4 URI encoding: every byte except `A-Z a-z 0-9 - . _ ~` becomes `%XX` (uppercase hex).
//!
//! Two sets, as in the [SigV4 spec](https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html):
//! [`QUERY`] for query names and values (and everything else), [`PATH`] which also keeps `/`.
//! Encoders write straight into the caller's buffer and allocate nothing themselves.
//!
//! Not part of the supported API: the crate uses it internally and will make it private.
#![doc(hidden)]

use alloc::string::String;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_encode};

/// Bytes escaped in query parameter names and values: all but `A-Z a-z 0-9 - . _ ~`.
pub const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Bytes escaped in an object key placed in a URL path: as [`QUERY`], but `/` is kept.
pub const PATH: &AsciiSet = &QUERY.remove(b'/');

/// Appends `input` to `out`, escaping every byte in `set` as `%XX`.
///
/// ```
/// let mut out = String::new();
/// s3presign::encoding::encode_into(&mut out, "a b/c~é", s3presign::encoding::PATH);
/// assert_eq!(out, "a%20b/c~%C3%A9");
/// ```
#[inline]
pub fn encode_into(out: &mut String, input: &str, set: &'static AsciiSet) {
    encode_bytes_into(out, input.as_bytes(), set);
}

/// As [`encode_into`] for raw bytes (which need not be UTF-8).
#[inline]
pub fn encode_bytes_into(out: &mut String, input: &[u8], set: &'static AsciiSet) {
    for chunk in percent_encode(input, set) {
        out.push_str(chunk);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn unreserved_kept_everything_else_escaped() {
        let all: Vec<u8> = (0u8..=255).collect();
        let mut out = String::new();
        encode_bytes_into(&mut out, &all, QUERY);
        let mut expected = String::new();
        for b in all {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                expected.push(b as char);
            } else {
                expected.push_str(&alloc::format!("%{b:02X}"));
            }
        }
        assert_eq!(out, expected);
    }

    #[test]
    fn path_keeps_slash_only() {
        let mut out = String::new();
        encode_into(&mut out, "/a b/+=&?#%", PATH);
        assert_eq!(out, "/a%20b/%2B%3D%26%3F%23%25");
    }
}
