//! The one error type of the facade.
//!
//! Every failure is an [`Error`]: an API answer (by status class), a transport failure, a body
//! that did not decode, or input refused before any request. Nothing in it ever contains the API
//! key or a presigned URL's query string.

use std::fmt;
use std::time::Duration;

use reqwest::header::HeaderValue;

use crate::raw::types;

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
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Timeout(e) | Self::Transport(e) => Some(e),
            Self::Decode(e) => Some(e),
            _ => None,
        }
    }
}

/// An error answer of the API: `{error, detail, status}`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status code.
    pub status: u16,
    /// The API's short message (`error`), or the status text when the body had none.
    pub message: String,
    /// The structured `detail`.
    pub detail: ErrorDetail,
    /// The operation that failed (the spec's operationId, snake_case).
    pub operation: &'static str,
}

impl ApiError {
    /// An API error, for tests and for code that builds errors of its own.
    ///
    /// ```
    /// let e = playflow::ApiError::new(409, "Player already in a lobby");
    /// assert_eq!(e.status, 409);
    /// ```
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            detail: ErrorDetail::None,
            operation: "",
        }
    }

    pub(crate) fn from_body(status: u16, body: types::Error, operation: &'static str) -> Self {
        Self {
            status,
            message: body.error,
            detail: body
                .detail
                .map(ErrorDetail::from)
                .unwrap_or(ErrorDetail::None),
            operation,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status, self.message)?;
        match &self.detail {
            ErrorDetail::Message(m) if !m.is_empty() => write!(f, ": {m}")?,
            ErrorDetail::Validation(issues) => {
                for (i, issue) in issues.iter().enumerate() {
                    f.write_str(if i == 0 { ": " } else { "; " })?;
                    write!(f, "{issue}")?;
                }
            }
            _ => {}
        }
        if !self.operation.is_empty() {
            write!(f, " (in {})", self.operation)?;
        }
        Ok(())
    }
}

/// The `detail` of an error answer.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ErrorDetail {
    /// No detail.
    None,
    /// A sentence.
    Message(String),
    /// Validation issues (422).
    Validation(Vec<ValidationIssue>),
    /// Any other JSON object.
    Other(serde_json::Value),
}

impl From<types::ErrorDetail> for ErrorDetail {
    fn from(d: types::ErrorDetail) -> Self {
        match d {
            types::ErrorDetail::String(s) => Self::Message(s),
            types::ErrorDetail::Array(issues) => {
                Self::Validation(issues.into_iter().map(ValidationIssue::from).collect())
            }
            types::ErrorDetail::Object(map) => Self::Other(serde_json::Value::Object(map)),
        }
    }
}

/// One validation issue of a 422 answer: where (`loc`), what (`msg`), and its kind (`type`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValidationIssue {
    /// Path of the offending value, e.g. `["body", "ttl"]` or `["query", "limit"]`.
    pub loc: Vec<LocPart>,
    /// Human-readable message.
    pub msg: String,
    /// Machine-readable kind, e.g. `too_small`.
    pub kind: String,
}

impl From<types::ValidationIssue> for ValidationIssue {
    fn from(i: types::ValidationIssue) -> Self {
        Self {
            loc: i
                .loc
                .into_iter()
                .map(|p| match p {
                    types::ValidationIssueLocItem::String(s) => LocPart::Field(s),
                    types::ValidationIssueLocItem::Integer(n) => LocPart::Index(n),
                })
                .collect(),
            msg: i.msg.unwrap_or_default(),
            kind: i.type_.unwrap_or_default(),
        }
    }
}

impl fmt::Display for ValidationIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path: Vec<String> = self.loc.iter().map(ToString::to_string).collect();
        write!(f, "{}: {}", path.join("."), self.msg)
    }
}

/// One step of a validation issue's location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocPart {
    /// A field name (or `body`, `query`, `path`).
    Field(String),
    /// An array index.
    Index(i64),
}

impl fmt::Display for LocPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Field(s) => f.write_str(s),
            Self::Index(i) => write!(f, "{i}"),
        }
    }
}

/// A 429 answer, with what the rate-limit headers said.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RateLimited {
    /// The error body.
    pub api: ApiError,
    /// `Retry-After`, when sent.
    pub retry_after: Option<Duration>,
    /// `X-RateLimit-Limit`: requests per second allowed for this key and kind of call.
    pub limit: Option<u32>,
    /// `X-RateLimit-Remaining`.
    pub remaining: Option<u32>,
}

impl fmt::Display for RateLimited {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rate limited: {}", self.api)?;
        if let Some(after) = self.retry_after {
            write!(f, " (retry after {:.1} s)", after.as_secs_f64())?;
        }
        Ok(())
    }
}

/// A failure below HTTP: connecting, sending, reading, or a timeout. Carries no URL.
#[derive(Debug)]
pub struct TransportError {
    source: reqwest::Error,
    operation: &'static str,
}

impl TransportError {
    pub(crate) fn new(source: reqwest::Error, operation: &'static str) -> Self {
        // The URL could carry a presigned query string: drop it from the error.
        Self {
            source: source.without_url(),
            operation,
        }
    }

    /// Whether the connection could not be made at all, so the request never left.
    ///
    /// ```no_run
    /// # fn f(e: &playflow::TransportError) -> bool {
    /// e.is_connect()
    /// # }
    /// ```
    pub fn is_connect(&self) -> bool {
        self.source.is_connect()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)?;
        if !self.operation.is_empty() {
            write!(f, " (in {})", self.operation)?;
        }
        Ok(())
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// A response body that did not decode, with a short excerpt of it.
#[derive(Debug)]
pub struct DecodeError {
    /// The HTTP status, when known.
    pub status: Option<u16>,
    /// At most [`DecodeError::EXCERPT_LEN`] bytes of the body, cut at a character boundary.
    pub excerpt: String,
    /// The operation whose answer failed to decode.
    pub operation: &'static str,
    source: Option<serde_json::Error>,
}

impl DecodeError {
    /// How much of the body an excerpt keeps.
    pub const EXCERPT_LEN: usize = 200;

    pub(crate) fn new(
        status: Option<u16>,
        body: &[u8],
        source: Option<serde_json::Error>,
        operation: &'static str,
    ) -> Self {
        Self {
            status,
            excerpt: excerpt(body, crate::call::secret().as_ref()),
            operation,
            source,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unexpected response body")?;
        if let Some(status) = self.status {
            write!(f, " (status {status})")?;
        }
        if !self.operation.is_empty() {
            write!(f, " in {}", self.operation)?;
        }
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        write!(f, "; body starts: {:?}", self.excerpt)
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_ref().map(|e| e as _)
    }
}

/// The start of a body as text: at most [`DecodeError::EXCERPT_LEN`] bytes, cut at a character
/// boundary, with `secret` replaced wherever it appears (scrubbed before the cut, so no part of
/// it can survive at the edge).
fn excerpt(body: &[u8], secret: Option<&HeaderValue>) -> String {
    let secret = secret.and_then(|s| s.to_str().ok()).unwrap_or("");
    let window = body.len().min(DecodeError::EXCERPT_LEN + secret.len());
    let mut text = String::from_utf8_lossy(&body[..window]).into_owned();
    scrub(&mut text, secret);
    let mut end = text.len().min(DecodeError::EXCERPT_LEN);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    text
}

/// Replace every occurrence of `secret` in `text`.
fn scrub(text: &mut String, secret: &str) {
    if !secret.is_empty() && text.contains(secret) {
        *text = text.replace(secret, REDACTED);
    }
}

/// What a scrubbed secret is replaced with.
const REDACTED: &str = "<redacted>";

/// Input refused before any request: which argument, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InvalidInput {
    /// The argument or field, e.g. `ttl`.
    pub field: String,
    /// What is wrong with it.
    pub reason: String,
}

impl InvalidInput {
    /// An input error.
    ///
    /// ```
    /// let e = playflow::InvalidInput::new("ttl", "must be between 60 s and 86400 s");
    /// assert_eq!(e.to_string(), "invalid ttl: must be between 60 s and 86400 s");
    /// ```
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: {}", self.field, self.reason)
    }
}

impl std::error::Error for InvalidInput {}

impl From<InvalidInput> for Error {
    fn from(e: InvalidInput) -> Self {
        Self::InvalidInput(e)
    }
}

impl From<crate::KeyError> for Error {
    fn from(e: crate::KeyError) -> Self {
        Self::InvalidInput(InvalidInput::new("api key", e.to_string()))
    }
}

/// An error of the generated client ([`Client::raw`](crate::Client::raw)), classified as the
/// facade's calls are (a 403 is [`Error::Forbidden`], ...), so `?` works on escape-hatch calls.
/// The operation is named `raw` in the error.
///
/// ```no_run
/// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
/// // A client key may not read the project settings: PlayFlow answers 403.
/// let settings = client.raw().get_project_settings().send().await?;
/// # let _ = settings; Ok(()) }
/// ```
impl From<progenitor_client::Error<types::Error>> for Error {
    fn from(e: progenitor_client::Error<types::Error>) -> Self {
        from_raw(e, "raw")
    }
}

pub(crate) fn header_u32(headers: &reqwest::header::HeaderMap, name: &str) -> Option<u32> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// `Retry-After` as seconds or an HTTP date.
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0)
            .then(|| Duration::from_secs_f64(secs.min(3600.0)));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let delta = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(
        delta
            .to_std()
            .unwrap_or(Duration::ZERO)
            .min(Duration::from_secs(3600)),
    )
}

/// Classify an error answer by status.
pub(crate) fn from_status(
    status: u16,
    headers: &reqwest::header::HeaderMap,
    api: ApiError,
) -> Error {
    match status {
        401 => Error::Unauthorized(Box::new(api)),
        403 => Error::Forbidden(Box::new(api)),
        404 => Error::NotFound(Box::new(api)),
        429 => Error::RateLimited(Box::new(RateLimited {
            api,
            retry_after: retry_after(headers),
            limit: header_u32(headers, "x-ratelimit-limit"),
            remaining: header_u32(headers, "x-ratelimit-remaining"),
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

fn status_text(status: u16) -> String {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("error")
        .to_string()
}

/// Convert an error of the generated client, scrubbed of the call's API key.
pub(crate) fn from_raw<E: ErrorBody>(
    err: progenitor_client::Error<E>,
    operation: &'static str,
) -> Error {
    let mut error = classify(err, operation);
    if let Some(secret) = crate::call::secret().as_ref().and_then(|s| s.to_str().ok()) {
        error.scrub(secret);
    }
    error
}

fn classify<E: ErrorBody>(err: progenitor_client::Error<E>, operation: &'static str) -> Error {
    use progenitor_client::Error as Raw;
    match err {
        Raw::InvalidRequest(reason) => Error::InvalidInput(InvalidInput::new(operation, reason)),
        Raw::CommunicationError(e) | Raw::InvalidUpgrade(e) | Raw::ResponseBodyError(e) => {
            if e.is_timeout() {
                Error::Timeout(TransportError::new(e, operation))
            } else {
                Error::Transport(TransportError::new(e, operation))
            }
        }
        Raw::ErrorResponse(rv) => {
            let status = rv.status().as_u16();
            let headers = rv.headers().clone();
            from_status(
                status,
                &headers,
                rv.into_inner().into_api_error(status, operation),
            )
        }
        // progenitor drops the status here; the transport recorded it for this call. An error
        // status with a body that is not the API's JSON (an HTML page from a proxy) is still
        // an API error of that status, so it stays retryable where the status is.
        Raw::InvalidResponsePayload(body, e) => match crate::call::last_response() {
            Some((status, headers)) if status >= 400 => {
                let excerpt = DecodeError::new(Some(status), &body, None, operation).excerpt;
                let api = ApiError {
                    status,
                    message: status_text(status),
                    detail: ErrorDetail::Message(excerpt),
                    operation,
                };
                from_status(status, &headers, api)
            }
            last => Error::Decode(DecodeError::new(
                last.map(|(status, _)| status),
                &body,
                Some(e),
                operation,
            )),
        },
        Raw::UnexpectedResponse(response) => {
            let status = response.status();
            let mut api = ApiError {
                status: status.as_u16(),
                message: status_text(status.as_u16()),
                detail: ErrorDetail::None,
                operation,
            };
            if status.is_redirection() {
                // A redirect the client refused to follow: it leads to another origin.
                let target = redirect_origin(&response);
                api.detail = ErrorDetail::Message(format!(
                    "redirect to {target} not followed: the API key is sent only to the base URL's origin"
                ));
                Error::Api(Box::new(api))
            } else if status.is_client_error() || status.is_server_error() {
                from_status(status.as_u16(), response.headers(), api)
            } else {
                Error::Decode(DecodeError::new(
                    Some(status.as_u16()),
                    b"",
                    None,
                    operation,
                ))
            }
        }
        Raw::Custom(reason) => Error::InvalidInput(InvalidInput::new(operation, reason)),
    }
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

impl Error {
    /// Replace `secret` wherever a server-provided text carries it.
    fn scrub(&mut self, secret: &str) {
        match self {
            Self::Unauthorized(e) | Self::Forbidden(e) | Self::NotFound(e) | Self::Api(e) => {
                e.scrub(secret)
            }
            Self::RateLimited(r) => r.api.scrub(secret),
            Self::Decode(d) => scrub(&mut d.excerpt, secret),
            Self::InvalidInput(i) => scrub(&mut i.reason, secret),
            Self::Timeout(_) | Self::Transport(_) => {}
        }
    }
}

impl ApiError {
    fn scrub(&mut self, secret: &str) {
        scrub(&mut self.message, secret);
        match &mut self.detail {
            ErrorDetail::Message(m) => scrub(m, secret),
            ErrorDetail::Validation(issues) => {
                for issue in issues {
                    scrub(&mut issue.msg, secret);
                    for part in &mut issue.loc {
                        if let LocPart::Field(f) = part {
                            scrub(f, secret);
                        }
                    }
                }
            }
            ErrorDetail::Other(value) => scrub_json(value, secret),
            ErrorDetail::None => {}
        }
    }
}

fn scrub_json(value: &mut serde_json::Value, secret: &str) {
    match value {
        serde_json::Value::String(s) => scrub(s, secret),
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| scrub_json(v, secret)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|v| scrub_json(v, secret)),
        _ => {}
    }
}
