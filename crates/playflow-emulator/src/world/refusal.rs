//! Refusals: why a call fails, with its status and the detail PlayFlow gives. The HTTP side
//! writes them as the `{error, detail, status}` body (`api::respond`).

use http::StatusCode;
use playflow::raw::types;

/// A failed call: its status, a short summary and the detail PlayFlow gives.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    detail: Detail,
}

/// What a refusal says beyond its status.
#[derive(Debug)]
pub(crate) enum Detail {
    /// A sentence.
    Text(String),
    /// Validation issues, each with `loc`, `msg` and `type`.
    Issues(Vec<types::ValidationIssue>),
}

pub(crate) type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub(crate) fn new(status: StatusCode, detail: impl Into<String>) -> ApiError {
        ApiError {
            status,
            detail: Detail::Text(detail.into()),
        }
    }

    pub(crate) fn bad_request(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, detail)
    }

    pub(crate) fn unauthorized(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, detail)
    }

    pub(crate) fn forbidden(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, detail)
    }

    pub(crate) fn not_found(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, detail)
    }

    pub(crate) fn conflict(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, detail)
    }

    pub(crate) fn internal(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, detail)
    }

    /// A 422 listing every offending input.
    pub(crate) fn validation(issues: Vec<types::ValidationIssue>) -> ApiError {
        ApiError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            detail: Detail::Issues(issues),
        }
    }

    pub(crate) fn status(&self) -> StatusCode {
        self.status
    }

    /// The summary PlayFlow puts in `error` for this status.
    pub(crate) fn summary(&self) -> &'static str {
        summary(self.status)
    }

    /// The detail: a sentence, or the list of offending inputs.
    pub(crate) fn into_detail(self) -> Detail {
        self.detail
    }
}

/// The summary PlayFlow puts in `error` for a status.
fn summary(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Bad request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not found",
        409 => "Conflict",
        413 => "Payload too large",
        422 => "Validation failed",
        429 => "Too many requests",
        _ if status.is_server_error() => "Internal server error",
        _ => "Request failed",
    }
}
