//! progenitor's typed mocks (`playflow::raw::mock::MockServerExt`, feature `mock`): what users
//! embedding the crate use to mock PlayFlow in their own tests. They must match what the
//! generated client sends.

use std::num::NonZeroU64;

use playflow::raw::mock::MockServerExt;
use playflow::raw::types;
use progenitor_client::Error;
use serde_json::json;

use playflow::raw::operations as ops;
use playflow_test_support::wire::{API_KEY, PLAYER, object, schema_example, start};

fn decode<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).expect("the spec example decodes")
}

#[tokio::test]
async fn get_health() {
    let wire = start(ops::GET_HEALTH).await;
    let health: types::HealthStatus = decode(schema_example("HealthStatus"));
    let mock = wire.server.get_health(|when, then| {
        when.into_inner().header("api-key", API_KEY);
        then.ok(&health);
    });
    let result = wire.client.get_health().send().await;
    mock.assert_async().await;
    assert_eq!(result.expect("getHealth succeeds").into_inner(), health);
}

#[tokio::test]
async fn list_servers_with_typed_query_matchers() {
    let wire = start(ops::LIST_SERVERS).await;
    let list: types::ServerList = decode(schema_example("ServerList"));
    let mock = wire.server.list_servers(|when, then| {
        when.limit(NonZeroU64::new(10))
            .offset(None)
            .include_launching(true)
            .include_pool(None);
        then.ok(&list);
    });
    let result = wire
        .client
        .list_servers()
        .limit(10u64)
        .include_launching(true)
        .send()
        .await;
    mock.assert_async().await;
    assert_eq!(result.expect("listServers succeeds").into_inner(), list);
}

/// The typed body matcher is exact too: a request without `maxPlayers` matches a mock body
/// without it.
#[tokio::test]
async fn create_lobby_with_a_typed_body_matcher() {
    let wire = start(ops::CREATE_LOBBY).await;
    let lobby: types::Lobby = decode(schema_example("Lobby"));
    let request: types::CreateLobbyRequest = types::CreateLobbyRequest::builder()
        .name("Quick match")
        .settings(object(json!({ "map": "forest" })))
        .try_into()
        .expect("a valid request");
    let mock = wire.server.create_lobby(|when, then| {
        when.config("casual").x_player_id(PLAYER).body(&request);
        then.ok(&lobby);
    });
    let result = wire
        .client
        .create_lobby()
        .config("casual")
        .x_player_id(PLAYER)
        .body(request.clone())
        .send()
        .await;
    mock.assert_async().await;
    assert_eq!(result.expect("createLobby succeeds").into_inner(), lobby);
}

#[tokio::test]
async fn get_server_typed_client_error() {
    let wire = start(ops::GET_SERVER).await;
    let not_found: types::Error = decode(schema_example("Error"));
    let mock = wire.server.get_server(|when, then| {
        when.instance_id("s1");
        then.client_error(404, &not_found);
    });
    let result = wire.client.get_server().instance_id("s1").send().await;
    mock.assert_async().await;
    match result {
        Err(Error::ErrorResponse(response)) => {
            assert_eq!(response.status().as_u16(), 404);
            assert_eq!(response.into_inner(), not_found);
        }
        other => panic!("expected ErrorResponse, got {other:?}"),
    }
}

#[tokio::test]
async fn leave_lobby_typed_one_of_response() {
    let wire = start(ops::LEAVE_LOBBY).await;
    let deleted = types::LeaveLobbyResponse::Variant1(decode(schema_example("LobbyDeletedStatus")));
    let mock = wire.server.leave_lobby(|when, then| {
        when.config("casual").x_player_id(PLAYER);
        then.ok(&deleted);
    });
    let result = wire
        .client
        .leave_lobby()
        .config("casual")
        .x_player_id(PLAYER)
        .send()
        .await;
    mock.assert_async().await;
    assert_eq!(result.expect("leaveLobby succeeds").into_inner(), deleted);
}

/// The typed path matchers compare against the path as sent, so a value that needs encoding
/// must be given encoded (progenitor builds the matcher's regex from the raw value).
#[tokio::test]
async fn typed_path_matchers_take_the_encoded_segment() {
    let wire = start(ops::GET_BUILD).await;
    let build: types::Build = decode(schema_example("Build"));
    let mock = wire.server.get_build(|when, then| {
        when.build_id("a%20b%2Fc");
        then.ok(&build);
    });
    let result = wire.client.get_build().build_id("a b/c").send().await;
    mock.assert_async().await;
    assert_eq!(result.expect("getBuild succeeds").into_inner(), build);
}
