//! Prints how fast the lobby event stream decodes, with this crate's parser and, as the
//! baseline in the same run, the one it used before (eventsource-stream 0.2.3 behind the
//! UTF-8 step that fixed its faults; see src/lobbies/events/sse.rs):
//!
//! 1. throughput on a realistic stream: full-lobby events (about 1 KB each, like PlayFlow's
//!    `lobby_updated`) with keep-alives, in chunks of 64 B to 256 KiB; the time includes the
//!    typed decoding of each lobby (serde), whose cost alone is printed too;
//! 2. CPU time against input size for a single `data:` line of 1, 4, 16 and 64 MiB, and the
//!    per-MiB cost of the 64 MiB line against the 1 MiB one (1.0 = linear). The baseline
//!    stops at 16 MiB (its cost is quadratic: 64 MiB would take minutes); pass `--baseline-64`
//!    to run it anyway.
//!
//! ```text
//! cargo run --release --example lobby_events_decode
//! ```

use std::time::{Duration, Instant};

use futures::executor::block_on;
use futures::{StreamExt, stream};
use playflow::lobbies::{LobbyEvent, decode_event_stream, decode_event_stream_with_limits};

const MIB: f64 = 1024.0 * 1024.0;

fn main() {
    let baseline_64 = std::env::args().any(|a| a == "--baseline-64");
    realistic();
    single_line(baseline_64);
}

fn realistic() {
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
    let mib = body.len() as f64 / MIB;
    println!(
        "1. realistic stream: {} events of {} bytes, {:.1} MiB",
        events,
        lobby.len(),
        mib
    );
    // The floor: typed decoding of the lobbies alone, no SSE parsing.
    let started = Instant::now();
    let mut decoded = 0;
    for _ in 0..events {
        decoded += usize::from(LobbyEvent::decode("lobby_updated", &lobby).is_ok());
    }
    let json = started.elapsed();
    println!(
        "   serde decoding of the lobbies alone: {:>7.1} ms = {:>6.1} MiB/s ({decoded} lobbies)",
        ms(json),
        mib / json.as_secs_f64()
    );
    // The SSE part alone: the same stream with the events under a name this crate does not
    // know, so their data is kept as text, not decoded.
    let unknown = String::from_utf8(body.clone())
        .unwrap()
        .replace("event: lobby_updated", "event: lobby_x");
    for chunk in [1024usize, 16 * 1024] {
        let chunks: Vec<Vec<u8>> = unknown
            .as_bytes()
            .chunks(chunk)
            .map(<[u8]>::to_vec)
            .collect();
        let (count, new) = timed(|| {
            block_on(
                decode_event_stream(stream::iter(chunks.clone()))
                    .filter(|e| std::future::ready(e.is_ok()))
                    .count(),
            )
        });
        let (old_count, old) = timed(|| baseline::count_ok(chunks.clone()));
        assert_eq!(count, old_count);
        println!(
            "   SSE parsing alone, {chunk:>5} B chunks: new {:>6.1} MiB/s, baseline {:>6.1} MiB/s",
            mib / new.as_secs_f64(),
            mib / old.as_secs_f64()
        );
    }
    println!("   chunk size   events        new parser         baseline    speed-up");
    for chunk in [64usize, 1024, 4 * 1024, 16 * 1024, 256 * 1024] {
        let chunks: Vec<Vec<u8>> = body.chunks(chunk).map(<[u8]>::to_vec).collect();
        let (count, new) = timed(|| {
            block_on(
                decode_event_stream(stream::iter(chunks.clone()))
                    .filter(|e| std::future::ready(e.is_ok()))
                    .count(),
            )
        });
        let (old_count, old) = timed(|| baseline::count_ok(chunks.clone()));
        assert_eq!(count, old_count, "both parsers decode the same events");
        println!(
            "   {chunk:>8} B  {count:>7}  {:>6.1} MiB/s {:>6.1} ms  {:>6.1} MiB/s {:>6.1} ms  {:>5.2}x",
            mib / new.as_secs_f64(),
            ms(new),
            mib / old.as_secs_f64(),
            ms(old),
            old.as_secs_f64() / new.as_secs_f64(),
        );
    }
}

fn single_line(baseline_64: bool) {
    println!("2. one `data:` line of n MiB, in 16 KiB chunks: process CPU time");
    println!("      n      new parser   per MiB        baseline   per MiB");
    let mut per_mib = Vec::new();
    for n in [1usize, 4, 16, 64] {
        let chunks = one_line(n << 20);
        let len = n << 20;
        // The best of three runs; the input's copy is made before the clock starts.
        let new = best_of_3(|| {
            let input = chunks.clone();
            cpu(|| {
                let events = block_on(
                    decode_event_stream_with_limits(stream::iter(input), len + 64, len + 64)
                        .count(),
                );
                assert_eq!(events, 1);
            })
            .1
        });
        let faults = page_faults();
        let input = chunks.clone();
        block_on(decode_event_stream_with_limits(stream::iter(input), len + 64, len + 64).count());
        let faults = page_faults() - faults;
        let old = (n <= 16 || baseline_64).then(|| {
            let input = chunks.clone();
            cpu(|| baseline::count_ok(input)).1
        });
        per_mib.push((
            n,
            new.as_secs_f64() / n as f64,
            old.map(|t| t.as_secs_f64() / n as f64),
        ));
        let (old_total, old_per) = match old {
            Some(t) => (
                format!("{:>9.1} ms", ms(t)),
                format!("{:>7.2} ms", ms(t) / n as f64),
            ),
            None => ("  (skipped)".into(), String::new()),
        };
        println!(
            "   {n:>4}  {:>11.1} ms {:>7.2} ms  {old_total:>14} {old_per:>9}   (new: {:.0} page faults per MiB)",
            ms(new),
            ms(new) / n as f64,
            faults as f64 / n as f64,
        );
    }
    let first = per_mib[0];
    let last = per_mib[per_mib.len() - 1];
    println!(
        "   per-MiB cost, {} MiB vs 1 MiB: new {:.2}",
        last.0,
        last.1 / first.1
    );
    let old_last = per_mib
        .iter()
        .rev()
        .find_map(|(n, _, old)| old.map(|o| (*n, o)));
    if let (Some((n, old)), Some(old_first)) = (old_last, first.2) {
        println!(
            "   per-MiB cost, {n} MiB vs 1 MiB: baseline {:.2}",
            old / old_first
        );
    }
}

/// `event: big`, one `data:` line of `len` bytes, the blank line; in 16 KiB chunks.
fn one_line(len: usize) -> Vec<Vec<u8>> {
    let mut body = b"event: big\ndata: ".to_vec();
    body.resize(body.len() + len, b'x');
    body.extend_from_slice(b"\n\n");
    body.chunks(16 * 1024).map(<[u8]>::to_vec).collect()
}

fn best_of_3(mut run: impl FnMut() -> Duration) -> Duration {
    (0..3).map(|_| run()).min().unwrap()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let out = f();
    (out, started.elapsed())
}

/// `f`'s result and the CPU time (user + system) the process spent on it.
fn cpu<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let before = cpu_time();
    let out = f();
    (out, cpu_time().saturating_sub(before))
}

fn cpu_time() -> Duration {
    let usage = rusage();
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// Page faults so far: fresh memory the kernel had to map (a cost that grows with the size of
/// each allocation, not with the parser's work).
fn page_faults() -> u64 {
    let usage = rusage();
    (usage.ru_minflt + usage.ru_majflt) as u64
}

fn rusage() -> libc::rusage {
    // SAFETY: getrusage only writes the struct it is given.
    unsafe {
        let mut usage = std::mem::zeroed::<libc::rusage>();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    }
}

/// The parser this crate used before its own: eventsource-stream 0.2.3, fed text by a lossy
/// UTF-8 step that removed the leading BOM (the code of src/lobbies/events/sse.rs then, minus
/// its fix for a final lone CR, which no input here has).
mod baseline {
    use eventsource_stream::Eventsource;
    use futures::executor::block_on;
    use futures::stream::{self, StreamExt};
    use playflow::lobbies::LobbyEvent;

    /// How many events of `chunks` decode to a typed event.
    pub fn count_ok(chunks: Vec<Vec<u8>>) -> usize {
        let mut decoder = Utf8Decoder::default();
        let text = stream::iter(chunks)
            .map(move |chunk| Ok::<_, std::convert::Infallible>(decoder.push(&chunk)));
        let events = stream::once(async { Ok(String::from("\n")) })
            .chain(text)
            .eventsource()
            .filter_map(|event| async move {
                let event = event.ok()?;
                LobbyEvent::decode(&event.event, &event.data).ok()
            });
        block_on(events.count())
    }

    #[derive(Default)]
    struct Utf8Decoder {
        pending: Vec<u8>,
        started: bool,
    }

    impl Utf8Decoder {
        fn push(&mut self, chunk: &[u8]) -> String {
            let mut input = std::mem::take(&mut self.pending);
            input.extend_from_slice(chunk);
            let mut text = String::with_capacity(input.len());
            let mut rest = input.as_slice();
            loop {
                match std::str::from_utf8(rest) {
                    Ok(valid) => {
                        text.push_str(valid);
                        break;
                    }
                    Err(e) => {
                        let (valid, after) = rest.split_at(e.valid_up_to());
                        text.push_str(&String::from_utf8_lossy(valid));
                        match e.error_len() {
                            Some(len) => {
                                text.push(char::REPLACEMENT_CHARACTER);
                                rest = &after[len..];
                            }
                            None => {
                                self.pending = after.to_vec();
                                break;
                            }
                        }
                    }
                }
            }
            if !text.is_empty()
                && !std::mem::replace(&mut self.started, true)
                && let Some(stripped) = text.strip_prefix('\u{feff}')
            {
                text = stripped.to_owned();
            }
            text
        }
    }
}
