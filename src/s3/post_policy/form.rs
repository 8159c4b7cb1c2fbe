//! [`PostForm`]: a signed form's action URL and fields, and its HTML rendering.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::expiry::ExpiryCause;
use crate::time::AmzDate;

/// A signed POST form: where to post and the fields to send before the file.
///
/// Send the fields in order as `multipart/form-data`, then the file as the **last** part
/// named `file` (S3 ignores fields after it). With curl:
/// `curl -F key=... -F policy=... ... -F file=@clip.mp4 ACTION_URL`.
///
/// `Debug` hides the signature and session token. Serialises (feature `serde`) to
/// `{"url": "...", "fields": {"key": "...", ...}}`, the shape of boto3's
/// `generate_presigned_post`.
#[derive(Clone, PartialEq, Eq)]
pub struct PostForm {
    pub(super) action_url: String,
    pub(super) fields: Vec<(String, String)>,
    pub(super) open_fields: Vec<(String, String)>,
    pub(super) expiration: AmzDate,
    pub(super) expiry_cause: ExpiryCause,
    pub(super) policy_json: String,
}

impl PostForm {
    /// The form's `action`: the bucket URL.
    pub fn action_url(&self) -> &str {
        &self.action_url
    }

    /// The fields in the order to send them: `key`, the exact-value fields, then
    /// `x-amz-algorithm`, `x-amz-credential`, `x-amz-date`, `x-amz-security-token` (with
    /// temporary credentials), `policy` and `x-amz-signature`.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The value of a field (name compared case-insensitively).
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Fields the uploader must add, with the prefix their value must start with (from
    /// starts-with conditions such as [`PostPolicy::content_type_starts_with`](super::PostPolicy::content_type_starts_with)).
    pub fn open_fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.open_fields
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// When the policy expires: the requested expiry, or the signer's credentials' expiry
    /// if that came first (see [`Self::expiry_cause`]).
    pub fn expiration(&self) -> AmzDate {
        self.expiration
    }

    /// Why the policy expires at [`Self::expiration`]: as requested, or cut because the
    /// signer's credentials expire sooner.
    pub fn expiry_cause(&self) -> ExpiryCause {
        self.expiry_cause
    }

    /// The policy JSON that was base64-encoded into the `policy` field.
    pub fn policy_json(&self) -> &str {
        &self.policy_json
    }

    /// A self-contained HTML form: hidden inputs for the fields, a text input per open
    /// field (pre-filled with its required prefix), a file input and a submit button. Every
    /// value is HTML-escaped.
    ///
    /// ```
    /// # use s3presign::{AmzDate, Credentials, Signer, s3::{Bucket, Endpoint, PostPolicy}};
    /// # let signer = Signer::new(Credentials::new("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"))?;
    /// # let bucket = Bucket::new(&Endpoint::aws("us-east-1")?, "examplebucket")?;
    /// let form = PostPolicy::new(&bucket).key("a\"<b>.txt").sign(&signer, AmzDate::parse("20260101T000000Z")?)?;
    /// let html = form.to_html();
    /// assert!(html.contains(r#"<input type="hidden" name="key" value="a&quot;&lt;b&gt;.txt">"#));
    /// assert!(html.find(r#"name="policy""#) < html.find(r#"type="file""#));
    /// # Ok::<(), s3presign::Error>(())
    /// ```
    pub fn to_html(&self) -> String {
        let mut h = String::with_capacity(2048);
        h.push_str("<form action=\"");
        html_escape(&mut h, &self.action_url);
        h.push_str("\" method=\"post\" enctype=\"multipart/form-data\">\n");
        for (n, v) in &self.fields {
            h.push_str("  <input type=\"hidden\" name=\"");
            html_escape(&mut h, n);
            h.push_str("\" value=\"");
            html_escape(&mut h, v);
            h.push_str("\">\n");
        }
        for (n, v) in &self.open_fields {
            h.push_str("  <label>");
            html_escape(&mut h, n);
            h.push_str(" <input type=\"text\" name=\"");
            html_escape(&mut h, n);
            h.push_str("\" value=\"");
            html_escape(&mut h, v);
            h.push_str("\"></label>\n");
        }
        h.push_str("  <input type=\"file\" name=\"file\">\n");
        h.push_str("  <input type=\"submit\" value=\"Upload\">\n</form>\n");
        h
    }
}

fn html_escape(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

impl fmt::Debug for PostForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Fields<'a>(&'a [(String, String)]);
        impl fmt::Debug for Fields<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_map()
                    .entries(self.0.iter().map(|(n, v)| {
                        let hidden = n.eq_ignore_ascii_case("x-amz-signature")
                            || n.eq_ignore_ascii_case("x-amz-security-token");
                        (n.as_str(), if hidden { "[redacted]" } else { v.as_str() })
                    }))
                    .finish()
            }
        }
        f.debug_struct("PostForm")
            .field("action_url", &self.action_url)
            .field("fields", &Fields(&self.fields))
            .field("expiration", &self.expiration)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for PostForm {
    fn serialize<S: serde::Serializer>(&self, s: S) -> core::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct Fields<'a>(&'a [(String, String)]);
        impl serde::Serialize for Fields<'_> {
            fn serialize<S: serde::Serializer>(
                &self,
                s: S,
            ) -> core::result::Result<S::Ok, S::Error> {
                s.collect_map(self.0.iter().map(|(n, v)| (n, v)))
            }
        }
        let mut st = s.serialize_struct("PostForm", 2)?;
        st.serialize_field("url", &self.action_url)?;
        st.serialize_field("fields", &Fields(&self.fields))?;
        st.end()
    }
}
