//! Step 1: the [canonical request](https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#create-canonical-request).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use percent_encoding::percent_decode_str;
use sha2::{Digest, Sha256};

use super::headers::{Entry, STACK_HEADERS, any_byte_below_or, sorted_entries, validate_method};
use super::query_auth::{HostOnly, QueryAuth, SignedHeaderNames, write_query};
use super::settings::{PathNormalization, SigningSettings, UriEncoding};
use super::text::{Set, Sink, uri_encode_bytes_into, uri_encode_into};
use crate::error::{Error, Result};

/// One line of a canonical request, written straight into a sink.
pub(crate) trait Line {
    fn write_line<S: Sink>(&self, out: &mut S) -> Result<()>;
}

/// A line that is already canonical.
impl Line for str {
    #[inline]
    fn write_line<S: Sink>(&self, out: &mut S) -> Result<()> {
        out.put(self);
        Ok(())
    }
}

/// The header block of a canonical request: its `name:value` lines and the signed names.
pub(crate) trait HeaderBlock {
    fn write_lines<S: Sink>(&self, out: &mut S) -> Result<()>;
    fn write_names<S: Sink>(&self, out: &mut S);
}

/// Headers that are already canonical: sorted lowercase names, canonical values, one entry
/// per name.
pub(crate) struct Canonical<I>(pub(crate) I);

impl<'h, I> HeaderBlock for Canonical<I>
where
    I: Iterator<Item = (&'h str, &'h str)> + Clone,
{
    #[inline]
    fn write_lines<S: Sink>(&self, out: &mut S) -> Result<()> {
        for (name, value) in self.0.clone() {
            out.put(name);
            out.put(":");
            out.put(value);
            out.put("\n");
        }
        Ok(())
    }

    #[inline]
    fn write_names<S: Sink>(&self, out: &mut S) {
        for (i, (name, _)) in self.0.clone().enumerate() {
            if i > 0 {
                out.put(";");
            }
            out.put(name);
        }
    }
}

/// Writes a canonical request: the one function that does, for hashing (into a SHA-256
/// state) and for showing (into a `String`), so the text shown is the text signed.
pub(crate) fn write_canonical_request<S, U, Q, H>(
    out: &mut S,
    method: &str,
    uri: &U,
    query: &Q,
    headers: &H,
    payload_hash: &str,
) -> Result<()>
where
    S: Sink,
    U: Line + ?Sized,
    Q: Line + ?Sized,
    H: HeaderBlock + ?Sized,
{
    write_head(out, method, uri)?;
    write_tail(out, query, headers, payload_hash)
}

/// The first two lines (method and URI) with their newlines.
#[inline]
pub(crate) fn write_head<S, U>(out: &mut S, method: &str, uri: &U) -> Result<()>
where
    S: Sink,
    U: Line + ?Sized,
{
    out.put(method);
    out.line_end(0);
    out.put("\n");
    uri.write_line(out)?;
    out.line_end(1);
    out.put("\n");
    Ok(())
}

/// Everything after [`write_head`]: query, headers, signed names and payload hash.
#[inline]
pub(crate) fn write_tail<S, Q, H>(
    out: &mut S,
    query: &Q,
    headers: &H,
    payload_hash: &str,
) -> Result<()>
where
    S: Sink,
    Q: Line + ?Sized,
    H: HeaderBlock + ?Sized,
{
    query.write_line(out)?;
    out.line_end(2);
    out.put("\n");
    headers.write_lines(out)?;
    out.line_end(3);
    out.put("\n");
    headers.write_names(out);
    out.line_end(4);
    out.put("\n");
    out.put(payload_hash);
    Ok(())
}

/// The canonical request, owned, for any service. Its `Display` is the exact text that is
/// hashed, so it can be diffed against the canonical request a server reports in a
/// `SignatureDoesNotMatch` error.
///
/// ```
/// use s3presign::sigv4::{CanonicalRequest, Payload, SignableRequest, SigningSettings};
/// let req = SignableRequest::new(
///     "GET", "/", "Param2=value2&Param1=value1",
///     &[("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")],
///     Payload::Bytes(b""),
/// );
/// let creq = CanonicalRequest::from_request(&req, &SigningSettings::default())?;
/// assert_eq!(creq.to_string(), "GET\n/\nParam1=value1&Param2=value2\n\
///     host:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\
///     e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
/// # Ok::<(), s3presign::Error>(())
/// ```
#[derive(Clone)]
pub struct CanonicalRequest {
    // The whole text in one string, parts found by offset: one allocation instead of one
    // per line and per header (about 15 for a typical request).
    text: String,
    /// Offsets of the newlines that end the method, the URI, the query, the header block
    /// (the blank line) and the signed header names.
    ends: [usize; 5],
    /// The length of the canonical request in `text`. Header signing appends the
    /// `Authorization` value after it (the "trailer"), which is not part of the request.
    // Sharing the allocation saves header signing its second one.
    len: usize,
}

impl PartialEq for CanonicalRequest {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for CanonicalRequest {}

impl fmt::Debug for CanonicalRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CanonicalRequest")
            .field(&self.as_str())
            .finish()
    }
}

impl CanonicalRequest {
    /// Canonicalises a request under `settings`.
    ///
    /// # Errors
    /// Invalid method, path, header name or value, or payload hash.
    pub fn from_request(
        req: &super::SignableRequest<'_>,
        settings: &SigningSettings,
    ) -> Result<Self> {
        Self::build(req, settings, &[])
    }

    /// As [`from_request`](Self::from_request), plus the headers the signer adds
    /// (`extra_headers`: lowercase names and canonical values, not checked again).
    pub(crate) fn build(
        req: &super::SignableRequest<'_>,
        settings: &SigningSettings,
        extra_headers: &[(&str, &str)],
    ) -> Result<Self> {
        let mut buf = [0u8; 64];
        let payload_hash = req.payload.hash_str(&mut buf)?;
        let query = CanonicalQuery::<HostOnly> {
            raw: req.query,
            auth: None,
        };
        Self::build_with(req, settings, &query, extra_headers, payload_hash, 0)
    }

    /// Canonicalises `req` with the query line `query` (the request's own, or merged with
    /// the signing parameters), the signer's `extra_headers`, a computed payload hash and
    /// room for a trailer. Written by [`write_canonical_request`].
    pub(crate) fn build_with<Q: Line + ?Sized>(
        req: &super::SignableRequest<'_>,
        settings: &SigningSettings,
        query: &Q,
        extra_headers: &[(&str, &str)],
        payload_hash: &str,
        trailer_capacity: usize,
    ) -> Result<Self> {
        validate_method(req.method)?;
        let headers_len: usize = req
            .headers
            .iter()
            .chain(extra_headers)
            .map(|(n, v)| 2 * n.len() + v.len() + 3)
            .sum();
        // One reservation for the whole text (the query is an estimate when re-encoded).
        let capacity = req.method.len()
            + 2 * req.path.len()
            + req.query.len()
            + headers_len
            + 128
            + trailer_capacity;
        let mut stack = [Entry::EMPTY; STACK_HEADERS];
        let mut heap = Vec::new();
        let entries = sorted_entries(req.headers, extra_headers, &mut stack, &mut heap)?;
        let mut out = TextSink {
            text: String::with_capacity(capacity),
            ends: [0; 5],
        };
        let uri = CanonicalUri {
            path: req.path,
            settings,
        };
        write_canonical_request(&mut out, req.method, &uri, query, &entries, payload_hash)?;
        let len = out.text.len();
        Ok(Self {
            text: out.text,
            ends: out.ends,
            len,
        })
    }

    /// The HTTP method.
    pub fn method(&self) -> &str {
        &self.text[..self.ends[0]]
    }

    /// The canonical URI (line 2).
    pub fn uri(&self) -> &str {
        &self.text[self.ends[0] + 1..self.ends[1]]
    }

    /// The canonical query string (line 3).
    pub fn query(&self) -> &str {
        &self.text[self.ends[1] + 1..self.ends[2]]
    }

    /// The canonical headers, sorted lowercase names with canonical values.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> + Clone {
        // Names are tokens (no ':') and values have no control characters (no newline).
        self.text[self.ends[2] + 1..self.ends[3]]
            .split_terminator('\n')
            .map(|line| line.split_once(':').unwrap_or((line, "")))
    }

    /// The signed header names joined by `;` (line 5, and `SignedHeaders=`).
    pub fn signed_headers(&self) -> String {
        String::from(self.signed_headers_str())
    }

    /// As [`signed_headers`](Self::signed_headers), borrowed.
    pub(crate) fn signed_headers_str(&self) -> &str {
        &self.text[self.ends[3] + 1..self.ends[4]]
    }

    /// The payload hash (line 6).
    pub fn payload_hash(&self) -> &str {
        &self.text[self.ends[4] + 1..self.len]
    }

    /// SHA-256 of the canonical request text.
    pub fn digest(&self) -> [u8; 32] {
        Sha256::digest(self.as_str().as_bytes()).into()
    }

    /// The canonical request text (without any trailer).
    fn as_str(&self) -> &str {
        &self.text[..self.len]
    }

    /// Where the signed header names are in the text.
    pub(crate) fn signed_headers_range(&self) -> core::ops::Range<usize> {
        self.ends[3] + 1..self.ends[4]
    }

    /// The string after the canonical request, to append to (never to change what is
    /// before it).
    pub(crate) fn trailer_mut(&mut self) -> &mut String {
        &mut self.text
    }

    /// What was appended after the canonical request.
    pub(crate) fn trailer(&self) -> &str {
        &self.text[self.len..]
    }
}

impl fmt::Display for CanonicalRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `String` that also records where the canonical request's lines end.
struct TextSink {
    text: String,
    ends: [usize; 5],
}

impl Sink for TextSink {
    #[inline]
    fn put(&mut self, s: &str) {
        self.text.push_str(s);
    }

    #[inline]
    fn line_end(&mut self, line: usize) {
        if let Some(end) = self.ends.get_mut(line) {
            *end = self.text.len();
        }
    }
}

/// Line 2 to be canonicalised: the path as sent, under `settings`.
struct CanonicalUri<'a> {
    path: &'a str,
    settings: &'a SigningSettings,
}

impl Line for CanonicalUri<'_> {
    fn write_line<S: Sink>(&self, out: &mut S) -> Result<()> {
        write_canonical_uri(out, self.path, self.settings)
    }
}

/// Line 3 to be canonicalised: the query as sent, merged with the signing parameters of a
/// presigned request when there are any.
pub(crate) struct CanonicalQuery<'a, H> {
    pub(crate) raw: &'a str,
    pub(crate) auth: Option<&'a QueryAuth<'a, H>>,
}

impl<H: SignedHeaderNames> Line for CanonicalQuery<'_, H> {
    fn write_line<S: Sink>(&self, out: &mut S) -> Result<()> {
        let params = canonical_params(self.raw);
        match self.auth {
            Some(auth) => write_query(out, auth, params),
            None => {
                for (i, (n, v)) in params.iter().enumerate() {
                    if i > 0 {
                        out.put("&");
                    }
                    out.put(n);
                    out.put("=");
                    out.put(v);
                }
            }
        }
        Ok(())
    }
}

/// Line 2: the path as sent, optionally normalised, encoded once or twice, appended to `out`.
fn write_canonical_uri<S: Sink>(out: &mut S, path: &str, settings: &SigningSettings) -> Result<()> {
    // A branch-free fold (vectorised) rather than a search that stops early.
    // Usually neither control bytes (an error) nor '%' (escapes to keep): an 8-bytes-at-a-
    // time scan says so; only otherwise are the bytes looked at one by one.
    let (control, percent) = if any_byte_below_or(path.as_bytes(), 0x20, 0x7f, b'%') {
        path.bytes().fold((false, false), |(bad, pct), c| {
            (bad | (c < 0x20) | (c == 0x7f), pct | (c == b'%'))
        })
    } else {
        (false, false)
    };
    if control {
        return Err(Error::InvalidPath {
            reason: "control characters must be percent-encoded",
        });
    }
    if !path.is_empty() && !path.starts_with('/') {
        return Err(Error::InvalidPath {
            reason: "the path must start with '/'",
        });
    }
    let normalized;
    let path = match settings.path_normalization {
        PathNormalization::Disabled if path.is_empty() => "/",
        PathNormalization::Disabled => path,
        PathNormalization::Enabled => {
            normalized = normalize_path(path);
            &normalized
        }
    };
    match settings.uri_encoding {
        UriEncoding::Double => uri_encode_into(out, path, Set::Path),
        UriEncoding::Single if !percent => uri_encode_into(out, path, Set::Path),
        UriEncoding::Single => {
            // Encodes the runs between '%' signs whole (not byte by byte) and keeps valid
            // `%XX` escapes as they are.
            let mut rest = path;
            while let Some(at) = rest.find('%') {
                uri_encode_into(out, &rest[..at], Set::Path);
                let tail = &rest.as_bytes()[at..];
                let escape_kept =
                    tail.len() >= 3 && tail[1].is_ascii_hexdigit() && tail[2].is_ascii_hexdigit();
                if escape_kept {
                    out.put(&rest[at..at + 3]);
                    rest = &rest[at + 3..];
                } else {
                    out.put("%25");
                    rest = &rest[at + 1..];
                }
            }
            uri_encode_into(out, rest, Set::Path);
        }
    }
    Ok(())
}

#[cfg(test)]
fn canonical_uri(path: &str, settings: &SigningSettings) -> Result<String> {
    let mut out = String::new();
    write_canonical_uri(&mut out, path, settings)?;
    Ok(out)
}

/// Removes `.`, `..` and empty segments; keeps a trailing slash.
fn normalize_path(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut out = String::with_capacity(path.len());
    out.push('/');
    out.push_str(&segments.join("/"));
    let trailing = path.ends_with('/') || path.ends_with("/.") || path.ends_with("/..");
    if trailing && !segments.is_empty() {
        out.push('/');
    }
    out
}

/// Line 3's parameters: percent-decoded, re-encoded with the SigV4 set, sorted by encoded
/// name then encoded value (a parameter without `=` has an empty value).
fn canonical_params(raw: &str) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = Vec::new();
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        params.push((reencode(name), reencode(value)));
    }
    // Usually sorted already: one comparison per pair instead of a sort.
    if !params.windows(2).all(|w| w[0] <= w[1]) {
        super::headers::heap_sort_by(&mut params, |a, b| a < b);
    }
    params
}

#[cfg(test)]
fn canonical_query(raw: &str) -> String {
    let mut out = String::new();
    let query = CanonicalQuery::<HostOnly> { raw, auth: None };
    query.write_line(&mut out).unwrap();
    out
}

fn reencode(s: &str) -> String {
    let decoded: Vec<u8> = percent_decode_str(s).collect();
    let mut out = String::with_capacity(decoded.len());
    uri_encode_bytes_into(&mut out, &decoded, Set::Query);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(path: &str, enc: UriEncoding, norm: PathNormalization) -> String {
        let s = SigningSettings::default()
            .with_uri_encoding(enc)
            .with_path_normalization(norm);
        canonical_uri(path, &s).unwrap()
    }

    #[test]
    fn s3_paths_are_never_normalised() {
        let s3 = |p| uri(p, UriEncoding::Single, PathNormalization::Disabled);
        assert_eq!(s3("/a/../b//c/./d/"), "/a/../b//c/./d/");
        assert_eq!(s3("/a b/%2F"), "/a%20b/%2F");
        assert_eq!(s3("/100%"), "/100%25");
    }

    #[test]
    fn normalisation() {
        let n = |p| uri(p, UriEncoding::Double, PathNormalization::Enabled);
        assert_eq!(n("//example//"), "/example/");
        assert_eq!(n("/example1/example2/../.."), "/");
        assert_eq!(n("/./example"), "/example");
        assert_eq!(n("/a/%3D"), "/a/%253D");
        assert_eq!(n(""), "/");
    }

    #[test]
    fn query_sorted_by_encoded_form() {
        assert_eq!(
            canonical_query("b=2&a=1&a=0&c&%E1%88%B4=x&~=y"),
            "%E1%88%B4=x&a=0&a=1&b=2&c=&~=y"
        );
        assert_eq!(canonical_query("a=b+c"), "a=b%2Bc");
    }
}
