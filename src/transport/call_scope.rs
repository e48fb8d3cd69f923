//! What the transport observes during one facade call, for classifying the call's error.
//!
//! The facade runs each call inside [`scope`]; the transport, deep inside progenitor's
//! generated code where no argument can reach, records each response's status and pacing
//! headers and the key it sent into a task-local slot of that scope. [`context`] hands the
//! result to the caller, which passes it to the error module: nothing but this file reads
//! the slot.
//!
//! A [`Client::raw`](crate::Client::raw) call runs in no scope: its error reaches the facade
//! through `From`, after the generated code returned. For it the transport keeps what it saw
//! of the last call of each task (or, outside a task, of each thread: a `block_on` body) in a
//! small process-wide table, which `From` takes from ([`take_raw`]). It is best effort: two
//! raw calls joined in one task share an entry (the later one wins), and the table keeps the
//! last [`RAW_ENTRIES`] callers only.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::sync::Mutex;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue};

use super::headers;
use crate::error::CallContext;

tokio::task_local! {
    static CALL: RefCell<CallContext>;
}

/// How many callers of raw calls the table remembers.
const RAW_ENTRIES: usize = 256;

/// Who made a raw call: a task, or a thread outside any task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Task(tokio::task::Id),
    Thread(std::thread::ThreadId),
}

fn caller() -> Caller {
    tokio::task::try_id().map_or_else(|| Caller::Thread(std::thread::current().id()), Caller::Task)
}

/// The last raw call of each recent caller, oldest first.
static RAW: Mutex<VecDeque<(Caller, CallContext)>> = Mutex::new(VecDeque::new());

/// Update the current slot, or, outside a scope, the raw table's entry of this caller.
fn update(change: impl Fn(&mut CallContext)) {
    if CALL.try_with(|slot| change(&mut slot.borrow_mut())).is_ok() {
        return;
    }
    let who = caller();
    let mut table = RAW.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, context)) = table.iter_mut().rev().find(|(c, _)| *c == who) {
        change(context);
    }
}

/// Called when a call starts: a raw call gets a fresh entry in the table.
pub(super) fn begin(operation: &'static str) {
    if CALL.try_with(|_| ()).is_ok() {
        return;
    }
    let who = caller();
    let mut table = RAW.lock().unwrap_or_else(|e| e.into_inner());
    table.retain(|(c, _)| *c != who);
    if table.len() >= RAW_ENTRIES {
        table.pop_front();
    }
    let context = CallContext {
        operation,
        ..CallContext::default()
    };
    table.push_back((who, context));
}

/// What the transport saw of this caller's last raw call, taken out of the table.
pub(crate) fn take_raw() -> Option<CallContext> {
    let who = caller();
    let mut table = RAW.lock().unwrap_or_else(|e| e.into_inner());
    let at = table.iter().rposition(|(c, _)| *c == who)?;
    table.remove(at).map(|(_, context)| context)
}

/// Run `call` with a fresh slot. Outside a scope, recording goes to the raw table.
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
    update(|context| context.last_response = Some(info));
}

/// Called with the (capped) body of an error answer the call hands back, for its message.
pub(super) fn record_body(status: u16, body: Bytes) {
    let _ = CALL.try_with(|slot| slot.borrow_mut().error_body = Some((status, body)));
}

/// Called when an attempt got no response: an earlier attempt's status must not classify this
/// failure.
pub(super) fn forget() {
    update(|context| {
        context.last_response = None;
        context.error_body = None;
    });
}

/// Called with the key the call sends, so that errors can be scrubbed of it.
pub(super) fn note_secret(key: &HeaderValue) {
    if let Ok(key) = key.to_str() {
        note_text_secret(key);
    }
}

/// Called with any other secret the call sends (a registry password), for the same reason.
pub(super) fn note_text_secret(secret: &str) {
    update(|context| context.redactor.add(secret));
}
