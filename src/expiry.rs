//! [`Expiry`]: how long a presigned request stays valid.

use crate::error::{Error, Result};

/// How long a presigned request stays valid: 1 to 604800 seconds (7 days, S3's limit) unless
/// a larger maximum is chosen for a store that allows it.
///
/// ```
/// use s3presign::Expiry;
/// assert_eq!(Expiry::from_secs(20)?.as_secs(), 20);
/// assert!(Expiry::from_secs(604_801).is_err());
/// assert!(Expiry::from_secs_with_max(1_000_000, 2_000_000).is_ok());
/// # Ok::<(), s3presign::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Expiry(u64);

impl Expiry {
    /// S3's maximum, 7 days.
    pub const MAX_SECS: u64 = 604_800;

    /// An expiry of `secs` seconds, 1..=604800.
    ///
    /// # Errors
    /// [`Error::InvalidExpiry`] outside that range.
    pub const fn from_secs(secs: u64) -> Result<Self> {
        Self::from_secs_with_max(secs, Self::MAX_SECS)
    }

    /// An expiry of `secs` seconds, 1..=`max` (for S3-compatible stores with another limit).
    ///
    /// # Errors
    /// [`Error::InvalidExpiry`] outside that range.
    pub const fn from_secs_with_max(secs: u64, max: u64) -> Result<Self> {
        if secs == 0 || secs > max {
            return Err(Error::InvalidExpiry { seconds: secs, max });
        }
        Ok(Self(secs))
    }

    /// The number of seconds.
    pub const fn as_secs(&self) -> u64 {
        self.0
    }
}

impl TryFrom<core::time::Duration> for Expiry {
    type Error = Error;
    /// Whole seconds of the duration (sub-second parts are dropped).
    fn try_from(d: core::time::Duration) -> Result<Self> {
        Self::from_secs(d.as_secs())
    }
}
