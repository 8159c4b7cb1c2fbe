//! The POST verifier on a validly signed form plus fields built from the input: many
//! (each line may be repeated up to 40,000 times with a counter in its name) and large.
//! Nothing may panic; a repeated field name (in any case) is always refused, and a form
//! that verifies has only fields the policy covers or that are exempt.
#![no_main]

use std::collections::HashSet;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use s3presign::s3::{Bucket, Endpoint, PostPolicy};
use s3presign::verify::{PostSubmission, Verifier, VerifyErrorKind};
use s3presign::{AmzDate, Credentials, Signer};

const AKID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

fn now() -> AmzDate {
    AmzDate::parse("20261125T120030Z").unwrap()
}

fn signed_fields() -> &'static [(String, String)] {
    static FIELDS: OnceLock<Vec<(String, String)>> = OnceLock::new();
    FIELDS.get_or_init(|| {
        let bucket = Bucket::new(&Endpoint::aws("us-east-1").unwrap(), "examplebucket").unwrap();
        let form = PostPolicy::new(&bucket)
            .key_starts_with("uploads/")
            .field_starts_with("x-amz-meta-note", "")
            .sign(&Signer::new(Credentials::new(AKID, SECRET)).unwrap(), now())
            .unwrap();
        form.fields()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    // Lines: the file name, then "COUNT name: value" (COUNT copies, names numbered).
    let mut lines = s.split('\n');
    let filename = lines.next().unwrap_or("");
    let mut fields: Vec<(String, String)> = signed_fields().to_vec();
    for line in lines {
        let (count, rest) = line.split_once(' ').unwrap_or(("1", line));
        let Some((name, value)) = rest.split_once(": ") else {
            continue;
        };
        let count: usize = count.parse().unwrap_or(1).min(40_000);
        if count == 1 {
            fields.push((name.to_owned(), value.to_owned()));
        } else {
            fields.extend((0..count).map(|i| (format!("{name}{i}"), value.to_owned())));
        }
        if fields.len() > 100_000 {
            return;
        }
    }
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let v = Verifier::new(|id: &str| (id == AKID).then(|| Credentials::new(AKID, SECRET)));
    let sub = PostSubmission::new("examplebucket", &refs, 1).with_filename(filename);
    let got = v.verify_post(&sub, now());
    let mut seen = HashSet::new();
    if fields
        .iter()
        .any(|(n, _)| !seen.insert(n.to_ascii_lowercase()))
    {
        assert_eq!(got.map(|_| ()).map_err(|e| e.kind()), Err(VerifyErrorKind::MalformedForm));
    } else if let Ok(ok) = got {
        assert!(ok.key().is_some_and(|k| k.len() <= 1024 && k.starts_with("uploads/")));
    }
});
