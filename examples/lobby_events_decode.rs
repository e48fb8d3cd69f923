//! Prints how fast the lobby event stream decodes, with this crate's parser and, as the
//! baseline in the same run, the one it used before (eventsource-stream 0.2.3 behind the
//! UTF-8 step that fixed its faults; see src/lobbies/events/sse.rs), and whether the goals of
//! issue 12 are met:
//!
//! 1. throughput on a realistic stream: full-lobby events (about 1.2 KB each, like PlayFlow's
//!    `lobby_updated`) with keep-alives, in chunks of 64 B to 256 KiB, decoded to typed events
//!    (serde), and the same stream with its events under an unknown name, so that only the
//!    SSE layer works (their data is kept as text). The cost of the typed decoding alone is
//!    printed too: it bounds the first figure whatever the parser does.
//!    Goal: ≥ 300 MiB/s for 1–16 KiB chunks.
//! 2. CPU time against input size for a single `data:` line of 1, 4, 16 and 64 MiB, as the
//!    per-MiB cost and the ratio of the 64 MiB line's to the 1 MiB line's (1.0 = linear).
//!    Goal: ≤ 1.5. Measured twice: in this process (best of 3, so the smaller lines reuse
//!    memory the allocator already has), and in fresh child processes (best of 3 children: every
//!    size gets its memory from the kernel). Page faults per MiB are printed beside: a line
//!    past glibc's largest mmap threshold (32 MiB) gets fresh pages from the kernel on every
//!    run, which the kernel zeroes, and that cost is not the parser's. The baseline stops at
//!    16 MiB (quadratic: 64 MiB would take minutes); `--baseline-max N` sets the largest.
//!
//! Times are the CPU time of the thread that decodes (`CLOCK_THREAD_CPUTIME_ID`, user and
//! system), not wall time, so that other processes on a shared machine do not count.
//!
//! ```text
//! cargo run --release --example lobby_events_decode [-- --baseline-max 64]
//! ```

use std::time::Duration;

use futures::executor::block_on;
use futures::{StreamExt, stream};
use playflow::lobbies::{LobbyEvent, decode_event_stream, decode_event_stream_with_limits};

const MIB: f64 = 1024.0 * 1024.0;

/// The goals of issue 12.
const GOAL_MIB_S: f64 = 300.0;
const GOAL_RATIO: f64 = 1.5;

/// The single-line sizes, in MiB.
const LINES: [usize; 4] = [1, 4, 16, 64];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // A child run: decode one line of the given size once, print CPU ns and page faults.
    if let [flag, n] = args.as_slice()
        && flag == "--line-child"
    {
        let n: usize = n.parse().expect("a size in MiB");
        let chunks = one_line(n << 20);
        let (cpu, faults) = decode_line(chunks, n << 20);
        println!("{} {faults}", cpu.as_nanos());
        return;
    }
    let baseline_max = args
        .iter()
        .position(|a| a == "--baseline-max")
        .and_then(|i| args.get(i + 1))
        .map_or(16, |n| {
            n.parse().expect("--baseline-max takes a size in MiB")
        });
    println!(
        "({} build; times are the decoding thread's CPU time)",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    realistic();
    single_line(baseline_max);
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
    let events = if cfg!(debug_assertions) { 1_000 } else { 5_000 };
    let mut body = Vec::new();
    for i in 0..events {
        body.extend_from_slice(format!("event: lobby_updated\ndata: {lobby}\n\n").as_bytes());
        if i % 10 == 0 {
            body.extend_from_slice(b": keep-alive\n\nevent: ping\ndata:\n\n");
        }
    }
    let mib = body.len() as f64 / MIB;
    println!(
        "1. realistic stream: {events} events of {} bytes, {mib:.1} MiB; best of 3 runs",
        lobby.len(),
    );
    // The floor: typed decoding of the lobbies alone, no SSE parsing.
    let json = best_of_3(|| {
        cpu(|| {
            for _ in 0..events {
                assert!(LobbyEvent::decode("lobby_updated", &lobby).is_ok());
            }
        })
        .1
    });
    println!(
        "   typed decoding of the lobbies alone (serde_json): {:>6.1} MiB/s",
        mib / json.as_secs_f64()
    );
    // The SSE part alone: the same stream with the events under a name this crate does not
    // know, so their data is kept as text, not decoded.
    let unknown = String::from_utf8(body.clone())
        .unwrap()
        .replace("event: lobby_updated", "event: lobby_x")
        .into_bytes();
    let unknown_mib = unknown.len() as f64 / MIB;
    println!(
        "   chunk size   events   typed: new   baseline  speed-up   SSE alone: new   baseline"
    );
    let mut typed_min = f64::INFINITY;
    let mut sse_min = f64::INFINITY;
    for chunk in [64usize, 1024, 4 * 1024, 16 * 1024, 256 * 1024] {
        let (count, new, old) = compare(&body, chunk);
        let (_, sse_new, sse_old) = compare(&unknown, chunk);
        let (typed, sse) = (mib / new.as_secs_f64(), unknown_mib / sse_new.as_secs_f64());
        if (1024..=16 * 1024).contains(&chunk) {
            typed_min = typed_min.min(typed);
            sse_min = sse_min.min(sse);
        }
        println!(
            "   {chunk:>8} B  {count:>7}  {typed:>7.1} MiB/s {:>6.1} MiB/s {:>6.2}x    {sse:>7.1} MiB/s {:>6.1} MiB/s",
            mib / old.as_secs_f64(),
            old.as_secs_f64() / new.as_secs_f64(),
            unknown_mib / sse_old.as_secs_f64(),
        );
    }
    println!(
        "   goal >= {GOAL_MIB_S} MiB/s for 1-16 KiB chunks: SSE layer {sse_min:.1} MiB/s: {}; \
         with typed decoding {typed_min:.1} MiB/s: {} (the typed decoding alone is {:.1} MiB/s)",
        verdict(sse_min >= GOAL_MIB_S),
        verdict(typed_min >= GOAL_MIB_S),
        mib / json.as_secs_f64()
    );
}

/// Decode `body` in chunks of `chunk` bytes with both parsers: the events that decode
/// (checked equal) and each parser's best CPU time of 3 runs.
fn compare(body: &[u8], chunk: usize) -> (usize, Duration, Duration) {
    let chunks: Vec<Vec<u8>> = body.chunks(chunk).map(<[u8]>::to_vec).collect();
    let mut count = 0;
    let new = best_of_3(|| {
        let input = chunks.clone();
        let (n, t) = cpu(|| {
            block_on(
                decode_event_stream(stream::iter(input))
                    .filter(|e| std::future::ready(e.is_ok()))
                    .count(),
            )
        });
        count = n;
        t
    });
    let mut old_count = 0;
    let old = best_of_3(|| {
        let input = chunks.clone();
        let (n, t) = cpu(|| baseline::count_ok(input));
        old_count = n;
        t
    });
    assert_eq!(count, old_count, "both parsers decode the same events");
    (count, new, old)
}

fn single_line(baseline_max: usize) {
    println!("2. one `data:` line of n MiB, in 16 KiB chunks: CPU time per MiB");
    println!("      n   in this process (best of 3)   fresh processes (best of 3)    baseline");
    let mut warm = Vec::new();
    let mut fresh = Vec::new();
    for n in LINES {
        let len = n << 20;
        let chunks = one_line(len);
        let mut faults = 0;
        let new = best_of_3(|| {
            let (t, f) = decode_line(chunks.clone(), len);
            faults = f;
            t
        });
        let mut child_faults = 0;
        let child = best_of_3(|| {
            let (t, f) = line_in_child(n);
            child_faults = f;
            t
        });
        let old = (n <= baseline_max).then(|| {
            let input = chunks.clone();
            cpu(|| baseline::count_ok(input)).1
        });
        warm.push(per_mib(new, n));
        fresh.push(per_mib(child, n));
        let old = old.map_or_else(
            || "  (skipped)".to_owned(),
            |t| format!("{:>8.2} ms", per_mib(t, n)),
        );
        println!(
            "   {n:>4}  {:>7.3} ms ({:>4} faults/MiB)  {:>7.3} ms ({:>4} faults/MiB)  {old:>14}",
            per_mib(new, n),
            faults / n as u64,
            per_mib(child, n),
            child_faults / n as u64,
        );
    }
    let ratio = |v: &[f64]| v[v.len() - 1] / v[0];
    let (warm, fresh) = (ratio(&warm), ratio(&fresh));
    println!(
        "   per-MiB cost, 64 MiB vs 1 MiB (goal <= {GOAL_RATIO}): in this process {warm:.2}: {}; \
         fresh processes {fresh:.2}: {}",
        verdict(warm <= GOAL_RATIO),
        verdict(fresh <= GOAL_RATIO),
    );
}

/// Decode one line of `len` bytes once: the decoding thread's CPU time and the page faults
/// of the process meanwhile.
fn decode_line(chunks: Vec<Vec<u8>>, len: usize) -> (Duration, u64) {
    let faults = page_faults();
    let (events, t) = cpu(|| {
        block_on(decode_event_stream_with_limits(stream::iter(chunks), len + 64, len + 64).count())
    });
    assert_eq!(events, 1);
    (t, page_faults() - faults)
}

/// [`decode_line`] of an `n` MiB line in a child process (this program, re-run).
fn line_in_child(n: usize) -> (Duration, u64) {
    let exe = std::env::current_exe().expect("this program's path");
    let out = std::process::Command::new(exe)
        .args(["--line-child", &n.to_string()])
        .output()
        .expect("run a child");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut fields = text.split_whitespace().map(|f| f.parse::<u64>().ok());
    match (fields.next().flatten(), fields.next().flatten()) {
        (Some(ns), Some(faults)) => (Duration::from_nanos(ns), faults),
        _ => panic!("the child printed {text:?}"),
    }
}

fn per_mib(t: Duration, n: usize) -> f64 {
    t.as_secs_f64() * 1e3 / n as f64
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "NOT met" }
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

/// `f`'s result and the CPU time (user + system) this thread spent on it.
fn cpu<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let before = thread_cpu();
    let out = f();
    (out, thread_cpu().saturating_sub(before))
}

fn thread_cpu() -> Duration {
    // SAFETY: clock_gettime only writes the struct it is given.
    let ts = unsafe {
        let mut ts = std::mem::zeroed::<libc::timespec>();
        libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts);
        ts
    };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Page faults of the process so far: fresh memory the kernel had to map and zero (a cost
/// that grows with the memory an allocation gets from the kernel, not with the parser's work).
fn page_faults() -> u64 {
    // SAFETY: getrusage only writes the struct it is given.
    let usage = unsafe {
        let mut usage = std::mem::zeroed::<libc::rusage>();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    (usage.ru_minflt + usage.ru_majflt) as u64
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
