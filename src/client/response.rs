//! The pure response layer: an answer (status, headers, body) becomes either a
//! [`Response`] for the operation's parser or the typed [`Error`] it carries.

use std::string::String;

use bytes::Bytes;

use super::error::{Error, Result};
use super::request::EmbeddedError;
use super::xml;
use crate::AmzDate;

/// At most this many bytes of an error answer are read and parsed (S3's error documents
/// are a few hundred bytes; a server that sends more is cut off there).
pub const MAX_ERROR_BODY: usize = 64 * 1024;

/// An answer whose status was a success.
pub(crate) struct Response {
    pub(crate) headers: http::HeaderMap,
    pub(crate) body: Bytes,
}

impl Response {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Whether `status` is an error answer (`304 Not Modified` is not).
pub(crate) fn is_error_status(status: u16) -> bool {
    status >= 300 && status != 304
}

/// Checks an answer: an error status, or an `<Error>` document inside a `200` where the
/// operation may carry one, becomes the [`Error`]; anything else the [`Response`].
///
/// # Errors
/// The S3 error the answer carries.
pub(crate) fn check(
    status: u16,
    headers: http::HeaderMap,
    body: Bytes,
    embedded: EmbeddedError,
) -> Result<Response> {
    if is_error_status(status)
        || (embedded == EmbeddedError::Possible && xml::is_error_document(&body))
    {
        return Err(service_error(status, &headers, &body));
    }
    Ok(Response { headers, body })
}

/// Builds the typed error from an error answer (XML body or, for HEAD, status only).
/// Only the first [`MAX_ERROR_BODY`] bytes are looked at.
pub(crate) fn service_error(status: u16, headers: &http::HeaderMap, body: &[u8]) -> Error {
    let body = body.get(..MAX_ERROR_BODY).unwrap_or(body);
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let header_id = header("x-amz-request-id").map(String::from);
    let Some(x) = xml::parse_error(body) else {
        let code = match status {
            301 => "PermanentRedirect",
            307 => "TemporaryRedirect",
            400 => "BadRequest",
            403 => "Forbidden",
            404 => "NotFound",
            405 => "MethodNotAllowed",
            409 => "Conflict",
            412 => "PreconditionFailed",
            501 => "NotImplemented",
            503 => "ServiceUnavailable",
            _ => "",
        };
        return Error::service(status, Some(String::from(code)), None, header_id, None);
    };
    let server_time = x
        .server_time
        .as_deref()
        .and_then(|t| AmzDate::parse(t).ok())
        .map(|t| t.unix_timestamp())
        .or_else(|| header("date").and_then(parse_http_date));
    Error::service(
        status,
        x.code,
        x.message,
        x.request_id.or(header_id),
        x.resource,
    )
    .with_server_time(server_time)
}

/// Parses an IMF-fixdate `Date` header (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110
/// section 5.6.7) into Unix seconds.
fn parse_http_date(s: &str) -> Option<i64> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let mut it = s.split_ascii_whitespace();
    let (_dow, day, month, year, hms, zone) = (
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
    );
    if zone != "GMT" || it.next().is_some() {
        return None;
    }
    let month = MONTHS.iter().position(|m| *m == month)?;
    let month = time::Month::try_from(u8::try_from(month + 1).ok()?).ok()?;
    let date = time::Date::from_calendar_date(year.parse().ok()?, month, day.parse().ok()?).ok()?;
    let mut t = hms.split(':');
    let (h, m, sec) = (
        t.next()?.parse().ok()?,
        t.next()?.parse().ok()?,
        t.next()?.parse().ok()?,
    );
    let time = time::Time::from_hms(h, m, sec).ok()?;
    Some(
        time::PrimitiveDateTime::new(date, time)
            .assume_utc()
            .unix_timestamp(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates() {
        // RFC 9110's example.
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 PST"), None);
        assert_eq!(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"), None);
        assert_eq!(parse_http_date("garbage"), None);
    }

    #[test]
    fn error_documents_count_only_where_s3_embeds_them() {
        let doc = Bytes::from_static(b"<Error><Code>NoSuchKey</Code></Error>");
        let h = http::HeaderMap::new();
        assert!(check(200, h.clone(), doc.clone(), EmbeddedError::Never).is_ok());
        let e = check(200, h.clone(), doc.clone(), EmbeddedError::Possible)
            .err()
            .unwrap();
        assert_eq!(e.code(), Some("NoSuchKey"));
        let e = check(404, h, Bytes::new(), EmbeddedError::Never)
            .err()
            .unwrap();
        assert_eq!(e.code(), Some("NotFound"));
    }
}
