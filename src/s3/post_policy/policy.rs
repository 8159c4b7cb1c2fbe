//! [`PolicyDocument`]: a policy parsed back from its JSON (for verifiers).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::condition::Condition;
use super::json;
use crate::time::AmzDate;

/// A parsed POST policy: its expiration and conditions.
///
/// ```
/// use s3presign::s3::{Condition, PolicyDocument};
/// let p = PolicyDocument::parse(br#"{"expiration": "2026-01-01T00:00:00.000Z",
///   "conditions": [{"bucket": "b"}, ["starts-with", "$key", "u/"], ["content-length-range", 0, 10]]}"#)?;
/// assert_eq!(p.expiration().as_str(), "20260101T000000Z");
/// assert_eq!(p.conditions()[2], Condition::ContentLengthRange { min: 0, max: 10 });
/// # Ok::<(), s3presign::s3::PolicyError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyDocument {
    expiration: AmzDate,
    conditions: Vec<Condition>,
}

/// Why a policy document was rejected (S3's `InvalidPolicyDocument`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyError {
    reason: &'static str,
}

impl PolicyError {
    /// What was wrong.
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid policy document: {}", self.reason)
    }
}

impl core::error::Error for PolicyError {}

impl PolicyDocument {
    /// Parses policy JSON (the decoded `policy` field): an object with an `expiration`
    /// (RFC 3339, UTC) and a `conditions` array of `{"field": "value"}` objects and
    /// `["eq" | "starts-with", "$field", "value"]` / `["content-length-range", min, max]`
    /// arrays. Unknown top-level members are rejected, as S3 does.
    ///
    /// # Errors
    /// [`PolicyError`] naming the first problem.
    pub fn parse(json: &[u8]) -> core::result::Result<Self, PolicyError> {
        let err = |reason| PolicyError { reason };
        let mut p = json::Parser::new(json);
        let v = p.parse_document().map_err(err)?;
        let json::Value::Object(members) = v else {
            return Err(err("the policy is not a JSON object"));
        };
        let mut expiration = None;
        let mut conditions = None;
        for (k, v) in members {
            match (k.as_str(), v) {
                ("expiration", json::Value::String(s)) if expiration.is_none() => {
                    expiration = Some(
                        AmzDate::parse(&s)
                            .map_err(|_| err("expiration is not an RFC 3339 UTC time"))?,
                    );
                }
                ("conditions", json::Value::Array(items)) if conditions.is_none() => {
                    let mut out = Vec::with_capacity(items.len());
                    for item in items {
                        parse_condition(item, &mut out).map_err(err)?;
                    }
                    conditions = Some(out);
                }
                _ => {
                    return Err(err(
                        "unexpected or repeated member (only expiration and conditions)",
                    ));
                }
            }
        }
        Ok(Self {
            expiration: expiration.ok_or(err("no expiration"))?,
            conditions: conditions.ok_or(err("no conditions"))?,
        })
    }

    /// When the policy expires.
    pub fn expiration(&self) -> AmzDate {
        self.expiration
    }

    /// The conditions, in document order.
    pub fn conditions(&self) -> &[Condition] {
        &self.conditions
    }
}

fn parse_condition(
    v: json::Value,
    out: &mut Vec<Condition>,
) -> core::result::Result<(), &'static str> {
    match v {
        json::Value::Object(members) => {
            if members.is_empty() {
                return Err("empty condition object");
            }
            for (field, value) in members {
                let json::Value::String(value) = value else {
                    return Err("a condition value must be a string");
                };
                out.push(Condition::Eq { field, value });
            }
            Ok(())
        }
        json::Value::Array(items) => {
            let mut it = items.into_iter();
            let (Some(json::Value::String(op)), Some(a), Some(b), None) =
                (it.next(), it.next(), it.next(), it.next())
            else {
                return Err("a condition array has an operator and two operands");
            };
            if op.eq_ignore_ascii_case("content-length-range") {
                let (Some(min), Some(max)) = (a.as_u64(), b.as_u64()) else {
                    return Err("content-length-range bounds must be non-negative integers");
                };
                if min > max {
                    return Err("content-length-range minimum exceeds its maximum");
                }
                out.push(Condition::ContentLengthRange { min, max });
                return Ok(());
            }
            let (json::Value::String(f), json::Value::String(value)) = (a, b) else {
                return Err("eq and starts-with take a \"$field\" and a string");
            };
            let Some(field) = f.strip_prefix('$') else {
                return Err("the field of an eq or starts-with condition starts with '$'");
            };
            let field = String::from(field);
            if op.eq_ignore_ascii_case("eq") {
                out.push(Condition::Eq { field, value });
            } else if op.eq_ignore_ascii_case("starts-with") {
                out.push(Condition::StartsWith {
                    field,
                    prefix: value,
                });
            } else {
                return Err("unknown condition operator");
            }
            Ok(())
        }
        _ => Err("a condition is an object or an array"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parser_round_trips_our_output() {
        let c = [
            Condition::Eq {
                field: "k\"ey".into(),
                value: "v\u{0}é😀".into(),
            },
            Condition::StartsWith {
                field: "key".into(),
                prefix: "".into(),
            },
            Condition::ContentLengthRange {
                min: 0,
                max: u64::MAX,
            },
        ];
        let mut j = String::from("{\"expiration\": \"2026-01-01T00:00:00Z\", \"conditions\": [");
        for (i, x) in c.iter().enumerate() {
            if i > 0 {
                j.push_str(", ");
            }
            x.write_json(&mut j);
        }
        j.push_str("]}");
        let p = PolicyDocument::parse(j.as_bytes()).unwrap();
        assert_eq!(p.conditions(), &c);
    }

    #[test]
    fn parser_rejects() {
        for bad in [
            &b"{"[..],
            b"[]",
            b"{\"expiration\": \"2026-01-01T00:00:00Z\"}",
            b"{\"expiration\": \"2026-01-01T00:00:00Z\", \"conditions\": [], \"x\": 1}",
            b"{\"expiration\": \"2026-01-01T00:00:00Z\", \"conditions\": [[\"starts-with\", \"key\", \"a\"]]}",
            b"{\"expiration\": \"2026-01-01T00:00:00Z\", \"conditions\": [[\"content-length-range\", 5, 1]]}",
            b"{\"expiration\": \"2026-01-01T00:00:00Z\", \"conditions\": [[\"content-length-range\", -1, 1]]}",
            b"{\"expiration\": \"2026-01-01T00:00:00Z\", \"conditions\": [{\"a\": 1}]}",
            b"{\"expiration\": \"2026-01-01T00:00:00Z\", \"conditions\": [\"\\ud800\"]}",
            b"{\"expiration\": \"2026-01-01T00:00:00Z\", \"conditions\": []} x",
            b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
        ] {
            assert!(PolicyDocument::parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }
}
