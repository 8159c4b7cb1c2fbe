//! Amazon S3: endpoints, buckets and presigned object requests.
//!
//! ```
//! use s3presign::{AmzDate, Credentials, Signer, s3::{Bucket, Endpoint}};
//! let signer = Signer::new(Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"))?;
//! let bucket = Bucket::new(&Endpoint::aws("us-east-1")?, "examplebucket")?;
//! let url = bucket.get_object("test.txt").expires_in(20).sign_url(&signer, AmzDate::parse("20130524T000000Z")?)?;
//! assert!(url.starts_with("https://examplebucket.s3.us-east-1.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&"));
//! # Ok::<(), s3presign::Error>(())
//! ```

mod batch;
mod bucket;
mod disposition;
mod endpoint;
mod objects;
mod post_policy;
mod presign;
mod presigned;

pub use batch::GetBatch;
pub use bucket::Bucket;
pub use disposition::ContentDisposition;
pub use endpoint::{AddressingStyle, BucketNaming, Endpoint, Scheme, UsEast1Endpoint};
pub(crate) use post_policy::Violation;
pub use post_policy::{
    ChecksumAlgorithm, Condition, DEFAULT_POST_EXPIRY_SECS, PolicyDocument, PolicyError, PostForm,
    PostPolicy, ServerSideEncryption, sign_policy,
};
pub use presign::{ContentTypeMode, DEFAULT_EXPIRY_SECS, Presign};
pub use presigned::PresignedRequest;
