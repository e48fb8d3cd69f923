//! Builds: waiting until ready (ready, failed with logs, deleted, max wait), upload-and-wait,
//! the list as a stream over every page, and Docker-image builds with a redacted login.

use std::time::Duration;

use futures::TryStreamExt as _;
use httpmock::{HttpMockRequest, MockServer};
use playflow::Error;
use playflow::builds::{BuildOutcome, RegistryLogin};
use playflow::model::BuildStatus;
use serde_json::json;

use playflow_test_support::{build_json, client, script, zip_file};

const FAST: Duration = Duration::from_millis(5);

#[tokio::test]
async fn waits_through_processing_until_ready() {
    let server = MockServer::start_async().await;
    let (responder, calls) = script(vec![
        (200, build_json("b-1", "uploading")),
        (200, build_json("b-1", "processing")),
        (200, build_json("b-1", "ready")),
    ]);
    server
        .mock_async(|when, then| {
            when.method("GET").path("/api/v3/builds/b-1");
            then.respond_with(responder);
        })
        .await;
    let client = client(&server);
    let outcome = client
        .builds()
        .wait_until_ready("b-1")
        .min_delay(FAST)
        .max_delay(FAST * 2)
        .wait(Duration::from_secs(10))
        .await
        .unwrap();
    assert!(
        matches!(&outcome, BuildOutcome::Ready(b) if b.build_id == "b-1"),
        "{outcome:?}"
    );
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_failed_build_ends_the_wait_at_once_with_its_logs() {
    let server = MockServer::start_async().await;
    let (responder, calls) = script(vec![
        (200, build_json("b-2", "processing")),
        (200, build_json("b-2", "failed")),
        (200, build_json("b-2", "ready")),
    ]);
    server
        .mock_async(|when, then| {
            when.method("GET").path("/api/v3/builds/b-2");
            then.respond_with(responder);
        })
        .await;
    let logs = server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/api/v3/builds/b-2/logs")
                .query_param("limit", "500");
            then.status(200).json_body(json!({
                "build_id": "b-2",
                "logs": [{ "message": "Server.x86_64: not an ELF executable" }]
            }));
        })
        .await;
    let client = client(&server);
    let outcome = client
        .builds()
        .wait_until_ready("b-2")
        .min_delay(FAST)
        .max_delay(FAST)
        .wait(Duration::from_secs(10))
        .await
        .unwrap();
    logs.assert_calls_async(1).await;
    assert_eq!(
        calls.load(std::sync::atomic::Ordering::SeqCst),
        2,
        "polled past a terminal state"
    );
    let BuildOutcome::Failed { build, logs } = outcome else {
        panic!("expected Failed")
    };
    assert_eq!(build.status, BuildStatus::Failed);
    let logs = logs.unwrap();
    assert_eq!(
        logs["logs"][0]["message"],
        "Server.x86_64: not an ELF executable"
    );
}

#[tokio::test]
async fn a_deleted_build_ends_the_wait() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method("GET").path("/api/v3/builds/b-3");
            then.status(200).json_body(build_json("b-3", "deleted"));
        })
        .await;
    let client = client(&server);
    let outcome = client
        .builds()
        .wait_until_ready("b-3")
        .wait(Duration::from_secs(10))
        .await
        .unwrap();
    assert!(matches!(outcome, BuildOutcome::Deleted(_)), "{outcome:?}");
}

#[tokio::test]
async fn exceeding_the_max_wait_reports_the_last_status() {
    let server = MockServer::start_async().await;
    let polls = server
        .mock_async(|when, then| {
            when.method("GET").path("/api/v3/builds/b-4");
            then.status(200).json_body(build_json("b-4", "processing"));
        })
        .await;
    let client = client(&server);
    let outcome = client
        .builds()
        .wait_until_ready("b-4")
        .min_delay(Duration::from_millis(20))
        .max_delay(Duration::from_millis(40))
        .wait(Duration::from_millis(200))
        .await
        .unwrap();
    assert_eq!(outcome.status(), Some(&BuildStatus::Processing));
    let BuildOutcome::ExceededMaxWait(e) = outcome else {
        panic!("expected ExceededMaxWait")
    };
    assert!(e.elapsed >= Duration::from_millis(200), "{:?}", e.elapsed);
    assert!(e.elapsed < Duration::from_secs(2), "{:?}", e.elapsed);
    assert!(e.attempts >= 3, "{} polls", e.attempts);
    assert_eq!(polls.calls_async().await, e.attempts as usize);
}

#[tokio::test]
async fn an_unknown_build_ends_the_wait_with_not_found() {
    let server = MockServer::start_async().await;
    let polls = server
        .mock_async(|when, then| {
            when.method("GET").path("/api/v3/builds/b-5");
            then.status(404)
                .json_body(json!({ "error": "Build not found", "status": 404 }));
        })
        .await;
    let client = client(&server);
    let err = client
        .builds()
        .wait_until_ready("b-5")
        .wait(Duration::from_secs(10))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    polls.assert_calls_async(1).await;
}

#[tokio::test]
async fn upload_and_wait_returns_the_failure_with_logs() {
    let server = MockServer::start_async().await;
    let dir = tempfile::tempdir().unwrap();
    let path = zip_file(dir.path(), "s.zip", &[("Server.x86_64", b"bin")]);
    server
        .mock_async(|when, then| {
            when.method("POST").path("/api/v3/builds/upload-url");
            then.status(201).json_body(json!({
                "build_id": "b-6", "name": "default", "message": "ok",
                "upload_url": format!("{}/storage/b-6.zip?X-Amz-Signature=s", server.base_url()),
            }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method("PUT").path("/storage/b-6.zip");
            then.status(200);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method("GET").path("/api/v3/builds/b-6");
            then.status(200).json_body(build_json("b-6", "failed"));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method("GET").path("/api/v3/builds/b-6/logs");
            then.status(200)
                .json_body(json!({ "logs": [{ "message": "missing libc" }] }));
        })
        .await;
    let client = client(&server);
    let outcome = client
        .builds()
        .upload(path)
        .send_and_wait(Duration::from_secs(10))
        .await
        .unwrap();
    let BuildOutcome::Failed { build, logs } = outcome else {
        panic!("expected Failed")
    };
    assert_eq!(build.build_id, "b-6");
    assert_eq!(logs.unwrap()["logs"][0]["message"], "missing libc");
}

#[tokio::test]
async fn the_list_stream_reads_every_page_until_total() {
    let server = MockServer::start_async().await;
    let page = |ids: &[&str]| -> serde_json::Value {
        json!({ "builds": ids.iter().map(|id| build_json(id, "ready")).collect::<Vec<_>>(), "total": 5 })
    };
    let first = server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/api/v3/builds")
                .query_param("offset", "0")
                .query_param("limit", "2");
            then.status(200).json_body(page(&["a", "b"]));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/api/v3/builds")
                .query_param("offset", "2")
                .query_param("limit", "2");
            then.status(200).json_body(page(&["c", "d"]));
        })
        .await;
    let third = server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/api/v3/builds")
                .query_param("offset", "4")
                .query_param("limit", "2");
            then.status(200).json_body(page(&["e"]));
        })
        .await;
    let client = client(&server);
    let ids: Vec<String> = client
        .builds()
        .list()
        .limit(2)
        .stream()
        .map_ok(|b| b.build_id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
    for mock in [first, second, third] {
        mock.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn collect_all_stops_on_a_short_page_without_total() {
    let server = MockServer::start_async().await;
    let only = server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/api/v3/builds")
                .query_param("limit", "100");
            then.status(200)
                .json_body(json!({ "builds": [build_json("a", "ready")] }));
        })
        .await;
    let client = client(&server);
    let all = client.builds().list().collect_all().await.unwrap();
    assert_eq!(all.len(), 1);
    only.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_docker_build_sends_the_login_but_never_shows_the_password() {
    let server = MockServer::start_async().await;
    let create = server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/api/v3/builds/docker-image")
                .json_body(json!({
                    "image_url": "ghcr.io/acme/arena:2.1.0",
                    "name": "beta",
                    "registry_credentials": { "username": "acme-ci", "password": "ghp_topsecret" }
                }));
            then.status(200).json_body(json!({
                "status": "accepted", "build_id": "d-1", "message": "Processing started"
            }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method("GET").path("/api/v3/builds/d-1");
            then.status(200).json_body(build_json("d-1", "ready"));
        })
        .await;
    let client = client(&server);
    let request = client
        .builds()
        .create_from_docker_image("ghcr.io/acme/arena:2.1.0")
        .name("beta")
        .registry_login(RegistryLogin::new("acme-ci", "ghp_topsecret"));
    let shown = format!("{request:?}");
    assert!(!shown.contains("ghp_topsecret"), "{shown}");
    assert!(shown.contains("acme-ci"), "{shown}");
    let outcome = request
        .send_and_wait(Duration::from_secs(10))
        .await
        .unwrap();
    assert!(matches!(outcome, BuildOutcome::Ready(_)), "{outcome:?}");
    create.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_docker_build_error_does_not_echo_the_password() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method("POST").path("/api/v3/builds/docker-image");
            then.respond_with(|req: &HttpMockRequest| {
                // A server that echoes the body back in its error must still not leak it.
                playflow_test_support::json_response(
                    422,
                    &json!({
                        "error": "Validation failed", "status": 422,
                        "detail": [{ "loc": ["body", "registry_credentials"], "msg": "bad login",
                                     "type": "value_error", "input": req.body_string() }]
                    }),
                )
            });
        })
        .await;
    let client = client(&server);
    let err = client
        .builds()
        .create_from_docker_image("ghcr.io/acme/arena:2.1.0")
        .registry_login(RegistryLogin::new("acme-ci", "ghp_topsecret"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(422));
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains("ghp_topsecret"), "{shown}");
}

#[tokio::test]
async fn an_empty_image_is_refused_before_any_request() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_when, then| {
            then.status(500);
        })
        .await;
    let client = client(&server);
    let err = client
        .builds()
        .create_from_docker_image("  ")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    any.assert_calls_async(0).await;
}
