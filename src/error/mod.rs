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
//! body's layout), `redact` (scrubbing secrets from server texts) and `text` (server text as
//! `Display` shows it: cut short and escaped).
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
pub use failure::{DecodeError, InvalidInput, ResponseTooLarge, TransportError};
pub(crate) use redact::Redactor;

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
    /// A response body past the client's cap
    /// ([`ClientBuilder::max_response_body`](crate::ClientBuilder::max_response_body)); the
    /// rest of it was not read.
    ResponseTooLarge(ResponseTooLarge),
}

impl Error {
    /// Whether the same call may succeed if made again later: timeouts, transport failures
    /// (but not redirect loops), 408, 429 and 500–504. The client already retried idempotent calls before returning this.
    ///
    /// ```
    /// let err = playflow::Error::InvalidInput(playflow::InvalidInput::new("ttl", "below 60 s"));
    /// assert!(!err.is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Timeout(_) | Self::RateLimited(_) => true,
            // A redirect loop or a refused cross-origin redirect will not change by itself.
            Self::Transport(e) => !e.source.is_redirect(),
            Self::Api(e) => matches!(e.status, 408 | 500..=504),
            _ => false,
        }
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
            _ => None,
        }
    }
}

impl From<InvalidInput> for Error {
    fn from(e: InvalidInput) -> Self {
        Self::InvalidInput(e)
    }
}
