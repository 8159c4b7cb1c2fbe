//! Verifier hardening: requests S3 refuses are refused here too, settings at their extremes
//! do not wrap, and POST forms with many or large fields are handled in bounded time.

use std::time::{Duration, Instant};

use s3presign::s3::{Bucket, Endpoint, PostPolicy};
use s3presign::sigv4::{
    CanonicalRequest, Payload, Scope, SignableRequest, SigningKey, SigningSettings, StringToSign,
};
use s3presign::verify::{PostSubmission, Verifier, VerifyErrorKind};
use s3presign::{AmzDate, Credentials, Signer};

const AKID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

fn creds() -> Credentials {
    Credentials::new(AKID, SECRET)
}

fn verifier() -> Verifier<impl Fn(&str) -> Option<Credentials>> {
    Verifier::new(|id: &str| (id == AKID).then(creds))
}

fn at(s: &str) -> AmzDate {
    AmzDate::parse(s).unwrap()
}

fn bucket() -> Bucket {
    Bucket::new(&Endpoint::aws("us-east-1").unwrap(), "examplebucket").unwrap()
}

/// Signs `query` (canonical, without `X-Amz-Signature`) for `host` with the public sigv4
/// types, so that a test can build presigned URLs the presigner refuses to write.
fn sign_query(method: &str, host: &str, path: &str, query: &str, date: AmzDate) -> String {
    let headers = [("host", host)];
    let req = SignableRequest::new(method, path, query, &headers, Payload::Unsigned);
    let creq = CanonicalRequest::from_request(&req, &SigningSettings::s3()).unwrap();
    let scope = Scope::new(date, "us-east-1", "s3").unwrap();
    let sts = StringToSign::new(scope, creq.digest());
    let key = SigningKey::derive(SECRET, date.date_str(), "us-east-1", "s3");
    format!(
        "https://{host}{path}?{query}&X-Amz-Signature={}",
        key.sign(&sts)
    )
}

fn query_with_expires(expires: &str) -> String {
    format!(
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={AKID}%2F20261125%2Fus-east-1%2Fs3%2Faws4_request\
         &X-Amz-Date=20261125T120000Z&X-Amz-Expires={expires}&X-Amz-SignedHeaders=host"
    )
}

#[test]
fn presigned_request_with_unsigned_amz_headers_is_refused() {
    let b = bucket();
    let now = at("2026-11-25T12:00:00Z");
    let url = b
        .put_object("obj.txt")
        .sign_url(&Signer::new(creds()).unwrap(), now)
        .unwrap();
    let v = verifier();
    assert!(v.verify_url("PUT", &url, &[], now).is_ok());
    for header in [
        ("x-amz-acl", "public-read"),
        ("X-Amz-Copy-Source", "other/secret.txt"),
    ] {
        let e = v.verify_url("PUT", &url, &[header], now).unwrap_err();
        assert_eq!(e.kind(), VerifyErrorKind::UnsignedHeader, "{header:?}");
        assert_eq!((e.s3_code(), e.http_status()), ("AccessDenied", 403));
        assert!(e.message().contains("not signed"), "{}", e.message());
    }
    // Headers that are not x-amz-* need no signature.
    assert!(
        v.verify_url("PUT", &url, &[("content-type", "text/plain")], now)
            .is_ok()
    );
}

#[test]
fn presigned_headers_that_were_signed_are_accepted() {
    let b = bucket();
    let now = at("2026-11-25T12:00:00Z");
    let url = b
        .put_object("obj.txt")
        .header("x-amz-acl", "private")
        .sign_url(&Signer::new(creds()).unwrap(), now)
        .unwrap();
    let v = verifier();
    assert!(
        v.verify_url("PUT", &url, &[("x-amz-acl", "private")], now)
            .is_ok()
    );
}

#[test]
fn expires_zero_is_refused_even_when_correctly_signed() {
    let date = at("20261125T120000Z");
    let host = "examplebucket.s3.us-east-1.amazonaws.com";
    let v = verifier();
    let one = sign_query("GET", host, "/k", &query_with_expires("1"), date);
    assert!(v.verify_url("GET", &one, &[], date).is_ok());
    let zero = sign_query("GET", host, "/k", &query_with_expires("0"), date);
    let e = v.verify_url("GET", &zero, &[], date).unwrap_err();
    assert_eq!(e.kind(), VerifyErrorKind::MalformedQuery);
    assert_eq!(e.s3_code(), "AuthorizationQueryParametersError");
    assert!(e.message().contains("X-Amz-Expires"), "{}", e.message());
}

#[test]
fn expires_beyond_i64_does_not_wrap_when_the_cap_allows_it() {
    let date = at("20261125T120000Z");
    let host = "examplebucket.s3.us-east-1.amazonaws.com";
    let url = sign_query(
        "GET",
        host,
        "/k",
        &query_with_expires("9999999999999999999"),
        date,
    );
    let v = verifier().with_max_expiry(u64::MAX);
    let ok = v.verify_url("GET", &url, &[], at("20261125T130000Z"));
    assert!(ok.is_ok(), "{ok:?}");
}

#[test]
fn clock_skew_setting_above_i64_max_saturates() {
    let now = at("2026-11-25T12:00:00Z");
    let url = bucket()
        .get_object("a.txt")
        .sign_url(&Signer::new(creds()).unwrap(), now)
        .unwrap();
    for skew in [u64::MAX, i64::MAX as u64 + 1, i64::MAX as u64] {
        let v = verifier().with_max_clock_skew(skew);
        let r = v.verify_url("GET", &url, &[], now);
        assert!(r.is_ok(), "skew {skew}: {r:?}");
    }
}

#[test]
fn url_spelling_the_default_port_verifies_against_the_host() {
    let now = at("2026-11-25T12:00:00Z");
    let signer = Signer::new(creds()).unwrap();
    for (endpoint, default_port, other_port) in [
        ("https://s3.example.com", ":443", ":8443"),
        ("http://s3.example.com", ":80", ":8080"),
    ] {
        let b = Bucket::new(
            &Endpoint::custom(endpoint, "us-east-1").unwrap(),
            "examplebucket",
        )
        .unwrap();
        let url = b.get_object("a.txt").sign_url(&signer, now).unwrap();
        let host_end = url[8..].find('/').unwrap() + 8;
        let with_port = |p: &str| format!("{}{p}{}", &url[..host_end], &url[host_end..]);
        let v = verifier();
        assert!(v.verify_url("GET", &url, &[], now).is_ok());
        let r = v.verify_url("GET", &with_port(default_port), &[], now);
        assert!(r.is_ok(), "{}: {r:?}", with_port(default_port));
        let e = v
            .verify_url("GET", &with_port(other_port), &[], now)
            .unwrap_err();
        assert_eq!(e.kind(), VerifyErrorKind::SignatureDoesNotMatch);
    }
}

/// A signed form and the fields a browser sends for it (with `extra` appended).
fn post_fields(policy: PostPolicy<'_>, now: AmzDate) -> Vec<(String, String)> {
    let form = policy.sign(&Signer::new(creds()).unwrap(), now).unwrap();
    form.fields()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}

fn refs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

#[test]
fn post_key_is_limited_after_filename_substitution() {
    let now = at("2026-11-25T12:00:00Z");
    let b = bucket();
    let mut fields = post_fields(PostPolicy::new(&b).key_starts_with(""), now);
    let v = verifier();
    let ok = v
        .verify_post(
            &PostSubmission::new("examplebucket", &refs(&fields), 1).with_filename("clip.mp4"),
            now,
        )
        .unwrap();
    assert_eq!(ok.key(), Some("clip.mp4"));

    // 100 placeholders, a 1000-byte file name: a 100 kB key.
    fields[0].1 = "${filename}".repeat(100);
    let name = "n".repeat(1000);
    let sent = refs(&fields);
    let sub = PostSubmission::new("examplebucket", &sent, 1).with_filename(&name);
    let e = v.verify_post(&sub, now).unwrap_err();
    assert_eq!(e.kind(), VerifyErrorKind::KeyTooLong);
    assert_eq!((e.s3_code(), e.http_status()), ("KeyTooLongError", 400));

    // Exactly 1024 bytes after substitution is fine; 1025 is not.
    fields[0].1 = format!("{}${{filename}}", "k".repeat(1000));
    for (name, ok) in [("f".repeat(24), true), ("f".repeat(25), false)] {
        let sent = refs(&fields);
        let sub = PostSubmission::new("examplebucket", &sent, 1).with_filename(&name);
        assert_eq!(v.verify_post(&sub, now).is_ok(), ok, "{}", name.len());
    }
    // A key that is too long without any substitution.
    fields[0].1 = "k".repeat(1025);
    let sent = refs(&fields);
    let sub = PostSubmission::new("examplebucket", &sent, 1);
    assert_eq!(
        v.verify_post(&sub, now).unwrap_err().kind(),
        VerifyErrorKind::KeyTooLong
    );
}

#[test]
fn post_field_not_sent_fails_empty_conditions() {
    let now = at("2026-11-25T12:00:00Z");
    let b = bucket();
    let policy = PostPolicy::new(&b)
        .key("a.txt")
        .field("x-amz-meta-empty", "")
        .field_starts_with("x-amz-meta-tag", "");
    let fields = post_fields(policy, now);
    let v = verifier();
    let mut sent = fields.clone();
    sent.push(("x-amz-meta-tag".into(), "anything".into()));
    let sub = refs(&sent);
    assert!(
        v.verify_post(&PostSubmission::new("examplebucket", &sub, 1), now)
            .is_ok()
    );
    // Without the eq "" field.
    let without_eq: Vec<_> = sent
        .iter()
        .filter(|(n, _)| n != "x-amz-meta-empty")
        .cloned()
        .collect();
    let e = v
        .verify_post(
            &PostSubmission::new("examplebucket", &refs(&without_eq), 1),
            now,
        )
        .unwrap_err();
    assert_eq!(e.kind(), VerifyErrorKind::PolicyConditionFailed);
    assert!(e.message().contains("x-amz-meta-empty"), "{}", e.message());
    // Without the starts-with "" field.
    let e = v
        .verify_post(
            &PostSubmission::new("examplebucket", &refs(&fields), 1),
            now,
        )
        .unwrap_err();
    assert_eq!(e.kind(), VerifyErrorKind::PolicyConditionFailed);
    assert!(e.message().contains("x-amz-meta-tag"), "{}", e.message());
}

#[test]
fn post_with_40000_fields_is_fast() {
    let now = at("2026-11-25T12:00:00Z");
    let b = bucket();
    let signed = post_fields(PostPolicy::new(&b).key("a.txt"), now);
    let v = verifier();
    let mut took = Duration::ZERO;
    let mut verify = |fields: &[(String, String)]| {
        let sub = refs(fields);
        let start = Instant::now();
        let r = v.verify_post(&PostSubmission::new("examplebucket", &sub, 1), now);
        took += start.elapsed();
        r.map(|_| ()).map_err(|e| e.kind())
    };
    let many = |prefix: &str| -> Vec<(String, String)> {
        let mut f = signed.clone();
        f.extend((0..40_000).map(|i| (format!("{prefix}{i}"), format!("v{i}"))));
        f
    };
    let mut fields = many("x-ignore-");
    assert_eq!(verify(&fields), Ok(()));
    // The same with a duplicate at the very end, in another case.
    fields.push(("X-IGNORE-39999".into(), "again".into()));
    assert_eq!(verify(&fields), Err(VerifyErrorKind::MalformedForm));
    // 40,000 fields no policy condition covers.
    assert_eq!(
        verify(&many("x-extra-")),
        Err(VerifyErrorKind::ExtraInputField)
    );
    // The quadratic check took 268 s here (unoptimised build); n log n takes well under 1 s.
    assert!(took < Duration::from_secs(10), "took {took:?}");
}
