//! Endpoint, addressing style and region resolution (`s3presign::config`): the precedence
//! table of the AWS SDKs' shared test suite for configured endpoint URLs (the AWS CLI's
//! `tests/functional/configured_endpoint_urls`), region and addressing style, the files
//! read from a temporary HOME, and the client builder using the same resolution.

use s3presign::Credentials;
use s3presign::Error;
use s3presign::client::Client;
use s3presign::config::{S3Config, Source};
use s3presign::profile::{Environment, Ini, parse_ini};
use s3presign::s3::AddressingStyle;

const CONFIG: &str = "\
[default]
region = fake-region-10

[profile service_global_only]
endpoint_url = https://global.endpoint.aws
region = fake-region-10

[profile service_specific_s3]
services = service_specific_s3
region = fake-region-10

[profile global_and_service_specific_s3]
endpoint_url = https://global.endpoint.aws
services = service_specific_s3
region = fake-region-10

[profile ignore_global_and_service_specific_s3]
endpoint_url = https://global.endpoint.aws
services = service_specific_s3
region = fake-region-10
ignore_configured_endpoint_urls = true

[profile dynamodb_only]
services = dynamodb_only
region = fake-region-10

[profile path]
region = fake-region-10
s3 =
  addressing_style = path

[profile virtual]
region = fake-region-10
s3 =
  max_concurrent_requests = 10
  addressing_style = Virtual

[profile auto]
s3 =
  addressing_style = auto

[profile bad_style]
s3 =
  addressing_style = dns

[profile bad_ignore]
ignore_configured_endpoint_urls = yes

[services service_specific_s3]
s3 =
  endpoint_url = https://s3.endpoint.aws
dynamodb =
  endpoint_url = https://dynamodb.endpoint.aws

[services dynamodb_only]
dynamodb =
  endpoint_url = https://dynamodb.endpoint.aws
";

const GLOBAL_ENV: (&str, &str) = (
    "AWS_ENDPOINT_URL",
    "https://global-from-envvar.endpoint.aws",
);
const S3_ENV: (&str, &str) = ("AWS_ENDPOINT_URL_S3", "https://s3-from-envvar.endpoint.aws");
const IGNORE_ENV: (&str, &str) = ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");

/// One row of the precedence table: profile, environment, expected endpoint URL.
type Row<'a> = (&'a str, &'a [(&'a str, &'a str)], Option<&'a str>);

fn env(pairs: &[(&str, &str)]) -> Environment<'static> {
    Environment::from_pairs(pairs.iter().map(|&(k, v)| (k.to_owned(), v.to_owned())))
}

fn resolve(profile: &str, vars: &[(&str, &str)]) -> Result<S3Config, Error> {
    let config = parse_ini(CONFIG).unwrap();
    S3Config::resolve(&env(vars), &config, &Ini::default(), Some(profile))
}

#[test]
fn endpoint_url_precedence() {
    let none: &[(&str, &str)] = &[];
    let rows: &[Row<'_>] = &[
        (
            "service_global_only",
            none,
            Some("https://global.endpoint.aws"),
        ),
        ("service_specific_s3", none, Some("https://s3.endpoint.aws")),
        (
            "global_and_service_specific_s3",
            none,
            Some("https://s3.endpoint.aws"),
        ),
        ("default", &[GLOBAL_ENV], Some(GLOBAL_ENV.1)),
        ("service_global_only", &[GLOBAL_ENV], Some(GLOBAL_ENV.1)),
        ("service_specific_s3", &[GLOBAL_ENV], Some(GLOBAL_ENV.1)),
        (
            "global_and_service_specific_s3",
            &[GLOBAL_ENV],
            Some(GLOBAL_ENV.1),
        ),
        ("default", &[S3_ENV], Some(S3_ENV.1)),
        ("service_global_only", &[S3_ENV], Some(S3_ENV.1)),
        ("service_specific_s3", &[S3_ENV], Some(S3_ENV.1)),
        ("global_and_service_specific_s3", &[S3_ENV], Some(S3_ENV.1)),
        ("default", &[GLOBAL_ENV, S3_ENV], Some(S3_ENV.1)),
        (
            "global_and_service_specific_s3",
            &[GLOBAL_ENV, S3_ENV],
            Some(S3_ENV.1),
        ),
        // Ignored through the environment, or through the profile (environment too).
        (
            "global_and_service_specific_s3",
            &[GLOBAL_ENV, S3_ENV, IGNORE_ENV],
            None,
        ),
        (
            "ignore_global_and_service_specific_s3",
            &[GLOBAL_ENV, S3_ENV],
            None,
        ),
        ("ignore_global_and_service_specific_s3", none, None),
        // The environment's `false` wins over the profile's `true`.
        (
            "ignore_global_and_service_specific_s3",
            &[("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "FALSE")],
            Some("https://s3.endpoint.aws"),
        ),
        // Another service's endpoint is not S3's; nothing configured at all.
        ("dynamodb_only", none, None),
        ("default", none, None),
    ];
    for (profile, vars, expected) in rows {
        let config = resolve(profile, vars).unwrap();
        assert_eq!(config.endpoint_url(), *expected, "{profile} {vars:?}");
        assert_eq!(config.profile(), *profile);
        // An explicit URL (--endpoint-url, the builder's endpoint) always wins.
        let explicit = config.with_endpoint_url("https://client-config.endpoint.aws");
        assert_eq!(
            explicit.endpoint_url(),
            Some("https://client-config.endpoint.aws")
        );
        assert_eq!(explicit.endpoint_url_source(), Some(&Source::Explicit));
    }
}

#[test]
fn endpoint_url_sources_are_named() {
    let source = |profile, vars: &[(&str, &str)]| {
        resolve(profile, vars)
            .unwrap()
            .endpoint_url_source()
            .cloned()
    };
    assert_eq!(
        source("global_and_service_specific_s3", &[]),
        Some(Source::Services("service_specific_s3".into()))
    );
    assert_eq!(
        source("service_global_only", &[]),
        Some(Source::Profile("endpoint_url"))
    );
    assert_eq!(
        source("default", &[GLOBAL_ENV, S3_ENV]),
        Some(Source::Environment("AWS_ENDPOINT_URL_S3"))
    );
    let bad = resolve("default", &[("AWS_ENDPOINT_URL_S3", "ftp://x")])
        .unwrap()
        .endpoint()
        .unwrap_err()
        .to_string();
    assert!(bad.contains("AWS_ENDPOINT_URL_S3"), "{bad}");
}

#[test]
fn region_precedence() {
    let region = |profile, vars: &[(&str, &str)]| {
        resolve(profile, vars).unwrap().region().map(str::to_owned)
    };
    let both = [
        ("AWS_REGION", "r-env"),
        ("AWS_DEFAULT_REGION", "r-default-env"),
    ];
    assert_eq!(region("path", &both).as_deref(), Some("r-env"));
    assert_eq!(region("path", &both[1..]).as_deref(), Some("r-default-env"));
    assert_eq!(region("path", &[]).as_deref(), Some("fake-region-10"));
    assert_eq!(region("auto", &[]), None);
    // The caller's fallback (instance metadata, ...) only when nothing else gives one.
    let fallback = |profile, vars: &[(&str, &str)]| {
        resolve(profile, vars)
            .unwrap()
            .or_region(|| Some("from-fallback".into()))
            .region()
            .map(str::to_owned)
    };
    assert_eq!(fallback("auto", &[]).as_deref(), Some("from-fallback"));
    assert_eq!(fallback("path", &[]).as_deref(), Some("fake-region-10"));
    assert_eq!(fallback("auto", &both).as_deref(), Some("r-env"));
    // No region anywhere: the endpoint says what to set.
    let err = resolve("auto", &[]).unwrap().endpoint().unwrap_err();
    assert!(
        matches!(err, Error::Missing { what: "region", .. }),
        "{err}"
    );
    // A named profile that does not exist matters only when the region must come from it.
    assert_eq!(region("nope", &both).as_deref(), Some("r-env"));
    let err = resolve("nope", &[]).unwrap().endpoint().unwrap_err();
    assert!(err.to_string().contains("\"nope\""), "{err}");
}

#[test]
fn addressing_style() {
    let style = |profile| resolve(profile, &[]).unwrap().addressing_style();
    assert_eq!(style("path"), Some(AddressingStyle::Path));
    assert_eq!(style("virtual"), Some(AddressingStyle::VirtualHosted));
    assert_eq!(style("auto"), Some(AddressingStyle::Auto));
    assert_eq!(style("default"), None);
    let endpoint = resolve("path", &[]).unwrap().endpoint().unwrap();
    assert_eq!(endpoint.addressing_style(), AddressingStyle::Path);
    // An explicit style (--path-style) wins.
    let explicit = resolve("virtual", &[])
        .unwrap()
        .with_addressing_style(AddressingStyle::Path);
    assert_eq!(explicit.addressing_style(), Some(AddressingStyle::Path));
}

#[test]
fn unusable_values_are_errors_naming_the_setting() {
    let e = resolve("bad_style", &[("AWS_REGION", "r")]).unwrap_err();
    assert!(matches!(e, Error::InvalidSetting { .. }), "{e:?}");
    let text = e.to_string();
    assert!(
        text.contains("addressing_style")
            && text.contains("\"bad_style\"")
            && text.contains("auto, virtual or path"),
        "{text}"
    );

    let text = resolve("bad_ignore", &[]).unwrap_err().to_string();
    assert!(
        text.contains("ignore_configured_endpoint_urls") && text.contains("true nor false"),
        "{text}"
    );
    let text = resolve("default", &[("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "1")])
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"),
        "{text}"
    );
}

/// A fake HOME with `.aws/config`.
fn home(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".aws")).unwrap();
    std::fs::write(dir.path().join(".aws/config"), config).unwrap();
    dir
}

#[test]
fn from_the_files_under_home_and_aws_config_file() {
    let dir = home(CONFIG);
    let home_path = dir.path().to_str().unwrap();
    let config = S3Config::from_env(
        &env(&[
            ("HOME", home_path),
            ("AWS_PROFILE", "global_and_service_specific_s3"),
        ]),
        None,
    )
    .unwrap();
    assert_eq!(config.endpoint_url(), Some("https://s3.endpoint.aws"));
    assert_eq!(config.region(), Some("fake-region-10"));
    // AWS_CONFIG_FILE names another file; an explicit profile beats AWS_PROFILE.
    let other = dir.path().join("other-config");
    std::fs::write(
        &other,
        "[profile x]\nendpoint_url = http://127.0.0.1:9000\nregion = r\n",
    )
    .unwrap();
    let vars = [
        ("HOME", home_path),
        ("AWS_CONFIG_FILE", other.to_str().unwrap()),
        ("AWS_PROFILE", "global_and_service_specific_s3"),
    ];
    let config = env(&vars).s3_config(Some("x")).unwrap();
    assert_eq!(config.endpoint_url(), Some("http://127.0.0.1:9000"));
    let endpoint = config.endpoint().unwrap();
    assert_eq!(
        (endpoint.host(), endpoint.port()),
        ("127.0.0.1", Some(9000))
    );
    // A file that does not parse is reported with its path and line.
    std::fs::write(&other, "[profile x\n").unwrap();
    let text = env(&vars).s3_config(Some("x")).unwrap_err().to_string();
    assert!(
        text.contains("other-config") && text.contains("line 1"),
        "{text}"
    );
}

#[test]
fn the_client_builder_uses_the_same_resolution() {
    let creds = Credentials::new("AKID", "secret");
    let config = resolve("global_and_service_specific_s3", &[]).unwrap();
    let client = Client::builder()
        .configure_from(&config)
        .static_credentials(creds.clone())
        .build()
        .unwrap();
    assert_eq!(client.endpoint().host(), "s3.endpoint.aws");
    assert_eq!(client.endpoint().region(), "fake-region-10");

    // Explicit builder settings win, whatever the order of the calls.
    let client = Client::builder()
        .region("eu-central-1")
        .addressing_style(AddressingStyle::VirtualHosted)
        .configure_from(&resolve("path", &[S3_ENV]).unwrap())
        .static_credentials(creds.clone())
        .build()
        .unwrap();
    assert_eq!(client.endpoint().host(), "s3-from-envvar.endpoint.aws");
    assert_eq!(client.endpoint().region(), "eu-central-1");
    assert_eq!(
        client.endpoint().addressing_style(),
        AddressingStyle::VirtualHosted
    );
    let client = Client::builder()
        .configure_from(&resolve("path", &[S3_ENV]).unwrap())
        .endpoint_url("http://127.0.0.1:9000", "us-east-1")
        .static_credentials(creds.clone())
        .build()
        .unwrap();
    assert_eq!(client.endpoint().host(), "127.0.0.1");

    // Without an endpoint URL: Amazon S3 in the configured region, with its style.
    let client = Client::builder()
        .configure_from(&resolve("path", &[]).unwrap())
        .static_credentials(creds.clone())
        .build()
        .unwrap();
    assert_eq!(client.endpoint().host(), "s3.fake-region-10.amazonaws.com");
    assert_eq!(client.endpoint().addressing_style(), AddressingStyle::Path);

    // Nothing gives a region: the builder's default, us-east-1.
    let client = Client::builder()
        .configure_from(&resolve("auto", &[S3_ENV]).unwrap())
        .static_credentials(creds)
        .build()
        .unwrap();
    assert_eq!(client.endpoint().region(), "us-east-1");
}
