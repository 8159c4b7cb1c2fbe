//! Property tests for the verifier: whatever the request, sign-then-verify succeeds; any
//! single-byte change to the method, path, query or a signed header makes it fail; expired
//! and not-yet-valid requests fail. Both presigned URLs (the S3 presigner) and
//! `Authorization`-header signing (`sigv4::sign_headers`) are covered.

use proptest::prelude::*;
use s3presign::s3::{Bucket, Endpoint};
use s3presign::sigv4::{Payload, SignableRequest, SigningParams, SigningSettings, sign_headers};
use s3presign::verify::{IncomingRequest, Verifier, VerifyErrorKind, parse_url};
use s3presign::{AmzDate, Credentials, Signer};

const AKID: &str = "AKIDPROPERTY";
const SECRET: &str = "property/secret+KEY";
const BASE: i64 = 1_795_000_000; // 2026-11-18

fn verifier() -> Verifier<impl Fn(&str) -> Option<Credentials>> {
    Verifier::new(|id: &str| (id == AKID).then(|| Credentials::new(AKID, SECRET)))
        .with_region("eu-west-1")
}

fn signer() -> Signer {
    Signer::new(Credentials::new(AKID, SECRET)).unwrap()
}

fn t(secs: i64) -> AmzDate {
    AmzDate::from_unix_timestamp(BASE + secs).unwrap()
}

/// A byte that differs from `b` in meaning: digits and letters move to another digit or
/// letter of another value (never just another case, which hex decoding would ignore);
/// anything else becomes `Z`.
fn mutate(b: u8) -> u8 {
    match b {
        b'0'..=b'8' | b'a'..=b'y' | b'A'..=b'Y' => b + 1,
        b'9' => b'0',
        b'z' => b'a',
        b'Z' => b'A',
        _ => b'Z',
    }
}

fn mutate_at(s: &str, i: usize) -> String {
    let mut b = s.as_bytes().to_vec();
    b[i] = mutate(b[i]);
    String::from_utf8(b).unwrap()
}

prop_compose! {
    fn request()(
        method in prop::sample::select(vec!["GET", "PUT", "DELETE", "HEAD", "POST"]),
        key in "[a-zA-Z0-9/ !'()*._~+=&?%-]{1,24}|\\PC{1,12}",
        query in prop::collection::vec(("[a-z][a-z0-9-]{0,7}", "\\PC{0,10}"), 0..3),
        headers in prop::collection::vec(("[a-z]{1,8}", "[!-~][ -~]{0,14}[!-~]"), 0..3),
        content_type in prop::option::of("[a-z]{1,8}/[a-z0-9.+-]{1,10}"),
        path_style in any::<bool>(),
        expires in 1u64..=604_800,
    ) -> (String, String, Vec<(String, String)>, Vec<(String, String)>, Option<String>, bool, u64) {
        let headers = headers.into_iter().map(|(n, v)| (format!("x-amz-meta-{n}"), v)).collect();
        (method.to_owned(), key, query, headers, content_type, path_style, expires)
    }
}

type Req = (
    String,
    String,
    Vec<(String, String)>,
    Vec<(String, String)>,
    Option<String>,
    bool,
    u64,
);

/// Presigns the request; returns (method, url, headers to send).
fn presign(r: &Req) -> (String, String, Vec<(String, String)>) {
    let (method, key, query, headers, content_type, path_style, expires) = r;
    let endpoint = if *path_style {
        Endpoint::custom("http://127.0.0.1:9000", "eu-west-1").unwrap()
    } else {
        Endpoint::aws("eu-west-1").unwrap()
    };
    let bucket = Bucket::new(&endpoint, "prop-bucket").unwrap();
    let mut p = bucket.object(method, key).expires_in(*expires);
    for (n, v) in query {
        p = p.query(n, v);
    }
    for (n, v) in headers {
        p = p.header(n, v);
    }
    if let Some(ct) = content_type {
        p = p.content_type(ct);
    }
    let signed = p.sign(&signer(), t(0)).unwrap();
    let hs = signed
        .headers()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    (signed.method().to_owned(), signed.url().to_owned(), hs)
}

fn verify_url(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    now: AmzDate,
) -> Result<(), VerifyErrorKind> {
    let hs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    verifier()
        .verify_url(method, url, &hs, now)
        .map(|_| ())
        .map_err(|e| e.kind())
}

/// 300 cases by default; `VERIFY_PROPS_CASES=100000` for a long run.
fn cases() -> u32 {
    std::env::var("VERIFY_PROPS_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn presigned_sign_then_verify(r in request(), at in 0.0f64..1.0) {
        let (method, url, headers) = presign(&r);
        let now = t((at * r.6 as f64) as i64);
        prop_assert_eq!(verify_url(&method, &url, &headers, now), Ok(()));
        // At both ends of the window, and 15 minutes early (the allowed skew).
        prop_assert_eq!(verify_url(&method, &url, &headers, t(r.6 as i64)), Ok(()));
        prop_assert_eq!(verify_url(&method, &url, &headers, t(-900)), Ok(()));
        // One second past the end, and beyond the skew.
        prop_assert_eq!(verify_url(&method, &url, &headers, t(r.6 as i64 + 1)), Err(VerifyErrorKind::Expired));
        prop_assert_eq!(verify_url(&method, &url, &headers, t(-901)), Err(VerifyErrorKind::NotYetValid));
    }

    #[test]
    fn presigned_any_single_byte_change_fails(r in request(), pick in any::<prop::sample::Index>()) {
        let (method, url, headers) = presign(&r);
        let now = t(1);
        let u = parse_url(&url).unwrap();
        let path_start = u.scheme.len() + 3 + u.authority.len();
        prop_assert_eq!(&url[path_start..path_start + u.path.len()], u.path);
        let query_start = url.len() - u.query.len();
        // Every mutable position: method bytes, path bytes, query bytes, signed header values.
        let mut spots: Vec<(u8, usize, usize)> = Vec::new();
        spots.extend((0..method.len()).map(|i| (0, i, 0)));
        spots.extend((path_start..path_start + u.path.len()).map(|i| (1, i, 0)));
        spots.extend((query_start..url.len()).map(|i| (1, i, 0)));
        for (h, (_, v)) in headers.iter().enumerate() {
            spots.extend((0..v.len()).map(|i| (2, i, h)));
        }
        let (what, i, h) = *pick.get(&spots);
        let (m2, u2, mut h2) = (method.clone(), url.clone(), headers.clone());
        let res = match what {
            0 => verify_url(&mutate_at(&m2, i), &u2, &h2, now),
            1 => verify_url(&m2, &mutate_at(&u2, i), &h2, now),
            _ => {
                h2[h].1 = mutate_at(&h2[h].1, i);
                verify_url(&m2, &u2, &h2, now)
            }
        };
        prop_assert!(res.is_err(), "mutation {} at {} of {:?} {} {:?} still verifies", what, i, method, url, headers);
    }

    #[test]
    fn header_signed_sign_then_verify_and_mutations(
        r in request(),
        body in prop::collection::vec(any::<u8>(), 0..64),
        pick in any::<prop::sample::Index>(),
        skew in -900i64..=900,
    ) {
        let (method, key, query, headers, content_type, _, _) = &r;
        let host = "prop-bucket.s3.eu-west-1.amazonaws.com";
        let mut path = String::new();
        for seg in key.split('/') {
            path.push('/');
            encoding::encode_into(&mut path, seg, encoding::QUERY);
        }
        let mut q = String::new();
        for (n, v) in query {
            if !q.is_empty() { q.push('&'); }
            encoding::encode_into(&mut q, n, encoding::QUERY);
            q.push('=');
            encoding::encode_into(&mut q, v, encoding::QUERY);
        }
        let mut hs: Vec<(String, String)> = vec![("host".into(), host.into())];
        hs.extend(headers.iter().cloned());
        if let Some(ct) = content_type { hs.push(("content-type".into(), ct.clone())); }
        let refs: Vec<(&str, &str)> = hs.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let signer = signer();
        let params = SigningParams::new(&signer, "eu-west-1", "s3", t(0)).with_settings(SigningSettings::s3());
        let signed = sign_headers(&SignableRequest::new(method, &path, &q, &refs, Payload::Bytes(&body)), &params).unwrap();
        let mut all = hs.clone();
        all.extend(signed.headers().map(|(n, v)| (n.to_owned(), v.to_owned())));
        let check = |m: &str, p: &str, q: &str, h: &[(String, String)]| {
            let r: Vec<(&str, &str)> = h.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
            verifier().verify(&IncomingRequest::new(m, p, q, &r), t(skew)).map_err(|e| e.kind())
        };
        let ok = check(method, &path, &q, &all).unwrap();
        use sha2::Digest;
        prop_assert_eq!(ok.payload_hash(), hex::encode(sha2::Sha256::digest(&body)));
        // Beyond the skew either way.
        let r2: Vec<(&str, &str)> = all.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        prop_assert_eq!(verifier().verify(&IncomingRequest::new(method, &path, &q, &r2), t(901)).unwrap_err().kind(), VerifyErrorKind::RequestTimeTooSkewed);
        prop_assert_eq!(verifier().verify(&IncomingRequest::new(method, &path, &q, &r2), t(-901)).unwrap_err().kind(), VerifyErrorKind::RequestTimeTooSkewed);

        // One byte of the method, path, query or any header value (all are signed here).
        let mut spots: Vec<(u8, usize, usize)> = Vec::new();
        spots.extend((0..method.len()).map(|i| (0, i, 0)));
        spots.extend((0..path.len()).map(|i| (1, i, 0)));
        spots.extend((0..q.len()).map(|i| (2, i, 0)));
        for (h, (_, v)) in all.iter().enumerate() {
            spots.extend((0..v.len()).map(|i| (3, i, h)));
        }
        let (what, i, h) = *pick.get(&spots);
        let res = match what {
            0 => check(&mutate_at(method, i), &path, &q, &all),
            1 => check(method, &mutate_at(&path, i), &q, &all),
            2 => check(method, &path, &mutate_at(&q, i), &all),
            _ => {
                let mut a = all.clone();
                a[h].1 = mutate_at(&a[h].1, i);
                check(method, &path, &q, &a)
            }
        };
        prop_assert!(res.is_err(), "mutation {} at {} still verifies", what, i);
    }
}

#[test]
fn errors_never_echo_the_signature() {
    let r: Req = (
        "GET".into(),
        "a.txt".into(),
        vec![],
        vec![],
        None,
        false,
        60,
    );
    let (method, url, headers) = presign(&r);
    let sig = url.rsplit("X-Amz-Signature=").next().unwrap().to_owned();
    let bad = url.replace(&sig, &"0".repeat(64));
    let hs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let e = verifier().verify_url(&method, &bad, &hs, t(1)).unwrap_err();
    assert_eq!(e.kind(), VerifyErrorKind::SignatureDoesNotMatch);
    assert_eq!(
        (e.s3_code(), e.http_status()),
        ("SignatureDoesNotMatch", 403)
    );
    let shown = format!("{e} {e:?}");
    assert!(
        !shown.contains(&sig) && !shown.contains(&sig[..16]),
        "{shown}"
    );
    assert!(!shown.contains(SECRET));
}

#[test]
fn typed_rejections_before_crypto() {
    let r: Req = (
        "GET".into(),
        "a.txt".into(),
        vec![],
        vec![],
        None,
        false,
        60,
    );
    let (method, url, headers) = presign(&r);
    let hs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    // No lookup may happen for malformed requests: a lookup that panics proves it.
    let strict = Verifier::new(|_: &str| -> Option<Credentials> { panic!("secret looked up") })
        .with_region("eu-west-1");
    let kind = |u: &str| strict.verify_url(&method, u, &hs, t(1)).unwrap_err().kind();
    assert_eq!(
        kind(&format!("{url}&X-Amz-Date=20261118T000000Z")),
        VerifyErrorKind::MalformedQuery
    );
    assert_eq!(
        kind(&url.replace("%2Faws4_request", "%2Faws4")),
        VerifyErrorKind::MalformedQuery
    );
    let short = &url[..url.len() - 1];
    assert_eq!(kind(short), VerifyErrorKind::MalformedQuery);
    assert_eq!(
        kind(&url.replace(
            "X-Amz-Algorithm=AWS4-HMAC-SHA256",
            "X-Amz-Algorithm=AWS4-HMAC-SHA1"
        )),
        VerifyErrorKind::MalformedQuery
    );
    assert_eq!(
        kind(&url.replace("X-Amz-Expires=60", "X-Amz-Expires=604801")),
        VerifyErrorKind::ExpiresTooLong
    );
    assert_eq!(
        kind(&url.replace("eu-west-1%2Fs3", "us-east-1%2Fs3")),
        VerifyErrorKind::MalformedQuery
    );
    assert_eq!(
        kind(&url.replace("%2Fs3%2F", "%2Fs4%2F")),
        VerifyErrorKind::MalformedQuery
    );
    assert_eq!(
        kind(&url.replace(
            "X-Amz-SignedHeaders=host",
            "X-Amz-SignedHeaders=host%3Bx-custom"
        )),
        VerifyErrorKind::MissingSignedHeader
    );
    // Configurable limits.
    let week = Verifier::new(|_: &str| Some(Credentials::new(AKID, SECRET))).with_max_expiry(30);
    assert_eq!(
        week.verify_url(&method, &url, &hs, t(1))
            .unwrap_err()
            .kind(),
        VerifyErrorKind::ExpiresTooLong
    );
    let tight =
        Verifier::new(|_: &str| Some(Credentials::new(AKID, SECRET))).with_max_clock_skew(0);
    assert_eq!(
        tight
            .verify_url(&method, &url, &hs, t(-1))
            .unwrap_err()
            .kind(),
        VerifyErrorKind::NotYetValid
    );
    assert!(tight.verify_url(&method, &url, &hs, t(0)).is_ok());
    // No authentication, or two kinds at once.
    let plain = url.split('?').next().unwrap();
    assert_eq!(kind(plain), VerifyErrorKind::MissingAuthentication);
    let mut two = hs.clone();
    two.push(("Authorization", "AWS4-HMAC-SHA256 Credential=x"));
    assert_eq!(
        strict
            .verify_url(&method, &url, &two, t(1))
            .unwrap_err()
            .kind(),
        VerifyErrorKind::MultipleAuthentication
    );
}

/// Header-signed requests: the payload hash, session tokens and headers S3 insists on.
#[test]
fn header_signed_edge_cases() {
    let host = "prop-bucket.s3.eu-west-1.amazonaws.com";
    let sign = |creds: Credentials, payload: Payload<'_>, extra: &[(&str, &str)]| {
        let signer = Signer::new(creds).unwrap();
        let params = SigningParams::new(&signer, "eu-west-1", "s3", t(0))
            .with_settings(SigningSettings::s3());
        let mut hs: Vec<(&str, &str)> = vec![("host", host)];
        hs.extend_from_slice(extra);
        let signed = sign_headers(
            &SignableRequest::new("PUT", "/k", "", &hs, payload),
            &params,
        )
        .unwrap();
        let mut all: Vec<(String, String)> = hs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        all.extend(signed.headers().map(|(n, v)| (n.to_owned(), v.to_owned())));
        all
    };
    fn check<L: s3presign::verify::SecretLookup>(
        v: &Verifier<L>,
        h: &[(String, String)],
    ) -> Result<String, VerifyErrorKind> {
        let r: Vec<(&str, &str)> = h.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        v.verify(&IncomingRequest::new("PUT", "/k", "", &r), t(1))
            .map(|ok| ok.payload_hash().to_owned())
            .map_err(|e| e.kind())
    }
    let v = verifier();
    let creds = || Credentials::new(AKID, SECRET);

    // UNSIGNED-PAYLOAD.
    let h = sign(creds(), Payload::Unsigned, &[]);
    assert_eq!(check(&v, &h), Ok("UNSIGNED-PAYLOAD".to_owned()));
    // An x-amz-* header that is not signed, a missing x-amz-content-sha256, a missing date.
    let mut extra = h.clone();
    extra.push(("x-amz-meta-unsigned".into(), "1".into()));
    assert_eq!(check(&v, &extra), Err(VerifyErrorKind::UnsignedHeader));
    let without = |name: &str| -> Vec<(String, String)> {
        h.iter().filter(|(n, _)| n != name).cloned().collect()
    };
    assert_eq!(
        check(&v, &without("x-amz-content-sha256")),
        Err(VerifyErrorKind::MissingSignedHeader)
    );
    assert_eq!(
        check(&v, &without("x-amz-date")),
        Err(VerifyErrorKind::MissingAuthentication)
    );
    // A streaming payload is refused rather than half-checked.
    let streaming: Vec<(String, String)> = h
        .iter()
        .map(|(n, val)| {
            let val = if n == "x-amz-content-sha256" {
                "STREAMING-AWS4-HMAC-SHA256-PAYLOAD".to_owned()
            } else {
                val.clone()
            };
            (n.clone(), val)
        })
        .collect();
    let e = check(&v, &streaming).unwrap_err();
    assert_eq!(
        (e, e.s3_code(), e.http_status()),
        (VerifyErrorKind::UnsupportedPayload, "NotImplemented", 501)
    );

    // Session tokens: required when the credentials have one, and must match.
    let with_token = Verifier::new(|id: &str| {
        (id == AKID).then(|| Credentials::new(AKID, SECRET).with_session_token("tok-1"))
    });
    let h = sign(
        creds().with_session_token("tok-1"),
        Payload::Bytes(b"x"),
        &[],
    );
    assert!(check(&with_token, &h).is_ok());
    assert_eq!(check(&v, &h), Err(VerifyErrorKind::InvalidToken));
    let h2 = sign(
        creds().with_session_token("tok-2"),
        Payload::Bytes(b"x"),
        &[],
    );
    assert_eq!(check(&with_token, &h2), Err(VerifyErrorKind::InvalidToken));
    let plain = sign(creds(), Payload::Bytes(b"x"), &[]);
    assert_eq!(
        check(&with_token, &plain),
        Err(VerifyErrorKind::InvalidToken)
    );

    // Malformed Authorization headers are typed before any lookup.
    let strict = Verifier::new(|_: &str| -> Option<Credentials> { panic!("secret looked up") });
    let auth = h
        .iter()
        .find(|(n, _)| n == "authorization")
        .unwrap()
        .1
        .clone();
    for bad in [
        auth.replace("Credential=", "Credentials="),
        auth.replace(", Signature=", ", Signature=0"),
        auth.replace("SignedHeaders=", "SignedHeaders=zzz;"),
        auth.replace("/aws4_request", "/aws4"),
        format!("{auth}, Signature=00"),
        "AWS4-HMAC-SHA256".to_owned(),
    ] {
        let hs: Vec<(String, String)> = h
            .iter()
            .map(|(n, val)| {
                (
                    n.clone(),
                    if n == "authorization" {
                        bad.clone()
                    } else {
                        val.clone()
                    },
                )
            })
            .collect();
        assert_eq!(
            check(&strict, &hs),
            Err(VerifyErrorKind::MalformedHeader),
            "{bad}"
        );
    }
}

/// Percent-encoding by an independent implementation (the percent-encoding crate), as the
/// oracle: RFC 3986's unreserved characters are kept, everything else is escaped.
mod encoding {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_encode};

    pub const QUERY: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');

    pub fn encode_into(out: &mut String, input: &str, set: &'static AsciiSet) {
        out.extend(percent_encode(input.as_bytes(), set));
    }
}
