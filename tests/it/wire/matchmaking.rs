//! The caller's lobby in play: start a game, end a match, matchmaking (start, cancel, confirm,
//! decline), the event stream, and heartbeats.

use futures::StreamExt;
use playflow::raw::types;
use serde_json::json;

use super::lobbies::assert_is_example_lobby;
use playflow::raw::operations as ops;
use playflow_test_support::wire::{AWKWARD, Expect, PLAYER, assert_lossless, json, start};

/// The operations that take only the lobby config and the player, send no body, and answer
/// the lobby. One test each, so a failure names the operation; each invocation carries its
/// `start(ops::<OPERATION>)` marker for the coverage test.
macro_rules! lobby_action_test {
    ($test:ident: $start:expr, $method:ident, $path:literal) => {
        #[tokio::test]
        async fn $test() {
            let wire = $start.await;
            let example = wire.example();
            let body = example.clone();
            let mock = wire
                .mock(
                    Expect {
                        path: $path,
                        query: &[],
                        body: None,
                    },
                    |then| json(then, 200, body),
                )
                .await;
            let result = wire
                .client
                .$method()
                .config(AWKWARD)
                .x_player_id(PLAYER)
                .send()
                .await;
            mock.assert_async().await;
            let lobby = result.expect(&wire.op.id).into_inner();
            assert_is_example_lobby(&lobby);
            assert_lossless(&example, &lobby);
        }
    };
}

lobby_action_test!(start_game: start(ops::START_GAME), start_game, "/api/v3/lobbies/a%20b%2Fc/me/start");
lobby_action_test!(end_match: start(ops::END_MATCH), end_match, "/api/v3/lobbies/a%20b%2Fc/me/end-match");
lobby_action_test!(
    cancel_matchmaking: start(ops::CANCEL_MATCHMAKING),
    cancel_matchmaking,
    "/api/v3/lobbies/a%20b%2Fc/me/matchmaking"
);
lobby_action_test!(
    confirm_match: start(ops::CONFIRM_MATCH),
    confirm_match,
    "/api/v3/lobbies/a%20b%2Fc/me/confirm-match"
);
lobby_action_test!(
    decline_match: start(ops::DECLINE_MATCH),
    decline_match,
    "/api/v3/lobbies/a%20b%2Fc/me/confirm-match"
);

#[tokio::test]
async fn start_matchmaking_sends_the_mode() {
    let wire = start(ops::START_MATCHMAKING).await;
    let example = wire.example();
    let body = example.clone();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/lobbies/a%20b%2Fc/me/matchmaking",
                query: &[],
                body: Some(json!({ "mode": "duo_ranked" })),
            },
            |then| json(then, 200, body),
        )
        .await;
    let result = wire
        .client
        .start_matchmaking()
        .config(AWKWARD)
        .x_player_id(PLAYER)
        .body(types::StartMatchmakingRequest::builder().mode("duo_ranked"))
        .send()
        .await;
    mock.assert_async().await;
    let lobby = result.expect("startMatchmaking succeeds").into_inner();
    assert_is_example_lobby(&lobby);
    assert_lossless(&example, &lobby);
}

/// The event stream comes out as bytes, exactly as sent; parsing them is the facade's job.
#[tokio::test]
async fn subscribe_lobby_events_yields_the_raw_event_stream() {
    let wire = start(ops::SUBSCRIBE_LOBBY_EVENTS).await;
    let example = wire.example();
    let events = example
        .as_str()
        .expect("the example is the stream text")
        .to_owned();
    assert!(
        events.starts_with("event: queue_stats\ndata: "),
        "{events:?}"
    );
    let sent = events.clone();
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/lobbies/a%20b%2Fc/me/events",
                query: &[],
                body: None,
            },
            |then| {
                then.status(200)
                    .header("content-type", "text/event-stream")
                    .header("cache-control", "no-cache")
                    .body(sent);
            },
        )
        .await;
    let result = wire
        .client
        .subscribe_lobby_events()
        .config(AWKWARD)
        .x_player_id(PLAYER)
        .send()
        .await;
    mock.assert_async().await;
    let response = result.expect("subscribeLobbyEvents succeeds");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut stream = response.into_inner();
    let mut received = Vec::new();
    while let Some(chunk) = stream.next().await {
        received.extend_from_slice(&chunk.expect("the stream reads"));
    }
    assert_eq!(String::from_utf8(received).expect("UTF-8"), events);
}

#[tokio::test]
async fn send_heartbeat_has_no_body_either_way() {
    let wire = start(ops::SEND_HEARTBEAT).await;
    let mock = wire
        .mock(
            Expect {
                path: "/api/v3/lobbies/a%20b%2Fc/me/heartbeat",
                query: &[],
                body: None,
            },
            |then| {
                then.status(200);
            },
        )
        .await;
    let result = wire
        .client
        .send_heartbeat()
        .config(AWKWARD)
        .x_player_id(PLAYER)
        .send()
        .await;
    mock.assert_async().await;
    let response = result.expect("sendHeartbeat succeeds");
    assert_eq!(response.status().as_u16(), 200);
    let () = response.into_inner();
}
