//! Build upload: pre-request checks, the streamed presigned PUT (no key, headers, body,
//! progress), a fresh URL after a 403, retries after transient failures, and errors and logs
//! that never show the URL's query string.

use std::sync::{Arc, Mutex};

use httpmock::{HttpMockRequest, MockServer};
use playflow::Error;
use playflow::builds::{Progress, UploadSource};
use serde_json::json;

use playflow_test_support::{
    Reply, SERVER_KEY, TestServer, client, client_builder, fast_retry, free_addr, zip_file,
};

const SIGNATURE: &str = "X-Amz-Signature=d3adb33fsecret";

fn upload_url_answer(server: &MockServer, build_id: &str, storage_path: &str) -> serde_json::Value {
    json!({
        "build_id": build_id,
        "name": "default",
        "upload_url": format!("{}{}?X-Amz-Expires=300&{SIGNATURE}", server.base_url(), storage_path),
        "message": "PUT your ZIP within 5 minutes"
    })
}

fn archive(dir: &tempfile::TempDir) -> (std::path::PathBuf, Vec<u8>) {
    let path = zip_file(
        dir.path(),
        "server.zip",
        &[
            ("Server.x86_64", b"#!/bin/sh\necho hi\n"),
            ("data/level1.bin", &[7u8; 4096]),
        ],
    );
    let bytes = std::fs::read(&path).unwrap();
    (path, bytes)
}

/// The error's Display and Debug must not leak the presigned query string.
fn assert_no_secret(err: &Error) {
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("d3adb33f"), "signature leaked: {shown}");
    assert!(!shown.contains("X-Amz"), "query string leaked: {shown}");
    assert!(!shown.contains(SERVER_KEY), "api key leaked: {shown}");
}

#[tokio::test]
async fn streams_the_zip_without_the_api_key_and_reports_progress() {
    let server = MockServer::start_async().await;
    let dir = tempfile::tempdir().unwrap();
    let (path, bytes) = archive(&dir);
    let url = server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/api/v3/builds/upload-url")
                .header("api-key", SERVER_KEY)
                .query_param("name", "beta")
                .query_param("executable_path", "Server.x86_64");
            then.status(201)
                .json_body(upload_url_answer(&server, "b-1", "/storage/b-1.zip"));
        })
        .await;
    let expected = bytes.clone();
    let put = server
        .mock_async(|when, then| {
            when.method("PUT")
                .path("/storage/b-1.zip")
                .query_param("X-Amz-Signature", "d3adb33fsecret")
                .header_missing("api-key")
                .header("content-type", "application/zip")
                .header("content-length", bytes.len().to_string())
                .header_missing("transfer-encoding")
                .is_true(move |req: &HttpMockRequest| req.body_ref() == expected.as_slice());
            then.status(200);
        })
        .await;

    let seen = Arc::new(Mutex::new(Vec::<Progress>::new()));
    let record = Arc::clone(&seen);
    let client = client(&server);
    let (upload, watch) = client
        .builds()
        .upload(path.as_path())
        .name("beta")
        .on_progress(move |p| record.lock().unwrap().push(p))
        .watch_progress();
    let uploaded = upload.send().await.unwrap();

    url.assert_calls_async(1).await;
    put.assert_calls_async(1).await;
    assert_eq!(uploaded.build_id, "b-1");
    assert_eq!(uploaded.bytes, bytes.len() as u64);
    assert!(!uploaded.used_fresh_url);
    let seen = seen.lock().unwrap();
    assert_eq!(seen.first().map(|p| p.sent), Some(0));
    assert_eq!(
        seen.last().map(|p| (p.sent, p.total)),
        Some((bytes.len() as u64, bytes.len() as u64))
    );
    assert!(
        seen.windows(2).all(|w| w[0].sent <= w[1].sent),
        "progress went backwards"
    );
    assert_eq!(watch.borrow().sent, bytes.len() as u64);
}

#[tokio::test]
async fn progress_arrives_chunk_by_chunk_for_a_large_archive() {
    let server = MockServer::start_async().await;
    let dir = tempfile::tempdir().unwrap();
    let big = vec![42u8; 3 * 1024 * 1024];
    let path = zip_file(
        dir.path(),
        "big.zip",
        &[("Server.x86_64", b"x"), ("assets.pak", &big)],
    );
    let len = std::fs::metadata(&path).unwrap().len();
    server
        .mock_async(|when, then| {
            when.method("POST").path("/api/v3/builds/upload-url");
            then.status(201)
                .json_body(upload_url_answer(&server, "b-2", "/storage/b-2.zip"));
        })
        .await;
    let put = server
        .mock_async(|when, then| {
            when.method("PUT")
                .path("/storage/b-2.zip")
                .header("content-length", len.to_string());
            then.status(200);
        })
        .await;
    let calls = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&calls);
    client(&server)
        .builds()
        .upload(path)
        .on_progress(move |p| record.lock().unwrap().push(p.sent))
        .send()
        .await
        .unwrap();
    put.assert_calls_async(1).await;
    let calls = calls.lock().unwrap();
    assert!(
        calls.len() > 3,
        "expected several progress reports, got {calls:?}"
    );
    assert_eq!(*calls.last().unwrap(), len);
}

#[tokio::test]
async fn a_rejected_url_gets_one_fresh_url_and_succeeds() {
    let server = MockServer::start_async().await;
    let dir = tempfile::tempdir().unwrap();
    let (path, bytes) = archive(&dir);
    let first = upload_url_answer(&server, "b-old", "/storage/old.zip");
    let second = upload_url_answer(&server, "b-new", "/storage/new.zip");
    let (responder, url_calls) = playflow_test_support::script(vec![(201, first), (201, second)]);
    let url = server
        .mock_async(|when, then| {
            when.method("POST").path("/api/v3/builds/upload-url");
            then.respond_with(responder);
        })
        .await;
    let expired = server
        .mock_async(|when, then| {
            when.method("PUT").path("/storage/old.zip");
            then.status(403).body(
                "<Error><Code>AccessDenied</Code><Message>Request has expired</Message>\
                 <StringToSign>AWS4-HMAC-SHA256 d3adb33f</StringToSign></Error>",
            );
        })
        .await;
    let expected = bytes.clone();
    let fresh = server
        .mock_async(|when, then| {
            when.method("PUT")
                .path("/storage/new.zip")
                .header_missing("api-key")
                .is_true(move |req: &HttpMockRequest| req.body_ref() == expected.as_slice());
            then.status(200);
        })
        .await;

    let uploaded = client(&server).builds().upload(path).send().await.unwrap();

    url.assert_calls_async(2).await;
    assert_eq!(url_calls.load(std::sync::atomic::Ordering::SeqCst), 2);
    expired.assert_calls_async(1).await;
    fresh.assert_calls_async(1).await;
    assert_eq!(uploaded.build_id, "b-new");
    assert!(uploaded.used_fresh_url);
}

#[tokio::test]
async fn a_second_rejection_is_a_forbidden_error_without_the_query_string() {
    let server = MockServer::start_async().await;
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = archive(&dir);
    let url = server
        .mock_async(|when, then| {
            when.method("POST").path("/api/v3/builds/upload-url");
            then.status(201)
                .json_body(upload_url_answer(&server, "b-3", "/storage/b-3.zip"));
        })
        .await;
    let put = server
        .mock_async(|when, then| {
            when.method("PUT").path("/storage/b-3.zip");
            then.status(403).body(
                "<Error><Code>SignatureDoesNotMatch</Code>\
                 <CanonicalRequest>PUT /b-3.zip X-Amz-Signature=d3adb33fsecret</CanonicalRequest></Error>",
            );
        })
        .await;

    let err = client(&server)
        .builds()
        .upload(path)
        .send()
        .await
        .unwrap_err();

    url.assert_calls_async(2).await;
    put.assert_calls_async(2).await;
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
    assert_eq!(err.status(), Some(403));
    assert!(err.to_string().contains("SignatureDoesNotMatch"), "{err}");
    assert_no_secret(&err);
}

#[tokio::test]
async fn other_storage_failures_are_not_retried() {
    // A 400 will not change if sent again (5xx are retried: see the tests further down).
    let server = MockServer::start_async().await;
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = archive(&dir);
    let url = server
        .mock_async(|when, then| {
            when.method("POST").path("/api/v3/builds/upload-url");
            then.status(201)
                .json_body(upload_url_answer(&server, "b-4", "/storage/b-4.zip"));
        })
        .await;
    let put = server
        .mock_async(|when, then| {
            when.method("PUT").path("/storage/b-4.zip");
            then.status(400)
                .body("bad request at /storage/b-4.zip?X-Amz-Signature=d3adb33fsecret");
        })
        .await;

    let err = client(&server)
        .builds()
        .upload(path)
        .send()
        .await
        .unwrap_err();

    url.assert_calls_async(1).await;
    put.assert_calls_async(1).await;
    assert_eq!(err.status(), Some(400));
    assert!(!err.is_retryable());
    assert_no_secret(&err);
}

#[tokio::test]
async fn a_connection_failure_does_not_show_the_url() {
    let server = MockServer::start_async().await;
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = archive(&dir);
    // A port nobody listens on any more.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    server
        .mock_async(|when, then| {
            when.method("POST").path("/api/v3/builds/upload-url");
            then.status(201).json_body(json!({
                "build_id": "b-5", "name": "default", "message": "ok",
                "upload_url": format!("http://{closed}/storage/b-5.zip?{SIGNATURE}"),
            }));
        })
        .await;

    let err = client(&server)
        .builds()
        .upload(path)
        .send()
        .await
        .unwrap_err();

    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_no_secret(&err);
}

#[tokio::test]
async fn a_reader_is_streamed_with_its_length_and_not_replayed() {
    let server = MockServer::start_async().await;
    let dir = tempfile::tempdir().unwrap();
    let (_, bytes) = archive(&dir);
    let url = server
        .mock_async(|when, then| {
            when.method("POST").path("/api/v3/builds/upload-url");
            then.status(201)
                .json_body(upload_url_answer(&server, "b-6", "/storage/b-6.zip"));
        })
        .await;
    let expected = bytes.clone();
    let put = server
        .mock_async(|when, then| {
            when.method("PUT")
                .path("/storage/b-6.zip")
                .header("content-length", bytes.len().to_string())
                .header("content-type", "application/zip")
                .is_true(move |req: &HttpMockRequest| req.body_ref() == expected.as_slice());
            then.status(200);
        })
        .await;

    let source = UploadSource::reader(std::io::Cursor::new(bytes.clone()), bytes.len() as u64);
    let uploaded = client(&server)
        .builds()
        .upload(source)
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.bytes, bytes.len() as u64);
    url.assert_calls_async(1).await;
    put.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_rejected_reader_upload_fails_without_a_second_url() {
    let server = MockServer::start_async().await;
    let url = server
        .mock_async(|when, then| {
            when.method("POST").path("/api/v3/builds/upload-url");
            then.status(201)
                .json_body(upload_url_answer(&server, "b-7", "/storage/b-7.zip"));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method("PUT").path("/storage/b-7.zip");
            then.status(403);
        })
        .await;
    let source = UploadSource::reader(std::io::Cursor::new(vec![1u8; 64]), 64);
    let err = client(&server)
        .builds()
        .upload(source)
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
    url.assert_calls_async(1).await;
}

/// Each bad archive is refused with `InvalidInput` before any request.
async fn refused_before_any_request(source: UploadSource, executable: Option<&str>) -> String {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_when, then| {
            then.status(500);
        })
        .await;
    let client = client(&server);
    let mut upload = client.builds().upload(source);
    if let Some(executable) = executable {
        upload = upload.executable_path(executable);
    }
    let err = upload.send().await.unwrap_err();
    any.assert_calls_async(0).await;
    match err {
        Error::InvalidInput(e) => e.to_string(),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

#[tokio::test]
async fn a_missing_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let msg = refused_before_any_request(dir.path().join("nope.zip").into(), None).await;
    assert!(msg.contains("does not exist"), "{msg}");
}

#[tokio::test]
async fn a_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let msg = refused_before_any_request(dir.path().into(), None).await;
    assert!(msg.contains("is not a file"), "{msg}");
}

#[tokio::test]
async fn an_empty_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.zip");
    std::fs::write(&path, b"").unwrap();
    let msg = refused_before_any_request(path.into(), None).await;
    assert!(msg.contains("is empty"), "{msg}");
}

#[tokio::test]
async fn a_file_that_is_not_a_zip_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.tar.gz");
    std::fs::write(&path, vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4]).unwrap();
    let msg = refused_before_any_request(path.into(), None).await;
    assert!(msg.contains("is not a ZIP archive"), "{msg}");
}

#[tokio::test]
async fn a_zip_without_the_executable_is_refused_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let path = zip_file(
        dir.path(),
        "nested.zip",
        &[
            ("MyGame/Server.x86_64", b"bin"),
            ("MyGame/data.pak", b"data"),
        ],
    );
    let msg = refused_before_any_request(path.into(), None).await;
    assert!(msg.contains("does not contain `Server.x86_64`"), "{msg}");
    assert!(
        msg.contains("`MyGame/Server.x86_64`"),
        "hint missing: {msg}"
    );
}

#[tokio::test]
async fn a_zip_without_a_custom_executable_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = zip_file(dir.path(), "s.zip", &[("Server.x86_64", b"bin")]);
    let msg = refused_before_any_request(path.into(), Some("bin/game-server")).await;
    assert!(msg.contains("does not contain `bin/game-server`"), "{msg}");
}

#[tokio::test]
async fn an_empty_reader_is_refused() {
    let msg = refused_before_any_request(
        UploadSource::reader(std::io::Cursor::new(Vec::new()), 0),
        None,
    )
    .await;
    assert!(msg.contains("length is 0"), "{msg}");
}

#[tokio::test]
async fn a_nested_executable_path_is_checked_and_sent() {
    let server = MockServer::start_async().await;
    let dir = tempfile::tempdir().unwrap();
    let path = zip_file(
        dir.path(),
        "nested.zip",
        &[("MyGame/Server.x86_64", b"bin")],
    );
    let url = server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/api/v3/builds/upload-url")
                .query_param("executable_path", "MyGame/Server.x86_64");
            then.status(201)
                .json_body(upload_url_answer(&server, "b-8", "/storage/b-8.zip"));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method("PUT").path("/storage/b-8.zip");
            then.status(200);
        })
        .await;
    client(&server)
        .builds()
        .upload(path)
        .executable_path("MyGame/Server.x86_64")
        .send()
        .await
        .unwrap();
    url.assert_calls_async(1).await;
}

// Retries of the presigned PUT after transient failures, against the scripted server.

/// Traces of the current thread, captured at every level (the tests below run on one thread).
#[derive(Clone, Default)]
struct Traces(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Traces {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Traces {
    fn capture() -> (Self, tracing::subscriber::DefaultGuard) {
        let traces = Self::default();
        let writer = traces.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .finish();
        (traces, tracing::subscriber::set_default(subscriber))
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

fn assert_no_secret_in(text: &str) {
    assert!(!text.contains("d3adb33f"), "signature leaked: {text}");
    assert!(!text.contains("X-Amz"), "query string leaked: {text}");
    assert!(!text.contains(SERVER_KEY), "api key leaked: {text}");
}

/// The registration answer of the scripted server: a presigned URL on `storage`.
fn registration(storage: std::net::SocketAddr) -> Reply {
    Reply::json(
        201,
        json!({
            "build_id": "b-r", "name": "default", "message": "PUT your ZIP",
            "upload_url": format!("http://{storage}/storage/b-r.zip?X-Amz-Expires=300&{SIGNATURE}"),
        })
        .to_string(),
    )
}

/// An S3-style 503 whose body echoes the signed request.
fn slow_down() -> Reply {
    Reply::page(
        503,
        "application/xml",
        format!(
            "<Error><Code>SlowDown</Code><Resource>/storage/b-r.zip?{SIGNATURE}</Resource></Error>"
        ),
    )
}

/// A scripted server that registers builds on itself and answers the PUTs with `put`.
async fn storage_server(put: impl Fn(usize) -> Reply + Send + Sync + 'static) -> TestServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    TestServer::start_on(listener, move |seen| match seen.method.as_str() {
        "POST" => registration(addr),
        _ => put(seen.route_index),
    })
}

#[tokio::test]
async fn a_503_from_the_storage_is_retried_with_the_file_sent_again() {
    let (traces, _guard) = Traces::capture();
    let dir = tempfile::tempdir().unwrap();
    let (path, bytes) = archive(&dir);
    let server = storage_server(|n| match n {
        0 => slow_down(),
        _ => Reply::page(200, "text/plain", ""),
    })
    .await;

    let sent = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&sent);
    let uploaded = client(&server)
        .builds()
        .upload(path)
        .on_progress(move |p| record.lock().unwrap().push(p.sent))
        .send()
        .await
        .unwrap();

    assert_eq!(uploaded.build_id, "b-r");
    assert!(!uploaded.used_fresh_url);
    assert_eq!(server.calls("POST", "/builds/upload-url").len(), 1);
    let puts = server.calls("PUT", "/storage/b-r.zip");
    assert_eq!(puts.len(), 2);
    for put in &puts {
        assert_eq!(
            put.body,
            String::from_utf8_lossy(&bytes),
            "the whole file each time"
        );
        assert_eq!(put.header("api-key"), None);
    }
    // Progress starts again from 0 for the second attempt.
    let sent = sent.lock().unwrap();
    assert_eq!(sent.iter().filter(|&&s| s == 0).count(), 2, "{sent:?}");
    let traces = traces.text();
    assert!(traces.contains("retrying the presigned upload"), "{traces}");
    assert_no_secret_in(&traces);
}

#[tokio::test]
async fn a_refused_connection_is_retried_until_the_storage_listens() {
    let (traces, _guard) = Traces::capture();
    let dir = tempfile::tempdir().unwrap();
    let (path, bytes) = archive(&dir);
    let storage = free_addr().await;
    let api = TestServer::start(move |_| registration(storage)).await;
    // Long enough a backoff to bind the storage's port between the refusal and the retry.
    let client = client_builder(&api)
        .retry(fast_retry().initial_backoff(std::time::Duration::from_millis(300)))
        .build()
        .unwrap();

    let listen_after_refusal = async {
        while !traces.text().contains("retrying the presigned upload") {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        let listener = tokio::net::TcpListener::bind(storage).await.unwrap();
        TestServer::start_on(listener, |_| Reply::page(200, "text/plain", ""))
    };
    let (uploaded, storage_server) =
        tokio::join!(client.builds().upload(path).send(), listen_after_refusal);

    let uploaded = uploaded.unwrap();
    assert_eq!(uploaded.bytes, bytes.len() as u64);
    let puts = storage_server.calls("PUT", "/storage/b-r.zip");
    assert_eq!(puts.len(), 1);
    assert_eq!(puts[0].body, String::from_utf8_lossy(&bytes));
    let traces = traces.text();
    assert!(traces.contains("connect error"), "{traces}");
    assert_no_secret_in(&traces);
}

#[tokio::test]
async fn a_storage_that_stays_unavailable_gets_the_configured_retries_then_its_error() {
    let (traces, _guard) = Traces::capture();
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = archive(&dir);
    let server = storage_server(|_| slow_down()).await;

    let err = client_builder(&server)
        .retry(fast_retry().max_retries(2))
        .build()
        .unwrap()
        .builds()
        .upload(path)
        .send()
        .await
        .unwrap_err();

    assert_eq!(
        server.calls("PUT", "/storage/b-r.zip").len(),
        3,
        "1 + 2 retries"
    );
    assert_eq!(err.status(), Some(503));
    assert!(err.is_retryable());
    assert!(err.to_string().contains("SlowDown"), "{err}");
    assert_no_secret(&err);
    assert_no_secret_in(&format!("{:?}", std::error::Error::source(&err)));
    assert_no_secret_in(&traces.text());
}

#[tokio::test]
async fn a_client_without_retries_sends_the_put_once() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = archive(&dir);
    let server = storage_server(|_| slow_down()).await;
    let client = client_builder(&server).no_retry().build().unwrap();

    let err = client.builds().upload(path).send().await.unwrap_err();

    assert_eq!(server.calls("PUT", "/storage/b-r.zip").len(), 1);
    assert_eq!(err.status(), Some(503));
}

#[tokio::test]
async fn a_reader_source_is_not_replayed_after_a_503_and_the_error_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let (_, bytes) = archive(&dir);
    let server = storage_server(|_| slow_down()).await;
    let len = bytes.len() as u64;

    let err = client(&server)
        .builds()
        .upload(UploadSource::reader(std::io::Cursor::new(bytes), len))
        .send()
        .await
        .unwrap_err();

    assert_eq!(server.calls("PUT", "/storage/b-r.zip").len(), 1);
    assert_eq!(err.status(), Some(503));
    assert!(err.is_retryable(), "a new upload may succeed");
    let shown = err.to_string();
    assert!(shown.contains("a reader source is read once"), "{shown}");
    assert_no_secret(&err);
}
