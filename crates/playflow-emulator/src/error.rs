//! The `{error, detail, status}` body that every failed call returns.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::raw::types;

/// A failed call: its status, a short summary and the detail PlayFlow gives.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    detail: Detail,
}

#[derive(Debug)]
enum Detail {
    Text(String),
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

    #[cfg(test)]
    pub(crate) fn status(&self) -> StatusCode {
        self.status
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

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let error = summary(self.status).to_owned();
        let status = i64::from(self.status.as_u16());
        match self.detail {
            Detail::Text(text) => (
                self.status,
                Json(types::Error {
                    error,
                    detail: Some(types::ErrorDetail::String(text)),
                    status,
                }),
            )
                .into_response(),
            Detail::Issues(detail) => (
                self.status,
                Json(types::ValidationError {
                    error,
                    detail,
                    status,
                }),
            )
                .into_response(),
        }
    }
}
