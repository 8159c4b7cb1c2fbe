//! Doubles of the EC2 instance metadata service (IMDSv2) and of the container credentials
//! endpoint (ECS, EKS Pod Identity), following their documented protocols.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use super::doubles::{Answer, Handler, Seen, Server, in_secs, serve};

/// What the IMDS double holds.
#[derive(Debug, Clone)]
pub struct Imds {
    /// The instance profile's role (`None`: no profile attached).
    pub role: Option<String>,
    pub region: String,
    pub access_key_id: String,
    pub secret: String,
    pub session_token: String,
    /// Answer every request this late.
    pub delay: Option<Duration>,
    /// The role name the listing shows, if not `role` (an instance profile swapped
    /// between the two requests: its credentials path is then 404).
    pub listed_role: Option<String>,
}

impl Default for Imds {
    fn default() -> Self {
        Self {
            role: Some("app-role".into()),
            region: "eu-west-1".into(),
            access_key_id: "ASIAIMDSEXAMPLE".into(),
            secret: "imds-secret".into(),
            session_token: "imds-session-token".into(),
            delay: None,
            listed_role: None,
        }
    }
}

/// Counters of a running double.
#[derive(Debug, Default)]
pub struct Hits {
    pub tokens: AtomicUsize,
    pub credentials: AtomicUsize,
    pub unauthorized: AtomicUsize,
}

impl Hits {
    pub fn get(c: &AtomicUsize) -> usize {
        c.load(Ordering::SeqCst)
    }
}

const TOKEN: &str = "AQAEAImdsSessionToken==";
const CREDS: &str = "/latest/meta-data/iam/security-credentials/";

/// Starts the IMDSv2 double:
/// - `PUT /latest/api/token` needs `X-aws-ec2-metadata-token-ttl-seconds` between 1 and
///   21600 (400 otherwise) and answers the session token; `GET` there is 405 (IMDSv2 only);
/// - every `GET` needs `X-aws-ec2-metadata-token` equal to that token (401 without it or
///   with another);
/// - `/latest/meta-data/iam/security-credentials/` lists the role, `.../<role>` its
///   credentials document, any other role 404; `/latest/meta-data/placement/region`.
pub async fn imds(state: Imds) -> (Server, Arc<Hits>) {
    let hits = Arc::new(Hits::default());
    let h = Arc::clone(&hits);
    let handler: Handler = Arc::new(move |req: &Seen| {
        let mut a = imds_answer(&state, &h, req);
        a.delay = state.delay;
        a
    });
    (serve(handler).await, hits)
}

fn imds_answer(s: &Imds, hits: &Hits, req: &Seen) -> Answer {
    if req.path == "/latest/api/token" {
        if req.method != "PUT" {
            return Answer::text(405, "");
        }
        let ttl = req
            .header("x-aws-ec2-metadata-token-ttl-seconds")
            .and_then(|v| v.parse::<u32>().ok());
        return match ttl {
            Some(1..=21600) => {
                hits.tokens.fetch_add(1, Ordering::SeqCst);
                Answer::text(200, TOKEN)
            }
            _ => Answer::text(400, ""),
        };
    }
    if req.method != "GET" {
        return Answer::text(405, "");
    }
    if req.header("x-aws-ec2-metadata-token") != Some(TOKEN) {
        hits.unauthorized.fetch_add(1, Ordering::SeqCst);
        return Answer::text(401, "");
    }
    if req.path == "/latest/meta-data/placement/region" {
        return Answer::text(200, s.region.clone());
    }
    let Some(rest) = req.path.strip_prefix(CREDS) else {
        return Answer::text(404, "");
    };
    match (&s.role, rest) {
        (None, _) => Answer::text(404, ""),
        (Some(role), "") => {
            Answer::text(200, s.listed_role.clone().unwrap_or_else(|| role.clone()))
        }
        (Some(role), r) if r == role => {
            hits.credentials.fetch_add(1, Ordering::SeqCst);
            let doc = serde_json::json!({
                "Code": "Success",
                "LastUpdated": in_secs(0),
                "Type": "AWS-HMAC",
                "AccessKeyId": s.access_key_id,
                "SecretAccessKey": s.secret,
                "Token": s.session_token,
                "Expiration": in_secs(6 * 3600),
            });
            Answer::new(200, "text/plain", doc.to_string())
        }
        _ => Answer::text(404, ""),
    }
}

/// What the container endpoint double holds.
#[derive(Debug, Clone)]
pub struct Container {
    pub path: String,
    /// The `Authorization` value required (`None`: none required).
    pub authorization: Option<String>,
    pub access_key_id: String,
    pub secret: String,
    pub session_token: String,
}

impl Default for Container {
    fn default() -> Self {
        Self {
            path: "/v2/credentials/task-1".into(),
            authorization: None,
            access_key_id: "ASIACONTAINEREXAMPLE".into(),
            secret: "container-secret".into(),
            session_token: "container-session-token".into(),
        }
    }
}

/// Starts the container credentials double: `GET <path>` answers the credentials document
/// (`AccessKeyId`, `SecretAccessKey`, `Token`, `Expiration`, `RoleArn`); a missing or wrong
/// `Authorization` is 401, another path 404.
pub async fn container(state: Container) -> (Server, Arc<Hits>) {
    let hits = Arc::new(Hits::default());
    let h = Arc::clone(&hits);
    let handler: Handler = Arc::new(move |req: &Seen| {
        if let Some(want) = &state.authorization
            && req.header("authorization") != Some(want.as_str())
        {
            h.unauthorized.fetch_add(1, Ordering::SeqCst);
            return Answer::new(
                401,
                "application/json",
                r#"{"code":"AccessDenied","message":"invalid authorization token"}"#,
            );
        }
        if req.method != "GET" || req.path != state.path {
            return Answer::text(404, "");
        }
        h.credentials.fetch_add(1, Ordering::SeqCst);
        let doc = serde_json::json!({
            "RoleArn": "arn:aws:iam::123456789012:role/task",
            "AccessKeyId": state.access_key_id,
            "SecretAccessKey": state.secret,
            "Token": state.session_token,
            "Expiration": in_secs(6 * 3600),
        });
        Answer::new(200, "application/json", doc.to_string())
    });
    (serve(handler).await, hits)
}
