//! Credentials and region from an injected environment and real files in a temporary
//! directory (the process environment is never touched), plus property tests of the
//! shared-file parser.

use std::path::Path;

use proptest::prelude::*;
use s3presign::Error;
use s3presign::profile::{Environment, Ini, IniSection, parse_ini};

const ID: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "FQoGZXIvYXdzEXAMPLETOKEN";

fn env(pairs: &[(&str, &str)]) -> Environment<'static> {
    Environment::from_pairs(pairs.iter().map(|&(k, v)| (k.to_owned(), v.to_owned())))
}

/// A fake home with `.aws/credentials` and `.aws/config`.
fn home(credentials: &str, config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".aws")).unwrap();
    std::fs::write(dir.path().join(".aws/credentials"), credentials).unwrap();
    std::fs::write(dir.path().join(".aws/config"), config).unwrap();
    dir
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn no_secret(e: &Error) {
    let shown = format!("{e} {e:?}");
    assert!(
        !shown.contains(SECRET) && !shown.contains("wJalr"),
        "{shown}"
    );
    assert!(!shown.contains(TOKEN), "{shown}");
}

#[test]
fn from_environment_variables() {
    let e = env(&[
        ("AWS_ACCESS_KEY_ID", ID),
        ("AWS_SECRET_ACCESS_KEY", SECRET),
        ("AWS_SESSION_TOKEN", TOKEN),
        ("HOME", "/nonexistent"),
    ]);
    let c = e.credentials(None).unwrap();
    assert_eq!(
        (c.access_key_id(), c.secret_access_key(), c.session_token()),
        (ID, SECRET, Some(TOKEN))
    );
    let c = e.credentials_from_env().unwrap();
    assert_eq!(c.session_token(), Some(TOKEN));
}

#[test]
fn missing_secret_names_the_variable() {
    let err = env(&[("AWS_ACCESS_KEY_ID", ID)])
        .credentials(None)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Missing {
                what: "AWS_SECRET_ACCESS_KEY",
                ..
            }
        ),
        "{err:?}"
    );
    // An empty variable counts as unset.
    let err = env(&[("AWS_ACCESS_KEY_ID", ID), ("AWS_SECRET_ACCESS_KEY", "")])
        .credentials_from_env()
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Missing {
            what: "AWS_SECRET_ACCESS_KEY",
            ..
        }
    ));
    let err = env(&[]).credentials_from_env().unwrap_err();
    assert!(matches!(
        err,
        Error::Missing {
            what: "AWS_ACCESS_KEY_ID",
            ..
        }
    ));
}

#[test]
fn nothing_configured() {
    let dir = tempfile::tempdir().unwrap();
    let err = env(&[("HOME", p(dir.path()))])
        .credentials(None)
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Missing {
                what: "credentials",
                ..
            }
        ),
        "{err:?}"
    );
    let err = env(&[("HOME", p(dir.path()))]).region(None).unwrap_err();
    assert!(
        matches!(err, Error::Missing { what: "region", .. }),
        "{err:?}"
    );
    // No HOME at all: no files, still a clean error.
    assert!(matches!(
        env(&[]).credentials(None).unwrap_err(),
        Error::Missing {
            what: "credentials",
            ..
        }
    ));
}

#[test]
fn default_profile_from_home() {
    let h = home(
        &format!("[default]\naws_access_key_id = {ID}\naws_secret_access_key = {SECRET}\n"),
        "[default]\nregion = eu-central-1\n",
    );
    let e = env(&[("HOME", p(h.path()))]);
    let c = e.credentials(None).unwrap();
    assert_eq!((c.access_key_id(), c.secret_access_key()), (ID, SECRET));
    assert_eq!(c.session_token(), None);
    assert_eq!(e.region(None).unwrap(), "eu-central-1");
    let c = e.credentials_from_profile(None).unwrap();
    assert_eq!(c.access_key_id(), ID);
}

#[test]
fn named_profiles_and_precedence() {
    let h = home(
        &format!(
            "[default]\naws_access_key_id = DEFAULTID\naws_secret_access_key = x\n\
             [dev]\naws_access_key_id = {ID}\naws_secret_access_key = {SECRET}\n\
             aws_session_token = {TOKEN}\n"
        ),
        "[profile dev]\nregion = us-west-2\naws_access_key_id = CONFIGID\n\
         [profile cfgonly]\naws_access_key_id = CFGID\naws_secret_access_key = y\nregion = sa-east-1\n\
         [notaprofile]\naws_access_key_id = NO\naws_secret_access_key = NO\n",
    );
    let home = p(h.path());
    // AWS_PROFILE selects; the credentials file wins over the config file.
    let e = env(&[("HOME", home), ("AWS_PROFILE", "dev")]);
    let c = e.credentials(None).unwrap();
    assert_eq!((c.access_key_id(), c.session_token()), (ID, Some(TOKEN)));
    assert_eq!(e.region(None).unwrap(), "us-west-2");
    // An explicit profile beats AWS_PROFILE.
    assert_eq!(
        e.credentials(Some("cfgonly")).unwrap().access_key_id(),
        "CFGID"
    );
    assert_eq!(e.region(Some("cfgonly")).unwrap(), "sa-east-1");
    // ...and beats environment credentials.
    let e = env(&[
        ("HOME", home),
        ("AWS_ACCESS_KEY_ID", "ENVID"),
        ("AWS_SECRET_ACCESS_KEY", "envsecret"),
    ]);
    assert_eq!(e.credentials(None).unwrap().access_key_id(), "ENVID");
    assert_eq!(e.credentials(Some("dev")).unwrap().access_key_id(), ID);
    // Environment region variables beat the profile; AWS_REGION beats AWS_DEFAULT_REGION.
    let e = env(&[("HOME", home), ("AWS_DEFAULT_REGION", "ap-south-1")]);
    assert_eq!(e.region(Some("dev")).unwrap(), "ap-south-1");
    let e = env(&[
        ("HOME", home),
        ("AWS_DEFAULT_REGION", "ap-south-1"),
        ("AWS_REGION", "ca-central-1"),
    ]);
    assert_eq!(e.region(None).unwrap(), "ca-central-1");
    // `[notaprofile]` in the config file is not the profile `notaprofile`.
    let err = env(&[("HOME", home)])
        .credentials(Some("notaprofile"))
        .unwrap_err();
    assert!(
        err.to_string().contains("\"notaprofile\" not found"),
        "{err}"
    );
}

#[test]
fn file_locations_from_variables() {
    let dir = tempfile::tempdir().unwrap();
    let creds = dir.path().join("my-creds");
    let config = dir.path().join("my-config");
    std::fs::write(
        &creds,
        format!("[ci]\naws_access_key_id={ID}\naws_secret_access_key={SECRET}\n"),
    )
    .unwrap();
    std::fs::write(&config, "[profile ci]\nregion=eu-north-1\n").unwrap();
    let e = env(&[
        ("AWS_SHARED_CREDENTIALS_FILE", p(&creds)),
        ("AWS_CONFIG_FILE", p(&config)),
        ("AWS_PROFILE", "ci"),
    ]);
    assert_eq!(e.credentials(None).unwrap().access_key_id(), ID);
    assert_eq!(e.region(None).unwrap(), "eu-north-1");
    // `~/` is expanded with HOME.
    let e = env(&[
        ("HOME", p(dir.path())),
        ("AWS_SHARED_CREDENTIALS_FILE", "~/my-creds"),
        ("AWS_CONFIG_FILE", "~/my-config"),
    ]);
    assert_eq!(e.region(Some("ci")).unwrap(), "eu-north-1");
    assert_eq!(
        e.credentials(Some("ci")).unwrap().secret_access_key(),
        SECRET
    );
}

#[test]
fn profile_errors_name_profile_and_file_never_secrets() {
    let h = home(
        &format!("[half]\naws_secret_access_key = {SECRET}\n[broken]\naws_access_key_id = {ID}\n"),
        &format!(
            "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = half\n\
             [profile sso]\nsso_session = corp\naws_session_token = {TOKEN}\n"
        ),
    );
    let e = env(&[("HOME", p(h.path()))]);

    let err = e.credentials(Some("missing")).unwrap_err();
    no_secret(&err);
    let msg = err.to_string();
    assert!(matches!(err, Error::Profile { .. }));
    assert!(
        msg.contains("\"missing\"")
            && msg.contains(".aws/credentials")
            && msg.contains(".aws/config"),
        "{msg}"
    );
    // A named profile that does not exist is an error for the region too.
    assert!(matches!(
        e.region(Some("missing")).unwrap_err(),
        Error::Profile { .. }
    ));

    let err = e.credentials(Some("half")).unwrap_err();
    no_secret(&err);
    assert!(err.to_string().contains("no aws_access_key_id"), "{err}");

    let err = e.credentials(Some("broken")).unwrap_err();
    no_secret(&err);
    assert!(
        err.to_string().contains("no aws_secret_access_key"),
        "{err}"
    );

    let err = e.credentials(Some("role")).unwrap_err();
    no_secret(&err);
    assert!(err.to_string().contains("assume-role"), "{err}");

    let err = e.credentials(Some("sso")).unwrap_err();
    no_secret(&err);
    assert!(err.to_string().contains("sso_session"), "{err}");
}

#[test]
fn unparsable_and_unreadable_files() {
    let h = home(
        &format!("[default]\naws_access_key_id = {ID}\n{SECRET}\n"),
        "",
    );
    let err = env(&[("HOME", p(h.path()))]).credentials(None).unwrap_err();
    no_secret(&err);
    let msg = err.to_string();
    assert!(msg.contains("credentials: line 3:"), "{msg}");

    // A directory where a file should be.
    let dir = tempfile::tempdir().unwrap();
    let err = env(&[("AWS_CONFIG_FILE", p(dir.path())), ("HOME", p(dir.path()))])
        .region(None)
        .unwrap_err();
    assert!(err.to_string().contains("cannot read"), "{err}");
}

// ----------------------------------------------------------------------------------------
// Parser properties
// ----------------------------------------------------------------------------------------

/// Lines built from the pieces the grammar cares about, so the interesting branches
/// (headers, comments, continuations, `=` and `#` in odd places) are hit often.
fn ini_like_text() -> impl Strategy<Value = String> {
    let fixed = prop::sample::select(vec![
        "[",
        "]",
        "=",
        "#",
        ";",
        " ",
        "\t",
        "\r",
        "profile ",
        "default",
        "aws_access_key_id",
        "x",
        "é",
        "\u{feff}",
    ])
    .prop_map(String::from);
    let piece = prop_oneof![fixed, "[a-z0-9/+]{1,6}"];
    let pieces = || prop::collection::vec(piece.clone(), 0..6).prop_map(|v| v.concat());
    // Mostly well-formed lines (so many files parse), some free-form ones.
    let line = prop_oneof![
        2 => pieces().prop_map(|p| format!("[default{p}]")),
        4 => (pieces(), pieces()).prop_map(|(k, v)| format!("k{k}={v}")),
        2 => pieces().prop_map(|p| format!("  {p}")),
        1 => pieces(),
    ];
    prop::collection::vec(line, 0..12).prop_map(|v| v.join("\n"))
}

fn value_line() -> impl Strategy<Value = String> {
    // Trimmed, no newline, no comment after whitespace.
    "[a-zA-Z0-9/+=#;:._\\-]([a-zA-Z0-9/+=#;:._ \\-]*[a-zA-Z0-9/+=#;:._\\-])?"
        .prop_filter("no comment after whitespace", |s| {
            !s.contains(" #") && !s.contains(" ;")
        })
}

fn section() -> impl Strategy<Value = IniSection> {
    let name = "[a-z][a-z0-9 _\\-]{0,10}[a-z0-9]".prop_map(|s| s.to_string());
    let prop_name = "[A-Za-z_][A-Za-z0-9_.\\-]{0,12}";
    let value = (
        prop_oneof![Just(String::new()), value_line()],
        prop::collection::vec(
            value_line().prop_filter("continuations cannot look like comments", |s| {
                !s.starts_with(['#', ';'])
            }),
            0..3,
        ),
    )
        .prop_map(|(first, rest)| {
            let mut v = first;
            for r in rest {
                v.push('\n');
                v.push_str(&r);
            }
            v
        });
    (name, prop::collection::vec((prop_name, value), 0..5))
        .prop_map(|(name, properties)| IniSection { name, properties })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn never_panics_on_any_text(text in any::<String>()) {
        let _ = parse_ini(&text);
    }

    /// Whatever parses, written back, parses to the same thing.
    #[test]
    fn reparse_is_identity(text in ini_like_text()) {
        if let Ok(ini) = parse_ini(&text) {
            let written = ini.to_string();
            prop_assert_eq!(parse_ini(&written), Ok(ini), "written: {:?}", written);
        }
    }

    /// A generated file round trips through Display and the parser.
    #[test]
    fn generated_files_round_trip(sections in prop::collection::vec(section(), 0..5)) {
        let ini = Ini { sections };
        let written = ini.to_string();
        prop_assert_eq!(parse_ini(&written), Ok(ini), "written: {:?}", written);
    }

    /// Parse errors give a line number and never the offending text.
    #[test]
    fn errors_never_echo_the_line(secret in "[A-Za-z0-9/+]{20,40}", before in 0usize..4) {
        let mut text = String::from("[default]\n");
        for i in 0..before {
            text.push_str(&format!("k{i} = v\n"));
        }
        text.push_str(&secret);
        text.push('\n');
        let err = parse_ini(&text).unwrap_err();
        prop_assert_eq!(err.line, before + 2);
        prop_assert!(!err.to_string().contains(&secret));
        let debug = format!("{err:?}");
        prop_assert!(!debug.contains(&secret));
    }
}

#[test]
fn debug_redacts_secret_values() {
    let ini = parse_ini(&format!(
        "[default]\naws_secret_access_key = {SECRET}\naws_session_token = {TOKEN}\nregion = us-east-1\n"
    ))
    .unwrap();
    let shown = format!("{ini:?}");
    assert!(!shown.contains(SECRET) && !shown.contains(TOKEN), "{shown}");
    assert!(shown.contains("us-east-1"));
}
