//! Client configuration, as seen on the wire: base URL rules, user agent, timeouts, the key
//! header, an injected `reqwest::Client`, and the lobby event stream's lack of a total timeout.

use std::time::Duration;

use futures::StreamExt;
use playflow::{Client, ClientKey, Error, ServerKey};
use playflow_test_support::*;

fn assert_send_sync_clone<T: Send + Sync + Clone + 'static>() {}
fn assert_send_sync<T: Send + Sync + 'static>() {}

#[test]
fn clients_are_send_sync_and_clone() {
    assert_send_sync_clone::<Client<ServerKey>>();
    assert_send_sync_clone::<Client<ClientKey>>();
    assert_send_sync_clone::<playflow::raw::Client>();
    // Errors cross threads too (not `Clone`: they own a `reqwest::Error`).
    assert_send_sync::<Error>();
}

fn base_url_error(url: &str) -> Option<String> {
    let key = ServerKey::new(SERVER_KEY).unwrap();
    match Client::builder(key).base_url(url).build() {
        Ok(_) => None,
        Err(Error::InvalidInput(input)) => {
            assert_eq!(input.field, "base_url");
            Some(input.reason)
        }
        Err(other) => panic!("unexpected error {other:?}"),
    }
}

#[test]
fn base_url_must_be_https_or_loopback_http() {
    for ok in [
        "https://api.computeflow.cloud",
        "https://api.computeflow.cloud/",
        "https://proxy.example.com/playflow",
        "http://127.0.0.1:8080",
        "http://localhost:3000",
        "http://[::1]:9000",
    ] {
        assert_eq!(base_url_error(ok), None, "{ok}");
    }
    let refused = base_url_error("http://api.computeflow.cloud").unwrap();
    assert!(refused.contains("loopback"), "{refused}");
    assert!(base_url_error("http://10.0.0.7").is_some());
    assert!(base_url_error("ftp://example.com").is_some());
    assert!(base_url_error("api.computeflow.cloud").is_some());
    assert!(base_url_error("https://example.com/?token=x").is_some());
    let credentials = base_url_error("https://user:hunter2@example.com").unwrap();
    assert!(!credentials.contains("hunter2"), "{credentials}");
}

#[test]
fn plain_http_elsewhere_needs_an_explicit_opt_in() {
    let key = ServerKey::new(SERVER_KEY).unwrap();
    let client = Client::builder(key)
        .base_url("http://playflow.internal:8080/")
        .allow_insecure_http(true)
        .build()
        .unwrap();
    assert_eq!(client.base_url(), "http://playflow.internal:8080");
}

#[test]
fn the_default_base_url_is_playflows() {
    let client = Client::new(ServerKey::new(SERVER_KEY).unwrap()).unwrap();
    assert_eq!(client.base_url(), "https://api.computeflow.cloud");
    assert_eq!(playflow::DEFAULT_BASE_URL, "https://api.computeflow.cloud");
}

#[tokio::test]
async fn the_user_agent_names_the_crate_and_version() {
    let server = TestServer::start(|_| Reply::server(200)).await;
    client(server.url()).servers().get("s-1").await.unwrap();
    let expected = format!("playflow-rust/{}", env!("CARGO_PKG_VERSION"));
    assert_eq!(
        server.requests()[0].header("user-agent"),
        Some(expected.as_str())
    );
    assert_eq!(playflow::USER_AGENT, expected);
}

#[tokio::test]
async fn the_user_agent_can_be_replaced() {
    let server = TestServer::start(|_| Reply::server(200)).await;
    let client = client_builder(server.url())
        .user_agent("matchmaker/2.1")
        .build()
        .unwrap();
    client.servers().get("s-1").await.unwrap();
    assert_eq!(
        server.requests()[0].header("user-agent"),
        Some("matchmaker/2.1")
    );
}

#[tokio::test]
async fn the_key_goes_in_the_api_key_header_but_not_to_the_health_check() {
    let server = TestServer::start(|seen| {
        if seen.path == "/api/health" {
            Reply::json(200, r#"{"status":"ok"}"#)
        } else {
            Reply::server(200)
        }
    })
    .await;
    let client = client(server.url());
    client.servers().get("s-1").await.unwrap();
    let health = client.health().await.unwrap();
    assert_eq!(health.status.as_deref(), Some("ok"));
    let seen = server.requests();
    assert_eq!(seen[0].path, "/api/v3/servers/s-1");
    assert_eq!(seen[0].header("api-key"), Some(SERVER_KEY));
    assert_eq!(seen[1].path, "/api/health");
    assert_eq!(seen[1].header("api-key"), None);
}

#[tokio::test]
async fn a_client_key_client_sends_its_client_key() {
    let key = "pfclient_0123456789abcdefCLIENT";
    let server = TestServer::start(|_| Reply::server(200)).await;
    let client = Client::builder(ClientKey::new(key).unwrap())
        .base_url(server.url())
        .build()
        .unwrap();
    client.servers().get("s-1").await.unwrap();
    assert_eq!(server.requests()[0].header("api-key"), Some(key));
}

#[tokio::test]
async fn an_injected_reqwest_client_is_used() {
    let server = TestServer::start(|_| Reply::server(200)).await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-injected", "yes".parse().unwrap());
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .redirect(playflow::redirect_policy())
        .build()
        .unwrap();
    let client = client_builder(server.url())
        .http_client(http)
        .build()
        .unwrap();
    client.servers().get("s-1").await.unwrap();
    let seen = &server.requests()[0];
    assert_eq!(seen.header("x-injected"), Some("yes"));
    assert_eq!(seen.header("api-key"), Some(SERVER_KEY));
}

#[tokio::test]
async fn a_slow_answer_times_out() {
    let server = TestServer::start(|_| Reply::server(200).delay(Duration::from_secs(3))).await;
    let client = client_builder(server.url())
        .timeout(Duration::from_millis(200))
        .no_retry()
        .build()
        .unwrap();
    let err = client.servers().get("s-1").await.unwrap_err();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert!(err.is_retryable());
    assert_eq!(err.status(), None);
}

/// The lobby event stream stays open far longer than the whole-request timeout.
#[tokio::test]
async fn the_lobby_event_stream_has_no_total_timeout() {
    let pause = Step::Wait(Duration::from_millis(400));
    let server = TestServer::start(move |_| {
        Reply::sse(vec![
            Step::Send(b"data: 0\n\n".to_vec()),
            pause.clone(),
            Step::Send(b"data: 1\n\n".to_vec()),
            pause.clone(),
            Step::Send(b"data: 2\n\n".to_vec()),
        ])
    })
    .await;

    let client = client_builder(&server)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let response = client
        .raw()
        .subscribe_lobby_events()
        .config("ranked")
        .x_player_id("player-1")
        .send()
        .await
        .unwrap();
    let mut stream = response.into_inner();
    let mut text = String::new();
    while let Some(chunk) = stream.next().await {
        text.push_str(std::str::from_utf8(&chunk.unwrap()).unwrap());
    }
    assert_eq!(text, "data: 0\n\ndata: 1\n\ndata: 2\n\n");
}

#[test]
fn configuration_is_printable_without_the_key() {
    let builder = client_builder("http://127.0.0.1:1");
    let text = format!("{builder:?}");
    assert!(text.contains("retry"), "{text}");
    assert!(text.contains("rate_limit"), "{text}");
    assert!(!text.contains(SERVER_KEY), "{text}");
}
