//! [`Bucket`]: a validated bucket name resolved against an [`Endpoint`].

use alloc::string::String;

use super::endpoint::{AddressingStyle, BucketNaming, Endpoint, HostKind, Scheme, is_ipv4};
use crate::error::{Error, Result, clip};

/// A bucket on an endpoint, resolved once: the URL prefix and `Host` header value that every
/// request to it uses. Holds no secrets; cheap to clone and share.
///
/// ```
/// use s3presign::s3::{Bucket, Endpoint};
/// let b = Bucket::new(&Endpoint::aws("us-east-1")?, "examplebucket")?;
/// assert_eq!(b.host(), "examplebucket.s3.us-east-1.amazonaws.com");
/// let b = Bucket::new(&Endpoint::custom("http://127.0.0.1:9000", "us-east-1")?, "examplebucket")?;
/// assert_eq!(b.url_prefix(), "http://127.0.0.1:9000/examplebucket");
/// assert!(Bucket::new(&Endpoint::aws("us-east-1")?, "Not_Valid").is_err());
/// # Ok::<(), s3presign::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    name: String,
    endpoint: Endpoint,
    style: AddressingStyle,
    host: String,
    /// `scheme://host[:port][/base][/bucket]`: everything before the `/KEY` part.
    url_prefix: String,
    /// Offset in `url_prefix` where the path (the canonical URI) starts.
    path_start: usize,
}

impl Bucket {
    /// Validates `name` and resolves the addressing style for `endpoint`.
    ///
    /// # Errors
    /// [`Error::InvalidBucketName`] when the name breaks S3's rules (or the endpoint's
    /// [`BucketNaming`]), or when the chosen addressing style cannot work for it.
    pub fn new(endpoint: &Endpoint, name: &str) -> Result<Self> {
        validate_bucket_name(name, endpoint.bucket_naming())?;
        endpoint.check_scope()?;
        let style = resolve_style(endpoint, name)?;
        let mut host = String::with_capacity(name.len() + endpoint.host().len() + 1);
        if style == AddressingStyle::VirtualHosted {
            host.push_str(name);
            host.push('.');
        }
        host.push_str(&endpoint.authority());
        let mut url_prefix = String::with_capacity(host.len() + name.len() + 16);
        url_prefix.push_str(endpoint.scheme().as_str());
        url_prefix.push_str("://");
        url_prefix.push_str(&host);
        let path_start = url_prefix.len();
        url_prefix.push_str(endpoint.base_path());
        if style == AddressingStyle::Path {
            url_prefix.push('/');
            url_prefix.push_str(name);
        }
        Ok(Self {
            name: String::from(name),
            endpoint: endpoint.clone(),
            style,
            host,
            url_prefix,
            path_start,
        })
    }

    /// The bucket name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The resolved addressing style ([`AddressingStyle::VirtualHosted`] or
    /// [`AddressingStyle::Path`]).
    pub fn addressing_style(&self) -> AddressingStyle {
        self.style
    }

    /// The `Host` header value for requests to this bucket.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Everything before `/KEY`: `https://examplebucket.s3.us-east-1.amazonaws.com`.
    pub fn url_prefix(&self) -> &str {
        &self.url_prefix
    }

    /// The path prefix (canonical URI prefix) before `/KEY`: empty, `/base` or `/bucket`.
    pub fn path_prefix(&self) -> &str {
        &self.url_prefix[self.path_start..]
    }

    /// Where the path starts in [`url_prefix`](Self::url_prefix): the client splits the
    /// origin from the path with it.
    #[cfg(feature = "http")]
    pub(crate) fn path_start(&self) -> usize {
        self.path_start
    }
}

fn resolve_style(endpoint: &Endpoint, name: &str) -> Result<AddressingStyle> {
    let dns_ok = is_dns_compatible(name);
    let has_dots = name.bytes().any(|c| c == b'.');
    let https = endpoint.scheme() == Scheme::Https;
    let fail = |reason| {
        Err(Error::InvalidBucketName {
            name: clip(name),
            reason,
        })
    };
    if endpoint.is_accelerate() {
        if !dns_ok || has_dots {
            return fail("Transfer Acceleration needs a DNS-compatible bucket name without dots");
        }
        if endpoint.addressing_style() == AddressingStyle::Path {
            return fail("Transfer Acceleration only works with virtual-hosted addressing");
        }
        return Ok(AddressingStyle::VirtualHosted);
    }
    match endpoint.addressing_style() {
        AddressingStyle::Path => Ok(AddressingStyle::Path),
        AddressingStyle::VirtualHosted => {
            if endpoint.host_kind() == HostKind::IpLiteral {
                return fail(
                    "virtual-hosted addressing cannot work with an IP-address endpoint; use path style",
                );
            }
            if !dns_ok {
                return fail(
                    "virtual-hosted addressing needs a DNS-compatible bucket name; use path style",
                );
            }
            if has_dots && https {
                return fail(
                    "a bucket name with dots breaks TLS with virtual-hosted addressing; use path style",
                );
            }
            Ok(AddressingStyle::VirtualHosted)
        }
        AddressingStyle::Auto => {
            let virtual_ok =
                endpoint.host_kind() == HostKind::Name && dns_ok && !(has_dots && https);
            Ok(if virtual_ok {
                AddressingStyle::VirtualHosted
            } else {
                AddressingStyle::Path
            })
        }
    }
}

/// Every dot-separated label is 1..=63 lowercase letters, digits and hyphens, not starting
/// or ending with a hyphen.
fn is_dns_compatible(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name.as_bytes().split(|&c| c == b'.').all(|l| {
            !l.is_empty()
                && !l.starts_with(b"-")
                && !l.ends_with(b"-")
                && l.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        })
}

/// [S3's bucket naming rules](https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html)
/// for general purpose buckets.
pub(crate) fn validate_bucket_name(name: &str, naming: BucketNaming) -> Result<()> {
    let reason = bucket_name_problem(name, naming);
    match reason {
        None => Ok(()),
        Some(reason) => Err(Error::InvalidBucketName {
            name: clip(name),
            reason,
        }),
    }
}

fn bucket_name_problem(name: &str, naming: BucketNaming) -> Option<&'static str> {
    let b = name.as_bytes();
    if naming == BucketNaming::Relaxed {
        if !(3..=255).contains(&b.len()) {
            return Some("a bucket name must be 3 to 255 characters long");
        }
        if !b
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'))
        {
            return Some("only letters, digits, '.', '-' and '_' are allowed");
        }
        return None;
    }
    if !(3..=63).contains(&b.len()) {
        return Some("a bucket name must be 3 to 63 characters long");
    }
    if !b
        .iter()
        .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'.' || c == b'-')
    {
        return Some("only lowercase letters, digits, '.' and '-' are allowed");
    }
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    if !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return Some("a bucket name must begin and end with a letter or digit");
    }
    if b.windows(2).any(|w| w == b"..") {
        return Some("a bucket name may not contain two adjacent dots");
    }
    if is_ipv4(name) {
        return Some("a bucket name may not look like an IP address");
    }
    for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] {
        if name.starts_with(prefix) {
            return Some("a bucket name may not start with xn--, sthree- or amzn-s3-demo-");
        }
    }
    for suffix in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] {
        if name.ends_with(suffix) {
            return Some(
                "a bucket name may not end with -s3alias, --ol-s3, .mrap, --x-s3 or --table-s3",
            );
        }
    }
    None
}

/// S3 object keys are 1 to 1024 bytes of UTF-8 (guaranteed by `&str`).
pub(crate) fn validate_key(key: &str) -> Result<()> {
    if key.is_empty() {
        return Err(Error::InvalidKey {
            len: 0,
            reason: "an object key may not be empty",
        });
    }
    if key.len() > 1024 {
        return Err(Error::InvalidKey {
            len: key.len(),
            reason: "an object key is at most 1024 bytes",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let ok = |n| validate_bucket_name(n, BucketNaming::Strict).is_ok();
        assert!(ok("examplebucket"));
        assert!(ok("my.bucket-1"));
        assert!(ok("abc"));
        for bad in [
            "ab",
            "Bucket",
            "under_score",
            "-start",
            "end-",
            "a..b",
            "192.168.1.1",
            "xn--abc",
            "sthree-x",
            "foo-s3alias",
            "foo--ol-s3",
            "a.mrap",
            "x--x-s3",
            &"a".repeat(64),
        ] {
            assert!(!ok(bad), "{bad}");
        }
        assert!(validate_bucket_name("Legacy_Name", BucketNaming::Relaxed).is_ok());
        assert!(validate_bucket_name("a/b", BucketNaming::Relaxed).is_err());
    }

    #[test]
    fn styles() {
        let aws = Endpoint::aws("us-east-1").unwrap();
        assert_eq!(
            Bucket::new(&aws, "my.bucket").unwrap().url_prefix(),
            "https://s3.us-east-1.amazonaws.com/my.bucket"
        );
        assert_eq!(
            Bucket::new(&aws, "my-bucket").unwrap().url_prefix(),
            "https://my-bucket.s3.us-east-1.amazonaws.com"
        );
        let http = Endpoint::custom("http://minio.local:9000/s3", "us-east-1").unwrap();
        let b = Bucket::new(&http, "my.bucket").unwrap();
        assert_eq!(b.url_prefix(), "http://my.bucket.minio.local:9000/s3");
        assert_eq!(b.path_prefix(), "/s3");
        assert_eq!(b.host(), "my.bucket.minio.local:9000");
        let ip = Endpoint::custom("http://[::1]:9000", "us-east-1").unwrap();
        assert_eq!(Bucket::new(&ip, "b-1").unwrap().path_prefix(), "/b-1");
        assert!(
            Bucket::new(
                &ip.clone()
                    .with_addressing_style(AddressingStyle::VirtualHosted),
                "b-1"
            )
            .is_err()
        );
        let relaxed = http.with_bucket_naming(BucketNaming::Relaxed);
        assert_eq!(
            Bucket::new(&relaxed, "Legacy_Name")
                .unwrap()
                .addressing_style(),
            AddressingStyle::Path
        );
        let acc = Endpoint::aws("us-east-1").unwrap().with_accelerate();
        assert!(Bucket::new(&acc, "my.bucket").is_err());
        assert_eq!(
            Bucket::new(&acc, "b-1").unwrap().host(),
            "b-1.s3-accelerate.amazonaws.com"
        );
    }

    #[test]
    fn keys() {
        assert!(validate_key("").is_err());
        assert!(validate_key(&"k".repeat(1024)).is_ok());
        assert!(validate_key(&"k".repeat(1025)).is_err());
    }
}
