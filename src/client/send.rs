//! The thin send step over reqwest (feature `client`): one retry and clock-skew loop for
//! every request, whether its answer is read whole or streamed.

use std::sync::atomic::Ordering;
use std::vec::Vec;

use super::builder::Client;
use super::error::{Error, Result};
use super::operation::Spec;
use super::request::{Addressed, BodySigning, EmbeddedError, Idempotency, RequestSpec};
use super::response::{self, MAX_ERROR_BODY, Response};
use crate::AmzDate;

/// How an answer's body is read once its status is a success.
pub(crate) trait ReadBody {
    type Out: Send;
    fn read(
        resp: reqwest::Response,
        embedded: EmbeddedError,
    ) -> impl Future<Output = Result<Self::Out>> + Send;
}

/// The whole body, checked for an embedded `<Error>` where S3 may put one.
pub(crate) struct Whole;

impl ReadBody for Whole {
    type Out = Response;
    async fn read(resp: reqwest::Response, embedded: EmbeddedError) -> Result<Response> {
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = resp.bytes().await.map_err(Error::transport)?;
        response::check(status, headers, body, embedded)
    }
}

/// The body left unread, for the caller to stream.
pub(crate) struct Streaming;

impl ReadBody for Streaming {
    type Out = reqwest::Response;
    async fn read(resp: reqwest::Response, _: EmbeddedError) -> Result<reqwest::Response> {
        Ok(resp)
    }
}

/// Reads at most `cap` bytes of a body, then drops the connection's remainder.
async fn read_capped(mut resp: reqwest::Response, cap: usize) -> Vec<u8> {
    let mut out = Vec::new();
    while out.len() < cap {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                let take = chunk.len().min(cap - out.len());
                out.extend_from_slice(&chunk[..take]);
            }
            Ok(None) | Err(_) => break,
        }
    }
    out
}

impl Client {
    /// Runs an operation: its request with retries, then its parser.
    pub(crate) async fn run<S: Spec>(&self, op: &S) -> Result<S::Output> {
        let resp = self.execute(op.spec()?).await?;
        op.parse(resp)
    }

    /// Sends `spec` with retries and reads the whole body.
    pub(crate) async fn execute(&self, spec: RequestSpec<'_>) -> Result<Response> {
        self.send::<Whole>(&spec).await
    }

    /// Sends `spec` with retries and returns the answer with its body unread.
    pub(crate) async fn execute_streaming(
        &self,
        spec: RequestSpec<'_>,
    ) -> Result<reqwest::Response> {
        self.send::<Streaming>(&spec).await
    }

    /// The one retry loop: addresses once, signs every attempt afresh, retries what may
    /// be retried and resends once after learning the server's clock.
    async fn send<R: ReadBody>(&self, spec: &RequestSpec<'_>) -> Result<R::Out> {
        let addressed = Addressed::new(&self.inner.endpoint, spec)?;
        let mut attempt = 1;
        let mut skew_fixed = false;
        loop {
            let body = reqwest::Body::from(spec.body.clone());
            let result = match self
                .send_once(&addressed, spec, body, BodySigning::Buffered)
                .await
            {
                Ok(resp) => R::read(resp, spec.embedded_error).await,
                Err(e) => Err(e),
            };
            match result {
                Err(e) if !skew_fixed && self.learn_clock_skew(&e) => skew_fixed = true,
                Err(e) if self.should_retry(spec, &e, attempt) => {
                    tokio::time::sleep(self.inner.retry.backoff(attempt)).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// Sends `spec` once with a streamed body (signed as `UNSIGNED-PAYLOAD`), reading the
    /// whole answer. Not retried: the body cannot be replayed.
    pub(crate) async fn execute_with_stream(
        &self,
        spec: RequestSpec<'_>,
        body: reqwest::Body,
    ) -> Result<Response> {
        let addressed = Addressed::new(&self.inner.endpoint, &spec)?;
        let resp = self
            .send_once(&addressed, &spec, body, BodySigning::Streamed)
            .await?;
        Whole::read(resp, spec.embedded_error).await
    }

    /// Signs and sends one attempt. A status >= 300 becomes an [`Error`], from at most
    /// [`MAX_ERROR_BODY`] bytes of its body.
    async fn send_once(
        &self,
        addressed: &Addressed,
        spec: &RequestSpec<'_>,
        body: reqwest::Body,
        signing: BodySigning,
    ) -> Result<reqwest::Response> {
        let signer = self.signer().await?;
        let region = self.inner.endpoint.region();
        let req = addressed.sign(spec, &signer, region, self.now()?, signing)?;
        let req = reqwest::Request::try_from(req.map(|_| body))
            .map_err(|_| Error::invalid_input("the request URL could not be parsed"))?;
        let resp = self
            .inner
            .http
            .execute(req)
            .await
            .map_err(Error::transport)?;
        let status = resp.status().as_u16();
        if !response::is_error_status(status) {
            return Ok(resp);
        }
        let headers = resp.headers().clone();
        let body = read_capped(resp, MAX_ERROR_BODY).await;
        Err(response::service_error(status, &headers, &body))
    }

    /// On `RequestTimeTooSkewed`, remembers the offset to the server's clock and says
    /// whether to resend: the server refused the request unread, so any request may be
    /// sent again (once) with a corrected date.
    fn learn_clock_skew(&self, e: &Error) -> bool {
        let (true, Some(server)) = (e.is_clock_skew(), e.server_time()) else {
            return false;
        };
        let Ok(local) = AmzDate::now() else {
            return false;
        };
        self.inner.clock_skew.store(
            server.saturating_sub(local.unix_timestamp()),
            Ordering::Relaxed,
        );
        true
    }

    fn should_retry(&self, spec: &RequestSpec<'_>, e: &Error, attempt: u32) -> bool {
        spec.idempotency == Idempotency::Idempotent
            && attempt < self.inner.retry.attempts()
            && e.is_retryable()
    }
}
