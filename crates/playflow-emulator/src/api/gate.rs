//! The gate every spec operation passes: which operation it is, whose key, whether the key's
//! budget allows it and whether the key may call it.

use std::sync::Arc;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::Shared;
use super::keys::permit;
use super::rate_limit::{Class, write_headers};
use super::spec::Spec;
use crate::world::refusal::ApiError;

/// Middleware on every route: binds the request to its spec operation (for [`super::extract::Call`]),
/// then checks key (401), rate limit (429) and permission (403).
pub(crate) async fn gate(
    State(shared): State<Arc<Shared>>,
    matched: Option<MatchedPath>,
    mut request: Request,
    next: Next,
) -> Response {
    let Ok(spec) = Spec::get() else {
        return ApiError::internal("the API description could not be loaded").into_response();
    };
    let Some(op) = matched.and_then(|path| spec.find(request.method(), path.as_str())) else {
        // Not a spec operation (the upload endpoint): it checks its own signature.
        return next.run(request).await;
    };
    request.extensions_mut().insert(op);
    if !op.needs_key {
        return next.run(request).await;
    }
    let key = match shared.keys.identify(request.headers().get("api-key")) {
        Ok(key) => key,
        Err(refusal) => return refusal.into_response(),
    };
    let class = if request.method() == Method::GET {
        Class::Read
    } else {
        Class::Write
    };
    let decision = shared.limits.check(key, class);
    let mut response = if let Some(wait) = decision.retry_after {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Rate limit of {} {} requests per second exceeded; retry in {} ms",
                decision.limit,
                if class == Class::Read {
                    "read"
                } else {
                    "write"
                },
                wait.as_millis().max(1)
            ),
        )
        .into_response()
    } else if let Err(refusal) = permit(key, &op.id) {
        refusal.into_response()
    } else {
        next.run(request).await
    };
    write_headers(response.headers_mut(), &decision);
    response
}
