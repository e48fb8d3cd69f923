//! Servers: start, list, logs, metrics, custom data, restart, stop, the pool; project logs.

use playflow::raw::operations as ops;
use std::time::Duration;

use serde_json::json;

use super::harness::{Key, Tour, call};

pub(crate) async fn servers(t: &mut Tour) {
    // --- Servers.
    let started = t.expect(201, call(ops::START_SERVER, "/api/v3/servers/start").json(json!({
        "name": "tour-1", "region": "eu-west", "compute_size": "small", "ttl": 86400,
        "custom_data": {"mode": "tour"}, "match_id": "m-1", "environment_variables": {"A": "1"},
        "startup_args": "-map forest",
        "port_configs": [{"name": "game", "internal_port": 7777, "protocol": "udp"}, {"name": "query", "internal_port": 27015, "protocol": "tcp", "tls_enabled": true}]
    }))).await;
    let id = started["instance_id"].as_str().unwrap().to_owned();
    t.expect(
        201,
        call(ops::START_SERVER, "/api/v3/servers/start")
            .key(Key::Client)
            .json(json!({"name": "from-client", "region": "us-east"})),
    )
    .await;
    t.expect(
        422,
        call(ops::START_SERVER, "/api/v3/servers/start").json(json!({})),
    )
    .await;
    t.expect(
        422,
        call(ops::START_SERVER, "/api/v3/servers/start")
            .json(json!({"name": "x", "region": "eu-west", "ttl": 10})),
    )
    .await;
    t.expect(
        422,
        call(ops::START_SERVER, "/api/v3/servers/start")
            .json(json!({"name": "x", "region": "eu-west", "compute_size": "huge"})),
    )
    .await;
    t.expect(
        404,
        call(ops::START_SERVER, "/api/v3/servers/start")
            .json(json!({"name": "x", "region": "eu-west", "version_tag": "missing"})),
    )
    .await;
    t.expect(200, call(ops::GET_SERVER, format!("/api/v3/servers/{id}")))
        .await;
    t.expect(
        200,
        call(
            ops::LIST_SERVERS,
            "/api/v3/servers?include_launching=true&include_pool=true&limit=1",
        ),
    )
    .await;
    t.expect(422, call(ops::LIST_SERVERS, "/api/v3/servers?limit=0"))
        .await;
    t.expect(
        422,
        call(ops::LIST_SERVERS, "/api/v3/servers?include_pool=maybe"),
    )
    .await;
    t.emu.advance(Duration::from_secs(15));
    let running = t
        .expect(
            200,
            call(ops::GET_SERVER, format!("/api/v3/servers/{id}")).key(Key::Client),
        )
        .await;
    assert_eq!(running["status"], "running");
    t.expect(
        200,
        call(ops::LIST_SERVERS, "/api/v3/servers").key(Key::Client),
    )
    .await;
    t.expect(
        200,
        call(
            ops::GET_SERVER_LOGS,
            format!("/api/v3/servers/{id}/logs?limit=2"),
        ),
    )
    .await;
    t.expect(
        200,
        call(
            ops::GET_SERVER_LOGS,
            format!("/api/v3/servers/{id}/logs?start_time=-1h"),
        ),
    )
    .await;
    t.expect(
        422,
        call(
            ops::GET_SERVER_LOGS,
            format!("/api/v3/servers/{id}/logs?start_time=last-tuesday"),
        ),
    )
    .await;
    t.expect(
        422,
        call(
            ops::GET_SERVER_LOGS,
            format!("/api/v3/servers/{id}/logs?limit=5000"),
        ),
    )
    .await;
    t.emu.advance(Duration::from_secs(300));
    t.expect(
        200,
        call(
            ops::GET_SERVER_METRICS,
            format!("/api/v3/servers/{id}/metrics?period=5m&step=30s"),
        ),
    )
    .await;
    t.expect(
        422,
        call(
            ops::GET_SERVER_METRICS,
            format!("/api/v3/servers/{id}/metrics?step=1s"),
        ),
    )
    .await;
    t.expect(
        404,
        call(ops::GET_SERVER_METRICS, "/api/v3/servers/nope/metrics"),
    )
    .await;
    t.expect(
        200,
        call(
            ops::UPDATE_SERVER_CUSTOM_DATA,
            format!("/api/v3/servers/{id}/update"),
        )
        .json(json!({"custom_data": {"players": 6}})),
    )
    .await;
    t.expect(
        422,
        call(
            ops::UPDATE_SERVER_CUSTOM_DATA,
            format!("/api/v3/servers/{id}/update"),
        )
        .json(json!({"custom_data": "six"})),
    )
    .await;
    t.expect(
        200,
        call(ops::RESTART_SERVER, format!("/api/v3/servers/{id}/restart"))
            .json(json!({"ttl": 7200, "version_tag": "default"})),
    )
    .await;
    t.expect(
        200,
        call(ops::RESTART_SERVER, format!("/api/v3/servers/{id}/restart")),
    )
    .await;
    t.expect(
        422,
        call(ops::RESTART_SERVER, format!("/api/v3/servers/{id}/restart")).json(json!({"ttl": 5})),
    )
    .await;
    t.expect(
        200,
        call(
            ops::GET_PROJECT_LOGS,
            "/api/v3/projects/logs?start_time=-1h&limit=3",
        ),
    )
    .await;
    t.expect(
        200,
        call(
            ops::GET_PROJECT_LOGS,
            "/api/v3/projects/logs?start_time=2000-01-01T00:00:00Z&end_time=2000-01-02T00:00:00Z",
        ),
    )
    .await;
    t.expect(422, call(ops::GET_PROJECT_LOGS, "/api/v3/projects/logs"))
        .await;
    t.expect(
        422,
        call(
            ops::GET_PROJECT_LOGS,
            "/api/v3/projects/logs?start_time=-1h&end_time=soon",
        ),
    )
    .await;
    t.expect(
        200,
        call(
            ops::STOP_SERVER,
            format!("/api/v3/servers/{id}?shutdown_reason=PROCESS_EXITED"),
        ),
    )
    .await;
    let stopped = t
        .expect(200, call(ops::GET_SERVER, format!("/api/v3/servers/{id}")))
        .await;
    assert_eq!(stopped["status"], "stopped");
    t.expect(
        409,
        call(ops::RESTART_SERVER, format!("/api/v3/servers/{id}/restart")).json(json!({})),
    )
    .await;
    t.expect(404, call(ops::STOP_SERVER, "/api/v3/servers/nope"))
        .await;
    t.expect(404, call(ops::GET_SERVER, "/api/v3/servers/nope"))
        .await;
    t.expect(404, call(ops::GET_SERVER_LOGS, "/api/v3/servers/nope/logs"))
        .await;
    t.expect(
        404,
        call(
            ops::UPDATE_SERVER_CUSTOM_DATA,
            "/api/v3/servers/nope/update",
        )
        .json(json!({})),
    )
    .await;
    let pool = t
        .expect(
            200,
            call(ops::LIST_SERVERS, "/api/v3/servers?include_pool=true"),
        )
        .await;
    let warm = pool["servers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|server| server["is_pool_server"] == true)
        .expect("a warm pool machine")["instance_id"]
        .as_str()
        .unwrap()
        .to_owned();
    t.expect(
        400,
        call(
            ops::RESTART_SERVER,
            format!("/api/v3/servers/{warm}/restart"),
        )
        .json(json!({})),
    )
    .await;
}
