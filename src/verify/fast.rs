//! The presigned-URL fast path. When the received path, query and signed headers are
//! already in canonical form (as the SDKs and this crate's presigner write them: the
//! parameters sorted and encoded once, `X-Amz-Signature` last), the canonical request is
//! hashed straight from the received text: no decoding, re-encoding, sorting or allocation.
//! Anything else returns `None` and goes through [`CanonicalRequest`], which gives the same
//! bytes for canonical input (tests compare the two).
//!
//! [`CanonicalRequest`]: crate::sigv4::CanonicalRequest

use super::request::IncomingRequest;
use super::scan::Separated;
use crate::sigv4::text::HashSink;
use crate::sigv4::{Canonical, any_byte_below_or, param, validate_method, write_canonical_request};

/// As many signed headers as the fast path takes (more go the slow way).
const MAX_HEADERS: usize = 12;

/// The SHA-256 of the canonical request of a presigned request, if its parts are canonical.
pub(super) fn query_digest(
    req: &IncomingRequest<'_>,
    signed_headers: Separated<'_>,
    payload_hash: &str,
) -> Option<[u8; 32]> {
    let query = canonical_query(req.query)?;
    digest(req, query, signed_headers, payload_hash)
}

/// As [`query_digest`], for a query already found canonical (by the one-pass scan): its
/// text before `&X-Amz-Signature=` is `query`.
pub(super) fn digest(
    req: &IncomingRequest<'_>,
    query: &str,
    signed_headers: Separated<'_>,
    payload_hash: &str,
) -> Option<[u8; 32]> {
    validate_method(req.method).ok()?;
    if !is_canonical_path(req.path) {
        return None;
    }
    let mut headers = [("", ""); MAX_HEADERS];
    let mut n = 0;
    for name in signed_headers.iter() {
        let mut found = None;
        for (h, v) in req.headers {
            if h.eq_ignore_ascii_case(name) {
                if found.is_some() {
                    return None;
                }
                found = Some(*v);
            }
        }
        let value = found.filter(|v| is_canonical_header_value(v))?;
        *headers.get_mut(n)? = (name, value);
        n += 1;
    }
    let mut sink = HashSink::new();
    write_canonical_request(
        &mut sink,
        req.method,
        req.path,
        query,
        &Canonical(headers.get(..n)?.iter().copied()),
        payload_hash,
    )
    .ok()?;
    Some(sink.finish())
}

/// Which bytes are unreserved (RFC 3986: letters, digits, `-`, `.`, `_`, `~`).
const UNRESERVED: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
        c += 1;
    }
    t
};

fn is_unreserved(c: u8) -> bool {
    UNRESERVED[usize::from(c)]
}

/// A path S3's canonicalisation keeps as it is: unreserved bytes, `/` and `%XX` escapes.
fn is_canonical_path(path: &str) -> bool {
    let b = path.as_bytes();
    // Usually without escapes: one branch-free pass says so.
    if b.iter()
        .fold(true, |ok, &c| ok & (is_unreserved(c) | (c == b'/')))
    {
        return path.starts_with('/');
    }
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            let hex = |j: usize| b.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return false;
            }
            i += 3;
        } else if is_unreserved(c) || c == b'/' {
            i += 1;
        } else {
            return false;
        }
    }
    path.starts_with('/')
}

/// A query name or value that decoding and re-encoding would leave unchanged: unreserved
/// bytes, and `%XX` escapes in upper case of bytes that are not unreserved.
fn is_canonical_component(s: &str) -> bool {
    let b = s.as_bytes();
    // Usually all unreserved: one branch-free pass says so.
    if b.iter().fold(true, |ok, &c| ok & is_unreserved(c)) {
        return true;
    }
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            let digit = |j: usize| {
                b.get(j)
                    .and_then(|&d| (d as char).to_digit(16).filter(|_| !d.is_ascii_lowercase()))
            };
            match (digit(i + 1), digit(i + 2)) {
                (Some(h), Some(l)) if !is_unreserved((h * 16 + l) as u8) => i += 3,
                _ => return false,
            }
        } else if is_unreserved(c) {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

/// The canonical query of a presigned URL whose parameters are canonical and sorted with
/// `X-Amz-Signature` appended last: everything before `&X-Amz-Signature=`.
fn canonical_query(raw: &str) -> Option<&str> {
    let (query, last) = raw.rsplit_once('&')?;
    let sig = last.strip_prefix(param::SIGNATURE)?.strip_prefix('=')?;
    if !is_canonical_component(sig) {
        return None;
    }
    let mut prev: Option<(&str, &str)> = None;
    for pair in query.split('&') {
        let (name, value) = pair.split_once('=')?;
        if name == param::SIGNATURE || !is_canonical_component(name) {
            return None;
        }
        if !is_canonical_component(value) || prev.is_some_and(|p| p > (name, value)) {
            return None;
        }
        prev = Some((name, value));
    }
    Some(query)
}

/// A header value canonicalisation keeps as it is: no control bytes or tabs, no spaces at
/// the ends or two in a row.
fn is_canonical_header_value(v: &str) -> bool {
    let b = v.as_bytes();
    // Usually without spaces or control bytes: eight bytes per step say so.
    if !any_byte_below_or(b, 0x21, 0x7f, 0x7f) {
        return true;
    }
    let controls = b.iter().any(|&c| c < 0x20 || c == 0x7f);
    let double = b.windows(2).any(|w| w == b"  ");
    !controls && !double && !v.starts_with(' ') && !v.ends_with(' ')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigv4::{CanonicalRequest, Payload, SignableRequest, SigningSettings};

    /// The fast digest equals the slow path's wherever the fast path applies.
    #[test]
    fn same_bytes_as_the_canonical_request() {
        let cases = [
            ("/a/b%20c.txt", "A=1&X-Amz-Date=2&b=%2F&X-Amz-Signature=ff"),
            (
                "/k%2f",
                "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a%2Fb&X-Amz-Signature=0",
            ),
            ("/", "a=&a=b&b=&X-Amz-Signature=0"),
        ];
        for (path, query) in cases {
            let headers = [("Host", "b.example.com"), ("x-amz-meta-a", "x y")];
            let req = IncomingRequest::new("GET", path, query, &headers);
            let names = Separated {
                text: "host;x-amz-meta-a",
                sep: ";",
            };
            let fast = query_digest(&req, names, "UNSIGNED-PAYLOAD");
            let (without_sig, _) = query.rsplit_once('&').unwrap_or_default();
            let slow = CanonicalRequest::from_request(
                &SignableRequest::new("GET", path, without_sig, &headers, Payload::Unsigned),
                &SigningSettings::s3(),
            )
            .map(|c| c.digest())
            .ok();
            assert!(fast.is_some(), "{path}?{query}");
            assert_eq!(fast, slow, "{path}?{query}");
        }
    }

    const HOST: Separated<'static> = Separated {
        text: "host",
        sep: ";",
    };

    #[test]
    fn anything_unusual_takes_the_slow_path() {
        let headers = [("host", "b.example.com")];
        for (path, query) in [
            ("/a+b", "a=1&X-Amz-Signature=0"),
            ("/a", "b=1&a=1&X-Amz-Signature=0"),
            ("/a", "a=%41&X-Amz-Signature=0"),
            ("/a", "a=%2f&X-Amz-Signature=0"),
            ("/a", "a&X-Amz-Signature=0"),
            ("/a", "X-Amz-Signature=0&a=1"),
            ("/a", "a=1&&X-Amz-Signature=0"),
            ("/a%2", "a=1&X-Amz-Signature=0"),
        ] {
            let req = IncomingRequest::new("GET", path, query, &headers);
            assert!(
                query_digest(&req, HOST, "UNSIGNED-PAYLOAD").is_none(),
                "{path}?{query}"
            );
        }
        let twice = [("host", "a"), ("Host", "b")];
        let req = IncomingRequest::new("GET", "/a", "a=1&X-Amz-Signature=0", &twice);
        assert!(query_digest(&req, HOST, "UNSIGNED-PAYLOAD").is_none());
        let spaced = [("host", " a")];
        let req = IncomingRequest::new("GET", "/a", "a=1&X-Amz-Signature=0", &spaced);
        assert!(query_digest(&req, HOST, "UNSIGNED-PAYLOAD").is_none());
    }
}
