//! POST upload verification: the policy's signature and expiration, the key after
//! `${filename}` substitution, every condition, and that every field is covered.

use alloc::string::String;
use alloc::vec::Vec;
use core::borrow::Borrow;

use super::Verifier;
use super::error::{VResult, VerifyErrorKind, err, shown};
use super::parse::{FieldIndex, PostAuth, Token, cmp_ignore_ascii_case, exempt_field};
use super::request::{AuthMethod, Expires, PostSubmission, SecretLookup, Verified};
use crate::credentials::Credentials;
use crate::s3::{Condition, PolicyDocument, Violation, sign_policy};
use crate::sigv4::{ALGORITHM, Payload, Signature};
use crate::time::AmzDate;

use super::credential::CredentialScope;

/// The longest object key S3 accepts, in bytes.
const MAX_KEY_LEN: usize = 1024;
/// What S3 replaces with the uploaded file's name in the `key` field.
const FILENAME: &str = "${filename}";

impl<L: SecretLookup> Verifier<L> {
    /// Verifies a POST upload: the policy's signature, its expiration, every condition
    /// against the submitted fields and the file size, and that every field is covered by
    /// a condition.
    ///
    /// ```
    /// use s3presign::{AmzDate, Credentials, Signer};
    /// use s3presign::s3::{Bucket, Endpoint, PostPolicy};
    /// use s3presign::verify::{PostSubmission, Verifier, VerifyErrorKind};
    /// let creds = Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    /// let bucket = Bucket::new(&Endpoint::aws("us-east-1")?, "examplebucket")?;
    /// let now = AmzDate::parse("20261125T120000Z")?;
    /// let form = PostPolicy::new(&bucket).key_starts_with("uploads/").content_length_range(1, 1000)
    ///     .sign(&Signer::new(creds.clone())?, now)?;
    /// let mut fields: Vec<(&str, &str)> = form.fields().collect();
    /// fields[0].1 = "uploads/clip.mp4";
    /// let verifier = Verifier::new(move |_: &str| Some(creds.clone()));
    /// let ok = verifier.verify_post(&PostSubmission::new("examplebucket", &fields, 999), now)?;
    /// assert_eq!(ok.key(), Some("uploads/clip.mp4"));
    /// let big = verifier.verify_post(&PostSubmission::new("examplebucket", &fields, 1001), now).unwrap_err();
    /// assert_eq!(big.kind(), VerifyErrorKind::EntityTooLarge);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// A [`VerifyError`](super::VerifyError); see [`VerifyErrorKind`]. The key, after `${filename}` is replaced
    /// (every occurrence), may be at most 1024 bytes ([`VerifyErrorKind::KeyTooLong`]). A
    /// field the policy has a condition on must be present, even for `["eq", "$field", ""]`
    /// and `["starts-with", "$field", ""]` (see [`Condition`]). Repeated fields are refused
    /// ([`VerifyErrorKind::MalformedForm`]); the work is `O(n log n)` in the number of fields.
    pub fn verify_post(&self, sub: &PostSubmission<'_>, now: AmzDate) -> VResult<Verified> {
        let kind = VerifyErrorKind::MalformedForm;
        let fields = FieldIndex::new(sub.fields)?;
        let p = PostAuth::from_index(&fields)?;
        if p.algorithm() != ALGORITHM {
            return err(kind, "x-amz-algorithm only supports \"AWS4-HMAC-SHA256\"");
        }
        let scope = p.credential();
        let signed_at = self.check_scope(kind, &scope, p.date())?;
        if now.unix_timestamp().saturating_add(self.skew_secs()) < signed_at.unix_timestamp() {
            return err(VerifyErrorKind::NotYetValid, "Request is not yet valid");
        }
        let creds = self.lookup(scope.access_key_id, p.security_token().map(Token::Decoded))?;
        self.check_policy_signature(creds.borrow(), &scope, p.policy(), p.signature())?;
        let doc = decode_policy(p.policy())?;
        if now >= doc.expiration() {
            return err(
                VerifyErrorKind::PolicyExpired,
                "Invalid according to Policy: Policy expired.",
            );
        }
        let key = substituted_key(p.key(), sub.filename)?;
        check_conditions(&doc, sub, &fields, &key)?;
        check_covered(&doc, sub.fields)?;
        let mut verified = Verified::new(
            AuthMethod::PostPolicy,
            &scope,
            signed_at,
            Expires::At(doc.expiration()),
            Payload::Unsigned,
        );
        verified.key = Some(key);
        Ok(verified)
    }

    /// `x-amz-signature` must be the policy's HMAC under the signing key.
    fn check_policy_signature(
        &self,
        creds: &Credentials,
        scope: &CredentialScope<'_>,
        policy: &str,
        received_hex: &str,
    ) -> VResult<()> {
        let Some(received) = Signature::from_hex(received_hex) else {
            return err(
                VerifyErrorKind::SignatureDoesNotMatch,
                "malformed signature",
            );
        };
        let key = self.signing_key(creds, scope);
        if !sign_policy(&key, policy).ct_eq(&received) {
            return err(
                VerifyErrorKind::SignatureDoesNotMatch,
                "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
            );
        }
        Ok(())
    }
}

/// The base64 `policy` field, decoded and parsed.
fn decode_policy(policy: &str) -> VResult<PolicyDocument> {
    let json = crate::base64::decode(policy).or_else(|_| {
        err(
            VerifyErrorKind::InvalidPolicyDocument,
            "Invalid Policy: Invalid Base64 Encoding",
        )
    })?;
    PolicyDocument::parse(&json).or_else(|e| {
        err(
            VerifyErrorKind::InvalidPolicyDocument,
            alloc::format!("Invalid Policy: {}", e.reason()),
        )
    })
}

/// The key with every `${filename}` replaced, refused before it is built when it would be
/// longer than S3's 1024 bytes.
fn substituted_key(key: &str, filename: Option<&str>) -> VResult<String> {
    let len = match filename {
        Some(f) => {
            let n = key.matches(FILENAME).count();
            (key.len() - n * FILENAME.len()).saturating_add(n.saturating_mul(f.len()))
        }
        None => key.len(),
    };
    if len > MAX_KEY_LEN {
        return err(
            VerifyErrorKind::KeyTooLong,
            "Your key is too long (the maximum is 1024 bytes, after ${filename} is replaced)",
        );
    }
    Ok(match filename {
        Some(f) => key.replace(FILENAME, f),
        None => String::from(key),
    })
}

/// Every condition of the policy against the submission.
fn check_conditions(
    doc: &PolicyDocument,
    sub: &PostSubmission<'_>,
    fields: &FieldIndex<'_>,
    key: &str,
) -> VResult<()> {
    for c in doc.conditions() {
        let value = match c.field() {
            Some(f) if f.eq_ignore_ascii_case("bucket") => Some(sub.bucket),
            Some(f) if f.eq_ignore_ascii_case("key") => Some(key),
            Some(f) => fields.get(f),
            None => None,
        };
        match c.check(value, sub.file_size) {
            Ok(()) => {}
            Err(Violation::Failed { op, field }) => {
                return err(
                    VerifyErrorKind::PolicyConditionFailed,
                    alloc::format!(
                        "Invalid according to Policy: Policy Condition failed: [\"{op}\", \"${}\", ...]",
                        shown(field)
                    ),
                );
            }
            Err(Violation::TooLarge) => {
                return err(
                    VerifyErrorKind::EntityTooLarge,
                    "Your proposed upload exceeds the maximum allowed size",
                );
            }
            Err(Violation::TooSmall) => {
                return err(
                    VerifyErrorKind::EntityTooSmall,
                    "Your proposed upload is smaller than the minimum allowed size",
                );
            }
        }
    }
    Ok(())
}

/// Every submitted field (but the exempt ones) must be named by a condition.
fn check_covered(doc: &PolicyDocument, fields: &[(&str, &str)]) -> VResult<()> {
    let mut named: Vec<&str> = doc
        .conditions()
        .iter()
        .filter_map(Condition::field)
        .collect();
    named.sort_unstable_by(|a, b| cmp_ignore_ascii_case(a, b));
    for (name, _) in fields {
        let covered = exempt_field(name)
            || named
                .binary_search_by(|n| cmp_ignore_ascii_case(n, name))
                .is_ok();
        if !covered {
            return err(
                VerifyErrorKind::ExtraInputField,
                alloc::format!(
                    "Invalid according to Policy: Extra input fields: {}",
                    shown(name)
                ),
            );
        }
    }
    Ok(())
}
