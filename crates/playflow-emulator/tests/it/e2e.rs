//! The facade end to end against the in-process emulator: upload → ready → start → running →
//! endpoints → lobby (create, join, ready state, live events) → matchmaking (two lobbies paired
//! on one server) → stop; and the server's refusal of a client key on the raw escape hatch.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use futures::StreamExt as _;
use playflow::builds::BuildOutcome;
use playflow::lobbies::{LobbyEvent, Match};
use playflow::model::{Lobby, LobbyStatus, ServerStatus};
use playflow::servers::{ServerOutcome, StopOutcome};
use playflow::{Client, ClientKey, Error, Region, ServerKey};
use playflow_emulator::Emulator;
use serde_json::json;

/// Short poll delays: the emulator runs 20× faster than the wall clock.
const POLL: (Duration, Duration) = (Duration::from_millis(20), Duration::from_millis(100));
/// Upper bound of any one wait of this test (wall clock).
const PATIENCE: Duration = Duration::from_secs(20);

async fn emulator() -> Emulator {
    Emulator::builder()
        .time_scale(20.0)
        .build_processing_delay(Duration::from_secs(10))
        .server_launch_delay(Duration::from_secs(4))
        .start()
        .await
        .expect("the emulator starts")
}

fn server_client(emulator: &Emulator) -> Client {
    Client::builder(ServerKey::new(emulator.server_key()).unwrap())
        .base_url(emulator.base_url())
        .build()
        .unwrap()
}

fn game_client(emulator: &Emulator) -> Client<ClientKey> {
    Client::builder(ClientKey::new(emulator.client_key()).unwrap())
        .base_url(emulator.base_url())
        .build()
        .unwrap()
}

/// A game-server archive with `Server.x86_64` (the default executable) at its root.
fn server_zip(dir: &Path) -> PathBuf {
    let path = dir.join("server.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    zip.start_file("Server.x86_64", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(b"\x7fELF a game server").unwrap();
    zip.start_file(
        "Server_Data/level0",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    zip.write_all(&[7u8; 600 * 1024]).unwrap();
    zip.finish().unwrap();
    path
}

/// The next event of a stream, within the test's patience.
async fn next_event(
    events: &mut (impl futures::Stream<Item = playflow::Result<LobbyEvent>> + Unpin),
) -> LobbyEvent {
    tokio::time::timeout(PATIENCE, events.next())
        .await
        .expect("an event within the test's patience")
        .expect("the stream is open")
        .expect("the event decodes")
}

/// The next `lobby_updated` whose lobby satisfies `wanted` (earlier updates are skipped).
async fn lobby_update_where(
    events: &mut (impl futures::Stream<Item = playflow::Result<LobbyEvent>> + Unpin),
    wanted: impl Fn(&Lobby) -> bool,
) -> Lobby {
    loop {
        if let LobbyEvent::LobbyUpdated(lobby) = next_event(events).await
            && wanted(&lobby)
        {
            return lobby;
        }
    }
}

fn is_ready(lobby: &Lobby, player: &str) -> bool {
    lobby.players.iter().any(|p| {
        p.id == player
            && p.state
                .as_ref()
                .is_some_and(|state| state.get("ready") == Some(&json!(true)))
    })
}

#[tokio::test]
async fn the_whole_journey_through_the_facade() {
    let emu = emulator().await;
    let admin = server_client(&emu);
    let game = game_client(&emu);
    let dir = tempfile::tempdir().unwrap();

    // Upload with progress, then wait until the build is ready.
    let archive = server_zip(dir.path());
    let size = std::fs::metadata(&archive).unwrap().len();
    let (upload, progress) = admin.builds().upload(archive.as_path()).watch_progress();
    let uploaded = upload.send().await.expect("the upload succeeds");
    assert_eq!(uploaded.bytes, size);
    assert_eq!(progress.borrow().sent, size, "progress reached the end");
    let outcome = admin
        .builds()
        .wait_until_ready(&uploaded.build_id)
        .min_delay(POLL.0)
        .max_delay(POLL.1)
        .wait(PATIENCE)
        .await
        .unwrap();
    let BuildOutcome::Ready(build) = outcome else {
        panic!("the build should be ready: {outcome:?}");
    };
    assert_eq!(build.build_id, uploaded.build_id);

    // Start a server (a game client may), wait until it runs, read its endpoints.
    let server = game
        .servers()
        .start("e2e-1", Region::EU_WEST)
        .ttl(Duration::from_secs(3600))
        .send()
        .await
        .expect("the start is accepted");
    assert_eq!(server.status, ServerStatus::Launching);
    let outcome = game
        .servers()
        .wait_until_running(&server.instance_id)
        .min_delay(POLL.0)
        .max_delay(POLL.1)
        .wait(PATIENCE)
        .await
        .unwrap();
    let ServerOutcome::Running(running) = outcome else {
        panic!("the server should run: {outcome:?}");
    };
    let game_port = running
        .endpoints()
        .get("game")
        .cloned()
        .expect("a `game` endpoint");
    assert_eq!(game_port.host, "127.0.0.1");
    assert_ne!(game_port.port, 0);
    assert_eq!(game_port.internal_port, Some(7777));
    let listed = admin.servers().list().send().await.unwrap();
    assert!(
        listed
            .servers
            .iter()
            .any(|s| s.instance_id == server.instance_id)
    );

    // A lobby: alice creates it and watches its events; bob joins and readies up.
    let lobbies = game.lobbies("default");
    let alice = lobbies.player("alice");
    let bob = lobbies.player("bob");
    let created = alice
        .create("e2e lobby")
        .max_players(4)
        .send()
        .await
        .unwrap();
    assert_eq!(created.host, "alice");
    let mut events = Box::pin(alice.events());
    let LobbyEvent::Connected(first) = next_event(&mut events).await else {
        panic!("the stream starts with `connected`");
    };
    assert_eq!(first.id, created.id);
    let joined = bob.join_by_id(&created.id).send().await.unwrap();
    assert_eq!(joined.players.len(), 2);
    bob.update_state(json!({"ready": true})).await.unwrap();
    let seen = lobby_update_where(&mut events, |lobby| is_ready(lobby, "bob")).await;
    assert_eq!(seen.players.len(), 2, "alice sees bob in the lobby, ready");
    let browsed = lobbies.browse().send().await.unwrap();
    assert!(browsed.lobbies.iter().any(|l| l.id == created.id));
    drop(events);

    // Matchmaking: two single-player lobbies queue on `1v1` and are paired on one server.
    let carol = lobbies.player("carol");
    let dave = lobbies.player("dave");
    carol.create("carol's").send().await.unwrap();
    dave.create("dave's").send().await.unwrap();
    let search = |player: &playflow::lobbies::PlayerLobby<ClientKey>| {
        player
            .find_match("1v1")
            .poll_interval(Duration::from_millis(100))
            .max_wait(PATIENCE)
    };
    let (carol_match, dave_match) = tokio::join!(search(&carol), search(&dave));
    let (carol_match, dave_match): (Match, Match) = (
        carol_match.expect("carol is matched"),
        dave_match.expect("dave is matched"),
    );
    assert!(carol_match.match_id().is_some());
    assert_eq!(carol_match.match_id(), dave_match.match_id());
    assert_eq!(carol_match.instance_id(), dave_match.instance_id());
    let endpoint = carol_match
        .endpoints
        .first()
        .expect("the match has an endpoint");
    assert_eq!(endpoint.host, "127.0.0.1");
    assert_ne!(endpoint.port, 0);
    let match_server = admin
        .servers()
        .get(
            carol_match
                .instance_id()
                .expect("the match names its server"),
        )
        .await
        .unwrap();
    assert_eq!(match_server.status, ServerStatus::Running);
    assert_eq!(carol.current().await.unwrap().status, LobbyStatus::InGame);

    // Logs, then stop; a second stop finds nothing running.
    let logs = admin
        .servers()
        .logs(&server.instance_id)
        .send()
        .await
        .unwrap();
    assert!(!logs.logs.is_empty(), "a running server has logs");
    let stopped = admin
        .servers()
        .stop(&server.instance_id)
        .reason("e2e done")
        .await
        .unwrap();
    assert!(matches!(stopped, StopOutcome::Stopped(_)), "{stopped:?}");
    let after = admin.servers().get(&server.instance_id).await.unwrap();
    assert_eq!(after.status, ServerStatus::Stopped);
}

#[tokio::test]
async fn a_client_key_on_the_raw_escape_hatch_gets_forbidden() {
    let emu = emulator().await;
    let game = game_client(&emu);
    // Builds are server-key only: `game.builds()` does not exist, but `raw()` reaches them.
    let refused = game.raw().list_builds().send().await.map_err(Error::from);
    let error = refused.expect_err("PlayFlow refuses a client key on builds");
    assert!(matches!(error, Error::Forbidden(_)), "{error:?}");
    assert_eq!(error.status(), Some(403));
    assert!(
        !error.to_string().contains(emu.client_key()),
        "no key in errors"
    );
    // The same key may do what a game client does.
    game.servers()
        .list()
        .send()
        .await
        .expect("listing is allowed");
}
