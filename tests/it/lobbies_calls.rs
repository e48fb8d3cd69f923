//! Every player-scoped lobby call against httpmock: method, path, `x-player-id`, the exact JSON
//! body, the decoded answer; checks made before sending; the documented errors, typed.

use httpmock::prelude::*;
use playflow::lobbies::{JoinTarget, LeaveOutcome, LobbyErrorExt, LobbyErrorKind};
use playflow::model::LobbyStatus;
use playflow_test_support::{CLIENT_KEY, game_client};
use serde_json::{Value, json};

const BASE: &str = "/api/v3/lobbies/casual";

fn lobby(status: &str) -> Value {
    json!({
        "id": "3c7e9a52-1f4b-4d2a-9b8e-6a0f5d2c71e4", "code": "WOLF-17", "config": "casual",
        "name": "Friday night arena", "status": status, "host": "p-123",
        "maxPlayers": 4, "currentPlayers": 1, "region": "us-east",
        "players": [{"id": "p-123", "state": {"ready": true}, "isHost": true}]
    })
}

/// A mock of one player call: method, path, the player header and key; answers a lobby.
async fn mock_player_call<'a>(
    server: &'a MockServer,
    method: httpmock::Method,
    path: &str,
    body: Option<Value>,
    answer: Value,
) -> httpmock::Mock<'a> {
    server
        .mock_async(|when, then| {
            let when = when
                .method(method)
                .path(format!("{BASE}{path}"))
                .header("x-player-id", "p-123")
                .header("api-key", CLIENT_KEY);
            if let Some(body) = body {
                when.json_body(body);
            }
            then.status(200).json_body(answer);
        })
        .await
}

#[tokio::test]
async fn create_sends_only_the_name_when_nothing_else_is_set() {
    let server = MockServer::start_async().await;
    let mock = mock_player_call(
        &server,
        POST,
        "",
        Some(json!({"name": "Arena"})),
        lobby("waiting"),
    )
    .await;
    let client = game_client(&server);
    let lobby = client
        .lobbies("casual")
        .player("p-123")
        .create("Arena")
        .send()
        .await
        .unwrap();
    assert_eq!(lobby.status, LobbyStatus::Waiting);
    assert_eq!(lobby.host, "p-123");
    mock.assert_async().await;
}

#[tokio::test]
async fn create_sends_every_option_set() {
    #[derive(serde::Serialize)]
    struct Loadout {
        ready: bool,
        mmr: u32,
    }
    let server = MockServer::start_async().await;
    let body = json!({
        "name": "Arena", "region": "eu-west", "maxPlayers": 4, "isPrivate": true,
        "allowLateJoin": false, "settings": {"map": "forest"}, "state": {"ready": false, "mmr": 1500}
    });
    let mock = mock_player_call(&server, POST, "", Some(body), lobby("waiting")).await;
    let client = game_client(&server);
    client
        .lobbies("casual")
        .player("p-123")
        .create("Arena")
        .region("eu-west")
        .max_players(4)
        .private(true)
        .allow_late_join(false)
        .settings(json!({"map": "forest"}))
        .state(Loadout {
            ready: false,
            mmr: 1500,
        })
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn create_checks_before_sending() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200);
        })
        .await;
    let client = game_client(&server);
    let me = client.lobbies("casual").player("p-123");
    for (builder, field) in [
        (me.create("Arena").max_players(0), "max_players"),
        (me.create("Arena").max_players(101), "max_players"),
        (me.create(""), "name"),
        (me.create("x".repeat(101)), "name"),
        (
            me.create("Arena").settings(json!(["not", "an", "object"])),
            "settings",
        ),
        (me.create("Arena").state(json!("ready")), "state"),
    ] {
        match builder.send().await {
            Err(playflow::Error::InvalidInput(e)) => assert_eq!(e.field, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    // The bounds themselves are accepted.
    assert!(
        me.create("x".repeat(100))
            .max_players(100)
            .request()
            .is_ok()
    );
    assert!(me.create("A").max_players(1).request().is_ok());
    assert_eq!(any.calls_async().await, 0, "nothing was sent");
}

#[tokio::test]
async fn join_by_code_sends_only_the_code() {
    let server = MockServer::start_async().await;
    let mock = mock_player_call(
        &server,
        POST,
        "/join",
        Some(json!({"code": "WOLF-17"})),
        lobby("waiting"),
    )
    .await;
    let client = game_client(&server);
    client
        .lobbies("casual")
        .player("p-123")
        .join_by_code("WOLF-17")
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn join_by_id_sends_only_the_lobby_id_and_the_state() {
    let server = MockServer::start_async().await;
    let body = json!({"lobbyId": "3c7e9a52", "state": {"team": "red"}});
    let mock = mock_player_call(&server, POST, "/join", Some(body), lobby("waiting")).await;
    let client = game_client(&server);
    client
        .lobbies("casual")
        .player("p-123")
        .join(JoinTarget::Lobby("3c7e9a52".into()))
        .state(json!({"team": "red"}))
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn join_refuses_an_empty_target() {
    let server = MockServer::start_async().await;
    let client = game_client(&server);
    let me = client.lobbies("casual").player("p-123");
    assert!(matches!(
        me.join_by_code(" ").send().await,
        Err(playflow::Error::InvalidInput(_))
    ));
    assert!(matches!(
        me.join_by_id("").send().await,
        Err(playflow::Error::InvalidInput(_))
    ));
}

#[tokio::test]
async fn current_gets_my_lobby() {
    let server = MockServer::start_async().await;
    let mock = mock_player_call(&server, GET, "/me", None, lobby("in_game")).await;
    let client = game_client(&server);
    let lobby = client
        .lobbies("casual")
        .player("p-123")
        .current()
        .await
        .unwrap();
    assert_eq!(lobby.status, LobbyStatus::InGame);
    mock.assert_async().await;
}

#[tokio::test]
async fn leave_returns_the_remaining_lobby_or_its_deletion() {
    let server = MockServer::start_async().await;
    let left = mock_player_call(&server, DELETE, "/me", None, lobby("waiting")).await;
    let client = game_client(&server);
    let me = client.lobbies("casual").player("p-123");
    match me.leave().await.unwrap() {
        LeaveOutcome::Left(lobby) => assert_eq!(lobby.id, "3c7e9a52-1f4b-4d2a-9b8e-6a0f5d2c71e4"),
        other => panic!("{other:?}"),
    }
    left.delete_async().await;
    let gone = mock_player_call(
        &server,
        DELETE,
        "/me",
        None,
        json!({"status": "lobby_deleted"}),
    )
    .await;
    assert_eq!(me.leave().await.unwrap(), LeaveOutcome::LobbyDeleted);
    gone.assert_async().await;
}

#[tokio::test]
async fn update_state_sends_the_keys_to_merge() {
    let server = MockServer::start_async().await;
    let body = json!({"state": {"ready": true, "team": "blue"}});
    let mock = mock_player_call(&server, PATCH, "/me", Some(body), lobby("waiting")).await;
    let client = game_client(&server);
    let me = client.lobbies("casual").player("p-123");
    let mut state = serde_json::Map::new();
    state.insert("ready".into(), json!(true));
    state.insert("team".into(), json!("blue"));
    me.update_state(state).await.unwrap();
    mock.assert_async().await;
    assert!(matches!(
        me.update_state(json!(42)).await,
        Err(playflow::Error::InvalidInput(_))
    ));
    assert_eq!(mock.calls_async().await, 1);
}

#[tokio::test]
async fn update_settings_sends_only_the_fields_set() {
    let server = MockServer::start_async().await;
    let body = json!({"maxPlayers": 6, "name": "Late", "settings": {"map": "harbor"}});
    let mock = mock_player_call(&server, PATCH, "/me/settings", Some(body), lobby("waiting")).await;
    let client = game_client(&server);
    let me = client.lobbies("casual").player("p-123");
    me.update_settings()
        .max_players(6)
        .name("Late")
        .settings(json!({"map": "harbor"}))
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
    let refused = me.update_settings().max_players(500).send().await;
    assert!(matches!(refused, Err(playflow::Error::InvalidInput(_))));
    assert_eq!(mock.calls_async().await, 1);
}

#[tokio::test]
async fn host_controls_and_match_calls_hit_their_routes() {
    let server = MockServer::start_async().await;
    let client = game_client(&server);
    let me = client.lobbies("casual").player("p-123");

    let kick = mock_player_call(&server, DELETE, "/me/players/p-456", None, lobby("waiting")).await;
    me.kick("p-456").await.unwrap();
    kick.assert_async().await;

    let start = mock_player_call(&server, POST, "/me/start", None, lobby("starting")).await;
    assert_eq!(me.start_game().await.unwrap().status, LobbyStatus::Starting);
    start.assert_async().await;

    let end = mock_player_call(&server, POST, "/me/end-match", None, lobby("waiting")).await;
    me.end_match().await.unwrap();
    end.assert_async().await;

    let queue = mock_player_call(
        &server,
        POST,
        "/me/matchmaking",
        Some(json!({"mode": "duo_ranked"})),
        lobby("in_queue"),
    )
    .await;
    assert_eq!(
        me.start_matchmaking("duo_ranked").await.unwrap().status,
        LobbyStatus::InQueue
    );
    queue.assert_async().await;

    let cancel = mock_player_call(&server, DELETE, "/me/matchmaking", None, lobby("waiting")).await;
    me.cancel_matchmaking().await.unwrap();
    cancel.assert_async().await;

    let confirm = mock_player_call(
        &server,
        POST,
        "/me/confirm-match",
        None,
        lobby("match_found"),
    )
    .await;
    me.confirm_match().await.unwrap();
    confirm.assert_async().await;

    let decline =
        mock_player_call(&server, DELETE, "/me/confirm-match", None, lobby("waiting")).await;
    me.decline_match().await.unwrap();
    decline.assert_async().await;

    let heartbeat = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!("{BASE}/me/heartbeat"))
                .header("x-player-id", "p-123");
            then.status(200);
        })
        .await;
    me.heartbeat().await.unwrap();
    heartbeat.assert_async().await;

    assert!(matches!(
        me.start_matchmaking("").await,
        Err(playflow::Error::InvalidInput(_))
    ));
    assert!(matches!(
        me.kick("").await,
        Err(playflow::Error::InvalidInput(_))
    ));
}

#[tokio::test]
async fn the_kicked_player_id_is_percent_encoded_in_the_path() {
    let server = MockServer::start_async().await;
    let kick = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path(format!("{BASE}/me/players/p%20456%2Fx"))
                .header("x-player-id", "p-123");
            then.status(200).json_body(lobby("waiting"));
        })
        .await;
    let client = game_client(&server);
    client
        .lobbies("casual")
        .player("p-123")
        .kick("p 456/x")
        .await
        .unwrap();
    kick.assert_async().await;
}

/// Make `call` fail with `status` on the route and check the lobby meaning.
async fn error_kind(
    method: httpmock::Method,
    path: &str,
    status: u16,
    call: impl AsyncFnOnce(&playflow::lobbies::PlayerLobby<playflow::ClientKey>) -> playflow::Result<()>,
) -> (LobbyErrorKind, playflow::Error) {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(method).path(format!("{BASE}{path}"));
            then.status(status)
                .json_body(json!({"error": "nope", "status": status}));
        })
        .await;
    let client = game_client(&server);
    let me = client.lobbies("casual").player("p-123");
    let err = call(&me).await.expect_err("the call should fail");
    assert_eq!(err.status(), Some(status));
    (err.lobby_error_kind(), err)
}

#[tokio::test]
async fn documented_errors_are_typed() {
    let (kind, err) = error_kind(GET, "/me", 404, async |me| me.current().await.map(drop)).await;
    assert_eq!(kind, LobbyErrorKind::NotInLobby);
    assert!(matches!(err, playflow::Error::NotFound(_)));

    let (kind, _) = error_kind(POST, "/me/start", 403, async |me| {
        me.start_game().await.map(drop)
    })
    .await;
    assert_eq!(kind, LobbyErrorKind::NotHost);

    let (kind, _) = error_kind(PATCH, "/me/settings", 403, async |me| {
        me.update_settings().private(true).send().await.map(drop)
    })
    .await;
    assert_eq!(kind, LobbyErrorKind::NotHost);

    let (kind, _) = error_kind(POST, "", 409, async |me| {
        me.create("Arena").send().await.map(drop)
    })
    .await;
    assert_eq!(kind, LobbyErrorKind::AlreadyInLobby);

    let (kind, _) = error_kind(POST, "/join", 409, async |me| {
        me.join_by_code("W").send().await.map(drop)
    })
    .await;
    assert_eq!(kind, LobbyErrorKind::AlreadyInLobby);

    let (kind, _) = error_kind(POST, "/join", 400, async |me| {
        me.join_by_code("W").send().await.map(drop)
    })
    .await;
    assert_eq!(kind, LobbyErrorKind::LobbyFull);

    let (kind, _) = error_kind(POST, "/join", 404, async |me| {
        me.join_by_id("L").send().await.map(drop)
    })
    .await;
    assert_eq!(kind, LobbyErrorKind::LobbyNotFound);

    let (kind, _) = error_kind(POST, "/me/matchmaking", 400, async |me| {
        me.start_matchmaking("nope").await.map(drop)
    })
    .await;
    assert_eq!(kind, LobbyErrorKind::UnknownMode);

    let (kind, _) = error_kind(POST, "/me/confirm-match", 409, async |me| {
        me.confirm_match().await.map(drop)
    })
    .await;
    assert_eq!(kind, LobbyErrorKind::ConfirmationNotUsed);

    // Same statuses elsewhere mean nothing lobby-specific.
    let (kind, _) = error_kind(PATCH, "/me", 403, async |me| {
        me.update_state(json!({})).await.map(drop)
    })
    .await;
    assert_eq!(kind, LobbyErrorKind::Other);
    let (kind, _) = error_kind(DELETE, "/me/players/p-9", 404, async |me| {
        me.kick("p-9").await.map(drop)
    })
    .await;
    assert_eq!(kind, LobbyErrorKind::Other);
    let (kind, _) = error_kind(GET, "/me", 500, async |me| me.current().await.map(drop)).await;
    assert_eq!(kind, LobbyErrorKind::Other);
}

#[tokio::test]
async fn browse_stream_follows_offset_and_has_more() {
    let server = MockServer::start_async().await;
    let page = |ids: &[&str], offset: u64, has_more: bool| {
        let lobbies: Vec<Value> = ids
            .iter()
            .map(|id| {
                let mut l = lobby("waiting");
                l["id"] = json!(id);
                l
            })
            .collect();
        json!({"lobbies": lobbies, "total": 3, "limit": 2, "offset": offset, "hasMore": has_more})
    };
    let first = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(BASE)
                .query_param("limit", "2")
                .query_param("offset", "0")
                .query_param("status", "waiting");
            then.status(200).json_body(page(&["a", "b"], 0, true));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(BASE)
                .query_param("limit", "2")
                .query_param("offset", "2")
                .query_param("status", "waiting");
            then.status(200).json_body(page(&["c"], 2, false));
        })
        .await;
    let client = game_client(&server);
    let all = client
        .lobbies("casual")
        .browse()
        .status("waiting")
        .limit(2)
        .collect_all()
        .await
        .unwrap();
    let ids: Vec<&str> = all.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
}

#[tokio::test]
async fn browse_stream_uses_total_without_has_more_and_stops_on_an_empty_page() {
    let server = MockServer::start_async().await;
    // No hasMore: total decides. Then a lying server says "more" with an empty page.
    let first = server
        .mock_async(|when, then| {
            when.method(GET).path(BASE).query_param("offset", "0");
            then.status(200)
                .json_body(json!({"lobbies": [lobby("waiting")], "total": 5, "limit": 1}));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.method(GET).path(BASE).query_param("offset", "1");
            then.status(200)
                .json_body(json!({"lobbies": [], "total": 5, "limit": 1, "hasMore": true}));
        })
        .await;
    let client = game_client(&server);
    let all = client
        .lobbies("casual")
        .browse()
        .limit(1)
        .collect_all()
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
}

#[tokio::test]
async fn browse_stream_ends_at_the_first_error() {
    use futures::StreamExt;
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(BASE);
            then.status(400)
                .json_body(json!({"error": "bad", "status": 400}));
        })
        .await;
    let client = game_client(&server);
    let items: Vec<_> = client.lobbies("casual").browse().stream().collect().await;
    assert_eq!(items.len(), 1);
    assert!(items[0].is_err());
}

#[tokio::test]
async fn admin_calls_work_with_a_server_key() {
    let server = MockServer::start_async().await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("{BASE}/L1"))
                .header("api-key", "pf_1234567890abcdef1234");
            then.status(200).json_body(lobby("waiting"));
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE).path(format!("{BASE}/L1"));
            then.status(200)
                .json_body(json!({"status": "lobby_deleted"}));
        })
        .await;
    let client =
        playflow::Client::builder(playflow::ServerKey::new("pf_1234567890abcdef1234").unwrap())
            .base_url(server.base_url())
            .build()
            .unwrap();
    client.lobbies("casual").get("L1").await.unwrap();
    let answer = client.lobbies("casual").delete("L1").await.unwrap();
    assert_eq!(answer.status.as_deref(), Some("lobby_deleted"));
    get.assert_async().await;
    delete.assert_async().await;
}

#[tokio::test]
async fn a_player_id_that_cannot_be_a_header_is_refused_before_sending() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_, then| {
            then.status(200).json_body(lobby("waiting"));
        })
        .await;
    let client = game_client(&server);
    for bad in ["", "  ", "p-1\r\nx-evil: 1"] {
        let result = client.lobbies("casual").player(bad).current().await;
        assert!(
            matches!(result, Err(playflow::Error::InvalidInput(_))),
            "{bad:?}: {result:?}"
        );
    }
    assert_eq!(any.calls_async().await, 0);
}

#[tokio::test]
async fn events_ask_for_an_event_stream_with_the_player_and_key() {
    use futures::StreamExt as _;
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("{BASE}/me/events"))
                .header("accept", "text/event-stream")
                .header("x-player-id", "p-123")
                .header("api-key", CLIENT_KEY);
            then.status(200)
                .header("content-type", "text/event-stream")
                .body("event: lobby_deleted\ndata: {\"id\":\"l-1\"}\n\n");
        })
        .await;
    let client = game_client(&server);
    let mut events = client.lobbies("casual").player("p-123").events();
    let first = events.next().await.expect("one event").expect("decoded");
    assert!(
        matches!(&first, playflow::lobbies::LobbyEvent::LobbyDeleted { id } if id == "l-1"),
        "{first:?}"
    );
    assert!(
        events.next().await.is_none(),
        "the stream ends after lobby_deleted"
    );
    mock.assert_async().await;
}
