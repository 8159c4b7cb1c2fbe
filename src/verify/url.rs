//! [`parse_url`]: a URL split into the parts a verifier needs.

use core::fmt;

use super::error::{VResult, VerifyError, VerifyErrorKind, err};
use super::redact;

/// A URL split into the parts a verifier needs; nothing is decoded. Made by [`parse_url`].
///
/// `Debug` hides the values of `X-Amz-Signature` and `X-Amz-Security-Token`.
#[derive(Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct UrlParts<'a> {
    /// `http` or `https`.
    pub scheme: &'a str,
    /// `host[:port]`, the `Host` header value a client sends.
    pub authority: &'a str,
    /// The path as sent (`/` when empty).
    pub path: &'a str,
    /// The query without `?` (empty when absent).
    pub query: &'a str,
}

impl fmt::Debug for UrlParts<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UrlParts")
            .field("scheme", &self.scheme)
            .field("authority", &self.authority)
            .field("path", &self.path)
            .field("query", &redact::Query(self.query))
            .finish()
    }
}

impl<'a> UrlParts<'a> {
    /// The `Host` header a client sends for this URL: the authority without the scheme's
    /// default port (`:443` for https, `:80` for http).
    ///
    /// ```
    /// let u = s3presign::verify::parse_url("https://b.s3.amazonaws.com:443/k")?;
    /// assert_eq!((u.authority, u.host()), ("b.s3.amazonaws.com:443", "b.s3.amazonaws.com"));
    /// let u = s3presign::verify::parse_url("http://127.0.0.1:9000/k")?;
    /// assert_eq!(u.host(), "127.0.0.1:9000");
    /// # Ok::<(), s3presign::verify::VerifyError>(())
    /// ```
    pub fn host(&self) -> &'a str {
        let default = if self.scheme.eq_ignore_ascii_case("https") {
            ":443"
        } else {
            ":80"
        };
        self.authority
            .strip_suffix(default)
            .filter(|h| !h.is_empty() && !h.ends_with(':'))
            .unwrap_or(self.authority)
    }
}

/// Splits `http(s)://authority/path?query`. Fragments, user info, whitespace and control
/// characters are rejected.
///
/// ```
/// let u = s3presign::verify::parse_url("https://b.s3.amazonaws.com/a%20b?x=1")?;
/// assert_eq!((u.authority, u.path, u.query), ("b.s3.amazonaws.com", "/a%20b", "x=1"));
/// # Ok::<(), s3presign::verify::VerifyError>(())
/// ```
///
/// # Errors
/// [`VerifyErrorKind::MalformedUrl`].
pub fn parse_url(url: &str) -> VResult<UrlParts<'_>> {
    // One branch-free fold (vectorised) for every byte refused anywhere in a URL, rather
    // than searches that stop early; which one it was is found only when there is one.
    if url.bytes().fold(false, |bad, c| {
        bad | (c <= b' ') | (c == 0x7f) | (c == b'#')
    }) {
        return Err(refusal(url));
    }
    let Some(scheme_len) = scheme_len(url) else {
        return err(
            VerifyErrorKind::MalformedUrl,
            "the URL must start with http:// or https://",
        );
    };
    let (scheme, rest) = url.split_at(scheme_len);
    let rest = &rest[3..];
    let end = find2(rest.as_bytes(), b'/', b'?').unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if authority.is_empty() || authority.contains('@') {
        return err(
            VerifyErrorKind::MalformedUrl,
            "the URL must have a host and no user info",
        );
    }
    let (path, query) = match find2(tail.as_bytes(), b'?', b'?') {
        Some(q) => (&tail[..q], &tail[q + 1..]),
        None => (tail, ""),
    };
    let path = if path.is_empty() { "/" } else { path };
    Ok(UrlParts {
        scheme,
        authority,
        path,
        query,
    })
}

/// As [`parse_url`] without looking at the query's bytes (the caller proves them free of
/// whitespace, control characters and `#`); `None` for any URL [`parse_url`] refuses (and
/// some it accepts).
pub(super) fn parse_head(url: &str) -> Option<UrlParts<'_>> {
    let scheme_len = scheme_len(url)?;
    let (scheme, rest) = url.split_at(scheme_len);
    let rest = rest.get(3..)?;
    let end = find2(rest.as_bytes(), b'/', b'?').unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (path, query) = match find2(tail.as_bytes(), b'?', b'?') {
        Some(q) => (&tail[..q], &tail[q + 1..]),
        None => (tail, ""),
    };
    let head = &url[..url.len() - query.len()];
    let refused = head.bytes().fold(false, |bad, c| {
        bad | (c <= b' ') | (c == 0x7f) | (c == b'#')
    });
    if refused || authority.is_empty() || authority.contains('@') {
        return None;
    }
    Some(UrlParts {
        scheme,
        authority,
        path: if path.is_empty() { "/" } else { path },
        query,
    })
}

/// The scheme's length when the URL starts with `http://` or `https://` (any case), which
/// is when its first `://` ends an `http` or `https` scheme.
fn scheme_len(url: &str) -> Option<usize> {
    let b = url.as_bytes();
    // Setting bit 5 lowercases a letter, and only `H` and `h` become `h` (and so on).
    let letters = |at: usize, word: &[u8]| {
        b.get(at..at + word.len())
            .is_some_and(|s| s.iter().zip(word).all(|(c, w)| c | 0x20 == *w))
    };
    if !letters(0, b"http") {
        return None;
    }
    let len = if letters(4, b"s") { 5 } else { 4 };
    (b.get(len..len + 3) == Some(b"://".as_slice())).then_some(len)
}

/// Why a URL with whitespace, a control character or `#` is refused, in the order the
/// checks are made: those bytes, the scheme, a fragment.
fn refusal(url: &str) -> VerifyError {
    let reason = if url.bytes().any(|c| c <= b' ' || c == 0x7f) {
        "the URL contains whitespace or control characters"
    } else if scheme_len(url).is_none() {
        "the URL must start with http:// or https://"
    } else {
        "the URL must not have a fragment"
    };
    VerifyError::new(VerifyErrorKind::MalformedUrl, reason)
}

/// The index of the first byte of `b` that is `x` or `y`.
// Eight bytes per step with the "has a zero byte" test, whose lowest flagged byte is
// exact: about a third of the instructions of a byte loop.
pub(super) fn find2(b: &[u8], x: u8, y: u8) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let zero = |v: u64| v.wrapping_sub(LO) & !v & HI;
    let mut chunks = b.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let v = u64::from_le_bytes(word);
        let m = zero(v ^ (LO * u64::from(x))) | zero(v ^ (LO * u64::from(y)));
        if m != 0 {
            return Some(at + (m.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let rest = chunks.remainder().iter().position(|&c| c == x || c == y);
    rest.map(|i| at + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find2_finds_the_first_of_two_bytes() {
        let text = b"ab/c?d//e??f/g?0123456789/?";
        for start in 0..text.len() {
            for (x, y) in [(b'/', b'?'), (b'?', b'?'), (b'0', b'9'), (b'z', b'z')] {
                let b = &text[start..];
                let expected = b.iter().position(|&c| c == x || c == y);
                assert_eq!(find2(b, x, y), expected, "{start} {x} {y}");
            }
        }
        // Bytes next to the searched ones (borrows in the word test).
        let near = [0x2e, 0x2f, 0x30, 0x00, 0xff, 0x2f];
        assert_eq!(find2(&near, b'/', b'/'), Some(1));
        assert_eq!(find2(&near[2..], b'/', b'/'), Some(3));
    }

    #[test]
    fn refusals_in_order() {
        let reason = |u: &str| alloc::string::String::from(parse_url(u).unwrap_err().message());
        assert!(reason("ftp://a b/#").contains("whitespace"));
        assert!(reason("ftp://a/#").contains("http://"));
        assert!(reason("https://a/\u{7f}#").contains("control"));
        assert!(reason("https://a/#").contains("fragment"));
    }

    #[test]
    fn head_as_parse_url_where_the_query_is_clean() {
        for url in [
            "https://b.s3.amazonaws.com/a%20b?x=1",
            "HTTP://127.0.0.1:9000?a=b",
            "http://h:80",
            "https://h/p/?",
            "https://h?q/r?s",
        ] {
            assert_eq!(parse_head(url), parse_url(url).ok(), "{url}");
        }
        for url in [
            "ftp://h/",
            "https://u@h/",
            "https:///a",
            "https://h/#?a",
            "https://h /?a",
        ] {
            assert_eq!(parse_head(url), None, "{url}");
        }
    }

    #[test]
    fn url_parts() {
        assert!(parse_url("ftp://x/").is_err());
        assert!(parse_url("httpx://x/").is_err());
        assert!(parse_url("http:/x/").is_err());
        let u = parse_url("HTTPS://x/a?b?c").unwrap();
        assert_eq!((u.scheme, u.path, u.query), ("HTTPS", "/a", "b?c"));
        assert!(parse_url("https://u@x/").is_err());
        assert!(parse_url("https://x/#f").is_err());
        assert!(parse_url("https:///a").is_err());
        let u = parse_url("http://127.0.0.1:9000?a=b").unwrap();
        assert_eq!(
            (u.authority, u.path, u.query),
            ("127.0.0.1:9000", "/", "a=b")
        );
    }
}
