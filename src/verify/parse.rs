//! Parsed views of a request's authentication: [`QueryAuth`], [`HeaderAuth`], [`PostAuth`]
//! and [`CredentialScope`]. Everything is checked for shape here, before any secret is
//! looked up or any hash computed.

use alloc::borrow::Cow;
use alloc::vec::Vec;
use core::fmt;

use percent_encoding::percent_decode_str;

use crate::sigv4::{Payload, UNSIGNED_PAYLOAD, param};

use super::credential::CredentialScope;
use super::error::{VResult, VerifyError, VerifyErrorKind, err, shown};
use super::scan::Separated;

pub(super) fn is_sig_hex(s: &str) -> bool {
    // A branch-free fold (vectorised): a signature is usually valid.
    s.len() == 64 && s.bytes().fold(true, |ok, c| ok & c.is_ascii_hexdigit())
}

/// The one payload-hash parser (`x-amz-content-sha256` or `X-Amz-Content-Sha256`, named
/// `name` in errors): `UNSIGNED-PAYLOAD` or 64 lowercase hex digits. Streaming
/// (chunk-signed) payloads are not supported.
pub(super) fn parse_payload_hash<'a>(value: &'a str, name: &'static str) -> VResult<Payload<'a>> {
    if value == UNSIGNED_PAYLOAD {
        return Ok(Payload::Unsigned);
    }
    if value.starts_with("STREAMING-") {
        return err(
            VerifyErrorKind::UnsupportedPayload,
            "streaming (chunk-signed) payloads are not supported by this verifier",
        );
    }
    if value.len() == 64
        && value
            .bytes()
            .all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
    {
        return Ok(Payload::Precomputed(value));
    }
    err(
        VerifyErrorKind::InvalidContentSha256,
        alloc::format!("{name} must be UNSIGNED-PAYLOAD or a SHA-256 in lowercase hex"),
    )
}

/// `str::split` by a separator of one or three bytes (`/`, `%2F`), without the substring
/// searcher's set-up cost on these short strings.
pub(super) struct SplitSeparator<'a, 's> {
    rest: Option<&'a str>,
    sep: &'s str,
}

impl<'a, 's> SplitSeparator<'a, 's> {
    pub(super) fn new(s: &'a str, sep: &'s str) -> Self {
        Self { rest: Some(s), sep }
    }
}

impl<'a> Iterator for SplitSeparator<'a, '_> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        let (b, sep) = (rest.as_bytes(), self.sep.as_bytes());
        let first = *sep.first()?;
        let mut from = 0;
        while let Some(i) = super::url::find2(b.get(from..)?, first, first) {
            let at = from + i;
            // Compared inline: separators are one or three bytes.
            let here = b.get(at..at + sep.len());
            if here.is_some_and(|w| w.iter().zip(sep).all(|(x, y)| x == y)) {
                self.rest = rest.get(at + sep.len()..);
                return rest.get(..at);
            }
            from = at + 1;
        }
        self.rest = None;
        Some(rest)
    }
}

/// Whether `value`'s only escapes are `%2F` (and it has one).
fn only_escaped_slashes(value: &str) -> bool {
    let b = value.as_bytes();
    let mut any = false;
    for (i, &c) in b.iter().enumerate() {
        if c == b'%' {
            if b.get(i + 1..i + 3) != Some(b"2F".as_slice()) {
                return false;
            }
            any = true;
        }
    }
    any
}

/// Checks `host;range;x-amz-date`: lowercase tokens, sorted, no repeats, `host` included.
pub(super) fn check_signed_headers(s: &str) -> core::result::Result<(), &'static str> {
    check_signed_names(s.split(';'))
}

/// As [`check_signed_headers`], for the names already split.
pub(super) fn check_signed_names<'n>(
    names: impl Iterator<Item = &'n str>,
) -> core::result::Result<(), &'static str> {
    let mut prev: Option<&str> = None;
    let mut host = false;
    for name in names {
        let ok = !name.is_empty()
            && name.bytes().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || b"!#$%&'*+-.^_`|~".contains(&c)
            });
        if !ok {
            return Err("signed header names must be lowercase HTTP tokens separated by ';'");
        }
        if prev.is_some_and(|p| p >= name) {
            return Err("signed header names must be sorted and unique");
        }
        host |= name == "host";
        prev = Some(name);
    }
    if !host {
        return Err("the host header must be signed");
    }
    Ok(())
}

/// The `X-Amz-*` parameters of a presigned URL, parsed (values percent-decoded).
#[derive(Clone, PartialEq, Eq)]
pub struct QueryAuth<'a> {
    algorithm: Cow<'a, str>,
    credential: Cow<'a, str>,
    /// `/`, or `%2F` when the credential is kept as sent (its only escapes are `%2F`).
    credential_sep: &'static str,
    date: Cow<'a, str>,
    expires: Cow<'a, str>,
    signed_headers: Cow<'a, str>,
    signature: Cow<'a, str>,
    security_token: Option<Cow<'a, str>>,
}

/// The presigned-URL parameters in the order [`QueryAuth::parse`] collects them.
const QUERY_AUTH_NAMES: [&str; 7] = [
    param::ALGORITHM,
    param::CREDENTIAL,
    param::DATE,
    param::EXPIRES,
    param::SIGNED_HEADERS,
    param::SIGNATURE,
    param::SECURITY_TOKEN,
];

/// The position of `name` in [`QUERY_AUTH_NAMES`] (a `match`: one length test and one
/// comparison instead of seven).
fn query_auth_index(name: &str) -> Option<usize> {
    Some(match name {
        param::ALGORITHM => 0,
        param::CREDENTIAL => 1,
        param::DATE => 2,
        param::EXPIRES => 3,
        param::SIGNED_HEADERS => 4,
        param::SIGNATURE => 5,
        param::SECURITY_TOKEN => 6,
        _ => return None,
    })
}

pub(super) fn decode_component(s: &str) -> VResult<Cow<'_, str>> {
    // Most names and values have nothing to decode (and are UTF-8 already).
    if !s.as_bytes().contains(&b'%') {
        return Ok(Cow::Borrowed(s));
    }
    percent_decode_str(s).decode_utf8().or_else(|_| {
        err(
            VerifyErrorKind::MalformedQuery,
            "a query parameter is not valid UTF-8 after percent-decoding",
        )
    })
}

/// Whether a raw query string carries presigned-URL parameters.
pub(super) fn has_query_auth(query: &str) -> bool {
    query.split('&').any(|pair| {
        let name = pair.split_once('=').map_or(pair, |(n, _)| n);
        matches!(
            name,
            param::ALGORITHM | param::CREDENTIAL | param::SIGNATURE
        )
    })
}

impl<'a> QueryAuth<'a> {
    /// Parses the authentication parameters of a raw query string (without `?`).
    ///
    /// # Errors
    /// [`VerifyErrorKind::MalformedQuery`] for a missing or repeated `X-Amz-*` parameter, a
    /// malformed credential, signed header list, `X-Amz-Expires`, or a signature that is not
    /// 64 hex digits.
    pub fn parse(query: &'a str) -> VResult<Self> {
        let mut found: [Option<Cow<'a, str>>; 7] = Default::default();
        let mut credential_sep = "/";
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = decode_component(name)?;
            if let Some(i) = query_auth_index(&name) {
                if found[i].is_some() {
                    return err(
                        VerifyErrorKind::MalformedQuery,
                        alloc::format!("{} appears more than once", QUERY_AUTH_NAMES[i]),
                    );
                }
                // The credential's only escapes are usually its `%2F` separators: it is then
                // split as sent instead of decoded into a copy.
                let raw_credential = i == 1 && only_escaped_slashes(value);
                found[i] = Some(if raw_credential {
                    credential_sep = "%2F";
                    Cow::Borrowed(value)
                } else {
                    decode_component(value)?
                });
            }
        }
        let [alg, cred, date, expires, signed, sig, token] = found;
        let need = |v: Option<Cow<'a, str>>, name: &'static str| {
            v.ok_or_else(|| {
                VerifyError::new(
                    VerifyErrorKind::MalformedQuery,
                    alloc::format!(
                        "Query-string authentication requires the {}, {}, {}, {}, {}, and {} parameters; {name} is missing",
                        param::ALGORITHM,
                        param::CREDENTIAL,
                        param::SIGNATURE,
                        param::DATE,
                        param::SIGNED_HEADERS,
                        param::EXPIRES
                    ),
                )
            })
        };
        let q = Self {
            algorithm: need(alg, param::ALGORITHM)?,
            credential: need(cred, param::CREDENTIAL)?,
            credential_sep,
            date: need(date, param::DATE)?,
            expires: need(expires, param::EXPIRES)?,
            signed_headers: need(signed, param::SIGNED_HEADERS)?,
            signature: need(sig, param::SIGNATURE)?,
            security_token: token,
        };
        q.validate()?;
        Ok(q)
    }

    /// The shape of each value: credential, signed headers, expiry, signature.
    fn validate(&self) -> VResult<()> {
        self.params().validate().map(|_| ())
    }

    /// The values as the verifier reads them.
    pub(super) fn params(&self) -> Params<'_> {
        Params {
            algorithm: &self.algorithm,
            credential: Separated {
                text: &self.credential,
                sep: self.credential_sep,
            },
            credential_cuts: None,
            date: &self.date,
            expires: &self.expires,
            signed_headers: Separated {
                text: &self.signed_headers,
                sep: ";",
            },
            signature: &self.signature,
            token: self.security_token.as_deref().map(Token::Decoded),
        }
    }

    /// `X-Amz-Algorithm`.
    pub fn algorithm(&self) -> &str {
        &self.algorithm
    }

    /// `X-Amz-Credential`, parsed.
    pub fn credential(&self) -> CredentialScope<'_> {
        // Validated in `parse`.
        CredentialScope::parse_separated(&self.credential, self.credential_sep).unwrap_or(
            CredentialScope {
                access_key_id: "",
                date: "",
                region: "",
                service: "",
            },
        )
    }

    /// `X-Amz-Date`, as sent.
    pub fn date(&self) -> &str {
        &self.date
    }

    /// `X-Amz-Expires` in seconds (saturating).
    pub fn expires_secs(&self) -> u64 {
        self.expires.parse().unwrap_or(u64::MAX)
    }

    /// `X-Amz-SignedHeaders`.
    pub fn signed_headers(&self) -> &str {
        &self.signed_headers
    }

    /// `X-Amz-Security-Token`, if present.
    pub fn security_token(&self) -> Option<&str> {
        self.security_token.as_deref()
    }
}

/// The `X-Amz-*` values of a presigned query as the verifier reads them: parsed by
/// [`QueryAuth::parse`], or found as sent by the one-pass scan of a canonical query.
#[derive(Clone, Copy)]
pub(super) struct Params<'a> {
    pub(super) algorithm: &'a str,
    pub(super) credential: Separated<'a>,
    /// Where the credential's four separators start, when the scan found them.
    pub(super) credential_cuts: Option<[usize; 4]>,
    pub(super) date: &'a str,
    pub(super) expires: &'a str,
    pub(super) signed_headers: Separated<'a>,
    pub(super) signature: &'a str,
    pub(super) token: Option<Token<'a>>,
}

/// `X-Amz-Security-Token`, decoded or as sent (its escapes decode to ASCII).
#[derive(Clone, Copy)]
pub(super) enum Token<'a> {
    Decoded(&'a str),
    Encoded(&'a str),
}

impl Params<'_> {
    /// The shape of each value: credential, signed headers, expiry, signature; returns the
    /// credential scope.
    pub(super) fn validate(&self) -> VResult<CredentialScope<'_>> {
        let q = self;
        let cut = q.credential_cuts.and_then(|cuts| {
            CredentialScope::parse_cut(q.credential.text, cuts, q.credential.sep.len())
        });
        let parsed = cut.unwrap_or_else(|| {
            CredentialScope::parse_separated(q.credential.text, q.credential.sep)
        });
        let scope = match parsed {
            Ok(scope) => scope,
            Err(reason) => return err(VerifyErrorKind::MalformedQuery, reason),
        };
        if let Err(reason) = check_signed_names(q.signed_headers.iter()) {
            return err(VerifyErrorKind::MalformedQuery, reason);
        }
        if q.expires.is_empty()
            || q.expires.len() > 19
            || !q.expires.bytes().all(|c| c.is_ascii_digit())
        {
            return err(
                VerifyErrorKind::MalformedQuery,
                "X-Amz-Expires should be a number of seconds",
            );
        }
        if q.expires.bytes().all(|c| c == b'0') {
            return err(
                VerifyErrorKind::MalformedQuery,
                "X-Amz-Expires must be at least 1 second",
            );
        }
        if !is_sig_hex(q.signature) {
            return err(
                VerifyErrorKind::MalformedQuery,
                "X-Amz-Signature must be 64 hexadecimal digits",
            );
        }
        Ok(scope)
    }

    /// `X-Amz-Expires` in seconds (saturating).
    pub(super) fn expires_secs(&self) -> u64 {
        self.expires.parse().unwrap_or(u64::MAX)
    }
}

impl fmt::Debug for QueryAuth<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueryAuth")
            .field("algorithm", &self.algorithm)
            .field("credential", &self.credential)
            .field("date", &self.date)
            .field("expires", &self.expires)
            .field("signed_headers", &self.signed_headers)
            .finish_non_exhaustive()
    }
}

/// An `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`
/// header, parsed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct HeaderAuth<'a> {
    algorithm: &'a str,
    credential: CredentialScope<'a>,
    signed_headers: &'a str,
    signature: &'a str,
}

impl<'a> HeaderAuth<'a> {
    /// Parses an `Authorization` header value.
    ///
    /// ```
    /// use s3presign::verify::HeaderAuth;
    /// let h = HeaderAuth::parse("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
    ///     SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")?;
    /// assert_eq!(h.signed_headers(), "host;x-amz-date");
    /// assert!(HeaderAuth::parse("AWS4-HMAC-SHA256 Credential=a/b, Signature=00").is_err());
    /// # Ok::<(), s3presign::verify::VerifyError>(())
    /// ```
    ///
    /// # Errors
    /// [`VerifyErrorKind::MalformedHeader`] for anything but exactly one `Credential`,
    /// `SignedHeaders` and `Signature` with well-formed values.
    pub fn parse(value: &'a str) -> VResult<Self> {
        let bad = |m: &'static str| err(VerifyErrorKind::MalformedHeader, m);
        let value = value.trim_matches(|c| c == ' ' || c == '\t');
        let Some((algorithm, rest)) = value.split_once(' ') else {
            return bad("the authorization header is malformed");
        };
        let (mut cred, mut signed, mut sig) = (None, None, None);
        for part in rest.split(',') {
            let part = part.trim_matches(|c| c == ' ' || c == '\t');
            let Some((k, v)) = part.split_once('=') else {
                return bad("the authorization header is malformed; each component is Name=value");
            };
            let slot = match k {
                "Credential" => &mut cred,
                "SignedHeaders" => &mut signed,
                "Signature" => &mut sig,
                _ => return bad("the authorization header has an unknown component"),
            };
            if slot.replace(v).is_some() {
                return bad("the authorization header repeats a component");
            }
        }
        let (Some(cred), Some(signed), Some(sig)) = (cred, signed, sig) else {
            return bad(
                "the authorization header requires Credential, SignedHeaders and Signature",
            );
        };
        let credential = match CredentialScope::parse(cred) {
            Ok(c) => c,
            Err(reason) => return err(VerifyErrorKind::MalformedHeader, reason),
        };
        if let Err(reason) = check_signed_headers(signed) {
            return err(VerifyErrorKind::MalformedHeader, reason);
        }
        if !is_sig_hex(sig) {
            return bad("the signature must be 64 hexadecimal digits");
        }
        Ok(Self {
            algorithm,
            credential,
            signed_headers: signed,
            signature: sig,
        })
    }

    /// The algorithm (`AWS4-HMAC-SHA256`).
    pub fn algorithm(&self) -> &'a str {
        self.algorithm
    }

    /// The credential scope.
    pub fn credential(&self) -> CredentialScope<'a> {
        self.credential
    }

    /// The signed header names, `;`-separated.
    pub fn signed_headers(&self) -> &'a str {
        self.signed_headers
    }

    pub(super) fn signature(&self) -> &'a str {
        self.signature
    }
}

impl fmt::Debug for HeaderAuth<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeaderAuth")
            .field("algorithm", &self.algorithm)
            .field("credential", &self.credential)
            .field("signed_headers", &self.signed_headers)
            .finish_non_exhaustive()
    }
}

/// Form fields sorted by name, ASCII case-insensitively: repeated names are found and
/// fields looked up in `O(n log n)` whatever the number of fields.
pub(super) struct FieldIndex<'a> {
    sorted: Vec<(&'a str, &'a str)>,
}

impl<'a> FieldIndex<'a> {
    /// Indexes `fields`; a name that appears twice (in any case) is refused.
    pub(super) fn new(fields: &[(&'a str, &'a str)]) -> VResult<Self> {
        let mut sorted = fields.to_vec();
        sorted.sort_unstable_by(|a, b| cmp_ignore_ascii_case(a.0, b.0));
        if let Some(w) = sorted
            .windows(2)
            .find(|w| w[0].0.eq_ignore_ascii_case(w[1].0))
        {
            return err(
                VerifyErrorKind::MalformedForm,
                alloc::format!("the form field {} appears more than once", shown(w[0].0)),
            );
        }
        Ok(Self { sorted })
    }

    /// The value of the field `name` (any case).
    pub(super) fn get(&self, name: &str) -> Option<&'a str> {
        self.sorted
            .binary_search_by(|(n, _)| cmp_ignore_ascii_case(n, name))
            .ok()
            .and_then(|i| self.sorted.get(i))
            .map(|(_, v)| *v)
    }
}

/// Orders names as their ASCII-lowercase forms would be ordered.
pub(super) fn cmp_ignore_ascii_case(a: &str, b: &str) -> core::cmp::Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (x.to_ascii_lowercase(), y.to_ascii_lowercase());
        if x != y {
            return x.cmp(&y);
        }
    }
    a.len().cmp(&b.len())
}

/// The authentication fields of a POST upload, parsed.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PostAuth<'a> {
    algorithm: &'a str,
    credential: CredentialScope<'a>,
    date: &'a str,
    policy: &'a str,
    signature: &'a str,
    security_token: Option<&'a str>,
    key: &'a str,
}

/// Fields that do not need a policy condition.
pub(super) fn exempt_field(name: &str) -> bool {
    ["policy", "x-amz-signature", "file"]
        .iter()
        .any(|n| n.eq_ignore_ascii_case(name))
        || name
            .get(..9)
            .is_some_and(|p| p.eq_ignore_ascii_case("x-ignore-"))
}

impl<'a> PostAuth<'a> {
    /// Parses the form fields of a POST upload (names compared case-insensitively).
    ///
    /// # Errors
    /// [`VerifyErrorKind::MalformedForm`] if a field appears twice or `key`, `policy`,
    /// `x-amz-algorithm`, `x-amz-credential`, `x-amz-date` or `x-amz-signature` is missing;
    /// the credential or signature is malformed.
    pub fn parse(fields: &'a [(&'a str, &'a str)]) -> VResult<Self> {
        Self::from_index(&FieldIndex::new(fields)?)
    }

    pub(super) fn from_index(fields: &FieldIndex<'a>) -> VResult<Self> {
        let need = |name: &'static str| {
            fields.get(name).ok_or_else(|| {
                VerifyError::new(
                    VerifyErrorKind::MalformedForm,
                    alloc::format!("Bucket POST must contain a field named '{name}'"),
                )
            })
        };
        let p = Self {
            key: need("key")?,
            algorithm: need("x-amz-algorithm")?,
            credential: CredentialScope::parse(need("x-amz-credential")?)
                .or_else(|r| err(VerifyErrorKind::MalformedForm, r))?,
            date: need("x-amz-date")?,
            policy: need("policy")?,
            signature: need("x-amz-signature")?,
            security_token: fields.get("x-amz-security-token"),
        };
        if !is_sig_hex(p.signature) {
            return err(
                VerifyErrorKind::MalformedForm,
                "x-amz-signature must be 64 hexadecimal digits",
            );
        }
        Ok(p)
    }

    /// `x-amz-algorithm`.
    pub fn algorithm(&self) -> &'a str {
        self.algorithm
    }

    /// `x-amz-date`, as sent.
    pub fn date(&self) -> &'a str {
        self.date
    }

    /// `x-amz-security-token`, if present.
    pub fn security_token(&self) -> Option<&'a str> {
        self.security_token
    }

    pub(super) fn signature(&self) -> &'a str {
        self.signature
    }

    /// The credential scope.
    pub fn credential(&self) -> CredentialScope<'a> {
        self.credential
    }

    /// The base64 policy.
    pub fn policy(&self) -> &'a str {
        self.policy
    }

    /// The `key` field as submitted.
    pub fn key(&self) -> &'a str {
        self.key
    }
}

impl fmt::Debug for PostAuth<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostAuth")
            .field("algorithm", &self.algorithm)
            .field("credential", &self.credential)
            .field("date", &self.date)
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_header_rules() {
        assert!(check_signed_headers("host").is_ok());
        assert!(check_signed_headers("host;x-amz-date").is_ok());
        assert!(check_signed_headers("x-amz-date;host").is_err());
        assert!(check_signed_headers("host;host").is_err());
        assert!(check_signed_headers("Host").is_err());
        assert!(check_signed_headers("x-amz-date").is_err());
        assert!(check_signed_headers("host;").is_err());
    }

    #[test]
    fn query_parse_rejects_before_crypto() {
        let base = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
        assert!(QueryAuth::parse(base).is_ok());
        let dup = alloc::format!("{base}&X-Amz-Date=20130524T000000Z");
        assert_eq!(
            QueryAuth::parse(&dup).unwrap_err().kind(),
            VerifyErrorKind::MalformedQuery
        );
        for (from, to) in [
            ("%2Faws4_request", "%2Faws5_request"),
            ("AKID%2F", "AKID"),
            ("d404", "d40"),
            ("d404", "d40g"),
            ("Expires=86400", "Expires=-1"),
            ("SignedHeaders=host", "SignedHeaders=range"),
        ] {
            let q = base.replace(from, to);
            let e = QueryAuth::parse(&q).unwrap_err();
            assert_eq!(e.kind(), VerifyErrorKind::MalformedQuery, "{q}");
            assert!(!e.message().contains("aeeed9bb"));
        }
    }
}
