//! The HTTP calls of the sources: one small reqwest client per source, every answer read
//! with a size limit, every call with a time limit.

use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;

use super::error::ProviderError;

/// Timeouts and attempts of one source's calls.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub connect: Duration,
    pub total: Duration,
    /// Attempts for answers worth retrying (transport errors, 5xx), at least 1.
    pub attempts: u32,
    /// The largest answer read; a longer one is an error.
    pub max_body: usize,
}

/// An answer: status and body.
pub(crate) struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Installs rustls's *ring* provider process-wide unless one is installed already
/// (reqwest is built with `rustls-no-provider`). The client's public
/// `install_crypto_provider` is this one.
pub(crate) fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Another thread may have won the race; either way one is installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// A client with these limits and no redirects (a credentials endpoint never redirects,
/// and following one could send a token elsewhere).
pub(crate) fn client(limits: &Limits, source: &str) -> Result<reqwest::Client, ProviderError> {
    install_crypto_provider();
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(limits.connect)
        .timeout(limits.total)
        .no_proxy()
        .build()
        .map_err(|e| ProviderError::failed(source, "cannot build the HTTP client").with_cause(e))
}

/// What went wrong in one attempt.
pub(crate) enum CallError {
    /// No connection or no answer in time (the message says which).
    Transport(String),
    /// The answer was larger than the limit.
    TooLarge,
}

/// Sends a request (built afresh for each attempt by `build`) and reads the answer, retrying
/// transport errors and 5xx answers up to `limits.attempts` times with a short pause.
pub(crate) async fn call(
    limits: &Limits,
    build: impl Fn() -> reqwest::RequestBuilder,
) -> Result<Answer, CallError> {
    let mut last = CallError::Transport(String::from("no attempt made"));
    for attempt in 0..limits.attempts.max(1) {
        if attempt > 0 {
            let pause = 50u64 << attempt.min(4);
            tokio::time::sleep(Duration::from_millis(pause + fastrand::u64(0..=pause))).await;
        }
        match once(limits, build()).await {
            Ok(a) if a.status >= 500 && attempt + 1 < limits.attempts => {
                last = CallError::Transport(alloc::format!("HTTP {}", a.status));
            }
            Ok(a) => return Ok(a),
            Err(CallError::TooLarge) => return Err(CallError::TooLarge),
            Err(e) => last = e,
        }
    }
    Err(last)
}

async fn once(limits: &Limits, req: reqwest::RequestBuilder) -> Result<Answer, CallError> {
    let mut resp = req
        .send()
        .await
        .map_err(|e| CallError::Transport(describe(&e)))?;
    let status = resp.status().as_u16();
    if resp
        .content_length()
        .is_some_and(|n| n > limits.max_body as u64)
    {
        return Err(CallError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| CallError::Transport(describe(&e)))?
    {
        if body.len() + chunk.len() > limits.max_body {
            return Err(CallError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Answer { status, body })
}

/// A transport error in words, without the URL's query (none of our URLs carry secrets in
/// it, but the SSO portal's names an account).
fn describe(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "the request failed"
    };
    match e.url() {
        Some(u) => alloc::format!("{what} ({}://{}{})", u.scheme(), host_port(u), u.path()),
        None => String::from(what),
    }
}

fn host_port(u: &reqwest::Url) -> String {
    match (u.host_str(), u.port()) {
        (Some(h), Some(p)) => alloc::format!("{h}:{p}"),
        (Some(h), None) => String::from(h),
        _ => String::new(),
    }
}

impl CallError {
    /// The error for `source`, with what was asked.
    pub(crate) fn into_provider(self, source: &str, what: &str, limit: usize) -> ProviderError {
        match self {
            CallError::Transport(m) => ProviderError::failed(source, alloc::format!("{what}: {m}")),
            CallError::TooLarge => ProviderError::failed(
                source,
                alloc::format!("{what}: the answer is larger than {limit} bytes"),
            ),
        }
    }
}
