//! One facade call of a generated operation: run it, keep the last response's status for error
//! classification, and convert the result.
//!
//! progenitor's `InvalidResponsePayload` error has no status, so an HTML 502 from a proxy would
//! look like a decode failure. The transport records the status and rate-limit headers of each
//! response in a task-local slot scoped to the call; [`crate::error`] reads it back. The slot
//! also holds the call's API key, so that error texts built from response bodies can be
//! scrubbed of it should a server ever echo it.

use std::cell::RefCell;
use std::future::Future;

use progenitor_client::ResponseValue;
use reqwest::header::{HeaderMap, HeaderValue};

use crate::error::{Error, ErrorBody, from_raw};

/// What the transport learned during one facade call.
#[derive(Default)]
struct CallState {
    last_response: Option<(u16, HeaderMap)>,
    secret: Option<HeaderValue>,
}

tokio::task_local! {
    static CALL: RefCell<CallState>;
}

/// Headers worth keeping for error classification.
const KEPT_HEADERS: &[&str] = &["retry-after", "x-ratelimit-limit", "x-ratelimit-remaining"];

/// Await a generated call and convert its result. `operation` names it in errors and traces.
pub(crate) async fn send<T, E, F>(operation: &'static str, call: F) -> Result<T, Error>
where
    E: ErrorBody,
    F: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>>,
{
    CALL.scope(RefCell::new(CallState::default()), async move {
        call.await
            .map(ResponseValue::into_inner)
            .map_err(|e| from_raw(e, operation))
    })
    .await
}

/// Called by the transport for every response (outside a facade call it does nothing).
pub(crate) fn record(status: u16, headers: &HeaderMap) {
    let _ = CALL.try_with(|state| {
        let mut kept = HeaderMap::new();
        for name in KEPT_HEADERS {
            if let Some(v) = headers.get(*name) {
                kept.insert(*name, v.clone());
            }
        }
        state.borrow_mut().last_response = Some((status, kept));
    });
}

/// Called by the transport when an attempt got no response: an earlier attempt's status must
/// not classify this failure.
pub(crate) fn forget() {
    let _ = CALL.try_with(|state| state.borrow_mut().last_response = None);
}

/// Called by the transport with the key it sends, so errors can be scrubbed of it.
pub(crate) fn note_secret(key: &HeaderValue) {
    let _ = CALL.try_with(|state| {
        let mut state = state.borrow_mut();
        if state.secret.is_none() {
            state.secret = Some(key.clone());
        }
    });
}

/// The status and kept headers of the last response of the current call.
pub(crate) fn last_response() -> Option<(u16, HeaderMap)> {
    CALL.try_with(|state| state.borrow().last_response.clone())
        .ok()
        .flatten()
}

/// The API key sent in the current call, if any.
pub(crate) fn secret() -> Option<HeaderValue> {
    CALL.try_with(|state| state.borrow().secret.clone())
        .ok()
        .flatten()
}
