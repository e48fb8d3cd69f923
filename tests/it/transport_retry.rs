//! Which failures are retried, how often, and after how long; and that a non-idempotent call
//! is never sent twice.

use std::time::Duration;

use playflow::Error;
use playflow_test_support::*;
use tokio::net::TcpListener;

#[tokio::test]
async fn get_is_retried_on_503_then_succeeds() {
    let server = TestServer::start(|seen| match seen.index {
        0 => Reply::error(503, "Service Unavailable"),
        _ => Reply::server(200),
    })
    .await;
    let server_json = client(server.url()).servers().get("s-1").await.unwrap();
    assert_eq!(server_json.instance_id, "s-1");
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    // The retry carries the key as the first attempt did.
    assert!(seen.iter().all(|s| s.header("api-key") == Some(SERVER_KEY)));
}

#[tokio::test]
async fn get_is_retried_on_408_and_each_of_500_to_504() {
    for status in [408, 500, 501, 502, 503, 504] {
        let server = TestServer::start(move |seen| match seen.index {
            0 => Reply::error(status, "try again"),
            _ => Reply::server(200),
        })
        .await;
        let result = client(server.url()).servers().get("s-1").await;
        assert!(result.is_ok(), "status {status}: {result:?}");
        assert_eq!(server.count(), 2, "status {status}");
    }
}

#[tokio::test]
async fn other_error_statuses_are_not_retried() {
    for status in [400, 401, 403, 404, 409, 422, 505] {
        let server = TestServer::start(move |_| Reply::error(status, "no")).await;
        let err = client(server.url()).servers().get("s-1").await.unwrap_err();
        assert_eq!(err.status(), Some(status));
        assert_eq!(server.count(), 1, "status {status}");
    }
}

#[tokio::test]
async fn delete_is_retried_like_get() {
    let server = TestServer::start(|seen| match seen.index {
        0 => Reply::error(502, "Bad Gateway"),
        _ => Reply::json(
            200,
            r#"{"instance_id":"s-1","status":"stopped","message":"stopped"}"#,
        ),
    })
    .await;
    let result = client(server.url()).servers().stop("s-1").await;
    assert!(result.is_ok(), "{result:?}");
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|s| s.method == "DELETE"));
}

#[tokio::test]
async fn retry_after_in_seconds_is_waited_for() {
    let server = TestServer::start(|seen| match seen.index {
        0 => Reply::error(429, "Too Many Requests").header("retry-after", "1"),
        _ => Reply::server(200),
    })
    .await;
    client(server.url()).servers().get("s-1").await.unwrap();
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    let gap = seen[1].at - seen[0].at;
    assert!(gap >= Duration::from_secs(1), "retried after {gap:?}");
}

#[tokio::test]
async fn retry_after_as_http_date_is_waited_for() {
    // An HTTP date has whole seconds: two seconds ahead is at least one second away.
    let server = TestServer::start(|seen| match seen.index {
        0 => {
            let when = chrono::Utc::now() + chrono::Duration::seconds(2);
            let date = when.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
            Reply::error(503, "Service Unavailable").header("retry-after", date)
        }
        _ => Reply::server(200),
    })
    .await;
    client(server.url()).servers().get("s-1").await.unwrap();
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    let gap = seen[1].at - seen[0].at;
    assert!(gap >= Duration::from_secs(1), "retried after {gap:?}");
}

#[tokio::test]
async fn retry_after_beyond_the_cap_goes_to_the_caller() {
    let server = TestServer::start(|_| {
        Reply::error(429, "Too Many Requests")
            .header("retry-after", "30")
            .header("x-ratelimit-limit", "100")
            .header("x-ratelimit-remaining", "0")
    })
    .await;
    let err = client(server.url()).servers().get("s-1").await.unwrap_err();
    assert_eq!(server.count(), 1);
    let Error::RateLimited(limited) = &err else {
        panic!("expected RateLimited, got {err:?}")
    };
    assert_eq!(limited.retry_after, Some(Duration::from_secs(30)));
    assert_eq!(limited.limit, Some(100));
    assert_eq!(limited.remaining, Some(0));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(30)));
    assert!(err.is_retryable());
}

#[tokio::test]
async fn attempts_are_bounded() {
    let server = TestServer::start(|_| Reply::error(503, "Service Unavailable")).await;
    let client = client_builder(server.url())
        .retry(fast_retry().max_retries(2))
        .build()
        .unwrap();
    let err = client.servers().get("s-1").await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert!(err.is_retryable());
    assert_eq!(server.count(), 3, "one attempt and two retries");
}

#[tokio::test]
async fn total_time_is_bounded() {
    let budget = Duration::from_millis(600);
    let server = TestServer::start(|_| Reply::error(503, "Service Unavailable")).await;
    let client = client_builder(server.url())
        .retry(
            playflow::RetryConfig::new()
                .max_retries(50)
                .initial_backoff(Duration::from_millis(100))
                .max_backoff(Duration::from_millis(100))
                .max_elapsed(budget),
        )
        .build()
        .unwrap();
    client.servers().get("s-1").await.unwrap_err();
    let seen = server.requests();
    // Delays of 100–200 ms within 600 ms: at least 3 retries, far fewer than 50.
    assert!((4..=7).contains(&seen.len()), "{} attempts", seen.len());
    let span = seen.last().unwrap().at - seen[0].at;
    assert!(span <= budget + Duration::from_millis(100), "{span:?}");
}

#[tokio::test]
async fn get_is_retried_after_a_timeout() {
    let server = TestServer::start(|seen| match seen.index {
        0 => Reply::server(200).delay(Duration::from_secs(2)),
        _ => Reply::server(200),
    })
    .await;
    let client = client_builder(server.url())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    client.servers().get("s-1").await.unwrap();
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn get_is_retried_when_the_connection_is_refused() {
    let addr = free_addr().await;
    let client = client_builder(&format!("http://{addr}"))
        .retry(
            playflow::RetryConfig::new()
                .max_retries(5)
                .initial_backoff(Duration::from_millis(300))
                .max_backoff(Duration::from_millis(300)),
        )
        .build()
        .unwrap();
    let call = tokio::spawn(async move { client.servers().get("s-1").await });
    tokio::time::sleep(Duration::from_millis(150)).await;
    let server = TestServer::start_on(TcpListener::bind(addr).await.unwrap(), |_| {
        Reply::server(200)
    });
    let got = call.await.unwrap();
    assert!(got.is_ok(), "{got:?}");
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn a_refused_connection_is_a_retryable_transport_error() {
    let addr = free_addr().await;
    let url = format!("http://{addr}");
    let client = client_builder(&url)
        .retry(fast_retry().max_retries(2))
        .build()
        .unwrap();
    let err = client.servers().get("s-1").await.unwrap_err();
    let Error::Transport(transport) = &err else {
        panic!("expected Transport, got {err:?}")
    };
    assert!(transport.is_connect());
    assert!(err.is_retryable());
    assert_eq!(err.status(), None);
}

/// A POST that could not connect never left, so it is retried: the server, started only after
/// the first attempt was refused, receives it exactly once and the call succeeds.
#[tokio::test]
async fn post_is_retried_when_the_connection_is_refused() {
    let addr = free_addr().await;
    let client = client_builder(&format!("http://{addr}"))
        .retry(
            playflow::RetryConfig::new()
                .max_retries(5)
                .initial_backoff(Duration::from_millis(300))
                .max_backoff(Duration::from_millis(300)),
        )
        .build()
        .unwrap();
    let call = tokio::spawn(async move { client.servers().start_request(start_request()).await });
    tokio::time::sleep(Duration::from_millis(150)).await;
    let server = TestServer::start_on(TcpListener::bind(addr).await.unwrap(), |_| {
        Reply::server(201)
    });
    let started = call.await.unwrap();
    assert!(started.is_ok(), "{started:?}");
    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[0].path, "/api/v3/servers/start");
}

#[tokio::test]
async fn post_is_not_retried_on_503() {
    let server = TestServer::start(|_| Reply::error(503, "Service Unavailable")).await;
    let err = client(server.url())
        .servers()
        .start_request(start_request())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(server.count(), 1, "a POST must never be sent twice");
}

#[tokio::test]
async fn post_is_not_retried_on_429() {
    let server =
        TestServer::start(|_| Reply::error(429, "Too Many Requests").header("retry-after", "0"))
            .await;
    let err = client(server.url())
        .servers()
        .start_request(start_request())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RateLimited(_)), "{err:?}");
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn post_is_not_retried_after_a_timeout() {
    let server = TestServer::start(|_| Reply::server(201).delay(Duration::from_secs(2))).await;
    let client = client_builder(server.url())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = client
        .servers()
        .start_request(start_request())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    // The server may have started it: not safe to repeat.
    assert!(err.outcome_unknown());
    assert!(!err.is_retryable());
    // Give a (wrong) retry time to arrive before counting.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.count(), 1);
}

/// A server that reads each request and closes the connection without answering for the
/// first `drops` of them, then answers 201/200 with a server.
async fn dropping_server(drops: usize) -> TestServer {
    TestServer::start(move |seen| match seen.method.as_str() {
        _ if seen.index < drops => Reply::close(),
        "POST" => Reply::server(201),
        _ => Reply::server(200),
    })
    .await
}

#[tokio::test]
async fn get_is_retried_when_the_connection_drops_after_sending() {
    let server = dropping_server(1).await;
    client(&server).servers().get("s-1").await.unwrap();
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn post_is_not_retried_when_the_connection_drops_after_sending() {
    let server = dropping_server(1).await;
    let err = client(&server)
        .servers()
        .start_request(start_request())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        server.count(),
        1,
        "the server got the POST once and may have acted on it"
    );
}

#[tokio::test]
async fn no_retry_sends_each_call_once() {
    let server = TestServer::start(|_| Reply::error(503, "Service Unavailable")).await;
    let client = client_builder(server.url()).no_retry().build().unwrap();
    client.servers().get("s-1").await.unwrap_err();
    assert_eq!(server.count(), 1);
}
