//! One pass over a presigned URL's query as the SDKs and this crate's presigner write it:
//! every parameter `name=value` with a canonical name and value (nothing to re-encode), the
//! parameters sorted, `X-Amz-Signature` last. The pass finds the `X-Amz-*` parameters, kept
//! as sent (nothing is decoded or copied), and proves the query canonical, so that its text
//! before `&X-Amz-Signature=` is the canonical request's query line as received.
//!
//! Anything else gives `None` and the verifier parses the query the general way
//! ([`QueryAuth::parse`](super::QueryAuth::parse)), which also says what is wrong: a name
//! with escapes, a repeated or missing parameter, a value with escapes other than the
//! separators below, a query that is not sorted.

use super::parse::{Params, SplitSeparator, Token, is_sig_hex};
use crate::sigv4::param;

/// The payload hash parameter of a presigned URL (the JS SDK sends it).
pub(super) const CONTENT_SHA256: &str = "X-Amz-Content-Sha256";

/// A list of names or parts separated by `sep` as sent: `/` or `%2F` in a credential,
/// `;` or `%3B` in the signed header names.
#[derive(Clone, Copy)]
pub(super) struct Separated<'a> {
    pub(super) text: &'a str,
    pub(super) sep: &'static str,
}

impl<'a> Separated<'a> {
    /// The parts, decoded (the text's only escapes are its separators).
    pub(super) fn iter(&self) -> SplitSeparator<'a, 'static> {
        SplitSeparator::new(self.text, self.sep)
    }
}

/// What one pass found in a canonical presigned query.
#[derive(Clone, Copy)]
pub(super) struct Scanned<'a> {
    /// The `X-Amz-*` parameters, the signature's credential and signed names as sent.
    pub(super) params: Params<'a>,
    /// `X-Amz-Content-Sha256`, as sent.
    pub(super) content_sha256: Option<&'a str>,
    /// The query before `&X-Amz-Signature=`: the canonical query.
    pub(super) canonical: &'a str,
}

/// The bytes canonical encoding keeps: `A-Z a-z 0-9 - . _ ~`.
static KEEP: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
        c += 1;
    }
    t
};

/// The value of an uppercase hex digit (a lowercase escape is not canonical).
fn upper_hex(d: u8) -> Option<u8> {
    match d {
        b'0'..=b'9' => Some(d - b'0'),
        b'A'..=b'F' => Some(d - b'A' + 10),
        _ => None,
    }
}

/// One `name=value` pair: where it ends, where its `=` is, and what its value's escapes
/// decode to.
struct Pair {
    end: usize,
    eq: usize,
    /// Escapes in the value, and how many decode to `/`, to `;`, and whether any to a
    /// byte that is not ASCII.
    escapes: usize,
    slashes: usize,
    semicolons: usize,
    non_ascii: bool,
    /// Where the value's first four escapes start.
    cuts: [usize; 4],
}

impl Pair {
    /// A pair ending at `end` with its `=` at `eq`, whose value has no escapes (yet).
    fn without_escapes(end: usize, eq: usize) -> Self {
        Self {
            end,
            eq,
            escapes: 0,
            slashes: 0,
            semicolons: 0,
            non_ascii: false,
            cuts: [0; 4],
        }
    }
}

/// The end of the run of kept bytes of `b` from `i`.
#[inline]
fn kept_run(b: &[u8], mut i: usize) -> usize {
    // Eight bytes per step with one branch (branch-free lookups), then byte by byte.
    while let Some(chunk) = b.get(i..).and_then(<[u8]>::first_chunk::<8>)
        && chunk
            .iter()
            .fold(true, |all, &c| all & KEEP[usize::from(c)])
    {
        i += 8;
    }
    while let Some(&c) = b.get(i)
        && KEEP[usize::from(c)]
    {
        i += 1;
    }
    i
}

/// Reads the pair of `b` starting at `start` (up to the next `&` or the end of `b`):
/// `None` unless it is `name=value` with an unreserved name and a canonical value.
fn pair(b: &[u8], start: usize) -> Option<Pair> {
    // A name with escapes is left to the general parser, which decodes it.
    let eq = kept_run(b, start);
    if b.get(eq) != Some(&b'=') {
        return None;
    }
    value(b, eq)
}

/// Reads the value after the `=` at `eq`: `None` unless it is canonical.
fn value(b: &[u8], eq: usize) -> Option<Pair> {
    let mut p = Pair::without_escapes(b.len(), eq);
    let mut i = eq + 1;
    loop {
        i = kept_run(b, i);
        match b.get(i) {
            None => break,
            Some(b'&') => {
                p.end = i;
                break;
            }
            Some(b'%') => {
                let (h, l) = (upper_hex(*b.get(i + 1)?)?, upper_hex(*b.get(i + 2)?)?);
                let d = h * 16 + l;
                // An escaped unreserved byte is not canonical (it would be decoded).
                if KEEP[usize::from(d)] {
                    return None;
                }
                if let Some(cut) = p.cuts.get_mut(p.escapes) {
                    *cut = i;
                }
                p.escapes += 1;
                p.slashes += usize::from(d == b'/');
                p.semicolons += usize::from(d == b';');
                p.non_ascii |= d >= 0x80;
                i += 3;
            }
            Some(_) => return None,
        }
    }
    Some(p)
}

/// A value of exactly 16 bytes of `A-Z 0-9 -` ending its pair, read in one step: valid
/// algorithms and dates have this form. `None` for anything else, which [`value`] reads.
/// Those bytes need no escaping, so the result is what [`value`] would return.
fn sixteen(b: &[u8], eq: usize) -> Option<Pair> {
    let v = b.get(eq + 1..)?.first_chunk::<16>()?;
    let end = eq + 17;
    // Compares on all sixteen bytes, no early exit: a few vector instructions.
    let plain = v.iter().fold(true, |all, &c| {
        all & (c.is_ascii_uppercase() | c.is_ascii_digit() | (c == b'-'))
    });
    (plain && matches!(b.get(end), None | Some(b'&'))).then_some(Pair::without_escapes(end, eq))
}

/// The `X-Amz-*` parameters the scan keeps, in canonical (byte) order of their names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Known {
    Algorithm,
    ContentSha256,
    Credential,
    Date,
    Expires,
    SecurityToken,
    SignedHeaders,
}

/// The parameter names the scan keeps, by the letter after `X-Amz-`.
fn known_names(first: u8) -> &'static [(&'static str, Option<Known>)] {
    match first {
        b'A' => &[(param::ALGORITHM, Some(Known::Algorithm))],
        b'C' => &[
            (param::CREDENTIAL, Some(Known::Credential)),
            (CONTENT_SHA256, Some(Known::ContentSha256)),
        ],
        b'D' => &[(param::DATE, Some(Known::Date))],
        b'E' => &[(param::EXPIRES, Some(Known::Expires))],
        // `X-Amz-Signature` anywhere but last is refused (`None` for the name).
        b'S' => &[
            (param::SIGNED_HEADERS, Some(Known::SignedHeaders)),
            (param::SECURITY_TOKEN, Some(Known::SecurityToken)),
            (param::SIGNATURE, None),
        ],
        _ => &[],
    }
}

/// A name of [`Known`] at `start`, followed by `=` (compared whole instead of byte by
/// byte): which one, and where its `=` is. `Some((None, _))` for `X-Amz-Signature`.
fn known_name(b: &[u8], start: usize) -> Option<(Option<Known>, usize)> {
    let rest = b.get(start..)?;
    let first = *rest.get(X_AMZ.len())?;
    if !rest.starts_with(X_AMZ.as_bytes()) {
        return None;
    }
    known_names(first).iter().find_map(|&(name, known)| {
        let eq = name.len();
        (rest.get(eq) == Some(&b'=') && rest.starts_with(name.as_bytes()))
            .then_some((known, start + eq))
    })
}

/// What every parameter [`Known`] starts with.
const X_AMZ: &str = "X-Amz-";

/// The separator of a value whose only escapes are `sep_escaped` (`n` of them), or `None`
/// if it has other escapes.
fn separator(
    p: &Pair,
    n: usize,
    plain: &'static str,
    escaped: &'static str,
) -> Option<&'static str> {
    match p.escapes {
        0 => Some(plain),
        e if e == n => Some(escaped),
        _ => None,
    }
}

/// The found `X-Amz-*` values, in the order of [`QUERY_AUTH_NAMES`](super::parse).
#[derive(Default)]
struct Found<'a> {
    values: [Option<&'a str>; 7],
    credential_sep: &'static str,
    /// Where the credential's `%2F` separators start (when it has the usual four).
    credential_cuts: Option<[usize; 4]>,
    signed_sep: &'static str,
    content_sha256: Option<&'a str>,
}

impl<'a> Found<'a> {
    /// Keeps a parameter's value; `None` if it repeats or needs decoding to be used.
    fn keep(&mut self, known: Known, value: &'a str, p: &Pair) -> Option<()> {
        let (slot, plain) = match known {
            Known::Algorithm => (0, true),
            Known::Credential => {
                self.credential_sep = separator(p, p.slashes, "/", "%2F")?;
                if p.escapes == 4 {
                    // Escapes are all `%2F` here; offsets into the value.
                    self.credential_cuts = Some(p.cuts.map(|at| at.saturating_sub(p.eq + 1)));
                }
                (1, false)
            }
            Known::Date => (2, true),
            Known::Expires => (3, true),
            Known::SignedHeaders => {
                self.signed_sep = separator(p, p.semicolons, ";", "%3B")?;
                (4, false)
            }
            // Decoded only to be compared, byte by byte (ASCII escapes: valid UTF-8).
            Known::SecurityToken if p.non_ascii => return None,
            Known::SecurityToken => (6, false),
            Known::ContentSha256 => {
                if self.content_sha256.is_some() || p.escapes > 0 {
                    return None;
                }
                self.content_sha256 = Some(value);
                return Some(());
            }
        };
        if plain && p.escapes > 0 {
            return None;
        }
        let v = self.values.get_mut(slot)?;
        if v.replace(value).is_some() {
            return None;
        }
        Some(())
    }
}

/// The previous parameter, for the check that the query is sorted.
#[derive(Clone, Copy)]
struct Prev<'a> {
    name: &'a str,
    value: &'a str,
    known: Option<Known>,
}

impl Prev<'_> {
    /// Whether `next` may follow: sorted by name, then value. Two known names compare by
    /// their order, without comparing text (a known name never repeats: see [`Found::keep`]).
    fn precedes(&self, next: &Prev<'_>) -> bool {
        match (self.known, next.known) {
            (Some(a), Some(b)) => a < b,
            _ => (self.name, self.value) <= (next.name, next.value),
        }
    }
}

/// `X-Amz-Signature=`, which starts the last parameter.
const SIGNATURE_EQ: &str = "X-Amz-Signature=";

/// Scans a presigned query that is canonical as received (see the module docs).
pub(super) fn scan(query: &str) -> Option<Scanned<'_>> {
    // The signature last: 64 hex digits (anything else is for the general parser), so the
    // `&` before it is at a known place.
    let amp = query.len().checked_sub(1 + SIGNATURE_EQ.len() + 64)?;
    let last = query.get(amp..)?.strip_prefix('&')?;
    let signature = last.strip_prefix(SIGNATURE_EQ)?;
    if !is_sig_hex(signature) {
        return None;
    }
    let canonical = query.get(..amp)?;
    let b = canonical.as_bytes();
    let mut found = Found::default();
    found.values[5] = Some(signature);
    let mut prev: Option<Prev<'_>> = None;
    let mut start = 0;
    loop {
        // The `X-Amz-*` names are compared whole; any other name is read byte by byte.
        let (known, p) = match known_name(b, start) {
            Some((None, _)) => return None,
            Some((Some(known @ (Known::Algorithm | Known::Date)), eq)) => {
                (Some(known), sixteen(b, eq).or_else(|| value(b, eq))?)
            }
            Some((Some(known), eq)) => (Some(known), value(b, eq)?),
            None => (None, pair(b, start)?),
        };
        // Pair boundaries are ASCII bytes (`&`, `=`), so these are char boundaries.
        let name = canonical.get(start..p.eq)?;
        let value = canonical.get(p.eq + 1..p.end)?;
        let this = Prev { name, value, known };
        if prev.is_some_and(|q| !q.precedes(&this)) {
            return None;
        }
        prev = Some(this);
        if let Some(known) = known {
            found.keep(known, value, &p)?;
        }
        if p.end == b.len() {
            return finish(found, canonical);
        }
        start = p.end + 1;
    }
}

fn finish<'a>(found: Found<'a>, canonical: &'a str) -> Option<Scanned<'a>> {
    let [
        Some(algorithm),
        Some(credential),
        Some(date),
        Some(expires),
        Some(signed),
        Some(sig),
        token,
    ] = found.values
    else {
        return None;
    };
    Some(Scanned {
        params: Params {
            algorithm,
            credential: Separated {
                text: credential,
                sep: found.credential_sep,
            },
            credential_cuts: found.credential_cuts,
            date,
            expires,
            signed_headers: Separated {
                text: signed,
                sep: found.signed_sep,
            },
            signature: sig,
            token: token.map(Token::Encoded),
        },
        content_sha256: found.content_sha256,
        canonical,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::Credentials;
    use crate::s3::{Bucket, Endpoint};
    use crate::sigv4::Signer;
    use crate::time::AmzDate;
    use crate::verify::QueryAuth;
    use crate::verify::error::VResult;
    use alloc::string::String;
    use alloc::vec::Vec;

    const TOKEN: &str = "FwoGZXIvYXdzEJr//////////wEaDKz+token/with=odd&chars";

    /// Presigned queries as the presigner writes them: plain, with operation parameters,
    /// signed headers and a session token.
    fn queries() -> Vec<String> {
        let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "secret/key+example");
        let plain = Signer::new(creds.clone()).unwrap();
        let token = Signer::new(creds.with_session_token(TOKEN)).unwrap();
        let b = Bucket::new(&Endpoint::aws("eu-west-1").unwrap(), "bucket").unwrap();
        let now = AmzDate::parse("20261125T120000Z").unwrap();
        let mut urls = Vec::new();
        for s in [&plain, &token] {
            urls.push(b.get_object("a b/c.txt").sign_url(s, now).unwrap());
            let put = b.put_object("k").content_type("video/mp4");
            urls.push(put.header("x-amz-acl", "private").sign_url(s, now).unwrap());
            let get = b.get_object("k").query("versionId", "v/1=2");
            urls.push(
                get.query("response-content-type", "é~")
                    .sign_url(s, now)
                    .unwrap(),
            );
        }
        urls.into_iter()
            .map(|u| String::from(u.split_once('?').unwrap().1))
            .collect()
    }

    fn decode(s: &str) -> String {
        percent_encoding::percent_decode_str(s)
            .decode_utf8()
            .unwrap()
            .into_owned()
    }

    #[test]
    fn every_signing_parameter_is_known_by_its_whole_name() {
        let mut known = Vec::new();
        for name in param::ALL.into_iter().chain([CONTENT_SHA256]) {
            let text = alloc::format!("{name}=v");
            let (k, eq) = known_name(text.as_bytes(), 0).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(eq, name.len());
            assert_eq!(k.is_none(), name == param::SIGNATURE, "{name}");
            known.extend(k.map(|k| (k, name)));
        }
        assert_eq!(known.len(), 7);
        // `Known`'s order is the names' byte order, which the sorted check relies on.
        let mut by_text = known.clone();
        by_text.sort_by_key(|&(_, name)| name);
        known.sort();
        assert!(known.iter().eq(by_text.iter()));
        for text in [
            "X-Amz-Dat=1",
            "X-Amz-Datex=1",
            "X-Amz-Date",
            "x-amz-date=1",
            "X-Amz-",
        ] {
            assert!(known_name(text.as_bytes(), 0).is_none(), "{text}");
        }
    }

    #[test]
    fn finds_what_the_general_parser_finds() {
        for query in queries() {
            let s = scan(&query).unwrap_or_else(|| panic!("not scanned: {query}"));
            let q = QueryAuth::parse(&query).unwrap();
            let (a, b) = (&s.params, q.params());
            // The scan's own split of the credential, the general parser's split.
            assert!(a.credential_cuts.is_some() && b.credential_cuts.is_none());
            assert_eq!(a.validate().unwrap(), b.validate().unwrap());
            assert!(a.signed_headers.iter().eq(b.signed_headers.iter()));
            let fields =
                |p: &Params<'_>| [p.algorithm, p.date, p.expires, p.signature].map(String::from);
            assert_eq!(fields(a), fields(&b));
            let token = |p: &Params<'_>| match p.token {
                Some(Token::Encoded(t)) => Some(decode(t)),
                Some(Token::Decoded(t)) => Some(String::from(t)),
                None => None,
            };
            assert_eq!(token(a), token(&b));

            let (before, _) = query.split_once("&X-Amz-Signature=").unwrap();
            assert_eq!(s.canonical, before);
        }
    }

    const SHA: &str = "X-Amz-Content-Sha256=UNSIGNED-PAYLOAD&";

    #[test]
    fn a_malformed_credential_gets_the_general_parsers_answer() {
        let q = &queries()[0];
        let mut compared = 0;
        for (from, to) in [
            ("%2F2026", "%2F2O26"),
            ("%2Feu-west-1", "%2Feu~west-1"),
            ("%2Fs3%2F", "%2F%2F"),
            ("%2Fs3%2F", "%2Fs3%2Fx%2F"),
            ("aws4_request", "aws4_requesT"),
            ("AKIAIOSFODNN7EXAMPLE", ""),
        ] {
            let changed = q.replacen(from, to, 1);
            assert_ne!(&changed, q);
            let Some(s) = scan(&changed) else { continue };
            let general = QueryAuth::parse(&changed).map(|_| ());
            let ours = s.params.validate().map(|_| ());
            // The general parser validates as it parses: the same refusal either way.
            let reason = |r: VResult<()>| r.map_err(|e| String::from(e.message()));
            assert_eq!(reason(ours), reason(general), "{changed}");
            compared += 1;
        }
        // Each change keeps the query canonical: the scan read every one.
        assert_eq!(compared, 6);
    }

    #[test]
    fn anything_else_is_left_to_the_general_parser() {
        let q = &queries()[0];
        let (head, sig) = q.split_once("&X-Amz-Signature=").unwrap();
        let sig = alloc::format!("X-Amz-Signature={sig}");
        for changed in [
            // The signature not last, twice, or alone.
            alloc::format!("{sig}&{head}"),
            alloc::format!("{head}&{sig}&{sig}"),
            sig.clone(),
            // Repeated, missing, unsorted, empty or encoded parameters.
            alloc::format!("{head}&X-Amz-Date=20261125T120000Z&{sig}"),
            alloc::format!("{}&{sig}", head.replace("X-Amz-Date=", "X-Amz-Datf=")),
            alloc::format!(
                "{}&{sig}",
                head.replace("X-Amz-Algorithm", "X-Amz-Zlgorithm")
            ),
            alloc::format!("{head}&&{sig}"),
            alloc::format!("{head}&a&{sig}"),
            alloc::format!("{}&{sig}", head.replace("X-Amz-Date", "X-Amz%2DDate")),
            // Escapes that decoding would change, or that need decoding to be read.
            alloc::format!("{}&{sig}", head.replace("%2F", "%2f")),
            alloc::format!("{}&{sig}", head.replace("%2Fs3", "%2F%73%33")),
            alloc::format!("{}&{sig}", head.replace("%2Feu", "%2F%C3%A9eu")),
            alloc::format!("{}&{sig}", head.replace("=host", "=ho%2Bst")),
            alloc::format!("{}&{sig}", head.replace("Date=", "Date=%32")),
            alloc::format!(
                "{}&{sig}",
                head.replace(
                    "X-Amz-SignedHeaders=",
                    "X-Amz-Security-Token=%C3%A9&X-Amz-SignedHeaders="
                )
            ),
            alloc::format!("{head}&{sig}%41"),
            alloc::format!("{head}&{sig}&"),
            alloc::format!("{head}&z=a=b&{sig}"),
            alloc::format!("{head}&z=a b&{sig}"),
            alloc::format!(
                "{}&{sig}",
                head.replace(
                    "X-Amz-Credential=",
                    &alloc::format!("{SHA}{SHA}X-Amz-Credential=")
                )
            ),
        ] {
            assert!(scan(&changed).is_none(), "{changed}");
        }
        // Once is fine (the JS SDK sends it).
        let with_sha = alloc::format!(
            "{}&{sig}",
            head.replace(
                "X-Amz-Credential=",
                &alloc::format!("{SHA}X-Amz-Credential=")
            )
        );
        assert_eq!(
            scan(&with_sha).and_then(|s| s.content_sha256),
            Some("UNSIGNED-PAYLOAD")
        );
        assert!(scan("").is_none());
    }

    #[test]
    fn tokens_are_compared_decoded_and_signatures_in_either_case() {
        use crate::verify::{Verifier, VerifyErrorKind};
        let now = AmzDate::parse("20261125T120000Z").unwrap();
        let creds = |token: Option<&str>| {
            let c = Credentials::new("AKIAIOSFODNN7EXAMPLE", "secret/key+example");
            match token {
                Some(t) => c.with_session_token(t),
                None => c,
            }
        };
        let b = Bucket::new(&Endpoint::aws("eu-west-1").unwrap(), "bucket").unwrap();
        let signer = Signer::new(creds(Some(TOKEN))).unwrap();
        let url = b.get_object("k").sign_url(&signer, now).unwrap();
        assert!(scan(url.split_once('?').unwrap().1).is_some());
        let check = |token: Option<&str>, url: &str| {
            let c = creds(token);
            Verifier::new(move |_: &str| Some(c.clone()))
                .verify_url("GET", url, &[], now)
                .map(|_| ())
                .map_err(|e| e.kind())
        };
        assert_eq!(check(Some(TOKEN), &url), Ok(()));
        let c = creds(Some(TOKEN));
        let ok = Verifier::new(move |_: &str| Some(c.clone()))
            .verify_url("GET", &url, &[], now)
            .unwrap();
        let an_hour_later = AmzDate::from_unix_timestamp(now.unix_timestamp() + 3600).ok();
        assert_eq!(ok.expires_at(), an_hour_later);
        let same_length = TOKEN.replace('+', "-");
        for other in [Some(same_length.as_str()), Some("FwoG"), None] {
            assert_eq!(
                check(other, &url),
                Err(VerifyErrorKind::InvalidToken),
                "{other:?}"
            );
        }
        let (head, sig) = url.split_once("X-Amz-Signature=").unwrap();
        let upper = alloc::format!("{head}X-Amz-Signature={}", sig.to_ascii_uppercase());
        assert_eq!(check(Some(TOKEN), &upper), Ok(()));
        let mut wrong = alloc::string::String::from(sig);
        wrong.replace_range(63.., if sig.ends_with('0') { "1" } else { "0" });
        let wrong = alloc::format!("{head}X-Amz-Signature={wrong}");
        assert_eq!(
            check(Some(TOKEN), &wrong),
            Err(VerifyErrorKind::SignatureDoesNotMatch)
        );
    }

    #[test]
    fn encoded_tokens_compare_as_decoded() {
        use crate::verify::ct_eq_encoded;
        assert!(ct_eq_encoded("a/b+c=", "a%2Fb%2Bc%3D"));
        assert!(ct_eq_encoded("", ""));
        assert!(!ct_eq_encoded("a/b+c=", "a%2Fb%2Bc%3E"));
        assert!(!ct_eq_encoded("a/b+c", "a%2Fb%2Bc%3D"));
        assert!(!ct_eq_encoded("a%2F", "a%2F"));
        assert!(!ct_eq_encoded("ab", "a%"));
        assert!(!ct_eq_encoded("abc", "a%2"));
    }
}
