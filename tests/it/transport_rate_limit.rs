//! Client-side rate limiting against a server that enforces PlayFlow's limits.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use playflow::{Client, Error, RateLimitConfig, ServerKey};
use playflow_test_support::*;

const WRITES_PER_SECOND: usize = 10;
const READS_PER_SECOND: usize = 100;

/// A server enforcing `limit` calls per class in *any* one-second window (a sliding log: the
/// strictest reading of "10 per second"), answering 429 beyond it, and reporting
/// `X-RateLimit-Limit`/`X-RateLimit-Remaining` like PlayFlow.
async fn enforcing_server() -> (TestServer, Arc<AtomicUsize>) {
    let rejected = Arc::new(AtomicUsize::new(0));
    let rejections = rejected.clone();
    let windows = Mutex::new((VecDeque::<Instant>::new(), VecDeque::<Instant>::new()));
    let server = TestServer::start(move |seen| {
        let mut windows = windows.lock().unwrap();
        let (log, limit, ok) = if seen.method == "GET" {
            (&mut windows.0, READS_PER_SECOND, Reply::server(200))
        } else {
            (&mut windows.1, WRITES_PER_SECOND, Reply::server(201))
        };
        while log
            .front()
            .is_some_and(|t| seen.at.duration_since(*t) >= Duration::from_secs(1))
        {
            log.pop_front();
        }
        if log.len() >= limit {
            rejections.fetch_add(1, Ordering::SeqCst);
            return Reply::error(429, "Too Many Requests")
                .header("retry-after", "1")
                .header("x-ratelimit-limit", limit.to_string())
                .header("x-ratelimit-remaining", "0");
        }
        log.push_back(seen.at);
        ok.header("x-ratelimit-limit", limit.to_string())
            .header("x-ratelimit-remaining", (limit - log.len()).to_string())
    })
    .await;
    (server, rejected)
}

fn limited_client(url: &str) -> Client {
    Client::builder(ServerKey::new(SERVER_KEY).unwrap())
        .base_url(url)
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_starts_get_no_429() {
    let (server, rejected) = enforcing_server().await;
    let client = limited_client(server.url());
    let calls: Vec<_> = (0..50)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.servers().start_request(start_request()).await })
        })
        .collect();
    let mut failures = Vec::new();
    for call in calls {
        if let Err(e) = call.await.unwrap() {
            failures.push(e.to_string());
        }
    }
    let seen = server.requests();
    assert_eq!(rejected.load(Ordering::SeqCst), 0, "429s answered");
    assert_eq!(failures, Vec::<String>::new());
    assert_eq!(seen.len(), 50, "every start sent exactly once");
    // The burst was spread out: 50 calls at under 10/s take more than 4.9 s.
    let span = seen.last().unwrap().at - seen[0].at;
    assert!(span > Duration::from_millis(4900), "{span:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_reads_gets_no_429() {
    let (server, rejected) = enforcing_server().await;
    let client = limited_client(server.url());
    let calls: Vec<_> = (0..250)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.servers().get("s-1").await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(rejected.load(Ordering::SeqCst), 0, "429s answered");
    assert_eq!(server.count(), 250);
}

#[tokio::test]
async fn clones_share_one_budget() {
    let (server, rejected) = enforcing_server().await;
    let first = limited_client(server.url());
    let second = first.clone();
    let (a, b) = tokio::join!(
        async {
            for _ in 0..6 {
                first.servers().start_request(start_request()).await?;
            }
            Ok::<_, Error>(())
        },
        async {
            for _ in 0..6 {
                second.servers().start_request(start_request()).await?;
            }
            Ok::<_, Error>(())
        }
    );
    a.unwrap();
    b.unwrap();
    let seen = server.requests();
    assert_eq!(rejected.load(Ordering::SeqCst), 0);
    assert_eq!(seen.len(), 12);
    // Evenly spaced across both clones: 10 consecutive writes span more than a second.
    for window in seen.windows(WRITES_PER_SECOND) {
        let span = window.last().unwrap().at - window[0].at;
        assert!(span > Duration::from_secs(1), "{span:?}");
    }
}

#[tokio::test]
async fn remaining_zero_holds_that_class_for_a_window() {
    // The first read reports an exhausted budget (someone else uses the key).
    let server = TestServer::start(|seen| match (seen.index, seen.method.as_str()) {
        (0, _) => Reply::server(200).header("x-ratelimit-remaining", "0"),
        (_, "GET") => Reply::server(200).header("x-ratelimit-remaining", "50"),
        _ => Reply::server(201).header("x-ratelimit-remaining", "5"),
    })
    .await;
    let client = limited_client(server.url());
    client.servers().get("s-1").await.unwrap();
    // A write is not held by the read budget ...
    client
        .servers()
        .start_request(start_request())
        .await
        .unwrap();
    // ... but the next read waits for the window to pass.
    client.servers().get("s-1").await.unwrap();
    let seen = server.requests();
    assert_eq!(seen[1].method, "POST");
    assert!(
        seen[1].at - seen[0].at < Duration::from_millis(900),
        "the write was held: {:?}",
        seen[1].at - seen[0].at
    );
    let gap = seen[2].at - seen[0].at;
    assert!(gap >= Duration::from_secs(1), "read held only {gap:?}");
}

#[tokio::test]
async fn a_429_holds_its_class_for_retry_after() {
    let server = TestServer::start(|seen| match seen.index {
        0 => Reply::error(429, "Too Many Requests")
            .header("retry-after", "2")
            .header("x-ratelimit-remaining", "0"),
        _ => Reply::server(201),
    })
    .await;
    let client = Client::builder(ServerKey::new(SERVER_KEY).unwrap())
        .base_url(server.url())
        .build()
        .unwrap();
    // The 429 of a start goes to the caller (a POST is never retried) ...
    let err = client
        .servers()
        .start_request(start_request())
        .await
        .unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(2)));
    // ... and the next start waits until the server's Retry-After has passed.
    client
        .servers()
        .start_request(start_request())
        .await
        .unwrap();
    let seen = server.requests();
    let gap = seen[1].at - seen[0].at;
    assert!(gap >= Duration::from_secs(2), "held only {gap:?}");
}

#[tokio::test]
async fn zero_limits_are_refused_when_building() {
    let err = Client::builder(ServerKey::new(SERVER_KEY).unwrap())
        .rate_limit(RateLimitConfig::new().reads_per_second(0))
        .build()
        .unwrap_err();
    let Error::InvalidInput(input) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(input.field, "rate_limit.reads_per_second");
}

#[tokio::test]
async fn without_rate_limiting_a_burst_goes_out_at_once() {
    // The control experiment: the same burst without client-side limiting is answered 429.
    let (server, rejected) = enforcing_server().await;
    let client = client(server.url()); // no_rate_limit
    let calls: Vec<_> = (0..20)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.servers().start_request(start_request()).await })
        })
        .collect();
    let mut limited = 0;
    for call in calls {
        if let Err(Error::RateLimited(_)) = call.await.unwrap() {
            limited += 1;
        }
    }
    assert_eq!(limited, 10);
    assert_eq!(rejected.load(Ordering::SeqCst), 10);
}
