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
//! 4. records each response's status and rate-limit headers for error classification;
//! 5. reads the body of the answer it hands back, at most
//!    [`max_response_body`](crate::ClientBuilder::max_response_body) bytes
//!    ([`MAX_ERROR_BODY`] for an error status); past that the call fails with
//!    [`Error::ResponseTooLarge`](crate::Error::ResponseTooLarge) and the connection is dropped.
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
//! `Accept: text/event-stream`, and its body is never retried nor read whole (the event parser
//! has its own limits); an error answer's body is capped as any other.
//!
//! # Redirects
//!
//! A facade [`Client`](crate::Client) builds its `reqwest::Client` with
//! [`redirect_policy`](crate::redirect_policy): redirects are followed within the base URL's
//! origin only, and a redirect to another origin is handed back as its 3xx answer (the facade
//! turns it into an [`Error::Api`](crate::Error::Api) naming only the target's origin). A
//! `reqwest::Client` you inject yourself must use that policy too, or `Policy::none()`:
//! reqwest strips only `Authorization` and cookies on a cross-origin redirect, not `api-key`.

mod body;
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
use crate::raw::operations::{self, Operation};

pub use body::{DEFAULT_MAX_RESPONSE_BODY, MAX_ERROR_BODY};
pub use rate_limit::RateLimitConfig;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use redis_limit::RedisRateLimit;
pub use retry::RetryConfig;

pub(crate) use rate_limit::{Class, RateLimiter};

/// The header PlayFlow reads the API key from.
pub(crate) const API_KEY_HEADER: &str = "api-key";

/// Operations whose answer is a long-lived stream: no whole-request timeout. Generated
/// constants, so a renamed operation cannot quietly lose its streaming setup.
const STREAMING_OPERATIONS: &[Operation] = &[operations::SUBSCRIBE_LOBBY_EVENTS];

/// Whether the operation the generated code names (`info.operation_id`) streams its answer.
fn is_streaming(operation_id: &str) -> bool {
    STREAMING_OPERATIONS
        .iter()
        .any(|op| op.name == operation_id)
}

/// The per-request timeout given to streaming operations: in effect none (a year), while
/// overriding the client's whole-request timeout.
const STREAM_TIMEOUT: Duration = Duration::from_secs(365 * 24 * 60 * 60);

/// The operation that needs no key.
const UNAUTHENTICATED_OPERATION: Operation = operations::GET_HEALTH;

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
#[derive(Clone)]
pub struct Transport {
    api_key: Option<HeaderValue>,
    /// The only origin the key is sent to.
    key_origin: Option<url::Origin>,
    retry: Option<RetryConfig>,
    limiter: Option<Arc<RateLimiter>>,
    /// The cap of a response body ([`DEFAULT_MAX_RESPONSE_BODY`] unless configured).
    max_body: u64,
}

impl Default for Transport {
    fn default() -> Self {
        Self {
            api_key: None,
            key_origin: None,
            retry: None,
            limiter: None,
            max_body: DEFAULT_MAX_RESPONSE_BODY,
        }
    }
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
            .field("max_body", &self.max_body)
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
            retry: retry.filter(|r| r.get_max_retries() > 0),
            limiter,
            max_body: DEFAULT_MAX_RESPONSE_BODY,
        })
    }

    /// The same transport with this response-body cap.
    pub(crate) fn with_max_body(mut self, max_body: u64) -> Self {
        self.max_body = max_body;
        self
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
        if same_origin && info.operation_id != UNAUTHENTICATED_OPERATION.name {
            request.headers_mut().insert(API_KEY_HEADER, key.clone());
        }
        // A key is never sent anywhere else: not from us, nor left over from the caller.
        if !same_origin {
            request.headers_mut().remove(API_KEY_HEADER);
        }
    }

    /// Send `request` (with retries), then read the body of the answer under its cap, except
    /// for an event stream's.
    async fn execute(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let response = self.send(client, request, info).await?;
        if is_streaming(info.operation_id) && response.status().is_success() {
            return Ok(response);
        }
        body::buffer(response, self.max_body, info.operation_id).await
    }

    async fn send(
        &self,
        client: &reqwest::Client,
        mut request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        self.authorize(&mut request, info);
        call_scope::begin(info.operation_id);
        if let Some(key) = &self.api_key {
            call_scope::note_secret(key);
        }
        // Facade or raw, a registry that echoes the password must not leak it.
        if let Some(password) = registry_password(&request, info) {
            call_scope::note_text_secret(&password);
        }
        if is_streaming(info.operation_id) {
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
        // An idempotent answer is read whole here, so that a body that fails after the head
        // (reset, cut short, stalled past the timeout) is retried like any other failure.
        let buffer = idempotent && schedule.is_some() && !is_streaming(info.operation_id);
        let mut attempt = 1;
        loop {
            // Keep a copy while a retry is possible (a streamed body cannot be copied).
            let spare = schedule.as_ref().and_then(|_| request.try_clone());
            if let Some(limiter) = &self.limiter {
                limiter.acquire(class).await;
            }
            // Boxed: reqwest's future and the body read are large, and every facade call's
            // future would carry them on the caller's stack.
            let outcome = Box::pin(self.attempt(client, request, info, attempt, buffer)).await;
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

    /// Scrubs this transport's key (and every registered secret) from traced text.
    fn redactor(&self) -> crate::error::Redactor {
        let key = self.api_key.as_ref().and_then(|k| k.to_str().ok());
        crate::error::Redactor::new(key.unwrap_or_default())
    }

    /// One attempt, in its tracing span.
    async fn attempt(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        info: &OperationInfo,
        attempt: u32,
        buffer: bool,
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
        let outcome = async {
            let response = client.execute(request).await?;
            if buffer {
                retry::read_whole(response).await
            } else {
                Ok(response)
            }
        }
        .instrument(span.clone())
        .await;
        // Microsecond precision is plenty, and prints short.
        let latency_ms = (started.elapsed().as_secs_f64() * 1e6).round() / 1e3;
        span.record("latency_ms", latency_ms);
        match &outcome {
            Ok(response) => {
                span.record("status", response.status().as_u16());
                tracing::debug!(parent: &span, status = response.status().as_u16(), latency_ms, "response");
            }
            Err(e) => {
                let error = self.redactor().clean(&describe(e));
                tracing::debug!(parent: &span, error = %error, latency_ms, "request failed");
            }
        }
        outcome
    }
}

/// The registry password a Docker-image build request carries, if any.
fn registry_password(request: &reqwest::Request, info: &OperationInfo) -> Option<String> {
    if info.operation_id != "create_build_from_docker_image" {
        return None;
    }
    let body: serde_json::Value = serde_json::from_slice(request.body()?.as_bytes()?).ok()?;
    let password = body
        .get("registry_credentials")?
        .get("password")?
        .as_str()?;
    Some(password.to_owned())
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
