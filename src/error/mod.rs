//! The one error type of the facade.
//!
//! Every failure is an [`Error`]: an API answer (by status class), a transport failure, a body
//! that did not decode, or input refused before any request. Nothing in it ever contains the API
//! key or a presigned URL's query string.
//!
//! The module is a leaf: it imports nothing of the crate but the generated types. Its files:
//! this one ([`Error`]), `api` (the API's error answers), `failure` (failures without an
//! answer: transport, decode, input), `classify` (generated-layer errors to [`Error`], from the
//! call context the caller passes in), `lenient` (an error answer's message, whatever the
//! body's layout), `redact` (the one redactor: every secret the client holds, scrubbed from
//! every text that can reach an error or a trace) and `text` (server text as `Display` shows
//! it: cut short and escaped).
//!
//! `Display` of an error is its own message; what caused it is its
//! [`source`](std::error::Error::source) chain, so `anyhow`'s `{:#}` (or the CLI) prints each
//! cause once, down to the root one (`Connection refused`).

mod api;
mod classify;
mod failure;
mod lenient;
mod redact;
mod text;

use std::fmt;
use std::time::Duration;

pub use api::{ApiError, ErrorDetail, LocPart, RateLimited, ValidationIssue};
pub(crate) use classify::{CallContext, ErrorBody, Locate, ResponseInfo, from_raw, from_status};
pub use failure::{DecodeError, InvalidInput, OutcomeUnknown, ResponseTooLarge, TransportError};
pub(crate) use redact::{Redactor, SecretGuard, register as register_secret};

/// Result of every facade call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong calling PlayFlow.
///
/// ```
/// use playflow::Error;
/// fn advice(err: &Error) -> &'static str {
///     match err {
///         Error::NotFound(_) => "check the id",
///         Error::RateLimited(_) => "slow down",
///         e if e.is_retryable() => "try again",
///         _ => "give up",
///     }
/// }
/// # let _ = advice;
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// 401: the API key is missing, unknown or revoked.
    Unauthorized(Box<ApiError>),
    /// 403: the key may not make this call (a client key on a server-only call, not the host, ...).
    Forbidden(Box<ApiError>),
    /// 404: the resource does not exist (or the player is in no lobby).
    NotFound(Box<ApiError>),
    /// 429: over the rate limit.
    RateLimited(Box<RateLimited>),
    /// Any other error status (400, 409, 422, 5xx, ...).
    Api(Box<ApiError>),
    /// The request or the response took longer than the configured timeout.
    Timeout(TransportError),
    /// The request could not be sent or the response not read (connection refused, reset, TLS).
    Transport(TransportError),
    /// A response arrived but its body is not what the spec describes.
    Decode(DecodeError),
    /// Input refused before any request was sent.
    InvalidInput(InvalidInput),
    /// A tagged start whose outcome the client could not settle (see [`OutcomeUnknown`]).
    OutcomeUnknown(Box<OutcomeUnknown>),
    /// A response body past the client's cap
    /// ([`ClientBuilder::max_response_body`](crate::ClientBuilder::max_response_body)); the
    /// rest of it was not read.
    ResponseTooLarge(ResponseTooLarge),
}

impl Error {
    /// Whether making the same call again is both safe and may succeed.
    ///
    /// The failure must be one that can pass (a timeout, a transport failure other than a
    /// redirect loop, 408, 429 or 500–504), **and** a second attempt must not risk doing the
    /// work twice: either the call is idempotent (`GET`, `PUT`, `DELETE`, ...), or the request
    /// provably never reached the server ([`outcome_unknown`](Self::outcome_unknown) is
    /// `false`: the connection or the name lookup failed, or the server answered 429 or 408
    /// without acting). So a `POST /servers/start` answered 503, or reset after it was sent,
    /// is **not** retryable: the server may have started it. Use
    /// [`StartServer::idempotency_tag`](crate::servers::StartServer::idempotency_tag) for
    /// starts you want to repeat safely. The client already retried what it could before
    /// returning the error.
    ///
    /// An error built by hand ([`ApiError::new`], no operation) is judged by its status alone.
    ///
    /// ```
    /// let err = playflow::Error::InvalidInput(playflow::InvalidInput::new("ttl", "below 60 s"));
    /// assert!(!err.is_retryable());
    /// let unavailable = playflow::Error::Api(Box::new(playflow::ApiError::new(503, "down")));
    /// assert!(unavailable.is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        let passing = match self {
            Self::Timeout(_) | Self::RateLimited(_) => true,
            // A redirect loop or a refused cross-origin redirect will not change by itself.
            Self::Transport(e) => !e.is_redirect(),
            Self::Api(e) => matches!(e.status, 408 | 500..=504),
            _ => false,
        };
        passing && (!self.outcome_unknown() || self.idempotent().unwrap_or(true))
    }

    /// Whether the request may have reached the server and the client does not know what the
    /// server did with it: it was sent, then the answer was a 500–504, or never came (a
    /// timeout, a reset, a body cut short), or came as a success that did not decode; and a
    /// tagged start whose recovery could not settle it ([`Error::OutcomeUnknown`]).
    ///
    /// `false` when the request provably never reached the server (connection refused, name
    /// lookup failed, a connect timeout, input refused before any request), and when the
    /// server answered in a way that says it did not act (4xx, including 408 and 429).
    ///
    /// For an idempotent call this is harmless (a retry has the same effect). For any other
    /// call (starting a server, creating a lobby, asking for an upload URL) it means: find
    /// out before trying again, or you may do it twice.
    ///
    /// ```
    /// let refused = playflow::Error::InvalidInput(playflow::InvalidInput::new("ttl", "below 60 s"));
    /// assert!(!refused.outcome_unknown());
    /// let bad_gateway = playflow::Error::Api(Box::new(playflow::ApiError::new(502, "Bad Gateway")));
    /// assert!(bad_gateway.outcome_unknown());
    /// ```
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Self::Timeout(e) | Self::Transport(e) => !e.never_sent() && !e.is_redirect(),
            Self::Api(e) => matches!(e.status, 500..=504),
            Self::Decode(d) => d.status.is_none_or(|s| (200..300).contains(&s)),
            // The answer's status is known, its body is not: like a body that did not decode.
            Self::ResponseTooLarge(e) => matches!(e.status, 200..300 | 500..=504),
            Self::OutcomeUnknown(u) => u.start_sent,
            _ => false,
        }
    }

    /// Whether the failed call was idempotent, from its operation's method (`None`: an error
    /// built by hand, judged by status alone; an unknown operation counts as not idempotent).
    fn idempotent(&self) -> Option<bool> {
        let operation = match self {
            Self::Unauthorized(e) | Self::Forbidden(e) | Self::NotFound(e) | Self::Api(e) => {
                e.operation
            }
            Self::RateLimited(r) => r.api.operation,
            Self::Timeout(e) | Self::Transport(e) => e.operation(),
            Self::Decode(d) => d.operation,
            Self::ResponseTooLarge(e) => e.operation,
            Self::InvalidInput(_) | Self::OutcomeUnknown(_) => return Some(false),
        };
        if operation.is_empty() {
            return None;
        }
        Some(operation_is_idempotent(operation))
    }

    /// The HTTP status, when a response arrived.
    ///
    /// ```
    /// let err = playflow::Error::InvalidInput(playflow::InvalidInput::new("name", "empty"));
    /// assert_eq!(err.status(), None);
    /// ```
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Unauthorized(e) | Self::Forbidden(e) | Self::NotFound(e) | Self::Api(e) => {
                Some(e.status)
            }
            Self::RateLimited(r) => Some(r.api.status),
            Self::Decode(d) => d.status,
            Self::ResponseTooLarge(e) => Some(e.status),
            _ => None,
        }
    }

    /// The API's error body, for errors that carry one.
    ///
    /// ```
    /// let err = playflow::Error::InvalidInput(playflow::InvalidInput::new("name", "empty"));
    /// assert!(err.api_error().is_none());
    /// ```
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Self::Unauthorized(e) | Self::Forbidden(e) | Self::NotFound(e) | Self::Api(e) => {
                Some(e)
            }
            Self::RateLimited(r) => Some(&r.api),
            _ => None,
        }
    }

    /// The validation issues of a 422 answer (empty for any other error).
    ///
    /// ```
    /// let err = playflow::Error::InvalidInput(playflow::InvalidInput::new("name", "empty"));
    /// assert!(err.validation_issues().is_empty());
    /// ```
    pub fn validation_issues(&self) -> &[ValidationIssue] {
        match self.api_error().map(|e| &e.detail) {
            Some(ErrorDetail::Validation(issues)) => issues,
            _ => &[],
        }
    }

    /// How long the server asked to wait before trying again (`Retry-After` of a 429), when
    /// it said.
    ///
    /// ```
    /// let err = playflow::Error::InvalidInput(playflow::InvalidInput::new("name", "empty"));
    /// assert_eq!(err.retry_after(), None);
    /// ```
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited(r) => r.retry_after,
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unauthorized(e) => write!(f, "unauthorized (check the API key): {e}"),
            Self::Forbidden(e) => write!(f, "forbidden: {e}"),
            Self::NotFound(e) => write!(f, "not found: {e}"),
            Self::RateLimited(r) => write!(f, "{r}"),
            Self::Api(e) => write!(f, "PlayFlow API error: {e}"),
            Self::Timeout(e) => write!(f, "timed out: {e}"),
            Self::Transport(e) => write!(f, "transport error: {e}"),
            Self::Decode(e) => write!(f, "{e}"),
            Self::InvalidInput(e) => write!(f, "{e}"),
            Self::OutcomeUnknown(e) => write!(f, "{e}"),
            Self::ResponseTooLarge(e) => write!(f, "{e}"),
        }
    }
}

/// The wrapped error's own causes: its message is already this error's `Display`, so the
/// wrapped error itself is not a source (it would print twice in a chain).
impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Timeout(e) | Self::Transport(e) => e.source(),
            Self::Decode(e) => e.source(),
            // Display already shows the OutcomeUnknown's own message: its cause comes next.
            Self::OutcomeUnknown(e) => e.source(),
            _ => None,
        }
    }
}

/// Whether an operation of the spec (by progenitor's name) has an idempotent method (RFC 9110
/// §9.2.2). The presigned upload (`upload_build`) is a `PUT`; any other name counts as not
/// idempotent.
pub(crate) fn operation_is_idempotent(operation: &str) -> bool {
    if operation == "upload_build" {
        return true;
    }
    crate::raw::operations::by_name(operation).is_some_and(|op| {
        matches!(
            op.method,
            "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS" | "TRACE"
        )
    })
}

impl From<InvalidInput> for Error {
    fn from(e: InvalidInput) -> Self {
        Self::InvalidInput(e)
    }
}
