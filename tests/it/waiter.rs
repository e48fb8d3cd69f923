//! The polling engine shared by every waiter: backoff bounds, configuration checks, the
//! deadline, and errors that are waited out.

use std::sync::atomic::Ordering;
use std::time::Duration;

use httpmock::MockServer;
use playflow::Error;
use playflow::servers::ServerOutcome;
use serde_json::json;

use playflow_test_support::{client, script, server_json};

fn offline_client() -> playflow::Client {
    playflow::Client::new(playflow::ServerKey::new(playflow_test_support::SERVER_KEY).unwrap())
        .unwrap()
}

#[test]
fn without_jitter_delays_double_from_min_up_to_max() {
    let client = offline_client();
    let waiter = client
        .servers()
        .wait_until_running("s")
        .min_delay(Duration::from_millis(100))
        .max_delay(Duration::from_millis(1000))
        .jitter(false);
    let millis: Vec<u128> = waiter.delays().take(7).map(|d| d.as_millis()).collect();
    assert_eq!(millis, [100, 200, 400, 800, 1000, 1000, 1000]);
}

#[test]
fn full_jitter_stays_between_min_and_the_exponential_ceiling() {
    let client = offline_client();
    let (min, max) = (Duration::from_millis(100), Duration::from_millis(1000));
    let waiter = client
        .builds()
        .wait_until_ready("b")
        .min_delay(min)
        .max_delay(max);
    let mut distinct = std::collections::HashSet::new();
    for _ in 0..200 {
        for (i, delay) in waiter.delays().take(8).enumerate() {
            let ceiling = (min * 2u32.pow(i as u32)).min(max);
            assert!(
                delay >= min && delay <= ceiling,
                "attempt {i}: {delay:?} not in {min:?}..={ceiling:?}"
            );
            distinct.insert(delay);
        }
    }
    assert!(
        distinct.len() > 100,
        "jitter should spread the delays, got {} values",
        distinct.len()
    );
}

async fn refused(
    configure: impl FnOnce(
        playflow::servers::ServerRunningWaiter<playflow::ServerKey>,
    ) -> playflow::servers::ServerRunningWaiter<playflow::ServerKey>,
) -> String {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_when, then| {
            then.status(500);
        })
        .await;
    let client = client(&server);
    let err = configure(client.servers().wait_until_running("s"))
        .wait(Duration::from_secs(1))
        .await
        .unwrap_err();
    any.assert_calls_async(0).await;
    match err {
        Error::InvalidInput(e) => e.field,
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

#[tokio::test]
async fn a_zero_min_delay_is_refused_before_polling() {
    assert_eq!(refused(|w| w.min_delay(Duration::ZERO)).await, "min_delay");
}

#[tokio::test]
async fn a_max_delay_below_the_min_is_refused_before_polling() {
    let field = refused(|w| {
        w.min_delay(Duration::from_secs(5))
            .max_delay(Duration::from_secs(1))
    })
    .await;
    assert_eq!(field, "max_delay");
}

#[tokio::test]
async fn a_zero_max_wait_polls_exactly_once() {
    let server = MockServer::start_async().await;
    let polls = server
        .mock_async(|when, then| {
            when.method("GET").path("/api/v3/servers/s");
            then.status(200).json_body(server_json("s", "launching"));
        })
        .await;
    let client = client(&server);
    let outcome = client
        .servers()
        .wait_until_running("s")
        .wait(Duration::ZERO)
        .await
        .unwrap();
    let ServerOutcome::ExceededMaxWait(e) = outcome else {
        panic!("expected ExceededMaxWait")
    };
    assert_eq!(e.attempts, 1);
    polls.assert_calls_async(1).await;
}

#[tokio::test]
async fn the_last_sleep_is_cut_to_poll_at_the_deadline() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method("GET").path("/api/v3/servers/s");
            then.status(200).json_body(server_json("s", "launching"));
        })
        .await;
    let client = client(&server);
    // A minimum delay of 5 s would overshoot a 200 ms wait: the waiter polls at the deadline
    // instead, and stops there.
    let outcome = client
        .servers()
        .wait_until_running("s")
        .min_delay(Duration::from_secs(5))
        .max_delay(Duration::from_secs(10))
        .wait(Duration::from_millis(200))
        .await
        .unwrap();
    let ServerOutcome::ExceededMaxWait(e) = outcome else {
        panic!("expected ExceededMaxWait")
    };
    assert_eq!(e.attempts, 2);
    assert!(
        e.elapsed >= Duration::from_millis(200) && e.elapsed < Duration::from_secs(3),
        "{:?}",
        e.elapsed
    );
}

#[tokio::test]
async fn retryable_errors_are_waited_out() {
    let server = MockServer::start_async().await;
    let unavailable = json!({ "error": "Service unavailable", "status": 503 });
    let (responder, calls) = script(vec![
        (503, unavailable.clone()),
        (200, server_json("s", "launching")),
        (503, unavailable),
        (200, server_json("s", "running")),
    ]);
    server
        .mock_async(|when, then| {
            when.method("GET").path("/api/v3/servers/s");
            then.respond_with(responder);
        })
        .await;
    let client = client(&server);
    let outcome = client
        .servers()
        .wait_until_running("s")
        .min_delay(Duration::from_millis(5))
        .max_delay(Duration::from_millis(10))
        .wait(Duration::from_secs(10))
        .await
        .unwrap();
    assert!(matches!(outcome, ServerOutcome::Running(_)), "{outcome:?}");
    assert!(calls.load(Ordering::SeqCst) >= 4);
}

#[tokio::test]
async fn a_wait_that_only_saw_errors_reports_the_last_one() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method("GET").path("/api/v3/servers/s");
            then.status(503)
                .json_body(json!({ "error": "Service unavailable", "status": 503 }));
        })
        .await;
    let client = client(&server);
    let outcome = client
        .servers()
        .wait_until_running("s")
        .min_delay(Duration::from_millis(10))
        .max_delay(Duration::from_millis(20))
        .wait(Duration::from_millis(100))
        .await
        .unwrap();
    let ServerOutcome::ExceededMaxWait(e) = outcome else {
        panic!("expected ExceededMaxWait")
    };
    assert!(e.last_seen.is_none());
    assert_eq!(e.last_error.as_ref().and_then(Error::status), Some(503));
}

fn assert_send<T: Send>(_: &T) {}

#[test]
fn workflow_futures_and_streams_can_be_spawned() {
    // Compile-time: `tokio::spawn` needs `Send` futures and streams.
    let client = offline_client();
    let game = playflow::Client::for_game_client(
        playflow::ClientKey::new("pfclient_0123456789abcdef").unwrap(),
    )
    .unwrap();
    assert_send(
        &client
            .servers()
            .wait_until_running("s")
            .wait(Duration::from_secs(1)),
    );
    assert_send(
        &client
            .builds()
            .wait_until_ready("b")
            .wait(Duration::from_secs(1)),
    );
    assert_send(&client.servers().start("n", "us-east").idempotent().send());
    assert_send(
        &game
            .servers()
            .start("n", "us-east")
            .send_and_wait(Duration::from_secs(1)),
    );
    assert_send(&game.servers().list().collect_all());
    assert_send(
        &client
            .builds()
            .upload("server.zip")
            .send_and_wait(Duration::from_secs(1)),
    );
    assert_send(
        &client
            .builds()
            .create_from_docker_image("img:1")
            .send_and_wait(Duration::from_secs(1)),
    );
    assert_send(&client.servers().logs("s").follow());
    assert_send(&client.project().logs("-1h").follow());
    assert_send(&client.builds().list().stream());
}

#[tokio::test]
async fn a_rate_limited_poll_waits_as_long_as_retry_after_asks() {
    let server = MockServer::start_async().await;
    let limited = json!({ "error": "Too many requests", "status": 429 });
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = std::sync::Arc::clone(&calls);
    server
        .mock_async(|when, then| {
            when.method("GET").path("/api/v3/servers/s");
            then.respond_with(move |_: &httpmock::HttpMockRequest| {
                if counter.fetch_add(1, Ordering::SeqCst) == 0 {
                    httpmock::HttpMockResponse::builder()
                        .status(429)
                        .header("content-type", "application/json")
                        .header("retry-after", "1")
                        .body(limited.to_string())
                        .build()
                } else {
                    playflow_test_support::json_response(200, &server_json("s", "running"))
                }
            });
        })
        .await;
    let client = client(&server);
    let started = std::time::Instant::now();
    let outcome = client
        .servers()
        .wait_until_running("s")
        .min_delay(Duration::from_millis(5))
        .max_delay(Duration::from_millis(10))
        .wait(Duration::from_secs(10))
        .await
        .unwrap();
    assert!(matches!(outcome, ServerOutcome::Running(_)), "{outcome:?}");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "did not honour Retry-After: {:?}",
        started.elapsed()
    );
}
