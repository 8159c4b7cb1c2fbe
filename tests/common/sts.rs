//! A double of AWS STS's `AssumeRole` and `AssumeRoleWithWebIdentity` (query protocol:
//! a form-encoded POST, XML answers), and of the IAM Identity Center portal's
//! `GetRoleCredentials`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use s3presign::verify::{IncomingRequest, Verifier};
use s3presign::{AmzDate, Credentials};
use sha2::{Digest, Sha256};

use super::doubles::{Answer, Handler, Seen, Server, in_secs, serve};

/// What the STS double accepts.
#[derive(Debug, Clone)]
pub struct Sts {
    /// The caller allowed to call `AssumeRole` (its signature is verified).
    pub caller: (String, String),
    /// The region `AssumeRole` must be signed for.
    pub region: String,
    /// Roles that exist.
    pub roles: Vec<String>,
    /// The token `AssumeRoleWithWebIdentity` accepts.
    pub web_identity_token: String,
}

impl Default for Sts {
    fn default() -> Self {
        Self {
            caller: ("AKIDSOURCEEXAMPLE".into(), "source-secret".into()),
            region: "eu-west-1".into(),
            roles: vec!["arn:aws:iam::123456789012:role/uploader".into()],
            web_identity_token: "eyJhbGciOiJSUzI1NiJ9.web-identity.sig".into(),
        }
    }
}

/// What the double saw.
#[derive(Debug, Default)]
pub struct StsLog {
    pub calls: AtomicUsize,
    /// The form of each call, decoded.
    pub forms: Mutex<Vec<HashMap<String, String>>>,
}

/// Parses an `application/x-www-form-urlencoded` body.
pub fn parse_form(body: &[u8]) -> HashMap<String, String> {
    let text = String::from_utf8_lossy(body).replace('+', " ");
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let dec = |s: &str| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (dec(k), dec(v))
        })
        .collect()
}

/// The session token the double issues for an action: tests check that the URL carries it.
pub fn issued_token(action: &str) -> String {
    format!("FwoGZXIvYXdzE-{action}-session-token")
}

fn issued_key_id(action: &str) -> String {
    format!("ASIASTS{}", action.len())
}

fn issued_secret(action: &str) -> String {
    format!("sts-secret-{action}")
}

fn error(status: u16, code: &str, message: &str) -> Answer {
    Answer::new(
        status,
        "text/xml",
        format!(
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>\
             <Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>\
             <RequestId>4c0ecb4e-2e62-4b3f-8e0e-EXAMPLE</RequestId></ErrorResponse>"
        ),
    )
}

fn credentials_xml(action: &str, form: &HashMap<String, String>) -> Answer {
    let duration: i64 = form
        .get("DurationSeconds")
        .and_then(|d| d.parse().ok())
        .unwrap_or(3600);
    let session = form.get("RoleSessionName").cloned().unwrap_or_default();
    Answer::new(
        200,
        "text/xml",
        format!(
            "<{action}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><{action}Result>\
             <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/uploader/{session}</Arn>\
             <AssumedRoleId>AROA3XFRBF535PLBIFPI4:{session}</AssumedRoleId></AssumedRoleUser>\
             <Credentials><AccessKeyId>{}</AccessKeyId>\
             <SecretAccessKey>{}</SecretAccessKey>\
             <SessionToken>{}</SessionToken><Expiration>{}</Expiration></Credentials>\
             </{action}Result><ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-EXAMPLE</RequestId>\
             </ResponseMetadata></{action}Response>",
            issued_key_id(action),
            issued_secret(action),
            issued_token(action),
            in_secs(duration)
        ),
    )
}

/// Verifies `AssumeRole`'s SigV4 `Authorization` header with the crate's verifier, and that
/// `x-amz-content-sha256` is the body's hash.
fn verify_signature(s: &Sts, req: &Seen) -> Result<(), String> {
    let hash = hex::encode(Sha256::digest(&req.body));
    if req.header("x-amz-content-sha256") != Some(hash.as_str()) {
        return Err("x-amz-content-sha256 is not the body's hash".into());
    }
    // The caller, or credentials this double issued (a chained role).
    let known = [
        Credentials::new(s.caller.0.clone(), s.caller.1.clone()),
        Credentials::new(issued_key_id("AssumeRole"), issued_secret("AssumeRole"))
            .with_session_token(issued_token("AssumeRole")),
    ];
    let verifier =
        Verifier::new(move |id: &str| known.iter().find(|c| c.access_key_id() == id).cloned())
            .with_region(&s.region)
            .with_service("sts");
    let headers: Vec<(&str, &str)> = req
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let incoming = IncomingRequest::new(&req.method, &req.path, &req.query, &headers);
    let now = AmzDate::now().map_err(|e| e.to_string())?;
    verifier
        .verify(&incoming, now)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn sts_answer(s: &Sts, req: &Seen) -> Answer {
    if req.method != "POST" {
        return error(400, "InvalidAction", "STS takes POST");
    }
    let form = parse_form(&req.body);
    if form.get("Version").map(String::as_str) != Some("2011-06-15") {
        return error(400, "InvalidParameterValue", "Version must be 2011-06-15");
    }
    let action = form.get("Action").cloned().unwrap_or_default();
    let role_known = form.get("RoleArn").is_some_and(|r| s.roles.contains(r));
    let has_session = form.get("RoleSessionName").is_some_and(|n| !n.is_empty());
    match action.as_str() {
        "AssumeRole" => {
            if let Err(why) = verify_signature(s, req) {
                return error(403, "SignatureDoesNotMatch", &why);
            }
            if !has_session {
                return error(400, "ValidationError", "RoleSessionName is required");
            }
            if !role_known {
                return error(
                    403,
                    "AccessDenied",
                    "User is not authorized to perform: sts:AssumeRole",
                );
            }
            credentials_xml("AssumeRole", &form)
        }
        "AssumeRoleWithWebIdentity" => {
            if form.get("WebIdentityToken") != Some(&s.web_identity_token) {
                return error(
                    400,
                    "InvalidIdentityToken",
                    "The web identity token is not valid",
                );
            }
            if !role_known {
                return error(
                    403,
                    "AccessDenied",
                    "Not authorized to perform sts:AssumeRoleWithWebIdentity",
                );
            }
            credentials_xml("AssumeRoleWithWebIdentity", &form)
        }
        _ => error(400, "InvalidAction", "unknown action"),
    }
}

/// Starts the STS double.
pub async fn sts(state: Sts) -> (Server, Arc<StsLog>) {
    let log = Arc::new(StsLog::default());
    let l = Arc::clone(&log);
    let handler: Handler = Arc::new(move |req: &Seen| {
        l.calls.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut forms) = l.forms.lock() {
            forms.push(parse_form(&req.body));
        }
        sts_answer(&state, req)
    });
    (serve(handler).await, log)
}

/// What the SSO portal double accepts.
#[derive(Debug, Clone)]
pub struct Portal {
    pub access_token: String,
    pub account_id: String,
    pub role_name: String,
}

/// The session token the portal double issues.
pub const SSO_SESSION_TOKEN: &str = "IQoJb3JpZ2luX2VjEsso-session-token";

/// Starts the portal double: `GET /federation/credentials?account_id=..&role_name=..`
/// with `x-amz-sso_bearer_token`; a wrong token is 401 (`UnauthorizedException`), an
/// unknown account or role 403 (`ForbiddenException`).
pub async fn portal(state: Portal) -> (Server, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = Arc::clone(&calls);
    let handler: Handler = Arc::new(move |req: &Seen| {
        c.fetch_add(1, Ordering::SeqCst);
        if req.method != "GET" || req.path != "/federation/credentials" {
            return Answer::text(404, "");
        }
        if req.header("x-amz-sso_bearer_token") != Some(state.access_token.as_str()) {
            return Answer::new(
                401,
                "application/json",
                r#"{"message":"Session token not found or invalid"}"#,
            );
        }
        let q = parse_form(req.query.as_bytes());
        if q.get("account_id") != Some(&state.account_id)
            || q.get("role_name") != Some(&state.role_name)
        {
            return Answer::new(403, "application/json", r#"{"message":"No access"}"#);
        }
        let expires_ms = (AmzDate::now().expect("clock").unix_timestamp() + 3600) * 1000;
        let doc = serde_json::json!({"roleCredentials": {
            "accessKeyId": "ASIASSOEXAMPLE",
            "secretAccessKey": "sso-secret",
            "sessionToken": SSO_SESSION_TOKEN,
            "expiration": expires_ms,
        }});
        Answer::new(200, "application/json", doc.to_string())
    });
    (serve(handler).await, calls)
}
