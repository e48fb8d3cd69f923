//! Project settings and logs, and the health check.

use std::collections::HashMap;

use playflow::raw::enums::AuthConfigProvider;
use playflow::raw::types;
use serde_json::json;

use playflow::raw::operations as ops;
use playflow_test_support::wire::{Expect, assert_lossless, json, start};

#[tokio::test]
async fn get_project_settings_decodes_the_example() {
    let wire = start(ops::GET_PROJECT_SETTINGS).await;
    let example = wire.example();
    let body = example.clone();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/projects/settings",
                query: &[],
                body: None,
            },
            |then| json(then, 200, body),
        )
        .await;
    let result = wire.client.get_project_settings().send().await;
    mock.assert_async().await;
    let settings = result.expect("getProjectSettings succeeds").into_inner();
    assert_eq!(
        settings.auth_config.provider,
        Some(AuthConfigProvider::None)
    );
    assert_eq!(settings.environment_variables["LOG_LEVEL"], "info");
    let pool = settings.pool_config.as_ref().expect("a pool config");
    assert_eq!(pool.enabled, Some(true));
    assert_eq!(pool.regions["us-east"]["small"], 2);
    let lobby = &settings.lobby_configs[0];
    assert_eq!(lobby.name.as_deref(), Some("casual"));
    assert_eq!(lobby.heartbeat_timeout, Some(60.0));
    assert_eq!(
        lobby
            .invite_code_config
            .as_ref()
            .and_then(|c| c.type_.as_deref()),
        Some("numeric")
    );
    assert_eq!(settings.port_configs[0].id.as_deref(), Some("a1b2c3d4"));
    assert_eq!(
        settings.updated_at.to_rfc3339(),
        "2025-03-12T08:15:00+00:00"
    );
    assert_lossless(&example, &settings);
}

#[tokio::test]
async fn update_project_settings_sends_only_the_changed_sections() {
    let wire = start(ops::UPDATE_PROJECT_SETTINGS).await;
    let example = wire.example();
    let body = example.clone();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/projects/settings",
                query: &[],
                body: Some(json!({
                    "environment_variables": { "LOG_LEVEL": "debug" },
                    "pool_config": { "enabled": true, "regions": { "eu-west": { "small": 1 } } },
                })),
            },
            |then| json(then, 200, body),
        )
        .await;
    let pool =
        types::PoolConfig::try_from(types::PoolConfig::builder().enabled(Some(true)).regions(
            HashMap::from([(
                "eu-west".to_owned(),
                HashMap::from([("small".to_owned(), 1)]),
            )]),
        ))
        .unwrap();
    let result = wire
        .client
        .update_project_settings()
        .body(
            types::UpdateProjectSettingsRequest::builder()
                .environment_variables(HashMap::from([(
                    "LOG_LEVEL".to_owned(),
                    "debug".to_owned(),
                )]))
                .pool_config(pool),
        )
        .send()
        .await;
    mock.assert_async().await;
    let settings = result.expect("updateProjectSettings succeeds").into_inner();
    assert_eq!(settings.lobby_configs.len(), 1);
    assert_lossless(&example, &settings);
}

#[tokio::test]
async fn get_project_logs_sends_the_time_window() {
    let wire = start(ops::GET_PROJECT_LOGS).await;
    let example = wire.example();
    let body = example.clone();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/projects/logs",
                query: &[
                    ("start_time", "2025-03-14T09:00:00+01:00"),
                    ("end_time", "2025-03-14T10:00:00+01:00"),
                    ("limit", "1000"),
                ],
                body: None,
            },
            |then| json(then, 200, body),
        )
        .await;
    let result = wire
        .client
        .get_project_logs()
        .start_time("2025-03-14T09:00:00+01:00")
        .end_time("2025-03-14T10:00:00+01:00")
        .limit(1000u64)
        .send()
        .await;
    mock.assert_async().await;
    let logs = result.expect("getProjectLogs succeeds").into_inner();
    assert_eq!(logs.logs[0].server_name.as_deref(), Some("ranked-eu-7"));
    assert_eq!(logs.next_token, None);
    assert_lossless(&example, &logs);
}

/// `start_time` is required: leaving it out is an error before any request is sent.
#[tokio::test]
async fn get_project_logs_without_start_time_sends_nothing() {
    let wire = start(ops::GET_PROJECT_LOGS).await;
    let any = wire.server.mock_async(|_, then| {
        then.status(200);
    });
    let any = any.await;
    let err = wire
        .client
        .get_project_logs()
        .limit(10u64)
        .send()
        .await
        .expect_err("start_time is required");
    assert!(
        matches!(&err, progenitor_client::Error::InvalidRequest(m) if m.contains("start_time")),
        "{err:?}"
    );
    assert_eq!(any.calls_async().await, 0);
}

#[tokio::test]
async fn get_health_decodes_the_example() {
    let wire = start(ops::GET_HEALTH).await;
    let example = wire.example();
    let body = example.clone();
    let mock = wire
        .mock(
            Expect {
                path: "/api/health",
                query: &[],
                body: None,
            },
            |then| json(then, 200, body),
        )
        .await;
    let result = wire.client.get_health().send().await;
    mock.assert_async().await;
    let health = result.expect("getHealth succeeds").into_inner();
    assert_eq!(health.status.as_deref(), Some("ok"));
    assert_lossless(&example, &health);
}
