//! [`parse_url`]: a URL split into the parts a verifier needs.

use core::fmt;

use super::error::{VResult, VerifyErrorKind, err};
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
    let bad = |m: &'static str| err(VerifyErrorKind::MalformedUrl, m);
    // A branch-free fold (vectorised) rather than a search that stops early.
    if url
        .bytes()
        .fold(false, |bad, c| bad | (c <= b' ') | (c == 0x7f))
    {
        return bad("the URL contains whitespace or control characters");
    }
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) if s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https") => (s, r),
        _ => return bad("the URL must start with http:// or https://"),
    };
    if rest.contains('#') {
        return bad("the URL must not have a fragment");
    }
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if authority.is_empty() || authority.contains('@') {
        return bad("the URL must have a host and no user info");
    }
    let (path, query) = tail.split_once('?').unwrap_or((tail, ""));
    let path = if path.is_empty() { "/" } else { path };
    Ok(UrlParts {
        scheme,
        authority,
        path,
        query,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_parts() {
        assert!(parse_url("ftp://x/").is_err());
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
