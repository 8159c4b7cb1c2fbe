//! [`ContentDisposition`]: `attachment; filename=...` values with non-ASCII names done right.

use alloc::string::String;

/// A `Content-Disposition` value for `response-content-disposition`, with the file name in
/// both forms browsers understand ([RFC 6266](https://www.rfc-editor.org/rfc/rfc6266) and
/// [RFC 5987](https://www.rfc-editor.org/rfc/rfc5987)): an ASCII fallback `filename="..."`
/// and, when the name is not plain ASCII, `filename*=UTF-8''...`.
///
/// ```
/// use s3presign::s3::ContentDisposition;
/// assert_eq!(ContentDisposition::attachment("report.pdf").to_header_value(),
///            r#"attachment; filename="report.pdf""#);
/// assert_eq!(ContentDisposition::attachment("résumé \"v2\".pdf").to_header_value(),
///            r#"attachment; filename="r_sum_ _v2_.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22v2%22.pdf"#);
/// assert_eq!(ContentDisposition::inline().to_header_value(), "inline");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentDisposition {
    kind: &'static str,
    filename: Option<String>,
}

impl ContentDisposition {
    /// `attachment`: the browser downloads the file and saves it as `filename`.
    pub fn attachment(filename: &str) -> Self {
        Self {
            kind: "attachment",
            filename: Some(String::from(filename)),
        }
    }

    /// `inline`: the browser shows the file if it can.
    pub fn inline() -> Self {
        Self {
            kind: "inline",
            filename: None,
        }
    }

    /// `inline` with a file name for "save as".
    pub fn inline_with_filename(filename: &str) -> Self {
        Self {
            kind: "inline",
            filename: Some(String::from(filename)),
        }
    }

    /// The header value.
    pub fn to_header_value(&self) -> String {
        let mut out = String::from(self.kind);
        let Some(name) = &self.filename else {
            return out;
        };
        out.push_str("; filename=\"");
        let plain = name
            .bytes()
            .all(|c| (0x20..0x7f).contains(&c) && c != b'"' && c != b'\\');
        for c in name.chars() {
            let keep = c.is_ascii() && (' '..='~').contains(&c) && c != '"' && c != '\\';
            out.push(if keep { c } else { '_' });
        }
        out.push('"');
        if !plain {
            out.push_str("; filename*=UTF-8''");
            // RFC 5987 attr-char is close to the SigV4 unreserved set; escaping the rest is safe.
            crate::sigv4::text::uri_encode_into(&mut out, name, crate::sigv4::text::Set::Query);
        }
        out
    }
}
