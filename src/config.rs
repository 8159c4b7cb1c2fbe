//! Where S3 requests go: the endpoint URL, the addressing style and the region, from the
//! environment and the shared config files, resolved as the AWS SDKs and the AWS CLI do
//! (feature `std`). The CLI and [`ClientBuilder`](crate::client::ClientBuilder) share this
//! one resolution.
//!
//! **Endpoint URL**, first found wins (the AWS SDKs and Tools reference guide,
//! "Service-specific endpoints"):
//! 1. an explicit URL ([`S3Config::with_endpoint_url`]: the CLI's `--endpoint-url`, the
//!    client builder's endpoint);
//! 2. `AWS_ENDPOINT_URL_S3`;
//! 3. `AWS_ENDPOINT_URL`;
//! 4. `endpoint_url` under `s3` in the `[services NAME]` section that the profile's
//!    `services = NAME` names;
//! 5. the profile's `endpoint_url`;
//! 6. none: Amazon S3 in the region.
//!
//! Steps 2 to 5 are skipped when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` (else the profile's
//! `ignore_configured_endpoint_urls`) is `true`.
//!
//! **Addressing style**: the profile's `s3` sub-section, `addressing_style = auto | virtual |
//! path` (there is no environment variable for it).
//!
//! **Region**: an explicit one ([`S3Config::with_region`]), else `AWS_REGION`, else
//! `AWS_DEFAULT_REGION`, else the profile's `region`, else what the caller's fallback gives
//! ([`S3Config::or_region`], for example the instance metadata service).
//!
//! The profile is the one named explicitly, else `AWS_PROFILE`, else `default`.
//!
//! ```
//! use s3presign::config::S3Config;
//! use s3presign::profile::{Environment, parse_ini};
//! use s3presign::s3::AddressingStyle;
//!
//! let config = parse_ini(
//!     "[profile r2]\nservices = r2\ns3 =\n  addressing_style = path\n\n\
//!      [services r2]\ns3 =\n  endpoint_url = https://account.r2.cloudflarestorage.com\n",
//! )?;
//! let env = Environment::from_pairs([("AWS_PROFILE", "r2"), ("AWS_REGION", "auto")]);
//! let s3 = S3Config::resolve(&env, &config, &Default::default(), None)?;
//! assert_eq!(s3.endpoint_url(), Some("https://account.r2.cloudflarestorage.com"));
//! assert_eq!(s3.addressing_style(), Some(AddressingStyle::Path));
//! assert_eq!(s3.region(), Some("auto"));
//! let endpoint = s3.endpoint()?;
//! assert_eq!(endpoint.host(), "account.r2.cloudflarestorage.com");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use alloc::format;
use alloc::string::String;
use core::fmt;

use crate::error::{Error, Result, clip};
use crate::profile::{Environment, Ini, profile_exists, profile_property};
use crate::s3::{AddressingStyle, Endpoint};

/// Where a resolved setting came from (for messages such as "endpoint from
/// AWS_ENDPOINT_URL_S3").
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// Given by the caller (a command-line option, a builder call, a fallback).
    Explicit,
    /// An environment variable.
    Environment(&'static str),
    /// A property of the profile (the property name).
    Profile(&'static str),
    /// `s3 = endpoint_url = ...` in a `[services NAME]` section (its name).
    Services(String),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Explicit => f.write_str("the caller"),
            Source::Environment(var) => f.write_str(var),
            Source::Profile(key) => write!(f, "the profile's {key}"),
            Source::Services(name) => write!(f, "s3.endpoint_url in [services {name}]"),
        }
    }
}

/// A resolved value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Setting<T> {
    value: T,
    source: Source,
}

/// The resolved S3 settings of one profile: endpoint URL, addressing style, region. See
/// the [module documentation](self) for the order in which sources are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Config {
    profile: String,
    endpoint_url: Option<Setting<String>>,
    addressing_style: Option<AddressingStyle>,
    region: Option<Setting<String>>,
    /// Why the profile could not give a region: it does not exist (reported only if no
    /// other source gives one).
    missing_profile: Option<Error>,
}

impl S3Config {
    /// Resolves the settings from the variables of `env` and already parsed shared files
    /// (`config` is `~/.aws/config`, `credentials` is `~/.aws/credentials`). Reads nothing.
    ///
    /// # Errors
    /// [`Error::InvalidSetting`] for an `ignore_configured_endpoint_urls` that is neither
    /// `true` nor `false`, or an `addressing_style` other than `auto`, `virtual` or `path`.
    /// A named profile that does not exist is reported by [`Self::endpoint`], and only if
    /// no other source gives a region.
    pub fn resolve(
        env: &Environment<'_>,
        config: &Ini,
        credentials: &Ini,
        explicit_profile: Option<&str>,
    ) -> Result<Self> {
        let not_found = |profile: &str| Error::Profile {
            reason: format!(
                "profile {:?} not found in the shared config or credentials file",
                clip(profile)
            ),
        };
        Files {
            config,
            credentials,
            not_found: &not_found,
        }
        .resolve(env, explicit_profile)
    }

    /// Resolves the settings from the variables of `env` and the shared files they name
    /// (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`, else under `~/.aws/`; a missing
    /// file counts as empty).
    ///
    /// # Errors
    /// As [`Self::resolve`], and [`Error::Profile`] if a file cannot be read or parsed.
    pub fn from_env(env: &Environment<'_>, explicit_profile: Option<&str>) -> Result<Self> {
        let files = env.load_files()?;
        let not_found = |profile: &str| files.not_found(profile);
        Files {
            config: &files.config,
            credentials: &files.credentials,
            not_found: &not_found,
        }
        .resolve(env, explicit_profile)
    }

    /// The profile the settings were read from.
    pub fn profile(&self) -> &str {
        &self.profile
    }

    /// The endpoint URL, if one is configured (else Amazon S3).
    pub fn endpoint_url(&self) -> Option<&str> {
        self.endpoint_url.as_ref().map(|s| s.value.as_str())
    }

    /// Where [`Self::endpoint_url`] came from.
    pub fn endpoint_url_source(&self) -> Option<&Source> {
        self.endpoint_url.as_ref().map(|s| &s.source)
    }

    /// The configured addressing style, if any.
    pub fn addressing_style(&self) -> Option<AddressingStyle> {
        self.addressing_style
    }

    /// The region, if one is configured.
    pub fn region(&self) -> Option<&str> {
        self.region.as_ref().map(|s| s.value.as_str())
    }

    /// Where [`Self::region`] came from.
    pub fn region_source(&self) -> Option<&Source> {
        self.region.as_ref().map(|s| &s.source)
    }

    /// Uses `url` whatever the environment and files say (`--endpoint-url`).
    #[must_use]
    pub fn with_endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint_url = Some(Setting {
            value: url.into(),
            source: Source::Explicit,
        });
        self
    }

    /// Uses `region` whatever the environment and files say (`--region`).
    #[must_use]
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(Setting {
            value: region.into(),
            source: Source::Explicit,
        });
        self
    }

    /// Uses `style` whatever the files say (`--path-style`).
    #[must_use]
    pub fn with_addressing_style(mut self, style: AddressingStyle) -> Self {
        self.addressing_style = Some(style);
        self
    }

    /// When no region is configured, asks `fallback` (for example the instance metadata
    /// service); it is not called when a region is already known.
    ///
    /// ```
    /// # use s3presign::{config::S3Config, profile::{Environment, Ini}};
    /// let env = Environment::from_pairs([("AWS_REGION", "eu-west-1")]);
    /// let s3 = S3Config::resolve(&env, &Ini::default(), &Ini::default(), None)?
    ///     .or_region(|| unreachable!("the environment gave a region"));
    /// assert_eq!(s3.region(), Some("eu-west-1"));
    /// let none = Environment::from_pairs([("HOME", "/nonexistent")]);
    /// let s3 = S3Config::resolve(&none, &Ini::default(), &Ini::default(), None)?
    ///     .or_region(|| Some("ap-south-1".to_owned()));
    /// assert_eq!(s3.region(), Some("ap-south-1"));
    /// # Ok::<(), s3presign::Error>(())
    /// ```
    #[must_use]
    pub fn or_region(mut self, fallback: impl FnOnce() -> Option<String>) -> Self {
        if self.region.is_none() {
            self.region = fallback().map(|value| Setting {
                value,
                source: Source::Explicit,
            });
        }
        self
    }

    /// The endpoint these settings describe: the endpoint URL (else Amazon S3) in the
    /// region, with the addressing style if one is set.
    ///
    /// # Errors
    /// [`Error::Missing`] if no region is known ([`Error::Profile`] if the profile that
    /// should have given it does not exist); [`Error::InvalidSetting`] naming the
    /// source of an endpoint URL or region that cannot be used.
    pub fn endpoint(&self) -> Result<Endpoint> {
        let region = self.region.as_ref().ok_or_else(|| {
            self.missing_profile.clone().unwrap_or(Error::Missing {
                what: "region",
                hint: "set AWS_REGION or AWS_DEFAULT_REGION, or `region = ...` in the profile in ~/.aws/config",
            })
        })?;
        let endpoint = match &self.endpoint_url {
            Some(url) => Endpoint::custom(&url.value, &region.value),
            None => Endpoint::aws(&region.value),
        };
        let endpoint = endpoint.map_err(|e| {
            let (what, source) = match (&e, &self.endpoint_url) {
                (Error::InvalidEndpoint { .. }, Some(url)) => ("endpoint URL", &url.source),
                _ => ("region", &region.source),
            };
            if *source == Source::Explicit {
                // The caller's own value: its error needs no "from".
                return e;
            }
            Error::InvalidSetting {
                name: format!("{what} from {source}"),
                reason: format!("{e}"),
            }
        })?;
        Ok(match self.addressing_style {
            Some(style) => endpoint.with_addressing_style(style),
            None => endpoint,
        })
    }
}

/// The parsed shared files and how to report a missing profile.
struct Files<'a> {
    config: &'a Ini,
    credentials: &'a Ini,
    not_found: &'a dyn Fn(&str) -> Error,
}

impl Files<'_> {
    fn resolve(&self, env: &Environment<'_>, explicit_profile: Option<&str>) -> Result<S3Config> {
        let profile = env.profile_name(explicit_profile);
        let get = |key| {
            profile_property(self.config, self.credentials, &profile, key).filter(|v| !v.is_empty())
        };
        let endpoint_url = if self.ignore_configured_endpoints(env, &profile)? {
            None
        } else {
            self.endpoint_url(env, &profile)
        };
        let addressing_style = match get("s3").and_then(|s3| sub_property(s3, "addressing_style")) {
            None => None,
            Some(style) => Some(parse_style(style, &profile)?),
        };
        let region = env_setting(env, "AWS_REGION")
            .or_else(|| env_setting(env, "AWS_DEFAULT_REGION"))
            .or_else(|| {
                get("region").map(|r| Setting {
                    value: String::from(r),
                    source: Source::Profile("region"),
                })
            });
        let missing_profile = (profile != "default"
            && !profile_exists(self.config, self.credentials, &profile))
        .then(|| (self.not_found)(&profile));
        Ok(S3Config {
            profile,
            endpoint_url,
            addressing_style,
            region,
            missing_profile,
        })
    }

    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`, else the profile's
    /// `ignore_configured_endpoint_urls`, else false.
    fn ignore_configured_endpoints(&self, env: &Environment<'_>, profile: &str) -> Result<bool> {
        const VAR: &str = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS";
        const KEY: &str = "ignore_configured_endpoint_urls";
        if let Some(v) = env.var(VAR) {
            return parse_bool(&v, || String::from(VAR));
        }
        match profile_property(self.config, self.credentials, profile, KEY)
            .filter(|v| !v.is_empty())
        {
            Some(v) => parse_bool(v, || format!("{KEY} in profile {:?}", clip(profile))),
            None => Ok(false),
        }
    }

    /// The configured endpoint URL (steps 2 to 5 of the module documentation).
    fn endpoint_url(&self, env: &Environment<'_>, profile: &str) -> Option<Setting<String>> {
        if let Some(s) =
            env_setting(env, "AWS_ENDPOINT_URL_S3").or_else(|| env_setting(env, "AWS_ENDPOINT_URL"))
        {
            return Some(s);
        }
        let get = |key| {
            profile_property(self.config, self.credentials, profile, key).filter(|v| !v.is_empty())
        };
        let from_services = get("services").and_then(|name| {
            let section = services_section(self.config, name)?;
            let url = self
                .config
                .get(section, "s3")
                .and_then(|s3| sub_property(s3, "endpoint_url"))?;
            Some(Setting {
                value: String::from(url),
                source: Source::Services(String::from(name)),
            })
        });
        from_services.or_else(|| {
            get("endpoint_url").map(|url| Setting {
                value: String::from(url),
                source: Source::Profile("endpoint_url"),
            })
        })
    }
}

fn env_setting(env: &Environment<'_>, var: &'static str) -> Option<Setting<String>> {
    env.var(var).map(|value| Setting {
        value,
        source: Source::Environment(var),
    })
}

/// The name of the `[services NAME]` section of the config file, if present (the last one
/// wins, as for profiles).
fn services_section<'a>(config: &'a Ini, name: &str) -> Option<&'a str> {
    config.sections.iter().rev().find_map(|s| {
        let rest = s.name.strip_prefix("services")?;
        (rest.starts_with([' ', '\t']) && rest.trim_matches([' ', '\t']) == name)
            .then_some(s.name.as_str())
    })
}

/// A sub-property of a nested value (`s3 =` followed by indented `name = value` lines):
/// the last definition wins, names are case-insensitive.
fn sub_property<'a>(nested: &'a str, key: &str) -> Option<&'a str> {
    nested
        .lines()
        .filter_map(|line| line.split_once('='))
        .filter(|(name, _)| name.trim().eq_ignore_ascii_case(key))
        .map(|(_, value)| value.trim())
        .next_back()
        .filter(|v| !v.is_empty())
}

fn parse_bool(value: &str, name: impl FnOnce() -> String) -> Result<bool> {
    if value.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if value.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(Error::InvalidSetting {
            name: name(),
            reason: format!("{:?} is neither true nor false", clip(value)),
        })
    }
}

fn parse_style(value: &str, profile: &str) -> Result<AddressingStyle> {
    match value.to_ascii_lowercase().as_str() {
        "auto" => Ok(AddressingStyle::Auto),
        "virtual" => Ok(AddressingStyle::VirtualHosted),
        "path" => Ok(AddressingStyle::Path),
        _ => Err(Error::InvalidSetting {
            name: format!("s3.addressing_style in profile {:?}", clip(profile)),
            reason: format!("{:?} is not auto, virtual or path", clip(value)),
        }),
    }
}

impl Environment<'_> {
    /// The S3 settings of the profile (`explicit`, else `AWS_PROFILE`, else `default`):
    /// [`S3Config::from_env`].
    ///
    /// # Errors
    /// As [`S3Config::from_env`].
    pub fn s3_config(&self, explicit_profile: Option<&str>) -> Result<S3Config> {
        S3Config::from_env(self, explicit_profile)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::parse_ini;
    use alloc::string::ToString;

    #[test]
    fn sub_properties() {
        let nested =
            "\naddressing_style = path\nEndpoint_URL=http://a\nendpoint_url = http://b\nbad line";
        assert_eq!(sub_property(nested, "addressing_style"), Some("path"));
        assert_eq!(sub_property(nested, "endpoint_url"), Some("http://b"));
        assert_eq!(sub_property(nested, "missing"), None);
        assert_eq!(sub_property("\nx =", "x"), None);
    }

    #[test]
    fn services_sections() {
        let config =
            parse_ini("[services a]\ns3=\n  x=1\n[services  b ]\ns3=\n  x=2\n[servicesc]\n")
                .unwrap();
        assert_eq!(services_section(&config, "a"), Some("services a"));
        assert_eq!(services_section(&config, "b"), Some("services  b"));
        assert_eq!(services_section(&config, "c"), None);
    }

    #[test]
    fn booleans_and_styles() {
        assert_eq!(parse_bool("TRUE", String::new), Ok(true));
        assert_eq!(parse_bool("false", String::new), Ok(false));
        assert!(
            parse_bool("1", || String::from("X"))
                .unwrap_err()
                .to_string()
                .contains("invalid X")
        );
        assert_eq!(
            parse_style("Virtual", "p"),
            Ok(AddressingStyle::VirtualHosted)
        );
        let e = parse_style("dns", "dev").unwrap_err().to_string();
        assert!(
            e.contains("\"dev\"") && e.contains("auto, virtual or path"),
            "{e}"
        );
    }
}
