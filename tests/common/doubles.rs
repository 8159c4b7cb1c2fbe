//! A minimal loopback HTTP/1.1 server for the credential endpoint doubles: each request is
//! read whole and handed to a synchronous handler that returns the answer (and an optional
//! delay, to play a slow endpoint).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder as ConnBuilder;
use tokio::net::TcpListener;

/// A request as the double sees it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: String,
    /// Names lowercased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the double answers.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
    /// Wait this long before answering.
    pub delay: Option<Duration>,
}

impl Answer {
    pub fn new(status: u16, content_type: &'static str, body: impl Into<String>) -> Self {
        Self {
            status,
            content_type,
            body: body.into(),
            delay: None,
        }
    }

    pub fn text(status: u16, body: impl Into<String>) -> Self {
        Self::new(status, "text/plain", body)
    }
}

pub type Handler = Arc<dyn Fn(&Seen) -> Answer + Send + Sync>;

/// A running double; dropping it stops the server.
pub struct Server {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves `handler` on 127.0.0.1 (a free port).
pub async fn serve(handler: Handler) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            let handler = Arc::clone(&handler);
            tokio::spawn(async move {
                let svc = service_fn(move |req: hyper::Request<Incoming>| {
                    let handler = Arc::clone(&handler);
                    async move { Ok::<_, Infallible>(respond(&handler, req).await) }
                });
                let _ = ConnBuilder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(socket), svc)
                    .await;
            });
        }
    });
    Server { addr, task }
}

async fn respond(handler: &Handler, req: hyper::Request<Incoming>) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes().to_vec())
        .unwrap_or_default();
    let seen = Seen {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().unwrap_or("").to_owned(),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
    };
    let answer = handler(&seen);
    if let Some(d) = answer.delay {
        tokio::time::sleep(d).await;
    }
    hyper::Response::builder()
        .status(answer.status)
        .header("content-type", answer.content_type)
        .body(Full::new(Bytes::from(answer.body)))
        .expect("response")
}

/// A loopback port with nothing listening (bound, then closed).
pub async fn dead_port() -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    l.local_addr().expect("addr")
}

/// An RFC 3339 time `secs` from now.
pub fn in_secs(secs: i64) -> String {
    let now = s3presign::AmzDate::now().expect("clock").unix_timestamp();
    s3presign::AmzDate::from_unix_timestamp(now + secs)
        .expect("time")
        .to_rfc3339()
}
