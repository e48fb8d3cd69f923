//! Builds: upload URLs, uploads, processing, failures, image builds, deletion.

use playflow::raw::operations as ops;
use std::time::Duration;

use serde_json::json;

use super::harness::{Tour, call, put_archive};
use crate::support::{server_zip, zip_of};

pub(crate) async fn builds(t: &mut Tour) {
    // --- Builds.
    let upload = t
        .expect(
            201,
            call(
                ops::CREATE_BUILD_UPLOAD_URL,
                "/api/v3/builds/upload-url?name=default",
            ),
        )
        .await;
    let build_id = upload["build_id"].as_str().unwrap().to_owned();
    t.expect(
        422,
        call(
            ops::CREATE_BUILD_UPLOAD_URL,
            "/api/v3/builds/upload-url?name=",
        ),
    )
    .await;
    t.expect(
        200,
        call(ops::GET_BUILD, format!("/api/v3/builds/{build_id}")),
    )
    .await;
    t.expect(
        409,
        call(
            ops::PROCESS_BUILD,
            format!("/api/v3/builds/{build_id}/process"),
        ),
    )
    .await;
    put_archive(
        &t.http,
        upload["upload_url"].as_str().unwrap(),
        server_zip(),
    )
    .await;
    t.expect(
        200,
        call(
            ops::PROCESS_BUILD,
            format!("/api/v3/builds/{build_id}/process?name=default"),
        ),
    )
    .await;
    t.expect(
        200,
        call(ops::GET_BUILD, format!("/api/v3/builds/{build_id}")),
    )
    .await;
    t.expect(
        200,
        call(
            ops::GET_BUILD_LOGS,
            format!("/api/v3/builds/{build_id}/logs"),
        ),
    )
    .await;
    t.expect(
        422,
        call(
            ops::GET_BUILD_LOGS,
            format!("/api/v3/builds/{build_id}/logs?limit=1000"),
        ),
    )
    .await;
    t.expect(404, call(ops::GET_BUILD_LOGS, "/api/v3/builds/nope/logs"))
        .await;
    t.emu.advance(Duration::from_secs(120));
    let ready = t
        .expect(
            200,
            call(ops::GET_BUILD, format!("/api/v3/builds/{build_id}")),
        )
        .await;
    assert_eq!(ready["status"], "ready");
    let failed = t
        .expect(
            201,
            call(
                ops::CREATE_BUILD_UPLOAD_URL,
                "/api/v3/builds/upload-url?name=broken&executable_path=game.exe",
            ),
        )
        .await;
    put_archive(
        &t.http,
        failed["upload_url"].as_str().unwrap(),
        zip_of(&[("other.exe", b"x")]),
    )
    .await;
    t.emu.advance(Duration::from_secs(120));
    let failed_id = failed["build_id"].as_str().unwrap();
    let failed = t
        .expect(
            200,
            call(ops::GET_BUILD, format!("/api/v3/builds/{failed_id}")),
        )
        .await;
    assert_eq!(failed["status"], "failed");
    t.expect(
        200,
        call(
            ops::GET_BUILD_LOGS,
            format!("/api/v3/builds/{failed_id}/logs?limit=2&offset=1"),
        ),
    )
    .await;
    let image = t.expect(200, call(ops::CREATE_BUILD_FROM_DOCKER_IMAGE, "/api/v3/builds/docker-image")
        .json(json!({"image_url": "ghcr.io/acme/arena:2", "name": "beta", "registry_credentials": {"username": "u", "password": "p"}}))).await;
    t.expect(
        422,
        call(
            ops::CREATE_BUILD_FROM_DOCKER_IMAGE,
            "/api/v3/builds/docker-image",
        )
        .json(json!({"name": "x"})),
    )
    .await;
    t.expect(
        422,
        call(
            ops::CREATE_BUILD_FROM_DOCKER_IMAGE,
            "/api/v3/builds/docker-image",
        )
        .json(json!({"image_url": ""})),
    )
    .await;
    t.expect(200, call(ops::LIST_BUILDS, "/api/v3/builds"))
        .await;
    t.expect(
        200,
        call(
            ops::LIST_BUILDS,
            "/api/v3/builds?name=beta&limit=1&offset=0",
        ),
    )
    .await;
    t.expect(422, call(ops::LIST_BUILDS, "/api/v3/builds?limit=0"))
        .await;
    t.expect(422, call(ops::LIST_BUILDS, "/api/v3/builds?offset=-1"))
        .await;
    let image_id = image["build_id"].as_str().unwrap().to_owned();
    t.expect(
        200,
        call(ops::DELETE_BUILD, format!("/api/v3/builds/{image_id}")),
    )
    .await;
    let deleted = t
        .expect(
            200,
            call(ops::GET_BUILD, format!("/api/v3/builds/{image_id}")),
        )
        .await;
    assert_eq!(deleted["status"], "deleted");
    t.expect(
        409,
        call(
            ops::PROCESS_BUILD,
            format!("/api/v3/builds/{image_id}/process"),
        ),
    )
    .await;
    t.expect(404, call(ops::DELETE_BUILD, "/api/v3/builds/nope"))
        .await;
    t.expect(404, call(ops::GET_BUILD, "/api/v3/builds/nope"))
        .await;
    t.expect(404, call(ops::PROCESS_BUILD, "/api/v3/builds/nope/process"))
        .await;
}
