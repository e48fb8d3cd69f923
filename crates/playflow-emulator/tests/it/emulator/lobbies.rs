//! Lobbies: player operations, starting a game, and the event stream.

use std::time::Duration;

use futures::StreamExt;
use playflow::raw::enums::LobbyStatus;
use playflow::raw::types;
use serde_json::{Value, json};

use crate::support::*;

pub(crate) async fn create_lobby(
    api: &playflow::raw::Client,
    player: &str,
    max: u64,
) -> types::Lobby {
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
    patient_lobbies(&emu).await;
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
async fn silent_players_and_idle_lobbies_are_dropped() {
    // PlayFlow time moves only by `advance` here (real time at 1×): at 100× the 30 s heartbeat
    // was 0.3 s of wall time, which a loaded machine spends before the stream opens.
    let emu = emulator(1.0).await;
    let api = admin(&emu);
    let configs: Vec<types::LobbyConfig> = serde_json::from_value(json!([
        {"name": "watched", "heartbeat": true, "heartbeatTimeout": 30},
        {"name": "idle", "timeout": 600, "heartbeat": false}
    ]))
    .unwrap();
    api.update_project_settings()
        .body_map(|body| body.lobby_configs(configs))
        .send()
        .await
        .unwrap();
    let lobby = api
        .create_lobby()
        .config("watched")
        .x_player_id("host")
        .body_map(|body| {
            body.name("presence")
                .max_players(std::num::NonZeroU64::new(4))
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    for player in ["beats", "streams", "silent"] {
        api.join_lobby()
            .config("watched")
            .x_player_id(player)
            .body_map(|body| body.lobby_id(Some(lobby.id.clone())))
            .send()
            .await
            .unwrap();
    }
    let mut stream = events(&emu, emu.server_key(), "watched", "streams").await;
    assert_eq!(next_change(&mut stream).await.unwrap().0, "connected");
    emu.advance(Duration::from_secs(20));
    for player in ["host", "beats"] {
        api.send_heartbeat()
            .config("watched")
            .x_player_id(player)
            .send()
            .await
            .unwrap();
    }
    emu.advance(Duration::from_secs(15));
    let lobby_now = api
        .get_lobby()
        .config("watched")
        .lobby_id(&lobby.id)
        .send()
        .await
        .unwrap()
        .into_inner();
    let members: Vec<&str> = lobby_now.players.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        members,
        ["host", "beats", "streams"],
        "silent for 35 s > 30 s: dropped; an open stream counts as present"
    );

    // A waiting lobby that nothing changes for its idle timeout is removed.
    drop(stream);
    let idle = api
        .create_lobby()
        .config("idle")
        .x_player_id("loner")
        .body_map(|body| body.name("idle"))
        .send()
        .await
        .unwrap()
        .into_inner();
    emu.advance(Duration::from_secs(590));
    let get_idle = || api.get_lobby().config("idle").lobby_id(&idle.id).send();
    assert!(get_idle().await.is_ok(), "still there before the timeout");
    emu.advance(Duration::from_secs(11));
    assert_eq!(status_of(get_idle().await), 404);
}
