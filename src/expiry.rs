//! [`Expiry`]: how long a presigned request stays valid, and [`ExpiryCause`]: why it lives
//! as long as it does (a presigned request never outlives the credentials that signed it).

use crate::credentials::Credentials;
use crate::error::{Error, Result};
use crate::time::AmzDate;

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

    /// This expiry for a request signed at `now` with `credentials`: unchanged for
    /// long-term credentials or temporary ones that outlive it, else cut to the seconds the
    /// credentials have left (a presigned URL stops working when its credentials do,
    /// whatever its `X-Amz-Expires` says). Every presigning path of the crate applies this.
    ///
    /// ```
    /// use s3presign::{AmzDate, Credentials, Expiry, ExpiryCause};
    /// let now = AmzDate::parse("2026-12-01T12:00:00Z")?;
    /// let creds = Credentials::new("ASIAEXAMPLE", "secret")
    ///     .with_session_token("token")
    ///     .with_expiry(AmzDate::parse("2026-12-01T12:15:00Z")?);
    /// let (expiry, cause) = Expiry::from_secs(3600)?.within_credentials(&creds, now)?;
    /// assert_eq!((expiry.as_secs(), cause), (900, ExpiryCause::CredentialsExpire));
    /// let (expiry, cause) = Expiry::from_secs(600)?.within_credentials(&creds, now)?;
    /// assert_eq!((expiry.as_secs(), cause), (600, ExpiryCause::Requested));
    /// # Ok::<(), s3presign::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::CredentialsExpired`] if the credentials have less than a second left at `now`.
    pub fn within_credentials(
        self,
        credentials: &Credentials,
        now: AmzDate,
    ) -> Result<(Self, ExpiryCause)> {
        let secs = cut_to_credentials(self.0, now, credentials)?;
        Ok((Self(secs), ExpiryCause::of(self.0, secs)))
    }
}

/// Why a presigned request expires when it does.
///
/// ```
/// use s3presign::{AmzDate, Credentials, ExpiryCause, Signer, s3::{Bucket, Endpoint}};
/// let now = AmzDate::parse("2026-12-01T12:00:00Z")?;
/// let signer = Signer::new(
///     Credentials::new("ASIAEXAMPLE", "secret")
///         .with_session_token("token")
///         .with_expiry(AmzDate::parse("2026-12-01T12:10:00Z")?),
/// )?;
/// let bucket = Bucket::new(&Endpoint::aws("eu-west-1")?, "examplebucket")?;
/// let get = bucket.get_object("a.txt").expires_in(3600).sign(&signer, now)?;
/// assert_eq!(get.expiry_cause(), ExpiryCause::CredentialsExpire);
/// assert_eq!(get.expires_at(), AmzDate::parse("2026-12-01T12:10:00Z")?);
/// assert!(get.url().contains("X-Amz-Expires=600&"));
/// # Ok::<(), s3presign::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ExpiryCause {
    /// The expiry asked for.
    #[default]
    Requested,
    /// Shorter than asked: the signer's credentials expire first, and the URL could not
    /// work after them. Refresh the credentials (or use longer-lived ones) for a longer URL.
    CredentialsExpire,
}

impl ExpiryCause {
    /// The cause of `given` seconds when `requested` were asked for.
    pub(crate) const fn of(requested: u64, given: u64) -> Self {
        if given < requested {
            Self::CredentialsExpire
        } else {
            Self::Requested
        }
    }

    /// The cause of an expiry at `expires_at` for a request signed at `now` that asked for
    /// `requested` seconds.
    pub(crate) fn of_times(now: AmzDate, requested: u64, expires_at: AmzDate) -> Self {
        let asked_end = now.unix_timestamp().saturating_add_unsigned(requested);
        if expires_at.unix_timestamp() < asked_end {
            Self::CredentialsExpire
        } else {
            Self::Requested
        }
    }
}

/// `secs` (already validated), cut to what `credentials` have left at `now`. One
/// comparison for long-term credentials: this runs on every presign.
#[inline]
pub(crate) fn cut_to_credentials(
    secs: u64,
    now: AmzDate,
    credentials: &Credentials,
) -> Result<u64> {
    match credentials.expires_at() {
        None => Ok(secs),
        Some(at) => cut_to(secs, now, at),
    }
}

fn cut_to(secs: u64, now: AmzDate, expires_at: AmzDate) -> Result<u64> {
    // Both are within years 1970..=9999: the difference cannot overflow.
    let left = expires_at.unix_timestamp() - now.unix_timestamp();
    match u64::try_from(left) {
        Ok(left) if left >= 1 => Ok(secs.min(left)),
        _ => Err(Error::CredentialsExpired {
            expired_at: expires_at,
            now,
        }),
    }
}

impl TryFrom<core::time::Duration> for Expiry {
    type Error = Error;
    /// Whole seconds of the duration (sub-second parts are dropped).
    fn try_from(d: core::time::Duration) -> Result<Self> {
        Self::from_secs(d.as_secs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> AmzDate {
        AmzDate::parse(s).unwrap()
    }

    #[test]
    fn cut_only_when_the_credentials_expire_first() {
        let now = at("2026-12-01T12:00:00Z");
        let long_term = Credentials::new("AKID", "s");
        assert_eq!(cut_to_credentials(3600, now, &long_term), Ok(3600));
        let temp = |end| Credentials::new("AKID", "s").with_expiry(at(end));
        assert_eq!(
            cut_to_credentials(3600, now, &temp("2026-12-01T12:30:00Z")),
            Ok(1800)
        );
        assert_eq!(
            cut_to_credentials(1800, now, &temp("2026-12-01T12:30:00Z")),
            Ok(1800)
        );
        assert_eq!(
            cut_to_credentials(60, now, &temp("2026-12-01T12:30:00Z")),
            Ok(60)
        );
        assert_eq!(
            cut_to_credentials(3600, now, &temp("2026-12-01T12:00:01Z")),
            Ok(1)
        );
        for gone in [
            "2026-12-01T12:00:00Z",
            "2026-12-01T11:59:59Z",
            "1970-01-01T00:00:00Z",
        ] {
            let err = cut_to_credentials(3600, now, &temp(gone)).unwrap_err();
            assert!(matches!(err, Error::CredentialsExpired { .. }), "{gone}");
            let text = alloc::format!("{err}");
            assert!(text.contains("refresh"), "{text}");
            assert!(text.contains(&at(gone).to_rfc3339()), "{text}");
        }
    }

    #[test]
    fn causes() {
        assert_eq!(ExpiryCause::of(3600, 3600), ExpiryCause::Requested);
        assert_eq!(ExpiryCause::of(3600, 3599), ExpiryCause::CredentialsExpire);
        assert_eq!(ExpiryCause::default(), ExpiryCause::Requested);
    }
}
