//! Servers: launch, ports, TTL, restart, listing, logs, metrics, the warm pool and plans.

use std::time::Duration;

use playflow::raw::enums::ServerStatus;
use playflow::raw::types;
use playflow_emulator::{Emulator, Plan};
use serde_json::json;

use crate::support::*;

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
