//! The match waiter against a scripted local server: the full flow driven by events, the
//! polling fallback while the stream is down, max wait, cancel (explicit and on drop), and the
//! ways a search ends without a match.

use std::time::{Duration, Instant};

use playflow::lobbies::{FindMatchError, LobbyErrorExt, LobbyErrorKind, Match};
use playflow::model::LobbyStatus;
use playflow_test_support::{Reply, Step, TestServer, event, game_client, lobby};
use serde_json::{Value, json};

const QUEUE: &str = "/api/v3/lobbies/casual/me/matchmaking";
const EVENTS: &str = "/api/v3/lobbies/casual/me/events";
const ME: &str = "/api/v3/lobbies/casual/me";
const CONFIRM: &str = "/api/v3/lobbies/casual/me/confirm-match";

fn ok(value: Value) -> Reply {
    Reply::json(200, value.to_string())
}

fn in_queue() -> Value {
    lobby(
        "in_queue",
        json!({"matchmaking": {"mode": "duo_ranked", "startedAt": "2025-03-14T09:21:30Z"}}),
    )
}

fn match_found(confirmed: bool) -> Value {
    lobby(
        "match_found",
        json!({"matchId": "m-77", "matchmaking": {"mode": "duo_ranked",
               "confirmation": {"deadline": "2025-03-14T09:22:15Z", "confirmed": confirmed}}}),
    )
}

/// In game, with the compact server layout.
fn in_game() -> Value {
    lobby(
        "in_game",
        json!({"matchId": "m-77", "server": {
            "instanceId": "9b2f6c1e", "status": "running", "region": "us-east",
            "ports": [{"name": "game", "host": "203.0.113.10", "port": 30001, "protocol": "udp"},
                      {"name": "voice", "host": "203.0.113.10", "port": 30002, "protocol": "tcp"}]
        }}),
    )
}

fn sse(value: &Value, name: &str) -> Step {
    event(name, &value.to_string())
}

async fn bounded<T>(future: impl std::future::IntoFuture<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), future.into_future())
        .await
        .expect("the search should end within 10 s")
}

#[tokio::test]
async fn full_flow_queue_stats_match_found_confirm_in_game() {
    let server = TestServer::start(|req| match (req.method.as_str(), req.path.as_str()) {
        ("POST", QUEUE) => ok(in_queue()),
        ("POST", CONFIRM) => ok(match_found(true)),
        ("GET", EVENTS) => Reply::sse(vec![
            sse(&in_queue(), "connected"),
            event(
                "queue_stats",
                r#"{"playersSearching":18,"lobbiesInQueue":5,"avgWaitSeconds":9.4}"#,
            ),
            sse(
                &lobby("matched", json!({"matchId": "m-77"})),
                "lobby_updated",
            ),
            sse(&match_found(false), "lobby_updated"),
            // The server only moves on once confirmed.
            Step::Wait(Duration::from_millis(100)),
            sse(&in_game(), "lobby_updated"),
            Step::Hold,
        ]),
        other => panic!("unexpected {other:?}"),
    })
    .await;
    let client = game_client(&server);
    let me = client.lobbies("casual").player("p-123");
    let found = bounded(
        me.find_match("duo_ranked")
            .auto_confirm(true)
            .max_wait(Duration::from_secs(10)),
    )
    .await
    .unwrap();

    assert_eq!(found.lobby.status, LobbyStatus::InGame);
    assert_eq!(found.match_id(), Some("m-77"));
    assert_eq!(found.instance_id(), Some("9b2f6c1e"));
    assert_eq!(found.endpoints.len(), 2);
    assert_eq!(
        found.endpoint("game").unwrap().to_string(),
        "203.0.113.10:30001"
    );
    assert_eq!(found.endpoint("voice").unwrap().port, 30002);

    let queued = server.calls("POST", QUEUE);
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].body, r#"{"mode":"duo_ranked"}"#);
    assert_eq!(queued[0].header("x-player-id"), Some("p-123"));
    assert_eq!(server.calls("POST", CONFIRM).len(), 1, "confirmed once");
    assert_eq!(server.calls("GET", EVENTS).len(), 1);
    assert!(
        server.calls("GET", ME).is_empty(),
        "no polling while the stream is up"
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        server.calls("DELETE", QUEUE).is_empty(),
        "a found match is not cancelled"
    );
}

#[tokio::test]
async fn without_auto_confirm_the_waiter_does_not_confirm() {
    let server = TestServer::start(|req| match (req.method.as_str(), req.path.as_str()) {
        ("POST", QUEUE) => ok(in_queue()),
        ("GET", EVENTS) => Reply::sse(vec![
            sse(&in_queue(), "connected"),
            sse(&match_found(false), "lobby_updated"),
            Step::Wait(Duration::from_millis(100)),
            sse(&in_game(), "lobby_updated"),
            Step::Hold,
        ]),
        other => panic!("unexpected {other:?}"),
    })
    .await;
    let client = game_client(&server);
    let found = bounded(
        client
            .lobbies("casual")
            .player("p-123")
            .find_match("duo_ranked"),
    )
    .await
    .unwrap();
    assert_eq!(found.endpoints[0].host, "203.0.113.10");
    assert!(server.calls("POST", CONFIRM).is_empty());
}

#[tokio::test]
async fn polls_while_the_stream_is_down() {
    // The stream opens once, says "in queue", and drops; every reconnect then fails. The
    // match is only visible by polling.
    let server = TestServer::start(|req| match (req.method.as_str(), req.path.as_str()) {
        ("POST", QUEUE) => ok(in_queue()),
        ("GET", EVENTS) if req.route_index == 0 => Reply::sse(vec![sse(&in_queue(), "connected")]),
        ("GET", EVENTS) => Reply::json(503, r#"{"error":"down","status":503}"#),
        ("GET", ME) if req.route_index < 2 => ok(in_queue()),
        ("GET", ME) => ok(in_game()),
        other => panic!("unexpected {other:?}"),
    })
    .await;
    let client = game_client(&server);
    let started = Instant::now();
    let found = bounded(
        client
            .lobbies("casual")
            .player("p-123")
            .find_match("duo_ranked")
            .poll_interval(Duration::from_millis(50))
            .reconnect_delays(Duration::from_millis(20), Duration::from_millis(40)),
    )
    .await
    .unwrap();
    assert_eq!(found.lobby.status, LobbyStatus::InGame);
    let polls = server.calls("GET", ME);
    assert_eq!(polls.len(), 3, "polled until the match showed");
    assert!(
        polls
            .iter()
            .all(|p| p.header("x-player-id") == Some("p-123"))
    );
    // Polls are spaced by the interval.
    assert!(polls[1].at - polls[0].at >= Duration::from_millis(50));
    assert!(
        server.calls("GET", EVENTS).len() >= 2,
        "kept trying to reconnect"
    );
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn a_stream_that_never_opens_is_replaced_by_polling() {
    let server = TestServer::start(|req| match (req.method.as_str(), req.path.as_str()) {
        ("POST", QUEUE) => ok(in_queue()),
        ("GET", EVENTS) => Reply::json(502, r#"{"error":"bad gateway","status":502}"#),
        ("GET", ME) if req.route_index == 0 => ok(in_queue()),
        ("GET", ME) => ok(in_game()),
        other => panic!("unexpected {other:?}"),
    })
    .await;
    let client = game_client(&server);
    let found = bounded(
        client
            .lobbies("casual")
            .player("p-123")
            .find_match("duo_ranked")
            .poll_interval(Duration::from_millis(30))
            .reconnect_delays(Duration::from_millis(500), Duration::from_secs(1)),
    )
    .await
    .unwrap();
    assert_eq!(found.endpoint("game").unwrap().port, 30001);
    assert_eq!(server.calls("GET", ME).len(), 2);
}

#[tokio::test]
async fn dropping_the_search_leaves_the_queue() {
    let server = TestServer::start(|req| match (req.method.as_str(), req.path.as_str()) {
        ("POST", QUEUE) => ok(in_queue()),
        ("DELETE", QUEUE) => ok(lobby("waiting", json!({}))),
        ("GET", EVENTS) => Reply::sse(vec![sse(&in_queue(), "connected"), Step::Hold]),
        other => panic!("unexpected {other:?}"),
    })
    .await;
    let client = game_client(&server);
    let search = client
        .lobbies("casual")
        .player("p-123")
        .find_match("duo_ranked");
    // The player gives up after 300 ms: the future is dropped mid-wait.
    let outcome = tokio::time::timeout(Duration::from_millis(300), search).await;
    assert!(outcome.is_err(), "still searching when dropped");
    let cancels = server.wait_for("DELETE", QUEUE, 1).await;
    assert_eq!(cancels.len(), 1);
    assert_eq!(cancels[0].header("x-player-id"), Some("p-123"));
}

#[tokio::test]
async fn explicit_cancel_leaves_the_queue_once() {
    let server = TestServer::start(|req| match (req.method.as_str(), req.path.as_str()) {
        ("POST", QUEUE) => ok(in_queue()),
        ("DELETE", QUEUE) => ok(lobby("waiting", json!({}))),
        ("GET", EVENTS) => Reply::sse(vec![
            sse(&in_queue(), "connected"),
            event(
                "queue_stats",
                r#"{"playersSearching":18,"lobbiesInQueue":5}"#,
            ),
            Step::Hold,
        ]),
        other => panic!("unexpected {other:?}"),
    })
    .await;
    let client = game_client(&server);
    let mut search = client
        .lobbies("casual")
        .player("p-123")
        .find_match("duo_ranked")
        .start()
        .await
        .unwrap();
    assert_eq!(search.lobby().status, LobbyStatus::InQueue);
    // A cancel button pressed while waiting.
    let waited = tokio::time::timeout(Duration::from_millis(200), search.wait()).await;
    assert!(waited.is_err());
    // What a "searching…" screen shows, from the stream.
    assert_eq!(search.queue_stats().unwrap().players_searching, Some(18.0));
    let lobby = search.cancel().await.unwrap();
    assert_eq!(lobby.status, LobbyStatus::Waiting);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        server.calls("DELETE", QUEUE).len(),
        1,
        "no second cancel on drop"
    );
}

#[tokio::test]
async fn max_wait_ends_with_the_last_status_and_leaves_the_queue() {
    let server = TestServer::start(|req| match (req.method.as_str(), req.path.as_str()) {
        ("POST", QUEUE) => ok(in_queue()),
        ("DELETE", QUEUE) => ok(lobby("waiting", json!({}))),
        ("GET", EVENTS) => Reply::sse(vec![
            sse(&in_queue(), "connected"),
            sse(&lobby("matched", json!({})), "lobby_updated"),
            Step::Hold,
        ]),
        other => panic!("unexpected {other:?}"),
    })
    .await;
    let client = game_client(&server);
    let started = Instant::now();
    let err = bounded(
        client
            .lobbies("casual")
            .player("p-123")
            .find_match("duo_ranked")
            .max_wait(Duration::from_millis(300)),
    )
    .await
    .unwrap_err();
    match err {
        FindMatchError::ExceededMaxWait {
            max_wait,
            last_status,
        } => {
            assert_eq!(max_wait, Duration::from_millis(300));
            assert_eq!(last_status, LobbyStatus::Matched);
        }
        other => panic!("{other:?}"),
    }
    assert!(started.elapsed() >= Duration::from_millis(300));
    // Left the queue before returning (not in a background task).
    assert_eq!(server.calls("DELETE", QUEUE).len(), 1);
}

#[tokio::test]
async fn back_to_waiting_ends_the_search_without_cancelling() {
    let server = TestServer::start(|req| match (req.method.as_str(), req.path.as_str()) {
        ("POST", QUEUE) => ok(in_queue()),
        ("GET", EVENTS) => Reply::sse(vec![
            sse(&in_queue(), "connected"),
            sse(&match_found(false), "lobby_updated"),
            // Someone declined.
            sse(&lobby("waiting", json!({})), "lobby_updated"),
            Step::Hold,
        ]),
        other => panic!("unexpected {other:?}"),
    })
    .await;
    let client = game_client(&server);
    let err = bounded(
        client
            .lobbies("casual")
            .player("p-123")
            .find_match("duo_ranked"),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, FindMatchError::LeftQueue { lobby } if lobby.status == LobbyStatus::Waiting),
        "{err:?}"
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(server.calls("DELETE", QUEUE).is_empty());
}

#[tokio::test]
async fn a_deleted_lobby_ends_the_search() {
    let server = TestServer::start(|req| match (req.method.as_str(), req.path.as_str()) {
        ("POST", QUEUE) => ok(in_queue()),
        ("GET", EVENTS) => Reply::sse(vec![
            sse(&in_queue(), "connected"),
            event("lobby_deleted", r#"{"id":"3c7e9a52"}"#),
        ]),
        other => panic!("unexpected {other:?}"),
    })
    .await;
    let client = game_client(&server);
    let err = bounded(
        client
            .lobbies("casual")
            .player("p-123")
            .find_match("duo_ranked"),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, FindMatchError::LobbyDeleted { id } if id == "3c7e9a52"),
        "{err:?}"
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(server.calls("DELETE", QUEUE).is_empty());
}

#[tokio::test]
async fn an_unknown_mode_fails_before_any_waiting() {
    let server = TestServer::start(|req| match (req.method.as_str(), req.path.as_str()) {
        ("POST", QUEUE) => Reply::json(400, r#"{"error":"Unknown mode","status":400}"#),
        other => panic!("unexpected {other:?}"),
    })
    .await;
    let client = game_client(&server);
    let err = bounded(client.lobbies("casual").player("p-123").find_match("solo"))
        .await
        .unwrap_err();
    let request = err.request_error().expect("a request error");
    assert_eq!(request.lobby_error_kind(), LobbyErrorKind::UnknownMode);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(server.requests().len(), 1, "no events, no cancel");
}

#[tokio::test]
async fn a_player_removed_from_the_lobby_ends_the_search_with_the_error() {
    // Kicked: the stream is refused (404), polling takes over and gets 404 too.
    let not_in_lobby = || Reply::json(404, r#"{"error":"Player not in a lobby","status":404}"#);
    let server = TestServer::start(move |req| match (req.method.as_str(), req.path.as_str()) {
        ("POST", QUEUE) => ok(in_queue()),
        ("GET", EVENTS) | ("GET", ME) => not_in_lobby(),
        ("DELETE", QUEUE) => not_in_lobby(),
        other => panic!("unexpected {other:?}"),
    })
    .await;
    let client = game_client(&server);
    let err = bounded(
        client
            .lobbies("casual")
            .player("p-123")
            .find_match("duo_ranked"),
    )
    .await
    .unwrap_err();
    let request = err.request_error().expect("a request error");
    assert_eq!(request.lobby_error_kind(), LobbyErrorKind::NotInLobby);
    assert_eq!(
        server.calls("GET", ME).len(),
        1,
        "polled at once after the stream failed"
    );
}

#[tokio::test]
async fn members_wait_for_the_hosts_match_without_queueing() {
    let server = TestServer::start(|req| match (req.method.as_str(), req.path.as_str()) {
        ("GET", ME) => ok(lobby("waiting", json!({}))),
        ("GET", EVENTS) => Reply::sse(vec![
            sse(&lobby("waiting", json!({})), "connected"),
            sse(&in_queue(), "lobby_updated"),
            sse(&lobby("starting", json!({})), "lobby_updated"),
            sse(&in_game(), "lobby_updated"),
            Step::Hold,
        ]),
        other => panic!("unexpected {other:?}"),
    })
    .await;
    let client = game_client(&server);
    let found = bounded(client.lobbies("casual").player("p-456").wait_for_match())
        .await
        .unwrap();
    assert_eq!(found.endpoints.len(), 2);
    assert!(server.calls("POST", QUEUE).is_empty());
    assert_eq!(
        server.calls("GET", ME)[0].header("x-player-id"),
        Some("p-456")
    );
}

#[tokio::test]
async fn dropping_a_member_wait_sends_nothing() {
    let server = TestServer::start(|req| match (req.method.as_str(), req.path.as_str()) {
        ("GET", ME) => ok(lobby("waiting", json!({}))),
        ("GET", EVENTS) => Reply::sse(vec![
            sse(&lobby("waiting", json!({})), "connected"),
            Step::Hold,
        ]),
        other => panic!("unexpected {other:?}"),
    })
    .await;
    let client = game_client(&server);
    let wait = client.lobbies("casual").player("p-456").wait_for_match();
    assert!(
        tokio::time::timeout(Duration::from_millis(200), wait)
            .await
            .is_err()
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(server.calls("DELETE", QUEUE).is_empty());
}

fn parse(value: Value) -> playflow::model::Lobby {
    serde_json::from_value(value).unwrap()
}

#[test]
fn match_readiness_follows_the_spec() {
    // In game with ports: ready.
    assert!(Match::from_lobby(&parse(in_game())).is_some());
    // Matched, not yet a server: not ready.
    assert!(Match::from_lobby(&parse(lobby("matched", json!({})))).is_none());
    // Starting, server provisioning (no ports yet): not ready.
    let provisioning = lobby("starting", json!({"server": {"status": "launching"}}));
    assert!(Match::from_lobby(&parse(provisioning)).is_none());
    // Starting, but the server reports running with ports (full layout): ready.
    let running_full = lobby(
        "starting",
        json!({"server": {"instance_id": "i-1", "status": "running", "network_ports": [
            {"name": "game", "internal_port": 7777, "external_port": 30001, "protocol": "udp",
             "host": "2001:db8::1", "tls_enabled": false}]}}),
    );
    let found = Match::from_lobby(&parse(running_full)).unwrap();
    assert_eq!(found.instance_id(), Some("i-1"));
    assert_eq!(found.endpoints[0].to_string(), "[2001:db8::1]:30001");
    assert!(!found.endpoints[0].tls);
    assert_eq!(found.endpoints[0].internal_port, Some(7777));
    // In game but the server stopped: not ready.
    let stopped = lobby(
        "in_game",
        json!({"server": {"status": "stopped", "ports": [{"host": "h", "port": 1}]}}),
    );
    assert!(Match::from_lobby(&parse(stopped)).is_none());
    // In game, but no port has both host and a valid port: not ready.
    let unusable = lobby(
        "in_game",
        json!({"server": {"ports": [{"host": "h"}, {"port": 30001}, {"host": "h", "port": 0},
                                    {"host": "h", "port": 70000}, {"host": " ", "port": 1}]}}),
    );
    assert!(Match::from_lobby(&parse(unusable)).is_none());
}

#[test]
fn streams_and_searches_can_move_to_other_tasks() {
    fn send<T: Send + 'static>(_: &T) {}
    let client = game_client("http://127.0.0.1:9");
    let me = client.lobbies("casual").player("p-123");
    send(&me.events());
    send(&me.find_match("duo_ranked"));
    send(&std::future::IntoFuture::into_future(
        me.find_match("duo_ranked"),
    ));
    fn search_is_send(search: playflow::lobbies::MatchSearch<playflow::ClientKey>) {
        send(&search);
    }
    let _ = search_is_send;
}

/// A match hands out the same `Endpoint` type as `Server::endpoints` (one type, both paths),
/// and a port listed in both of a lobby server's layouts is one endpoint with the details of
/// both.
#[test]
fn a_match_endpoint_is_the_servers_endpoint_type_merged_from_both_layouts() {
    let both = lobby(
        "in_game",
        json!({"server": {"status": "running",
            "ports": [{"name": "game", "host": "203.0.113.10", "port": 30001, "protocol": "udp"}],
            "network_ports": [{"name": "game", "host": "203.0.113.10", "external_port": 30001,
                               "internal_port": 7777, "tls_enabled": true}]}}),
    );
    let found = Match::from_lobby(&parse(both)).unwrap();
    let game: &playflow::servers::Endpoint = found.endpoint("game").unwrap();
    let same: &playflow::Endpoint = game;
    assert_eq!(found.endpoints.len(), 1, "{:?}", found.endpoints);
    assert_eq!(same.name, "game");
    assert_eq!(same.internal_port, Some(7777));
    assert!(same.tls);
    assert_eq!(same.protocol, Some(playflow::model::PortProtocol::Udp));
    assert_eq!(same.address(), "203.0.113.10:30001");
}
