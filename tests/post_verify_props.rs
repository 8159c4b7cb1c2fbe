//! Property tests for the POST verifier with many and large fields: whatever is added to a
//! signed form, verification ends in bounded time with the answer the rules give (extra
//! `x-ignore-*` fields are accepted, a repeated name in any case is refused, a field no
//! condition names is refused, a key over 1024 bytes is refused), and never panics.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use s3presign::s3::{Bucket, Endpoint, PostForm, PostPolicy};
use s3presign::verify::{PostSubmission, Verifier, VerifyErrorKind};
use s3presign::{AmzDate, Credentials, Signer};

const AKID: &str = "AKIDPOSTPROPS";
const SECRET: &str = "post/props+SECRET";

fn now() -> AmzDate {
    AmzDate::parse("2026-11-25T12:00:00Z").unwrap()
}

fn form() -> PostForm {
    let bucket = Bucket::new(&Endpoint::aws("us-east-1").unwrap(), "examplebucket").unwrap();
    PostPolicy::new(&bucket)
        .key_starts_with("uploads/")
        .field_starts_with("x-amz-meta-note", "")
        .content_length_range(0, 1 << 20)
        .sign(&Signer::new(Credentials::new(AKID, SECRET)).unwrap(), now())
        .unwrap()
}

/// 32 cases by default; `POST_PROPS_CASES=10000` for a long run.
fn cases() -> u32 {
    std::env::var("POST_PROPS_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(32)
}

prop_compose! {
    /// Extra fields: many (up to 5,000) short ones or a few large ones (up to 256 kB).
    fn extra_fields()(
        many in prop::collection::vec((0u32..10_000_000, 0usize..16, any::<bool>()), 0..5_000),
        large in prop::collection::vec((0u32..4, 0usize..262_144), 0..4),
        ignore_prefix in any::<bool>(),
    ) -> Vec<(String, String)> {
        // Names repeat now and then, in another case too.
        let prefix = if ignore_prefix { "x-ignore-" } else { "x-" };
        let name = |n: u32, upper: bool| {
            let name = format!("{prefix}f{n}");
            if upper { name.to_ascii_uppercase() } else { name }
        };
        many.into_iter()
            .map(|(n, len, upper)| (name(n, upper), "v".repeat(len)))
            .chain(large.into_iter().map(|(n, len)| (format!("{prefix}big-{n}"), "v".repeat(len))))
            .collect()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn many_and_large_fields_get_the_right_answer_quickly(
        extra in extra_fields(),
        key in "uploads/[a-z${}]{0,40}",
        filename in prop::option::of("[a-z.]{0,2000}"),
        note in prop::option::of("[ -~]{0,64}"),
    ) {
        let form = form();
        let mut fields: Vec<(String, String)> =
            form.fields().map(|(n, v)| (n.to_owned(), v.to_owned())).collect();
        fields[0].1 = key.clone();
        if let Some(n) = &note {
            fields.push(("x-amz-meta-note".into(), n.clone()));
        }
        fields.extend(extra.iter().cloned());
        let refs: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let mut sub = PostSubmission::new("examplebucket", &refs, 10);
        if let Some(f) = &filename {
            sub = sub.with_filename(f);
        }
        let verifier = Verifier::new(|id: &str| (id == AKID).then(|| Credentials::new(AKID, SECRET)));
        let start = Instant::now();
        let got = verifier.verify_post(&sub, now()).map_err(|e| e.kind());
        prop_assert!(start.elapsed() < Duration::from_secs(2), "took {:?}", start.elapsed());

        // What the rules say, computed independently.
        let mut seen = HashSet::new();
        let duplicate = fields.iter().any(|(n, _)| !seen.insert(n.to_ascii_lowercase()));
        let uncovered = extra
            .iter()
            .any(|(n, _)| !n.to_ascii_lowercase().starts_with("x-ignore-"));
        let final_key = match &filename {
            Some(f) => key.replace("${filename}", f),
            None => key.clone(),
        };
        let expected = if duplicate {
            Err(VerifyErrorKind::MalformedForm)
        } else if final_key.len() > 1024 {
            Err(VerifyErrorKind::KeyTooLong)
        } else if note.is_none() {
            Err(VerifyErrorKind::PolicyConditionFailed)
        } else if uncovered {
            Err(VerifyErrorKind::ExtraInputField)
        } else {
            Ok(())
        };
        prop_assert_eq!(got.map(|v| v.key().map(str::to_owned)), expected.map(|()| Some(final_key)));
    }
}
