//! Presigned requests never outlive the credentials that signed them: every presigning path
//! cuts its expiry to temporary credentials that expire first, says so, and refuses
//! credentials that have already expired. Long-term credentials sign exactly as before.

mod common;

use s3presign::s3::{Bucket, Endpoint, PostPolicy, UsEast1Endpoint};
use s3presign::sigv4::{Payload, SignableRequest, SigningParams, SigningSettings, presign};
use s3presign::verify::{Verifier, VerifyErrorKind};
use s3presign::{AmzDate, Credentials, Error, Expiry, ExpiryCause, Signer};

const ID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

fn at(s: &str) -> AmzDate {
    AmzDate::parse(s).unwrap()
}

fn creds(expires_at: Option<&str>) -> Credentials {
    let c = Credentials::new(ID, SECRET);
    match expires_at {
        Some(t) => c.with_expiry(at(t)),
        None => c,
    }
}

fn signer(expires_at: Option<&str>) -> Signer {
    Signer::new(creds(expires_at)).unwrap()
}

fn bucket() -> Bucket {
    Bucket::new(&Endpoint::aws("eu-west-1").unwrap(), "examplebucket").unwrap()
}

const NOW: &str = "2026-12-01T12:00:00Z";
/// 900 s after NOW.
const CREDS_END: &str = "2026-12-01T12:15:00Z";

/// The `X-Amz-Expires` value of a presigned URL.
fn x_amz_expires(url: &str) -> u64 {
    let value = url
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("X-Amz-Expires="))
        .unwrap();
    value.parse().unwrap()
}

#[test]
fn every_presigning_path_cuts_to_the_credentials() {
    let (s, b, now) = (signer(Some(CREDS_END)), bucket(), at(NOW));

    let get = b
        .get_object("a.txt")
        .expires_in(3600)
        .sign(&s, now)
        .unwrap();
    assert_eq!(x_amz_expires(get.url()), 900);
    assert_eq!(get.expires_at(), at(CREDS_END));
    assert_eq!(get.expiry_cause(), ExpiryCause::CredentialsExpire);
    assert!(get.expiry_shortened());

    let url = b
        .get_object("a.txt")
        .expires_in(3600)
        .sign_url(&s, now)
        .unwrap();
    assert_eq!(url, get.url());
    let mut out = String::new();
    let end = b
        .get_object("a.txt")
        .expires_in(3600)
        .sign_into(&s, now, &mut out)
        .unwrap();
    assert_eq!((end, out.as_str()), (at(CREDS_END), get.url()));

    let put = b
        .put_object("up.bin")
        .content_type("video/mp4")
        .expires_in(7200)
        .sign(&s, now)
        .unwrap();
    assert_eq!(x_amz_expires(put.url()), 900);
    assert_eq!(put.expiry_cause(), ExpiryCause::CredentialsExpire);

    let batch = b.presign_get_batch(3600, &s, now).unwrap();
    assert_eq!(batch.expires_at(), at(CREDS_END));
    assert_eq!(batch.expiry_cause(), ExpiryCause::CredentialsExpire);
    assert_eq!(batch.sign_url("a.txt").unwrap(), get.url());

    let headers = [("host", "example.amazonaws.com")];
    let req = SignableRequest::new("GET", "/", "Action=ListUsers", &headers, Payload::Unsigned);
    let params = SigningParams::new(&s, "us-east-1", "iam", now);
    let generic = presign(&req, &params, Expiry::from_secs(3600).unwrap()).unwrap();
    assert_eq!(generic.expires_in(), 900);
    assert_eq!(generic.expiry_cause(), ExpiryCause::CredentialsExpire);
    assert_eq!(
        x_amz_expires(&generic.query_string("Action=ListUsers")),
        900
    );
    assert!(
        generic
            .params()
            .any(|(n, v)| n == "X-Amz-Expires" && v == "900")
    );

    let form = PostPolicy::new(&b)
        .key_starts_with("uploads/")
        .expires_in(3600)
        .sign(&s, now)
        .unwrap();
    assert_eq!(form.expiration(), at(CREDS_END));
    assert_eq!(form.expiry_cause(), ExpiryCause::CredentialsExpire);
    assert!(
        form.policy_json()
            .contains("\"expiration\": \"2026-12-01T12:15:00Z\""),
        "{}",
        form.policy_json()
    );
}

#[test]
fn a_request_shorter_than_the_credentials_is_untouched() {
    let (s, b, now) = (signer(Some(CREDS_END)), bucket(), at(NOW));
    // Up to and including the credentials' last second.
    for secs in [1, 600, 900] {
        let get = b
            .get_object("a.txt")
            .expires_in(secs)
            .sign(&s, now)
            .unwrap();
        assert_eq!(x_amz_expires(get.url()), secs);
        assert_eq!(get.expiry_cause(), ExpiryCause::Requested);
        assert!(!get.expiry_shortened());
        let form = PostPolicy::new(&b)
            .key("k")
            .expires_in(secs)
            .sign(&s, now)
            .unwrap();
        assert_eq!(form.expiry_cause(), ExpiryCause::Requested);
        let batch = b.presign_get_batch(secs, &s, now).unwrap();
        assert_eq!(batch.expiry_cause(), ExpiryCause::Requested);
    }
}

#[test]
fn cut_urls_verify_until_the_credentials_expire() {
    let (s, b, now) = (signer(Some(CREDS_END)), bucket(), at(NOW));
    let url = b
        .get_object("report.pdf")
        .expires_in(3600)
        .sign_url(&s, now)
        .unwrap();
    let known = creds(None);
    let verifier =
        Verifier::new(move |id: &str| (id == known.access_key_id()).then(|| known.clone()))
            .with_region("eu-west-1");
    let ok = verifier.verify_url("GET", &url, &[], at("2026-12-01T12:14:59Z"));
    assert!(ok.is_ok(), "{ok:?}");
    let late = verifier
        .verify_url("GET", &url, &[], at("2026-12-01T12:15:01Z"))
        .unwrap_err();
    assert_eq!(late.kind(), VerifyErrorKind::Expired);
}

#[test]
fn expired_credentials_are_refused_on_every_path() {
    let b = bucket();
    let now = at(NOW);
    // Expired a second ago, and expiring this very second (less than a second left).
    for end in ["2026-12-01T11:59:59Z", NOW] {
        let s = signer(Some(end));
        let check = |e: Error| {
            assert!(matches!(e, Error::CredentialsExpired { .. }), "{e:?}");
            let text = e.to_string();
            assert!(
                text.contains(&at(end).to_rfc3339()) && text.contains("refresh"),
                "{text}"
            );
            assert!(!text.contains(SECRET), "{text}");
        };
        check(b.get_object("k").sign(&s, now).unwrap_err());
        check(b.get_object("k").sign_url(&s, now).unwrap_err());
        let mut out = String::from("kept");
        check(b.get_object("k").sign_into(&s, now, &mut out).unwrap_err());
        assert_eq!(out, "kept");
        check(b.presign_get_batch(60, &s, now).unwrap_err());
        check(PostPolicy::new(&b).key("k").sign(&s, now).unwrap_err());
        let headers = [("host", "example.amazonaws.com")];
        let req = SignableRequest::new("GET", "/", "", &headers, Payload::Unsigned);
        let params =
            SigningParams::new(&s, "us-east-1", "s3", now).with_settings(SigningSettings::s3());
        check(presign(&req, &params, Expiry::from_secs(60).unwrap()).unwrap_err());
    }
}

#[test]
fn long_term_and_long_lived_credentials_sign_as_before() {
    // The AWS S3 documentation's presigned GET example (86400 s).
    let endpoint = Endpoint::aws("us-east-1")
        .unwrap()
        .with_us_east_1(UsEast1Endpoint::Global);
    let b = Bucket::new(&endpoint, "examplebucket").unwrap();
    let now = at("2013-05-24T00:00:00Z");
    let doc = "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";
    // Long-term, far from expiry, and expiring exactly when the URL does.
    for end in [
        None,
        Some("2030-01-01T00:00:00Z"),
        Some("2013-05-25T00:00:00Z"),
    ] {
        let s = signer(end);
        let get = b
            .get_object("test.txt")
            .expires_in(86400)
            .sign(&s, now)
            .unwrap();
        assert!(get.url().ends_with(doc), "{end:?}: {}", get.url());
        assert_eq!(get.expiry_cause(), ExpiryCause::Requested);
        assert_eq!(get.expires_at(), at("2013-05-25T00:00:00Z"));
        let batch = b.presign_get_batch(86400, &s, now).unwrap();
        assert!(batch.sign_url("test.txt").unwrap().ends_with(doc));
    }
}

#[tokio::test]
async fn a_cut_url_is_served_by_a_signature_checking_server() {
    let (url, server, dir) = common::s3s_server::start(ID, SECRET).await;
    common::s3s_server::create_bucket(&dir, "media");
    std::fs::write(
        common::s3s_server::object_path(&dir, "media", "clip.txt"),
        b"hello",
    )
    .unwrap();
    let endpoint = Endpoint::custom(&url, "us-east-1").unwrap();
    let b = Bucket::new(&endpoint, "media").unwrap();
    let now = AmzDate::now().unwrap();
    let end = now.checked_add_secs(120).unwrap();
    let s = Signer::new(Credentials::new(ID, SECRET).with_expiry(end)).unwrap();
    let get = b
        .get_object("clip.txt")
        .expires_in(3600)
        .sign(&s, now)
        .unwrap();
    assert_eq!(x_amz_expires(get.url()), 120);
    assert_eq!(get.expiry_cause(), ExpiryCause::CredentialsExpire);
    let answer = common::http1::send(server.addr, "GET", get.url(), &[], b"").await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.body, b"hello");
}

#[cfg(feature = "client")]
#[tokio::test]
async fn the_clients_presign_helpers_cut_too() {
    use s3presign::client::{Client, PresignPut};
    let now = AmzDate::now().unwrap();
    let creds = Credentials::new(ID, SECRET).with_expiry(now.checked_add_secs(300).unwrap());
    let client = Client::builder()
        .region("eu-west-1")
        .static_credentials(creds)
        .build()
        .unwrap();
    let get = client
        .presign_get("examplebucket", "a.txt", 3600)
        .await
        .unwrap();
    let put = client
        .presign_put("examplebucket", "b.txt", 3600, &PresignPut::new())
        .await
        .unwrap();
    for req in [get, put] {
        assert!(req.expiry_shortened());
        // Signed a moment after `now`: at most 300 s left.
        let secs = x_amz_expires(req.url());
        assert!((290..=300).contains(&secs), "{secs}");
    }
}
