//! Error messages without `core::fmt` (which would double the module's size): the core's
//! [`Error`] rendered as its `Display` does, from a template per message.

use alloc::string::String;

use s3presign::Error;

/// A call failed: its one-line message is already stored (see [`stop`]). Zero-sized, so
/// `?` only branches: the core's errors are rendered once, where they are converted.
pub struct Stop;

impl From<Error> for Stop {
    // One copy of the conversion for every `?` on a core result.
    #[inline(never)]
    fn from(e: Error) -> Self {
        stop(core_message(&e))
    }
}

/// Stores `message` as the call's result and returns the failure.
pub fn stop(message: String) -> Stop {
    crate::store(message);
    Stop
}

/// A failure of the glue's own (a missing or malformed option).
pub fn glue(text: &'static str) -> Stop {
    stop(String::from(text))
}

/// Appends the decimal digits of `n` (recursive: the least code; at most 20 deep).
pub fn push_decimal(out: &mut String, n: u64) {
    if n >= 10 {
        push_decimal(out, n / 10);
    }
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// `template` with each byte 1, 2 or 3 replaced by `args[0]`, `args[1]` or `args[2]`.
// One template and its arguments per message: less code than a list of parts per message.
fn fill(template: &str, args: [&str; 3]) -> String {
    let mut out = String::new();
    let mut start = 0;
    for (i, b) in template.bytes().enumerate() {
        if let Some(arg) = args.get(usize::from(b).wrapping_sub(1)) {
            out.push_str(template.get(start..i).unwrap_or_default());
            out.push_str(arg);
            start = i + 1;
        }
    }
    out.push_str(template.get(start..).unwrap_or_default());
    out
}

/// The same text as `e.to_string()` (checked against it by tests/wasm.rs).
fn core_message(e: &Error) -> String {
    let (mut a, mut b) = (String::new(), String::new());
    let (template, args): (&str, [&str; 3]) = match e {
        Error::InvalidExpiry { seconds, max } => {
            push_decimal(&mut a, *seconds);
            push_decimal(&mut b, *max);
            (
                "expiry of \u{1} s is outside 1..=\u{2} s; choose a value in that range (S3 caps presigned URLs at 604800 s = 7 days)",
                [&a, &b, ""],
            )
        }
        Error::InvalidBucketName { name, reason } => {
            ("invalid bucket name \"\u{1}\": \u{2}", [name, reason, ""])
        }
        Error::InvalidKey { len, reason } => {
            push_decimal(&mut a, *len as u64);
            ("invalid object key (\u{1} bytes): \u{2}", [&a, reason, ""])
        }
        Error::InvalidHeaderName { name, reason } => {
            ("invalid header name \"\u{1}\": \u{2}", [name, reason, ""])
        }
        Error::InvalidHeaderValue { name, reason } => (
            "invalid value for header \"\u{1}\": \u{2}",
            [name, reason, ""],
        ),
        Error::InvalidQueryParameter { name, reason } => (
            "invalid query parameter \"\u{1}\": \u{2}",
            [name, reason, ""],
        ),
        Error::InvalidScope {
            what,
            value,
            reason,
        } => ("invalid \u{1} \"\u{2}\": \u{3}", [what, value, reason]),
        Error::InvalidEndpoint { reason } => (
            "invalid endpoint: \u{1}; expected http(s)://host[:port][/base-path]",
            [reason, "", ""],
        ),
        Error::InvalidDate { reason } => (
            "invalid date: \u{1}; expected 20130524T000000Z or 2013-05-24T00:00:00Z (UTC, years 1970..=9999)",
            [reason, "", ""],
        ),
        Error::Missing { what, hint } => ("missing \u{1}: \u{2}", [what, hint, ""]),
        Error::InvalidMethod { reason } => ("invalid HTTP method: \u{1}", [reason, "", ""]),
        Error::InvalidPath { reason } => ("invalid request path: \u{1}", [reason, "", ""]),
        Error::InvalidAccessKeyId { reason } => ("invalid access key id: \u{1}", [reason, "", ""]),
        Error::InvalidSecretKey { reason } => {
            ("invalid secret access key: \u{1}", [reason, "", ""])
        }
        Error::InvalidSessionToken { reason } => ("invalid session token: \u{1}", [reason, "", ""]),
        Error::InvalidPayloadHash { reason } => ("invalid payload hash: \u{1}", [reason, "", ""]),
        Error::InvalidPostPolicy { reason } => ("invalid POST policy: \u{1}", [reason, "", ""]),
        _ => ("invalid options", ["", "", ""]),
    };
    fill(template, args)
}
