//! [`AmzDate`]: the instant a request is signed at, in the two forms SigV4 needs.

use core::fmt;

use crate::error::{Error, Result};

/// Seconds from 1970-01-01 to 10000-01-01: AmzDate covers years 1970..=9999.
const MAX_UNIX: i64 = 253_402_300_799;

/// A UTC instant with whole-second precision, pre-formatted as SigV4's `X-Amz-Date`
/// (`20130524T000000Z`) and credential-scope date (`20130524`).
///
/// The core never reads the clock: every signing call takes an `AmzDate`. Build one from a
/// [`time::OffsetDateTime`], a Unix timestamp, or text; under the `std` feature
/// [`AmzDate::now`] reads the system clock.
///
/// ```
/// use s3presign::AmzDate;
/// let d: AmzDate = "2013-05-24T00:00:00Z".parse()?;
/// assert_eq!(d.as_str(), "20130524T000000Z");
/// assert_eq!(d.date_str(), "20130524");
/// assert_eq!(d, AmzDate::parse("20130524T000000Z")?);
/// assert_eq!(d.unix_timestamp(), 1_369_353_600);
/// # Ok::<(), s3presign::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AmzDate {
    unix: i64,
    text: [u8; 16],
}

impl AmzDate {
    /// The instant `secs` seconds after 1970-01-01T00:00:00Z.
    ///
    /// # Errors
    /// [`Error::InvalidDate`] outside years 1970..=9999.
    pub fn from_unix_timestamp(secs: i64) -> Result<Self> {
        if !(0..=MAX_UNIX).contains(&secs) {
            return Err(Error::InvalidDate {
                reason: "timestamp outside years 1970..=9999",
            });
        }
        // In range: not negative, and under 2^32 days.
        let secs_u = secs.unsigned_abs();
        let (y, mo, d) = civil_from_days((secs_u / 86_400) as u32);
        let tod = (secs_u % 86_400) as u32;
        Ok(Self::from_parts(
            secs,
            y,
            mo,
            d,
            tod / 3600,
            tod / 60 % 60,
            tod % 60,
        ))
    }

    /// Parses `20130524T000000Z` (ISO 8601 basic, as in `X-Amz-Date`) or
    /// `2013-05-24T00:00:00Z` (RFC 3339, UTC only, optional fractional seconds are dropped).
    ///
    /// # Errors
    /// [`Error::InvalidDate`] naming what is wrong.
    pub fn parse(s: &str) -> Result<Self> {
        let b = s.as_bytes();
        let bad = |reason| Error::InvalidDate { reason };
        let basic = b.first_chunk::<16>().filter(|_| b.len() == 16);
        let (y, mo, d, h, mi, se) = if let Some(b) = basic
            && b[8] == b'T'
            && b[15] == b'Z'
        {
            basic_numbers(b)?
        } else if b.len() >= 20
            && b[4] == b'-'
            && b[7] == b'-'
            && (b[10] == b'T' || b[10] == b't')
            && b[13] == b':'
            && b[16] == b':'
        {
            let rest = &b[19..];
            let rest = match rest.first() {
                Some(b'.') => {
                    let n = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
                    if n == 0 {
                        return Err(bad("fractional seconds need at least one digit"));
                    }
                    &rest[1 + n..]
                }
                _ => rest,
            };
            if rest != b"Z" && rest != b"z" && rest != b"+00:00" {
                return Err(bad("only UTC times (ending in Z) are accepted"));
            }
            (
                digits(&b[0..4])?,
                digits(&b[5..7])?,
                digits(&b[8..10])?,
                digits(&b[11..13])?,
                digits(&b[14..16])?,
                digits(&b[17..19])?,
            )
        } else {
            return Err(bad("unrecognised format"));
        };
        if !(1..=12).contains(&mo) {
            return Err(bad("month out of range"));
        }
        if d == 0 || d > days_in_month(y, mo) {
            return Err(bad("day out of range for the month"));
        }
        if h > 23 || mi > 59 || se > 59 {
            return Err(bad("time of day out of range"));
        }
        let second_of_day = i64::from(h * 3600 + mi * 60 + se);
        let unix = days_from_civil(y, mo, d) * 86_400 + second_of_day;
        if !(0..=MAX_UNIX).contains(&unix) {
            return Err(bad("timestamp outside years 1970..=9999"));
        }
        // The basic form is already the text (the verifier parses it on every request).
        if let Some(&text) = b.first_chunk::<16>()
            && b.len() == 16
        {
            return Ok(Self { unix, text });
        }
        // The parts are the validated calendar date and time of `unix`.
        Ok(Self::from_parts(unix, y, mo, d, h, mi, se))
    }

    fn from_parts(unix: i64, y: u32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Self {
        let mut text = *b"00000000T000000Z";
        // The date and the time of day each as one decimal number (YYYYMMDD, HHMMSS): two
        // digit loops instead of six.
        put_digits(&mut text[0..8], y * 10_000 + mo * 100 + d);
        put_digits(&mut text[9..15], h * 10_000 + mi * 100 + s);
        Self { unix, text }
    }

    /// The `X-Amz-Date` form, `20130524T000000Z`.
    pub fn as_str(&self) -> &str {
        // The buffer holds ASCII digits, 'T' and 'Z' only.
        core::str::from_utf8(&self.text).unwrap_or("00000000T000000Z")
    }

    /// The credential-scope form, `20130524`.
    pub fn date_str(&self) -> &str {
        &self.as_str()[..8]
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn unix_timestamp(&self) -> i64 {
        self.unix
    }

    /// This instant plus `secs` seconds, or `None` past year 9999.
    pub fn checked_add_secs(&self, secs: u64) -> Option<Self> {
        let secs = i64::try_from(secs).ok()?;
        Self::from_unix_timestamp(self.unix.checked_add(secs)?).ok()
    }

    /// The RFC 3339 form, `2013-05-24T00:00:00Z`.
    ///
    /// ```
    /// let d = s3presign::AmzDate::from_unix_timestamp(1_369_353_600)?;
    /// assert_eq!(d.to_rfc3339(), "2013-05-24T00:00:00Z");
    /// # Ok::<(), s3presign::Error>(())
    /// ```
    pub fn to_rfc3339(&self) -> alloc::string::String {
        let bytes = self.rfc3339_bytes();
        alloc::string::String::from(core::str::from_utf8(&bytes).unwrap_or_default())
    }

    /// The RFC 3339 form as bytes, written without the formatting machinery (which keeps
    /// WebAssembly builds small): `as_str` is `YYYYMMDDTHHMMSSZ`, and the separators go
    /// before its bytes 4, 6, 11 and 13.
    fn rfc3339_bytes(&self) -> [u8; 20] {
        let mut out = [0u8; 20];
        let mut at = 0;
        for (i, &c) in self.as_str().as_bytes().iter().enumerate() {
            let separator = match i {
                4 | 6 => Some(b'-'),
                11 | 13 => Some(b':'),
                _ => None,
            };
            for byte in separator.into_iter().chain([c]) {
                if let Some(slot) = out.get_mut(at) {
                    *slot = byte;
                    at += 1;
                }
            }
        }
        out
    }

    /// The current time from the system clock.
    ///
    /// Only under the `std` feature. Not usable on `wasm32-unknown-unknown`, where the
    /// standard library has no clock and this panics: pass the time in (for example from
    /// JavaScript's `Date.now()`) with [`AmzDate::from_unix_timestamp`].
    ///
    /// # Errors
    /// [`Error::InvalidDate`] if the clock is before 1970 or after 9999.
    #[cfg(feature = "std")]
    #[allow(
        clippy::disallowed_methods,
        reason = "the one place allowed to read the clock"
    )]
    pub fn now() -> Result<Self> {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|_| Error::InvalidDate {
                reason: "system clock is before 1970",
            })?
            .as_secs();
        Self::from_unix_timestamp(i64::try_from(secs).unwrap_or(i64::MAX))
    }
}

// Calendar arithmetic of the proleptic Gregorian calendar, in days since 1970-01-01, by
// eras of 400 years (146,097 days); the method of Howard Hinnant's `days_from_civil` and
// `civil_from_days`. Written here rather than through the `time` crate: a few dozen
// instructions instead of a few hundred on the verifier's path, and less WebAssembly.

/// Whether `y` is a leap year.
const fn is_leap(y: u32) -> bool {
    y.is_multiple_of(4) && (!y.is_multiple_of(100) || y.is_multiple_of(400))
}

/// The number of days of month `m` (1..=12) of year `y`.
const fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to year `y` (0..=9999), month `m` (1..=12), day `d` (1..=31).
const fn days_from_civil(y: u32, m: u32, d: u32) -> i64 {
    // Years start in March, so that February's leap day ends the year.
    let y = if m <= 2 { y as i64 - 1 } else { y as i64 };
    let era = y.div_euclid(400);
    let year_of_era = y.rem_euclid(400);
    let shifted_month = (m as i64 + 9) % 12; // March = 0
    let day_of_year = (153 * shifted_month + 2) / 5 + d as i64 - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The calendar date (year, month, day) `days` days after 1970-01-01, for years up to 9999.
const fn civil_from_days(days: u32) -> (u32, u32, u32) {
    // Days since 0000-03-01: at most 3,652,364 for 9999-12-31, u32 throughout.
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153; // March = 0
    let d = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let m = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    (era * 400 + year_of_era + (m <= 2) as u32, m, d)
}

/// The six numbers of `20130524T000000Z` (the `T` and `Z` checked by the caller): the
/// fourteen digits checked in one step, then read without further checks.
fn basic_numbers(b: &[u8; 16]) -> Result<(u32, u32, u32, u32, u32, u32)> {
    let all_digits = b[..8]
        .iter()
        .chain(&b[9..15])
        .fold(true, |all, c| all & c.is_ascii_digit());
    if !all_digits {
        return Err(Error::InvalidDate {
            reason: "expected a digit",
        });
    }
    let n = |from: usize, to: usize| {
        b[from..to]
            .iter()
            .fold(0, |n, &c| n * 10 + u32::from(c - b'0'))
    };
    Ok((n(0, 4), n(4, 6), n(6, 8), n(9, 11), n(11, 13), n(13, 15)))
}

fn digits(b: &[u8]) -> Result<u32> {
    let mut n = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return Err(Error::InvalidDate {
                reason: "expected a digit",
            });
        }
        n = n * 10 + u32::from(c - b'0');
    }
    Ok(n)
}

fn put_digits(out: &mut [u8], mut n: u32) {
    for slot in out.iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

impl core::str::FromStr for AmzDate {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::parse(s)
    }
}

impl TryFrom<time::OffsetDateTime> for AmzDate {
    type Error = Error;
    /// Converts any offset to UTC and drops sub-second precision.
    fn try_from(t: time::OffsetDateTime) -> Result<Self> {
        Self::from_unix_timestamp(t.unix_timestamp())
    }
}

/// Displays an [`AmzDate`] in RFC 3339 (`2013-05-24T00:00:00Z`) without allocating.
pub(crate) struct Rfc3339(pub(crate) AmzDate);

impl fmt::Display for Rfc3339 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = self.0.rfc3339_bytes();
        f.write_str(core::str::from_utf8(&bytes).unwrap_or_default())
    }
}

impl fmt::Display for AmzDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for AmzDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AmzDate({})", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The calendar arithmetic against the `time` crate, day by day over the whole range,
    /// and every second of a leap day.
    #[test]
    fn calendar_arithmetic_matches_the_time_crate() {
        let mut date = time::Date::from_calendar_date(1970, time::Month::January, 1).unwrap();
        let last = time::Date::from_calendar_date(9999, time::Month::December, 31).unwrap();
        let mut days = 0;
        loop {
            let (y, m, d) = (
                date.year() as u32,
                u8::from(date.month()) as u32,
                date.day(),
            );
            assert_eq!(days_from_civil(y, m, u32::from(d)), days, "{date}");
            assert_eq!(civil_from_days(days as u32), (y, m, u32::from(d)), "{date}");
            assert_eq!(
                days_in_month(y, m),
                u32::from(date.month().length(date.year()))
            );
            // Through the public API every 13th day (covering every day of the month).
            if days % 13 == 0 {
                let unix = days * 86_400 + 45_296;
                let text = alloc::format!("{y:04}{m:02}{d:02}T123456Z");
                let parsed = AmzDate::parse(&text).unwrap();
                assert_eq!(parsed.unix_timestamp(), unix, "{text}");
                assert_eq!(AmzDate::from_unix_timestamp(unix).unwrap().as_str(), text);
            }
            if date == last {
                break;
            }
            date = date.next_day().unwrap();
            days += 1;
        }
        let leap = AmzDate::parse("20240229T000000Z").unwrap().unix_timestamp();
        for s in 0..86_400 {
            let t = time::OffsetDateTime::from_unix_timestamp(leap + s).unwrap();
            let text = alloc::format!(
                "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            );
            assert_eq!(
                AmzDate::from_unix_timestamp(leap + s).unwrap().as_str(),
                text
            );
        }
    }

    #[test]
    fn both_forms_agree() {
        let a = AmzDate::parse("20150830T123600Z").unwrap();
        let b = AmzDate::parse("2015-08-30T12:36:00Z").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.as_str(), "20150830T123600Z");
        assert_eq!(AmzDate::parse("2015-08-30T12:36:00.123Z").unwrap(), a);
    }

    #[test]
    fn rejects_bad_dates() {
        for s in [
            "",
            "20150230T000000Z",
            "20230229T000000Z",
            "21000229T000000Z",
            "20150431T000000Z",
            "20150800T000000Z",
            "20150001T000000Z",
            "20150830T236000Z",
            "20150830T235960Z",
            "20151301T000000Z",
            "20150830T246000Z",
            "2015-08-30T12:36:00+01:00",
            "2015-08-30 12:36:00Z",
            "19691231T235959Z",
            "2015083XT123600Z",
            "2015-08-30T12:36:00.Z",
        ] {
            assert!(AmzDate::parse(s).is_err(), "{s}");
        }
    }

    #[test]
    fn calendar_edges() {
        // (Every day of the range: `calendar_arithmetic_matches_the_time_crate`.)
        let last = AmzDate::from_unix_timestamp(MAX_UNIX).unwrap();
        assert_eq!(last.as_str(), "99991231T235959Z");
        assert_eq!(
            AmzDate::from_unix_timestamp(0).unwrap().as_str(),
            "19700101T000000Z"
        );
        // 2000 (divisible by 400) is a leap year, 2100 is not.
        assert_eq!(
            AmzDate::from_unix_timestamp(951_782_400).unwrap().as_str(),
            "20000229T000000Z"
        );
        assert_eq!(
            AmzDate::from_unix_timestamp(4_107_542_400)
                .unwrap()
                .as_str(),
            "21000301T000000Z"
        );
    }

    #[test]
    fn limits() {
        assert!(AmzDate::from_unix_timestamp(-1).is_err());
        assert!(AmzDate::from_unix_timestamp(MAX_UNIX).is_ok());
        assert!(AmzDate::from_unix_timestamp(MAX_UNIX + 1).is_err());
        let d = AmzDate::from_unix_timestamp(MAX_UNIX).unwrap();
        assert_eq!(d.as_str(), "99991231T235959Z");
        assert!(d.checked_add_secs(1).is_none());
        assert!(d.checked_add_secs(u64::MAX).is_none());
    }
}
