//! The emulator driven through the generated client: builds, servers, keys, limits,
//! validation, lobbies, the event stream and matchmaking.

mod emulator_support;

use std::time::Duration;

use emulator_support::*;
use futures::StreamExt;
use playflow::emulator::{Emulator, Plan};
use playflow::raw::enums::{BuildStatus, LobbyStatus, ServerStatus};
use playflow::raw::types;
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Builds

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
            .starts_with(&format!("{}/", emu.base_url()))
    );
    assert!(created.upload_url.contains("signature="));

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
        .put(&created.upload_url)
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
        .put(&created.upload_url)
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

    let tampered = created.upload_url.replace("signature=", "signature=00");
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
        .replace(&created.build_id, &other_build.build_id);
    let refused = http.put(&swapped).body(server_zip()).send().await.unwrap();
    assert_eq!(refused.status(), 403, "a signature is bound to its build");

    emu.advance(Duration::from_secs(6 * 60));
    let late = http
        .put(&created.upload_url)
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
        .put(&created.upload_url)
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
                .registry_credentials(Some(types::RegistryCredentials {
                    username: "ci".into(),
                    password: "secret-token".into(),
                }))
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

// ---------------------------------------------------------------------------------------------
// Servers

async fn start_server(api: &playflow::raw::Client, name: &str, ttl: Option<i64>) -> types::Server {
    let response = api
        .start_server()
        .body_map(|body| body.name(name).region("eu-west").ttl(ttl))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    response.into_inner()
}

#[tokio::test]
async fn servers_launch_run_and_stop() {
    let emu = emulator(100.0).await;
    let api = admin(&emu);
    assert_eq!(
        status_of(
            api.start_server()
                .body_map(|body| body.name("early").region("eu-west"))
                .send()
                .await
        ),
        404,
        "no ready build yet"
    );
    ready_image_build(&emu, "default").await;

    let server = start_server(&api, "ranked-eu-1", None).await;
    assert_eq!(server.status, ServerStatus::Launching);
    assert_eq!(server.version, Some(1));
    assert!(server.started_at.is_none());
    let port = &server.network_ports[0];
    assert_eq!(port.host.as_deref(), Some("127.0.0.1"));
    assert_eq!(port.internal_port, Some(7777));
    assert!(port.external_port.unwrap() >= 30000);
    let other = start_server(&api, "ranked-eu-2", None).await;
    assert_ne!(
        other.network_ports[0].external_port, port.external_port,
        "live servers get distinct ports"
    );

    let listed = api.list_servers().send().await.unwrap().into_inner();
    assert_eq!(
        listed.total,
        Some(0),
        "launching servers are listed only on request"
    );
    let listed = api
        .list_servers()
        .include_launching(true)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.total, Some(2));

    emu.advance(Duration::from_secs(10));
    let running = api
        .get_server()
        .instance_id(&server.instance_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(running.status, ServerStatus::Running);
    assert!(running.started_at.is_some());
    let logs = api
        .get_server_logs()
        .instance_id(&server.instance_id)
        .send()
        .await
        .unwrap();
    let logs = logs.into_inner();
    assert!(
        logs.logs
            .iter()
            .any(|line| line.message.as_deref() == Some("Server ready"))
    );
    assert!(logs.machine_id.is_some());

    let stopped = api
        .stop_server()
        .instance_id(&server.instance_id)
        .send()
        .await
        .unwrap();
    assert_eq!(stopped.into_inner().status, "Server stopped successfully");
    let gone = api
        .get_server()
        .instance_id(&server.instance_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(gone.status, ServerStatus::Stopped);
    assert!(gone.network_ports.is_empty() && gone.stopped_at.is_some());
    assert_eq!(
        status_of(api.stop_server().instance_id("nope").send().await),
        404
    );
    assert_eq!(
        status_of(api.get_server().instance_id("nope").send().await),
        404
    );

    let updated = api
        .update_server_custom_data()
        .instance_id(&other.instance_id)
        .body_map(|body| {
            body.custom_data(json!({"phase": "overtime"}).as_object().unwrap().clone())
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(updated.custom_data.unwrap()["phase"], "overtime");
}

#[tokio::test]
async fn ttl_expiry_stops_the_server() {
    let emu = emulator(100.0).await;
    let api = admin(&emu);
    ready_image_build(&emu, "default").await;
    let server = start_server(&api, "short", Some(60)).await;
    emu.advance(Duration::from_secs(30));
    let live = api
        .get_server()
        .instance_id(&server.instance_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(live.status, ServerStatus::Running);
    emu.advance(Duration::from_secs(31));
    let expired = api
        .get_server()
        .instance_id(&server.instance_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(expired.status, ServerStatus::Stopped);
    let lifetime = expired.stopped_at.unwrap() - expired.created_at.unwrap();
    assert_eq!(lifetime.num_seconds(), 60, "stopped exactly at the TTL");
    let logs = api
        .get_server_logs()
        .instance_id(&server.instance_id)
        .send()
        .await
        .unwrap();
    assert!(logs.into_inner().logs.iter().any(|line| {
        line.message
            .as_deref()
            .unwrap_or("")
            .contains("TTL_EXPIRED")
    }));
}

#[tokio::test]
async fn restart_relaunches_with_new_ports() {
    let emu = emulator(100.0).await;
    let api = admin(&emu);
    ready_image_build(&emu, "default").await;
    let server = start_server(&api, "restartable", None).await;
    emu.advance(Duration::from_secs(10));
    let restarted = api
        .restart_server()
        .instance_id(&server.instance_id)
        .body_map(|body| body.ttl(Some(600)).startup_args(Some("-map harbor".into())))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(restarted.instance_id, server.instance_id);
    assert_eq!(restarted.status, ServerStatus::Launching);
    assert_eq!(restarted.ttl, Some(600));
    assert_eq!(restarted.startup_args.as_deref(), Some("-map harbor"));
    assert_ne!(
        restarted.network_ports[0].external_port,
        server.network_ports[0].external_port
    );
    emu.advance(Duration::from_secs(10));
    let running = api
        .get_server()
        .instance_id(&server.instance_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(running.status, ServerStatus::Running);
}

#[tokio::test]
async fn server_lists_page_with_has_more() {
    let emu = emulator(100.0).await;
    let api = admin(&emu);
    ready_image_build(&emu, "default").await;
    for index in 0..5 {
        start_server(&api, &format!("s{index}"), None).await;
    }
    emu.advance(Duration::from_secs(10));
    let first = api
        .list_servers()
        .limit(2)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (first.servers.len(), first.total, first.has_more),
        (2, Some(5), Some(true))
    );
    assert_eq!(first.servers[0].name, "s4", "newest first");
    let last = api
        .list_servers()
        .limit(2)
        .offset(4)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!((last.servers.len(), last.has_more), (1, Some(false)));
}

#[tokio::test]
async fn server_logs_page_by_next_token() {
    let emu = emulator(100.0).await;
    let api = admin(&emu);
    ready_image_build(&emu, "default").await;
    let server = start_server(&api, "chatty", None).await;
    emu.advance(Duration::from_secs(10));
    emu.advance(Duration::from_secs(120));
    let metrics = api
        .get_server_metrics()
        .instance_id(&server.instance_id)
        .period("5m")
        .step("15s");
    let metrics = metrics.send().await.unwrap().into_inner();
    let cpu = metrics["cpu"].as_array().unwrap();
    assert!(
        (7..=9).contains(&cpu.len()),
        "two minutes at 15 s steps: {}",
        cpu.len()
    );
    let bad = api
        .get_server_metrics()
        .instance_id(&server.instance_id)
        .period("2d")
        .send()
        .await;
    assert_eq!(status_of(bad), 422);
    api.stop_server()
        .instance_id(&server.instance_id)
        .send()
        .await
        .unwrap();
    let all = api
        .get_server_logs()
        .instance_id(&server.instance_id)
        .send()
        .await
        .unwrap();
    let all = all.into_inner();
    assert!(all.logs.len() >= 6 && all.next_token.is_none());

    let mut gathered = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut request = api
            .get_server_logs()
            .instance_id(&server.instance_id)
            .limit(2);
        if let Some(cursor) = &cursor {
            request = request.start_time(cursor.clone());
        }
        let page = request.send().await.unwrap().into_inner();
        gathered.extend(page.logs);
        match page.next_token {
            Some(token) => cursor = Some(token),
            None => break,
        }
    }
    assert_eq!(gathered, all.logs, "pages add up to the whole log");

    let project = api
        .get_project_logs()
        .start_time("-1h")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(project.logs.len(), all.logs.len());
    assert!(
        project
            .logs
            .iter()
            .all(|line| line.server_name.as_deref() == Some("chatty"))
    );
}

#[tokio::test]
async fn pool_servers_are_claimed_and_cannot_restart() {
    let emu = emulator(100.0).await;
    let api = admin(&emu);
    ready_image_build(&emu, "default").await;
    let pool: types::PoolConfig =
        serde_json::from_value(json!({"enabled": true, "regions": {"eu-west": {"small": 1}}}))
            .unwrap();
    api.update_project_settings()
        .body_map(|body| body.pool_config(Some(pool)))
        .send()
        .await
        .unwrap();
    emu.advance(Duration::from_secs(10));
    let listed = api
        .list_servers()
        .include_pool(true)
        .send()
        .await
        .unwrap()
        .into_inner();
    let warm = listed
        .servers
        .iter()
        .find(|s| s.is_pool_server == Some(true))
        .expect("warm machine");
    assert!(
        api.list_servers()
            .send()
            .await
            .unwrap()
            .into_inner()
            .servers
            .is_empty()
    );

    let claimed = start_server(&api, "quick", None).await;
    assert_eq!(claimed.instance_id, warm.instance_id);
    assert_eq!(claimed.is_pool_server, Some(true));
    assert!(claimed.pool_claimed_at.is_some());
    emu.advance(Duration::from_secs(5));
    let running = api
        .get_server()
        .instance_id(&claimed.instance_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        running.status,
        ServerStatus::Running,
        "pool servers launch in about 5 s"
    );
    let restart = api
        .restart_server()
        .instance_id(&claimed.instance_id)
        .body_map(|b| b)
        .send()
        .await;
    assert_eq!(status_of(restart), 400);
}

#[tokio::test]
async fn free_plan_limits_servers() {
    let emu = Emulator::builder()
        .time_scale(100.0)
        .rate_limits(1000, 1000)
        .plan(Plan::Free)
        .start()
        .await
        .unwrap();
    let api = admin(&emu);
    ready_image_build(&emu, "default").await;
    let big = api
        .start_server()
        .body_map(|body| {
            body.name("big")
                .region("eu-west")
                .compute_size(Some("large".into()))
        })
        .send()
        .await;
    assert_eq!(status_of(big), 403);
    let first = start_server(&api, "one", None).await;
    assert_eq!(first.ttl, Some(3600), "the Free plan's one-hour TTL");
    assert_eq!(
        status_of(
            api.start_server()
                .body_map(|b| b.name("two").region("eu-west"))
                .send()
                .await
        ),
        403
    );
}

// ---------------------------------------------------------------------------------------------
// Keys, limits, validation

#[tokio::test]
async fn keys_decide_access() {
    let emu = emulator(100.0).await;
    let http = reqwest::Client::new();
    let url = format!("{}/api/v3/servers", emu.base_url());
    let missing = http.get(&url).send().await.unwrap();
    assert_eq!(missing.status(), 401);
    let unknown = http
        .get(&url)
        .header("api-key", "pf_not_ours")
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 401);
    let body: Value = unknown.json().await.unwrap();
    assert_eq!(
        (body["status"].as_i64(), body["error"].is_string()),
        (Some(401), true)
    );

    let health = http
        .get(format!("{}/api/health", emu.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200, "health needs no key");

    let game = client(&emu, emu.client_key());
    game.list_servers()
        .send()
        .await
        .expect("client keys list servers");
    let refused = error_body(game.list_builds().send().await);
    assert_eq!(refused.status, 403);
    assert!(
        matches!(refused.detail, Some(types::ErrorDetail::String(ref d)) if d.contains("server key"))
    );
    assert_eq!(status_of(game.get_project_settings().send().await), 403);
    assert_eq!(
        status_of(
            game.get_lobby()
                .config("default")
                .lobby_id("x")
                .send()
                .await
        ),
        403
    );
    let lobby = game
        .create_lobby()
        .config("default")
        .x_player_id("p1")
        .body_map(|body| body.name("from the game"))
        .send()
        .await;
    assert_eq!(lobby.unwrap().status(), 200, "players use the client key");
}

#[tokio::test]
async fn rate_limits_answer_429_with_headers() {
    let emu = Emulator::builder()
        .time_scale(100.0)
        .rate_limits(5, 2)
        .start()
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let url = format!("{}/api/v3/servers", emu.base_url());
    let mut remaining = Vec::new();
    for _ in 0..5 {
        let ok = http
            .get(&url)
            .header("api-key", emu.server_key())
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), 200);
        assert_eq!(ok.headers()["x-ratelimit-limit"], "5");
        remaining.push(
            ok.headers()["x-ratelimit-remaining"]
                .to_str()
                .unwrap()
                .parse::<u32>()
                .unwrap(),
        );
    }
    assert_eq!(remaining, [4, 3, 2, 1, 0]);
    let refused = http
        .get(&url)
        .header("api-key", emu.server_key())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["x-ratelimit-remaining"], "0");
    let retry: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["status"], 429);

    // Writes have their own budget, and the client key its own.
    let settings = format!("{}/api/v3/projects/settings", emu.base_url());
    for expected in [200, 200, 429] {
        let write = http
            .post(&settings)
            .header("api-key", emu.server_key())
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(write.status(), expected);
    }
    let game = http
        .get(&url)
        .header("api-key", emu.client_key())
        .send()
        .await
        .unwrap();
    assert_eq!(game.status(), 200);

    // The budget refills with (wall-clock) time.
    tokio::time::sleep(Duration::from_millis(450)).await;
    let later = http
        .get(&url)
        .header("api-key", emu.server_key())
        .send()
        .await
        .unwrap();
    assert_eq!(later.status(), 200);
}

#[tokio::test]
async fn invalid_input_gets_422_with_issues() {
    let emu = emulator(100.0).await;
    let http = reqwest::Client::new();
    let start = format!("{}/api/v3/servers/start", emu.base_url());
    let response = http
        .post(&start)
        .header("api-key", emu.server_key())
        .json(&json!({"region": "eu-west", "ttl": 30}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], 422);
    let issues = body["detail"].as_array().unwrap();
    let at = |loc: Value| issues.iter().find(|issue| issue["loc"] == loc).cloned();
    assert_eq!(at(json!(["body", "name"])).unwrap()["type"], "missing");
    let ttl = at(json!(["body", "ttl"])).unwrap();
    assert_eq!(ttl["type"], "too_small");
    assert!(ttl["msg"].as_str().unwrap().contains("60"));

    let api = admin(&emu);
    let too_many = api.list_servers().limit(500).send().await;
    let body = error_body(too_many);
    assert_eq!(body.status, 422);
    let region = api
        .start_server()
        .body_map(|b| b.name("x").region("moon-1"))
        .send()
        .await;
    assert_eq!(status_of(region), 422);
    let crowd = api
        .create_lobby()
        .config("default")
        .x_player_id("p")
        .body_map(|b| {
            b.name("crowd")
                .max_players(Some(std::num::NonZeroU64::new(101).unwrap()))
        })
        .send()
        .await;
    assert_eq!(status_of(crowd), 422);
    let no_player = http
        .get(format!("{}/api/v3/lobbies/default/me", emu.base_url()))
        .header("api-key", emu.server_key())
        .send()
        .await
        .unwrap();
    assert_eq!(no_player.status(), 422, "x-player-id is required");
    let garbage = http
        .post(&start)
        .header("api-key", emu.server_key())
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), 422);
}

// ---------------------------------------------------------------------------------------------
// Lobbies

async fn create_lobby(api: &playflow::raw::Client, player: &str, max: u64) -> types::Lobby {
    api.create_lobby()
        .config("default")
        .x_player_id(player)
        .body_map(|body| {
            body.name(format!("{player}'s lobby"))
                .max_players(std::num::NonZeroU64::new(max))
                .settings(json!({"map": "forest"}).as_object().unwrap().clone())
                .state(json!({"ready": false}).as_object().unwrap().clone())
        })
        .send()
        .await
        .unwrap()
        .into_inner()
}

#[tokio::test]
async fn lobby_player_operations() {
    let emu = emulator(100.0).await;
    let api = client(&emu, emu.client_key());
    let lobby = create_lobby(&api, "alice", 3).await;
    assert_eq!(
        (lobby.status.clone(), lobby.host.as_str()),
        (LobbyStatus::Waiting, "alice")
    );
    let code = lobby.code.clone().unwrap();

    let joined = api
        .join_lobby()
        .config("default")
        .x_player_id("bob")
        .body_map(|b| b.code(Some(code.clone())))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(joined.current_players, 2.0);
    api.join_lobby()
        .config("default")
        .x_player_id("carol")
        .body_map(|b| b.lobby_id(Some(lobby.id.clone())))
        .send()
        .await
        .unwrap();
    let full = api
        .join_lobby()
        .config("default")
        .x_player_id("dave")
        .body_map(|b| b.lobby_id(Some(lobby.id.clone())))
        .send()
        .await;
    assert_eq!(status_of(full), 400);
    let twice = api
        .create_lobby()
        .config("default")
        .x_player_id("bob")
        .body_map(|b| b.name("second"))
        .send()
        .await;
    assert_eq!(status_of(twice), 409);
    let nowhere = api
        .join_lobby()
        .config("default")
        .x_player_id("erin")
        .body_map(|b| b.code(Some("NOPE42".into())))
        .send()
        .await;
    assert_eq!(status_of(nowhere), 404);

    let state = api
        .update_my_player_state()
        .config("default")
        .x_player_id("bob")
        .body_map(|b| {
            b.state(
                json!({"ready": true, "team": "red"})
                    .as_object()
                    .unwrap()
                    .clone(),
            )
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    let bob = state.players.iter().find(|p| p.id == "bob").unwrap();
    assert_eq!(bob.state.as_ref().unwrap()["team"], "red");
    let alice_state = api
        .update_my_player_state()
        .config("default")
        .x_player_id("alice")
        .body_map(|b| b.state(json!({"team": "blue"}).as_object().unwrap().clone()))
        .send()
        .await
        .unwrap()
        .into_inner();
    let alice = alice_state
        .players
        .iter()
        .find(|p| p.id == "alice")
        .unwrap();
    assert_eq!(
        alice.state.as_ref().unwrap()["ready"],
        false,
        "state keys are merged"
    );

    let not_host = api
        .update_lobby_settings()
        .config("default")
        .x_player_id("bob")
        .body_map(|b| b.max_players(std::num::NonZeroU64::new(6)))
        .send()
        .await;
    assert_eq!(status_of(not_host), 403);
    let settings = api
        .update_lobby_settings()
        .config("default")
        .x_player_id("alice")
        .body_map(|b| {
            b.max_players(std::num::NonZeroU64::new(6))
                .settings(json!({"mode": "ctf"}).as_object().unwrap().clone())
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(settings.max_players, 6.0);
    assert_eq!(
        (
            settings.settings["map"].clone(),
            settings.settings["mode"].clone()
        ),
        (json!("forest"), json!("ctf"))
    );

    let kicked = api
        .kick_player()
        .config("default")
        .x_player_id("alice")
        .player_id("carol")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(kicked.players.iter().all(|p| p.id != "carol"));
    assert_eq!(
        status_of(
            api.get_my_lobby()
                .config("default")
                .x_player_id("carol")
                .send()
                .await
        ),
        404
    );

    let private = create_lobby(&api, "zed", 2).await;
    api.update_lobby_settings()
        .config("default")
        .x_player_id("zed")
        .body_map(|b| b.is_private(Some(true)))
        .send()
        .await
        .unwrap();
    let browsed = api
        .browse_lobbies()
        .config("default")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(browsed.total, 1.0);
    assert_eq!(browsed.lobbies[0].id, lobby.id);
    assert!(
        browsed.lobbies.iter().all(|l| l.id != private.id),
        "private lobbies are not browsed"
    );

    let left = api
        .leave_lobby()
        .config("default")
        .x_player_id("alice")
        .send()
        .await
        .unwrap()
        .into_inner();
    match left {
        types::LeaveLobbyResponse::Variant0(lobby) => assert_eq!(lobby.host, "bob", "a new host"),
        other => panic!("expected the lobby, got {other:?}"),
    }
    let last = api
        .leave_lobby()
        .config("default")
        .x_player_id("bob")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(
        matches!(last, types::LeaveLobbyResponse::Variant1(_)),
        "the last one out deletes it"
    );
    let admin = admin(&emu);
    assert_eq!(
        status_of(
            admin
                .get_lobby()
                .config("default")
                .lobby_id(&lobby.id)
                .send()
                .await
        ),
        404
    );
}

#[tokio::test]
async fn starting_a_game_provisions_a_server() {
    let emu = emulator(100.0).await;
    let api = admin(&emu);
    let lobby = create_lobby(&api, "host", 4).await;

    // Without a ready build, provisioning fails and the lobby falls back to `waiting`.
    let starting = api
        .start_game()
        .config("default")
        .x_player_id("host")
        .send()
        .await
        .unwrap();
    assert_eq!(starting.into_inner().status, LobbyStatus::Starting);
    eventually("the failed start to revert", || async {
        let mine = api
            .get_my_lobby()
            .config("default")
            .x_player_id("host")
            .send()
            .await
            .ok()?;
        (mine.into_inner().status == LobbyStatus::Waiting).then_some(())
    })
    .await;

    ready_image_build(&emu, "default").await;
    api.join_lobby()
        .config("default")
        .x_player_id("guest")
        .body_map(|b| b.lobby_id(Some(lobby.id.clone())))
        .send()
        .await
        .unwrap();
    assert_eq!(
        status_of(
            api.start_game()
                .config("default")
                .x_player_id("guest")
                .send()
                .await
        ),
        403
    );
    let starting = api
        .start_game()
        .config("default")
        .x_player_id("host")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(starting.status, LobbyStatus::Starting);
    let block = starting.server.expect("a server block");
    assert_eq!(block.status.as_deref(), Some("launching"));
    let instance = block.extra["instanceId"].as_str().unwrap().to_owned();
    assert_eq!(block.ports[0].host.as_deref(), Some("127.0.0.1"));

    emu.advance(Duration::from_secs(10));
    let playing = api
        .get_my_lobby()
        .config("default")
        .x_player_id("guest")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(playing.status, LobbyStatus::InGame);
    assert_eq!(playing.server.unwrap().status.as_deref(), Some("running"));
    let server = api
        .get_server()
        .instance_id(&instance)
        .send()
        .await
        .unwrap()
        .into_inner();
    let data = server.custom_data.unwrap();
    assert_eq!(
        (data["lobbyId"].as_str(), data["map"].as_str()),
        (Some(lobby.id.as_str()), Some("forest"))
    );

    let ended = api
        .end_match()
        .config("default")
        .x_player_id("host")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ended.status, LobbyStatus::Waiting);
    assert!(ended.server.is_none() && ended.match_id.is_none());
    assert_eq!(ended.current_players, 2.0, "same members");
}

#[tokio::test]
async fn event_stream_tells_connected_updated_deleted() {
    let emu = emulator(100.0).await;
    let api = client(&emu, emu.client_key());
    let lobby = create_lobby(&api, "alice", 4).await;
    let mut stream = events(&emu, emu.client_key(), "default", "alice").await;
    let (name, data) = next_change(&mut stream).await.unwrap();
    assert_eq!(name, "connected");
    assert_eq!(data["id"], json!(lobby.id));

    api.join_lobby()
        .config("default")
        .x_player_id("bob")
        .body_map(|b| b.lobby_id(Some(lobby.id.clone())))
        .send()
        .await
        .unwrap();
    let (name, data) = next_change(&mut stream).await.unwrap();
    assert_eq!(name, "lobby_updated");
    assert_eq!(data["currentPlayers"], 2);

    // A kicked player's stream closes.
    let mut bobs = events(&emu, emu.client_key(), "default", "bob").await;
    assert_eq!(next_change(&mut bobs).await.unwrap().0, "connected");
    api.kick_player()
        .config("default")
        .x_player_id("alice")
        .player_id("bob")
        .send()
        .await
        .unwrap();
    assert!(next_change(&mut bobs).await.is_none(), "bob's stream ends");
    let (name, data) = next_change(&mut stream).await.unwrap();
    assert_eq!(
        (name.as_str(), data["currentPlayers"].as_i64()),
        ("lobby_updated", Some(1))
    );

    admin(&emu)
        .delete_lobby()
        .config("default")
        .lobby_id(&lobby.id)
        .send()
        .await
        .unwrap();
    let (name, data) = next_change(&mut stream).await.unwrap();
    assert_eq!(name, "lobby_deleted");
    assert_eq!(data, json!({"id": lobby.id}));
    assert!(
        next_change(&mut stream).await.is_none(),
        "the stream ends after lobby_deleted"
    );
}

#[tokio::test]
async fn event_stream_pings_and_reports_queue_stats() {
    let emu = emulator(1000.0).await;
    let api = admin(&emu);
    create_lobby(&api, "solo", 1).await;
    let mut stream = events(&emu, emu.server_key(), "default", "solo").await;
    assert_eq!(stream.next().await.unwrap().0, "connected");
    api.start_matchmaking()
        .config("default")
        .x_player_id("solo")
        .body_map(|b| b.mode("1v1"))
        .send()
        .await
        .unwrap();
    let mut seen = (false, false);
    while seen != (true, true) {
        let (name, data) = tokio::time::timeout(Duration::from_secs(5), stream.next())
            .await
            .expect("events keep coming")
            .unwrap();
        match name.as_str() {
            "ping" => {
                assert_eq!(data, "", "pings carry empty data");
                seen.0 = true;
            }
            "queue_stats" => {
                let stats: Value = serde_json::from_str(&data).unwrap();
                assert_eq!(
                    (
                        stats["lobbiesInQueue"].as_i64(),
                        stats["playersSearching"].as_i64()
                    ),
                    (Some(1), Some(1))
                );
                seen.1 = true;
            }
            _ => {}
        }
    }
}

#[tokio::test]
async fn matchmaking_pairs_two_lobbies_on_one_server() {
    let emu = emulator(100.0).await;
    let api = admin(&emu);
    ready_image_build(&emu, "default").await;
    let first = create_lobby(&api, "alice", 1).await;
    let second = create_lobby(&api, "bob", 1).await;

    let unknown = api
        .start_matchmaking()
        .config("default")
        .x_player_id("alice")
        .body_map(|b| b.mode("5v5"))
        .send()
        .await;
    assert_eq!(status_of(unknown), 400);
    let queued = api
        .start_matchmaking()
        .config("default")
        .x_player_id("alice")
        .body_map(|b| b.mode("1v1"))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(queued.status, LobbyStatus::InQueue);
    assert_eq!(queued.matchmaking.unwrap().mode.as_deref(), Some("1v1"));
    let no_confirmation = api
        .confirm_match()
        .config("default")
        .x_player_id("alice")
        .send()
        .await;
    assert_eq!(status_of(no_confirmation), 409, "1v1 needs no confirmation");
    api.start_matchmaking()
        .config("default")
        .x_player_id("bob")
        .body_map(|b| b.mode("1v1"))
        .send()
        .await
        .unwrap();

    let (a, b) = eventually("both lobbies matched", || async {
        let a = api
            .get_lobby()
            .config("default")
            .lobby_id(&first.id)
            .send()
            .await
            .ok()?
            .into_inner();
        let b = api
            .get_lobby()
            .config("default")
            .lobby_id(&second.id)
            .send()
            .await
            .ok()?
            .into_inner();
        (a.server.is_some() && b.server.is_some()).then_some((a, b))
    })
    .await;
    assert_eq!(a.status, LobbyStatus::Matched);
    assert!(a.match_id.is_some() && a.match_id == b.match_id);
    let instance = a.server.unwrap().extra["instanceId"].clone();
    assert_eq!(instance, b.server.unwrap().extra["instanceId"]);

    emu.advance(Duration::from_secs(10));
    let a = api
        .get_lobby()
        .config("default")
        .lobby_id(&first.id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(a.status, LobbyStatus::InGame);
    let server = api
        .get_server()
        .instance_id(instance.as_str().unwrap())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(server.status, ServerStatus::Running);
    assert_eq!(server.match_id, a.match_id);
    assert_eq!(
        server.custom_data.unwrap()["lobbies"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // When the server stops, the lobbies go back to waiting.
    api.stop_server()
        .instance_id(instance.as_str().unwrap())
        .send()
        .await
        .unwrap();
    let b = api
        .get_lobby()
        .config("default")
        .lobby_id(&second.id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(b.status, LobbyStatus::Waiting);
    assert!(b.matchmaking.is_none() && b.server.is_none());
}

#[tokio::test]
async fn matches_with_confirmation_are_confirmed_or_declined() {
    let emu = emulator(100.0).await;
    let api = admin(&emu);
    ready_image_build(&emu, "default").await;
    let ranked: types::LobbyConfig = serde_json::from_value(json!({
        "name": "ranked",
        "matchmaking": {"modes": {"duel": {"teams": 2, "playersPerTeam": 1, "matchConfirmation": {"timeout": 20}}}}
    }))
    .unwrap();
    api.update_project_settings()
        .body_map(|b| b.lobby_configs(vec![ranked]))
        .send()
        .await
        .unwrap();

    for player in ["ann", "ben"] {
        api.create_lobby()
            .config("ranked")
            .x_player_id(player)
            .body_map(|b| b.name(player))
            .send()
            .await
            .unwrap();
    }
    let queue_both = || async {
        for player in ["ann", "ben"] {
            api.start_matchmaking()
                .config("ranked")
                .x_player_id(player)
                .body_map(|b| b.mode("duel"))
                .send()
                .await
                .unwrap();
        }
        eventually("a match to be found", || async {
            let mine = api
                .get_my_lobby()
                .config("ranked")
                .x_player_id("ben")
                .send()
                .await
                .ok()?
                .into_inner();
            (mine.status == LobbyStatus::MatchFound).then_some(mine)
        })
        .await
    };

    let found = queue_both().await;
    let confirmation = found.matchmaking.unwrap().confirmation.unwrap();
    assert_eq!(confirmation.confirmed, Some(false));
    let ann = api
        .confirm_match()
        .config("ranked")
        .x_player_id("ann")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        ann.status,
        LobbyStatus::MatchFound,
        "waiting for the other lobby"
    );
    assert_eq!(
        ann.matchmaking.unwrap().confirmation.unwrap().confirmed,
        Some(true)
    );
    let ben = api
        .confirm_match()
        .config("ranked")
        .x_player_id("ben")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ben.status, LobbyStatus::Matched);
    emu.advance(Duration::from_secs(10));
    let ben = api
        .get_my_lobby()
        .config("ranked")
        .x_player_id("ben")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ben.status, LobbyStatus::InGame);
    for player in ["ann", "ben"] {
        api.end_match()
            .config("ranked")
            .x_player_id(player)
            .send()
            .await
            .unwrap();
    }

    queue_both().await;
    let declined = api
        .decline_match()
        .config("ranked")
        .x_player_id("ann")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(declined.status, LobbyStatus::Waiting);
    let ben = api
        .get_my_lobby()
        .config("ranked")
        .x_player_id("ben")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        ben.status,
        LobbyStatus::Waiting,
        "a decline cancels the match for everyone"
    );

    queue_both().await;
    emu.advance(Duration::from_secs(21));
    let ben = api
        .get_my_lobby()
        .config("ranked")
        .x_player_id("ben")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        ben.status,
        LobbyStatus::Waiting,
        "an unconfirmed match lapses at its deadline"
    );
}
