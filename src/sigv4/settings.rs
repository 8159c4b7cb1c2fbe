//! Small enums that select a service's SigV4 flavour (S3 differs from the generic rules).

use crate::error::{Error, Result};

/// How the canonical URI is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UriEncoding {
    /// The path as sent, with only bytes that are not allowed in a path escaped (existing
    /// `%XX` escapes kept). S3 uses this.
    Single,
    /// The path as sent, escaped once more (`%` becomes `%25`). Every AWS service but S3.
    #[default]
    Double,
}

/// Whether `.`/`..` segments and repeated slashes are removed before signing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PathNormalization {
    /// Sign the path exactly as sent. S3 requires this: `a/../b` and `a//b` are distinct keys.
    Disabled,
    /// Remove dot segments and empty segments (every AWS service but S3).
    #[default]
    Enabled,
}

/// Whether header signing adds an `x-amz-content-sha256` header with the payload hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ContentSha256Header {
    /// Add and sign it (S3 requires it on every header-signed request).
    Include,
    /// Leave it out (most other services).
    #[default]
    Omit,
}

/// How a session token takes part in the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SessionTokenMode {
    /// `X-Amz-Security-Token` is added before signing and is covered by the signature (S3 and
    /// most services).
    #[default]
    Signed,
    /// Added after signing, not covered (a few services, such as IoT, want this).
    AppendedAfterSigning,
}

/// The settings that differ between services. [`SigningSettings::s3`] gives S3's.
///
/// ```
/// use s3presign::sigv4::{SigningSettings, UriEncoding, PathNormalization};
/// let s3 = SigningSettings::s3();
/// assert_eq!(s3.uri_encoding, UriEncoding::Single);
/// assert_eq!(s3.path_normalization, PathNormalization::Disabled);
/// let other = SigningSettings::default();
/// assert_eq!(other.uri_encoding, UriEncoding::Double);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct SigningSettings {
    /// Canonical URI encoding.
    pub uri_encoding: UriEncoding,
    /// Path normalisation.
    pub path_normalization: PathNormalization,
    /// Whether header signing adds `x-amz-content-sha256`.
    pub content_sha256_header: ContentSha256Header,
    /// How a session token is signed.
    pub session_token: SessionTokenMode,
}

impl SigningSettings {
    /// S3's rules: single encoding, no normalisation, `x-amz-content-sha256` on header signing.
    pub const fn s3() -> Self {
        Self {
            uri_encoding: UriEncoding::Single,
            path_normalization: PathNormalization::Disabled,
            content_sha256_header: ContentSha256Header::Include,
            session_token: SessionTokenMode::Signed,
        }
    }

    /// Returns these settings with another URI encoding.
    #[must_use]
    pub const fn with_uri_encoding(mut self, v: UriEncoding) -> Self {
        self.uri_encoding = v;
        self
    }

    /// Returns these settings with another path normalisation.
    #[must_use]
    pub const fn with_path_normalization(mut self, v: PathNormalization) -> Self {
        self.path_normalization = v;
        self
    }

    /// Returns these settings with another `x-amz-content-sha256` choice.
    #[must_use]
    pub const fn with_content_sha256_header(mut self, v: ContentSha256Header) -> Self {
        self.content_sha256_header = v;
        self
    }

    /// Returns these settings with another session token mode.
    #[must_use]
    pub const fn with_session_token(mut self, v: SessionTokenMode) -> Self {
        self.session_token = v;
        self
    }
}

/// What the last line of the canonical request says about the body.
///
/// ```
/// use s3presign::sigv4::Payload;
/// assert_eq!(Payload::Bytes(b"").hash_hex()?, s3presign::sigv4::EMPTY_SHA256);
/// assert_eq!(Payload::Unsigned.hash_hex()?, "UNSIGNED-PAYLOAD");
/// assert!(Payload::Precomputed("not hex").hash_hex().is_err());
/// # Ok::<(), s3presign::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Payload<'a> {
    /// The body itself; it is hashed with SHA-256.
    Bytes(&'a [u8]),
    /// The hex SHA-256 of the body, computed elsewhere (64 lowercase hex digits).
    Precomputed(&'a str),
    /// `UNSIGNED-PAYLOAD`: the body is not covered (S3 presigned URLs, large uploads over TLS).
    Unsigned,
}

impl Payload<'_> {
    /// The payload hash as it appears in the canonical request.
    ///
    /// # Errors
    /// [`Error::InvalidPayloadHash`] if a precomputed hash is not 64 lowercase hex digits.
    pub fn hash_hex(&self) -> Result<alloc::string::String> {
        let mut buf = [0u8; 64];
        self.hash_str(&mut buf).map(alloc::string::String::from)
    }

    /// As [`hash_hex`](Self::hash_hex), without allocating: a computed hash is written
    /// into `buf`.
    pub(crate) fn hash_str<'s>(&'s self, buf: &'s mut [u8; 64]) -> Result<&'s str> {
        Ok(match self {
            Payload::Bytes(b) => {
                use sha2::Digest;
                super::text::hex32_bytes(&sha2::Sha256::digest(b).into(), buf);
                core::str::from_utf8(buf).map_err(|_| Error::InvalidPayloadHash {
                    reason: "the computed hash is not hex (an internal error; please report it)",
                })?
            }
            Payload::Precomputed(h) => {
                if h.len() != 64 || !h.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')) {
                    return Err(Error::InvalidPayloadHash {
                        reason: "expected 64 lowercase hex digits (the SHA-256 of the body)",
                    });
                }
                h
            }
            Payload::Unsigned => super::UNSIGNED_PAYLOAD,
        })
    }
}
