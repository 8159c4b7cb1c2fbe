//! XML helpers over quick-xml's serde support, and the S3 `<Error>` document.

use std::string::String;

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::error::{Error, Result};

/// The S3 XML namespace, put on every request document.
pub(crate) const NS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ErrorDocument {
    pub(crate) code: Option<String>,
    pub(crate) message: Option<String>,
    pub(crate) resource: Option<String>,
    pub(crate) request_id: Option<String>,
    /// Sent with `RequestTimeTooSkewed`.
    pub(crate) server_time: Option<String>,
}

/// Whether `body` is an `<Error>` document (after an optional XML declaration).
pub(crate) fn is_error_document(body: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(body) else {
        return false;
    };
    let mut t = text.trim_start();
    if let Some(rest) = t.strip_prefix("<?xml") {
        match rest.find("?>") {
            Some(i) => t = rest[i + 2..].trim_start(),
            None => return false,
        }
    }
    t.starts_with("<Error>") || t.starts_with("<Error ")
}

/// Parses an S3 `<Error>` body; `None` if it is not one.
pub(crate) fn parse_error(body: &[u8]) -> Option<ErrorDocument> {
    if !is_error_document(body) {
        return None;
    }
    let text = std::str::from_utf8(body).ok()?;
    quick_xml::de::from_str(text).ok()
}

/// Deserializes a response body.
pub(crate) fn from_xml<T: DeserializeOwned>(body: &[u8], what: &'static str) -> Result<T> {
    let text = std::str::from_utf8(body)
        .map_err(|e| Error::decode(what, Some(std::boxed::Box::new(e))))?;
    quick_xml::de::from_str(text).map_err(|e| Error::decode(what, Some(std::boxed::Box::new(e))))
}

/// Serializes a request document under `root`.
pub(crate) fn to_xml<T: serde::Serialize>(root: &str, value: &T) -> Result<String> {
    quick_xml::se::to_string_with_root(root, value).map_err(|e| {
        Error::decode(
            "could not serialize the request document",
            Some(std::boxed::Box::new(e)),
        )
    })
}

/// Decodes a value from a listing made with `encoding-type=url`: S3 form-encodes keys
/// (`+` for a space, `%XX` for other bytes).
pub(crate) fn url_decode(s: &str) -> Result<String> {
    let plus = s.replace('+', " ");
    percent_encoding::percent_decode_str(&plus)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|e| {
            Error::decode(
                "a url-encoded key is not UTF-8",
                Some(std::boxed::Box::new(e)),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_document() {
        // The example from the S3 API reference ("Error responses").
        let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>NoSuchKey</Code>
  <Message>The resource you requested does not exist</Message>
  <Resource>/mybucket/myfoto.jpg</Resource>
  <RequestId>4442587FB7D0A2F9</RequestId>
</Error>"#;
        let e = parse_error(body).unwrap();
        assert_eq!(e.code.as_deref(), Some("NoSuchKey"));
        assert_eq!(e.resource.as_deref(), Some("/mybucket/myfoto.jpg"));
        assert_eq!(e.request_id.as_deref(), Some("4442587FB7D0A2F9"));
        assert!(parse_error(b"<ListBucketResult></ListBucketResult>").is_none());
    }

    #[test]
    fn decode() {
        assert_eq!(url_decode("a+b%2Bc%01%C3%A9").unwrap(), "a b+c\u{1}é");
        assert!(url_decode("%FF").is_err());
    }
}
