//! Answers read back in the types the questions take, through the facade calls that hand them
//! out: a lobby's game server block agrees with the same server read from `servers().get()`,
//! and a value PlayFlow adds later stays sealed (verbatim, not known); lobby, matchmaking,
//! build, log and lobby-configuration fields come back as `Region`, `Duration`, `u32` and UTC
//! times, and a wire value that is no such thing reads as `None`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use httpmock::prelude::*;
use playflow::Region;
use playflow::lobbies::Match;
use playflow::model::{ComputeSize, ServerServiceType, ServerStatus};
use playflow_test_support::{client, lobby};
use serde_json::json;

const LOBBY_ID: &str = "3c7e9a52-1f4b-4d2a-9b8e-6a0f5d2c71e4";

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

/// The full-layout server block of a lobby, and the same server as `GET /servers/{id}` sends it.
fn full_server_block() -> serde_json::Value {
    json!({
        "instance_id": "s-9", "name": "match-42", "status": "running", "region": "eu-west",
        "compute_size": "dedicated-small", "service_type": "match_based",
        "version_tag": "beta", "version": 11, "ttl": 5400,
        "started_at": "2025-03-14T09:00:05.000Z", "stopped_at": null,
        "is_pool_server": true, "pool_claimed_at": "2025-03-14T09:00:00Z",
        "created_at": "2025-03-14T08:59:58Z", "updated_at": "2025-03-14T09:00:05+00:00",
        "network_ports": [{ "name": "game", "host": "203.0.113.10", "external_port": 30001,
                            "internal_port": 7777, "protocol": "udp", "tls_enabled": false }]
    })
}

#[tokio::test]
async fn a_lobby_server_block_reads_as_the_same_typed_server_as_servers_get() {
    let server = MockServer::start_async().await;
    let block = full_server_block();
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/api/v3/lobbies/casual/{LOBBY_ID}"));
            then.status(200).json_body(lobby(
                "in_game",
                json!({ "server": block.clone(), "matchId": "m-42" }),
            ));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v3/servers/s-9");
            then.status(200).json_body(block.clone());
        })
        .await;
    let client = client(&server);
    let lobby = client.lobbies("casual").get(LOBBY_ID).await.unwrap();
    let found = Match::from_lobby(&lobby).expect("in game with a running server");
    let from_lobby = &found.server;
    let direct = client.servers().get("s-9").await.unwrap();

    assert_eq!(from_lobby.region(), Some(Region::EU_WEST));
    assert_eq!(from_lobby.compute_size(), Some(ComputeSize::DedicatedSmall));
    assert_eq!(from_lobby.status(), Some(ServerStatus::Running));
    assert_eq!(
        from_lobby.service_type(),
        Some(ServerServiceType::MatchBased)
    );
    assert_eq!(from_lobby.ttl(), Some(Duration::from_secs(5400)));
    assert_eq!(from_lobby.version(), Some(11));
    assert_eq!(
        from_lobby.started_at(),
        Some(utc("2025-03-14T09:00:05Z")),
        "ISO 8601 text with milliseconds"
    );
    assert_eq!(from_lobby.stopped_at(), None);
    assert_eq!(
        from_lobby.pool_claimed_at(),
        Some(utc("2025-03-14T09:00:00Z"))
    );

    // The same server, read from the servers call (whose times the generated layer types
    // already), agrees field for field.
    assert_eq!(from_lobby.region(), direct.region());
    assert_eq!(from_lobby.compute_size(), direct.compute_size());
    assert_eq!(from_lobby.status().as_ref(), Some(&direct.status));
    assert_eq!(from_lobby.service_type(), direct.service_type);
    assert_eq!(from_lobby.ttl(), direct.ttl());
    assert_eq!(from_lobby.version(), direct.version());
    assert_eq!(from_lobby.started_at(), direct.started_at);
    assert_eq!(from_lobby.created_at(), direct.created_at);
    assert_eq!(from_lobby.updated_at(), direct.updated_at);

    // And the values go straight back into a start, as `Server`'s do.
    let again = client
        .servers()
        .start("rematch", from_lobby.region().unwrap())
        .compute_size(from_lobby.compute_size().unwrap())
        .ttl(from_lobby.ttl().unwrap())
        .version(from_lobby.version().unwrap())
        .to_request()
        .unwrap();
    assert_eq!(
        (
            again.region.as_str(),
            again.compute_size,
            again.ttl,
            again.version
        ),
        (
            "eu-west",
            Some(ComputeSize::DedicatedSmall),
            Some(5400),
            Some(11)
        )
    );
}

#[tokio::test]
async fn values_playflow_adds_later_stay_sealed_and_non_values_read_as_none() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v3/lobbies/casual/me");
            then.status(200).json_body(lobby(
                "in_game",
                json!({
                    "region": "me-central",
                    "maxPlayers": 2.5, "currentPlayers": -1,
                    "createdAt": "2025-03-14T09:00:00", "updatedAt": "yesterday",
                    "server": {
                        "status": "hibernating", "region": "me-central",
                        "compute_size": "gpu-huge", "service_type": "tournament",
                        "ttl": -1, "version": 5_000_000_000_i64,
                        "started_at": "not a time",
                        "ports": [{ "name": "game", "host": "203.0.113.10", "port": 30001 }]
                    }
                }),
            ));
        })
        .await;
    let me = playflow_test_support::game_client(&server)
        .lobbies("casual")
        .player("p-123");
    let lobby = me.current().await.unwrap();

    let region = lobby.region().unwrap();
    assert!(!region.is_documented());
    assert_eq!(region.as_str(), "me-central");
    // A region read back goes into the next lobby as it came.
    let next = me.create("Rematch").region(region).request().unwrap();
    assert_eq!(next.region.as_deref(), Some("me-central"));
    let block = lobby.server.as_ref().unwrap();
    let status = block.status().unwrap();
    assert!(!status.is_known());
    assert_eq!(status.as_str(), "hibernating");
    let size = block.compute_size().unwrap();
    assert!(!size.is_known());
    assert_eq!(size.to_string(), "gpu-huge");
    assert_eq!(block.service_type().unwrap().as_str(), "tournament");
    // An unknown server status does not make the match ready or not ready by guesswork: the
    // lobby is in game, so it is ready, as before.
    assert!(Match::from_lobby(&lobby).is_some());

    // Numbers that are no capacity, lifetime or version, and text that is no instant.
    assert_eq!((lobby.max_players(), lobby.current_players()), (None, None));
    assert_eq!((block.ttl(), block.version()), (None, None));
    assert_eq!(lobby.created_at(), None, "no offset: no instant");
    assert_eq!(lobby.updated_at(), None);
    assert_eq!(block.started_at(), None);
    // The raw fields still carry what PlayFlow sent.
    assert_eq!(block.version, Some(5_000_000_000));
    assert_eq!(lobby.created_at.as_deref(), Some("2025-03-14T09:00:00"));
}

#[tokio::test]
async fn a_queued_lobby_has_typed_progress_and_a_page_has_typed_counts() {
    let server = MockServer::start_async().await;
    let queued = lobby(
        "match_found",
        json!({
            "maxPlayers": 4, "currentPlayers": 3,
            "createdAt": "2025-03-14T08:50:00.000Z", "updatedAt": "2025-03-14T09:00:00.000Z",
            "matchmaking": {
                "mode": "duo", "startedAt": "2025-03-14T08:55:00.000Z",
                "queueStats": { "playersSearching": 12, "lobbiesInQueue": 5, "avgWaitSeconds": 7.5 },
                "confirmation": { "deadline": "2025-03-14T09:00:30.000Z", "confirmed": false }
            }
        }),
    );
    server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v3/lobbies/casual");
            then.status(200).json_body(json!({
                "lobbies": [queued], "total": 41, "limit": 20, "offset": 40, "hasMore": false
            }));
        })
        .await;
    let page = playflow_test_support::game_client(&server)
        .lobbies("casual")
        .browse()
        .limit(20)
        .offset(40)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (page.total(), page.limit(), page.offset()),
        (Some(41), Some(20), Some(40))
    );
    let lobby = &page.lobbies[0];
    assert_eq!(
        (lobby.max_players(), lobby.current_players()),
        (Some(4), Some(3))
    );
    assert_eq!(lobby.created_at(), Some(utc("2025-03-14T08:50:00Z")));
    assert_eq!(lobby.updated_at(), Some(utc("2025-03-14T09:00:00Z")));
    let progress = lobby.matchmaking.as_ref().unwrap();
    assert_eq!(progress.started_at(), Some(utc("2025-03-14T08:55:00Z")));
    let stats = progress.queue_stats.as_ref().unwrap();
    assert_eq!(stats.players_searching(), Some(12));
    assert_eq!(stats.lobbies_in_queue(), Some(5));
    assert_eq!(stats.avg_wait(), Some(Duration::from_millis(7500)));
    let deadline = progress.confirmation.as_ref().unwrap().deadline().unwrap();
    assert_eq!(
        deadline - progress.started_at().unwrap(),
        chrono::Duration::seconds(330)
    );
}

#[tokio::test]
async fn builds_logs_and_settings_read_back_typed() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v3/builds/b-1");
            then.status(200).json_body(json!({
                "build_id": "b-1", "name": "beta", "version": 7, "status": "ready",
                "created_at": "2025-03-13T17:02:11Z", "updated_at": null
            }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v3/builds/b-2");
            then.status(200).json_body(json!({
                "build_id": "b-2", "name": "beta", "version": 7.5, "status": "ready",
                "created_at": "2025-03-13T17:02:11Z", "updated_at": null
            }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v3/projects/logs");
            then.status(200).json_body(json!({
                "logs": [{ "timestamp": "2025-03-14T09:00:01.500Z", "message": "ready",
                           "region": "ap-south", "server_name": "s1" },
                         { "timestamp": "14/03/2025", "message": "odd" }],
                "next_token": null
            }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v3/projects/settings");
            then.status(200).json_body(json!({
                "port_configs": [], "auth_config": { "provider": "none" },
                "environment_variables": {}, "pool_config": null,
                "lobby_configs": [{ "name": "casual", "timeout": 300, "heartbeat": true,
                                    "heartbeatTimeout": 12.5 },
                                  { "name": "broken", "timeout": -5 }],
                "updated_at": "2025-03-14T09:00:00Z"
            }));
        })
        .await;
    let client = client(&server);

    let build = client.builds().get("b-1").await.unwrap();
    assert_eq!(build.version(), Some(7));
    // The version pins a start as it is.
    let start = client
        .servers()
        .start("duel", Region::US_EAST)
        .version_tag(build.name.clone())
        .version(build.version().unwrap())
        .to_request()
        .unwrap();
    assert_eq!(start.version, Some(7));
    assert_eq!(client.builds().get("b-2").await.unwrap().version(), None);

    let page = client.project().logs("-1h").send().await.unwrap();
    assert_eq!(
        page.logs[0].timestamp(),
        Some(utc("2025-03-14T09:00:01.5Z"))
    );
    assert_eq!(page.logs[0].region(), Some(Region::AP_SOUTH));
    assert_eq!(
        (page.logs[1].timestamp(), page.logs[1].region()),
        (None, None)
    );

    let settings = client.project().settings().await.unwrap();
    let casual = &settings.lobby_configs[0];
    assert_eq!(casual.timeout(), Some(Duration::from_secs(300)));
    assert_eq!(
        casual.heartbeat_timeout(),
        Some(Duration::from_millis(12_500))
    );
    assert_eq!(settings.lobby_configs[1].timeout(), None);
}

#[tokio::test]
async fn server_and_build_pages_count_in_the_types_a_list_takes() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v3/servers");
            then.status(200).json_body(json!({
                "servers": [], "total": 42, "limit": 20, "offset": 40, "has_more": false
            }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/api/v3/builds");
            then.status(200)
                .json_body(json!({ "builds": [], "total": -1 }));
        })
        .await;
    let client = client(&server);
    let page = client
        .servers()
        .list()
        .limit(20)
        .offset(40)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (page.total(), page.limit(), page.offset()),
        (Some(42), Some(20), Some(40))
    );
    // The next page's window, straight from the answer.
    let next = page.offset().unwrap() + u64::from(page.limit().unwrap());
    assert_eq!(next, 60);
    let builds = client.builds().list().send().await.unwrap();
    assert_eq!(builds.total(), None, "a negative total is no count");
    assert_eq!(builds.total, Some(-1));
}
