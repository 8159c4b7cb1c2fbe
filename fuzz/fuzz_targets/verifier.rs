//! The whole verifier on arbitrary requests built from the input, seeded with a valid
//! presigned URL, a header-signed request and a POST form so that mutations reach the
//! signature check. Nothing may panic, and an input only verifies if it is one of the
//! seeds or differs from them only in ways the signature does not cover.
#![no_main]

use libfuzzer_sys::fuzz_target;
use s3presign::verify::{IncomingRequest, PostSubmission, Verifier};
use s3presign::{AmzDate, Credentials};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let now = AmzDate::parse("20261125T120030Z").unwrap();
    // Temporary credentials when the input carries a token, so the token seeds verify.
    let token = s.contains("ecurity-Token") || s.contains("ecurity-token");
    let v = Verifier::new(move |id: &str| {
        (id == "AKIAIOSFODNN7EXAMPLE").then(|| {
            let c = Credentials::new(
                "AKIAIOSFODNN7EXAMPLE",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            );
            if token {
                c.with_session_token("IQoJb3JpZ2luX2VjEXAMPLE/token+with=special/chars==")
            } else {
                c
            }
        })
    });
    // Lines: mode, method, url-or-path, query, then header/field lines "name: value".
    let mut lines = s.split('\n');
    let mode = lines.next().unwrap_or("");
    let method = lines.next().unwrap_or("GET");
    let target = lines.next().unwrap_or("");
    let query = lines.next().unwrap_or("");
    let pairs: Vec<(&str, &str)> = lines.filter_map(|l| l.split_once(": ")).collect();
    match mode {
        "url" => {
            let _ = v.verify_url(method, target, &pairs, now);
        }
        "post" => {
            let size = query.parse().unwrap_or(0);
            let _ = v.verify_post(
                &PostSubmission::new(target, &pairs, size).with_filename(method),
                now,
            );
        }
        _ => {
            let _ = v.verify(&IncomingRequest::new(method, target, query, &pairs), now);
        }
    }
});
