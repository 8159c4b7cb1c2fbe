//! The four operations over the core's public API, and the result record.

use alloc::string::String;
use alloc::vec::Vec;

use s3presign::s3::{AddressingStyle, Bucket, ContentTypeMode, Endpoint, PostPolicy, Presign};
use s3presign::sigv4::{Payload, SignableRequest, SigningParams, SigningSettings, sign_headers};
use s3presign::{AmzDate, Credentials, Signer};

use crate::input::{Field, Numbers, Options, whole};
use crate::message::{Failure, push_decimal};

const EXPIRES: &str = "expiresIn must be a whole number of seconds (1 to 604800)";

/// Runs operation `op` (0 GET, 1 PUT, 2 POST, 3 header signing) and returns the result record.
pub fn run(op: u32, o: &Options<'_>, n: &Numbers) -> Result<String, Failure> {
    let endpoint = endpoint(o)?;
    let bucket = Bucket::new(&endpoint, o.get(Field::Bucket))?;
    let mut creds = Credentials::new(o.get(Field::AccessKeyId), o.get(Field::SecretAccessKey));
    if let Some(token) = o.opt(Field::SessionToken) {
        creds = creds.with_session_token(token);
    }
    let signer = Signer::new(creds)?;
    let secs = whole(n.time, "time must be a valid Date (1970 to 9999)")?;
    let now = AmzDate::from_unix_timestamp(
        i64::try_from(secs)
            .map_err(|_| Failure::Glue("time must be a valid Date (1970 to 9999)"))?,
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
        _ => Err(Failure::Glue("unknown operation")),
    }
}

fn endpoint(o: &Options<'_>) -> Result<Endpoint, Failure> {
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
            return Err(Failure::Glue(
                "addressingStyle must be \"auto\", \"virtual\" or \"path\"",
            ));
        }
    };
    Ok(endpoint.with_addressing_style(style))
}

fn content_type_mode(o: &Options<'_>) -> Result<ContentTypeMode, Failure> {
    match o.get(Field::ContentTypeMode) {
        "" | "signed" => Ok(ContentTypeMode::Signed),
        "unsigned" => Ok(ContentTypeMode::Unsigned),
        _ => Err(Failure::Glue(
            "contentTypeMode must be \"signed\" or \"unsigned\"",
        )),
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
) -> Result<String, Failure> {
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
    for (name, value) in &o.headers {
        p = p.header(name, value);
    }
    let signed = p.sign(signer, now)?;
    record(
        signed.method(),
        signed.url(),
        Some(signed.expires_at()),
        signed.headers(),
    )
}

fn post(
    bucket: &Bucket,
    o: &Options<'_>,
    n: &Numbers,
    signer: &Signer,
    now: AmzDate,
) -> Result<String, Failure> {
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
        form.fields(),
    )
}

/// Signs a request with an `Authorization` header. The URL is the object's (taken from a
/// presigned URL without its query, so that the key is encoded by the core).
fn headers(
    bucket: &Bucket,
    o: &Options<'_>,
    signer: &Signer,
    now: AmzDate,
) -> Result<String, Failure> {
    let method = o.opt(Field::Method).unwrap_or("GET");
    let located = bucket
        .object(method, o.get(Field::Key))
        .sign_url(signer, now)?;
    // Byte searches: `str` pattern searching would add its own code to the module.
    let bytes = located.as_bytes();
    let url = &located[..position(bytes, 0, b'?')];
    let authority_at = bytes
        .windows(3)
        .position(|w| w == b"://")
        .map_or(0, |i| i + 3);
    let path_at = position(bytes, authority_at, b'/').min(url.len());
    let (authority, path) = (&url[authority_at..path_at], &url[path_at..]);
    let mut headers = Vec::with_capacity(o.headers.len() + 1);
    headers.push(("host", authority));
    headers.extend(o.headers.iter().copied());
    let payload = match o.opt(Field::PayloadHash) {
        None | Some("UNSIGNED-PAYLOAD") => Payload::Unsigned,
        Some(hash) => Payload::Precomputed(hash),
    };
    let request = SignableRequest::new(method, path, "", &headers, payload);
    let region = bucket.endpoint().region();
    let params = SigningParams::new(signer, region, "s3", now).with_settings(SigningSettings::s3());
    let signed = sign_headers(&request, &params)?;
    let mut pairs: Vec<(&str, &str)> = o.headers.clone();
    for (name, value) in signed.headers() {
        pairs.push((name, value));
    }
    record(method, url, None, pairs.into_iter())
}

/// The result record: method, URL, expiry (Unix seconds, empty for none), then pairs, joined
/// by NUL (which no URL, header or form field the core accepts can contain; checked).
fn record<'x>(
    method: &str,
    url: &str,
    expires_at: Option<AmzDate>,
    pairs: impl Iterator<Item = (&'x str, &'x str)>,
) -> Result<String, Failure> {
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
            return Err(Failure::Glue(
                "a header or form field contains a NUL character",
            ));
        }
        out.push('\0');
        out.push_str(name);
        out.push('\0');
        out.push_str(value);
    }
    Ok(out)
}

/// Where `byte` first occurs in `bytes` at or after `from`, else the length.
fn position(bytes: &[u8], from: usize, byte: u8) -> usize {
    bytes
        .iter()
        .skip(from)
        .position(|&b| b == byte)
        .map_or(bytes.len(), |i| i + from)
}
