//! Generated-layer errors (`progenitor_client::Error`) to [`Error`], by status class.
//!
//! progenitor's `InvalidResponsePayload` error has no status, so an HTML 502 from a proxy would
//! look like a decode failure. The caller therefore passes in what the transport saw of the
//! call ([`CallContext`]: the last response's status and rate-limit headers, and the key to
//! scrub); this module reads no global or task-local state.

use std::time::Duration;

use super::{ApiError, DecodeError, Error, ErrorDetail, InvalidInput, RateLimited, Redactor};
use super::{ResponseTooLarge, TransportError, api::status_text, lenient};
use crate::raw::types;

/// What the transport saw of one response, already parsed (header parsing belongs to it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ResponseInfo {
    /// The HTTP status.
    pub(crate) status: u16,
    /// `Retry-After`, as seconds or an HTTP date.
    pub(crate) retry_after: Option<Duration>,
    /// `X-RateLimit-Limit`.
    pub(crate) limit: Option<u32>,
    /// `X-RateLimit-Remaining`.
    pub(crate) remaining: Option<u32>,
}

/// What is known of a call when its error is classified.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallContext {
    /// The last response of the call, when its last attempt got one.
    pub(crate) last_response: Option<ResponseInfo>,
    /// Scrubs the secrets the call sent from texts a server may have echoed.
    pub(crate) redactor: Redactor,
    /// The operation the transport ran (progenitor's name), when known.
    pub(crate) operation: &'static str,
    /// The body of the error answer the call ended with, as read (at most the error-body
    /// cap), with its status: the server's message in whatever layout it sent.
    pub(crate) error_body: Option<(u16, bytes::Bytes)>,
}

/// Classify an error answer by status (`api.status`); `response` supplies a 429's headers.
pub(crate) fn from_status(api: ApiError, response: Option<&ResponseInfo>) -> Error {
    match api.status {
        401 => Error::Unauthorized(Box::new(api)),
        403 => Error::Forbidden(Box::new(api)),
        404 => Error::NotFound(Box::new(api)),
        429 => Error::RateLimited(Box::new(RateLimited {
            api,
            retry_after: response.and_then(|r| r.retry_after),
            limit: response.and_then(|r| r.limit),
            remaining: response.and_then(|r| r.remaining),
        })),
        _ => Error::Api(Box::new(api)),
    }
}

/// An error body type of the generated client: `types::Error`, or `()` for operations whose spec
/// declares no error body.
pub(crate) trait ErrorBody {
    fn into_api_error(self, status: u16, operation: &'static str) -> ApiError;
}

impl ErrorBody for types::Error {
    fn into_api_error(self, status: u16, operation: &'static str) -> ApiError {
        ApiError::from_body(status, self, operation)
    }
}

impl ErrorBody for () {
    fn into_api_error(self, status: u16, operation: &'static str) -> ApiError {
        ApiError {
            status,
            message: status_text(status),
            detail: ErrorDetail::None,
            operation,
        }
    }
}

/// Finds the JSON path at which a success body fails to decode into the operation's type
/// (the facade knows the type; the error module does not).
pub(crate) type Locate = fn(&[u8]) -> Option<String>;

/// Convert an error of the generated client, scrubbed of the call's secrets. `locate`, when
/// given, names the field a success body did not decode at.
pub(crate) fn from_raw<E: ErrorBody>(
    err: progenitor_client::Error<E>,
    operation: &'static str,
    context: &CallContext,
    locate: Option<Locate>,
) -> Error {
    let mut error = classify(err, operation, context, locate);
    context.redactor.scrub_error(&mut error);
    error
}

fn classify<E: ErrorBody>(
    err: progenitor_client::Error<E>,
    operation: &'static str,
    context: &CallContext,
    locate: Option<Locate>,
) -> Error {
    use progenitor_client::Error as Raw;
    // The response an error answer came with is the call's last one.
    let response_with = |status: u16| context.last_response.filter(|r| r.status == status);
    // The body of that answer as the transport read it: the server's message in any layout.
    let recorded = |status: u16| {
        context
            .error_body
            .as_ref()
            .filter(|(s, _)| *s == status)
            .map(|(_, body)| lenient::api_error(status, body, operation, &context.redactor))
    };
    match err {
        Raw::InvalidRequest(reason) => Error::InvalidInput(InvalidInput::new(operation, reason)),
        Raw::CommunicationError(e) | Raw::InvalidUpgrade(e) | Raw::ResponseBodyError(e) => {
            match too_large(&e) {
                Some(big) if big.status >= 400 => {
                    // Still the answer of its status (a proxy's 502 page stays a 502), with
                    // what the start of the body said.
                    let mut api = recorded(big.status).unwrap_or_else(|| ApiError {
                        status: big.status,
                        message: status_text(big.status),
                        detail: ErrorDetail::None,
                        operation,
                    });
                    if matches!(api.detail, ErrorDetail::None) {
                        api.detail = ErrorDetail::Message(big.to_string());
                    }
                    from_status(api, response_with(big.status).as_ref())
                }
                Some(big) => Error::ResponseTooLarge(big.clone()),
                None if e.is_timeout() => Error::Timeout(TransportError::new(e, operation)),
                None => Error::Transport(TransportError::new(e, operation)),
            }
        }
        Raw::ErrorResponse(rv) => {
            let status = rv.status().as_u16();
            let api = recorded(status)
                .unwrap_or_else(|| rv.into_inner().into_api_error(status, operation));
            from_status(api, response_with(status).as_ref())
        }
        // progenitor drops the status here; the transport recorded it for this call. An error
        // status with a body that is not the API's JSON (an HTML page from a proxy) is still
        // an API error of that status, so it stays retryable where the status is.
        Raw::InvalidResponsePayload(body, e) => match context.last_response {
            Some(response) if response.status >= 400 => {
                let api = lenient::api_error(response.status, &body, operation, &context.redactor);
                from_status(api, Some(&response))
            }
            last => {
                let decode = DecodeError::new(
                    last.map(|r| r.status),
                    &body,
                    Some(e),
                    operation,
                    &context.redactor,
                );
                let path = locate.and_then(|locate| locate(&body));
                Error::Decode(match path {
                    Some(path) => decode.at(path, &context.redactor),
                    None => decode,
                })
            }
        },
        Raw::UnexpectedResponse(response) => {
            let status = response.status();
            let mut api = recorded(status.as_u16()).unwrap_or_else(|| ApiError {
                status: status.as_u16(),
                message: status_text(status.as_u16()),
                detail: ErrorDetail::None,
                operation,
            });
            if status.is_redirection() {
                // A redirect the client refused to follow: it leads to another origin.
                let target = context.redactor.clean(&redirect_origin(&response));
                api.detail = ErrorDetail::Message(format!(
                    "redirect to {target} not followed: the API key is sent only to the base URL's origin"
                ));
                Error::Api(Box::new(api))
            } else if status.is_client_error() || status.is_server_error() {
                from_status(api, response_with(status.as_u16()).as_ref())
            } else {
                Error::Decode(DecodeError::new(
                    Some(status.as_u16()),
                    b"",
                    None,
                    operation,
                    &context.redactor,
                ))
            }
        }
        Raw::Custom(reason) => Error::InvalidInput(InvalidInput::new(operation, reason)),
    }
}

/// The cap a body went past, when that is why reading it failed (the transport's
/// `ResponseTooLarge`, somewhere in reqwest's chain of body errors).
fn too_large(error: &reqwest::Error) -> Option<&ResponseTooLarge> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = cause {
        if let Some(big) = e.downcast_ref::<ResponseTooLarge>() {
            return Some(big);
        }
        // `io::Error::source` skips the error it wraps; look at that one too.
        if let Some(big) = e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<ResponseTooLarge>())
        {
            return Some(big);
        }
        cause = e.source();
    }
    None
}

/// The origin a redirect points to (only the origin: the rest may carry a signed query).
fn redirect_origin(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|location| response.url().join(location).ok())
        .map(|url| url.origin().ascii_serialization())
        .unwrap_or_else(|| "an unknown location".to_string())
}
