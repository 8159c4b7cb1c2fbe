//! One condition of a POST policy: its JSON form and its evaluation against a submission.

use alloc::string::String;

use super::json::json_string;

/// One condition of a POST policy. Field names are kept as written and compared
/// case-insensitively (as S3 does); they never start with `$` here.
///
/// A field that was not submitted fails every `eq` and `starts-with` condition on it, even
/// `["eq", "$field", ""]` and `["starts-with", "$field", ""]`: S3 answers such a form with
/// "Policy Condition failed", so a condition always requires its field to be present. An
/// empty `starts-with` prefix allows any value, the empty one included.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Condition {
    /// `{"field": "value"}` or `["eq", "$field", "value"]`: the field must equal `value`.
    Eq {
        /// The form field (or `bucket`).
        field: String,
        /// The required value.
        value: String,
    },
    /// `["starts-with", "$field", "prefix"]`: the field must start with `prefix` (an empty
    /// prefix allows any value, but the field must still be present).
    StartsWith {
        /// The form field.
        field: String,
        /// The required prefix.
        prefix: String,
    },
    /// `["content-length-range", min, max]`: the file's size in bytes, inclusive.
    ContentLengthRange {
        /// Smallest accepted size.
        min: u64,
        /// Largest accepted size.
        max: u64,
    },
}

impl Condition {
    /// The form field this condition is about (`None` for a content-length range).
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Eq { field, .. } | Self::StartsWith { field, .. } => Some(field),
            Self::ContentLengthRange { .. } => None,
        }
    }

    /// Checks the condition against a submission: `value` is the submitted value of
    /// [`field`](Self::field) (`None` when it was not sent), `file_size` the file's size.
    pub(crate) fn check(&self, value: Option<&str>, file_size: u64) -> Result<(), Violation<'_>> {
        let failed = |op| Violation::Failed {
            op,
            field: self.field().unwrap_or_default(),
        };
        match self {
            Self::Eq { value: want, .. } => match value {
                Some(v) if v == want => Ok(()),
                _ => Err(failed("eq")),
            },
            Self::StartsWith { prefix, .. } => match value {
                Some(v) if v.starts_with(prefix.as_str()) => Ok(()),
                _ => Err(failed("starts-with")),
            },
            Self::ContentLengthRange { max, .. } if file_size > *max => Err(Violation::TooLarge),
            Self::ContentLengthRange { min, .. } if file_size < *min => Err(Violation::TooSmall),
            Self::ContentLengthRange { .. } => Ok(()),
        }
    }

    /// Writes the condition as botocore does.
    pub(super) fn write_json(&self, out: &mut String) {
        match self {
            Self::Eq { field, value } => {
                out.push('{');
                json_string(out, field);
                out.push_str(": ");
                json_string(out, value);
                out.push('}');
            }
            Self::StartsWith { field, prefix } => {
                out.push_str("[\"starts-with\", ");
                let mut f = String::with_capacity(field.len() + 1);
                f.push('$');
                f.push_str(field);
                json_string(out, &f);
                out.push_str(", ");
                json_string(out, prefix);
                out.push(']');
            }
            Self::ContentLengthRange { min, max } => {
                out.push_str("[\"content-length-range\", ");
                crate::sigv4::text::push_u64(out, *min);
                out.push_str(", ");
                crate::sigv4::text::push_u64(out, *max);
                out.push(']');
            }
        }
    }
}

/// Why a POST submission fails a condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Violation<'c> {
    /// A field is missing, or fails an `eq` (`op`) or `starts-with` condition.
    Failed {
        /// `eq` or `starts-with`.
        op: &'static str,
        /// The field, as the policy writes it.
        field: &'c str,
    },
    /// The file is larger than the content-length-range allows.
    TooLarge,
    /// The file is smaller than the content-length-range allows.
    TooSmall,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_field_fails_even_empty_conditions() {
        let eq = Condition::Eq {
            field: "f".into(),
            value: String::new(),
        };
        let sw = Condition::StartsWith {
            field: "f".into(),
            prefix: String::new(),
        };
        assert_eq!(eq.check(Some(""), 0), Ok(()));
        assert_eq!(sw.check(Some("x"), 0), Ok(()));
        for (c, op) in [(&eq, "eq"), (&sw, "starts-with")] {
            assert_eq!(c.check(None, 0), Err(Violation::Failed { op, field: "f" }));
        }
        let range = Condition::ContentLengthRange { min: 2, max: 3 };
        assert_eq!(range.check(None, 1), Err(Violation::TooSmall));
        assert_eq!(range.check(None, 4), Err(Violation::TooLarge));
        assert_eq!(range.check(None, 3), Ok(()));
    }
}
