//! What the transport observes during one facade call, for classifying the call's error.
//!
//! The facade runs each call inside [`scope`]; the transport, deep inside progenitor's
//! generated code where no argument can reach, records each response's status and pacing
//! headers and the key it sent into a task-local slot of that scope. [`context`] hands the
//! result to the caller, which passes it to the error module: nothing but this file reads
//! the slot.

use std::cell::RefCell;
use std::future::Future;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue};

use super::headers;
use crate::error::{CallContext, Redactor};

tokio::task_local! {
    static CALL: RefCell<CallContext>;
}

/// Run `call` with a fresh slot. Outside a scope, recording does nothing.
pub(crate) async fn scope<F: Future>(call: F) -> F::Output {
    CALL.scope(RefCell::new(CallContext::default()), call).await
}

/// What was recorded in the current scope so far (nothing outside a scope).
pub(crate) fn context() -> CallContext {
    CALL.try_with(|slot| slot.borrow().clone())
        .unwrap_or_default()
}

/// Called for every response.
pub(super) fn record(status: u16, headers: &HeaderMap) {
    let info = headers::response_info(status, headers);
    let _ = CALL.try_with(|slot| slot.borrow_mut().last_response = Some(info));
}

/// Called with the (capped) body of an error answer the call hands back, for its message.
pub(super) fn record_body(status: u16, body: Bytes) {
    let _ = CALL.try_with(|slot| slot.borrow_mut().error_body = Some((status, body)));
}

/// Called when an attempt got no response: an earlier attempt's status must not classify this
/// failure.
pub(super) fn forget() {
    let _ = CALL.try_with(|slot| {
        let mut slot = slot.borrow_mut();
        slot.last_response = None;
        slot.error_body = None;
    });
}

/// Called with the key the call sends, so that errors can be scrubbed of it.
pub(super) fn note_secret(key: &HeaderValue) {
    let _ = CALL.try_with(|slot| {
        let mut slot = slot.borrow_mut();
        if let Ok(key) = key.to_str() {
            slot.redactor = Redactor::new(key);
        }
    });
}
