//! Error messages without `core::fmt` (which would double the module's size): the core's
//! [`Error`] rendered as its `Display` does, with plain string pushes.

use alloc::string::String;

use s3presign::Error;

/// Why a call failed.
pub enum Failure {
    /// The core refused the options.
    Core(Error),
    /// The glue refused them (a missing or malformed option).
    Glue(&'static str),
    /// The glue refused them, with a message naming the option.
    Text(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Self::Core(e)
    }
}

impl Failure {
    /// The one-line message.
    pub fn into_message(self) -> String {
        match self {
            Self::Glue(text) => String::from(text),
            Self::Text(text) => text,
            Self::Core(e) => core_message(&e),
        }
    }
}

/// Appends the decimal digits of `n`.
pub fn push_decimal(out: &mut String, n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[at..] {
        out.push(char::from(d));
    }
}

/// Joins the parts; a `Num` is written in decimal.
enum Part<'a> {
    Text(&'a str),
    Num(u64),
}

fn join(parts: &[Part<'_>]) -> String {
    let mut out = String::new();
    for part in parts {
        match part {
            Part::Text(t) => out.push_str(t),
            Part::Num(n) => push_decimal(&mut out, *n),
        }
    }
    out
}

/// `prefix "name": reason`, the shape of most of the core's messages.
pub fn quoted(prefix: &str, name: &str, reason: &str) -> String {
    join(&[
        Part::Text(prefix),
        Part::Text(" \""),
        Part::Text(name),
        Part::Text("\": "),
        Part::Text(reason),
    ])
}

/// The same text as `e.to_string()` (checked against it by tests/wasm.rs).
// Not inlined: a smaller module (as `ops::endpoint`).
#[inline(never)]
fn core_message(e: &Error) -> String {
    use Part::{Num, Text};
    match e {
        Error::InvalidExpiry { seconds, max } => join(&[
            Text("expiry of "),
            Num(*seconds),
            Text(" s is outside 1..="),
            Num(*max),
            Text(" s; choose a value in that range (S3 caps presigned URLs at 604800 s = 7 days)"),
        ]),
        Error::InvalidBucketName { name, reason } => quoted("invalid bucket name", name, reason),
        Error::InvalidKey { len, reason } => join(&[
            Text("invalid object key ("),
            Num(*len as u64),
            Text(" bytes): "),
            Text(reason),
        ]),
        Error::InvalidHeaderName { name, reason } => quoted("invalid header name", name, reason),
        Error::InvalidHeaderValue { name, reason } => {
            quoted("invalid value for header", name, reason)
        }
        Error::InvalidQueryParameter { name, reason } => {
            quoted("invalid query parameter", name, reason)
        }
        Error::InvalidScope {
            what,
            value,
            reason,
        } => join(&[
            Text("invalid "),
            Text(what),
            Text(" \""),
            Text(value),
            Text("\": "),
            Text(reason),
        ]),
        Error::InvalidEndpoint { reason } => join(&[
            Text("invalid endpoint: "),
            Text(reason),
            Text("; expected http(s)://host[:port][/base-path]"),
        ]),
        Error::InvalidDate { reason } => join(&[
            Text("invalid date: "),
            Text(reason),
            Text("; expected 20130524T000000Z or 2013-05-24T00:00:00Z (UTC, years 1970..=9999)"),
        ]),
        Error::Missing { what, hint } => {
            join(&[Text("missing "), Text(what), Text(": "), Text(hint)])
        }
        other => simple(other),
    }
}

/// The messages that are a fixed prefix and a reason.
fn simple(e: &Error) -> String {
    let (prefix, reason) = match e {
        Error::InvalidMethod { reason } => ("invalid HTTP method: ", *reason),
        Error::InvalidPath { reason } => ("invalid request path: ", *reason),
        Error::InvalidAccessKeyId { reason } => ("invalid access key id: ", *reason),
        Error::InvalidSecretKey { reason } => ("invalid secret access key: ", *reason),
        Error::InvalidSessionToken { reason } => ("invalid session token: ", *reason),
        Error::InvalidPayloadHash { reason } => ("invalid payload hash: ", *reason),
        Error::InvalidPostPolicy { reason } => ("invalid POST policy: ", *reason),
        _ => ("invalid options", ""),
    };
    join(&[Part::Text(prefix), Part::Text(reason)])
}
