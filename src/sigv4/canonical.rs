//! Step 1: the [canonical request](https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#create-canonical-request).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use percent_encoding::percent_decode_str;
use sha2::{Digest, Sha256};

use super::settings::{PathNormalization, SigningSettings, UriEncoding};
use crate::encoding::{self, QUERY};
use crate::error::{Error, Result, clip};

/// Where canonical-request text goes: a SHA-256 state (signing) or a `String` (debugging).
/// Writing through one function to both guarantees that what is shown is what is hashed.
pub(crate) trait Sink {
    fn put(&mut self, s: &str);
}

impl Sink for Sha256 {
    #[inline]
    fn put(&mut self, s: &str) {
        self.update(s.as_bytes());
    }
}

impl Sink for String {
    #[inline]
    fn put(&mut self, s: &str) {
        self.push_str(s);
    }
}

/// Writes the six lines of a canonical request. `headers` must be sorted by (lowercase)
/// name with canonical values, one entry per name.
pub(crate) fn write_canonical_request<'h, S, I>(
    sink: &mut S,
    method: &str,
    uri: &str,
    query: &str,
    headers: I,
    payload_hash: &str,
) where
    S: Sink,
    I: Iterator<Item = (&'h str, &'h str)> + Clone,
{
    sink.put(method);
    sink.put("\n");
    sink.put(uri);
    sink.put("\n");
    sink.put(query);
    sink.put("\n");
    for (name, value) in headers.clone() {
        sink.put(name);
        sink.put(":");
        sink.put(value);
        sink.put("\n");
    }
    sink.put("\n");
    for (i, (name, _)) in headers.enumerate() {
        if i > 0 {
            sink.put(";");
        }
        sink.put(name);
    }
    sink.put("\n");
    sink.put(payload_hash);
}

/// Checks that `name` is an HTTP token (RFC 9110 `tchar`s).
pub(crate) fn validate_header_name(name: &str) -> Result<()> {
    let reason = if name.is_empty() {
        "it is empty"
    } else if !name.bytes().all(|c| {
        c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
    }) {
        "a header name may only contain letters, digits and !#$%&'*+-.^_`|~"
    } else {
        return Ok(());
    };
    Err(Error::InvalidHeaderName {
        name: clip(name),
        reason,
    })
}

/// Appends the canonical form of a header value to `out`: leading and trailing spaces
/// removed, runs of spaces collapsed to one. Rejects CR, LF and other control bytes.
pub(crate) fn canonical_header_value(out: &mut String, name: &str, value: &str) -> Result<()> {
    if value
        .bytes()
        .any(|c| (c < 0x20 && c != b'\t') || c == 0x7f)
    {
        return Err(Error::InvalidHeaderValue {
            name: clip(name),
            reason: "header values may not contain CR, LF or other control characters",
        });
    }
    let start = out.len();
    for word in value.split([' ', '\t']).filter(|w| !w.is_empty()) {
        if out.len() > start {
            out.push(' ');
        }
        out.push_str(word);
    }
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalRequest {
    method: String,
    uri: String,
    query: String,
    headers: Vec<(String, String)>,
    payload_hash: String,
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
        Self::build(req, settings, &[], &[])
    }

    /// As [`from_request`](Self::from_request), plus signing parameters added by the
    /// signer: `extra_query` (decoded names and values) and `extra_headers`.
    pub(crate) fn build(
        req: &super::SignableRequest<'_>,
        settings: &SigningSettings,
        extra_query: &[(&str, &str)],
        extra_headers: &[(&str, &str)],
    ) -> Result<Self> {
        validate_method(req.method)?;
        let uri = canonical_uri(req.path, settings)?;
        let query = canonical_query(req.query, extra_query);
        let mut headers: Vec<(String, String)> =
            Vec::with_capacity(req.headers.len() + extra_headers.len());
        for &(name, value) in req.headers.iter().chain(extra_headers) {
            validate_header_name(name)?;
            let name = name.to_ascii_lowercase();
            let mut v = String::new();
            canonical_header_value(&mut v, &name, value)?;
            headers.push((name, v));
        }
        // Stable sort keeps repeated headers in the order given; they are then joined by ','.
        headers.sort_by(|a, b| a.0.cmp(&b.0));
        headers.dedup_by(|later, earlier| {
            if later.0 == earlier.0 {
                earlier.1.push(',');
                earlier.1.push_str(&later.1);
                true
            } else {
                false
            }
        });
        Ok(Self {
            method: String::from(req.method),
            uri,
            query,
            headers,
            payload_hash: req.payload.hash_hex()?,
        })
    }

    /// The HTTP method.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The canonical URI (line 2).
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The canonical query string (line 3).
    pub fn query(&self) -> &str {
        &self.query
    }

    /// The canonical headers, sorted lowercase names with canonical values.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> + Clone {
        self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The signed header names joined by `;` (line 5, and `SignedHeaders=`).
    pub fn signed_headers(&self) -> String {
        let mut out = String::new();
        for (i, (n, _)) in self.headers.iter().enumerate() {
            if i > 0 {
                out.push(';');
            }
            out.push_str(n);
        }
        out
    }

    /// The payload hash (line 6).
    pub fn payload_hash(&self) -> &str {
        &self.payload_hash
    }

    /// SHA-256 of the canonical request text.
    pub fn digest(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        self.write(&mut h);
        h.finalize().into()
    }

    fn write<S: Sink>(&self, sink: &mut S) {
        write_canonical_request(
            sink,
            &self.method,
            &self.uri,
            &self.query,
            self.headers(),
            &self.payload_hash,
        );
    }
}

impl fmt::Display for CanonicalRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        self.write(&mut s);
        f.write_str(&s)
    }
}

pub(crate) fn validate_method(method: &str) -> Result<()> {
    if method.is_empty() {
        return Err(Error::InvalidMethod { reason: "it is empty" });
    }
    if !method
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c))
    {
        return Err(Error::InvalidMethod {
            reason: "a method may only contain letters, digits and !#$%&'*+-.^_`|~",
        });
    }
    Ok(())
}

/// Line 2: the path as sent, optionally normalised, encoded once or twice.
fn canonical_uri(path: &str, settings: &SigningSettings) -> Result<String> {
    if path.bytes().any(|c| c < 0x20 || c == 0x7f) {
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
    let mut out = String::with_capacity(path.len() + 8);
    match settings.uri_encoding {
        UriEncoding::Double => encoding::encode_into(&mut out, path, encoding::PATH),
        UriEncoding::Single => {
            let b = path.as_bytes();
            let mut i = 0;
            while i < b.len() {
                let c = b[i];
                let escape_kept = c == b'%'
                    && b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                    && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
                if escape_kept {
                    out.push_str(&path[i..i + 3]);
                    i += 3;
                } else {
                    encoding::encode_bytes_into(&mut out, &b[i..=i], encoding::PATH);
                    i += 1;
                }
            }
        }
    }
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

/// Line 3: parameters percent-decoded, re-encoded with the SigV4 set, sorted by encoded
/// name then encoded value (a parameter without `=` has an empty value).
fn canonical_query(raw: &str, extra: &[(&str, &str)]) -> String {
    let mut params: Vec<(String, String)> = Vec::new();
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        params.push((reencode(name), reencode(value)));
    }
    for &(name, value) in extra {
        let mut n = String::new();
        encoding::encode_into(&mut n, name, QUERY);
        let mut v = String::new();
        encoding::encode_into(&mut v, value, QUERY);
        params.push((n, v));
    }
    params.sort();
    let mut out = String::new();
    for (i, (n, v)) in params.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(n);
        out.push('=');
        out.push_str(v);
    }
    out
}

fn reencode(s: &str) -> String {
    let decoded: Vec<u8> = percent_decode_str(s).collect();
    let mut out = String::with_capacity(decoded.len());
    encoding::encode_bytes_into(&mut out, &decoded, QUERY);
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
            canonical_query("b=2&a=1&a=0&c&%E1%88%B4=x&~=y", &[]),
            "%E1%88%B4=x&a=0&a=1&b=2&c=&~=y"
        );
        assert_eq!(canonical_query("a=b+c", &[]), "a=b%2Bc");
    }

    #[test]
    fn header_values() {
        let mut s = String::new();
        canonical_header_value(&mut s, "x", "  a   b\tc  ").unwrap();
        assert_eq!(s, "a b c");
        assert!(canonical_header_value(&mut s, "x", "a\r\nb").is_err());
        assert!(canonical_header_value(&mut s, "x", "a\0").is_err());
        assert!(validate_header_name("X-Amz-Meta-Foo").is_ok());
        assert!(validate_header_name("bad name").is_err());
        assert!(validate_header_name("").is_err());
    }
}
