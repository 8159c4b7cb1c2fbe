//! Browser uploads with a signed [POST policy](https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html):
//! [`PostPolicy`] (the builder), [`PostForm`] (the action URL and ordered form fields) and
//! [`PolicyDocument`] (a parsed policy, for verifiers).
//!
//! A presigned PUT cannot limit what a browser uploads; a POST policy can: a key prefix, a
//! size range, a content type. The policy is a JSON document, base64-encoded into the
//! `policy` field and signed with the SigV4 signing key (the string to sign *is* the base64
//! text).
//!
//! The JSON is written exactly as botocore's `generate_presigned_post` writes it (Python's
//! `json.dumps`: `", "` and `": "` separators, non-ASCII escaped as `\uXXXX`), so for the same
//! inputs the form, policy and signature are byte-identical to boto3's (tests check this
//! against fixtures generated with botocore).
//!
//! ```
//! use s3presign::{AmzDate, Credentials, Signer};
//! use s3presign::s3::{Bucket, Endpoint, PostPolicy};
//! let signer = Signer::new(Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"))?;
//! let bucket = Bucket::new(&Endpoint::aws("us-east-1")?, "examplebucket")?;
//! let form = PostPolicy::new(&bucket)
//!     .key_starts_with("uploads/")
//!     .content_length_range(1, 10 * 1024 * 1024)
//!     .content_type_starts_with("video/")
//!     .expires_in(600)
//!     .sign(&signer, AmzDate::parse("2026-11-25T12:00:00Z")?)?;
//! assert_eq!(form.action_url(), "https://examplebucket.s3.us-east-1.amazonaws.com/");
//! let names: Vec<&str> = form.fields().map(|(n, _)| n).collect();
//! assert_eq!(names, ["key", "x-amz-algorithm", "x-amz-credential", "x-amz-date", "policy", "x-amz-signature"]);
//! assert_eq!(form.field("key"), Some("uploads/${filename}"));
//! # Ok::<(), s3presign::Error>(())
//! ```

mod builder;
mod condition;
mod form;
mod json;
mod policy;

pub use builder::{
    ChecksumAlgorithm, DEFAULT_POST_EXPIRY_SECS, PostPolicy, ServerSideEncryption, sign_policy,
};
pub use condition::Condition;
pub(crate) use condition::Violation;
pub use form::PostForm;
pub use policy::{PolicyDocument, PolicyError};
