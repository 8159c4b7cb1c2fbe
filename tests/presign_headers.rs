//! `Presign::sign_headers` (the S3 presigner's `Authorization` header mode) against the
//! generic `sigv4::sign_headers` with S3's settings: the same signature and signer headers
//! for the same request, over endpoints, addressing styles, keys, headers, payloads, query
//! parameters and temporary credentials.

use s3presign::s3::{AddressingStyle, Bucket, ContentTypeMode, Endpoint};
use s3presign::sigv4::{Payload, SignableRequest, SigningParams, SigningSettings, sign_headers};
use s3presign::{AmzDate, Credentials, Signer};

const ID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

struct Case {
    endpoint: Option<&'static str>,
    style: AddressingStyle,
    method: &'static str,
    key: &'static str,
    headers: &'static [(&'static str, &'static str)],
    content_type: Option<(&'static str, ContentTypeMode)>,
    version_id: Option<&'static str>,
    payload: Payload<'static>,
    token: Option<&'static str>,
}

const BASE: Case = Case {
    endpoint: None,
    style: AddressingStyle::Auto,
    method: "GET",
    key: "photos/2024/IMG 0001.JPG",
    headers: &[],
    content_type: None,
    version_id: None,
    payload: Payload::Unsigned,
    token: None,
};

fn cases() -> Vec<Case> {
    vec![
        BASE,
        Case {
            token: Some("IQoJb3JpZ2luX2VjEXAMPLE/+=TOKEN"),
            ..BASE
        },
        Case {
            method: "PUT",
            headers: &[("X-Amz-Meta-Owner", "  a   b "), ("Content-Length", "11")],
            content_type: Some(("text/plain", ContentTypeMode::Signed)),
            payload: Payload::Precomputed(
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            ),
            ..BASE
        },
        Case {
            method: "PUT",
            payload: Payload::Bytes(b"hello world"),
            headers: &[
                ("x-amz-meta-z", "1"),
                ("x-amz-storage-class", "STANDARD_IA"),
            ],
            token: Some("token"),
            ..BASE
        },
        Case {
            endpoint: Some("http://127.0.0.1:9000/base"),
            style: AddressingStyle::Path,
            key: "//a/./b/../ c+d=e&f?g#h%i~\u{fc}\u{1f600}/",
            version_id: Some("3/L4kqtJl40Nr8X8gdRQBpUMLUo"),
            headers: &[("range", "bytes=0-9")],
            ..BASE
        },
        Case {
            endpoint: Some("https://ACCOUNT.r2.cloudflarestorage.com"),
            method: "DELETE",
            version_id: Some("a b"),
            ..BASE
        },
    ]
}

/// The signer's headers of `Presign::sign_headers`, and its URL.
fn presigner(
    c: &Case,
    bucket: &Bucket,
    signer: &Signer,
    now: AmzDate,
) -> (String, Vec<(String, String)>) {
    let mut p = bucket.object(c.method, c.key);
    for (n, v) in c.headers {
        p = p.header(n, v);
    }
    if let Some((ct, mode)) = c.content_type {
        p = p.content_type(ct).content_type_mode(mode);
    }
    if let Some(v) = c.version_id {
        p = p.version_id(v);
    }
    let signed = p.sign_headers(signer, now, c.payload).unwrap();
    assert_eq!(signed.method(), c.method);
    let sent: Vec<(String, String)> = signed
        .headers()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    // Sorted names, the builder's headers included.
    let mut names: Vec<&str> = sent.iter().map(|(n, _)| n.as_str()).collect();
    names.sort_unstable();
    assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
    for (n, _) in c.headers {
        assert!(
            names.contains(&n.to_ascii_lowercase().as_str()),
            "{n} not sent"
        );
    }
    (signed.url().to_owned(), sent)
}

#[test]
fn header_mode_signs_as_the_generic_signer_does() {
    let now = AmzDate::parse("20240229T235959Z").unwrap();
    for c in cases() {
        let endpoint = match c.endpoint {
            Some(url) => Endpoint::custom(url, "eu-west-1").unwrap(),
            None => Endpoint::aws("eu-west-1").unwrap(),
        }
        .with_addressing_style(c.style);
        let bucket = Bucket::new(&endpoint, "examplebucket").unwrap();
        let mut creds = Credentials::new(ID, SECRET);
        if let Some(t) = c.token {
            creds = creds.with_session_token(t);
        }
        let signer = Signer::new(creds).unwrap();
        let (url, sent) = presigner(&c, &bucket, &signer, now);

        // The generic signer, given the same URL: host from it, path and query as sent.
        let rest = url.split_once("://").unwrap().1;
        let slash = rest.find('/').unwrap();
        let (host, target) = rest.split_at(slash);
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut headers = vec![("host", host)];
        headers.extend(c.headers.iter().copied());
        if let Some((ct, ContentTypeMode::Signed)) = c.content_type {
            headers.push(("content-type", ct));
        }
        let req = SignableRequest::new(c.method, path, query, &headers, c.payload);
        let params = SigningParams::new(&signer, "eu-west-1", "s3", now)
            .with_settings(SigningSettings::s3());
        let generic = sign_headers(&req, &params).unwrap();
        let mut added = 0;
        for (name, value) in generic.headers() {
            let ours = sent.iter().find(|(n, _)| n == name);
            assert_eq!(
                ours.map(|(_, v)| v.as_str()),
                Some(value),
                "{name} for {url}"
            );
            added += 1;
        }
        assert_eq!(
            added + c.headers.len() + usize::from(c.content_type.is_some()),
            sent.len()
        );
        assert!(!url.contains("X-Amz-"), "{url}");
        if let Some(v) = c.version_id {
            assert!(url.contains("versionId="), "{v}: {url}");
        }
    }
}

#[test]
fn header_mode_rejects_what_the_presigner_rejects() {
    let endpoint = Endpoint::aws("eu-west-1").unwrap();
    let bucket = Bucket::new(&endpoint, "examplebucket").unwrap();
    let signer = Signer::new(Credentials::new(ID, SECRET)).unwrap();
    let now = AmzDate::parse("20240229T235959Z").unwrap();
    let sign = |p: s3presign::s3::Presign<'_>, payload| {
        p.sign_headers(&signer, now, payload)
            .unwrap_err()
            .to_string()
    };
    let e = sign(bucket.get_object(""), Payload::Unsigned);
    assert!(e.contains("object key"), "{e}");
    let e = sign(
        bucket.get_object("k").header("Authorization", "x"),
        Payload::Unsigned,
    );
    assert!(e.contains("\"Authorization\""), "{e}");
    let e = sign(bucket.object("G T", "k"), Payload::Unsigned);
    assert!(e.contains("HTTP method"), "{e}");
    let e = sign(bucket.get_object("k"), Payload::Precomputed("not-a-hash"));
    assert!(e.contains("64 lowercase hex digits"), "{e}");
}

#[test]
fn header_mode_is_accepted_for_fifteen_minutes() {
    let endpoint = Endpoint::aws("eu-west-1").unwrap();
    let bucket = Bucket::new(&endpoint, "examplebucket").unwrap();
    let signer = Signer::new(Credentials::new(ID, SECRET)).unwrap();
    let now = AmzDate::parse("20240229T235959Z").unwrap();
    let signed = bucket
        .get_object("k")
        .sign_headers(&signer, now, Payload::Unsigned)
        .unwrap();
    assert_eq!(signed.expires_at().to_rfc3339(), "2024-03-01T00:14:59Z");
    let date = signed.headers().find(|(n, _)| *n == "x-amz-date");
    assert_eq!(date, Some(("x-amz-date", "20240229T235959Z")));
}

/// `Presign::sign` lists the headers to send sorted by name, the content type among them
/// whether it is signed or not.
#[test]
fn presigned_headers_are_sorted_with_the_content_type() {
    let endpoint = Endpoint::aws("eu-west-1").unwrap();
    let bucket = Bucket::new(&endpoint, "examplebucket").unwrap();
    let signer = Signer::new(Credentials::new(ID, SECRET)).unwrap();
    let now = AmzDate::parse("20240229T235959Z").unwrap();
    for mode in [ContentTypeMode::Signed, ContentTypeMode::Unsigned] {
        let signed = bucket
            .put_object("k")
            .header("X-Amz-Meta-A", " 1 ")
            .content_type("text/plain")
            .content_type_mode(mode)
            .header("Cache-Control", "no-cache")
            .sign(&signer, now)
            .unwrap();
        let headers: Vec<_> = signed.headers().collect();
        assert_eq!(
            headers,
            [
                ("cache-control", "no-cache"),
                ("content-type", "text/plain"),
                ("x-amz-meta-a", "1"),
            ],
            "{mode:?}"
        );
        let names = match mode {
            ContentTypeMode::Signed => "cache-control%3Bcontent-type%3Bhost%3Bx-amz-meta-a",
            _ => "cache-control%3Bhost%3Bx-amz-meta-a",
        };
        assert!(signed.url().contains(names), "{}", signed.url());
    }
}
