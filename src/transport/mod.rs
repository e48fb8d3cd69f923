//! The transport under every request of the generated client.
//!
//! progenitor calls [`ClientHooks::exec`] for each operation; our implementation for
//! [`raw::Client`] hands the request to [`Transport`], which, for a facade
//! [`Client`](crate::Client):
//!
//! 1. adds the API key in the `api-key` header (marked sensitive), only when the request goes to
//!    the base URL's origin, and never to the health check;
//! 2. waits for the client's rate limiter ([`RateLimitConfig`]; reads and writes separately);
//! 3. sends the request, and retries it when that is safe ([`RetryConfig`]);
//! 4. records each response's status and rate-limit headers for error classification.
//!
//! # Tracing
//!
//! Each attempt runs in a `DEBUG` span named `playflow.request` with the fields `operation`
//! (the spec's operationId, snake_case), `method`, `path` (the spec's path template, e.g.
//! `/api/v3/servers/{instance_id}`; never a query string), `attempt`
//! (from 1), and, once known, `status` and `latency_ms`. A `DEBUG` event reports each response
//! or failure; an `INFO` event reports each retry with its delay. Keys and header values are
//! never recorded. The wait for the rate limiter runs before each attempt in a `DEBUG` span
//! named `playflow.rate_limit` with the field `class` (`read` or `write`).
//!
//! # Lobby events
//!
//! `subscribe_lobby_events` answers with a server-sent event stream that stays open. It gets
//! no whole-request timeout (the connect timeout still applies), is sent with
//! `Accept: text/event-stream`, and its body is never retried.
//!
//! # Redirects
//!
//! A facade [`Client`](crate::Client) builds its `reqwest::Client` with
//! [`redirect_policy`](crate::redirect_policy): redirects are followed within the base URL's
//! origin only, and a redirect to another origin is handed back as its 3xx answer (the facade
//! turns it into an [`Error::Api`](crate::Error::Api) naming only the target's origin). A
//! `reqwest::Client` you inject yourself must use that policy too, or `Policy::none()`:
//! reqwest strips only `Authorization` and cookies on a cross-origin redirect, not `api-key`.

pub(crate) mod call_scope;
pub(crate) mod headers;
mod rate_limit;
#[cfg(feature = "redis")]
mod redis_limit;
pub(crate) mod retry;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use progenitor_client::{ClientHooks, OperationInfo};
use reqwest::header::HeaderValue;
use tokio::time::Instant;
use tracing::Instrument;

use crate::raw;

pub use rate_limit::RateLimitConfig;
#[cfg(feature = "redis")]
pub use redis_limit::RedisRateLimit;
pub use retry::RetryConfig;

pub(crate) use rate_limit::{Class, RateLimiter};

/// The header PlayFlow reads the API key from.
pub(crate) const API_KEY_HEADER: &str = "api-key";

/// Operations whose answer is a long-lived stream: no whole-request timeout.
const STREAMING_OPERATIONS: &[&str] = &["subscribe_lobby_events"];

/// The per-request timeout given to streaming operations: in effect none (a year), while
/// overriding the client's whole-request timeout.
const STREAM_TIMEOUT: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// The operation that needs no key.
const UNAUTHENTICATED_OPERATION: &str = "get_health";

/// What runs each request of a [`raw::Client`].
///
/// `Transport::default()` sends each request once, as it is (set the `api-key` header
/// yourself), inside a tracing span. A facade [`Client`](crate::Client) builds one that adds
/// its key, rate-limits and retries; [`Client::raw`](crate::Client::raw) gives you a generated
/// client that uses it.
///
/// ```
/// let transport = playflow::transport::Transport::default();
/// let raw = playflow::raw::Client::new_with_client(
///     "http://127.0.0.1:8080",
///     reqwest::Client::new(),
///     transport,
/// );
/// # let _ = raw;
/// ```
#[derive(Clone, Default)]
pub struct Transport {
    api_key: Option<HeaderValue>,
    /// The only origin the key is sent to.
    key_origin: Option<url::Origin>,
    retry: Option<RetryConfig>,
    limiter: Option<Arc<RateLimiter>>,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field(
                "key_origin",
                &self
                    .key_origin
                    .as_ref()
                    .map(url::Origin::ascii_serialization),
            )
            .field("retry", &self.retry)
            .field("limiter", &self.limiter)
            .finish()
    }
}

impl Transport {
    /// The transport of a facade client: `key` for `base_url`'s origin, with the given retry
    /// policy and rate limits (`None` disables each).
    pub(crate) fn for_client(
        key: &str,
        base_url: &url::Url,
        retry: Option<RetryConfig>,
        rate_limit: Option<RateLimitConfig>,
    ) -> crate::Result<Self> {
        let mut value =
            HeaderValue::from_str(key).map_err(|_| crate::KeyError::InvalidCharacters)?;
        value.set_sensitive(true);
        let limiter = rate_limit.map(RateLimiter::new).transpose()?.map(Arc::new);
        Ok(Self {
            api_key: Some(value),
            key_origin: Some(base_url.origin()),
            retry: retry.filter(|r| r.retries() > 0),
            limiter,
        })
    }

    /// The retry policy of the client's calls (`None`: none), which the presigned upload,
    /// sent outside the transport, follows too.
    pub(crate) fn retry_config(&self) -> Option<RetryConfig> {
        self.retry
    }

    /// Put the key on a request bound for the base URL's origin.
    fn authorize(&self, request: &mut reqwest::Request, info: &OperationInfo) {
        let Some(key) = &self.api_key else { return };
        let same_origin = self
            .key_origin
            .as_ref()
            .is_some_and(|origin| *origin == request.url().origin());
        if same_origin && info.operation_id != UNAUTHENTICATED_OPERATION {
            request.headers_mut().insert(API_KEY_HEADER, key.clone());
        }
        // A key is never sent anywhere else: not from us, nor left over from the caller.
        if !same_origin {
            request.headers_mut().remove(API_KEY_HEADER);
        }
    }

    async fn execute(
        &self,
        client: &reqwest::Client,
        mut request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        self.authorize(&mut request, info);
        if let Some(key) = &self.api_key {
            call_scope::note_secret(key);
        }
        if STREAMING_OPERATIONS.contains(&info.operation_id) {
            *request.timeout_mut() = Some(STREAM_TIMEOUT);
            // The spec asks for it; progenitor sends no Accept for a non-JSON answer.
            request.headers_mut().insert(
                reqwest::header::ACCEPT,
                reqwest::header::HeaderValue::from_static("text/event-stream"),
            );
        }
        let class = Class::of(request.method());
        let idempotent = retry::is_idempotent(request.method());
        let mut schedule = self.retry.as_ref().map(RetryConfig::schedule);
        let mut attempt = 1;
        loop {
            // Keep a copy while a retry is possible (a streamed body cannot be copied).
            let spare = schedule.as_ref().and_then(|_| request.try_clone());
            if let Some(limiter) = &self.limiter {
                limiter.acquire(class).await;
            }
            let outcome = self.attempt(client, request, info, attempt).await;
            match &outcome {
                Ok(response) => {
                    if let Some(limiter) = &self.limiter {
                        limiter
                            .observe(class, response.status(), response.headers())
                            .await;
                    }
                    call_scope::record(response.status().as_u16(), response.headers());
                }
                Err(_) => call_scope::forget(),
            }
            let (Some(next), Some(plan)) = (spare, schedule.as_mut()) else {
                return outcome;
            };
            let Some(why) = retry::retryable(&outcome, idempotent) else {
                return outcome;
            };
            let Some(delay) = plan.next_delay(why.server_delay) else {
                return outcome;
            };
            tracing::info!(
                operation = info.operation_id,
                attempt,
                reason = why.reason,
                status = outcome.as_ref().ok().map(|r| r.status().as_u16()),
                delay_ms = delay.as_millis() as u64,
                "retrying PlayFlow call"
            );
            drop(outcome);
            tokio::time::sleep(delay).await;
            request = next;
            attempt += 1;
        }
    }

    /// One attempt, in its tracing span.
    async fn attempt(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        info: &OperationInfo,
        attempt: u32,
    ) -> reqwest::Result<reqwest::Response> {
        let span = tracing::debug_span!(
            "playflow.request",
            operation = info.operation_id,
            method = %request.method(),
            // The template, not the concrete path: ids stay out of the trace and spans of one
            // operation group together.
            path = crate::raw::operations::by_name(info.operation_id)
                .map_or_else(|| request.url().path(), |op| op.path),
            attempt,
            status = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        let started = Instant::now();
        let outcome = client.execute(request).instrument(span.clone()).await;
        // Microsecond precision is plenty, and prints short.
        let latency_ms = (started.elapsed().as_secs_f64() * 1e6).round() / 1e3;
        span.record("latency_ms", latency_ms);
        match &outcome {
            Ok(response) => {
                span.record("status", response.status().as_u16());
                tracing::debug!(parent: &span, status = response.status().as_u16(), latency_ms, "response");
            }
            Err(e) => {
                tracing::debug!(parent: &span, error = %describe(e), latency_ms, "request failed");
            }
        }
        outcome
    }
}

/// A reqwest error's kind and causes, without its URL (which may carry a query string).
fn describe(error: &reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timeout"
    } else if error.is_connect() {
        "connect error"
    } else if error.is_redirect() {
        "redirect error"
    } else {
        "request error"
    };
    let mut text = kind.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl ClientHooks<Transport> for raw::Client {
    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        use progenitor_client::ClientInfo;
        self.inner().execute(self.client(), request, info).await
    }
}
