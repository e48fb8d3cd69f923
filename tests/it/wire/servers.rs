//! Servers: list, start, get, stop, update custom data, restart, logs, metrics.

use playflow::raw::enums::{ComputeSize, PortProtocol, ServerServiceType, ServerStatus};
use playflow::raw::types;
use serde_json::json;

use playflow::raw::operations as ops;
use playflow_test_support::wire::{AWKWARD, Expect, assert_lossless, json, object, start};

/// The fields of the spec's `Server` example, as the generated type holds them.
fn assert_is_example_server(server: &types::Server) {
    assert_eq!(server.instance_id, "9b2f6c1e-4a7d-4f3b-8e21-5c0d7a9e3f14");
    assert_eq!(server.name, "ranked-eu-7");
    assert_eq!(server.status, ServerStatus::Running);
    assert_eq!(server.service_type, Some(ServerServiceType::MatchBased));
    assert_eq!(server.region.as_deref(), Some("eu-west"));
    assert_eq!(server.version, Some(12));
    assert_eq!(server.ttl, Some(3600));
    let port = &server.network_ports[0];
    assert_eq!(port.external_port, Some(30001));
    assert_eq!(port.protocol, Some(PortProtocol::Udp));
    assert_eq!(port.host.as_deref(), Some("203.0.113.10"));
    assert_eq!(
        server.started_at.map(|t| t.to_rfc3339()),
        Some("2025-03-14T09:26:41+00:00".to_owned())
    );
    assert_eq!(server.stopped_at, None);
    assert_eq!(
        server.custom_data.as_ref().map(|d| &d["match_mode"]),
        Some(&json!("ranked"))
    );
}

#[tokio::test]
async fn list_servers_sends_every_filter_and_decodes_the_example() {
    let wire = start(ops::LIST_SERVERS).await;
    let example = wire.example();
    let body = example.clone();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/servers",
                query: &[
                    ("include_launching", "true"),
                    ("include_pool", "false"),
                    ("limit", "10"),
                    ("offset", "20"),
                ],
                body: None,
            },
            |then| json(then, 200, body),
        )
        .await;
    let result = wire
        .client
        .list_servers()
        .include_launching(true)
        .include_pool(false)
        .limit(10u64)
        .offset(20u64)
        .send()
        .await;
    mock.assert_async().await;
    let list = result.expect("listServers succeeds").into_inner();
    assert_eq!(list.total, Some(1));
    assert_eq!(list.has_more, Some(false));
    assert_is_example_server(&list.servers[0]);
    assert_lossless(&example, &list);
}

#[tokio::test]
async fn list_servers_without_filters_sends_no_query() {
    let wire = start(ops::LIST_SERVERS).await;
    let body = wire.example();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/servers",
                query: &[],
                body: None,
            },
            |then| json(then, 200, body),
        )
        .await;
    let result = wire.client.list_servers().send().await;
    mock.assert_async().await;
    result.expect("listServers succeeds");
}

#[tokio::test]
async fn start_server_sends_the_request_body_and_decodes_201() {
    let wire = start(ops::START_SERVER).await;
    let example = wire.example();
    let body = example.clone();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/servers/start",
                query: &[],
                body: Some(json!({
                    "name": "ranked-eu-7",
                    "region": "eu-west",
                    "compute_size": "dedicated-small",
                    "version_tag": "default",
                    "ttl": 3600,
                    "auto_restart": false,
                    "custom_data": { "match_mode": "ranked" },
                    "environment_variables": { "LOG_LEVEL": "info" },
                    "port_configs": [
                        { "name": "game", "internal_port": 7777, "protocol": "udp", "tls_enabled": false },
                    ],
                })),
            },
            |then| json(then, 201, body),
        )
        .await;
    let custom_data = json!({ "match_mode": "ranked" });
    let port = types::PortConfig::builder()
        .name("game".to_owned())
        .internal_port(std::num::NonZeroU64::new(7777))
        .protocol(PortProtocol::Udp)
        .tls_enabled(false);
    let result = wire
        .client
        .start_server()
        .body(
            types::StartServerRequest::builder()
                .name("ranked-eu-7")
                .region("eu-west")
                .compute_size(ComputeSize::DedicatedSmall)
                .version_tag("default".to_owned())
                .ttl(3600i64)
                .auto_restart(false)
                .custom_data(object(custom_data))
                .environment_variables(std::collections::HashMap::from([(
                    "LOG_LEVEL".to_owned(),
                    "info".to_owned(),
                )]))
                .port_configs(vec![port.try_into().expect("a valid port config")]),
        )
        .send()
        .await;
    mock.assert_async().await;
    let server = result.expect("startServer succeeds");
    assert_eq!(server.status().as_u16(), 201);
    assert_is_example_server(&server);
    assert_lossless(&example, &server.into_inner());
}

/// `compute_size` and `auto_restart` have defaults in the spec: left out, they are not sent, and
/// PlayFlow applies its own defaults.
#[tokio::test]
async fn start_server_leaves_defaulted_fields_off_the_wire() {
    let wire = start(ops::START_SERVER).await;
    let body = wire.example();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/servers/start",
                query: &[],
                body: Some(json!({ "name": "casual-1", "region": "us-east" })),
            },
            |then| json(then, 201, body),
        )
        .await;
    let result = wire
        .client
        .start_server()
        .body(
            types::StartServerRequest::builder()
                .name("casual-1")
                .region("us-east"),
        )
        .send()
        .await;
    mock.assert_async().await;
    result.expect("startServer succeeds");
}

#[tokio::test]
async fn get_server_encodes_the_instance_id_as_one_path_segment() {
    let wire = start(ops::GET_SERVER).await;
    let example = wire.example();
    let body = example.clone();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/servers/a%20b%2Fc",
                query: &[],
                body: None,
            },
            |then| json(then, 200, body),
        )
        .await;
    let result = wire.client.get_server().instance_id(AWKWARD).send().await;
    mock.assert_async().await;
    let server = result.expect("getServer succeeds").into_inner();
    assert_is_example_server(&server);
    assert_lossless(&example, &server);
}

#[tokio::test]
async fn stop_server_sends_the_shutdown_reason() {
    let wire = start(ops::STOP_SERVER).await;
    let example = wire.example();
    let body = example.clone();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/servers/a%20b%2Fc",
                query: &[("shutdown_reason", "match over: blue=3 & red=2")],
                body: None,
            },
            |then| json(then, 200, body),
        )
        .await;
    let result = wire
        .client
        .stop_server()
        .instance_id(AWKWARD)
        .shutdown_reason("match over: blue=3 & red=2")
        .send()
        .await;
    mock.assert_async().await;
    let stopped = result.expect("stopServer succeeds").into_inner();
    assert_eq!(stopped.status, "Server stopped successfully");
    assert_lossless(&example, &stopped);
}

#[tokio::test]
async fn update_server_custom_data_replaces_the_object() {
    let wire = start(ops::UPDATE_SERVER_CUSTOM_DATA).await;
    let example = wire.example();
    let body = example.clone();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/servers/a%20b%2Fc/update",
                query: &[],
                body: Some(json!({ "custom_data": { "players": 6, "phase": "overtime" } })),
            },
            |then| json(then, 200, body),
        )
        .await;
    let data = json!({ "players": 6, "phase": "overtime" });
    let result = wire
        .client
        .update_server_custom_data()
        .instance_id(AWKWARD)
        .body(types::UpdateServerRequest::builder().custom_data(object(data)))
        .send()
        .await;
    mock.assert_async().await;
    let server = result
        .expect("updateServerCustomData succeeds")
        .into_inner();
    assert_is_example_server(&server);
    assert_lossless(&example, &server);
}

#[tokio::test]
async fn restart_server_sends_only_the_overrides() {
    let wire = start(ops::RESTART_SERVER).await;
    let example = wire.example();
    let body = example.clone();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/servers/a%20b%2Fc/restart",
                query: &[],
                body: Some(json!({ "version_tag": "beta", "ttl": 7200 })),
            },
            |then| json(then, 200, body),
        )
        .await;
    let result = wire
        .client
        .restart_server()
        .instance_id(AWKWARD)
        .body(
            types::RestartServerRequest::builder()
                .version_tag("beta".to_owned())
                .ttl(7200i64),
        )
        .send()
        .await;
    mock.assert_async().await;
    let server = result.expect("restartServer succeeds").into_inner();
    assert_is_example_server(&server);
    assert_lossless(&example, &server);
}

#[tokio::test]
async fn get_server_logs_pages_by_start_time() {
    let wire = start(ops::GET_SERVER_LOGS).await;
    let example = wire.example();
    let body = example.clone();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/servers/a%20b%2Fc/logs",
                query: &[("start_time", "2025-03-14T09:27:03.512Z"), ("limit", "500")],
                body: None,
            },
            |then| json(then, 200, body),
        )
        .await;
    let result = wire
        .client
        .get_server_logs()
        .instance_id(AWKWARD)
        .start_time("2025-03-14T09:27:03.512Z")
        .limit(500u64)
        .send()
        .await;
    mock.assert_async().await;
    let logs = result.expect("getServerLogs succeeds").into_inner();
    assert_eq!(logs.instance_id, "9b2f6c1e-4a7d-4f3b-8e21-5c0d7a9e3f14");
    assert_eq!(
        logs.logs[0].message.as_deref(),
        Some("Listening on UDP port 7777")
    );
    assert_eq!(logs.next_token.as_deref(), Some("2025-03-14T09:27:03.512Z"));
    assert_lossless(&example, &logs);
}

#[tokio::test]
async fn get_server_metrics_sends_period_and_step() {
    let wire = start(ops::GET_SERVER_METRICS).await;
    let example = wire.example();
    let body = example.clone();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/servers/a%20b%2Fc/metrics",
                query: &[("period", "6h"), ("step", "5m")],
                body: None,
            },
            |then| json(then, 200, body),
        )
        .await;
    let result = wire
        .client
        .get_server_metrics()
        .instance_id(AWKWARD)
        .period("6h")
        .step("5m")
        .send()
        .await;
    mock.assert_async().await;
    let metrics = result.expect("getServerMetrics succeeds").into_inner();
    assert_eq!(metrics.0["period"], "1h");
    assert_eq!(metrics.0["cpu"][0]["value"], 12.5);
    assert_lossless(&example, &metrics);
}
