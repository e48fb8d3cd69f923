//! A GET whose answer fails after its head (reset mid-body, cut short, stalled, dripped past
//! the timeout) is retried like any other failure, within the same total budget; a POST's is
//! not.

use std::time::{Duration, Instant};

use playflow::Error;
use playflow_test_support::*;

/// A server whose first answer to each GET fails with `fault`, then answers normally.
async fn failing_once(fault: fn(Reply) -> Reply) -> TestServer {
    TestServer::start(move |seen| match seen.route_index {
        0 => fault(Reply::server(200)),
        _ => Reply::server(200),
    })
    .await
}

async fn get_recovers_from(fault: fn(Reply) -> Reply) {
    let server = failing_once(fault).await;
    let client = client_builder(&server)
        .timeout(Duration::from_millis(400))
        .build()
        .unwrap();
    let got = tokio::time::timeout(Duration::from_secs(10), client.servers().get("s-1"))
        .await
        .expect("the call ends");
    assert_eq!(got.unwrap().instance_id, "s-1");
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn a_get_reset_mid_body_is_retried() {
    get_recovers_from(|r| r.reset_after(10)).await;
}

#[tokio::test]
async fn a_get_whose_body_is_cut_short_is_retried() {
    get_recovers_from(|r| r.truncated_after(10)).await;
}

#[tokio::test]
async fn a_get_whose_body_stalls_is_retried() {
    get_recovers_from(|r| r.stalled_after(10)).await;
}

#[tokio::test]
async fn a_get_whose_body_drips_past_the_timeout_is_retried() {
    get_recovers_from(|r| r.dripped(1, Duration::from_millis(50))).await;
}

#[tokio::test]
async fn body_retries_stay_within_the_total_budget() {
    let server = TestServer::start(|_| Reply::server(200).stalled_after(10)).await;
    let timeout = Duration::from_millis(200);
    let budget = Duration::from_millis(900);
    let client = client_builder(&server)
        .timeout(timeout)
        .retry(fast_retry().max_retries(50).max_elapsed(budget))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = tokio::time::timeout(Duration::from_secs(10), client.servers().get("s-1"))
        .await
        .expect("the call ends")
        .unwrap_err();
    let took = started.elapsed();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert!(err.is_retryable());
    // No retry starts after the budget; the last attempt may run its timeout past it.
    assert!(took < budget + timeout * 2, "took {took:?}");
    let attempts = server.count();
    assert!((2..=5).contains(&attempts), "{attempts} attempts");
}

#[tokio::test]
async fn a_post_whose_body_is_cut_short_is_not_retried() {
    let server = TestServer::start(|_| Reply::server(201).truncated_after(10)).await;
    let err = client(&server)
        .servers()
        .start_request(start_request())
        .await
        .unwrap_err();
    assert!(err.outcome_unknown(), "{err:?}");
    assert!(!err.is_retryable());
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(server.count(), 1);
}
