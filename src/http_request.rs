//! Signing [`http::Request`]s (feature `http`), for users of hyper, axum, tower or any
//! client built on the `http` crate: the same core calls as everything else
//! ([`sigv4::sign_headers`](crate::sigv4::sign_headers) and
//! [`sigv4::presign`](crate::sigv4::presign)); nothing here builds a canonical request.
//!
//! The request's path and query are signed exactly as they appear in its URI (so they
//! must already be percent-encoded as they will be sent), and every header already on the
//! request is signed. A request without a `Host` header is signed with the URI's
//! authority, which is what clients send.
//!
//! ```
//! use s3presign::{AmzDate, Credentials, Signer};
//! use s3presign::http_request::sign_request;
//! use s3presign::sigv4::{Payload, SigningParams};
//!
//! // The AWS SigV4 test suite's "get-vanilla" case.
//! let signer = Signer::new(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"))?;
//! let mut req = http::Request::get("https://example.amazonaws.com/").body(()).unwrap();
//! let time = AmzDate::parse("20150830T123600Z")?;
//! sign_request(&mut req, Payload::Bytes(b""), &SigningParams::new(&signer, "us-east-1", "service", time))?;
//! assert_eq!(req.headers()["authorization"], "AWS4-HMAC-SHA256 \
//!     Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
//!     SignedHeaders=host;x-amz-date, \
//!     Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
//! assert_eq!(req.headers()["x-amz-date"], "20150830T123600Z");
//! # Ok::<(), s3presign::Error>(())
//! ```

use alloc::string::String;
use alloc::vec::Vec;

use crate::error::{Error, Result, clip};
use crate::expiry::Expiry;
use crate::sigv4::{Payload, SignableRequest, SigningParams, presign, sign_headers};

fn host_of<B>(req: &http::Request<B>) -> Result<Option<String>> {
    if req.headers().contains_key(http::header::HOST) {
        return Ok(None);
    }
    match req.uri().authority() {
        Some(a) => Ok(Some(String::from(a.as_str()))),
        None => Err(Error::InvalidHeaderValue {
            name: String::from("host"),
            reason: "the request has no Host header and its URI has no authority",
        }),
    }
}

fn header_pairs<B>(req: &http::Request<B>) -> Result<Vec<(&str, &str)>> {
    req.headers()
        .iter()
        .map(|(n, v)| {
            let value = v.to_str().map_err(|_| Error::InvalidHeaderValue {
                name: clip(n.as_str()),
                reason: "only visible ASCII header values can be signed",
            })?;
            Ok((n.as_str(), value))
        })
        .collect()
}

/// Signs `req` in place with an `Authorization` header: adds `x-amz-date`, the
/// `x-amz-content-sha256` and `x-amz-security-token` headers when they apply, and
/// `authorization`. Use `params.with_settings(SigningSettings::s3())` for S3.
///
/// # Errors
/// As [`sign_headers`]; also a header value that is not
/// visible ASCII, or no host at all.
pub fn sign_request<B>(
    req: &mut http::Request<B>,
    payload: Payload<'_>,
    params: &SigningParams<'_>,
) -> Result<()> {
    let host = host_of(req)?;
    let added: Vec<(&'static str, String)> = {
        let mut headers = header_pairs(req)?;
        if let Some(h) = &host {
            headers.push(("host", h.as_str()));
        }
        let uri = req.uri();
        let signable = SignableRequest::new(
            req.method().as_str(),
            uri.path(),
            uri.query().unwrap_or(""),
            &headers,
            payload,
        );
        let signed = sign_headers(&signable, params)?;
        signed
            .headers()
            .map(|(n, v)| (n, String::from(v)))
            .collect()
    };
    for (name, value) in added {
        let mut v = http::HeaderValue::from_str(&value).map_err(|_| Error::InvalidHeaderValue {
            name: String::from(name),
            reason: "the signed value is not a valid header value",
        })?;
        if name == "authorization" || name == "x-amz-security-token" {
            v.set_sensitive(true);
        }
        req.headers_mut().insert(name, v);
    }
    Ok(())
}

/// Presigns `req`: returns its URI with the `X-Amz-*` query parameters added (the
/// request itself is not changed). Headers on the request are signed and must be sent
/// with the URL.
///
/// ```
/// use s3presign::{AmzDate, Credentials, Expiry, Signer};
/// use s3presign::http_request::presign_request;
/// use s3presign::sigv4::{Payload, SigningParams};
/// // The AWS SigV4 test suite's "get-vanilla" case, query variant.
/// let signer = Signer::new(Credentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"))?;
/// let req = http::Request::get("https://example.amazonaws.com/").body(()).unwrap();
/// let params = SigningParams::new(&signer, "us-east-1", "service", AmzDate::parse("20150830T123600Z")?);
/// let uri = presign_request(&req, Payload::Bytes(b""), &params, Expiry::from_secs(3600)?)?;
/// assert!(uri.to_string().ends_with(
///     "&X-Amz-Signature=e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d"));
/// # Ok::<(), s3presign::Error>(())
/// ```
///
/// # Errors
/// As [`presign`]; also a header value that is not visible ASCII,
/// or no host at all.
pub fn presign_request<B>(
    req: &http::Request<B>,
    payload: Payload<'_>,
    params: &SigningParams<'_>,
    expires_in: Expiry,
) -> Result<http::Uri> {
    let host = host_of(req)?;
    let mut headers = header_pairs(req)?;
    if let Some(h) = &host {
        headers.push(("host", h.as_str()));
    }
    let uri = req.uri();
    let query = uri.query().unwrap_or("");
    let signable =
        SignableRequest::new(req.method().as_str(), uri.path(), query, &headers, payload);
    let signed = presign(&signable, params, expires_in)?;
    let mut path_and_query = String::from(uri.path());
    path_and_query.push('?');
    path_and_query.push_str(&signed.query_string(query));
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = Some(
        http::uri::PathAndQuery::try_from(path_and_query.as_str()).map_err(|_| {
            Error::InvalidPath {
                reason: "the signed path and query do not form a valid URI",
            }
        })?,
    );
    http::Uri::from_parts(parts).map_err(|_| Error::InvalidPath {
        reason: "the signed path and query do not form a valid URI",
    })
}
