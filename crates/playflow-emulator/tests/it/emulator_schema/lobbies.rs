//! Lobbies: player operations, the event stream, games, matchmaking and confirmation.

use playflow::raw::operations as ops;
use std::time::Duration;

use futures::StreamExt;
use playflow_emulator::{Emulator, LobbyServerLayout};
use serde_json::json;

use super::harness::{Key, Tour, call};

pub(crate) async fn lobbies(t: &mut Tour) {
    // --- Lobbies.
    let lobby = t
        .expect(
            200,
            call(ops::CREATE_LOBBY, "/api/v3/lobbies/default")
                .key(Key::Client)
                .player("alice")
                .json(json!({
                    "name": "Tour lobby", "region": "eu-west", "maxPlayers": 3, "isPrivate": false,
                    "allowLateJoin": true, "settings": {"map": "forest"}, "state": {"ready": false}
                })),
        )
        .await;
    let lobby_id = lobby["id"].as_str().unwrap().to_owned();
    let code = lobby["code"].as_str().unwrap().to_owned();
    t.expect(
        409,
        call(ops::CREATE_LOBBY, "/api/v3/lobbies/default")
            .player("alice")
            .json(json!({"name": "again"})),
    )
    .await;
    t.expect(
        422,
        call(ops::CREATE_LOBBY, "/api/v3/lobbies/default")
            .player("zoe")
            .json(json!({"maxPlayers": 0})),
    )
    .await;
    t.expect(
        422,
        call(ops::CREATE_LOBBY, "/api/v3/lobbies/default").json(json!({"name": "no player"})),
    )
    .await;

    // The event stream, read while the tour goes on.
    let events_response = t
        .request(
            &call(
                ops::SUBSCRIBE_LOBBY_EVENTS,
                "/api/v3/lobbies/default/me/events",
            )
            .key(Key::Client)
            .player("alice"),
        )
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(events_response.status(), 200);
    t.seen
        .entry(ops::SUBSCRIBE_LOBBY_EVENTS.operation_id.into())
        .or_default()
        .insert(200);
    let mut stream = eventsource_stream::Eventsource::eventsource(events_response.bytes_stream());
    t.expect(
        404,
        call(
            ops::SUBSCRIBE_LOBBY_EVENTS,
            "/api/v3/lobbies/default/me/events",
        )
        .player("nobody"),
    )
    .await;

    t.expect(
        200,
        call(ops::JOIN_LOBBY, "/api/v3/lobbies/default/join")
            .key(Key::Client)
            .player("bob")
            .json(json!({"code": code, "state": {"team": "red"}})),
    )
    .await;
    t.expect(
        200,
        call(ops::JOIN_LOBBY, "/api/v3/lobbies/default/join")
            .player("carol")
            .json(json!({"lobbyId": lobby_id})),
    )
    .await;
    t.expect(
        400,
        call(ops::JOIN_LOBBY, "/api/v3/lobbies/default/join")
            .player("dave")
            .json(json!({"lobbyId": lobby_id})),
    )
    .await;
    t.expect(
        409,
        call(ops::JOIN_LOBBY, "/api/v3/lobbies/default/join")
            .player("bob")
            .json(json!({"lobbyId": lobby_id})),
    )
    .await;
    t.expect(
        404,
        call(ops::JOIN_LOBBY, "/api/v3/lobbies/default/join")
            .player("erin")
            .json(json!({"code": "NOPE00"})),
    )
    .await;
    t.expect(
        422,
        call(ops::JOIN_LOBBY, "/api/v3/lobbies/default/join")
            .player("erin")
            .json(json!({"code": code, "lobbyId": lobby_id})),
    )
    .await;
    t.expect(
        200,
        call(
            ops::BROWSE_LOBBIES,
            "/api/v3/lobbies/default?region=eu-west&status=waiting&limit=10&offset=0",
        )
        .key(Key::Client),
    )
    .await;
    t.expect(
        200,
        call(ops::BROWSE_LOBBIES, "/api/v3/lobbies/unknown-config"),
    )
    .await;
    t.expect(
        422,
        call(ops::BROWSE_LOBBIES, "/api/v3/lobbies/default?limit=500"),
    )
    .await;
    t.expect(
        200,
        call(ops::GET_MY_LOBBY, "/api/v3/lobbies/default/me")
            .key(Key::Client)
            .player("bob"),
    )
    .await;
    t.expect(
        404,
        call(ops::GET_MY_LOBBY, "/api/v3/lobbies/default/me").player("nobody"),
    )
    .await;
    t.expect(
        200,
        call(ops::UPDATE_MY_PLAYER_STATE, "/api/v3/lobbies/default/me")
            .player("bob")
            .json(json!({"state": {"ready": true}})),
    )
    .await;
    t.expect(
        422,
        call(ops::UPDATE_MY_PLAYER_STATE, "/api/v3/lobbies/default/me")
            .player("bob")
            .json(json!({"ready": true})),
    )
    .await;
    t.expect(
        200,
        call(
            ops::UPDATE_LOBBY_SETTINGS,
            "/api/v3/lobbies/default/me/settings",
        )
        .player("alice")
        .json(json!({"maxPlayers": 4, "settings": {"mode": "ctf"}, "name": "Renamed"})),
    )
    .await;
    t.expect(
        403,
        call(
            ops::UPDATE_LOBBY_SETTINGS,
            "/api/v3/lobbies/default/me/settings",
        )
        .player("bob")
        .json(json!({"maxPlayers": 5})),
    )
    .await;
    t.expect(
        422,
        call(
            ops::UPDATE_LOBBY_SETTINGS,
            "/api/v3/lobbies/default/me/settings",
        )
        .player("alice")
        .json(json!({"maxPlayers": 0})),
    )
    .await;
    t.expect(
        200,
        call(ops::KICK_PLAYER, "/api/v3/lobbies/default/me/players/carol")
            .key(Key::Client)
            .player("alice"),
    )
    .await;
    t.expect(
        404,
        call(ops::KICK_PLAYER, "/api/v3/lobbies/default/me/players/carol").player("alice"),
    )
    .await;
    t.expect(
        403,
        call(ops::KICK_PLAYER, "/api/v3/lobbies/default/me/players/alice").player("bob"),
    )
    .await;
    t.expect(
        200,
        call(ops::SEND_HEARTBEAT, "/api/v3/lobbies/default/me/heartbeat")
            .key(Key::Client)
            .player("bob"),
    )
    .await;
    t.expect(
        404,
        call(ops::SEND_HEARTBEAT, "/api/v3/lobbies/default/me/heartbeat").player("carol"),
    )
    .await;

    t.expect(
        403,
        call(ops::START_GAME, "/api/v3/lobbies/default/me/start").player("bob"),
    )
    .await;
    t.expect(
        200,
        call(ops::START_GAME, "/api/v3/lobbies/default/me/start")
            .key(Key::Client)
            .player("alice"),
    )
    .await;
    t.expect(
        409,
        call(ops::START_GAME, "/api/v3/lobbies/default/me/start").player("alice"),
    )
    .await;
    t.emu.advance(Duration::from_secs(15));
    let in_game = t
        .expect(
            200,
            call(
                ops::GET_LOBBY,
                format!("/api/v3/lobbies/default/{lobby_id}"),
            ),
        )
        .await;
    assert_eq!(in_game["status"], "in_game");
    t.expect(
        200,
        call(ops::END_MATCH, "/api/v3/lobbies/default/me/end-match")
            .key(Key::Client)
            .player("alice"),
    )
    .await;
    t.expect(
        409,
        call(ops::END_MATCH, "/api/v3/lobbies/default/me/end-match").player("alice"),
    )
    .await;

    t.expect(
        422,
        call(
            ops::START_MATCHMAKING,
            "/api/v3/lobbies/default/me/matchmaking",
        )
        .player("alice")
        .json(json!({})),
    )
    .await;
    t.expect(
        400,
        call(
            ops::START_MATCHMAKING,
            "/api/v3/lobbies/default/me/matchmaking",
        )
        .player("alice")
        .json(json!({"mode": "5v5"})),
    )
    .await;
    t.expect(
        400,
        call(
            ops::START_MATCHMAKING,
            "/api/v3/lobbies/default/me/matchmaking",
        )
        .player("alice")
        .json(json!({"mode": "1v1"})),
    )
    .await;
    t.expect(
        200,
        call(ops::LEAVE_LOBBY, "/api/v3/lobbies/default/me")
            .key(Key::Client)
            .player("bob"),
    )
    .await;
    t.expect(
        200,
        call(
            ops::START_MATCHMAKING,
            "/api/v3/lobbies/default/me/matchmaking",
        )
        .key(Key::Client)
        .player("alice")
        .json(json!({"mode": "1v1"})),
    )
    .await;
    t.expect(
        409,
        call(
            ops::START_MATCHMAKING,
            "/api/v3/lobbies/default/me/matchmaking",
        )
        .player("alice")
        .json(json!({"mode": "1v1"})),
    )
    .await;
    t.expect(
        409,
        call(
            ops::CONFIRM_MATCH,
            "/api/v3/lobbies/default/me/confirm-match",
        )
        .player("alice"),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(60)).await; // some queue_stats and pings
    t.expect(
        200,
        call(
            ops::CANCEL_MATCHMAKING,
            "/api/v3/lobbies/default/me/matchmaking",
        )
        .key(Key::Client)
        .player("alice"),
    )
    .await;
    t.expect(
        409,
        call(
            ops::CANCEL_MATCHMAKING,
            "/api/v3/lobbies/default/me/matchmaking",
        )
        .player("alice"),
    )
    .await;
    t.expect(
        200,
        call(
            ops::GET_LOBBY,
            format!("/api/v3/lobbies/default/{lobby_id}"),
        ),
    )
    .await;
    t.expect(404, call(ops::GET_LOBBY, "/api/v3/lobbies/default/nope"))
        .await;
    t.expect(
        200,
        call(
            ops::DELETE_LOBBY,
            format!("/api/v3/lobbies/default/{lobby_id}"),
        ),
    )
    .await;
    t.expect(
        404,
        call(
            ops::DELETE_LOBBY,
            format!("/api/v3/lobbies/default/{lobby_id}"),
        ),
    )
    .await;

    let mut names = Vec::new();
    while let Ok(Some(event)) = tokio::time::timeout(Duration::from_secs(5), stream.next()).await {
        let event = event.expect("well-formed SSE");
        t.check_event(&event.event, &event.data);
        names.push(event.event);
    }
    for expected in [
        "connected",
        "lobby_updated",
        "queue_stats",
        "ping",
        "lobby_deleted",
    ] {
        assert!(
            names.iter().any(|name| name == expected),
            "no `{expected}` event in {names:?}"
        );
    }
    assert_eq!(names.last().map(String::as_str), Some("lobby_deleted"));

    // Matches with confirmation, and the two answers of leaveLobby.
    for player in ["ann", "ben"] {
        t.expect(
            200,
            call(ops::CREATE_LOBBY, "/api/v3/lobbies/ranked")
                .player(player)
                .json(json!({"name": player, "allowLateJoin": true})),
        )
        .await;
        t.expect(
            200,
            call(
                ops::START_MATCHMAKING,
                "/api/v3/lobbies/ranked/me/matchmaking",
            )
            .player(player)
            .json(json!({"mode": "duel"})),
        )
        .await;
    }
    t.emu.advance(Duration::from_secs(1));
    let found = t
        .expect(
            200,
            call(ops::GET_MY_LOBBY, "/api/v3/lobbies/ranked/me").player("ben"),
        )
        .await;
    assert_eq!(found["status"], "match_found");
    t.expect(
        409,
        call(
            ops::CANCEL_MATCHMAKING,
            "/api/v3/lobbies/ranked/me/matchmaking",
        )
        .player("ben"),
    )
    .await;
    t.expect(
        200,
        call(
            ops::CONFIRM_MATCH,
            "/api/v3/lobbies/ranked/me/confirm-match",
        )
        .key(Key::Client)
        .player("ann"),
    )
    .await;
    t.expect(
        200,
        call(
            ops::DECLINE_MATCH,
            "/api/v3/lobbies/ranked/me/confirm-match",
        )
        .key(Key::Client)
        .player("ben"),
    )
    .await;
    t.expect(
        409,
        call(
            ops::DECLINE_MATCH,
            "/api/v3/lobbies/ranked/me/confirm-match",
        )
        .player("ben"),
    )
    .await;
    for player in ["ann", "ben"] {
        t.expect(
            200,
            call(
                ops::START_MATCHMAKING,
                "/api/v3/lobbies/ranked/me/matchmaking",
            )
            .player(player)
            .json(json!({"mode": "duel"})),
        )
        .await;
    }
    t.emu.advance(Duration::from_secs(1));
    for player in ["ann", "ben"] {
        t.expect(
            200,
            call(
                ops::CONFIRM_MATCH,
                "/api/v3/lobbies/ranked/me/confirm-match",
            )
            .player(player),
        )
        .await;
    }
    t.emu.advance(Duration::from_secs(15));
    let matched = t
        .expect(
            200,
            call(ops::GET_MY_LOBBY, "/api/v3/lobbies/ranked/me").player("ann"),
        )
        .await;
    assert_eq!(matched["status"], "in_game");
    t.expect(
        200,
        call(ops::JOIN_LOBBY, "/api/v3/lobbies/ranked/join")
            .player("late")
            .json(json!({"lobbyId": matched["id"]})),
    )
    .await;
    let remaining = t
        .expect(
            200,
            call(ops::LEAVE_LOBBY, "/api/v3/lobbies/ranked/me").player("ann"),
        )
        .await;
    assert_eq!(remaining["host"], "late");
    let gone = t
        .expect(
            200,
            call(ops::LEAVE_LOBBY, "/api/v3/lobbies/ranked/me").player("late"),
        )
        .await;
    assert_eq!(gone, json!({"status": "lobby_deleted"}));
    t.expect(
        404,
        call(ops::LEAVE_LOBBY, "/api/v3/lobbies/ranked/me").player("late"),
    )
    .await;
    t.expect(
        404,
        call(ops::END_MATCH, "/api/v3/lobbies/ranked/me/end-match").player("late"),
    )
    .await;
    t.expect(
        404,
        call(ops::UPDATE_MY_PLAYER_STATE, "/api/v3/lobbies/ranked/me")
            .player("late")
            .json(json!({"state": {}})),
    )
    .await;
}

/// The same lobby bodies with the full server layout in `server`, on an emulator set up so.
pub(crate) async fn full_server_layout(t: &mut Tour) {
    let full = Emulator::builder()
        .time_scale(1000.0)
        .rate_limits(100_000, 100_000)
        .lobby_server_layout(LobbyServerLayout::Full)
        .start()
        .await
        .unwrap();
    let compact = std::mem::replace(&mut t.emu, full);
    let image = json!({"image_url": "ghcr.io/acme/arena:3"});
    t.expect(
        200,
        call(
            ops::CREATE_BUILD_FROM_DOCKER_IMAGE,
            "/api/v3/builds/docker-image",
        )
        .json(image),
    )
    .await;
    t.emu.advance(Duration::from_secs(120));
    t.expect(
        200,
        call(ops::CREATE_LOBBY, "/api/v3/lobbies/default")
            .player("host")
            .json(json!({"name": "full layout"})),
    )
    .await;
    let starting = t
        .expect(
            200,
            call(ops::START_GAME, "/api/v3/lobbies/default/me/start").player("host"),
        )
        .await;
    assert!(starting["server"]["network_ports"].is_array(), "{starting}");
    t.emu.advance(Duration::from_secs(15));
    let playing = t
        .expect(
            200,
            call(ops::GET_MY_LOBBY, "/api/v3/lobbies/default/me").player("host"),
        )
        .await;
    assert_eq!(playing["server"]["status"], "running");
    t.emu = compact;
}
