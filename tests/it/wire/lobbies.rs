//! Lobbies: browse, create, join, the caller's lobby (get, leave, player state, settings, kick),
//! and a lobby by id (get, delete). Lobby calls name the acting player in `x-player-id`.

use std::num::NonZeroU64;

use playflow::raw::enums::LobbyStatus;
use playflow::raw::types;
use serde_json::json;

use playflow::raw::operations as ops;
use playflow_test_support::wire::{
    AWKWARD, Expect, PLAYER, assert_lossless, json, object, schema_example, start,
};

/// The fields of the spec's `Lobby` example, as the generated type holds them.
pub fn assert_is_example_lobby(lobby: &types::Lobby) {
    assert_eq!(lobby.id, "3c7e9a52-1f4b-4d2a-9b8e-6a0f5d2c71e4");
    assert_eq!(lobby.code.as_deref(), Some("WOLF-17"));
    assert_eq!(lobby.config, "casual");
    assert_eq!(lobby.status, LobbyStatus::InGame);
    assert_eq!(lobby.host, "player-7f3a");
    assert_eq!(lobby.max_players, 4.0);
    assert_eq!(lobby.current_players, 2.0);
    assert_eq!(lobby.is_private, Some(false));
    assert_eq!(lobby.settings["map"], "forest");
    assert_eq!(lobby.players.len(), 2);
    assert!(lobby.players[0].is_host);
    assert_eq!(
        lobby.players[1].state.as_ref().map(|s| &s["team"]),
        Some(&json!("red"))
    );
    let server = lobby.server.as_ref().expect("a game server");
    assert_eq!(server.status.as_deref(), Some("running"));
    assert_eq!(server.ports[0].port, Some(30001));
    assert_eq!(lobby.matchmaking, None);
    assert_eq!(lobby.match_id, None);
    assert_eq!(
        lobby.created_at.as_deref(),
        Some("2025-03-14T09:20:05.118Z")
    );
}

#[tokio::test]
async fn browse_lobbies_filters_and_pages() {
    let wire = start(ops::BROWSE_LOBBIES).await;
    let example = wire.example();
    let body = example.clone();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/lobbies/a%20b%2Fc",
                query: &[
                    ("region", "us-east"),
                    ("status", "waiting"),
                    ("limit", "20"),
                    ("offset", "40"),
                ],
                body: None,
            },
            |then| json(then, 200, body),
        )
        .await;
    let result = wire
        .client
        .browse_lobbies()
        .config(AWKWARD)
        .region("us-east")
        .status("waiting")
        .limit(20u64)
        .offset(40u64)
        .send()
        .await;
    mock.assert_async().await;
    let list = result.expect("browseLobbies succeeds").into_inner();
    assert_eq!(
        (list.total, list.limit, list.offset, list.has_more),
        (1.0, 50.0, Some(0.0), Some(false))
    );
    assert_is_example_lobby(&list.lobbies[0]);
    assert_lossless(&example, &list);
}

#[tokio::test]
async fn create_lobby_sends_every_field_camel_cased() {
    let wire = start(ops::CREATE_LOBBY).await;
    let example = wire.example();
    let body = example.clone();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/lobbies/a%20b%2Fc",
                query: &[],
                body: Some(json!({
                    "name": "Friday night arena",
                    "region": "us-east",
                    "maxPlayers": 4,
                    "isPrivate": false,
                    "allowLateJoin": true,
                    "settings": { "map": "forest" },
                    "state": { "ready": false, "mmr": 1500 },
                })),
            },
            |then| json(then, 200, body),
        )
        .await;
    let result = wire
        .client
        .create_lobby()
        .config(AWKWARD)
        .x_player_id(PLAYER)
        .body(
            types::CreateLobbyRequest::builder()
                .name("Friday night arena")
                .region("us-east".to_owned())
                .max_players(NonZeroU64::new(4))
                .is_private(false)
                .allow_late_join(true)
                .settings(object(json!({ "map": "forest" })))
                .state(object(json!({ "ready": false, "mmr": 1500 }))),
        )
        .send()
        .await;
    mock.assert_async().await;
    let lobby = result.expect("createLobby succeeds").into_inner();
    assert_is_example_lobby(&lobby);
    assert_lossless(&example, &lobby);
}

/// `maxPlayers` defaults to 2 in the spec, but the lobby config decides when the caller does not:
/// left out, it must not be sent.
#[tokio::test]
async fn create_lobby_without_max_players_sends_no_max_players() {
    let wire = start(ops::CREATE_LOBBY).await;
    let body = wire.example();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/lobbies/casual",
                query: &[],
                body: Some(json!({ "name": "Quick match" })),
            },
            |then| json(then, 200, body),
        )
        .await;
    let result = wire
        .client
        .create_lobby()
        .config("casual")
        .x_player_id(PLAYER)
        .body(types::CreateLobbyRequest::builder().name("Quick match"))
        .send()
        .await;
    mock.assert_async().await;
    result.expect("createLobby succeeds");
}

#[tokio::test]
async fn join_lobby_by_invite_code() {
    let wire = start(ops::JOIN_LOBBY).await;
    let example = wire.example();
    let body = example.clone();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/lobbies/a%20b%2Fc/join",
                query: &[],
                body: Some(json!({ "code": "WOLF-17", "state": { "team": "red" } })),
            },
            |then| json(then, 200, body),
        )
        .await;
    let result = wire
        .client
        .join_lobby()
        .config(AWKWARD)
        .x_player_id(PLAYER)
        .body(
            types::JoinLobbyRequest::builder()
                .code("WOLF-17".to_owned())
                .state(object(json!({ "team": "red" }))),
        )
        .send()
        .await;
    mock.assert_async().await;
    let lobby = result.expect("joinLobby succeeds").into_inner();
    assert_is_example_lobby(&lobby);
    assert_lossless(&example, &lobby);
}

#[tokio::test]
async fn join_lobby_by_id_sends_lobby_id() {
    let wire = start(ops::JOIN_LOBBY).await;
    let body = wire.example();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/lobbies/casual/join",
                query: &[],
                body: Some(json!({ "lobbyId": "3c7e9a52-1f4b-4d2a-9b8e-6a0f5d2c71e4" })),
            },
            |then| json(then, 200, body),
        )
        .await;
    let result = wire
        .client
        .join_lobby()
        .config("casual")
        .x_player_id(PLAYER)
        .body(
            types::JoinLobbyRequest::builder()
                .lobby_id("3c7e9a52-1f4b-4d2a-9b8e-6a0f5d2c71e4".to_owned()),
        )
        .send()
        .await;
    mock.assert_async().await;
    result.expect("joinLobby succeeds");
}

#[tokio::test]
async fn get_my_lobby_decodes_the_example() {
    let wire = start(ops::GET_MY_LOBBY).await;
    let example = wire.example();
    let body = example.clone();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/lobbies/a%20b%2Fc/me",
                query: &[],
                body: None,
            },
            |then| json(then, 200, body),
        )
        .await;
    let result = wire
        .client
        .get_my_lobby()
        .config(AWKWARD)
        .x_player_id(PLAYER)
        .send()
        .await;
    mock.assert_async().await;
    let lobby = result.expect("getMyLobby succeeds").into_inner();
    assert_is_example_lobby(&lobby);
    assert_lossless(&example, &lobby);
}

/// The last player out deletes the lobby: the body is the deletion marker, not a lobby.
#[tokio::test]
async fn leave_lobby_decodes_the_deletion_marker() {
    let wire = start(ops::LEAVE_LOBBY).await;
    let example = wire.example();
    assert_eq!(example, json!({ "status": "lobby_deleted" }));
    let body = example.clone();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/lobbies/a%20b%2Fc/me",
                query: &[],
                body: None,
            },
            |then| json(then, 200, body),
        )
        .await;
    let result = wire
        .client
        .leave_lobby()
        .config(AWKWARD)
        .x_player_id(PLAYER)
        .send()
        .await;
    mock.assert_async().await;
    let left = result.expect("leaveLobby succeeds").into_inner();
    // `LobbyDeletedStatus` is non_exhaustive: matched, not built.
    let types::LeaveLobbyResponse::Variant1(deleted) = &left else {
        panic!("expected the deleted status, got {left:?}")
    };
    assert_eq!(
        deleted.status,
        types::LobbyDeletedStatusStatus::LobbyDeleted
    );
    assert_lossless(&example, &left);
}

/// Other players remain: the body is the updated lobby.
#[tokio::test]
async fn leave_lobby_decodes_the_remaining_lobby() {
    let wire = start(ops::LEAVE_LOBBY).await;
    let lobby = schema_example("Lobby");
    let body = lobby.clone();
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
        .leave_lobby()
        .config("casual")
        .x_player_id(PLAYER)
        .send()
        .await;
    mock.assert_async().await;
    match result.expect("leaveLobby succeeds").into_inner() {
        types::LeaveLobbyResponse::Variant0(remaining) => {
            assert_is_example_lobby(&remaining);
            assert_lossless(&lobby, &remaining);
        }
        other => panic!("expected the lobby, got {other:?}"),
    }
}

#[tokio::test]
async fn update_my_player_state_sends_the_keys_to_set() {
    let wire = start(ops::UPDATE_MY_PLAYER_STATE).await;
    let example = wire.example();
    let body = example.clone();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/lobbies/a%20b%2Fc/me",
                query: &[],
                body: Some(json!({ "state": { "ready": true, "team": "blue" } })),
            },
            |then| json(then, 200, body),
        )
        .await;
    let result = wire
        .client
        .update_my_player_state()
        .config(AWKWARD)
        .x_player_id(PLAYER)
        .body(
            types::UpdatePlayerStateRequest::builder()
                .state(object(json!({ "ready": true, "team": "blue" }))),
        )
        .send()
        .await;
    mock.assert_async().await;
    let lobby = result.expect("updateMyPlayerState succeeds").into_inner();
    assert_is_example_lobby(&lobby);
    assert_lossless(&example, &lobby);
}

#[tokio::test]
async fn update_lobby_settings_sends_only_the_changes() {
    let wire = start(ops::UPDATE_LOBBY_SETTINGS).await;
    let example = wire.example();
    let body = example.clone();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/lobbies/a%20b%2Fc/me/settings",
                query: &[],
                body: Some(json!({ "maxPlayers": 6, "settings": { "map": "harbor" } })),
            },
            |then| json(then, 200, body),
        )
        .await;
    let result = wire
        .client
        .update_lobby_settings()
        .config(AWKWARD)
        .x_player_id(PLAYER)
        .body(
            types::UpdateLobbySettingsRequest::builder()
                .max_players(NonZeroU64::new(6))
                .settings(object(json!({ "map": "harbor" }))),
        )
        .send()
        .await;
    mock.assert_async().await;
    let lobby = result.expect("updateLobbySettings succeeds").into_inner();
    assert_is_example_lobby(&lobby);
    assert_lossless(&example, &lobby);
}

#[tokio::test]
async fn kick_player_encodes_both_path_parameters() {
    let wire = start(ops::KICK_PLAYER).await;
    let example = wire.example();
    let body = example.clone();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/lobbies/a%20b%2Fc/me/players/player%20c91d%2Fx",
                query: &[],
                body: None,
            },
            |then| json(then, 200, body),
        )
        .await;
    let result = wire
        .client
        .kick_player()
        .config(AWKWARD)
        .player_id("player c91d/x")
        .x_player_id(PLAYER)
        .send()
        .await;
    mock.assert_async().await;
    let lobby = result.expect("kickPlayer succeeds").into_inner();
    assert_is_example_lobby(&lobby);
    assert_lossless(&example, &lobby);
}

#[tokio::test]
async fn get_lobby_by_id_sends_no_player() {
    let wire = start(ops::GET_LOBBY).await;
    let example = wire.example();
    let body = example.clone();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/lobbies/a%20b%2Fc/3c7e9a52-1f4b-4d2a-9b8e-6a0f5d2c71e4",
                query: &[],
                body: None,
            },
            |then| json(then, 200, body),
        )
        .await;
    let result = wire
        .client
        .get_lobby()
        .config(AWKWARD)
        .lobby_id("3c7e9a52-1f4b-4d2a-9b8e-6a0f5d2c71e4")
        .send()
        .await;
    mock.assert_async().await;
    let lobby = result.expect("getLobby succeeds").into_inner();
    assert_is_example_lobby(&lobby);
    assert_lossless(&example, &lobby);
}

#[tokio::test]
async fn delete_lobby_decodes_the_confirmation() {
    let wire = start(ops::DELETE_LOBBY).await;
    let example = wire.example();
    let body = example.clone();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/lobbies/a%20b%2Fc/lobby%201",
                query: &[],
                body: None,
            },
            |then| json(then, 200, body),
        )
        .await;
    let result = wire
        .client
        .delete_lobby()
        .config(AWKWARD)
        .lobby_id("lobby 1")
        .send()
        .await;
    mock.assert_async().await;
    let deleted = result.expect("deleteLobby succeeds").into_inner();
    assert_eq!(deleted.status.as_deref(), Some("lobby_deleted"));
    assert_lossless(&example, &deleted);
}
