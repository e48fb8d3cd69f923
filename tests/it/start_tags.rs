//! Tagged starts happen once per tag: the servers are looked at before starting, and every
//! search is bounded, so a list that never ends cannot hold the caller. Ports are checked
//! before any request.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use playflow::model::PortProtocol;
use playflow::servers::IDEMPOTENCY_KEY;
use playflow::{Error, InvalidInput};
use playflow_test_support::*;
use serde_json::{Value, json};

/// A PlayFlow that starts a server per start request (keeping its `custom_data`) and lists
/// every server it started, in one page.
async fn playflow_that_remembers() -> TestServer {
    let started: Arc<Mutex<Vec<Value>>> = Arc::default();
    TestServer::start(move |seen| {
        let mut started = started.lock().unwrap();
        match (seen.method.as_str(), seen.path.as_str()) {
            ("POST", "/api/v3/servers/start") => {
                let body: Value = serde_json::from_str(&seen.body).unwrap();
                let mut server = server_json(&format!("s-{}", started.len()), "launching");
                server["custom_data"] = body["custom_data"].clone();
                started.push(server.clone());
                Reply::json(201, server.to_string())
            }
            ("GET", "/api/v3/servers") => Reply::json(
                200,
                json!({ "servers": *started, "total": started.len(), "has_more": false })
                    .to_string(),
            ),
            _ => Reply::error(404, "Not Found"),
        }
    })
    .await
}

#[tokio::test]
async fn the_same_tag_twice_starts_one_server() {
    let server = playflow_that_remembers().await;
    let client = client(&server);
    let start = || {
        client
            .servers()
            .start("duel", "us-east")
            .idempotency_tag("match-9")
    };
    let first = start().send().await.unwrap();
    let second = start().send().await.unwrap();
    assert_eq!(first.instance_id, second.instance_id);
    assert_eq!(server.calls("POST", "/servers/start").len(), 1);
    // Another tag is another server.
    let other = client
        .servers()
        .start("duel", "us-east")
        .idempotency_tag("match-10")
        .send()
        .await
        .unwrap();
    assert_ne!(other.instance_id, first.instance_id);
    assert_eq!(server.calls("POST", "/servers/start").len(), 2);
}

/// A page of one untagged server that always says more follow.
fn endless_page() -> Reply {
    let servers = [server_json("s-untagged", "running")];
    Reply::json(
        200,
        json!({ "servers": servers, "has_more": true }).to_string(),
    )
}

fn unknown(err: Error) -> Box<playflow::OutcomeUnknown> {
    match err {
        Error::OutcomeUnknown(u) => u,
        other => panic!("expected OutcomeUnknown, got {other:?}"),
    }
}

#[tokio::test]
async fn an_endless_list_before_the_start_ends_in_a_typed_error_and_starts_nothing() {
    let server = TestServer::start(|seen| match seen.method.as_str() {
        "GET" => endless_page(),
        _ => Reply::server(201),
    })
    .await;
    let send = client(&server)
        .servers()
        .start("duel", "us-east")
        .idempotency_tag("match-11")
        .send();
    let err = tokio::time::timeout(Duration::from_secs(10), send)
        .await
        .expect("the search is bounded")
        .unwrap_err();
    let lists = server.calls("GET", "/api/v3/servers").len();
    let unknown = unknown(err);
    assert_eq!(unknown.tag, "match-11");
    assert!(!unknown.start_sent);
    assert_eq!(unknown.pages_listed, 20);
    assert_eq!(lists, 20);
    assert!(server.calls("POST", "/servers/start").is_empty());
}

#[tokio::test]
async fn an_endless_list_after_an_ambiguous_start_ends_in_a_typed_error_with_the_tag() {
    // The list ends (empty) until the start has been sent, then never does.
    let server = TestServer::start(|seen| match seen.method.as_str() {
        "GET" if seen.index == 0 => {
            Reply::json(200, r#"{"servers":[],"has_more":false}"#.to_owned())
        }
        "GET" => endless_page(),
        _ => Reply::error(503, "Service Unavailable"),
    })
    .await;
    let send = client(&server)
        .servers()
        .start("duel", "us-east")
        .idempotency_tag("match-12")
        .send();
    let err = tokio::time::timeout(Duration::from_secs(10), send)
        .await
        .expect("the search is bounded")
        .unwrap_err();
    assert!(err.outcome_unknown());
    assert!(!err.is_retryable());
    let text = err.to_string();
    // The error's Display is the OutcomeUnknown's own message; next in the chain: the start's.
    let cause = std::error::Error::source(&err).map(ToString::to_string);
    let unknown = unknown(err);
    assert_eq!(unknown.tag, "match-12");
    assert!(unknown.start_sent);
    assert!(text.contains("match-12"), "{text}");
    assert!(
        cause.is_some_and(|c| c.contains("503")),
        "the start's error is the source"
    );
    assert_eq!(server.calls("GET", "/api/v3/servers").len(), 1 + 20);
    assert_eq!(server.calls("POST", "/servers/start").len(), 1);
}

#[tokio::test]
async fn a_tagged_start_is_found_by_its_custom_data() {
    let mut tagged = server_json("s-mine", "running");
    tagged["custom_data"] = json!({ IDEMPOTENCY_KEY: "match-13" });
    let page = json!({ "servers": [server_json("s-other", "running"), tagged], "has_more": false });
    let server = TestServer::start(move |_| Reply::json(200, page.to_string())).await;
    let found = client(&server)
        .servers()
        .start("duel", "us-east")
        .idempotency_tag("match-13")
        .send()
        .await
        .unwrap();
    assert_eq!(found.instance_id, "s-mine");
    assert!(server.calls("POST", "/servers/start").is_empty());
}

async fn refused_before_any_request(
    start: impl FnOnce(
        playflow::servers::StartServer<playflow::ServerKey>,
    ) -> playflow::servers::StartServer<playflow::ServerKey>,
) -> InvalidInput {
    let server = TestServer::start(|_| Reply::server(201)).await;
    let client = client(&server);
    let err = start(client.servers().start("duel", "us-east").idempotent())
        .send()
        .await
        .unwrap_err();
    assert_eq!(server.count(), 0, "no request may be sent");
    match err {
        Error::InvalidInput(input) => input,
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

#[tokio::test]
async fn port_zero_is_refused_before_any_request() {
    let input = refused_before_any_request(|s| s.port("game", 0, PortProtocol::Udp)).await;
    assert_eq!(input.field, "port_configs");
    assert!(input.reason.contains("game"), "{input}");
    let input =
        refused_before_any_request(|s| s.port("game", 7777, PortProtocol::Udp).tls_port("wss", 0))
            .await;
    assert!(input.reason.contains("wss"), "{input}");
}

#[tokio::test]
async fn an_unnamed_or_out_of_range_port_is_refused_before_any_request() {
    refused_before_any_request(|s| s.port("", 7777, PortProtocol::Tcp)).await;
    let too_high = playflow::model::PortConfig::try_from(
        playflow::model::PortConfig::builder()
            .internal_port(std::num::NonZeroU64::new(70_000))
            .name(Some("game".to_owned())),
    )
    .unwrap();
    let input = refused_before_any_request(|s| s.port_config(too_high)).await;
    assert!(input.reason.contains("70000"), "{input}");
}
