//! Forward compatibility: PlayFlow adds enum values and fields over time. A response carrying
//! them must still decode, with the new value kept verbatim, and a value the crate does not
//! know yet can still be sent.
//!
//! The fields and values these tests invent are checked against the spec the client was
//! generated from ([`undeclared`]): a refresh that declares one of them (a live spec added
//! `Lobby.spectators` as an integer, where a test sent an array under that name) must not turn
//! "an unknown field is ignored" into "a known field of the wrong type fails", which is right.

use playflow::raw::enums::{
    AuthConfigProvider, BuildStatus, BuildType, ComputeSize, LobbyStatus, ServerStatus,
};
use playflow::raw::types;
use serde_json::{Value, json};

use playflow::raw::operations as ops;
use playflow_test_support::wire::{Expect, PLAYER, json, schema_example, spec, start};

/// `example` with `changes` merged in (objects merge key by key, anything else replaces).
fn with(mut example: Value, changes: Value) -> Value {
    fn merge(target: &mut Value, changes: Value) {
        match (target, changes) {
            (Value::Object(target), Value::Object(changes)) => {
                for (key, value) in changes {
                    merge(target.entry(key).or_insert(Value::Null), value);
                }
            }
            (target, changes) => *target = changes,
        }
    }
    merge(&mut example, changes);
    example
}

/// `preferred`, or `preferred_2`, `preferred_3`, …: the first that the schema at `pointer` of
/// the bound spec does not declare, as a property name or (for an enum) as a value.
fn undeclared(pointer: &str, preferred: &str) -> String {
    let schema = spec()
        .pointer(pointer)
        .unwrap_or_else(|| panic!("the spec has no schema at {pointer}"));
    let declared = |name: &str| {
        schema["properties"].get(name).is_some()
            || schema["enum"]
                .as_array()
                .is_some_and(|values| values.iter().any(|v| v == name))
    };
    std::iter::once(preferred.to_owned())
        .chain((2..).map(|n| format!("{preferred}_{n}")))
        .find(|name| !declared(name))
        .expect("an endless sequence of names")
}

/// [`undeclared`] for a component schema of the bound spec.
fn new_in(component: &str, preferred: &str) -> String {
    undeclared(&format!("/components/schemas/{component}"), preferred)
}

#[tokio::test]
async fn a_server_in_a_new_status_with_new_fields_decodes() {
    let wire = start(ops::GET_SERVER).await;
    let status = new_in("ServerStatus", "hibernating");
    let mut changes = json!({ "status": status });
    changes[new_in("Server", "hibernated_at")] = json!("2025-03-14T10:00:00Z");
    changes[new_in("Server", "gpu")] = json!({ "model": "L4", "count": 1 });
    let body = with(schema_example("Server"), changes);
    let mut body_with_new_port_field = body.clone();
    body_with_new_port_field["network_ports"][0][new_in("NetworkPort", "ip_version")] = json!(6);
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/servers/s1",
                query: &[],
                body: None,
            },
            |then| json(then, 200, body_with_new_port_field),
        )
        .await;
    let result = wire.client.get_server().instance_id("s1").send().await;
    mock.assert_async().await;
    let server = result
        .expect("an unknown status and unknown fields still decode")
        .into_inner();
    assert_eq!(server.status, ServerStatus::from(status.as_str()));
    assert!(!server.status.is_known());
    assert_eq!(server.status.as_str(), status);
    assert_eq!(server.name, "ranked-eu-7");
    assert_eq!(server.network_ports[0].external_port, Some(30001));
    // Sent back, the value is unchanged.
    assert_eq!(
        serde_json::to_value(&server).expect("serializes")["status"],
        status.as_str()
    );
}

#[tokio::test]
async fn a_completed_lobby_decodes() {
    let wire = start(ops::GET_LOBBY).await;
    let status = new_in("LobbyStatus", "completed");
    let mut changes = json!({ "status": status, "players": [
        { "id": "player-7f3a", "state": null, "isHost": true, "joinedAt": "2025-03-14T09:20:05Z" },
    ] });
    changes[new_in("Lobby", "spectators")] = json!([]);
    let body = with(schema_example("Lobby"), changes);
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/lobbies/casual/l1",
                query: &[],
                body: None,
            },
            |then| json(then, 200, body),
        )
        .await;
    let result = wire
        .client
        .get_lobby()
        .config("casual")
        .lobby_id("l1")
        .send()
        .await;
    mock.assert_async().await;
    let lobby = result
        .expect("a lobby status added later still decodes")
        .into_inner();
    assert_eq!(lobby.status, LobbyStatus::from(status.as_str()));
    assert!(!lobby.status.is_known());
    assert_eq!(lobby.players[0].id, "player-7f3a");
    assert_eq!(lobby.players[0].state, None);
}

#[tokio::test]
async fn a_build_of_a_new_type_and_status_decodes() {
    let wire = start(ops::GET_BUILD).await;
    let build_type = new_in("BuildType", "unity_cloud");
    let status = new_in("BuildStatus", "archived");
    let mut changes = json!({ "build_type": build_type, "status": status });
    changes[new_in("Build", "size_bytes")] = json!(52428800);
    let body = with(schema_example("Build"), changes);
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/builds/b1",
                query: &[],
                body: None,
            },
            |then| json(then, 200, body),
        )
        .await;
    let result = wire.client.get_build().build_id("b1").send().await;
    mock.assert_async().await;
    let build = result.expect("a new build type still decodes").into_inner();
    assert_eq!(build.build_type, Some(BuildType::from(build_type.as_str())));
    assert_eq!(build.status, BuildStatus::from(status.as_str()));
    assert!(!build.status.is_known());
    assert_eq!(build.version, 12.0);
}

#[tokio::test]
async fn project_settings_with_a_new_auth_provider_decode() {
    let wire = start(ops::GET_PROJECT_SETTINGS).await;
    let provider = undeclared(
        "/components/schemas/AuthConfig/properties/provider",
        "epic_games",
    );
    let client_id = new_in("AuthConfig", "client_id");
    let mut changes = json!({ "auth_config": { "provider": provider } });
    changes["auth_config"][&client_id] = json!("xyz");
    changes[new_in("ProjectSettings", "billing_plan")] = json!("pro");
    let body = with(schema_example("ProjectSettings"), changes);
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
    let settings = result
        .expect("a new auth provider still decodes")
        .into_inner();
    assert_eq!(
        settings.auth_config.provider,
        Some(AuthConfigProvider::from(provider.as_str()))
    );
    // AuthConfig keeps fields it does not model.
    assert_eq!(settings.auth_config.extra[&client_id], "xyz");
}

/// A compute size PlayFlow adds before this crate knows it can already be requested.
#[tokio::test]
async fn an_unknown_enum_value_is_sent_verbatim() {
    let wire = start(ops::START_SERVER).await;
    let body = wire.example();
    let size = new_in("ComputeSize", "gpu-small");
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/servers/start",
                query: &[],
                body: Some(json!({ "name": "gpu-1", "region": "us-east", "compute_size": size })),
            },
            |then| json(then, 201, body),
        )
        .await;
    let result = wire
        .client
        .start_server()
        .body(
            types::StartServerRequest::builder()
                .name("gpu-1")
                .region("us-east")
                .compute_size(ComputeSize::from(size.as_str())),
        )
        .send()
        .await;
    mock.assert_async().await;
    result.expect("startServer succeeds");
}

/// Unknown fields inside the lobby's nested objects are ignored or kept, never fatal.
#[tokio::test]
async fn a_lobby_in_matchmaking_with_new_nested_fields_decodes() {
    let wire = start(ops::GET_MY_LOBBY).await;
    let mut nested =
        json!({ "confirmation": { "deadline": "2025-03-14T09:22:15Z", "confirmed": false } });
    nested["confirmation"][new_in("MatchConfirmation", "votes")] = json!(3);
    nested[new_in("LobbyMatchmaking", "tier")] = json!("gold");
    let body = with(
        schema_example("Lobby"),
        json!({
            "status": "match_found",
            "matchmaking": with(schema_example("LobbyMatchmaking"), nested),
        }),
    );
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/lobbies/casual/me",
                query: &[],
                body: None,
            },
            |then| json(then, 200, body),
        )
        .await;
    let result = wire
        .client
        .get_my_lobby()
        .config("casual")
        .x_player_id(PLAYER)
        .send()
        .await;
    mock.assert_async().await;
    let lobby = result.expect("new nested fields still decode").into_inner();
    assert_eq!(lobby.status, LobbyStatus::MatchFound);
    let matchmaking = lobby.matchmaking.expect("matchmaking");
    assert_eq!(matchmaking.mode.as_deref(), Some("duo_ranked"));
    assert_eq!(
        matchmaking.confirmation.and_then(|c| c.confirmed),
        Some(false)
    );
    assert_eq!(
        matchmaking.queue_stats.and_then(|q| q.players_searching),
        Some(18.0)
    );
}
