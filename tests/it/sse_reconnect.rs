//! The lobby event stream against a scripted local SSE server: reconnects after the server
//! closes mid-stream, backoff, idle timeout, and the cases that end the stream.

use std::time::{Duration, Instant};

use futures::StreamExt;
use playflow::lobbies::{LobbyErrorExt, LobbyErrorKind, LobbyEvent, LobbyEvents};
use playflow::model::LobbyStatus;
use playflow_test_support::{
    CLIENT_KEY, Reply, Step, TestServer, builder, client_key, event, game_client, lobby,
    lobby_deleted,
};

const EVENTS: &str = "/api/v3/lobbies/casual/me/events";

fn lobby_data(status: &str) -> String {
    lobby(status, serde_json::json!({})).to_string()
}

/// Everything the stream yields until it ends (at most 10 s).
async fn drain(events: LobbyEvents<playflow::ClientKey>) -> Vec<playflow::Result<LobbyEvent>> {
    playflow_test_support::drain(events, Duration::from_secs(10)).await
}

fn statuses(events: &[playflow::Result<LobbyEvent>]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e {
            Ok(LobbyEvent::Connected(l)) => format!("connected:{}", l.status),
            Ok(LobbyEvent::LobbyUpdated(l)) => format!("updated:{}", l.status),
            Ok(other) => other.name().to_string(),
            Err(e) => format!("error:{e}"),
        })
        .collect()
}

#[tokio::test]
async fn reconnects_after_the_server_closes_mid_stream_and_resyncs() {
    let server = TestServer::start(|req| {
        assert!(req.path.ends_with("/me/events"));
        match req.route_index {
            // First connection: two events, then the start of a third, then the server drops.
            0 => Reply::sse(vec![
                event("connected", &lobby_data("waiting")),
                event("lobby_updated", &lobby_data("in_queue")),
                Step::Send(b"event: lobby_updated\ndata: {\"id\":".to_vec()),
            ]),
            // Second connection: the full state again, then the end.
            _ => Reply::sse(vec![
                event("connected", &lobby_data("matched")),
                lobby_deleted(),
            ]),
        }
    })
    .await;
    let client = game_client(&server);
    let events = client
        .lobbies("casual")
        .player("p-123")
        .events()
        .reconnect_delays(Duration::from_millis(20), Duration::from_millis(50));

    let got = drain(events).await;
    assert_eq!(
        statuses(&got),
        [
            "connected:waiting",
            "updated:in_queue",
            "connected:matched",
            "lobby_deleted"
        ]
    );
    let requests = server.calls("GET", EVENTS);
    assert_eq!(requests.len(), 2, "one reconnect, none after lobby_deleted");
    for r in &requests {
        assert_eq!(r.header("x-player-id"), Some("p-123"));
        assert_eq!(r.header("api-key"), Some(CLIENT_KEY));
    }
    let gap = requests[1].at - requests[0].at;
    assert!(
        gap >= Duration::from_millis(20),
        "reconnected after {gap:?}"
    );
}

#[tokio::test]
async fn stream_is_connected_while_open() {
    let server = TestServer::start(|_| {
        Reply::sse(vec![
            event("connected", &lobby_data("waiting")),
            Step::Wait(Duration::from_millis(200)),
            lobby_deleted(),
        ])
    })
    .await;
    let client = game_client(&server);
    let mut events = client.lobbies("casual").player("p-123").events();
    assert!(!events.is_connected());
    let first = events.next().await.unwrap().unwrap();
    assert_eq!(first.lobby().unwrap().status, LobbyStatus::Waiting);
    assert!(events.is_connected());
    assert!(matches!(
        events.next().await,
        Some(Ok(LobbyEvent::LobbyDeleted { .. }))
    ));
    assert!(events.next().await.is_none());
    // Polling after the end keeps answering None (no panic).
    assert!(events.next().await.is_none());
    assert!(!events.is_connected());
}

#[tokio::test]
async fn lobby_deleted_ends_the_stream_without_reconnecting() {
    let server = TestServer::start(|_| {
        Reply::sse(vec![
            event("connected", &lobby_data("waiting")),
            lobby_deleted(),
            Step::Hold,
        ])
    })
    .await;
    let client = game_client(&server);
    let events = client
        .lobbies("casual")
        .player("p-123")
        .events()
        .reconnect_delays(Duration::from_millis(1), Duration::from_millis(1));
    let got = drain(events).await;
    assert_eq!(statuses(&got), ["connected:waiting", "lobby_deleted"]);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(server.calls("GET", EVENTS).len(), 1);
}

#[tokio::test]
async fn not_in_lobby_ends_the_stream_with_a_typed_error() {
    let server = TestServer::start(|_| {
        Reply::json(404, r#"{"error":"Player not in a lobby","status":404}"#)
    })
    .await;
    let client = game_client(&server);
    let events = client
        .lobbies("casual")
        .player("p-123")
        .events()
        .reconnect_delays(Duration::from_millis(1), Duration::from_millis(1));
    let got = drain(events).await;
    assert_eq!(got.len(), 1);
    let err = got[0].as_ref().unwrap_err();
    assert!(matches!(err, playflow::Error::NotFound(_)), "{err:?}");
    assert_eq!(err.lobby_error_kind(), LobbyErrorKind::NotInLobby);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(server.calls("GET", EVENTS).len(), 1, "404 is not retried");
}

#[tokio::test]
async fn unauthorized_and_forbidden_end_the_stream() {
    for (status, check) in [
        (
            401u16,
            (|e| matches!(e, &playflow::Error::Unauthorized(_))) as fn(&playflow::Error) -> bool,
        ),
        (403, |e| matches!(e, &playflow::Error::Forbidden(_))),
    ] {
        let server =
            TestServer::start(move |_| Reply::json(status, r#"{"error":"no","status":0}"#)).await;
        let client = game_client(&server);
        let events = client
            .lobbies("casual")
            .player("p-123")
            .events()
            .reconnect_delays(Duration::from_millis(1), Duration::from_millis(1));
        let got = drain(events).await;
        assert_eq!(got.len(), 1, "{status}");
        assert!(
            check(got[0].as_ref().unwrap_err()),
            "{status}: {:?}",
            got[0]
        );
        assert_eq!(server.calls("GET", EVENTS).len(), 1);
    }
}

#[tokio::test]
async fn server_errors_are_retried_with_growing_delays() {
    let server = TestServer::start(|req| match req.route_index {
        0 | 1 => Reply::json(503, r#"{"error":"unavailable","status":503}"#),
        _ => Reply::sse(vec![
            event("connected", &lobby_data("waiting")),
            lobby_deleted(),
        ]),
    })
    .await;
    let client = game_client(&server);
    let events = client
        .lobbies("casual")
        .player("p-123")
        .events()
        .reconnect_delays(Duration::from_millis(40), Duration::from_millis(80));
    let got = drain(events).await;
    assert_eq!(statuses(&got), ["connected:waiting", "lobby_deleted"]);
    let requests = server.calls("GET", EVENTS);
    assert_eq!(requests.len(), 3);
    // First wait: 40 ms plus jitter; second: doubled, capped at 80 ms.
    let first = requests[1].at - requests[0].at;
    let second = requests[2].at - requests[1].at;
    assert!(first >= Duration::from_millis(40), "first wait {first:?}");
    assert!(
        second >= Duration::from_millis(80),
        "second wait {second:?}"
    );
}

#[tokio::test]
async fn rate_limited_reconnect_waits_for_retry_after() {
    let server = TestServer::start(|req| match req.route_index {
        0 => Reply::json(429, r#"{"error":"slow down","status":429}"#).header("retry-after", "0.3"),
        _ => Reply::sse(vec![
            event("connected", &lobby_data("waiting")),
            lobby_deleted(),
        ]),
    })
    .await;
    let client = game_client(&server);
    let events = client
        .lobbies("casual")
        .player("p-123")
        .events()
        .reconnect_delays(Duration::from_millis(10), Duration::from_millis(20));
    let got = drain(events).await;
    assert_eq!(statuses(&got), ["connected:waiting", "lobby_deleted"]);
    let requests = server.calls("GET", EVENTS);
    assert_eq!(requests.len(), 2);
    let gap = requests[1].at - requests[0].at;
    assert!(gap >= Duration::from_millis(300), "retried after {gap:?}");
}

#[tokio::test]
async fn a_silent_connection_is_reopened_after_the_idle_timeout() {
    let server = TestServer::start(|req| match req.route_index {
        0 => Reply::sse(vec![event("connected", &lobby_data("waiting")), Step::Hold]),
        _ => Reply::sse(vec![
            event("connected", &lobby_data("in_queue")),
            lobby_deleted(),
        ]),
    })
    .await;
    let client = game_client(&server);
    let events = client
        .lobbies("casual")
        .player("p-123")
        .events()
        .idle_timeout(Duration::from_millis(200))
        .reconnect_delays(Duration::from_millis(10), Duration::from_millis(20));
    let got = drain(events).await;
    assert_eq!(
        statuses(&got),
        ["connected:waiting", "connected:in_queue", "lobby_deleted"]
    );
    let requests = server.calls("GET", EVENTS);
    assert_eq!(requests.len(), 2);
    assert!(requests[1].at - requests[0].at >= Duration::from_millis(200));
}

#[tokio::test]
async fn keep_alive_comments_keep_a_quiet_connection_open() {
    let server = TestServer::start(|_| {
        let mut steps = vec![event("connected", &lobby_data("waiting"))];
        for _ in 0..6 {
            steps.push(Step::Wait(Duration::from_millis(80)));
            steps.push(Step::Send(b": keep-alive\n\n".to_vec()));
        }
        steps.push(lobby_deleted());
        Reply::sse(steps)
    })
    .await;
    let client = game_client(&server);
    let events = client
        .lobbies("casual")
        .player("p-123")
        .events()
        .idle_timeout(Duration::from_millis(250));
    let got = drain(events).await;
    assert_eq!(statuses(&got), ["connected:waiting", "lobby_deleted"]);
    assert_eq!(server.calls("GET", EVENTS).len(), 1, "no reconnect");
}

#[tokio::test]
async fn an_event_that_does_not_decode_is_an_error_item_and_the_stream_goes_on() {
    let server = TestServer::start(|_| {
        Reply::sse(vec![
            event("connected", r#"{"id": 5}"#),
            event("queue_stats", r#"{"playersSearching":2}"#),
            lobby_deleted(),
        ])
    })
    .await;
    let client = game_client(&server);
    let got = drain(client.lobbies("casual").player("p-123").events()).await;
    assert_eq!(got.len(), 3);
    assert!(
        matches!(got[0], Err(playflow::Error::Decode(_))),
        "{:?}",
        got[0]
    );
    assert!(matches!(&got[1], Ok(LobbyEvent::QueueStats(s)) if s.players_searching == Some(2.0)));
    assert!(matches!(got[2], Ok(LobbyEvent::LobbyDeleted { .. })));
}

#[tokio::test]
async fn invalid_player_id_is_refused_before_any_request() {
    let server = TestServer::start(|_| Reply::sse(vec![lobby_deleted()])).await;
    let client = game_client(&server);
    let got = drain(client.lobbies("casual").player("  ").events()).await;
    assert!(
        matches!(got.as_slice(), [Err(playflow::Error::InvalidInput(_))]),
        "{got:?}"
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn one_event_per_connection_does_not_reset_the_backoff() {
    // A server in a crash loop: each connection delivers the state, then drops at once.
    let server = TestServer::start(|req| match req.route_index {
        0..=4 => Reply::sse(vec![event("connected", &lobby_data("waiting"))]),
        _ => Reply::sse(vec![
            event("connected", &lobby_data("waiting")),
            lobby_deleted(),
        ]),
    })
    .await;
    let client = game_client(&server);
    let events = client
        .lobbies("casual")
        .player("p-123")
        .events()
        .reconnect_delays(Duration::from_millis(20), Duration::from_millis(400));
    let got = drain(events).await;
    assert_eq!(got.len(), 7, "{:?}", statuses(&got));
    let requests = server.calls("GET", EVENTS);
    assert_eq!(requests.len(), 6);
    // The delays before jitter are 20, 40, 80, 160, 320 ms: they keep growing although every
    // connection delivered an event (before, each event started the backoff over: 20-40 ms).
    let gaps: Vec<_> = requests.windows(2).map(|w| w[1].at - w[0].at).collect();
    for (i, gap) in gaps.iter().enumerate() {
        let floor = Duration::from_millis(20 << i);
        assert!(*gap >= floor, "gap {i} {gap:?} < {floor:?}; all: {gaps:?}");
    }
}

#[tokio::test]
async fn a_connection_that_stayed_open_long_enough_reconnects_quickly() {
    let server = TestServer::start(|req| match req.route_index {
        // Three quick failures grow the delay (20, 40, 80 ms before jitter), then a connection
        // that lives longer than the longest delay (400 ms) proves healthy before it drops.
        0..=2 => Reply::json(503, r#"{"error":"unavailable","status":503}"#),
        3 => Reply::sse(vec![
            event("connected", &lobby_data("waiting")),
            Step::Wait(Duration::from_millis(450)),
        ]),
        _ => Reply::sse(vec![
            event("connected", &lobby_data("in_queue")),
            lobby_deleted(),
        ]),
    })
    .await;
    let client = game_client(&server);
    let events = client
        .lobbies("casual")
        .player("p-123")
        .events()
        .reconnect_delays(Duration::from_millis(20), Duration::from_millis(400));
    let got = drain(events).await;
    assert_eq!(
        statuses(&got),
        ["connected:waiting", "connected:in_queue", "lobby_deleted"]
    );
    let requests = server.calls("GET", EVENTS);
    assert_eq!(requests.len(), 5);
    // After the healthy connection the backoff starts over: 20-40 ms, where the next step
    // without the reset would be 160-320 ms. The bound leaves room for a slow machine.
    let closed_at = requests[3].at + Duration::from_millis(450);
    let gap = requests[4].at.saturating_duration_since(closed_at);
    assert!(
        gap < Duration::from_millis(130),
        "reconnected {gap:?} after the drop"
    );
}

#[tokio::test]
async fn a_server_that_never_answers_is_retried_after_the_idle_timeout() {
    let server = TestServer::start(|req| match req.route_index {
        0 => Reply::raw(vec![Step::Hold]),
        _ => Reply::sse(vec![
            event("connected", &lobby_data("waiting")),
            lobby_deleted(),
        ]),
    })
    .await;
    let client = game_client(&server);
    let events = client
        .lobbies("casual")
        .player("p-123")
        .events()
        .idle_timeout(Duration::from_millis(200))
        .reconnect_delays(Duration::from_millis(10), Duration::from_millis(20));
    // Measured from before the first request was sent: the server stamps a request when it
    // reads it, and under load the first stamp can lag the client's idle clock.
    let before_first_request = Instant::now();
    let got = drain(events).await;
    assert_eq!(statuses(&got), ["connected:waiting", "lobby_deleted"]);
    let requests = server.calls("GET", EVENTS);
    assert_eq!(requests.len(), 2);
    let reconnected_after = requests[1].at - before_first_request;
    assert!(
        reconnected_after >= Duration::from_millis(200),
        "reconnected {reconnected_after:?} after the first request, before the idle timeout"
    );
}

#[tokio::test]
async fn the_client_request_timeout_does_not_cut_an_open_stream() {
    // As documented: a stream stays open longer than the whole-request timeout.
    let server = TestServer::start(|_| {
        Reply::sse(vec![
            event("connected", &lobby_data("waiting")),
            Step::Wait(Duration::from_millis(400)),
            event("lobby_updated", &lobby_data("in_queue")),
            lobby_deleted(),
        ])
    })
    .await;
    let client = builder(client_key(), &server)
        .timeout(Some(Duration::from_millis(100)))
        .build()
        .unwrap();
    let got = drain(client.lobbies("casual").player("p-123").events()).await;
    assert_eq!(
        statuses(&got),
        ["connected:waiting", "updated:in_queue", "lobby_deleted"]
    );
    assert_eq!(server.calls("GET", EVENTS).len(), 1, "no reconnect");
}
