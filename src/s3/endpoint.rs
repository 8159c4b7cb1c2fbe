//! [`Endpoint`]: where S3 lives (AWS or an S3-compatible store) and how buckets are addressed.

use alloc::string::String;

use crate::error::{Error, Result, clip};
use crate::expiry::Expiry;
use crate::sigv4::Scope;

/// `http` or `https`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Scheme {
    /// Plain HTTP (local test servers).
    Http,
    /// HTTPS.
    Https,
}

impl Scheme {
    /// `"http"` or `"https"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }

    fn default_port(&self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }
}

/// How the bucket appears in the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AddressingStyle {
    /// Virtual-hosted where it can work, path style where it cannot: IP-literal or
    /// `localhost` endpoints, bucket names that are not DNS labels, and names with dots over
    /// HTTPS (the wildcard certificate would not match).
    #[default]
    Auto,
    /// `https://BUCKET.s3.REGION.amazonaws.com/KEY`.
    VirtualHosted,
    /// `https://s3.REGION.amazonaws.com/BUCKET/KEY`.
    Path,
}

/// Which host us-east-1 uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UsEast1Endpoint {
    /// `s3.us-east-1.amazonaws.com`, as the current AWS SDKs do.
    #[default]
    Regional,
    /// The legacy global `s3.amazonaws.com`.
    Global,
}

/// How strictly bucket names are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum BucketNaming {
    /// S3's current rules for general purpose buckets (3 to 63 lowercase letters, digits,
    /// dots and hyphens, ...).
    #[default]
    Strict,
    /// Also legacy names (up to 255 characters, uppercase letters and underscores) that
    /// some S3-compatible stores accept; such names force path style.
    Relaxed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HostKind {
    Name,
    IpLiteral,
    Localhost,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Aws {
        dual_stack: bool,
        accelerate: bool,
        us_east_1: UsEast1Endpoint,
    },
    Custom,
}

/// An S3 endpoint: scheme, host, optional port and base path, signing region, addressing
/// style and limits. Validated when built; holds no secrets.
///
/// ```
/// use s3presign::s3::{AddressingStyle, Endpoint};
/// let aws = Endpoint::aws("eu-west-1")?;
/// assert_eq!(aws.authority(), "s3.eu-west-1.amazonaws.com");
/// let minio = Endpoint::custom("http://127.0.0.1:9000", "us-east-1")?;
/// assert_eq!(minio.authority(), "127.0.0.1:9000");
/// let r2 = Endpoint::custom("https://ACCOUNT.r2.cloudflarestorage.com", "auto")?
///     .with_addressing_style(AddressingStyle::Path);
/// assert_eq!(r2.region(), "auto");
/// # Ok::<(), s3presign::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    scheme: Scheme,
    host: String,
    port: Option<u16>,
    base_path: String,
    region: String,
    style: AddressingStyle,
    naming: BucketNaming,
    max_expiry: u64,
    host_kind: HostKind,
    kind: Kind,
}

impl Endpoint {
    /// Amazon S3 in `region`: `https://s3.REGION.amazonaws.com` (`amazonaws.com.cn` in China).
    ///
    /// # Errors
    /// [`Error::InvalidScope`] if the region is not lowercase letters, digits and `-`.
    pub fn aws(region: &str) -> Result<Self> {
        if region.is_empty()
            || region.len() > 32
            || !region
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        {
            return Err(Error::InvalidScope {
                what: "region",
                value: clip(region),
                reason: "an AWS region is lowercase letters, digits and '-', like us-east-1",
            });
        }
        let mut e = Self {
            scheme: Scheme::Https,
            host: String::new(),
            port: None,
            base_path: String::new(),
            region: String::from(region),
            style: AddressingStyle::Auto,
            naming: BucketNaming::Strict,
            max_expiry: Expiry::MAX_SECS,
            host_kind: HostKind::Name,
            kind: Kind::Aws {
                dual_stack: false,
                accelerate: false,
                us_east_1: UsEast1Endpoint::Regional,
            },
        };
        e.host = e.aws_host();
        Ok(e)
    }

    /// An S3-compatible store (MinIO, R2, B2, Garage, SeaweedFS, LocalStack, ...) at
    /// `http(s)://host[:port][/base-path]`, signing for `region`. IPv6 literals go in
    /// brackets: `http://[::1]:9000`.
    ///
    /// # Errors
    /// [`Error::InvalidEndpoint`] for anything else (user info, query, fragment, a bad host
    /// or port), [`Error::InvalidScope`] for a bad region.
    pub fn custom(url: &str, region: &str) -> Result<Self> {
        crate::sigv4::validate_scope_part("region", region)?;
        let bad = |reason| Error::InvalidEndpoint { reason };
        let (scheme, rest) = if let Some(r) = strip_prefix_ignore_case(url, "https://") {
            (Scheme::Https, r)
        } else if let Some(r) = strip_prefix_ignore_case(url, "http://") {
            (Scheme::Http, r)
        } else {
            return Err(bad("the URL must start with http:// or https://"));
        };
        // Byte searches throughout (smaller than `str` pattern searches in WebAssembly builds).
        if rest.bytes().any(|c| c == b'?' || c == b'#') {
            return Err(bad("the URL may not have a query or fragment"));
        }
        let (authority, path) = match rest.bytes().position(|c| c == b'/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if authority.bytes().any(|c| c == b'@') {
            return Err(bad(
                "the URL may not contain user info (credentials go elsewhere)",
            ));
        }
        let (host, port_text, host_kind) = if let Some(after) = authority.strip_prefix('[') {
            let end =
                (after.bytes().position(|c| c == b']')).ok_or(bad("unterminated IPv6 literal"))?;
            let ip = &after[..end];
            if ip.is_empty()
                || !ip
                    .bytes()
                    .all(|c| c.is_ascii_hexdigit() || c == b':' || c == b'.')
                || !ip.bytes().any(|c| c == b':')
            {
                return Err(bad("invalid IPv6 literal"));
            }
            let tail = &after[end + 1..];
            let port = match tail.strip_prefix(':') {
                Some(p) => Some(p),
                None if tail.is_empty() => None,
                None => return Err(bad("unexpected text after the IPv6 literal")),
            };
            let mut h = String::from("[");
            h.push_str(&ip.to_ascii_lowercase());
            h.push(']');
            (h, port, HostKind::IpLiteral)
        } else {
            let (h, port) = match authority.bytes().rposition(|c| c == b':') {
                Some(at) => (&authority[..at], Some(&authority[at + 1..])),
                None => (authority, None),
            };
            validate_host_name(h)?;
            let h = h.to_ascii_lowercase();
            let kind = if is_ipv4(&h) {
                HostKind::IpLiteral
            } else if h == "localhost" || h.ends_with(".localhost") {
                HostKind::Localhost
            } else {
                HostKind::Name
            };
            (h, port, kind)
        };
        let port = match port_text {
            None => None,
            Some(p) => {
                // At most five digits: no overflow, and no `str::parse` code in the module.
                let n = if !p.is_empty() && p.len() <= 5 && p.bytes().all(|c| c.is_ascii_digit()) {
                    p.bytes().fold(0u32, |n, c| n * 10 + u32::from(c - b'0'))
                } else {
                    0
                };
                let n = u16::try_from(n)
                    .ok()
                    .filter(|&n| n != 0)
                    .ok_or(bad("the port must be 1..=65535"))?;
                (n != scheme.default_port()).then_some(n)
            }
        };
        let base = &path[..path.bytes().rposition(|c| c != b'/').map_or(0, |at| at + 1)];
        if !base
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~' | b'/'))
            || base.as_bytes().windows(2).any(|w| w == b"//")
        {
            return Err(bad(
                "the base path may only contain letters, digits, '-', '.', '_', '~' and single '/'",
            ));
        }
        Ok(Self {
            scheme,
            host,
            port,
            base_path: String::from(base),
            region: String::from(region),
            style: AddressingStyle::Auto,
            naming: BucketNaming::Strict,
            max_expiry: Expiry::MAX_SECS,
            host_kind,
            kind: Kind::Custom,
        })
    }

    fn aws_host(&self) -> String {
        let Kind::Aws {
            dual_stack,
            accelerate,
            us_east_1,
        } = self.kind
        else {
            return self.host.clone();
        };
        let suffix = if self.region.starts_with("cn-") {
            "amazonaws.com.cn"
        } else {
            "amazonaws.com"
        };
        let mut h = String::with_capacity(48);
        if accelerate {
            h.push_str("s3-accelerate.");
            if dual_stack {
                h.push_str("dualstack.");
            }
        } else {
            h.push_str("s3.");
            if dual_stack {
                h.push_str("dualstack.");
            }
            let global = us_east_1 == UsEast1Endpoint::Global && self.region == "us-east-1";
            if !global || dual_stack {
                h.push_str(&self.region);
                h.push('.');
            }
        }
        h.push_str(suffix);
        h
    }

    fn with_aws(mut self, f: impl FnOnce(&mut bool, &mut bool, &mut UsEast1Endpoint)) -> Self {
        if let Kind::Aws {
            dual_stack,
            accelerate,
            us_east_1,
        } = &mut self.kind
        {
            f(dual_stack, accelerate, us_east_1);
            self.host = self.aws_host();
        }
        self
    }

    /// Uses the dual-stack (IPv4 + IPv6) host `s3.dualstack.REGION.amazonaws.com`.
    /// No effect on custom endpoints.
    #[must_use]
    pub fn with_dual_stack(self) -> Self {
        self.with_aws(|d, _, _| *d = true)
    }

    /// Uses Transfer Acceleration, `BUCKET.s3-accelerate.amazonaws.com` (virtual-hosted only,
    /// bucket names without dots). No effect on custom endpoints.
    #[must_use]
    pub fn with_accelerate(self) -> Self {
        self.with_aws(|_, a, _| *a = true)
    }

    /// Chooses the us-east-1 host. No effect on other regions or custom endpoints.
    #[must_use]
    pub fn with_us_east_1(self, which: UsEast1Endpoint) -> Self {
        self.with_aws(|_, _, u| *u = which)
    }

    /// Chooses the addressing style (default [`AddressingStyle::Auto`]).
    #[must_use]
    pub fn with_addressing_style(mut self, style: AddressingStyle) -> Self {
        self.style = style;
        self
    }

    /// Chooses how strictly bucket names are checked (default [`BucketNaming::Strict`]).
    #[must_use]
    pub fn with_bucket_naming(mut self, naming: BucketNaming) -> Self {
        self.naming = naming;
        self
    }

    /// Raises (or lowers) the longest allowed expiry, for stores that accept more than
    /// S3's 7 days. `0` is treated as 1.
    #[must_use]
    pub fn with_max_expiry(mut self, secs: u64) -> Self {
        self.max_expiry = secs.max(1);
        self
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The host, lowercase (IPv6 literals in brackets), without the bucket.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port, if it is not the scheme's default.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// `host[:port]`, as in the `Host` header (without a bucket).
    pub fn authority(&self) -> String {
        let mut s = self.host.clone();
        if let Some(p) = self.port {
            s.push(':');
            crate::sigv4::text::push_u64(&mut s, u64::from(p));
        }
        s
    }

    /// The base path (empty, or `/something` without a trailing slash).
    pub fn base_path(&self) -> &str {
        &self.base_path
    }

    /// The signing region.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The configured addressing style.
    pub fn addressing_style(&self) -> AddressingStyle {
        self.style
    }

    /// The bucket naming rules.
    pub fn bucket_naming(&self) -> BucketNaming {
        self.naming
    }

    /// The longest allowed expiry in seconds.
    pub fn max_expiry(&self) -> u64 {
        self.max_expiry
    }

    pub(crate) fn host_kind(&self) -> HostKind {
        self.host_kind
    }

    pub(crate) fn is_accelerate(&self) -> bool {
        matches!(
            self.kind,
            Kind::Aws {
                accelerate: true,
                ..
            }
        )
    }

    /// Checks that a scope can be built for this endpoint (used once, at bucket creation).
    pub(crate) fn check_scope(&self) -> Result<()> {
        let date = crate::time::AmzDate::from_unix_timestamp(0)?;
        Scope::new(date, &self.region, "s3").map(|_| ())
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

fn validate_host_name(h: &str) -> Result<()> {
    let bad = |reason| Err(Error::InvalidEndpoint { reason });
    if h.is_empty() {
        return bad("the host is empty");
    }
    if h.len() > 253 {
        return bad("the host is longer than 253 characters");
    }
    for label in h.as_bytes().split(|&c| c == b'.') {
        if label.is_empty() || label.len() > 63 {
            return bad("each dot-separated part of the host must be 1 to 63 characters");
        }
        if !label
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_')
        {
            return bad(
                "the host may only contain letters, digits, '-', '_' and '.' (use punycode for IDNs)",
            );
        }
        if label.starts_with(b"-") || label.ends_with(b"-") {
            return bad("a part of the host may not start or end with '-'");
        }
    }
    // A numeric last label is only valid in an IPv4 address (RFC 3696: no numeric TLDs).
    let last = &h[h.bytes().rposition(|c| c == b'.').map_or(0, |at| at + 1)..];
    if last.bytes().all(|c| c.is_ascii_digit()) && !is_ipv4(h) {
        return bad("a numeric host must be an IPv4 address a.b.c.d");
    }
    Ok(())
}

pub(crate) fn is_ipv4(s: &str) -> bool {
    let mut n = 0;
    for part in s.as_bytes().split(|&c| c == b'.') {
        n += 1;
        if part.is_empty() || part.len() > 3 || !part.iter().all(u8::is_ascii_digit) {
            return false;
        }
    }
    n == 4
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_hosts() {
        let h = |e: Endpoint| e.authority();
        assert_eq!(
            h(Endpoint::aws("us-east-1").unwrap()),
            "s3.us-east-1.amazonaws.com"
        );
        assert_eq!(
            h(Endpoint::aws("us-east-1")
                .unwrap()
                .with_us_east_1(UsEast1Endpoint::Global)),
            "s3.amazonaws.com"
        );
        assert_eq!(
            h(Endpoint::aws("eu-west-1")
                .unwrap()
                .with_us_east_1(UsEast1Endpoint::Global)),
            "s3.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            h(Endpoint::aws("us-west-2").unwrap().with_dual_stack()),
            "s3.dualstack.us-west-2.amazonaws.com"
        );
        assert_eq!(
            h(Endpoint::aws("us-west-2").unwrap().with_accelerate()),
            "s3-accelerate.amazonaws.com"
        );
        assert_eq!(
            h(Endpoint::aws("us-west-2")
                .unwrap()
                .with_accelerate()
                .with_dual_stack()),
            "s3-accelerate.dualstack.amazonaws.com"
        );
        assert_eq!(
            h(Endpoint::aws("cn-north-1").unwrap()),
            "s3.cn-north-1.amazonaws.com.cn"
        );
        assert!(Endpoint::aws("US-EAST-1").is_err());
        assert!(Endpoint::aws("").is_err());
    }

    #[test]
    fn custom_endpoints() {
        let e = Endpoint::custom("HTTP://LocalHost:9000/", "us-east-1").unwrap();
        assert_eq!(e.scheme(), Scheme::Http);
        assert_eq!(e.authority(), "localhost:9000");
        assert_eq!(e.host_kind(), HostKind::Localhost);
        let e = Endpoint::custom("https://[::1]:8443/base/", "r").unwrap();
        assert_eq!(e.authority(), "[::1]:8443");
        assert_eq!(e.base_path(), "/base");
        assert_eq!(e.host_kind(), HostKind::IpLiteral);
        let e = Endpoint::custom("https://s3.example.com:443", "r").unwrap();
        assert_eq!(e.port(), None);
        let e = Endpoint::custom("http://h.example:65535///", "r").unwrap();
        assert_eq!((e.port(), e.base_path()), (Some(65535), ""));
        let e = Endpoint::custom("http://10.0.0.1:00080/a/b//", "r").unwrap();
        assert_eq!((e.port(), e.base_path()), (None, "/a/b"));
        for bad in [
            "ftp://x",
            "https://",
            "https://user:pw@host",
            "https://host:0",
            "https://host:65536",
            "https://host:99999",
            "https://host:123456",
            "https://host:",
            "https://host:-1",
            "https://host:+80",
            "https://host:x",
            "https://host/a?b",
            "https://host/a#b",
            "https://[::1",
            "https://[zz]",
            "https://ho st",
            "https://host/a b",
            "https://host//a",
            "https://a..b",
            "http://-host",
            "http://host-.example",
            "http://1.2.3.4.5",
            "http://1.2.3",
        ] {
            assert!(Endpoint::custom(bad, "r").is_err(), "{bad}");
        }
        assert!(Endpoint::custom("https://host", "a/b").is_err());
    }
}
