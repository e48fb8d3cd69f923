//! Hostile event streams: each one finishes under a timeout, within a generous CPU-time bound
//! (of the thread that runs it: each test has its own current-thread runtime on its own
//! thread, watched from outside so that a hang fails the test instead of stalling it), and the
//! 100 MiB ones within a bounded amount of memory (a counting allocator that counts only the
//! test's own thread, since the binary runs other tests beside it). Speed targets are
//! in examples/lobby_events_decode.rs, not here.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use futures::{StreamExt, stream};
use playflow::lobbies::{
    LobbyEvent, LobbyEvents, decode_event_stream, decode_event_stream_with_limits,
};
use playflow_test_support::{Reply, Step, TestServer, event, game_client, lobby, lobby_deleted};

use crate::memory::{Peak, SERIAL, TRACKED};

const EVENTS: &str = "/api/v3/lobbies/casual/me/events";
const MIB: usize = 1024 * 1024;

/// Run `test` on a current-thread runtime of its own thread; fail if it does not finish
/// within a minute (a hang: the stream never yields, or never ends).
fn hostile<F, Fut>(test: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = ()>,
{
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let (done, outcome) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        TRACKED.with(|t| t.set(true));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| runtime.block_on(test())));
        let _ = done.send(result);
    });
    match outcome.recv_timeout(Duration::from_secs(60)) {
        Ok(Ok(())) => {}
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(_) => panic!("the test did not finish within 60 s"),
    }
}

/// CPU time (user + system) of the calling thread.
fn thread_cpu() -> Duration {
    // SAFETY: getrusage only writes the struct it is given.
    let usage = unsafe {
        let mut usage = std::mem::zeroed::<libc::rusage>();
        libc::getrusage(libc::RUSAGE_THREAD, &mut usage);
        usage
    };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// Generous: the quadratic parser this crate had took 8.5 s of CPU for one 16 MiB line in a
/// release build; these inputs take well under a second with a linear one, even unoptimized.
const CPU_BOUND: Duration = Duration::from_secs(5);

fn data_line(len: usize) -> Vec<Vec<u8>> {
    let mut body = b"event: big\ndata: ".to_vec();
    body.resize(body.len() + len, b'x');
    body.extend_from_slice(b"\n\nevent: lobby_deleted\ndata: {\"id\":\"l1\"}\n\n");
    body.chunks(16 * 1024).map(<[u8]>::to_vec).collect()
}

#[test]
fn a_16_mib_line_decodes_in_bounded_time_when_allowed_and_is_refused_by_default() {
    hostile(|| async {
        let chunks = data_line(16 * MIB);

        let cpu = thread_cpu();
        let allowed =
            decode_event_stream_with_limits(stream::iter(chunks.clone()), 32 * MIB, 32 * MIB);
        let got: Vec<_> = tokio::time::timeout(Duration::from_secs(20), allowed.collect())
            .await
            .expect("a 16 MiB line decodes in time");
        let spent = thread_cpu() - cpu;
        assert!(
            matches!(&got[0], Ok(LobbyEvent::Unknown { event, data }) if event == "big" && data.len() == 16 * MIB),
            "{:?}",
            got.first().map(|e| e.as_ref().map(LobbyEvent::name))
        );
        assert!(matches!(got[1], Ok(LobbyEvent::LobbyDeleted { .. })));
        assert!(spent < CPU_BOUND, "{spent:?} of CPU for a 16 MiB line");

        // The default limit is 1 MiB: an error item, and the decoding ends there.
        let cpu = thread_cpu();
        let got: Vec<_> = tokio::time::timeout(
            Duration::from_secs(20),
            decode_event_stream(stream::iter(chunks)).collect(),
        )
        .await
        .expect("a refused line ends the stream in time");
        let spent = thread_cpu() - cpu;
        assert_eq!(got.len(), 1, "nothing after the error");
        let err = got[0].as_ref().unwrap_err();
        assert!(matches!(err, playflow::Error::Decode(_)), "{err:?}");
        assert!(
            err.to_string().contains("line longer than 1048576 bytes"),
            "{err}"
        );
        assert!(spent < CPU_BOUND, "{spent:?}");
    });
}

/// `data: ` and then `n` × 64 KiB of `fill`, sent without holding it.
fn endless(fill: &[u8], n: usize) -> Vec<Step> {
    vec![
        event(
            "connected",
            &lobby("waiting", serde_json::json!({})).to_string(),
        ),
        Step::Send(b"event: big\n".to_vec()),
        Step::Repeat(fill.repeat(64 * 1024 / fill.len()), n),
    ]
}

/// Everything the stream yields until it ends (at most 30 s).
async fn drain(events: LobbyEvents<playflow::ClientKey>) -> Vec<playflow::Result<LobbyEvent>> {
    playflow_test_support::drain(events, Duration::from_secs(30)).await
}

/// The first connection sends `hostile`; the second the state and the end.
async fn hostile_then_fine(
    hostile: Vec<Step>,
) -> (
    TestServer,
    Vec<playflow::Result<LobbyEvent>>,
    Duration,
    usize,
) {
    let server = TestServer::start(move |req| match req.route_index {
        0 => Reply::sse(hostile.clone()),
        _ => Reply::sse(vec![
            event(
                "connected",
                &lobby("in_queue", serde_json::json!({})).to_string(),
            ),
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
    let peak = Peak::start();
    let cpu = thread_cpu();
    let got = drain(events).await;
    (server, got, thread_cpu() - cpu, peak.above_start())
}

fn names(got: &[playflow::Result<LobbyEvent>]) -> Vec<String> {
    got.iter()
        .map(|e| match e {
            Ok(event) => event.name().to_string(),
            Err(e) => format!("error: {e}"),
        })
        .collect()
}

#[test]
fn a_100_mib_line_without_newline_is_an_error_then_a_reconnect() {
    hostile(|| async {
        // `data: xxxx…` for 100 MiB, never a line end.
        let mut steps = endless(b"x", 1600);
        steps.insert(2, Step::Send(b"data: ".to_vec()));
        let (server, got, cpu, memory) = hostile_then_fine(steps).await;
        let names = names(&got);
        assert_eq!(names.len(), 4, "{names:?}");
        assert_eq!(names[0], "connected");
        assert!(
            names[1].contains("line longer than 1048576 bytes"),
            "{}",
            names[1]
        );
        assert!(matches!(got[1], Err(playflow::Error::Decode(_))));
        assert_eq!(&names[2..], ["connected", "lobby_deleted"]);
        assert_eq!(server.calls("GET", EVENTS).len(), 2);
        assert!(cpu < CPU_BOUND, "{cpu:?} of CPU");
        assert!(memory < 32 * MIB, "{} MiB held", memory / MIB);
    });
}

#[test]
fn data_lines_without_a_blank_line_are_an_error_then_a_reconnect() {
    hostile(|| async {
        // 100 MiB of `data:` lines, never the blank line that would end the event.
        let (server, got, cpu, memory) =
            hostile_then_fine(endless(b"data: 0123456789\n", 1600)).await;
        let names = names(&got);
        assert_eq!(names.len(), 4, "{names:?}");
        assert!(
            names[1].contains("event larger than 4194304 bytes"),
            "{}",
            names[1]
        );
        assert!(matches!(got[1], Err(playflow::Error::Decode(_))));
        assert_eq!(&names[2..], ["connected", "lobby_deleted"]);
        assert_eq!(server.calls("GET", EVENTS).len(), 2);
        assert!(cpu < CPU_BOUND, "{cpu:?} of CPU");
        assert!(memory < 32 * MIB, "{} MiB held", memory / MIB);
    });
}

#[test]
fn smaller_limits_set_on_the_stream_apply() {
    hostile(|| async {
        let server = TestServer::start(|req| match req.route_index {
            0 => Reply::sse(vec![
                Step::Send(format!("event: big\ndata: {}\n\n", "x".repeat(2000)).into_bytes()),
                Step::Hold,
            ]),
            _ => Reply::sse(vec![lobby_deleted()]),
        })
        .await;
        let client = game_client(&server);
        let events = client
            .lobbies("casual")
            .player("p-123")
            .events()
            .max_line_size(1000)
            .reconnect_delays(Duration::from_millis(10), Duration::from_millis(20));
        let got = names(&drain(events).await);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].contains("line longer than 1000 bytes"), "{}", got[0]);
        assert_eq!(got[1], "lobby_deleted");
    });
}

#[test]
fn a_comment_flood_lets_a_timeout_around_next_fire() {
    hostile(|| async {
        // An input that is always ready and never yields an event: comments, blank lines, or
        // empty chunks, without end.
        let floods: [(&str, Vec<u8>); 3] = [
            ("comments", b": keep-alive\n".repeat(1000)),
            ("blank lines", b"\n".repeat(1000)),
            ("empty chunks", Vec::new()),
        ];
        for (what, chunk) in floods {
            let mut events = decode_event_stream(stream::repeat(chunk));
            let cpu = thread_cpu();
            let next = tokio::time::timeout(Duration::from_millis(200), events.next()).await;
            assert!(next.is_err(), "{what}: the timeout fires");
            let spent = thread_cpu() - cpu;
            assert!(spent < CPU_BOUND, "{what}: {spent:?}");
        }
    });
}

#[test]
fn a_comment_flood_from_the_server_lets_a_timeout_around_next_fire() {
    hostile(|| async {
        let server = TestServer::start(|_| {
            Reply::sse(vec![
                event(
                    "connected",
                    &lobby("waiting", serde_json::json!({})).to_string(),
                ),
                // 1 GiB of comments: far longer than the test.
                Step::Repeat(b": keep-alive\n".repeat(5000), 16 * 1024),
            ])
        })
        .await;
        let client = game_client(&server);
        let mut events = client.lobbies("casual").player("p-123").events();
        let first = tokio::time::timeout(Duration::from_secs(10), events.next()).await;
        assert!(matches!(first, Ok(Some(Ok(LobbyEvent::Connected(_))))));
        let cpu = thread_cpu();
        let next = tokio::time::timeout(Duration::from_millis(300), events.next()).await;
        assert!(next.is_err(), "the timeout fires: {next:?}");
        let spent = thread_cpu() - cpu;
        assert!(spent < CPU_BOUND, "{spent:?}");
    });
}

#[test]
fn an_html_answer_ends_the_stream_with_a_typed_error() {
    hostile(|| async {
        let server = TestServer::start(|_| {
            Reply::page(
                200,
                "text/html; charset=utf-8",
                "<!DOCTYPE html><title>Sign in to the Wi-Fi</title>",
            )
        })
        .await;
        let client = game_client(&server);
        let events = client
            .lobbies("casual")
            .player("p-123")
            .events()
            .reconnect_delays(Duration::from_millis(1), Duration::from_millis(1));
        let got = drain(events).await;
        assert_eq!(got.len(), 1, "{:?}", names(&got));
        let err = got[0].as_ref().unwrap_err();
        let playflow::Error::Decode(decode) = err else {
            panic!("{err:?}")
        };
        assert_eq!(decode.status, Some(200));
        assert!(decode.excerpt.starts_with("<!DOCTYPE html>"), "{decode:?}");
        assert!(!err.is_retryable());
        let text = err.to_string();
        assert!(text.contains("expected text/event-stream"), "{text}");
        assert!(text.contains("text/html"), "{text}");
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(server.calls("GET", EVENTS).len(), 1, "not retried");
    });
}
