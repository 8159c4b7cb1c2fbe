//! [`Operation`]: an S3 call as a value that prepares its signed [`http::Request`] and
//! parses the answer, with no I/O (feature `http`). [`Client`](super::Client) runs the
//! same values over reqwest; any other HTTP stack can run them too.

use bytes::Bytes;

use super::error::Result;
use super::request::{self, RequestSpec};
use super::response::{self, Response};
use crate::s3::Endpoint;
use crate::{AmzDate, Signer};

/// An S3 operation, sans I/O: [`prepare`](Self::prepare) gives the signed request to send
/// (method, URL, headers, body), [`parse_response`](Self::parse_response) reads the answer.
///
/// ```
/// use bytes::Bytes;
/// use s3presign::client::{ListObjectsV2, ListObjectsV2Op, Operation};
/// use s3presign::s3::Endpoint;
/// use s3presign::{AmzDate, Credentials, Signer};
///
/// let endpoint = Endpoint::custom("http://127.0.0.1:9000", "us-east-1")?;
/// let signer = Signer::new(Credentials::new("AKIDEXAMPLE", "secret"))?;
/// let options = ListObjectsV2::new().prefix("videos/");
/// let op = ListObjectsV2Op::new("my-bucket", &options);
/// let request = op.prepare(&endpoint, &signer, AmzDate::parse("20250101T000000Z")?)?;
/// assert!(request.uri().to_string().starts_with("http://127.0.0.1:9000/my-bucket/?"));
/// // ... send `request` with hyper, a Worker's fetch, ... then:
/// let answer = http::Response::new(Bytes::from_static(
///     b"<ListBucketResult><IsTruncated>false</IsTruncated>\
///       <Contents><Key>videos/a.mp4</Key><Size>3</Size></Contents></ListBucketResult>",
/// ));
/// let page = op.parse_response(answer)?;
/// assert_eq!(page.contents[0].key, "videos/a.mp4");
/// # Ok::<(), s3presign::client::Error>(())
/// ```
pub trait Operation {
    /// What the operation returns.
    type Output;

    /// The signed request for one attempt at `now` (sign every attempt afresh).
    ///
    /// # Errors
    /// Invalid bucket, key or options; the core refused to sign.
    fn prepare(
        &self,
        endpoint: &Endpoint,
        signer: &Signer,
        now: AmzDate,
    ) -> Result<http::Request<Bytes>>;

    /// Reads the answer: an error status (or an `<Error>` document where S3 embeds one in
    /// a `200`) becomes the typed [`Error`](super::Error), anything else the output.
    ///
    /// # Errors
    /// The S3 error the answer carries, or an answer that cannot be decoded.
    fn parse_response(&self, response: http::Response<Bytes>) -> Result<Self::Output>;
}

/// Prepares `operation` for one attempt: the same as [`Operation::prepare`].
///
/// # Errors
/// As [`Operation::prepare`].
pub fn prepare<O: Operation>(
    endpoint: &Endpoint,
    operation: &O,
    signer: &Signer,
    now: AmzDate,
) -> Result<http::Request<Bytes>> {
    operation.prepare(endpoint, signer, now)
}

/// The crate side of an operation: its request and its parser.
pub(crate) trait Spec {
    type Output;
    fn spec(&self) -> Result<RequestSpec<'_>>;
    fn parse(&self, response: Response) -> Result<Self::Output>;
}

pub(crate) fn prepare_spec<S: Spec>(
    op: &S,
    endpoint: &Endpoint,
    signer: &Signer,
    now: AmzDate,
) -> Result<http::Request<Bytes>> {
    request::prepare(endpoint, &op.spec()?, signer, now)
}

pub(crate) fn parse_spec<S: Spec>(op: &S, answer: http::Response<Bytes>) -> Result<S::Output> {
    let embedded = op.spec()?.embedded_error;
    let (parts, body) = answer.into_parts();
    let checked = response::check(parts.status.as_u16(), parts.headers, body, embedded)?;
    op.parse(checked)
}

/// Implements [`Operation`] for a type that implements [`Spec`].
macro_rules! operation {
    ($ty:ty => $out:ty) => {
        impl $crate::client::Operation for $ty {
            type Output = $out;

            fn prepare(
                &self,
                endpoint: &$crate::s3::Endpoint,
                signer: &$crate::Signer,
                now: $crate::AmzDate,
            ) -> $crate::client::Result<http::Request<bytes::Bytes>> {
                $crate::client::operation::prepare_spec(self, endpoint, signer, now)
            }

            fn parse_response(
                &self,
                response: http::Response<bytes::Bytes>,
            ) -> $crate::client::Result<$out> {
                $crate::client::operation::parse_spec(self, response)
            }
        }
    };
}
pub(crate) use operation;

/// Declares an operation on a bucket that takes no input but the bucket name: `METHOD
/// /bucket?subresource`, its output parsed by `parse`.
macro_rules! bucket_op {
    ($(#[$doc:meta])* $name:ident, $method:literal, $sub:literal, $out:ty, $parse:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name<'a> {
            bucket: &'a str,
        }

        impl<'a> $name<'a> {
            /// The operation on `bucket`.
            pub fn new(bucket: &'a str) -> Self {
                Self { bucket }
            }
        }

        impl $crate::client::operation::Spec for $name<'_> {
            type Output = $out;

            fn spec(&self) -> $crate::client::Result<$crate::client::request::RequestSpec<'_>> {
                use $crate::client::request::{RequestSpec, Target};
                let spec = RequestSpec::new($method, Target::Bucket(self.bucket));
                Ok(if $sub.is_empty() { spec } else { spec.query($sub, "") })
            }

            fn parse(
                &self,
                response: $crate::client::response::Response,
            ) -> $crate::client::Result<$out> {
                let parse: fn($crate::client::response::Response) -> $crate::client::Result<$out> =
                    $parse;
                parse(response)
            }
        }

        $crate::client::operation::operation!($name<'_> => $out);
    };
}
pub(crate) use bucket_op;
