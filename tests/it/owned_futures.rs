//! Builders, waiters and streams own their client: user code of the `join!`/`spawn` kind
//! compiles and runs against a loopback server. Before, `tokio::join!` on two
//! `client.servers().get(..)` temporaries failed with E0716 and a waiter could not be spawned.

use std::time::Duration;

use futures::StreamExt as _;
use httpmock::prelude::*;
use playflow::lobbies::LobbyEvent;
use playflow::servers::ServerOutcome;
use serde_json::json;

const BASE: &str = "/api/v3";

fn server_key_client(server: &MockServer) -> playflow::Client {
    playflow::Client::builder(playflow::ServerKey::new("pf_test0123456789abcdef").unwrap())
        .base_url(server.base_url())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

fn lobby_json(status: &str) -> serde_json::Value {
    json!({
        "id": "l-1", "code": "WOLF-17", "config": "casual", "name": "arena",
        "status": status, "host": "p-1", "maxPlayers": 2, "currentPlayers": 1,
        "region": "us-east", "players": [{"id": "p-1", "state": {}, "isHost": true}],
        "server": null, "matchmaking": null, "matchId": null
    })
}

/// `Send + 'static`, as `tokio::spawn` requires: checked at compile time.
fn assert_spawnable<T: Send + 'static>(value: T) -> T {
    value
}

#[tokio::test]
async fn two_gets_joined_on_temporaries() {
    let server = MockServer::start_async().await;
    for id in ["s-a", "s-b"] {
        server
            .mock_async(|when, then| {
                when.method(GET).path(format!("{BASE}/servers/{id}"));
                then.status(200).json_body(
                    json!({"instance_id": id, "name": format!("srv-{id}"), "status": "running"}),
                );
            })
            .await;
    }
    let client = server_key_client(&server);

    // The handle returned by `servers()` is a temporary dropped at the end of the `let`; the
    // futures outlive it because they own a client clone.
    let (a, b) = tokio::join!(client.servers().get("s-a"), client.servers().get("s-b"));
    assert_eq!(a.unwrap().instance_id, "s-a");
    assert_eq!(b.unwrap().instance_id, "s-b");

    // The same futures, built from a local id, outlive both the handle and the id.
    let future = {
        let id = String::from("s-a");
        client.servers().get(&id)
    };
    let spawned = tokio::spawn(assert_spawnable(future));
    assert_eq!(spawned.await.unwrap().unwrap().instance_id, "s-a");
}

#[tokio::test]
async fn a_waiter_is_spawned() {
    let server = MockServer::start_async().await;
    let polls = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("{BASE}/servers/s-1"));
            then.status(200)
                .json_body(json!({"instance_id": "s-1", "name": "srv", "status": "running"}));
        })
        .await;
    let client = server_key_client(&server);

    let waiter = client
        .servers()
        .wait_until_running("s-1")
        .min_delay(Duration::from_millis(10))
        .max_delay(Duration::from_millis(20));
    let task = tokio::spawn(assert_spawnable(waiter.wait(Duration::from_secs(5))));
    drop(client);
    let outcome = task.await.unwrap().unwrap();
    assert!(matches!(outcome, ServerOutcome::Running(s) if s.instance_id == "s-1"));
    polls.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_lobby_event_stream_is_spawned() {
    let server = MockServer::start_async().await;
    let body = format!(
        "event: connected\ndata: {}\n\nevent: lobby_deleted\ndata: {}\n\n",
        lobby_json("waiting"),
        json!({"id": "l-1"})
    );
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("{BASE}/lobbies/casual/me/events"))
                .header("x-player-id", "p-1");
            then.status(200)
                .header("content-type", "text/event-stream")
                .body(body);
        })
        .await;
    let client = playflow::Client::builder(
        playflow::ClientKey::new("pfclient_1234567890abcdef1234").unwrap(),
    )
    .base_url(server.base_url())
    .timeout(None)
    .build()
    .unwrap();

    // The player handle and the stream are made from temporaries and moved into a task.
    let events = assert_spawnable(client.lobbies("casual").player("p-1").events());
    drop(client);
    let task = tokio::spawn(async move { events.collect::<Vec<_>>().await });
    let events = tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .expect("the stream ends after lobby_deleted")
        .unwrap();
    let names: Vec<&str> = events
        .iter()
        .map(|e| e.as_ref().expect("no error").name())
        .collect();
    assert_eq!(names, ["connected", "lobby_deleted"]);
    assert!(matches!(&events[0], Ok(LobbyEvent::Connected(lobby)) if lobby.id == "l-1"));
}

#[tokio::test]
async fn a_match_waiter_and_a_paged_stream_are_spawned() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(format!("{BASE}/servers"));
            then.status(200).json_body(json!({
                "servers": [{"instance_id": "s-1", "name": "srv", "status": "running"}],
                "total": 1, "has_more": false
            }));
        })
        .await;
    let client = server_key_client(&server);
    let servers = assert_spawnable(client.servers().list().stream());
    let all = tokio::spawn(servers.collect::<Vec<_>>()).await.unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].as_ref().unwrap().instance_id, "s-1");

    // A match search is `Send + 'static` too (nothing is sent until it is polled).
    let search = client.lobbies("casual").player("p-1").wait_for_match();
    let _ = assert_spawnable(search);
}
