//! AWS Signature Version 4, one spec step per type.
//!
//! The steps of the [SigV4 signing process](https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html):
//! 1. [`CanonicalRequest`]: method, canonical URI, canonical query, canonical headers,
//!    signed header names and payload hash, one per line;
//! 2. [`Scope`] and [`StringToSign`]: algorithm, request time, credential scope and the
//!    SHA-256 of the canonical request;
//! 3. [`SigningKey`]: four chained HMACs over the secret, date, region and service;
//! 4. [`Signature`]: HMAC of the string to sign with the signing key.
//!
//! Each type's `Display` prints exactly the spec's text, so a `SignatureDoesNotMatch` can be
//! debugged by diffing the server's canonical request against ours.
//!
//! [`sign_headers`] and [`presign`] run the whole pipeline for any service; the S3 presigner
//! in [`crate::s3`] runs the same steps with S3's settings and a fast path for URLs.

// Defined before the modules that use it.
#[macro_use]
mod literals {
    /// The algorithm's name as a literal, for the constant texts built with `concat!`.
    macro_rules! algorithm {
        () => {
            "AWS4-HMAC-SHA256"
        };
    }

    /// The credential scope's last part as a literal, for texts built with `concat!`.
    macro_rules! terminator {
        () => {
            "aws4_request"
        };
    }
    pub(crate) use terminator;
}
pub(crate) use literals::terminator;

mod canonical;
mod headers;
mod hmac_head;
mod key;
mod query_auth;
mod settings;
mod sign;
mod signature;
mod string_to_sign;
pub(crate) mod text;

pub use canonical::CanonicalRequest;
pub(crate) use canonical::{
    Canonical, HeaderBlock, write_canonical_request, write_head, write_tail,
};
pub(crate) use headers::{
    any_byte_below_or, canonical_header_value, validate_header_name, validate_method,
};
pub(crate) use hmac_head::HeadState;
pub use key::{Signer, SigningKey};
pub use query_auth::param;
pub(crate) use query_auth::{
    HostOnly, QueryAuth, SignedHeaderNames, UserParam, is_reserved_query_name, write_query,
    write_signature,
};
pub use settings::{
    ContentSha256Header, PathNormalization, Payload, SessionTokenMode, SigningSettings, UriEncoding,
};
pub use sign::{
    HeaderSignature, QuerySignature, SignableRequest, SigningParams, presign, sign_headers,
};
pub use signature::Signature;
pub use string_to_sign::{Scope, StringToSign};
pub(crate) use string_to_sign::{TERMINATOR, validate_scope_part};

/// The algorithm name that starts every string to sign and `Authorization` header.
pub const ALGORITHM: &str = algorithm!();

/// The payload hash used when the body is not signed (the norm for presigned S3 URLs).
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// SHA-256 of the empty string, the payload hash of a request without a body.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
