//! Helpers shared by the workflow tests: a client on an httpmock server, JSON of servers and
//! builds, ZIP archives, and scripted answers (httpmock's `respond_with` with a counter).
#![allow(dead_code)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use httpmock::{HttpMockRequest, HttpMockResponse, MockServer};
use serde_json::{Value, json};

pub const KEY: &str = "pf_test0123456789abcdef";

/// A server-key client calling `server`.
pub fn client(server: &MockServer) -> playflow::Client {
    client_with_timeout(server, Duration::from_secs(10))
}

pub fn client_with_timeout(server: &MockServer, timeout: Duration) -> playflow::Client {
    playflow::Client::builder(playflow::ServerKey::new(KEY).unwrap())
        .base_url(server.base_url())
        .timeout(timeout)
        .build()
        .unwrap()
}

pub fn server_json(id: &str, status: &str) -> Value {
    json!({ "instance_id": id, "name": format!("srv-{id}"), "status": status })
}

pub fn running_server_json(id: &str) -> Value {
    json!({
        "instance_id": id, "name": format!("srv-{id}"), "status": "running",
        "network_ports": [
            { "name": "game", "internal_port": 7777, "external_port": 30001,
              "protocol": "udp", "host": "127.0.0.1", "tls_enabled": false },
            { "name": "web", "internal_port": 8443, "external_port": 30002,
              "protocol": "tcp", "host": "localhost", "tls_enabled": true }
        ]
    })
}

pub fn build_json(id: &str, status: &str) -> Value {
    json!({
        "build_id": id, "name": "default", "version": 3, "status": status,
        "created_at": "2025-03-13T17:02:11Z", "updated_at": null
    })
}

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

/// A ZIP with the given stored entries.
pub fn zip_file(dir: &Path, name: &str, entries: &[(&str, &[u8])]) -> PathBuf {
    let path = dir.join(name);
    let file = std::fs::File::create(&path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (entry, data) in entries {
        zip.start_file(*entry, options).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap();
    path
}
