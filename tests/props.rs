//! Property tests (proptest) over the encoders, the canonicaliser, the parsers and the
//! presigners: round trips, order invariance, idempotence, and "only `Ok`/`Err`, never a
//! panic" on arbitrary input.

use proptest::prelude::*;
use proptest::sample::select;

use encoding::{PATH, QUERY};
use s3presign::s3::{AddressingStyle, Bucket, ContentTypeMode, Endpoint};
use s3presign::sigv4::{
    self, CanonicalRequest, ContentSha256Header, PathNormalization, Payload, SessionTokenMode,
    SignableRequest, SigningParams, SigningSettings, UriEncoding,
};
use s3presign::{AmzDate, Credentials, Expiry, Signer};

// ---------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------

/// Characters that matter to URLs, HTTP and SigV4, mixed with arbitrary ones.
fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => select(vec![
            '/', '.', '%', '?', '#', '&', '=', ' ', '+', '~', '-', '_', ':', ';', ',', '@', '[',
            ']', '!', '$', '\'', '(', ')', '*', '"', '<', '>', '\\', '^', '`', '{', '|', '}',
            '\r', '\n', '\t', '\0', '\x7f', '\u{85}', '\u{a0}', 'é', 'ሴ', '😀', '\u{feff}',
            'a', 'Z', '0', '9', 'A', 'f', 'F',
        ]),
        2 => any::<char>(),
        2 => prop::char::range('a', 'z'),
    ]
}

fn tricky_string(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(tricky_char(), 0..max).prop_map(|v| v.into_iter().collect())
}

/// Strings made of `%XX` escapes (valid or not), digits and the characters above.
fn percentish_string(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            tricky_char().prop_map(String::from),
            (any::<u8>()).prop_map(|b| format!("%{b:02X}")),
            (any::<u8>()).prop_map(|b| format!("%{b:02x}")),
            Just("%".to_string()),
            Just("%G".to_string()),
        ],
        0..max,
    )
    .prop_map(|v| v.concat())
}

/// Mostly valid, sometimes arbitrary: so that both the `Ok` and the `Err` paths run often.
fn mostly<S>(valid: S, max: usize) -> BoxedStrategy<String>
where
    S: Strategy<Value = String> + 'static,
{
    prop_oneof![4 => valid, 1 => tricky_string(max)].boxed()
}

/// Printable header values with runs of spaces and tabs, sometimes anything.
fn header_value() -> BoxedStrategy<String> {
    mostly(
        "[ \t]{0,2}[!-~é ]{0,14}[ \t]{0,2}".prop_map(String::from),
        16,
    )
}

fn header_name() -> BoxedStrategy<String> {
    mostly("[A-Za-z][A-Za-z0-9-]{0,10}".prop_map(String::from), 8)
}

fn settings() -> impl Strategy<Value = SigningSettings> {
    (
        select(vec![UriEncoding::Single, UriEncoding::Double]),
        select(vec![
            PathNormalization::Disabled,
            PathNormalization::Enabled,
        ]),
        select(vec![
            ContentSha256Header::Include,
            ContentSha256Header::Omit,
        ]),
        select(vec![
            SessionTokenMode::Signed,
            SessionTokenMode::AppendedAfterSigning,
        ]),
    )
        .prop_map(|(u, p, c, s)| {
            SigningSettings::default()
                .with_uri_encoding(u)
                .with_path_normalization(p)
                .with_content_sha256_header(c)
                .with_session_token(s)
        })
}

fn signer() -> Signer {
    Signer::new(Credentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    ))
    .unwrap()
}

fn now() -> AmzDate {
    AmzDate::parse("20150830T123600Z").unwrap()
}

fn query_encode(s: &str) -> String {
    let mut out = String::new();
    encoding::encode_into(&mut out, s, QUERY);
    out
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~".contains(&b)
}

/// `Some(i)` when the text is only unreserved bytes, `extra` bytes and `%XX` escapes with
/// uppercase hex; otherwise the offending index.
fn first_bad_byte(s: &str, extra: &[u8]) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if is_unreserved(b[i]) || extra.contains(&b[i]) {
            i += 1;
        } else if b[i] == b'%'
            && i + 2 < b.len()
            && matches!(b[i + 1], b'0'..=b'9' | b'A'..=b'F')
            && matches!(b[i + 2], b'0'..=b'9' | b'A'..=b'F')
        {
            i += 3;
        } else {
            return Some(i);
        }
    }
    None
}

fn decode(s: &str) -> Vec<u8> {
    percent_encoding::percent_decode_str(s).collect()
}

// ---------------------------------------------------------------------------------------
// Encoders
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn query_encoding_is_unreserved_or_escaped_and_round_trips(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let mut out = String::new();
        encoding::encode_bytes_into(&mut out, &bytes, QUERY);
        prop_assert_eq!(first_bad_byte(&out, b""), None, "{:?}", out);
        prop_assert_eq!(decode(&out), bytes.clone());
        // Every byte that is not unreserved is escaped, every unreserved one is not.
        let escapes = out.matches('%').count();
        prop_assert_eq!(escapes, bytes.iter().filter(|b| !is_unreserved(**b)).count());
    }

    #[test]
    fn path_encoding_keeps_slash_only(s in tricky_string(64)) {
        let mut out = String::new();
        encoding::encode_into(&mut out, &s, PATH);
        prop_assert_eq!(first_bad_byte(&out, b"/"), None, "{:?}", out);
        prop_assert_eq!(decode(&out), s.as_bytes().to_vec());
        prop_assert_eq!(out.matches('/').count(), s.matches('/').count());
        // PATH differs from QUERY exactly in '/'.
        prop_assert_eq!(out.replace('/', "%2F"), query_encode(&s));
    }
}

// ---------------------------------------------------------------------------------------
// Canonicaliser
// ---------------------------------------------------------------------------------------

fn canonical(
    method: &str,
    path: &str,
    query: &str,
    headers: &[(&str, &str)],
    settings: &SigningSettings,
) -> s3presign::Result<CanonicalRequest> {
    let req = SignableRequest::new(method, path, query, headers, Payload::Unsigned);
    CanonicalRequest::from_request(&req, settings)
}

type Params = Vec<(String, String)>;

/// A list of parameters and a shuffled copy of it.
fn params_and_permutation() -> impl Strategy<Value = (Params, Params)> {
    prop::collection::vec((tricky_string(8), tricky_string(8)), 0..8)
        .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle()))
}

fn raw_query(params: &[(String, String)]) -> String {
    params
        .iter()
        .map(|(n, v)| format!("{}={}", query_encode(n), query_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn canonical_query_ignores_parameter_order((a, b) in params_and_permutation()) {
        let s = SigningSettings::s3();
        let qa = canonical("GET", "/", &raw_query(&a), &[("host", "h")], &s).unwrap();
        let qb = canonical("GET", "/", &raw_query(&b), &[("host", "h")], &s).unwrap();
        prop_assert_eq!(qa.query(), qb.query());
        // And it is sorted by encoded name, then value, with every pair present once per use.
        let mut want: Vec<(String, String)> =
            a.iter().map(|(n, v)| (query_encode(n), query_encode(v))).collect();
        want.sort();
        let want: Vec<String> = want.into_iter().map(|(n, v)| format!("{n}={v}")).collect();
        prop_assert_eq!(qa.query(), want.join("&"));
    }

    /// The canonical query of a raw query that a client wrote with another (valid) escaping
    /// style — lowercase hex, needless escapes of unreserved bytes — is the same.
    #[test]
    fn canonical_query_ignores_escaping_style(params in prop::collection::vec((tricky_string(8), tricky_string(8)), 1..6)) {
        let s = SigningSettings::s3();
        let strict = raw_query(&params);
        let loose = params
            .iter()
            .map(|(n, v)| {
                let esc = |x: &str| x.bytes().map(|b| format!("%{b:02x}")).collect::<String>();
                format!("{}={}", esc(n), esc(v))
            })
            .collect::<Vec<_>>()
            .join("&");
        let a = canonical("GET", "/", &strict, &[("host", "h")], &s).unwrap();
        let b = canonical("GET", "/", &loose, &[("host", "h")], &s).unwrap();
        prop_assert_eq!(a.query(), b.query());
    }

    #[test]
    fn header_value_canonicalisation_is_idempotent(v in tricky_string(32)) {
        let s = SigningSettings::default();
        match canonical("GET", "/", "", &[("host", "h"), ("x-v", &v)], &s) {
            Ok(c1) => {
                let once = c1.headers().find(|(n, _)| *n == "x-v").unwrap().1.to_string();
                let c2 = canonical("GET", "/", "", &[("host", "h"), ("x-v", &once)], &s).unwrap();
                let twice = c2.headers().find(|(n, _)| *n == "x-v").unwrap().1;
                prop_assert_eq!(&once, twice);
                prop_assert_eq!(once.trim_matches([' ', '\t']), once.as_str());
                prop_assert!(!once.contains("  ") && !once.contains('\t'), "{:?}", once);
            }
            // Only values with control characters are refused.
            Err(_) => prop_assert!(
                v.bytes().any(|c| (c < 0x20 && c != b'\t') || c == 0x7f),
                "{:?} was refused",
                v
            ),
        }
    }

    /// Header names are case-insensitive and their order does not matter.
    #[test]
    fn canonical_headers_ignore_name_case_and_order(
        (a, b) in prop::collection::vec(("[A-Za-z][A-Za-z0-9-]{0,8}", "[ -~]{0,12}"), 0..6)
            // Distinct names (case-insensitively), so that the order of repeated ones
            // (which is kept, by design) does not matter; then a shuffled copy.
            .prop_map(|v| {
                let mut seen = std::collections::HashSet::new();
                v.into_iter().filter(|(n, _)| seen.insert(n.to_ascii_lowercase())).collect::<Vec<_>>()
            })
            .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle()))
    ) {
        let upper: Vec<(String, String)> = b.iter().map(|(n, v)| (n.to_ascii_uppercase(), v.clone())).collect();
        let ha: Vec<(&str, &str)> = a.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let hb: Vec<(&str, &str)> = upper.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let s = SigningSettings::default();
        let ca = canonical("GET", "/", "", &ha, &s).unwrap();
        let cb = canonical("GET", "/", "", &hb, &s).unwrap();
        prop_assert_eq!(ca.to_string(), cb.to_string());
    }
}

// ---------------------------------------------------------------------------------------
// No panic on arbitrary input
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn amz_date_parse_never_panics(s in prop_oneof![
        tricky_string(24),
        "[0-9]{8}T[0-9]{6}Z",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,12})?Z",
        "[0-9T:Z.+-]{0,30}",
    ]) {
        if let Ok(d) = AmzDate::parse(&s) {
            // A parsed date prints in the basic form and parses back to itself.
            prop_assert_eq!(d.as_str().len(), 16);
            let again = AmzDate::parse(d.as_str()).unwrap();
            prop_assert_eq!(again.as_str(), d.as_str());
            prop_assert_eq!(&d.as_str()[..8], d.date_str());
            // Its text is that of its Unix time (computed the other way round).
            let via_unix = AmzDate::from_unix_timestamp(d.unix_timestamp()).unwrap();
            prop_assert_eq!(via_unix.as_str(), d.as_str());
        }
    }

    #[test]
    fn endpoint_and_bucket_never_panic(
        url in prop_oneof![
            tricky_string(40),
            "(https?|ftp|)(://)?[a-z0-9.:\\[\\]%@-]{0,30}(:[0-9]{0,7})?(/[a-z0-9/%.]{0,10})?",
            "https?://\\[[0-9a-f:.%]{0,40}\\](:[0-9]{1,6})?",
        ],
        region in prop_oneof![tricky_string(12), "[a-z]{2}-[a-z]{4,9}-[0-9]"],
        bucket in prop_oneof![tricky_string(20), "[a-z0-9.-]{0,70}", "[a-zA-Z0-9._-]{0,300}"],
        style in select(vec![AddressingStyle::Auto, AddressingStyle::Path, AddressingStyle::VirtualHosted]),
    ) {
        if let Ok(ep) = Endpoint::custom(&url, &region) {
            let ep = ep.with_addressing_style(style);
            let _ = Bucket::new(&ep, &bucket);
        }
        if let Ok(ep) = Endpoint::aws(&region) {
            let _ = Bucket::new(&ep.clone().with_addressing_style(style), &bucket);
            let _ = Bucket::new(&ep.with_dual_stack().with_accelerate(), &bucket);
        }
    }

    #[test]
    fn canonical_request_sign_and_presign_never_panic(
        method in mostly(select(vec!["GET", "PUT", "POST", "DELETE", "HEAD", "X-CUSTOM"]).prop_map(String::from), 6),
        path in mostly(
            prop_oneof![percentish_string(20), tricky_string(20)]
                .prop_map(|p| format!("/{}", p.replace(|c: char| c.is_control(), "")))
                .boxed(),
            20,
        ),
        query in prop_oneof![percentish_string(30), tricky_string(30)],
        headers in prop::collection::vec((header_name(), header_value()), 0..5),
        body in prop::collection::vec(any::<u8>(), 0..16),
        payload_kind in 0u8..4,
        precomputed in prop_oneof![4 => "[0-9a-f]{64}", 1 => tricky_string(64), 1 => "[0-9a-fA-F]{63,65}"],
        settings in settings(),
        region in mostly("[a-z]{2}-[a-z]{4,9}-[0-9]".prop_map(String::from), 10),
        service in mostly("[a-z0-9-]{1,12}".prop_map(String::from), 10),
        token in prop::option::of(mostly("[A-Za-z0-9/+=]{1,60}".prop_map(String::from), 20)),
        expires in prop_oneof![4 => 1u64..=604_800, 1 => any::<u64>()],
    ) {
        let mut h: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        h.push(("host", "example.amazonaws.com"));
        let payload = match payload_kind {
            0 => Payload::Bytes(&body),
            1 => Payload::Precomputed(&precomputed),
            2 => Payload::Unsigned,
            _ => Payload::Precomputed(EMPTY_OR_BAD[body.len() % 2]),
        };
        let req = SignableRequest::new(&method, &path, &query, &h, payload);
        let _ = CanonicalRequest::from_request(&req, &settings);

        let mut creds = Credentials::new("AKIDEXAMPLE", "secret");
        if let Some(t) = &token {
            creds = creds.with_session_token(t.clone());
        }
        let Ok(signer) = Signer::new(creds) else { return Ok(()) };
        let params = SigningParams::new(&signer, &region, &service, now()).with_settings(settings);
        if let Ok(s) = sigv4::sign_headers(&req, &params) {
            prop_assert!(s.authorization().starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"));
        }
        if let Ok(exp) = Expiry::from_secs(expires) {
            if let Ok(q) = sigv4::presign(&req, &params, exp) {
                let qs = q.query_string(&query);
                let last = qs.rsplit('&').next().unwrap();
                prop_assert!(last.starts_with("X-Amz-Signature="), "{}", qs);
            }
        } else {
            prop_assert!(expires == 0 || expires > Expiry::MAX_SECS);
        }
    }

    #[test]
    fn s3_presign_builder_never_panics(
        key in prop_oneof![8 => valid_key(), 1 => Just(String::new()), 1 => Just("k".repeat(1025))],
        method in mostly(select(vec!["GET", "PUT", "DELETE", "HEAD", "POST"]).prop_map(String::from), 6),
        headers in prop::collection::vec((
            prop_oneof![
                4 => "x-amz-meta-[a-z0-9._~-]{1,8}|cache-control|content-md5|x-amz-acl".prop_map(String::from),
                1 => select(vec!["host", "Authorization", "X-Amz-Date", "content-type", "X-Amz-Security-Token", "x-amz-content-sha256"]).prop_map(String::from),
                1 => tricky_string(8),
            ],
            header_value(),
        ), 0..3),
        query in prop::collection::vec((
            prop_oneof![
                4 => tricky_string(8).prop_filter("non-empty", |n| !n.is_empty()),
                1 => select(vec!["X-Amz-Signature", "x-amz-date", "versionId", "partNumber", ""]).prop_map(String::from),
            ],
            tricky_string(8),
        ), 0..3),
        content_type in prop::option::of(header_value()),
        unsigned_ct in any::<bool>(),
        disposition in prop::option::of(tricky_string(16)),
        expires in prop_oneof![4 => 1u64..=604_800, 1 => any::<u64>()],
        token in prop::option::of(mostly("[A-Za-z0-9/+=]{1,60}".prop_map(String::from), 20)),
        path_style in any::<bool>(),
    ) {
        let endpoint = if path_style {
            Endpoint::custom("http://127.0.0.1:9000/base", "us-east-1").unwrap()
        } else {
            Endpoint::aws("eu-west-1").unwrap()
        };
        let bucket = Bucket::new(&endpoint, "example-bucket").unwrap();
        let mut creds = Credentials::new("AKIDEXAMPLE", "secret");
        if let Some(t) = &token {
            creds = creds.with_session_token(t.clone());
        }
        let Ok(signer) = Signer::new(creds) else { return Ok(()) };
        let mut p = bucket.object(&method, &key).expires_in(expires);
        for (n, v) in &headers {
            p = p.header(n, v);
        }
        for (n, v) in &query {
            p = p.query(n, v);
        }
        if let Some(ct) = &content_type {
            p = p.content_type(ct);
            if unsigned_ct {
                p = p.content_type_mode(ContentTypeMode::Unsigned);
            }
        }
        if let Some(d) = &disposition {
            p = p.response_content_disposition(d);
        }
        let signed = p.sign(&signer, now());
        let url = p.sign_url(&signer, now());
        let creq = p.canonical_request(&signer, now());
        let sts = p.string_to_sign(&signer, now());
        // All four agree on success or failure.
        prop_assert_eq!(signed.is_ok(), url.is_ok());
        prop_assert_eq!(url.is_ok(), creq.is_ok());
        prop_assert_eq!(creq.is_ok(), sts.is_ok());
        if let (Ok(signed), Ok(url)) = (&signed, &url) {
            prop_assert_eq!(signed.url(), url.as_str());
            prop_assert!(!key.is_empty() && key.len() <= 1024);
            prop_assert!((1..=Expiry::MAX_SECS).contains(&expires));
            prop_assert!(url.is_ascii(), "{}", url);
            prop_assert!(!url.contains(' ') && !url.contains('#'), "{}", url);
            // The query sent is already canonical: re-canonicalising it changes nothing.
            let query = url.split_once('?').unwrap().1;
            let (signed_query, _) = query.rsplit_once("&X-Amz-Signature=").unwrap();
            let again = canonical("GET", "/", signed_query, &[("host", "h")], &SigningSettings::s3()).unwrap();
            prop_assert_eq!(again.query(), signed_query);
            let creq = creq.unwrap();
            prop_assert_eq!(creq.split('\n').nth(2).unwrap(), signed_query);
        }
        if key.is_empty() || key.len() > 1024 || expires == 0 || expires > Expiry::MAX_SECS {
            prop_assert!(url.is_err());
        }
    }
}

/// The empty-body hash and a malformed one (uppercase), for `Payload::Precomputed`.
const EMPTY_OR_BAD: [&str; 2] = [
    sigv4::EMPTY_SHA256,
    "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
];

// ---------------------------------------------------------------------------------------
// What is signed is what is sent
// ---------------------------------------------------------------------------------------

/// Keys S3 accepts: 1..=1024 bytes of UTF-8, with every awkward shape over-represented
/// (leading, doubled and trailing slashes, dot segments, escapes, spaces, '+').
fn valid_key() -> impl Strategy<Value = String> {
    prop_oneof![
        tricky_string(60),
        percentish_string(30),
        prop::collection::vec(
            select(vec![
                "/", "//", ".", "..", "./", "../", "a", "%2F", "%", " ", "+", "é", "~"
            ]),
            1..12
        )
        .prop_map(|v| v.concat()),
        (1usize..=1024).prop_map(|n| "x".repeat(n)),
        (0usize..=340).prop_map(|n| format!("{}/", "é".repeat(n))),
    ]
    .prop_filter("S3 keys are 1..=1024 bytes", |k| {
        !k.is_empty() && k.len() <= 1024
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn sign_url_sends_the_key_exactly_and_signs_the_query_it_sends(
        key in valid_key(),
        path_style in any::<bool>(),
        version in prop::option::of(tricky_string(10).prop_filter("version ids are non-empty", |v| !v.is_empty())),
        token in prop::option::of("[A-Za-z0-9/+=]{1,40}"),
    ) {
        let (endpoint, prefix) = if path_style {
            (
                Endpoint::custom("http://127.0.0.1:9000/base", "us-east-1").unwrap(),
                "http://127.0.0.1:9000/base/example-bucket/",
            )
        } else {
            (
                Endpoint::aws("eu-west-1").unwrap(),
                "https://example-bucket.s3.eu-west-1.amazonaws.com/",
            )
        };
        let bucket = Bucket::new(&endpoint, "example-bucket").unwrap();
        let mut creds = Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        if let Some(t) = &token {
            creds = creds.with_session_token(t.clone());
        }
        let signer = Signer::new(creds).unwrap();
        let mut get = bucket.get_object(&key).expires_in(600);
        if let Some(v) = &version {
            get = get.version_id(v);
        }
        let url = get.sign_url(&signer, now()).unwrap();

        prop_assert!(url.starts_with(prefix), "{}", url);
        let rest = &url[prefix.len()..];
        let (path, query) = rest.split_once('?').unwrap();
        // No normalisation: the path is the key, escaped, and decodes back to exactly it.
        prop_assert_eq!(first_bad_byte(path, b"/"), None, "{:?}", path);
        prop_assert_eq!(decode(path), key.as_bytes().to_vec());
        let mut escaped = String::new();
        encoding::encode_into(&mut escaped, &key, PATH);
        prop_assert_eq!(path, escaped.as_str());

        // The canonical request's query line is the URL's query without the signature.
        let (signed_query, signature) = query.rsplit_once("&X-Amz-Signature=").unwrap();
        prop_assert_eq!(signature.len(), 64);
        let creq = get.canonical_request(&signer, now()).unwrap();
        let lines: Vec<&str> = creq.split('\n').collect();
        prop_assert_eq!(lines[0], "GET");
        prop_assert_eq!(lines[1], format!("/{}{}", if path_style { "base/example-bucket/" } else { "" }, path));
        prop_assert_eq!(lines[2], signed_query);
        prop_assert_eq!(*lines.last().unwrap(), "UNSIGNED-PAYLOAD");

        // And the generic presigner, given the same request, computes the same signature:
        // the fast S3 path and the spec-step types agree.
        let host = if path_style { "127.0.0.1:9000" } else { "example-bucket.s3.eu-west-1.amazonaws.com" };
        let canonical_path = lines[1];
        let headers = [("host", host)];
        let user_query: Vec<&str> = signed_query
            .split('&')
            .filter(|p| !p.starts_with("X-Amz-"))
            .collect();
        let user_query = user_query.join("&");
        let region = if path_style { "us-east-1" } else { "eu-west-1" };
        let req = SignableRequest::new("GET", canonical_path, &user_query, &headers, Payload::Unsigned);
        let params = SigningParams::new(&signer, region, "s3", now()).with_settings(SigningSettings::s3());
        let q = sigv4::presign(&req, &params, Expiry::from_secs(600).unwrap()).unwrap();
        prop_assert_eq!(q.canonical_request().to_string(), creq);
        prop_assert_eq!(q.signature().to_string(), signature);
    }
}

/// Header names are HTTP tokens, which may hold `!#$%&'*+^`|`; in `X-Amz-SignedHeaders` they
/// must be query-encoded like any value (`#` starts a fragment, `&` a new parameter).
/// (Regression test: names used to be written raw, so `x&y` split the parameter.)
#[test]
fn signed_header_names_are_query_encoded_in_the_url() {
    let endpoint = Endpoint::aws("eu-west-1").unwrap();
    let bucket = Bucket::new(&endpoint, "example-bucket").unwrap();
    for name in ["x&y", "x#y", "x+y", "x%y", "x!y"] {
        let url = bucket
            .put_object("k")
            .header(name, "1")
            .sign_url(&signer(), now())
            .unwrap();
        let mut want = String::from("X-Amz-SignedHeaders=host%3B");
        encoding::encode_into(&mut want, name, QUERY);
        assert!(url.contains(&format!("{want}&")), "{url}");
    }
}

proptest! {
    /// The signing parameters cannot be smuggled into the query under another spelling:
    /// any case, any byte percent-escaped (upper or lower hex), with or without a value.
    #[test]
    fn presign_rejects_signing_parameters_in_any_spelling(
        name in select(vec![
            "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
            "X-Amz-SignedHeaders", "X-Amz-Security-Token", "X-Amz-Signature",
        ]),
        flips in prop::collection::vec(0u8..4, 24),
        value in prop::option::of("[a-z0-9%]{0,6}"),
    ) {
        let spelled: String = name
            .bytes()
            .zip(flips.iter().cycle())
            .map(|(b, f)| match f {
                0 => (b as char).to_string(),
                1 => (b as char).to_ascii_lowercase().to_string(),
                2 => format!("%{b:02X}"),
                _ => format!("%{b:02x}"),
            })
            .collect();
        let query = match &value {
            Some(v) => format!("a=1&{spelled}={v}"),
            None => format!("{spelled}&a=1"),
        };
        let signer = signer();
        let headers = [("host", "h")];
        let req = SignableRequest::new("GET", "/", &query, &headers, Payload::Unsigned);
        let params = SigningParams::new(&signer, "us-east-1", "s3", now())
            .with_settings(SigningSettings::s3());
        prop_assert!(sigv4::presign(&req, &params, Expiry::from_secs(60).unwrap()).is_err(), "{}", query);
    }
}

#[test]
fn empty_version_id_is_refused() {
    let endpoint = Endpoint::aws("eu-west-1").unwrap();
    let bucket = Bucket::new(&endpoint, "example-bucket").unwrap();
    let err = bucket
        .get_object("k")
        .version_id("")
        .sign_url(&signer(), now())
        .unwrap_err();
    assert!(err.to_string().contains("versionId"), "{err}");
    let url = bucket
        .get_object("k")
        .version_id("null")
        .sign_url(&signer(), now())
        .unwrap();
    assert!(url.contains("&versionId=null"), "{url}");
}

#[test]
fn response_overrides_are_refused_outside_get_and_head() {
    use s3presign::s3::ContentDisposition;
    let endpoint = Endpoint::aws("eu-west-1").unwrap();
    let bucket = Bucket::new(&endpoint, "example-bucket").unwrap();
    let cd = ContentDisposition::attachment("résumé.pdf");
    let refused = [
        bucket.put_object("k").response_content_type("text/plain"),
        bucket
            .put_object("k")
            .response_content_disposition_typed(&cd),
        bucket.delete_object("k").response_cache_control("no-cache"),
    ];
    for p in refused {
        let err = p.sign_url(&signer(), now()).unwrap_err();
        assert!(err.to_string().contains("GET and HEAD"), "{err}");
    }
    let url = bucket
        .head_object("k")
        .response_content_disposition_typed(&cd)
        .sign_url(&signer(), now())
        .unwrap();
    assert!(
        url.contains("response-content-disposition=attachment%3B%20filename%3D%22r_sum_.pdf%22%3B%20filename%2A%3DUTF-8%27%27r%25C3%25A9sum%25C3%25A9.pdf"),
        "{url}"
    );
}

/// Percent-encoding by an independent implementation (the percent-encoding crate), as the
/// oracle: RFC 3986's unreserved characters are kept, everything else is escaped, and
/// `PATH` also keeps `/`.
mod encoding {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_encode};

    pub const QUERY: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    pub const PATH: &AsciiSet = &QUERY.remove(b'/');

    pub fn encode_into(out: &mut String, input: &str, set: &'static AsciiSet) {
        encode_bytes_into(out, input.as_bytes(), set);
    }

    pub fn encode_bytes_into(out: &mut String, input: &[u8], set: &'static AsciiSet) {
        out.extend(percent_encode(input, set));
    }
}
