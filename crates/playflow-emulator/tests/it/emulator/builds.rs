//! Builds: ZIP uploads through signed URLs, processing, failures with logs, image builds.

use std::time::Duration;

use playflow::raw::enums::BuildStatus;
use playflow::raw::types;
use playflow_emulator::Emulator;
use serde_json::Value;

use crate::support::*;

#[tokio::test]
async fn zip_upload_goes_uploading_processing_ready() {
    let emu = Emulator::builder()
        .time_scale(100.0)
        .build_processing_delay(Duration::from_secs(600))
        .start()
        .await
        .unwrap();
    let api = admin(&emu);
    let created = api
        .create_build_upload_url()
        .name("default")
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let created = created.into_inner();
    assert!(
        created
            .upload_url
            .expose()
            .starts_with(&format!("{}/", emu.base_url()))
    );
    assert!(created.upload_url.expose().contains("signature="));

    let build = api
        .get_build()
        .build_id(&created.build_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(build.status, BuildStatus::Uploading);
    assert_eq!(build.version, 1.0);
    assert_eq!(build.executable_path.as_deref(), Some("Server.x86_64"));

    // The archive goes up without the api-key header, as to a presigned URL.
    let put = reqwest::Client::new()
        .put(created.upload_url.expose())
        .body(server_zip())
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    let build = api
        .get_build()
        .build_id(&created.build_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(build.status, BuildStatus::Processing);

    let again = reqwest::Client::new()
        .put(created.upload_url.expose())
        .body(server_zip())
        .send()
        .await
        .unwrap();
    assert_eq!(
        again.status(),
        409,
        "an uploaded build takes no second archive"
    );

    emu.advance(Duration::from_secs(600));
    let build = api
        .get_build()
        .build_id(&created.build_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(build.status, BuildStatus::Ready);
    assert!(build.updated_at.is_some());
    let logs = api
        .get_build_logs()
        .build_id(&created.build_id)
        .send()
        .await
        .unwrap();
    let text = serde_json::to_string(&logs.into_inner()).unwrap();
    assert!(text.contains("Found executable Server.x86_64"), "{text}");
    assert!(text.contains("Build ready"), "{text}");

    let second = api
        .create_build_upload_url()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(second.name, "default");
    let second = api
        .get_build()
        .build_id(&second.build_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(second.version, 2.0, "versions count up per name");
    let listed = api
        .list_builds()
        .name("default")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.total, Some(2));
    assert_eq!(listed.builds[0].build_id, second.build_id, "newest first");
    let other = api
        .list_builds()
        .name("beta")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(other.total, Some(0));
}

#[tokio::test]
async fn upload_urls_are_signed_and_expire() {
    let emu = emulator(100.0).await;
    let api = admin(&emu);
    let created = api
        .create_build_upload_url()
        .send()
        .await
        .unwrap()
        .into_inner();
    let http = reqwest::Client::new();

    let tampered = created
        .upload_url
        .expose()
        .replace("signature=", "signature=00");
    let refused = http.put(&tampered).body(server_zip()).send().await.unwrap();
    assert_eq!(refused.status(), 403);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["status"], 403);
    assert!(body["error"].is_string() && body["detail"].is_string());

    let other_build = api
        .create_build_upload_url()
        .send()
        .await
        .unwrap()
        .into_inner();
    let swapped = created
        .upload_url
        .expose()
        .replace(&created.build_id, &other_build.build_id);
    let refused = http.put(&swapped).body(server_zip()).send().await.unwrap();
    assert_eq!(refused.status(), 403, "a signature is bound to its build");

    emu.advance(Duration::from_secs(6 * 60));
    let late = http
        .put(created.upload_url.expose())
        .body(server_zip())
        .send()
        .await
        .unwrap();
    assert_eq!(late.status(), 403, "upload URLs last 5 minutes");
    let build = api
        .get_build()
        .build_id(&created.build_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(build.status, BuildStatus::Uploading);
}

/// Uploads `archive` as a new build and returns it after processing, with its log text.
async fn upload_and_process(
    emu: &Emulator,
    executable: Option<&str>,
    archive: Vec<u8>,
) -> (types::Build, String) {
    let api = admin(emu);
    let mut request = api.create_build_upload_url().name("default");
    if let Some(executable) = executable {
        request = request.executable_path(executable);
    }
    let created = request.send().await.unwrap().into_inner();
    let put = reqwest::Client::new()
        .put(created.upload_url.expose())
        .body(archive)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    emu.advance(Duration::from_secs(120));
    let build = api
        .get_build()
        .build_id(&created.build_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    let logs = api
        .get_build_logs()
        .build_id(&created.build_id)
        .send()
        .await
        .unwrap();
    (build, serde_json::to_string(&logs.into_inner()).unwrap())
}

#[tokio::test]
async fn broken_archives_fail_with_build_logs() {
    let emu = emulator(100.0).await;

    let (build, logs) = upload_and_process(&emu, None, b"this is not a zip".to_vec()).await;
    assert_eq!(build.status, BuildStatus::Failed);
    assert!(logs.contains("not a valid ZIP archive"), "{logs}");

    let no_executable = zip_of(&[("README.txt", b"hello"), ("Data/a.bin", b"1")]);
    let (build, logs) = upload_and_process(&emu, None, no_executable).await;
    assert_eq!(build.status, BuildStatus::Failed);
    assert!(
        logs.contains("executable `Server.x86_64` not found"),
        "{logs}"
    );
    assert!(
        logs.contains("README.txt"),
        "the log lists what is there: {logs}"
    );

    let nested = zip_of(&[("MyGame/Server.x86_64", b"bin")]);
    let (build, logs) = upload_and_process(&emu, None, nested).await;
    assert_eq!(build.status, BuildStatus::Failed);
    assert!(
        logs.contains("executable_path=MyGame/Server.x86_64"),
        "{logs}"
    );

    let custom = zip_of(&[("bin/arena-server", b"bin")]);
    let (build, _) = upload_and_process(&emu, Some("bin/arena-server"), custom).await;
    assert_eq!(build.status, BuildStatus::Ready);
    assert_eq!(build.executable_path.as_deref(), Some("bin/arena-server"));
}

#[tokio::test]
async fn image_builds_process_alone_and_delete_softly() {
    let emu = emulator(100.0).await;
    let api = admin(&emu);
    let registered = api
        .create_build_from_docker_image()
        .body_map(|body| {
            body.image_url("ghcr.io/acme/arena:2.1.0")
                .name("beta".to_owned())
                .registry_credentials(Some(
                    types::RegistryCredentials::try_from(
                        types::RegistryCredentials::builder()
                            .username("ci")
                            .password("secret-token"),
                    )
                    .unwrap(),
                ))
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(registered.status, "accepted");
    let build = api
        .get_build()
        .build_id(&registered.build_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(build.status, BuildStatus::Processing);
    assert_eq!(build.image_url.as_deref(), Some("ghcr.io/acme/arena:2.1.0"));
    emu.advance(Duration::from_secs(60));
    let build = api
        .get_build()
        .build_id(&registered.build_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(build.status, BuildStatus::Ready);
    let logs = api
        .get_build_logs()
        .build_id(&registered.build_id)
        .send()
        .await
        .unwrap();
    let logs = serde_json::to_string(&logs.into_inner()).unwrap();
    assert!(
        logs.contains("Pulling image") && !logs.contains("secret-token"),
        "{logs}"
    );

    let deleted = api
        .delete_build()
        .build_id(&registered.build_id)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.into_inner().status, "success");
    let build = api
        .get_build()
        .build_id(&registered.build_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(build.status, BuildStatus::Deleted);
    let listed = api.list_builds().send().await.unwrap().into_inner();
    assert_eq!(listed.total, Some(0), "deleted builds are not listed");
    let start = api
        .start_server()
        .body_map(|body| {
            body.name("a")
                .region("eu-west")
                .version_tag(Some("beta".into()))
        })
        .send()
        .await;
    assert_eq!(status_of(start), 404, "a deleted build cannot be deployed");
    assert_eq!(
        status_of(api.get_build().build_id("no-such-build").send().await),
        404
    );
    let processed = api
        .process_build()
        .build_id(&registered.build_id)
        .send()
        .await;
    assert_eq!(status_of(processed), 409);
}
