//! Matchmaking: pairing queued lobbies on one server, match confirmation.

use std::time::Duration;

use playflow::raw::enums::{LobbyStatus, ServerStatus};
use playflow::raw::types;
use serde_json::json;

use super::lobbies::create_lobby;
use crate::support::*;

#[tokio::test]
async fn matchmaking_pairs_two_lobbies_on_one_server() {
    let emu = emulator(100.0).await;
    patient_lobbies(&emu).await;
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
        "matchmaking": {"modes": {"duel": {"teams": 2, "playersPerTeam": 1, "matchConfirmation": {"timeout": 600}}}}
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
    emu.advance(Duration::from_secs(601));
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
