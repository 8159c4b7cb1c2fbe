//! # s3presign
//!
//! Fast, pure AWS Signature Version 4 for Amazon S3 and S3-compatible stores: presigned
//! URLs for any method and `Authorization`-header signing, with S3's rules (keys never
//! normalised, virtual-hosted and path-style addressing, session tokens, `response-*`
//! overrides, signed content types, the 7-day cap).
//!
//! The core is a set of pure functions: it never reads the clock, the environment or the
//! network, so it runs anywhere, `wasm32-unknown-unknown` included. Time is an argument
//! ([`AmzDate`]).
//!
//! ```
//! use s3presign::{AmzDate, Credentials, Signer};
//! use s3presign::s3::{Bucket, Endpoint, UsEast1Endpoint};
//!
//! let signer = Signer::new(Credentials::new(
//!     "AKIAIOSFODNN7EXAMPLE",
//!     "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
//! ))?;
//! // The AWS documentation's examples use the legacy global host s3.amazonaws.com.
//! let endpoint = Endpoint::aws("us-east-1")?.with_us_east_1(UsEast1Endpoint::Global);
//! let bucket = Bucket::new(&endpoint, "examplebucket")?;
//! let now = AmzDate::parse("2013-05-24T00:00:00Z")?; // or AmzDate::now()? under `std`
//!
//! // The AWS S3 documentation's presigned GET example.
//! let url = bucket.get_object("test.txt").expires_in(86400).sign_url(&signer, now)?;
//! assert!(url.ends_with(
//!     "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
//! ));
//!
//! // A browser upload that must be sent as video/mp4 within 60 seconds.
//! let put = bucket
//!     .put_object("uploads/user-uploads/clip.mp4")
//!     .content_type("video/mp4")
//!     .expires_in(60)
//!     .sign(&signer, now)?;
//! assert_eq!(put.headers().next(), Some(("content-type", "video/mp4")));
//! # Ok::<(), s3presign::Error>(())
//! ```
//!
//! ## Layers
//! - [`sigv4`]: the spec steps as types ([`sigv4::CanonicalRequest`],
//!   [`sigv4::StringToSign`], [`sigv4::SigningKey`], [`sigv4::Signature`]) and generic
//!   [`sigv4::sign_headers`] / [`sigv4::presign`] for any AWS service.
//! - [`s3`]: endpoints, bucket addressing, the presigned-URL builder and browser upload
//!   forms with a signed POST policy ([`s3::PostPolicy`]).
//! - [`verify`]: the other side: checks presigned URLs, header-signed requests and POST
//!   uploads, with S3's error codes.
//!
//! ## Features
//! - `std` (default): [`Credentials`] from the environment and shared files,
//!   [`AmzDate::now`], a signing-key cache in [`Signer`]. Without it the crate is
//!   `#![no_std]` + `alloc`.
//! - `serde`: `Serialize` for [`s3::PresignedRequest`] and [`s3::PostForm`].
//! - `providers`: [`providers`], the AWS SDKs' credentials sources (environment, shared
//!   files with SSO, `credential_process` and assumed roles, web identity, containers, EC2
//!   instance metadata), their default chain and a refreshing cache.
//! - `cli`: the `s3presign` command-line tool.
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod base64;
#[cfg(feature = "http")]
pub mod client;
#[cfg(feature = "std")]
pub mod config;
pub mod credentials;
mod error;
mod expiry;
#[cfg(feature = "http")]
pub mod http_request;
#[cfg(feature = "std")]
pub mod profile;
#[cfg(feature = "providers")]
#[cfg_attr(docsrs, doc(cfg(feature = "providers")))]
pub mod providers;
pub mod s3;
pub mod sigv4;
mod time;
pub mod verify;

pub use credentials::Credentials;
pub use error::{Error, Result};
pub use expiry::{Expiry, ExpiryCause};
pub use sigv4::Signer;
pub use time::AmzDate;

/// Compiles the README's examples as doc tests, so they cannot rot (some use the client:
/// `cargo test --all-features`, the README's test command, runs them all).
#[cfg(all(doctest, feature = "client"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
