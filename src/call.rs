//! One facade call of a generated operation: run it, keep the last response's status for error
//! classification, and convert the result.
//!
//! progenitor's `InvalidResponsePayload` error has no status, so an HTML 502 from a proxy would
//! look like a decode failure. The transport records the status and rate-limit headers of each
//! response in a task-local slot scoped to the call; [`crate::error`] reads it back.

use std::cell::RefCell;
use std::future::Future;

use progenitor_client::ResponseValue;
use reqwest::header::HeaderMap;

use crate::error::{Error, ErrorBody, from_raw};

tokio::task_local! {
    static LAST_RESPONSE: RefCell<Option<(u16, HeaderMap)>>;
}

/// Headers worth keeping for error classification.
const KEPT_HEADERS: &[&str] = &["retry-after", "x-ratelimit-limit", "x-ratelimit-remaining"];

/// Await a generated call and convert its result. `operation` names it in errors and traces.
pub(crate) async fn send<T, E, F>(operation: &'static str, call: F) -> Result<T, Error>
where
    E: ErrorBody,
    F: Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>>,
{
    LAST_RESPONSE
        .scope(RefCell::new(None), async move {
            call.await
                .map(ResponseValue::into_inner)
                .map_err(|e| from_raw(e, operation))
        })
        .await
}

/// Called by the transport for every response (outside a facade call it does nothing).
pub(crate) fn record(status: u16, headers: &HeaderMap) {
    let _ = LAST_RESPONSE.try_with(|slot| {
        let mut kept = HeaderMap::new();
        for name in KEPT_HEADERS {
            if let Some(v) = headers.get(*name) {
                kept.insert(*name, v.clone());
            }
        }
        *slot.borrow_mut() = Some((status, kept));
    });
}

/// The status and kept headers of the last response of the current call.
pub(crate) fn last_response() -> Option<(u16, HeaderMap)> {
    LAST_RESPONSE
        .try_with(|slot| slot.borrow().clone())
        .ok()
        .flatten()
}
