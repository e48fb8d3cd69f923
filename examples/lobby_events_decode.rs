//! Prints how fast the lobby event stream decodes: a synthetic stream of full-lobby events
//! (about 1 KB each, like PlayFlow's `lobby_updated`) fed in chunks of several sizes.
//!
//! ```text
//! cargo run --release --example lobby_events_decode
//! ```

use std::time::Instant;

use futures::executor::block_on;
use futures::{StreamExt, stream};
use playflow::lobbies::decode_event_stream;

fn main() {
    let players: Vec<_> = (0..8)
        .map(|i| serde_json::json!({"id": format!("player-{i:04}"), "state": {"ready": i % 2 == 0, "team": "blue", "mmr": 1500 + i}, "isHost": i == 0}))
        .collect();
    let lobby = serde_json::json!({
        "id": "3c7e9a52-1f4b-4d2a-9b8e-6a0f5d2c71e4", "code": "WOLF-17", "config": "casual",
        "name": "Friday night arena", "status": "in_queue", "host": "player-0000",
        "maxPlayers": 8, "currentPlayers": 8, "region": "us-east", "isPrivate": false,
        "allowLateJoin": true, "settings": {"map": "forest", "mode": "ctf"}, "players": players,
        "matchmaking": {"mode": "duo_ranked", "startedAt": "2025-03-14T09:21:30.004Z",
                        "queueStats": {"playersSearching": 18, "lobbiesInQueue": 5, "avgWaitSeconds": 9.4}},
        "createdAt": "2025-03-14T09:20:05.118Z", "updatedAt": "2025-03-14T09:26:44.902Z"
    })
    .to_string();
    let events = 5_000;
    let mut body = Vec::new();
    for i in 0..events {
        body.extend_from_slice(format!("event: lobby_updated\ndata: {lobby}\n\n").as_bytes());
        if i % 10 == 0 {
            body.extend_from_slice(b": keep-alive\n\nevent: ping\ndata:\n\n");
        }
    }
    println!(
        "{} events of {} bytes, stream {:.1} MiB",
        events,
        lobby.len(),
        body.len() as f64 / (1024.0 * 1024.0)
    );
    for chunk in [64usize, 1024, 16 * 1024, 256 * 1024] {
        let chunks: Vec<Vec<u8>> = body.chunks(chunk).map(<[u8]>::to_vec).collect();
        let started = Instant::now();
        let decoded = block_on(
            decode_event_stream(stream::iter(chunks))
                .filter(|e| std::future::ready(e.is_ok()))
                .count(),
        );
        let elapsed = started.elapsed();
        println!(
            "chunks of {chunk:>6} B: {decoded} events in {:>7.1} ms = {:>6.1} MiB/s, {:>5.1} µs/event",
            elapsed.as_secs_f64() * 1e3,
            body.len() as f64 / (1024.0 * 1024.0) / elapsed.as_secs_f64(),
            elapsed.as_secs_f64() * 1e6 / decoded as f64,
        );
    }
}
