//! [`ProcessProvider`]: `credential_process`, a command that prints credentials as JSON.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;
use std::process::Stdio;

use serde::Deserialize;
use tokio::io::AsyncReadExt;

use super::expiration::parse_expiration;
use super::{CredentialsFuture, ProvideCredentials, ProviderError};
use crate::{AmzDate, Credentials};

const NAME: &str = "credential_process";
/// The largest output read (the documented JSON is well under 4 KiB).
const MAX_OUTPUT: u64 = 64 * 1024;

/// Runs the `credential_process` command of a profile (through `sh -c`, or `cmd /C` on
/// Windows, as the SDKs do) and reads the documented JSON from its standard output:
/// `{"Version": 1, "AccessKeyId": ..., "SecretAccessKey": ..., "SessionToken": ...,
/// "Expiration": "2026-12-01T13:00:00Z"}`. Standard error goes to the parent's.
///
/// A non-zero exit, output that is not that JSON, output over 64 KiB, credentials that
/// have already expired and a command that runs longer than the timeout (one minute by
/// default; it is then killed) are errors.
///
/// ```
/// use std::time::Duration;
/// use s3presign::providers::ProcessProvider;
/// let p = ProcessProvider::new("/usr/local/bin/vault-aws-creds --role uploader")
///     .timeout(Duration::from_secs(10));
/// # let _ = p;
/// ```
#[derive(Debug, Clone)]
pub struct ProcessProvider {
    command: String,
    timeout: Duration,
}

impl ProcessProvider {
    /// The command line, as written after `credential_process =`.
    pub fn new(command: impl Into<String>) -> Self {
        Self {
            command: command.into(),
            timeout: Duration::from_secs(60),
        }
    }

    /// How long the command may run.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    fn command(&self) -> tokio::process::Command {
        #[cfg(windows)]
        let mut cmd = {
            let mut c = tokio::process::Command::new("cmd");
            c.arg("/C").arg(&self.command);
            c
        };
        #[cfg(not(windows))]
        let mut cmd = {
            let mut c = tokio::process::Command::new("sh");
            c.arg("-c").arg(&self.command);
            c
        };
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        cmd
    }

    async fn run(&self) -> Result<Vec<u8>, ProviderError> {
        let mut child = self.command().spawn().map_err(|e| {
            ProviderError::failed(NAME, format!("cannot start the command: {}", e.kind()))
        })?;
        let mut out = Vec::new();
        let work = async {
            if let Some(stdout) = child.stdout.take() {
                stdout
                    .take(MAX_OUTPUT + 1)
                    .read_to_end(&mut out)
                    .await
                    .map_err(|e| format!("cannot read its output: {}", e.kind()))?;
            }
            if out.len() as u64 > MAX_OUTPUT {
                return Err(format!("its output is larger than {MAX_OUTPUT} bytes"));
            }
            child
                .wait()
                .await
                .map_err(|e| format!("cannot wait for it: {}", e.kind()))
        };
        let status = match tokio::time::timeout(self.timeout, work).await {
            Ok(Ok(status)) => status,
            Ok(Err(why)) => return Err(ProviderError::failed(NAME, why)),
            Err(_) => {
                return Err(ProviderError::failed(
                    NAME,
                    format!(
                        "the command ran longer than {} s and was stopped",
                        self.timeout.as_secs_f32()
                    ),
                ));
            }
        };
        if !status.success() {
            let code = status
                .code()
                .map_or_else(|| String::from("a signal"), |c| format!("status {c}"));
            return Err(ProviderError::failed(
                NAME,
                format!("the command exited with {code}"),
            ));
        }
        Ok(out)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProcessOutput {
    version: u32,
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    expiration: Option<String>,
}

/// Reads the command's JSON; `now` decides whether it has expired.
pub(crate) fn parse_output(out: &[u8], now: AmzDate) -> Result<Credentials, ProviderError> {
    // serde_json's messages name the line and column, never the text.
    let p: ProcessOutput = serde_json::from_slice(out).map_err(|e| {
        ProviderError::failed(
            NAME,
            format!(
                "the output is not the documented JSON (Version, AccessKeyId, SecretAccessKey): {e}"
            ),
        )
    })?;
    if p.version != 1 {
        return Err(ProviderError::failed(
            NAME,
            format!(
                "the output has Version {}; only Version 1 is defined",
                p.version
            ),
        ));
    }
    let mut creds = Credentials::new(p.access_key_id, p.secret_access_key);
    if let Some(t) = p.session_token.filter(|t| !t.is_empty()) {
        creds = creds.with_session_token(t);
    }
    if let Some(x) = p.expiration {
        let at = parse_expiration(NAME, "Expiration", &x)?;
        if at.unix_timestamp() <= now.unix_timestamp() {
            return Err(ProviderError::failed(
                NAME,
                format!(
                    "the command returned credentials that expired at {}",
                    at.to_rfc3339()
                ),
            ));
        }
        creds = creds.with_expiry(at);
    }
    Ok(creds)
}

impl ProvideCredentials for ProcessProvider {
    fn provide_credentials(&self) -> CredentialsFuture<'_> {
        Box::pin(async move {
            let out = self.run().await?;
            let now = AmzDate::now().map_err(|e| ProviderError::failed(NAME, format!("{e}")))?;
            parse_output(&out, now)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn output_rules() {
        let now = AmzDate::parse("2026-12-01T12:00:00Z").unwrap();
        let ok = br#"{"Version":1,"AccessKeyId":"ASIA1","SecretAccessKey":"s","SessionToken":"t","Expiration":"2026-12-01T13:00:00Z"}"#;
        let c = parse_output(ok, now).unwrap();
        assert_eq!(c.session_token(), Some("t"));
        assert_eq!(c.expires_at().unwrap().as_str(), "20261201T130000Z");
        // An offset, as botocore accepts: 14:00+01:00 is 13:00Z.
        let offset = br#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"s","Expiration":"2026-12-01T14:00:00+01:00"}"#;
        let c = parse_output(offset, now).unwrap();
        assert_eq!(c.expires_at().unwrap().as_str(), "20261201T130000Z");
        let garbled =
            br#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"s","Expiration":"soon"}"#;
        let e = parse_output(garbled, now).unwrap_err().to_string();
        assert!(e.contains("unreadable Expiration \"soon\""), "{e}");
        let long = br#"{"Version":1,"AccessKeyId":"AKIA1","SecretAccessKey":"s"}"#;
        assert_eq!(parse_output(long, now).unwrap().expires_at(), None);
        let v2 = br#"{"Version":2,"AccessKeyId":"A","SecretAccessKey":"s"}"#;
        assert!(
            parse_output(v2, now)
                .unwrap_err()
                .to_string()
                .contains("Version 2")
        );
        let expired = br#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"s","Expiration":"2026-12-01T11:59:59Z"}"#;
        assert!(
            parse_output(expired, now)
                .unwrap_err()
                .to_string()
                .contains("expired at")
        );
        let secret = br#"{"Version":1,"AccessKeyId":"A","SecretAccessKey":"hunter2-secret"#;
        let e = parse_output(secret, now).unwrap_err().to_string();
        assert!(
            e.contains("not the documented JSON") && !e.contains("hunter2"),
            "{e}"
        );
    }
}
