//! When a source's credentials expire: the `Expiration` (or `expiresAt`) time every
//! temporary source reports, read one way for all of them.

use alloc::format;
use alloc::string::String;

use super::error::{ProviderError, clip_remote};
use crate::time::AmzDate;

/// Reads an RFC 3339 time as the sources write it (`2026-12-01T13:00:00Z`, or with an
/// offset such as `+01:00`, as some `credential_process` programs print), naming `source`
/// and the `field` (e.g. `Expiration`) in the error.
pub(crate) fn parse_expiration(
    source: impl Into<String>,
    field: &str,
    text: &str,
) -> Result<AmzDate, ProviderError> {
    crate::profile::parse_rfc3339(text.trim()).ok_or_else(|| {
        ProviderError::failed(
            source,
            format!(
                "unreadable {field} {:?}: expected an RFC 3339 time such as 2026-12-01T13:00:00Z",
                clip_remote(text)
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn utc_and_offsets_are_read_and_anything_else_is_an_error() {
        let at = |t: &str| parse_expiration("IMDS", "Expiration", t).map(|d| d.unix_timestamp());
        // 2026-12-01T13:00:00Z, from Python: calendar.timegm((2026,12,1,13,0,0)).
        let utc = 1_796_130_000;
        assert_eq!(at("2026-12-01T13:00:00Z").ok(), Some(utc));
        assert_eq!(at(" 2026-12-01T13:00:00Z\n").ok(), Some(utc));
        assert_eq!(at("2026-12-01T14:00:00+01:00").ok(), Some(utc));
        assert_eq!(at("2026-12-01T08:30:00-04:30").ok(), Some(utc));
        for bad in [
            "",
            "tomorrow",
            "2026-12-01 13:00:00",
            "2026-12-01T13:00:00+25:00",
        ] {
            let e = at(bad).unwrap_err().to_string();
            assert!(e.starts_with("IMDS: unreadable Expiration"), "{e}");
            assert!(e.contains("RFC 3339"), "{e}");
        }
    }
}
