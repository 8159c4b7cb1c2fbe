//! No `Debug` output of a verifier type contains a secret, a session token or a full
//! signature.

use s3presign::s3::{Bucket, Endpoint, PostPolicy};
use s3presign::sigv4::{Payload, SignableRequest, SigningParams, SigningSettings, sign_headers};
use s3presign::verify::{
    HeaderAuth, IncomingRequest, PostAuth, PostSubmission, QueryAuth, SecretLookup, Verifier,
    parse_url,
};
use s3presign::{AmzDate, Credentials, Signer};

const AKID: &str = "ASIAREDACTIONTEST";
const SECRET: &str = "redaction/SECRET+key0123456789";
const TOKEN: &str = "TOKENredactionSESSION0123456789abcdef";

fn creds() -> Credentials {
    Credentials::new(AKID, SECRET).with_session_token(TOKEN)
}

/// A lookup that is `Debug` and prints everything it holds.
#[derive(Debug)]
struct Leaky {
    secret: String,
}

impl SecretLookup for Leaky {
    type Credentials = Credentials;

    fn credentials(&self, id: &str) -> Option<Credentials> {
        (id == AKID).then(|| Credentials::new(AKID, &self.secret).with_session_token(TOKEN))
    }
}

fn assert_clean(what: &str, text: &str, signatures: &[&str]) {
    assert!(!text.contains(SECRET), "{what} shows the secret: {text}");
    assert!(!text.contains(TOKEN), "{what} shows the token: {text}");
    for s in signatures {
        assert!(!text.contains(s), "{what} shows a signature: {text}");
    }
}

fn both(v: &impl std::fmt::Debug) -> String {
    format!("{v:?}\n{v:#?}")
}

#[test]
fn presigned_requests_and_their_parts() {
    let now = AmzDate::parse("2026-11-25T12:00:00Z").unwrap();
    let bucket = Bucket::new(&Endpoint::aws("us-east-1").unwrap(), "examplebucket").unwrap();
    let url = bucket
        .get_object("a.txt")
        .sign_url(&Signer::new(creds()).unwrap(), now)
        .unwrap();
    let sig = url.rsplit_once("X-Amz-Signature=").unwrap().1;
    assert_eq!(sig.len(), 64);
    let u = parse_url(&url).unwrap();
    assert_clean("UrlParts", &both(&u), &[sig]);
    assert!(both(&u).contains("examplebucket"));
    let q = QueryAuth::parse(u.query).unwrap();
    assert_clean("QueryAuth", &both(&q), &[sig]);
    let headers = [("host", u.authority), ("x-amz-security-token", TOKEN)];
    let req = IncomingRequest::new("GET", u.path, u.query, &headers);
    assert_clean("IncomingRequest", &both(&req), &[sig]);
    assert!(both(&req).contains("X-Amz-Credential"));

    let v = Verifier::new(Leaky {
        secret: SECRET.into(),
    });
    assert_clean("Verifier", &both(&v), &[]);
    let ok = v.verify_url("GET", &url, &[], now).unwrap();
    assert_clean("Verified", &both(&ok), &[sig]);
    let e = v
        .verify_url("GET", &url.replace("a.txt", "b.txt"), &[], now)
        .unwrap_err();
    assert_clean("VerifyError", &both(&e), &[sig]);
    assert_clean("VerifyError", &e.to_string(), &[sig]);
}

#[test]
fn header_signed_requests() {
    let now = AmzDate::parse("2026-11-25T12:00:00Z").unwrap();
    let signer = Signer::new(creds()).unwrap();
    let host = [("host", "examplebucket.s3.us-east-1.amazonaws.com")];
    let req = SignableRequest::new("GET", "/a.txt", "", &host, Payload::Unsigned);
    let params =
        SigningParams::new(&signer, "us-east-1", "s3", now).with_settings(SigningSettings::s3());
    let signed = sign_headers(&req, &params).unwrap();
    let sig = signed.signature().to_string();
    let mut headers: Vec<(&str, &str)> = host.to_vec();
    headers.extend(signed.headers());
    assert!(headers.iter().any(|(_, v)| v.contains(&sig)));
    let h = HeaderAuth::parse(signed.authorization()).unwrap();
    assert_clean("HeaderAuth", &both(&h), &[&sig]);
    let incoming = IncomingRequest::new("GET", "/a.txt", "", &headers);
    let text = both(&incoming);
    assert_clean("IncomingRequest", &text, &[&sig]);
    assert!(text.contains("SignedHeaders="), "{text}");
}

#[test]
fn post_submissions() {
    let now = AmzDate::parse("2026-11-25T12:00:00Z").unwrap();
    let bucket = Bucket::new(&Endpoint::aws("us-east-1").unwrap(), "examplebucket").unwrap();
    let form = PostPolicy::new(&bucket)
        .key("a.txt")
        .sign(&Signer::new(creds()).unwrap(), now)
        .unwrap();
    let fields: Vec<(&str, &str)> = form.fields().collect();
    let sig = form.field("x-amz-signature").unwrap();
    let sub = PostSubmission::new("examplebucket", &fields, 1);
    let text = both(&sub);
    assert_clean("PostSubmission", &text, &[sig]);
    assert!(text.contains("x-amz-credential"), "{text}");
    let p = PostAuth::parse(&fields).unwrap();
    assert_clean("PostAuth", &both(&p), &[sig]);
    let v = Verifier::new(|_: &str| Some(creds()));
    let ok = v.verify_post(&sub, now).unwrap();
    assert_clean("Verified", &both(&ok), &[sig]);
}
