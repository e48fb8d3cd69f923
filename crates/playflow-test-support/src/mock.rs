//! Helpers for tests on an httpmock server: JSON answers and scripted answer sequences.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use httpmock::{HttpMockRequest, HttpMockResponse};
use serde_json::Value;

/// A JSON answer with this status.
pub fn json_response(status: u16, body: &Value) -> HttpMockResponse {
    HttpMockResponse::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(body.to_string())
        .build()
}

/// A responder answering the n-th call with `answers[n]` (the last one repeats), and the
/// shared call counter.
pub fn script(
    answers: Vec<(u16, Value)>,
) -> (
    impl Fn(&HttpMockRequest) -> HttpMockResponse + Send + Sync + 'static,
    Arc<AtomicUsize>,
) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let responder = move |_: &HttpMockRequest| {
        let n = counter.fetch_add(1, Ordering::SeqCst);
        let (status, body) = &answers[n.min(answers.len() - 1)];
        json_response(*status, body)
    };
    (responder, calls)
}
