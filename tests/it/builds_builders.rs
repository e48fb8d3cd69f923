//! The build calls that took positional options, as builders: the query each sends (options
//! unset are left to PlayFlow), the inputs refused before any request, futures that can be
//! spawned, and the deprecated positional methods still sending the same requests.

use httpmock::prelude::*;
use playflow::Error;
use playflow_test_support::client;
use serde_json::json;

fn upload_url_answer(name: &str) -> serde_json::Value {
    json!({
        "build_id": "b-1", "name": name, "message": "PUT the ZIP",
        "upload_url": "https://storage.example/b-1.zip?X-Amz-Signature=s3cr3t"
    })
}

fn action_answer() -> serde_json::Value {
    json!({ "status": "accepted", "build_id": "b-1", "message": "processing" })
}

/// `Send + 'static`, as `tokio::spawn` requires: checked at compile time.
fn spawnable<T: Send + 'static>(value: T) -> T {
    value
}

#[tokio::test]
async fn create_upload_url_sends_what_was_set_and_nothing_else() {
    let server = MockServer::start_async().await;
    let both = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v3/builds/upload-url")
                .query_param("name", "beta")
                .query_param("executable_path", "bin/arena");
            then.status(201).json_body(upload_url_answer("beta"));
        })
        .await;
    let bare = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v3/builds/upload-url")
                .query_param_missing("name")
                .query_param_missing("executable_path");
            then.status(201).json_body(upload_url_answer("default"));
        })
        .await;
    let client = client(&server);
    let builds = client.builds();
    let target = tokio::spawn(spawnable(
        builds
            .create_upload_url()
            .name("beta")
            .executable_path("bin/arena")
            .send(),
    ))
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        (target.build_id.as_str(), target.name.as_str()),
        ("b-1", "beta")
    );
    assert!(
        !format!("{target:?}").contains("s3cr3t"),
        "the presigned URL is a credential"
    );
    let target = builds.create_upload_url().await.unwrap();
    assert_eq!(target.name, "default");
    both.assert_async().await;
    bare.assert_async().await;

    // Empty values are refused before any request, naming the field.
    let err = builds.create_upload_url().name("").await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput(i) if i.field == "name"),
        "{err}"
    );
    let err = builds
        .create_upload_url()
        .executable_path("")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput(i) if i.field == "executable_path"),
        "{err}"
    );
    assert_eq!(both.calls_async().await + bare.calls_async().await, 2);
}

#[tokio::test]
async fn start_processing_sends_the_name_only_when_given() {
    let server = MockServer::start_async().await;
    let named = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v3/builds/b-1/process")
                .query_param("name", "beta");
            then.status(200).json_body(action_answer());
        })
        .await;
    let unnamed = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v3/builds/b-2/process")
                .query_param_missing("name");
            then.status(200).json_body(action_answer());
        })
        .await;
    let client = client(&server);
    let answer = tokio::spawn(spawnable(
        client.builds().start_processing("b-1").name("beta").send(),
    ))
    .await
    .unwrap()
    .unwrap();
    assert_eq!(answer.status, "accepted");
    client.builds().start_processing("b-2").await.unwrap();
    named.assert_async().await;
    unnamed.assert_async().await;

    let err = client.builds().start_processing("").await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput(i) if i.field == "build_id"),
        "{err}"
    );
}

#[tokio::test]
async fn processing_logs_send_the_page_and_refuse_sizes_out_of_range() {
    let server = MockServer::start_async().await;
    let paged = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/builds/b-1/logs")
                .query_param("limit", "100")
                .query_param("offset", "200");
            then.status(200)
                .json_body(json!({ "logs": [{ "message": "unpacking" }] }));
        })
        .await;
    let defaults = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/builds/b-2/logs")
                .query_param_missing("limit")
                .query_param_missing("offset");
            then.status(200).json_body(json!({ "logs": [] }));
        })
        .await;
    let client = client(&server);
    let logs = tokio::spawn(spawnable(
        client
            .builds()
            .processing_logs("b-1")
            .limit(100)
            .offset(200)
            .send(),
    ))
    .await
    .unwrap()
    .unwrap();
    assert_eq!(logs.0["logs"][0]["message"], "unpacking");
    client.builds().processing_logs("b-2").await.unwrap();
    paged.assert_async().await;
    defaults.assert_async().await;

    let widest = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/builds/b-3/logs")
                .query_param("limit", "500");
            then.status(200).json_body(json!({ "logs": [] }));
        })
        .await;
    for limit in [0, 501] {
        let err = client
            .builds()
            .processing_logs("b-3")
            .limit(limit)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidInput(i) if i.field == "limit"),
            "{limit}: {err}"
        );
    }
    assert_eq!(widest.calls_async().await, 0, "refused limits send nothing");
    client
        .builds()
        .processing_logs("b-3")
        .limit(500)
        .await
        .unwrap();
    widest.assert_async().await;
}

/// The positional methods are deprecated, not gone: a user's code keeps compiling (with a
/// warning naming the builder) and sends exactly what the builder sends.
#[tokio::test]
#[allow(deprecated)]
async fn the_deprecated_positional_methods_still_send_the_same_requests() {
    let server = MockServer::start_async().await;
    let upload_url = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v3/builds/upload-url")
                .query_param("name", "beta")
                .query_param_missing("executable_path");
            then.status(201).json_body(upload_url_answer("beta"));
        })
        .await;
    let process = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/api/v3/builds/b-1/process")
                .query_param_missing("name");
            then.status(200).json_body(action_answer());
        })
        .await;
    let logs = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/builds/b-1/logs")
                .query_param("limit", "50")
                .query_param_missing("offset");
            then.status(200).json_body(json!({ "logs": [] }));
        })
        .await;
    let project_logs = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/projects/logs")
                .query_param("start_time", "2025-03-14T09:00:00Z")
                .query_param("end_time", "2025-03-14T10:00:00Z")
                .query_param("limit", "100");
            then.status(200)
                .json_body(json!({ "logs": [{ "message": "a" }], "next_token": null }));
        })
        .await;
    let client = client(&server);
    let builds = client.builds();

    // Each call twice: once positional, once through the builder; both hit the same mock.
    assert_eq!(
        builds.upload_url(Some("beta"), None).await.unwrap().name,
        "beta"
    );
    builds.create_upload_url().name("beta").await.unwrap();
    assert_eq!(
        builds.process("b-1", None).await.unwrap().status,
        "accepted"
    );
    builds.start_processing("b-1").await.unwrap();
    builds.logs("b-1", Some(50), None).await.unwrap();
    builds.processing_logs("b-1").limit(50).await.unwrap();
    let page = client
        .project()
        .logs_page(
            "2025-03-14T09:00:00Z",
            Some("2025-03-14T10:00:00Z"),
            Some(100),
        )
        .await
        .unwrap();
    assert_eq!(page.logs[0].message.as_deref(), Some("a"));
    client
        .project()
        .logs("2025-03-14T09:00:00Z")
        .end_time("2025-03-14T10:00:00Z")
        .limit(100)
        .send()
        .await
        .unwrap();
    for mock in [&upload_url, &process, &logs, &project_logs] {
        assert_eq!(mock.calls_async().await, 2);
    }

    // Their checks are the builders' too.
    let err = builds.logs("b-1", Some(0), None).await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput(i) if i.field == "limit"),
        "{err}"
    );
}
