//! Builds: list, upload URL, from a Docker image, get, delete, process, logs.

use playflow::raw::enums::{BuildStatus, BuildType};
use playflow::raw::types;
use serde_json::json;

use playflow::raw::operations as ops;
use playflow_test_support::wire::{AWKWARD, Expect, assert_lossless, json, start};

/// The fields of the spec's `Build` example, as the generated type holds them.
fn assert_is_example_build(build: &types::Build) {
    assert_eq!(build.build_id, "6f1d2c4b-8a3e-4b7f-9c15-2e7a0d9b4c61");
    assert_eq!(build.name, "default");
    assert_eq!(build.version, 12.0);
    assert_eq!(build.status, BuildStatus::Ready);
    assert_eq!(build.build_type, Some(BuildType::Zip));
    assert_eq!(build.created_at.to_rfc3339(), "2025-03-13T17:02:11+00:00");
    assert_eq!(build.executable_path.as_deref(), Some("Server.x86_64"));
    assert_eq!(build.image_url, None);
}

#[tokio::test]
async fn list_builds_filters_by_name_and_pages() {
    let wire = start(ops::LIST_BUILDS).await;
    let example = wire.example();
    let body = example.clone();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/builds",
                query: &[("name", "arena server"), ("limit", "25"), ("offset", "50")],
                body: None,
            },
            |then| json(then, 200, body),
        )
        .await;
    let result = wire
        .client
        .list_builds()
        .name("arena server")
        .limit(25u64)
        .offset(50u64)
        .send()
        .await;
    mock.assert_async().await;
    let list = result.expect("listBuilds succeeds").into_inner();
    assert_eq!(list.total, Some(1));
    assert_is_example_build(&list.builds[0]);
    assert_lossless(&example, &list);
}

#[tokio::test]
async fn create_build_upload_url_sends_query_parameters_and_no_body() {
    let wire = start(ops::CREATE_BUILD_UPLOAD_URL).await;
    let example = wire.example();
    let body = example.clone();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/builds/upload-url",
                query: &[
                    ("name", "arena server"),
                    ("executable_path", "bin/Server.x86_64"),
                ],
                body: None,
            },
            |then| json(then, 201, body),
        )
        .await;
    let result = wire
        .client
        .create_build_upload_url()
        .name("arena server")
        .executable_path("bin/Server.x86_64")
        .send()
        .await;
    mock.assert_async().await;
    let upload = result.expect("createBuildUploadUrl succeeds");
    assert_eq!(upload.status().as_u16(), 201);
    assert_eq!(upload.build_id, "6f1d2c4b-8a3e-4b7f-9c15-2e7a0d9b4c61");
    assert!(
        upload
            .upload_url
            .expose()
            .starts_with("https://uploads.example.com/builds/")
    );
    assert_lossless(&example, &upload.into_inner());
}

#[tokio::test]
async fn create_build_from_docker_image_sends_the_image_and_credentials() {
    let wire = start(ops::CREATE_BUILD_FROM_DOCKER_IMAGE).await;
    let example = wire.example();
    let body = example.clone();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/builds/docker-image",
                query: &[],
                body: Some(json!({
                    "image_url": "ghcr.io/acme/arena-server:2.1.0",
                    "name": "beta",
                    "executable_path": "/app/server",
                    "registry_credentials": { "username": "acme-ci", "password": "ghp_0123456789abcdef" },
                })),
            },
            |then| json(then, 200, body),
        )
        .await;
    let credentials = types::RegistryCredentials::try_from(
        types::RegistryCredentials::builder()
            .username("acme-ci")
            .password("ghp_0123456789abcdef"),
    )
    .unwrap();
    let result = wire
        .client
        .create_build_from_docker_image()
        .body(
            types::DockerImageBuildRequest::builder()
                .image_url("ghcr.io/acme/arena-server:2.1.0")
                .name("beta".to_owned())
                .executable_path("/app/server".to_owned())
                .registry_credentials(credentials),
        )
        .send()
        .await;
    mock.assert_async().await;
    let accepted = result
        .expect("createBuildFromDockerImage succeeds")
        .into_inner();
    assert_eq!(accepted.status, "accepted");
    assert_eq!(accepted.build_id, "6f1d2c4b-8a3e-4b7f-9c15-2e7a0d9b4c61");
    assert_lossless(&example, &accepted);
}

/// `name` defaults to `default` in the spec: left out, it is not sent.
#[tokio::test]
async fn create_build_from_docker_image_leaves_the_defaulted_name_off_the_wire() {
    let wire = start(ops::CREATE_BUILD_FROM_DOCKER_IMAGE).await;
    let body = wire.example();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/builds/docker-image",
                query: &[],
                body: Some(json!({ "image_url": "ghcr.io/acme/arena-server:2.1.0" })),
            },
            |then| json(then, 200, body),
        )
        .await;
    let result = wire
        .client
        .create_build_from_docker_image()
        .body(
            types::DockerImageBuildRequest::builder().image_url("ghcr.io/acme/arena-server:2.1.0"),
        )
        .send()
        .await;
    mock.assert_async().await;
    result.expect("createBuildFromDockerImage succeeds");
}

#[tokio::test]
async fn get_build_decodes_the_example() {
    let wire = start(ops::GET_BUILD).await;
    let example = wire.example();
    let body = example.clone();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/builds/a%20b%2Fc",
                query: &[],
                body: None,
            },
            |then| json(then, 200, body),
        )
        .await;
    let result = wire.client.get_build().build_id(AWKWARD).send().await;
    mock.assert_async().await;
    let build = result.expect("getBuild succeeds").into_inner();
    assert_is_example_build(&build);
    assert_lossless(&example, &build);
}

#[tokio::test]
async fn delete_build_decodes_the_confirmation() {
    let wire = start(ops::DELETE_BUILD).await;
    let example = wire.example();
    let body = example.clone();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/builds/a%20b%2Fc",
                query: &[],
                body: None,
            },
            |then| json(then, 200, body),
        )
        .await;
    let result = wire.client.delete_build().build_id(AWKWARD).send().await;
    mock.assert_async().await;
    let deleted = result.expect("deleteBuild succeeds").into_inner();
    assert_eq!(deleted.status, "success");
    assert_eq!(deleted.message, "Build removed");
    assert_lossless(&example, &deleted);
}

#[tokio::test]
async fn process_build_sends_the_name_and_no_body() {
    let wire = start(ops::PROCESS_BUILD).await;
    let example = wire.example();
    let body = example.clone();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/builds/a%20b%2Fc/process",
                query: &[("name", "beta")],
                body: None,
            },
            |then| json(then, 200, body),
        )
        .await;
    let result = wire
        .client
        .process_build()
        .build_id(AWKWARD)
        .name("beta")
        .send()
        .await;
    mock.assert_async().await;
    let accepted = result.expect("processBuild succeeds").into_inner();
    assert_eq!(accepted.status, "accepted");
    assert_eq!(
        accepted.message,
        "Processing started; poll the build for its status"
    );
    assert_lossless(&example, &accepted);
}

#[tokio::test]
async fn get_build_logs_pages() {
    let wire = start(ops::GET_BUILD_LOGS).await;
    let example = wire.example();
    let body = example.clone();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/builds/a%20b%2Fc/logs",
                query: &[("limit", "100"), ("offset", "0")],
                body: None,
            },
            |then| json(then, 200, body),
        )
        .await;
    let result = wire
        .client
        .get_build_logs()
        .build_id(AWKWARD)
        .limit(100u64)
        .offset(0u64)
        .send()
        .await;
    mock.assert_async().await;
    let logs = result.expect("getBuildLogs succeeds").into_inner();
    assert_eq!(logs.0["logs"][0]["message"], "Extracting archive");
    assert_eq!(logs.0["total"], 1);
    assert_lossless(&example, &logs);
}
