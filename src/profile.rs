//! Credentials and region from the environment and the shared AWS files (feature `std`).
//!
//! Two layers, as everywhere in this crate:
//! - a pure parser, [`parse_ini`], for the `~/.aws/config` / `~/.aws/credentials` format
//!   (it never reads a file and never panics);
//! - thin `std` functions that read environment variables and files through an
//!   [`Environment`], which tests can build from a map instead of the process environment.
//!
//! The lookup follows the AWS CLI and SDKs:
//! - **credentials**: an explicitly chosen profile wins; otherwise `AWS_ACCESS_KEY_ID`,
//!   `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`; otherwise the profile named by
//!   `AWS_PROFILE` (or `default`) in the shared files;
//! - **region**: `AWS_REGION`, then `AWS_DEFAULT_REGION`, then `region` in the profile;
//! - **files**: `AWS_SHARED_CREDENTIALS_FILE` (default `~/.aws/credentials`) and
//!   `AWS_CONFIG_FILE` (default `~/.aws/config`), `~` being `HOME` (or `USERPROFILE`).
//!   A profile is `[NAME]` in the credentials file and `[profile NAME]` (or `[default]`) in
//!   the config file; where both files set a property the credentials file wins.
//!   A missing file counts as empty.
//!
//! Only static keys are supported (`aws_access_key_id`, `aws_secret_access_key`,
//! `aws_session_token`): a profile that needs assume-role, SSO or `credential_process` is
//! reported as such. Errors name the variable, file, line or profile, never a secret.
//!
//! ```
//! use s3presign::profile::Environment;
//! let env = Environment::from_pairs([
//!     ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
//!     ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
//!     ("AWS_DEFAULT_REGION", "eu-west-1"),
//! ]);
//! let creds = env.credentials(None)?;
//! assert_eq!(creds.access_key_id(), "AKIAIOSFODNN7EXAMPLE");
//! assert_eq!(env.region(None)?, "eu-west-1");
//! # Ok::<(), s3presign::Error>(())
//! ```

use alloc::boxed::Box;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use std::collections::HashMap;
use std::path::PathBuf;

use crate::credentials::Credentials;
use crate::error::{Error, Result, clip};
use crate::time::AmzDate;

// ---------------------------------------------------------------------------------------
// The pure parser
// ---------------------------------------------------------------------------------------

/// A parsed shared config or credentials file: sections in file order, each with its
/// properties in file order. Nothing is merged or dropped, so [`Ini`]'s `Display` writes
/// back a file that parses to the same value; lookups ([`Ini::get`]) apply the rules (the
/// last definition wins, names of properties are case-insensitive).
///
/// `Debug` hides the values of properties whose name contains `secret` or `token`.
///
/// ```
/// use s3presign::profile::parse_ini;
/// let ini = parse_ini("[default]\nregion = eu-west-1 # Ireland\n\n[profile dev]\nregion=us-east-2\n")?;
/// assert_eq!(ini.get("default", "region"), Some("eu-west-1"));
/// assert_eq!(ini.get("profile dev", "REGION"), Some("us-east-2"));
/// assert_eq!(parse_ini(&ini.to_string())?, ini);
/// # Ok::<(), s3presign::profile::IniError>(())
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Ini {
    /// The sections, in file order (a name may appear more than once).
    pub sections: Vec<IniSection>,
}

/// One `[name]` section of an [`Ini`].
#[derive(Clone, Default, PartialEq, Eq)]
pub struct IniSection {
    /// The text between the brackets, trimmed (for example `profile dev`).
    pub name: String,
    /// `(name, value)` pairs in file order; names and values trimmed, continuation lines
    /// joined to the value with `\n`.
    pub properties: Vec<(String, String)>,
}

/// Why a shared file could not be parsed: the 1-based line number and what was wrong. The
/// line's text is never included (it might hold a secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IniError {
    /// 1-based line number.
    pub line: usize,
    /// What was wrong.
    pub reason: &'static str,
}

impl fmt::Display for IniError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

impl std::error::Error for IniError {}

/// Blanks around names, values and lines (`\r` too, so `\r\n` files parse).
const WS: &[char] = &[' ', '\t', '\r'];

/// Cuts a comment (`#` or `;`) off a line. In property lines a comment must follow
/// whitespace, so `secret=abc#def` keeps its `#`; in section headers it need not.
fn strip_comment(line: &str, needs_whitespace: bool) -> &str {
    let mut prev_ws = !needs_whitespace;
    for (i, c) in line.char_indices() {
        if (c == '#' || c == ';') && (prev_ws || !needs_whitespace) {
            return &line[..i];
        }
        prev_ws = WS.contains(&c);
    }
    line
}

/// Parses the shared config/credentials file format:
/// - `[section name]` headers (text after the `]` may only be a comment);
/// - `name = value` properties, the value running to the end of the line, or to a `#`/`;`
///   that follows whitespace;
/// - lines starting with whitespace continue the previous property's value;
/// - blank lines and lines starting with `#` or `;` are ignored;
/// - `\r\n` line ends and a UTF-8 byte-order mark are accepted.
///
/// Never panics.
///
/// # Errors
/// [`IniError`] with the line number for a property outside any section, a header without
/// `]`, an empty section name, a line that is neither, or a property without a name.
pub fn parse_ini(text: &str) -> core::result::Result<Ini, IniError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut ini = Ini::default();
    // Whether the last non-blank line was a property (so an indented line continues it).
    let mut in_property = false;
    for (idx, line) in text.split('\n').enumerate() {
        let line_no = idx + 1;
        let err = |reason| IniError {
            line: line_no,
            reason,
        };
        let trimmed = line.trim_matches(WS);
        if trimmed.is_empty() || trimmed.starts_with(['#', ';']) {
            continue;
        }
        if line.starts_with(WS) && in_property {
            let cont = strip_comment(trimmed, true).trim_matches(WS);
            if cont.is_empty() {
                continue;
            }
            if let Some(value) = ini
                .sections
                .last_mut()
                .and_then(|s| s.properties.last_mut())
                .map(|p| &mut p.1)
            {
                value.push('\n');
                value.push_str(cont);
            }
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix('[') {
            let rest = strip_comment(rest, false);
            let Some(end) = rest.rfind(']') else {
                return Err(err("a section header needs a closing ']'"));
            };
            if !rest[end + 1..].trim_matches(WS).is_empty() {
                return Err(err("unexpected text after the section header"));
            }
            let name = rest[..end].trim_matches(WS);
            if name.is_empty() {
                return Err(err("the section name is empty"));
            }
            ini.sections.push(IniSection {
                name: String::from(name),
                properties: Vec::new(),
            });
            in_property = false;
            continue;
        }
        let Some((name, value)) = trimmed.split_once('=') else {
            return Err(err(
                "expected `[section]`, `name = value`, a comment or an indented continuation",
            ));
        };
        let name = name.trim_matches(WS);
        if name.is_empty() {
            return Err(err("a property needs a name before '='"));
        }
        let value = strip_comment(value, true).trim_matches(WS);
        let Some(section) = ini.sections.last_mut() else {
            return Err(err("a property must follow a [section] header"));
        };
        section
            .properties
            .push((String::from(name), String::from(value)));
        in_property = true;
    }
    Ok(ini)
}

impl Ini {
    /// The value of property `key` (case-insensitive) in section `section` (exact), the
    /// last definition winning, or `None`.
    pub fn get(&self, section: &str, key: &str) -> Option<&str> {
        self.sections
            .iter()
            .rev()
            .filter(|s| s.name == section)
            .find_map(|s| {
                s.properties
                    .iter()
                    .rev()
                    .find(|(n, _)| n.eq_ignore_ascii_case(key))
                    .map(|(_, v)| v.as_str())
            })
    }

    /// Whether a section with this exact name exists.
    pub fn has_section(&self, section: &str) -> bool {
        self.sections.iter().any(|s| s.name == section)
    }
}

/// Writes the file back: `[name]` headers and `name = value` lines, multi-line values as
/// indented continuation lines.
impl fmt::Display for Ini {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.sections.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            writeln!(f, "[{}]", s.name)?;
            for (name, value) in &s.properties {
                let mut lines = value.split('\n');
                let first = lines.next().unwrap_or("");
                // `k = #x` would make `#x` a comment; `k=#x` keeps it.
                if first.starts_with(['#', ';']) {
                    writeln!(f, "{name}={first}")?;
                } else {
                    writeln!(f, "{name} = {first}")?;
                }
                for cont in lines {
                    writeln!(f, "  {cont}")?;
                }
            }
        }
        Ok(())
    }
}

fn is_sensitive(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("secret") || lower.contains("token")
}

impl fmt::Debug for IniSection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Props<'a>(&'a [(String, String)]);
        impl fmt::Debug for Props<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list()
                    .entries(self.0.iter().map(|(n, v)| {
                        (
                            n,
                            if is_sensitive(n) {
                                "[redacted]"
                            } else {
                                v.as_str()
                            },
                        )
                    }))
                    .finish()
            }
        }
        f.debug_struct("IniSection")
            .field("name", &self.name)
            .field("properties", &Props(&self.properties))
            .finish()
    }
}

impl fmt::Debug for Ini {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ini")
            .field("sections", &self.sections)
            .finish()
    }
}

/// Looks a property up in a profile of the two shared files, the credentials file (where
/// the profile is `[NAME]`) winning over the config file (where it is `[profile NAME]`, or
/// `[default]` / `[profile default]` for the default profile, the latter preferred).
pub fn profile_property<'a>(
    config: &'a Ini,
    credentials: &'a Ini,
    profile: &str,
    key: &str,
) -> Option<&'a str> {
    credentials
        .get(profile, key)
        .or_else(|| config_section(config, profile).and_then(|s| config.get(&s, key)))
}

/// Whether the profile appears in either file.
pub fn profile_exists(config: &Ini, credentials: &Ini, profile: &str) -> bool {
    credentials.has_section(profile) || config_section(config, profile).is_some()
}

/// The name of the config-file section for `profile`, if present.
fn config_section(config: &Ini, profile: &str) -> Option<String> {
    let prefixed = config.sections.iter().find_map(|s| {
        let rest = s.name.strip_prefix("profile")?;
        (rest.starts_with(WS) && rest.trim_matches(WS) == profile).then(|| s.name.clone())
    });
    if prefixed.is_some() {
        return prefixed;
    }
    (profile == "default" && config.has_section("default")).then(|| String::from("default"))
}

// ---------------------------------------------------------------------------------------
// The std layer
// ---------------------------------------------------------------------------------------

type VarFn<'a> = dyn Fn(&str) -> Option<String> + Send + Sync + 'a;

/// Where environment variables come from: the process ([`Environment::process`]) or
/// anything else ([`Environment::from_fn`], [`Environment::from_pairs`]), so tests never
/// touch the process environment. Empty variables count as unset. Files named by the
/// variables are read from disk.
pub struct Environment<'a> {
    var: Box<VarFn<'a>>,
}

impl fmt::Debug for Environment<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Environment { .. }")
    }
}

impl Environment<'static> {
    /// The process environment (variables that are not valid UTF-8 count as unset).
    pub fn process() -> Self {
        Self::from_fn(|name| std::env::var(name).ok())
    }

    /// A fixed set of variables.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        let map: HashMap<String, String> = pairs
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        Self::from_fn(move |name| map.get(name).cloned())
    }
}

impl<'a> Environment<'a> {
    /// Variables from a function (`None` = unset).
    pub fn from_fn(var: impl Fn(&str) -> Option<String> + Send + Sync + 'a) -> Self {
        Self { var: Box::new(var) }
    }

    /// A variable, `None` if unset or empty.
    pub fn var(&self, name: &str) -> Option<String> {
        (self.var)(name).filter(|v| !v.is_empty())
    }

    /// The profile to use: `explicit` if given, else `AWS_PROFILE`, else `default`.
    pub fn profile_name(&self, explicit: Option<&str>) -> String {
        explicit
            .map(String::from)
            .or_else(|| self.var("AWS_PROFILE"))
            .unwrap_or_else(|| String::from("default"))
    }

    /// Credentials the way the AWS CLI finds them: from the profile if one is given
    /// explicitly (a `--profile` option), else from the environment variables if
    /// `AWS_ACCESS_KEY_ID` is set, else from the profile named by `AWS_PROFILE` or
    /// `default`.
    ///
    /// # Errors
    /// As [`Self::credentials_from_env`] and [`Self::credentials_from_profile`];
    /// [`Error::Missing`] if nothing provides credentials.
    pub fn credentials(&self, explicit_profile: Option<&str>) -> Result<Credentials> {
        if explicit_profile.is_some() || self.var("AWS_ACCESS_KEY_ID").is_some() {
            return match explicit_profile {
                Some(p) => self.credentials_from_profile(Some(p)),
                None => self.credentials_from_env(),
            };
        }
        let files = self.load_files()?;
        let name = self.profile_name(None);
        if name == "default" && !profile_exists(&files.config, &files.credentials, &name) {
            return Err(Error::Missing {
                what: "credentials",
                hint: "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add a [default] profile to ~/.aws/credentials, or choose a profile with AWS_PROFILE",
            });
        }
        files.credentials_for(&name)
    }

    /// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and (optional)
    /// `AWS_SESSION_TOKEN` (or the legacy `AWS_SECURITY_TOKEN`), expiring at
    /// `AWS_CREDENTIAL_EXPIRATION` (RFC 3339, such as `2026-12-01T13:00:00Z`) if set.
    ///
    /// ```
    /// use s3presign::profile::Environment;
    /// let env = Environment::from_pairs([
    ///     ("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE"),
    ///     ("AWS_SECRET_ACCESS_KEY", "secret"),
    ///     ("AWS_SESSION_TOKEN", "token"),
    ///     ("AWS_CREDENTIAL_EXPIRATION", "2026-12-01T14:00:00+01:00"),
    /// ]);
    /// let creds = env.credentials_from_env()?;
    /// assert_eq!(creds.expires_at().map(|t| t.to_rfc3339()).as_deref(), Some("2026-12-01T13:00:00Z"));
    /// # Ok::<(), s3presign::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Missing`] naming the variable that is unset; [`Error::InvalidSetting`] if
    /// `AWS_CREDENTIAL_EXPIRATION` is not an RFC 3339 time.
    pub fn credentials_from_env(&self) -> Result<Credentials> {
        let id = self.var("AWS_ACCESS_KEY_ID").ok_or(Error::Missing {
            what: "AWS_ACCESS_KEY_ID",
            hint: "set it (and AWS_SECRET_ACCESS_KEY) in the environment, or use a profile",
        })?;
        let secret = self.var("AWS_SECRET_ACCESS_KEY").ok_or(Error::Missing {
            what: "AWS_SECRET_ACCESS_KEY",
            hint: "AWS_ACCESS_KEY_ID is set but its secret is not; set AWS_SECRET_ACCESS_KEY",
        })?;
        let mut creds = Credentials::new(id, secret);
        if let Some(token) = self
            .var("AWS_SESSION_TOKEN")
            .or_else(|| self.var("AWS_SECURITY_TOKEN"))
        {
            creds = creds.with_session_token(token);
        }
        if let Some(at) = self.var("AWS_CREDENTIAL_EXPIRATION") {
            creds = creds.with_expiry(parse_rfc3339(&at).ok_or_else(|| Error::InvalidSetting {
                name: String::from("AWS_CREDENTIAL_EXPIRATION"),
                reason: format!(
                    "{:?} is not an RFC 3339 time; expected for example 2026-12-01T13:00:00Z, or unset it for credentials that do not expire",
                    clip(&at)
                ),
            })?);
        }
        Ok(creds)
    }

    /// Static credentials from a profile of the shared files (`explicit`, else
    /// `AWS_PROFILE`, else `default`).
    ///
    /// # Errors
    /// [`Error::Profile`] if a file cannot be read or parsed, the profile does not exist,
    /// lacks a key, or needs a credential source this crate does not support.
    pub fn credentials_from_profile(&self, explicit: Option<&str>) -> Result<Credentials> {
        let name = self.profile_name(explicit);
        self.load_files()?.credentials_for(&name)
    }

    /// The region: `AWS_REGION`, else `AWS_DEFAULT_REGION`, else `region` in the profile
    /// (`explicit`, else `AWS_PROFILE`, else `default`).
    ///
    /// # Errors
    /// [`Error::Profile`] if a shared file cannot be read or parsed, or an explicitly named
    /// profile does not exist; [`Error::Missing`] if no source sets a region.
    pub fn region(&self, explicit_profile: Option<&str>) -> Result<String> {
        if let Some(r) = self
            .var("AWS_REGION")
            .or_else(|| self.var("AWS_DEFAULT_REGION"))
        {
            return Ok(r);
        }
        let files = self.load_files()?;
        let name = self.profile_name(explicit_profile);
        if let Some(r) = profile_property(&files.config, &files.credentials, &name, "region")
            .filter(|r| !r.is_empty())
        {
            return Ok(String::from(r));
        }
        if name != "default" && !profile_exists(&files.config, &files.credentials, &name) {
            return Err(files.not_found(&name));
        }
        Err(Error::Missing {
            what: "region",
            hint: "set AWS_REGION or AWS_DEFAULT_REGION, or `region = ...` in the profile in ~/.aws/config",
        })
    }

    pub(crate) fn home(&self) -> Option<PathBuf> {
        self.var("HOME")
            .or_else(|| self.var("USERPROFILE"))
            .map(PathBuf::from)
    }

    /// A path from `var`, with a leading `~` expanded, else `~/.aws/<default>`.
    fn file_path(&self, var: &str, default: &str) -> Option<PathBuf> {
        match self.var(var) {
            Some(p) => {
                if let Some(rest) = p.strip_prefix("~/").or_else(|| p.strip_prefix("~\\")) {
                    Some(self.home()?.join(rest))
                } else {
                    Some(PathBuf::from(p))
                }
            }
            None => Some(self.home()?.join(".aws").join(default)),
        }
    }

    pub(crate) fn load_files(&self) -> Result<SharedFiles> {
        let config_path = self.file_path("AWS_CONFIG_FILE", "config");
        let credentials_path = self.file_path("AWS_SHARED_CREDENTIALS_FILE", "credentials");
        Ok(SharedFiles {
            config: read_ini(config_path.as_ref())?,
            credentials: read_ini(credentials_path.as_ref())?,
            config_path,
            credentials_path,
        })
    }
}

pub(crate) struct SharedFiles {
    pub(crate) config: Ini,
    pub(crate) credentials: Ini,
    config_path: Option<PathBuf>,
    credentials_path: Option<PathBuf>,
}

fn show(path: Option<&PathBuf>) -> String {
    path.map_or_else(
        || String::from("(no file: HOME is not set)"),
        |p| p.display().to_string(),
    )
}

impl SharedFiles {
    pub(crate) fn not_found(&self, profile: &str) -> Error {
        Error::Profile {
            reason: format!(
                "profile {:?} not found in {} or {}",
                clip(profile),
                show(self.credentials_path.as_ref()),
                show(self.config_path.as_ref())
            ),
        }
    }

    pub(crate) fn credentials_for(&self, profile: &str) -> Result<Credentials> {
        if !profile_exists(&self.config, &self.credentials, profile) {
            return Err(self.not_found(profile));
        }
        let get = |key| {
            profile_property(&self.config, &self.credentials, profile, key)
                .filter(|v| !v.is_empty())
        };
        let missing = |key: &str| {
            let unsupported = [
                ("role_arn", "assume-role (role_arn)"),
                ("sso_session", "IAM Identity Center (sso_session)"),
                ("sso_start_url", "IAM Identity Center (sso_start_url)"),
                ("credential_process", "credential_process"),
                (
                    "web_identity_token_file",
                    "web identity (web_identity_token_file)",
                ),
            ];
            let why = unsupported.iter().find(|(k, _)| get(k).is_some()).map_or_else(
                String::new,
                |(_, what)| {
                    format!(
                        "; it uses {what}, which this static-key reader does not follow: use s3presign::providers::ProfileProvider (feature providers; the s3presign CLI does), or export temporary credentials to AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN"
                    )
                },
            );
            Error::Profile {
                reason: format!(
                    "profile {:?} has no {key} in {} or {}{why}",
                    clip(profile),
                    show(self.credentials_path.as_ref()),
                    show(self.config_path.as_ref())
                ),
            }
        };
        let id = get("aws_access_key_id").ok_or_else(|| missing("aws_access_key_id"))?;
        let secret =
            get("aws_secret_access_key").ok_or_else(|| missing("aws_secret_access_key"))?;
        let creds = Credentials::new(id, secret);
        Ok(
            match get("aws_session_token").or_else(|| get("aws_security_token")) {
                Some(token) => creds.with_session_token(token),
                None => creds,
            },
        )
    }
}

/// An RFC 3339 time with any UTC offset (`2026-12-01T13:00:00Z`, `...+01:00`, fractional
/// seconds dropped), or `None`.
pub(crate) fn parse_rfc3339(text: &str) -> Option<AmzDate> {
    if let Ok(t) = AmzDate::parse(text) {
        return Some(t);
    }
    // `[+-]HH:MM` at the end: parse the local time as UTC, then move it by the offset.
    let split = text.len().checked_sub(6)?;
    let (local, offset) = (text.get(..split)?, text.get(split..)?.as_bytes());
    let sign = match offset {
        [b'+', _, _, b':', _, _] => -1,
        [b'-', _, _, b':', _, _] => 1,
        _ => return None,
    };
    let digits = |a: u8, b: u8| {
        (a.is_ascii_digit() && b.is_ascii_digit()).then(|| i64::from((a - b'0') * 10 + (b - b'0')))
    };
    let (hours, minutes) = (digits(offset[1], offset[2])?, digits(offset[4], offset[5])?);
    if hours > 23 || minutes > 59 {
        return None;
    }
    let utc = AmzDate::parse(&format!("{local}Z")).ok()?;
    let secs = utc.unix_timestamp() + sign * (hours * 3600 + minutes * 60);
    AmzDate::from_unix_timestamp(secs).ok()
}

/// Reads and parses a shared file; a missing file (or no path) is an empty one.
fn read_ini(path: Option<&PathBuf>) -> Result<Ini> {
    let Some(path) = path else {
        return Ok(Ini::default());
    };
    let text = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Ini::default()),
        Err(e) => {
            return Err(Error::Profile {
                reason: format!("cannot read {}: {}", path.display(), e.kind()),
            });
        }
    };
    let text = String::from_utf8(text).map_err(|_| Error::Profile {
        reason: format!("{} is not valid UTF-8", path.display()),
    })?;
    parse_ini(&text).map_err(|e| Error::Profile {
        reason: format!("{}: {e}", path.display()),
    })
}

impl Credentials {
    /// Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and optional
    /// `AWS_SESSION_TOKEN` in the process environment (feature `std`). See
    /// [`Environment`] to read them from elsewhere.
    ///
    /// # Errors
    /// [`Error::Missing`] naming the unset variable.
    pub fn from_env() -> Result<Self> {
        Environment::process().credentials_from_env()
    }

    /// Static credentials from a profile of `~/.aws/credentials` / `~/.aws/config`
    /// (`profile`, else `AWS_PROFILE`, else `default`; feature `std`).
    ///
    /// # Errors
    /// [`Error::Profile`] naming the file and profile (never a secret).
    pub fn from_profile(profile: Option<&str>) -> Result<Self> {
        Environment::process().credentials_from_profile(profile)
    }
}

/// The region from `AWS_REGION` / `AWS_DEFAULT_REGION` or the profile's `region` in the
/// process environment and shared files. See [`Environment::region`].
///
/// # Errors
/// As [`Environment::region`].
pub fn region_from_env_or_profile(profile: Option<&str>) -> Result<String> {
    Environment::process().region(profile)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_continuations() {
        let ini = parse_ini(
            "\u{feff}# top\r\n[default] ; c\r\naws_secret_access_key = a#b;c # real comment\r\n\
             s3 =\n  addressing_style = path\n\n  max = 1\n[profile  x]\nk=v\n",
        )
        .unwrap();
        assert_eq!(ini.get("default", "AWS_SECRET_ACCESS_KEY"), Some("a#b;c"));
        assert_eq!(
            ini.get("default", "s3"),
            Some("\naddressing_style = path\nmax = 1")
        );
        assert_eq!(ini.get("profile  x", "k"), Some("v"));
        assert!(!format!("{ini:?}").contains("a#b"));
    }

    #[test]
    fn errors_name_the_line_not_the_text() {
        let e = parse_ini("[a]\nk = v\nwJalrXUtnFEMI\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(!e.to_string().contains("wJalr"));
        assert_eq!(parse_ini("k = v\n").unwrap_err().line, 1);
        assert_eq!(parse_ini("[a\n").unwrap_err().line, 1);
        assert_eq!(parse_ini("[ ]\n").unwrap_err().line, 1);
        assert_eq!(parse_ini("[a] x\n").unwrap_err().line, 1);
        assert_eq!(parse_ini("[a]\n= v\n").unwrap_err().line, 2);
    }

    #[test]
    fn credential_expiration_from_the_environment() {
        let env = |at: &str| {
            Environment::from_pairs([
                ("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE"),
                ("AWS_SECRET_ACCESS_KEY", "secret"),
                ("AWS_CREDENTIAL_EXPIRATION", at),
            ])
        };
        let expiry = |at: &str| {
            env(at)
                .credentials_from_env()
                .map(|c| c.expires_at().map(|t| t.unix_timestamp()))
        };
        // 2026-12-01T13:00:00Z
        let utc = 1_796_130_000;
        assert_eq!(expiry("2026-12-01T13:00:00Z"), Ok(Some(utc)));
        assert_eq!(expiry("2026-12-01T13:00:00.123Z"), Ok(Some(utc)));
        assert_eq!(expiry("2026-12-01T14:30:00+01:30"), Ok(Some(utc)));
        assert_eq!(expiry("2026-12-01T08:00:00-05:00"), Ok(Some(utc)));
        assert_eq!(expiry(""), Ok(None));
        for bad in [
            "tomorrow",
            "2026-12-01",
            "2026-12-01T13:00:00+1:00",
            "2026-12-01T13:00:00+24:00",
            "2026-13-01T13:00:00Z",
        ] {
            let err = expiry(bad).unwrap_err();
            assert!(matches!(err, Error::InvalidSetting { .. }), "{bad}");
            let text = err.to_string();
            assert!(
                text.contains("AWS_CREDENTIAL_EXPIRATION") && text.contains("RFC 3339"),
                "{text}"
            );
            assert!(!text.contains("secret"), "{text}");
        }
    }

    #[test]
    fn config_sections() {
        let config =
            parse_ini("[default]\nregion=a\n[profile default]\nregion=b\n[dev]\nregion=c\n[profile dev2]\nregion=d\n")
                .unwrap();
        let creds = parse_ini("[dev2]\nregion=e\n").unwrap();
        assert_eq!(
            profile_property(&config, &Ini::default(), "default", "region"),
            Some("b")
        );
        // `[dev]` in the config file is not a profile.
        assert_eq!(
            profile_property(&config, &Ini::default(), "dev", "region"),
            None
        );
        assert_eq!(
            profile_property(&config, &creds, "dev2", "region"),
            Some("e")
        );
        assert_eq!(
            profile_property(&config, &Ini::default(), "dev2", "region"),
            Some("d")
        );
    }
}
