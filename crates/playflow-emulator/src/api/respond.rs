//! Responses: bodies as JSON (shaped by `world::wire`), and refusals as PlayFlow's
//! `{error, detail, status}` body.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use playflow::raw::types;
use serde::Serialize;

use crate::world::refusal::{ApiError, ApiResult, Detail};
use crate::world::wire;

/// A 200 response with `body`.
pub(crate) fn ok<T: Serialize>(body: &T) -> ApiResult<Response> {
    with_status(StatusCode::OK, body)
}

/// A response with `status` and `body`.
pub(crate) fn with_status<T: Serialize>(status: StatusCode, body: &T) -> ApiResult<Response> {
    Ok((status, Json(wire::value(body)?)).into_response())
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (code, error) = (self.status(), self.summary().to_owned());
        let status = i64::from(code.as_u16());
        match self.into_detail() {
            Detail::Text(text) => (
                code,
                Json(built!(Error {
                    error,
                    detail: Some(types::ErrorDetail::String(text)),
                    status,
                })),
            )
                .into_response(),
            Detail::Issues(detail) => (
                code,
                Json(built!(ValidationError {
                    error,
                    detail,
                    status,
                })),
            )
                .into_response(),
        }
    }
}
