//! Hostile and broken answers: bodies past the cap (announced or not, dripped), error bodies
//! in every layout, server text that would steer a terminal, and error chains.
//!
//! The memory test counts the test thread's live heap bytes with the binary's counting
//! allocator (`memory.rs`).

use std::error::Error as _;
use std::time::Duration;

use playflow::{Error, ErrorDetail, LocPart};
use playflow_test_support::*;

use crate::memory::{Peak, SERIAL, TRACKED};

/// The most this thread had allocated at once while `f` ran, above what it held before.
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let peak = Peak::start();
    let out = f();
    (out, peak.above_start())
}

const MIB: usize = 1 << 20;

/// A server answer with an unknown field padding it to about `len` bytes.
fn padded_server(len: usize) -> String {
    format!(
        r#"{{"instance_id":"s-1","name":"n","status":"running","padding":"{}"}}"#,
        "x".repeat(len)
    )
}

/// 10× the cap, with and without `Content-Length`: a typed error naming the operation and the
/// cap, the connection dropped (the server could not send it all), and the client's memory
/// never past the cap plus a small margin; while a body just under the cap is read (and seen
/// by the counter, so the measure is real).
#[test]
fn a_body_past_the_cap_is_refused_with_memory_flat() {
    const CAP: usize = 4 * MIB;
    const CHUNK: usize = 64 * 1024;
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    TRACKED.with(|t| t.set(true));
    // The server runs on its own runtime and thread: only the client's allocations count.
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let chunk = vec![b' '; CHUNK];
    let near_cap = padded_server(CAP - 4096);
    let server = server_rt.block_on(TestServer::start(move |seen| match seen.index {
        0 => Reply::huge(200, "application/json", &chunk, 10 * CAP / CHUNK, true),
        1 => Reply::huge(200, "application/json", &chunk, 10 * CAP / CHUNK, false),
        _ => Reply::json(200, near_cap.clone()).unannounced(),
    }));
    let client_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = client_rt.block_on(async {
        client_builder(&server)
            .max_response_body(CAP as u64)
            .no_retry()
            .build()
            .unwrap()
    });
    for announced in [true, false] {
        let sent_before = server.body_bytes_sent();
        let (result, peak) = peak_during(|| client_rt.block_on(client.servers().get("s-1")));
        let err = result.unwrap_err();
        let Error::ResponseTooLarge(big) = &err else {
            panic!("expected ResponseTooLarge, got {err:?}")
        };
        assert_eq!(big.operation, "get_server");
        assert_eq!(big.limit, CAP as u64);
        assert_eq!(big.status, 200);
        assert_eq!(big.announced, announced.then_some(10 * CAP as u64));
        assert!(err.to_string().contains("4 MiB"), "{err}");
        assert!(!err.is_retryable());
        assert!(
            peak < CAP + MIB,
            "announced: {announced}: peak {peak} bytes for a cap of {CAP}"
        );
        std::thread::sleep(Duration::from_millis(200));
        let sent = server.body_bytes_sent() - sent_before;
        assert!(
            sent < 10 * CAP as u64 / 2,
            "announced: {announced}: the server sent {sent} bytes: the connection was not dropped"
        );
    }
    let (result, peak) = peak_during(|| client_rt.block_on(client.servers().get("s-1")));
    assert_eq!(result.unwrap().instance_id, "s-1");
    assert!(peak >= CAP - 8192, "the counter sees the body: {peak}");
    TRACKED.with(|t| t.set(false));
}

/// `client.raw()` calls read under the same cap, and `?` gives the same typed error.
#[tokio::test]
async fn raw_calls_are_capped_too() {
    let server =
        TestServer::start(|_| Reply::huge(200, "application/json", &[b' '; 1024], 4096, false))
            .await;
    let client = client_builder(&server)
        .max_response_body(MIB as u64)
        .build()
        .unwrap();
    assert_eq!(client.max_response_body(), MIB as u64);
    let raw = client.raw().get_server().instance_id("s-1").send().await;
    let err = Error::from(raw.unwrap_err());
    let Error::ResponseTooLarge(big) = &err else {
        panic!("expected ResponseTooLarge, got {err:?}")
    };
    assert_eq!((big.limit, big.status), (MIB as u64, 200));
}

/// An error answer's body is capped at 64 KiB whatever the client's cap: a proxy's 1 MiB
/// error page stays a retryable 502 with the start of the page, and is not read to its end.
#[tokio::test]
async fn error_bodies_have_a_smaller_cap() {
    // Larger than the loopback socket buffers can absorb: the server must notice the drop.
    let page = format!(
        "<html>{}</html>",
        "<p>Bad Gateway</p>".repeat(16 * MIB / 18)
    );
    let server = TestServer::start(move |seen| match seen.index % 2 {
        0 => Reply::html(502, page.clone()),
        _ => Reply::html(502, page.clone()).unannounced(),
    })
    .await;
    let client = client_builder(&server).no_retry().build().unwrap();
    for _ in 0..2 {
        let err = client.servers().get("s-1").await.unwrap_err();
        let Error::Api(api) = &err else {
            panic!("expected Api, got {err:?}")
        };
        assert_eq!(api.status, 502);
        assert!(err.is_retryable());
        let ErrorDetail::Message(text) = &api.detail else {
            panic!("{:?}", api.detail)
        };
        assert!(text.starts_with("<html><p>Bad Gateway"), "{text}");
        assert!(err.to_string().len() < 1024, "{err}");
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        server.body_bytes_sent() < 16 * MIB as u64,
        "{} bytes sent: the rest was read",
        server.body_bytes_sent()
    );
    assert_eq!(playflow::transport::MAX_ERROR_BODY, 64 * 1024);
}

/// A body that drips in small pieces is put back together under the cap, and cut once it
/// goes past it.
#[tokio::test]
async fn a_dripping_body_is_read_under_the_cap_and_refused_past_it() {
    let pause = Duration::from_millis(2);
    let server = TestServer::start(move |seen| match seen.index {
        0 => Reply::server(200).unannounced().dripped(7, pause),
        _ => Reply::json(200, padded_server(4096))
            .unannounced()
            .dripped(512, pause),
    })
    .await;
    let client = client_builder(&server)
        .max_response_body(2048)
        .no_retry()
        .build()
        .unwrap();
    let server_answer = client.servers().get("s-1").await.unwrap();
    assert_eq!(server_answer.name, "ranked-eu-7");
    let err = client.servers().get("s-1").await.unwrap_err();
    assert!(
        matches!(&err, Error::ResponseTooLarge(big) if big.announced.is_none() && big.limit == 2048),
        "{err:?}"
    );
}

/// What a server writes reaches `Display` cut to about 512 characters, with a marker of how
/// much was cut, and with CR/LF, ANSI escapes, other control characters and bidi overrides
/// shown escaped.
#[tokio::test]
async fn server_text_in_display_is_cut_and_escaped() {
    let hostile = "bad\r\n2026-01-01 INFO forged line\x1b[2J\x1b[31mred\u{202e}txt\u{7}";
    let long = "y".repeat(10_000);
    let body = serde_json::json!({
        "error": hostile,
        "detail": [{"loc": ["body", "name\n"], "msg": long, "type": "x"}],
    })
    .to_string();
    let server = TestServer::start(move |_| Reply::json(422, body.clone())).await;
    let err = client(server.url()).servers().get("s-1").await.unwrap_err();
    let text = err.to_string();
    for c in text.chars() {
        assert!(
            !c.is_control() && !('\u{202a}'..='\u{202e}').contains(&c),
            "{c:?} in {text:?}"
        );
    }
    assert!(
        text.contains(r"bad\r\n2026-01-01 INFO forged line\u{1b}[2J\u{1b}[31mred\u{202e}txt\u{7}"),
        "{text}"
    );
    assert!(text.contains(r"body.name\n: "), "{text}");
    assert!(text.contains("… [9488 more bytes]"), "{text}");
    assert!(text.len() < 1500, "{} bytes", text.len());
    // The fields keep what the server sent.
    assert_eq!(err.api_error().unwrap().message, hostile);
}

/// The server's message survives whatever layout its error body has: `error`, `message` or
/// `detail`, with or without `status`, text, or nothing; and validation issues decode in the
/// spec's layout and in Zod's.
#[tokio::test]
async fn error_bodies_decode_whatever_their_layout() {
    let cases: Vec<(Reply, &str, ErrorDetail)> = vec![
        (
            Reply::json(409, r#"{"error":"Player already in a lobby"}"#),
            "Player already in a lobby",
            ErrorDetail::None,
        ),
        (
            Reply::json(400, r#"{"error":"Bad input","detail":"ttl too small"}"#),
            "Bad input",
            ErrorDetail::Message("ttl too small".into()),
        ),
        (
            Reply::json(401, r#"{"detail":"Not authenticated"}"#),
            "Not authenticated",
            ErrorDetail::None,
        ),
        (
            Reply::json(400, r#"{"message":"gateway says no"}"#),
            "gateway says no",
            ErrorDetail::None,
        ),
        (
            Reply::page(503, "application/json", ""),
            "Service Unavailable",
            ErrorDetail::None,
        ),
        (
            Reply::page(500, "text/plain", "upstream crashed\n"),
            "Internal Server Error",
            ErrorDetail::Message("upstream crashed".into()),
        ),
    ];
    let (replies, expected): (Vec<_>, Vec<_>) =
        cases.into_iter().map(|(r, m, d)| (r, (m, d))).unzip();
    let server = TestServer::start(move |seen| replies[seen.index].clone()).await;
    let client = client_builder(&server).no_retry().build().unwrap();
    for (message, detail) in expected {
        let err = client.servers().get("s-1").await.unwrap_err();
        let api = err.api_error().unwrap_or_else(|| panic!("{err:?}"));
        assert_eq!(
            (api.message.as_str(), &api.detail),
            (message, &detail),
            "{err:?}"
        );
        assert_eq!(api.operation, "get_server");
    }

    let spec = r#"{"error":"Validation failed","status":422,"detail":[{"loc":["body","ttl"],"msg":"too small","type":"too_small"}]}"#;
    let zod = r#"{"error":"Validation failed","detail":[{"path":["body","ttl"],"message":"too small","code":"too_small"}]}"#;
    for body in [spec, zod] {
        let server = TestServer::start(move |_| Reply::json(422, body)).await;
        let err = client_builder(&server)
            .build()
            .unwrap()
            .servers()
            .start_request(start_request())
            .await
            .unwrap_err();
        let [issue] = err.validation_issues() else {
            panic!("{body}: {:?}", err.validation_issues())
        };
        assert_eq!(
            issue.loc,
            [LocPart::Field("body".into()), LocPart::Field("ttl".into())],
            "{body}"
        );
        assert_eq!(
            (issue.msg.as_str(), issue.kind.as_str()),
            ("too small", "too_small")
        );
    }
}

/// A success body that does not fit its type names the operation and the JSON path of the
/// value at fault.
#[tokio::test]
async fn a_body_that_does_not_decode_names_the_field() {
    let body = r#"{"servers":[{"instance_id":"s-1","name":"a","status":"running"},{"instance_id":42,"name":"b","status":"running"}],"has_more":false}"#;
    let server = TestServer::start(move |_| Reply::json(200, body)).await;
    let err = client(server.url())
        .servers()
        .list()
        .send()
        .await
        .unwrap_err();
    let Error::Decode(decode) = &err else {
        panic!("expected Decode, got {err:?}")
    };
    assert_eq!(decode.operation, "list_servers");
    assert_eq!(decode.path.as_deref(), Some("servers[1].instance_id"));
    assert!(
        err.to_string()
            .contains("list_servers at `servers[1].instance_id`"),
        "{err}"
    );
    // Why, once: in the source, not repeated in the message.
    let why = err.source().expect("serde's reason").to_string();
    assert!(why.contains("invalid type"), "{why}");
    assert!(!err.to_string().contains(&why), "{err}");
}

/// `Display` is an error's own message; its causes are its `source()` chain, each said once,
/// down to the OS's "Connection refused".
#[tokio::test]
async fn the_error_chain_says_each_cause_once_down_to_the_root() {
    let addr = free_addr().await;
    let err = client_builder(&format!("http://{addr}"))
        .no_retry()
        .build()
        .unwrap()
        .servers()
        .get("s-1")
        .await
        .unwrap_err();
    let mut chain = vec![err.to_string()];
    let mut cause = err.source();
    while let Some(e) = cause {
        chain.push(e.to_string());
        cause = e.source();
    }
    let all = chain.join(": ");
    assert!(
        chain[0].starts_with("transport error: could not connect (in get_server)"),
        "{all}"
    );
    for (i, outer) in chain.iter().enumerate() {
        for inner in &chain[i + 1..] {
            assert!(
                !outer.contains(inner.as_str()),
                "{outer:?} repeats {inner:?}: {all}"
            );
        }
    }
    assert_eq!(all.matches("error sending request").count(), 1, "{all}");
    assert!(
        chain
            .last()
            .unwrap()
            .to_lowercase()
            .contains("connection refused"),
        "{all}"
    );
}
