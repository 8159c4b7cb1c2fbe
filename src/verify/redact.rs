//! `Debug` helpers that never print a signature or a session token.

use core::fmt;

use crate::sigv4::param;

const HIDDEN: &str = "[redacted]";

/// Query parameters and form fields whose values are secret or a full signature.
fn is_secret_name(name: &str) -> bool {
    [param::SIGNATURE, param::SECURITY_TOKEN, "Signature"]
        .iter()
        .any(|s| s.eq_ignore_ascii_case(name))
}

/// A raw query string with the values of `X-Amz-Signature` and `X-Amz-Security-Token`
/// replaced.
pub(super) struct Query<'a>(pub(super) &'a str);

impl fmt::Debug for Query<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        for (i, pair) in self.0.split('&').enumerate() {
            if i > 0 {
                f.write_str("&")?;
            }
            match pair.split_once('=') {
                Some((name, _)) if is_secret_name(name) => write!(f, "{name}={HIDDEN}")?,
                _ => write!(f, "{}", pair.escape_debug())?,
            }
        }
        f.write_str("\"")
    }
}

/// Header pairs with the `Authorization` signature and any session token hidden.
pub(super) struct Headers<'a>(pub(super) &'a [(&'a str, &'a str)]);

impl fmt::Debug for Headers<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(n, v)| (*n, header_value(n, v))))
            .finish()
    }
}

/// A header value fit for `Debug`: `Authorization` up to its signature, no token.
fn header_value<'v>(name: &str, value: &'v str) -> &'v str {
    if name.eq_ignore_ascii_case("x-amz-security-token") {
        return HIDDEN;
    }
    if name.eq_ignore_ascii_case("authorization") {
        return match value.find("Signature=") {
            Some(i) => value.get(..i + 10).unwrap_or(HIDDEN),
            None => HIDDEN,
        };
    }
    value
}

/// Form fields with `x-amz-signature` and `x-amz-security-token` hidden.
pub(super) struct Fields<'a>(pub(super) &'a [(&'a str, &'a str)]);

impl fmt::Debug for Fields<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(
                self.0
                    .iter()
                    .map(|(n, v)| (*n, if is_secret_name(n) { HIDDEN } else { v })),
            )
            .finish()
    }
}
