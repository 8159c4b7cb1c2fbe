//! The four operations over the core's public API, and the result record.

use alloc::string::String;

use s3presign::s3::{AddressingStyle, Bucket, ContentTypeMode, Endpoint, PostPolicy, Presign};
use s3presign::sigv4::Payload;
use s3presign::{AmzDate, Credentials, Signer};

use crate::input::{Field, Numbers, Options, whole};
use crate::message::{Stop, glue, push_decimal};

const EXPIRES: &str = "expiresIn must be a whole number of seconds (1 to 604800)";

/// Runs operation `op` (0 GET, 1 PUT, 2 POST, 3 header signing) and returns the result record.
pub fn run(op: u32, o: &Options<'_>, n: &Numbers) -> Result<String, Stop> {
    let endpoint = endpoint(o)?;
    let bucket = Bucket::new(&endpoint, o.get(Field::Bucket))?;
    let mut creds = Credentials::new(o.get(Field::AccessKeyId), o.get(Field::SecretAccessKey));
    if let Some(token) = o.opt(Field::SessionToken) {
        creds = creds.with_session_token(token);
    }
    let signer = Signer::new(creds)?;
    let secs = whole(n.time, "time must be a valid Date (1970 to 9999)")?;
    let now = AmzDate::from_unix_timestamp(
        i64::try_from(secs).map_err(|_| glue("time must be a valid Date (1970 to 9999)"))?,
    )?;
    match op {
        0 => presign(bucket.get_object(o.get(Field::Key)), o, n, &signer, now),
        1 => {
            let mut put = bucket.put_object(o.get(Field::Key));
            if let Some(ct) = o.opt(Field::ContentType) {
                put = put
                    .content_type(ct)
                    .content_type_mode(content_type_mode(o)?);
            }
            presign(put, o, n, &signer, now)
        }
        2 => post(&bucket, o, n, &signer, now),
        3 => headers(&bucket, o, &signer, now),
        _ => Err(glue("unknown operation")),
    }
}

// Not inlined into `run`: a smaller module (measured: 87 bytes less).
#[inline(never)]
fn endpoint(o: &Options<'_>) -> Result<Endpoint, Stop> {
    let region = o.get(Field::Region);
    let endpoint = match o.opt(Field::Endpoint) {
        Some(url) => Endpoint::custom(url, region)?,
        None => Endpoint::aws(region)?,
    };
    let style = match o.get(Field::AddressingStyle) {
        "" | "auto" => AddressingStyle::Auto,
        "virtual" => AddressingStyle::VirtualHosted,
        "path" => AddressingStyle::Path,
        _ => {
            return Err(glue(
                "addressingStyle must be \"auto\", \"virtual\" or \"path\"",
            ));
        }
    };
    Ok(endpoint.with_addressing_style(style))
}

fn content_type_mode(o: &Options<'_>) -> Result<ContentTypeMode, Stop> {
    match o.get(Field::ContentTypeMode) {
        "" | "signed" => Ok(ContentTypeMode::Signed),
        "unsigned" => Ok(ContentTypeMode::Unsigned),
        _ => Err(glue("contentTypeMode must be \"signed\" or \"unsigned\"")),
    }
}

/// The `response` overrides: which option sets which query parameter.
type Override<'a> = fn(Presign<'a>, &'a str) -> Presign<'a>;

fn presign<'a>(
    mut p: Presign<'a>,
    o: &Options<'a>,
    n: &Numbers,
    signer: &Signer,
    now: AmzDate,
) -> Result<String, Stop> {
    p = p.expires_in(whole(n.expires_in, EXPIRES)?);
    if let Some(v) = o.opt(Field::VersionId) {
        p = p.version_id(v);
    }
    let overrides: [(Field, Override<'a>); 6] = [
        (Field::ResponseContentType, Presign::response_content_type),
        (
            Field::ResponseContentDisposition,
            Presign::response_content_disposition,
        ),
        (Field::ResponseCacheControl, Presign::response_cache_control),
        (
            Field::ResponseContentEncoding,
            Presign::response_content_encoding,
        ),
        (
            Field::ResponseContentLanguage,
            Presign::response_content_language,
        ),
        (Field::ResponseExpires, Presign::response_expires),
    ];
    for (field, set) in overrides {
        if let Some(v) = o.opt(field) {
            p = set(p, v);
        }
    }
    for (name, value) in o.headers() {
        p = p.header(name, value);
    }
    let signed = p.sign(signer, now)?;
    record(
        signed.method(),
        signed.url(),
        Some(signed.expires_at()),
        &mut signed.headers(),
    )
}

fn post(
    bucket: &Bucket,
    o: &Options<'_>,
    n: &Numbers,
    signer: &Signer,
    now: AmzDate,
) -> Result<String, Stop> {
    const RANGE: &str = "contentLengthRange must be [min, max] in whole bytes";
    let mut policy = PostPolicy::new(bucket)
        .key(o.get(Field::Key))
        .expires_in(whole(n.expires_in, EXPIRES)?);
    if let Some(ct) = o.opt(Field::ContentType) {
        policy = policy.content_type(ct);
    }
    if !n.min.is_nan() || !n.max.is_nan() {
        policy = policy.content_length_range(whole(n.min, RANGE)?, whole(n.max, RANGE)?);
    }
    let form = policy.sign(signer, now)?;
    record(
        "POST",
        form.action_url(),
        Some(form.expiration()),
        &mut form.fields(),
    )
}

/// Signs a request with an `Authorization` header (the presigner's header mode).
fn headers(
    bucket: &Bucket,
    o: &Options<'_>,
    signer: &Signer,
    now: AmzDate,
) -> Result<String, Stop> {
    let method = o.opt(Field::Method).unwrap_or("GET");
    let mut request = bucket.object(method, o.get(Field::Key));
    for (name, value) in o.headers() {
        if signer_header(name) {
            // The message of the crate's `sigv4::sign_headers` for the same request.
            return Err(Stop::from(s3presign::Error::InvalidHeaderName {
                name: String::from(name),
                reason: "this header is set by the signer; remove it from the request",
            }));
        }
        request = request.header(name, value);
    }
    let payload = match o.opt(Field::PayloadHash) {
        None | Some("UNSIGNED-PAYLOAD") => Payload::Unsigned,
        Some(hash) => Payload::Precomputed(hash),
    };
    let signed = request.sign_headers(signer, now, payload)?;
    // The headers as given, then the ones the signer added.
    let added = signed.headers().filter(|(name, _)| signer_header(name));
    record(method, signed.url(), None, &mut o.headers().chain(added))
}

/// A header that the signer sets itself.
fn signer_header(name: &str) -> bool {
    [
        "authorization",
        "x-amz-date",
        "x-amz-security-token",
        "x-amz-content-sha256",
    ]
    .iter()
    .any(|n| name.eq_ignore_ascii_case(n))
}

/// The result record: method, URL, expiry (Unix seconds, empty for none), then pairs, joined
/// by NUL (which no URL, header or form field the core accepts can contain; checked).
fn record<'x>(
    method: &str,
    url: &str,
    expires_at: Option<AmzDate>,
    // `dyn`: one copy of this function in the module rather than one per caller.
    pairs: &mut dyn Iterator<Item = (&'x str, &'x str)>,
) -> Result<String, Stop> {
    let mut out = String::with_capacity(url.len() + 64);
    out.push_str(method);
    out.push('\0');
    out.push_str(url);
    out.push('\0');
    if let Some(at) = expires_at {
        // AmzDate starts in 1970: never negative.
        push_decimal(&mut out, at.unix_timestamp().unsigned_abs());
    }
    for (name, value) in pairs {
        if name.bytes().chain(value.bytes()).any(|b| b == 0) {
            return Err(glue("a header or form field contains a NUL character"));
        }
        out.push('\0');
        out.push_str(name);
        out.push('\0');
        out.push_str(value);
    }
    Ok(out)
}
