//! The start outcome matrix: for each way a call can fail (before or after the request reached
//! the server), what `is_retryable()` and `outcome_unknown()` say, for the non-idempotent
//! start (facade and raw) and for an idempotent GET.

use std::time::Duration;

use playflow::{Client, Error, ServerKey};
use playflow_test_support::*;

/// How the server (or the network) answers every request.
#[derive(Debug, Clone, Copy)]
enum Fault {
    Status503,
    Status500,
    /// 429 with a `Retry-After` beyond the client's cap: handed back at once, not retried.
    Status429,
    /// The request is read, then the connection is reset without an answer.
    ResetAfterSend,
    /// The head of a 201/200 arrives, then the body is cut short.
    BodyCutShort,
    /// Nothing listens: the request never leaves.
    ConnectRefused,
}

impl Fault {
    fn reply(self, method: &str) -> Reply {
        let ok = if method == "POST" { 201 } else { 200 };
        match self {
            Self::Status503 => Reply::error(503, "Service Unavailable"),
            Self::Status500 => Reply::error(500, "Internal Server Error"),
            Self::Status429 => Reply::error(429, "Too Many Requests").header("retry-after", "30"),
            Self::ResetAfterSend => Reply::reset(),
            Self::BodyCutShort => Reply::server(ok).truncated_after(12),
            Self::ConnectRefused => unreachable!("nothing answers"),
        }
    }

    /// Whether the request reached the server.
    fn sent(self) -> bool {
        !matches!(self, Self::ConnectRefused)
    }
}

/// What a call's error said, and how many requests the server got.
#[derive(Debug, PartialEq, Eq)]
struct Signals {
    retryable: bool,
    unknown: bool,
}

fn signals(err: &Error) -> Signals {
    Signals {
        retryable: err.is_retryable(),
        unknown: err.outcome_unknown(),
    }
}

async fn setup(fault: Fault) -> (Option<TestServer>, Client<ServerKey>) {
    let (server, url) = if fault.sent() {
        let server = TestServer::start(move |seen| fault.reply(&seen.method)).await;
        let url = server.url().to_owned();
        (Some(server), url)
    } else {
        (None, format!("http://{}", free_addr().await))
    };
    let client = client_builder(&url)
        .retry(fast_retry().max_retries(1))
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    (server, client)
}

const FAULTS: [Fault; 6] = [
    Fault::Status503,
    Fault::Status500,
    Fault::Status429,
    Fault::ResetAfterSend,
    Fault::BodyCutShort,
    Fault::ConnectRefused,
];

#[tokio::test]
async fn the_start_outcome_matrix() {
    for fault in FAULTS {
        // After sending, a failure other than 429 leaves the start's outcome unknown, so it is
        // not safe to repeat; a 429, or a request that never left, is.
        let unknown = fault.sent() && !matches!(fault, Fault::Status429);
        let expected = Signals {
            retryable: !unknown,
            unknown,
        };

        let (server, client) = setup(fault).await;
        let facade = client
            .servers()
            .start_request(start_request())
            .await
            .unwrap_err();
        assert_eq!(
            signals(&facade),
            expected,
            "facade start, {fault:?}: {facade:?}"
        );

        let raw: Error = client
            .raw()
            .start_server()
            .body(start_request())
            .send()
            .await
            .unwrap_err()
            .into();
        assert_eq!(signals(&raw), expected, "raw start, {fault:?}: {raw:?}");

        if let Some(server) = server {
            // Never sent twice: one request per call.
            assert_eq!(server.calls("POST", "/servers/start").len(), 2, "{fault:?}");
        }
        if matches!(fault, Fault::Status429) {
            assert_eq!(facade.retry_after(), Some(Duration::from_secs(30)));
        }
    }
}

#[tokio::test]
async fn a_get_is_retryable_after_every_fault() {
    for fault in FAULTS {
        let (server, client) = setup(fault).await;
        let err = client.servers().get("s-1").await.unwrap_err();
        let expected = Signals {
            retryable: true,
            unknown: fault.sent() && !matches!(fault, Fault::Status429),
        };
        assert_eq!(signals(&err), expected, "GET, {fault:?}: {err:?}");
        let raw: Error = client
            .raw()
            .get_server()
            .instance_id("s-1")
            .send()
            .await
            .unwrap_err()
            .into();
        assert_eq!(signals(&raw), expected, "raw GET, {fault:?}: {raw:?}");
        if let Some(server) = server {
            // The 429 asked for longer than the client waits; everything else was retried once.
            let per_call = if matches!(fault, Fault::Status429) {
                1
            } else {
                2
            };
            assert_eq!(server.count(), 2 * per_call, "{fault:?}");
        }
    }
}

#[tokio::test]
async fn an_html_502_from_a_raw_call_keeps_its_status() {
    let server = TestServer::start(|_| Reply::html(502, "<html>Bad Gateway</html>")).await;
    let client = client_builder(&server).no_retry().build().unwrap();
    let err: Error = client
        .raw()
        .start_server()
        .body(start_request())
        .send()
        .await
        .unwrap_err()
        .into();
    assert_eq!(err.status(), Some(502), "{err:?}");
    assert!(matches!(err, Error::Api(_)), "{err:?}");
    assert!(err.outcome_unknown() && !err.is_retryable());
}
