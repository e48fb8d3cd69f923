//! Helpers shared by the emulator tests: clients, archives, builds and SSE reading.
#![allow(dead_code)]

use std::future::Future;
use std::io::Write;
use std::time::{Duration, Instant};

use eventsource_stream::Eventsource;
use futures::{Stream, StreamExt};
use playflow::raw::{self, types};
use playflow_emulator::Emulator;
use serde_json::Value;

/// An emulator at `scale`× speed, with rate limits out of the way (one test checks them).
pub async fn emulator(scale: f64) -> Emulator {
    Emulator::builder()
        .time_scale(scale)
        .rate_limits(10_000, 10_000)
        .start()
        .await
        .expect("emulator starts")
}

/// The generated client, sending `key` as `api-key`.
pub fn client(emulator: &Emulator, key: &str) -> raw::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("api-key", key.parse().expect("key is a header value"));
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("reqwest client");
    raw::Client::new_with_client(
        emulator.base_url(),
        http,
        playflow::transport::Transport::default(),
    )
}

/// The server-key client.
pub fn admin(emulator: &Emulator) -> raw::Client {
    client(emulator, emulator.server_key())
}

/// A ZIP archive with these entries.
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, content) in entries {
        writer
            .start_file(*name, zip::write::SimpleFileOptions::default())
            .expect("zip entry");
        writer.write_all(content).expect("zip write");
    }
    writer.finish().expect("zip finish").into_inner()
}

/// A small game server archive with `Server.x86_64` at its root.
pub fn server_zip() -> Vec<u8> {
    zip_of(&[
        ("Server.x86_64", b"\x7fELF fake server binary"),
        ("Server_Data/level0", &[7u8; 4096]),
    ])
}

/// The status of an error from the generated client.
pub fn status_of<T: std::fmt::Debug>(result: Result<T, raw::Error<types::Error>>) -> u16 {
    match result {
        Ok(value) => panic!("expected an error, got {value:?}"),
        Err(error) => error.status().map_or(0, |status| status.as_u16()),
    }
}

/// The error body from the generated client.
pub fn error_body<T: std::fmt::Debug>(result: Result<T, raw::Error<types::Error>>) -> types::Error {
    match result {
        Err(raw::Error::ErrorResponse(response)) => response.into_inner(),
        other => panic!("expected an error response, got {other:?}"),
    }
}

/// Registers a docker-image build and waits out its processing; returns the build ID.
pub async fn ready_image_build(emulator: &Emulator, name: &str) -> String {
    let api = admin(emulator);
    let registered = api
        .create_build_from_docker_image()
        .body_map(|body| {
            body.image_url("ghcr.io/acme/arena:1.0")
                .name(name.to_owned())
        })
        .send()
        .await
        .expect("image build registered")
        .into_inner();
    emulator.advance(Duration::from_secs(120));
    let build = api
        .get_build()
        .build_id(&registered.build_id)
        .send()
        .await
        .expect("build")
        .into_inner();
    assert_eq!(build.status.as_str(), "ready");
    registered.build_id
}

/// Polls `check` until it yields a value (at most 5 s of wall time).
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Opens a lobby event stream for `player` and returns its events as (name, data).
pub async fn events(
    emulator: &Emulator,
    key: &str,
    config: &str,
    player: &str,
) -> impl Stream<Item = (String, String)> + Unpin {
    let response = reqwest::Client::new()
        .get(format!(
            "{}/api/v3/lobbies/{config}/me/events",
            emulator.base_url()
        ))
        .header("api-key", key)
        .header("x-player-id", player)
        .header("accept", "text/event-stream")
        .send()
        .await
        .expect("stream opens");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "text/event-stream"
    );
    Box::pin(
        response
            .bytes_stream()
            .eventsource()
            .map(|event| event.expect("well-formed SSE"))
            .map(|event| (event.event, event.data)),
    )
}

/// The next event other than `ping`/`queue_stats` (at most 5 s of wall time).
pub async fn next_change(
    stream: &mut (impl Stream<Item = (String, String)> + Unpin),
) -> Option<(String, Value)> {
    loop {
        let next = tokio::time::timeout(Duration::from_secs(5), stream.next())
            .await
            .expect("an event within 5 s")?;
        if next.0 == "ping" || next.0 == "queue_stats" {
            continue;
        }
        let data = serde_json::from_str(&next.1).expect("event data is JSON");
        return Some((next.0, data));
    }
}

/// Gives the `default` lobby configuration day-long idle and queue timeouts, for tests at a
/// time scale where the defaults (30 and 2 minutes) pass in a blink.
pub async fn patient_lobbies(emulator: &Emulator) {
    let api = admin(emulator);
    let settings = api
        .get_project_settings()
        .send()
        .await
        .unwrap()
        .into_inner();
    let mut configs = serde_json::to_value(&settings.lobby_configs).unwrap();
    configs[0]["timeout"] = serde_json::json!(86400);
    configs[0]["matchmaking"]["modes"]["1v1"]["timeout"] = serde_json::json!(86400);
    let configs: Vec<types::LobbyConfig> = serde_json::from_value(configs).unwrap();
    api.update_project_settings()
        .body_map(|body| body.lobby_configs(configs))
        .send()
        .await
        .unwrap();
}
