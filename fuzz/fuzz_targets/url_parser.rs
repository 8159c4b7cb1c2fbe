//! The verifier's parsers: URL splitting, presigned-query parameters, `Authorization`
//! headers, credential scopes, POST policy JSON and base64. None may panic; whatever parses
//! must be self-consistent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use s3presign::s3::PolicyDocument;
use s3presign::verify::{CredentialScope, HeaderAuth, QueryAuth, parse_url};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        let _ = PolicyDocument::parse(data);
        return;
    };
    if let Ok(u) = parse_url(s) {
        assert!(u.path.starts_with('/') || u.path.starts_with('?') || u.path == "/");
        if let Ok(q) = QueryAuth::parse(u.query) {
            let c = q.credential();
            assert_eq!(c.date.len(), 8);
            assert!(q.signed_headers().contains("host"));
        }
    }
    let _ = QueryAuth::parse(s);
    if let Ok(h) = HeaderAuth::parse(s) {
        assert!(!h.credential().access_key_id.is_empty());
    }
    let _ = CredentialScope::parse(s);
    let _ = PolicyDocument::parse(data);
    if let Ok(d) = s3presign::base64::decode(s) {
        assert_eq!(s3presign::base64::encode(&d), s);
    }
});
