//! Server starts: the builder (body, checks before any request), idempotent recovery from
//! ambiguous failures, waiting until running, and the endpoints of a running server.

use std::sync::atomic::Ordering;
use std::time::Duration;

use httpmock::{HttpMockRequest, MockServer};
use playflow::model::{ComputeSize, PortProtocol, ServerStatus};
use playflow::servers::{IDEMPOTENCY_KEY, ServerOutcome};
use playflow::{Error, Region};
use serde_json::json;

use playflow_test_support::{client, client_builder, running_server_json, script, server_json};

const FAST: Duration = Duration::from_millis(5);

#[tokio::test]
async fn the_start_builder_sends_every_field() {
    let server = MockServer::start_async().await;
    let start = server
        .mock_async(|when, then| {
            when.method("POST").path("/api/v3/servers/start").json_body(json!({
                "name": "ranked-eu-7",
                "region": "eu-west",
                "compute_size": "dedicated-small",
                "ttl": 3600,
                "port_configs": [
                    { "name": "game", "internal_port": 7777, "protocol": "udp", "tls_enabled": false },
                    { "name": "wss", "internal_port": 8443, "protocol": "tcp", "tls_enabled": true }
                ],
                "environment_variables": { "LOG_LEVEL": "info", "MODE": "ranked" },
                "custom_data": { "map": "forest", "max_players": 16 },
                "version_tag": "beta",
                "version": 12,
                "startup_args": "-map forest",
                "match_id": "match-3f9c2a",
                "auto_restart": true
            }));
            then.status(201).json_body(server_json("s-1", "launching"));
        })
        .await;
    #[derive(serde::Serialize)]
    struct Meta {
        map: &'static str,
        max_players: u8,
    }
    let client = client(&server);
    let started = client
        .servers()
        .start("ranked-eu-7", Region::EU_WEST)
        .compute_size(ComputeSize::DedicatedSmall)
        .ttl(Duration::from_secs(3600))
        .port("game", 7777, PortProtocol::Udp)
        .tls_port("wss", 8443)
        .env("LOG_LEVEL", "info")
        .env("MODE", "ranked")
        .custom_data(Meta {
            map: "forest",
            max_players: 16,
        })
        .version_tag("beta")
        .version(12)
        .startup_args("-map forest")
        .match_id("match-3f9c2a")
        .auto_restart(true)
        .send()
        .await
        .unwrap();
    start.assert_calls_async(1).await;
    assert_eq!(started.instance_id, "s-1");
    assert_eq!(started.status, ServerStatus::Launching);
}

#[tokio::test]
async fn a_region_playflow_added_later_goes_through() {
    let server = MockServer::start_async().await;
    let start = server
        .mock_async(|when, then| {
            when.method("POST").path("/api/v3/servers/start").json_body(
                json!({ "name": "n", "region": "me-central", "compute_size": "gpu-huge" }),
            );
            then.status(201).json_body(server_json("s-2", "launching"));
        })
        .await;
    let client = client(&server);
    client
        .servers()
        .start("n", "me-central")
        .compute_size("gpu-huge")
        .send()
        .await
        .unwrap();
    start.assert_calls_async(1).await;
}

/// Refused with `InvalidInput` naming `field`, before any request.
async fn refused(
    field: &str,
    configure: impl FnOnce(
        playflow::servers::StartServer<playflow::ServerKey>,
    ) -> playflow::servers::StartServer<playflow::ServerKey>,
) {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_when, then| {
            then.status(500);
        })
        .await;
    let client = client(&server);
    let err = configure(client.servers().start("n", Region::US_EAST))
        .send()
        .await
        .unwrap_err();
    any.assert_calls_async(0).await;
    match err {
        Error::InvalidInput(e) => assert_eq!(e.field, field, "{e}"),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

#[tokio::test]
async fn a_ttl_below_a_minute_is_refused() {
    refused("ttl", |s| s.ttl(Duration::from_secs(59))).await;
}

#[tokio::test]
async fn a_ttl_above_a_day_is_refused() {
    refused("ttl", |s| s.ttl(Duration::from_secs(86_401))).await;
}

#[tokio::test]
async fn a_ttl_with_a_fraction_of_a_second_is_refused() {
    refused("ttl", |s| s.ttl(Duration::from_millis(90_500))).await;
}

#[tokio::test]
async fn custom_data_that_is_not_an_object_is_refused() {
    refused("custom_data", |s| s.custom_data(vec![1, 2, 3])).await;
    refused("custom_data", |s| s.custom_data(42)).await;
    refused("custom_data", |s| s.custom_data("text")).await;
}

#[tokio::test]
async fn an_empty_region_is_refused() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|_when, then| {
            then.status(500);
        })
        .await;
    let client = client(&server);
    let err = client.servers().start("n", "").send().await.unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput(e) if e.field == "region"),
        "{err:?}"
    );
    any.assert_calls_async(0).await;
}

#[tokio::test]
async fn the_limits_of_the_ttl_are_accepted() {
    let server = MockServer::start_async().await;
    let start = server
        .mock_async(|when, then| {
            when.method("POST").path("/api/v3/servers/start");
            then.status(201).json_body(server_json("s-3", "launching"));
        })
        .await;
    let client = client(&server);
    for secs in [60, 86_400] {
        client
            .servers()
            .start("n", "us-east")
            .ttl(Duration::from_secs(secs))
            .send()
            .await
            .unwrap();
    }
    start.assert_calls_async(2).await;
}

#[tokio::test]
async fn an_idempotent_start_that_times_out_recovers_the_tagged_server() {
    let server = MockServer::start_async().await;
    let start = server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/api/v3/servers/start")
                .json_body_includes(format!(
                    r#"{{"custom_data": {{"{IDEMPOTENCY_KEY}": "match-77"}}}}"#
                ));
            then.status(201)
                .json_body(server_json("late", "launching"))
                .delay(Duration::from_secs(2));
        })
        .await;
    let mut tagged = server_json("s-tagged", "launching");
    tagged["custom_data"] = json!({ IDEMPOTENCY_KEY: "match-77" });
    let mut other = server_json("s-other", "running");
    other["custom_data"] = json!({ IDEMPOTENCY_KEY: "match-76" });
    // The look before the start finds nothing; the one after the timeout finds the server the
    // start made meanwhile.
    let lists = std::sync::atomic::AtomicUsize::new(0);
    let list = server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/api/v3/servers")
                .query_param("include_launching", "true")
                .query_param("include_pool", "true");
            then.respond_with(move |_: &HttpMockRequest| {
                let servers = match lists.fetch_add(1, std::sync::atomic::Ordering::SeqCst) {
                    0 => json!([other.clone()]),
                    _ => json!([other.clone(), tagged.clone()]),
                };
                playflow_test_support::json_response(
                    200,
                    &json!({ "servers": servers, "offset": 0, "limit": 100, "has_more": false }),
                )
            });
        })
        .await;
    let client = client_builder(&server)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let recovered = client
        .servers()
        .start("n", "us-east")
        .idempotency_tag("match-77")
        .send()
        .await
        .unwrap();
    assert_eq!(recovered.instance_id, "s-tagged");
    start.assert_calls_async(1).await;
    list.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_generated_tag_is_found_after_a_gateway_error() {
    let server = MockServer::start_async().await;
    let seen_tag = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let record = std::sync::Arc::clone(&seen_tag);
    let start = server
        .mock_async(|when, then| {
            when.method("POST").path("/api/v3/servers/start");
            then.respond_with(move |req: &HttpMockRequest| {
                let body: serde_json::Value = serde_json::from_slice(req.body_ref()).unwrap();
                *record.lock().unwrap() = body["custom_data"][IDEMPOTENCY_KEY]
                    .as_str()
                    .unwrap()
                    .to_owned();
                playflow_test_support::json_response(
                    502,
                    &json!({ "error": "Bad gateway", "status": 502 }),
                )
            });
        })
        .await;
    let tag = std::sync::Arc::clone(&seen_tag);
    let list = server
        .mock_async(|when, then| {
            when.method("GET").path("/api/v3/servers");
            then.respond_with(move |_: &HttpMockRequest| {
                let mut tagged = server_json("s-found", "launching");
                tagged["custom_data"] = json!({ IDEMPOTENCY_KEY: *tag.lock().unwrap() });
                playflow_test_support::json_response(
                    200,
                    &json!({ "servers": [tagged], "has_more": false }),
                )
            });
        })
        .await;
    let client = client(&server);
    let recovered = client
        .servers()
        .start("n", "us-east")
        .idempotent()
        .send()
        .await
        .unwrap();
    assert_eq!(recovered.instance_id, "s-found");
    assert!(!seen_tag.lock().unwrap().is_empty());
    start.assert_calls_async(1).await;
    // Once before the start (no server with the fresh tag yet), once after the 502.
    list.assert_calls_async(2).await;
}

#[tokio::test]
async fn an_idempotent_start_with_no_tagged_server_returns_the_original_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method("POST").path("/api/v3/servers/start");
            then.status(503)
                .json_body(json!({ "error": "Unavailable", "status": 503 }));
        })
        .await;
    let list = server
        .mock_async(|when, then| {
            when.method("GET").path("/api/v3/servers");
            then.status(200)
                .json_body(json!({ "servers": [server_json("x", "running")], "has_more": false }));
        })
        .await;
    let client = client(&server);
    let err = client
        .servers()
        .start("n", "us-east")
        .idempotent()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert!(err.outcome_unknown() && !err.is_retryable(), "{err:?}");
    list.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_plain_start_that_times_out_is_an_error_and_lists_nothing() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method("POST").path("/api/v3/servers/start");
            then.status(201)
                .json_body(server_json("late", "launching"))
                .delay(Duration::from_secs(2));
        })
        .await;
    let list = server
        .mock_async(|when, then| {
            when.method("GET").path("/api/v3/servers");
            then.status(200).json_body(json!({ "servers": [] }));
        })
        .await;
    let client = client_builder(&server)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = client
        .servers()
        .start("n", "us-east")
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    list.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_refused_idempotent_start_does_not_list_again() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method("POST").path("/api/v3/servers/start");
            then.status(409)
                .json_body(json!({ "error": "Free plan: one server at a time", "status": 409 }));
        })
        .await;
    let list = server
        .mock_async(|when, then| {
            when.method("GET").path("/api/v3/servers");
            then.status(200).json_body(json!({ "servers": [] }));
        })
        .await;
    let client = client(&server);
    let err = client
        .servers()
        .start("n", "us-east")
        .idempotent()
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(409));
    // Only the look before the start: a 409 says nothing was started.
    list.assert_calls_async(1).await;
}

#[tokio::test]
async fn start_and_wait_hands_out_the_endpoints() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method("POST").path("/api/v3/servers/start");
            then.status(201).json_body(server_json("s-4", "launching"));
        })
        .await;
    let (responder, calls) = script(vec![
        (200, server_json("s-4", "launching")),
        (200, running_server_json("s-4")),
    ]);
    server
        .mock_async(|when, then| {
            when.method("GET").path("/api/v3/servers/s-4");
            then.respond_with(responder);
        })
        .await;
    let client = client(&server);
    // The default waiter sleeps 1 s or so between polls: one sleep here.
    let outcome = client
        .servers()
        .start("n", "us-east")
        .send_and_wait(Duration::from_secs(20))
        .await
        .unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    let server = outcome.running().expect("running");
    let endpoints = server.endpoints();
    assert_eq!(endpoints.len(), 2);
    let game = endpoints.get("game").unwrap();
    assert_eq!(game.address(), "127.0.0.1:30001");
    assert_eq!(game.protocol, Some(PortProtocol::Udp));
    assert!(!game.tls);
    assert_eq!(game.internal_port, Some(7777));
    assert_eq!(
        game.resolve().await.unwrap(),
        ["127.0.0.1:30001".parse().unwrap()]
    );
    let tls: Vec<_> = endpoints.tls().map(|e| e.name.as_str()).collect();
    assert_eq!(tls, ["web"]);
    let tcp: Vec<_> = endpoints
        .with_protocol(&PortProtocol::Tcp)
        .map(|e| e.address())
        .collect();
    assert_eq!(tcp, ["localhost:30002"]);
    let web = endpoints.get("web").unwrap().resolve().await.unwrap();
    assert!(
        !web.is_empty()
            && web
                .iter()
                .all(|a| a.ip().is_loopback() && a.port() == 30002),
        "{web:?}"
    );
    assert_eq!(
        endpoints.addresses(),
        ["127.0.0.1:30001", "localhost:30002"]
    );
}

#[test]
fn endpoints_skip_ports_without_a_host_or_a_public_port() {
    let server: playflow::model::Server = serde_json::from_value(json!({
        "instance_id": "i", "name": "n", "status": "launching",
        "network_ports": [
            { "name": "no-host", "external_port": 30001 },
            { "name": "no-port", "host": "203.0.113.10" },
            { "name": "bad-port", "host": "203.0.113.10", "external_port": 70000 },
            { "name": "ok", "host": "203.0.113.10", "external_port": 30004 }
        ]
    }))
    .unwrap();
    let names: Vec<_> = server.endpoints().iter().map(|e| e.name.clone()).collect();
    assert_eq!(names, ["ok"]);
}

#[tokio::test]
async fn a_server_that_stops_during_the_wait_ends_it_at_once() {
    let server = MockServer::start_async().await;
    let (responder, calls) = script(vec![
        (200, server_json("s-5", "launching")),
        (200, server_json("s-5", "stopped")),
        (200, running_server_json("s-5")),
    ]);
    server
        .mock_async(|when, then| {
            when.method("GET").path("/api/v3/servers/s-5");
            then.respond_with(responder);
        })
        .await;
    let client = client(&server);
    let outcome = client
        .servers()
        .wait_until_running("s-5")
        .min_delay(FAST)
        .max_delay(FAST)
        .wait(Duration::from_secs(10))
        .await
        .unwrap();
    assert!(
        matches!(&outcome, ServerOutcome::Stopped(s) if s.status == ServerStatus::Stopped),
        "{outcome:?}"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_server_still_launching_at_the_max_wait_is_reported_as_such() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method("GET").path("/api/v3/servers/s-6");
            then.status(200).json_body(server_json("s-6", "launching"));
        })
        .await;
    let client = client(&server);
    let outcome = client
        .servers()
        .wait_until_running("s-6")
        .min_delay(Duration::from_millis(10))
        .max_delay(Duration::from_millis(30))
        .wait(Duration::from_millis(150))
        .await
        .unwrap();
    assert_eq!(outcome.status(), Some(&ServerStatus::Launching));
    assert!(
        matches!(outcome, ServerOutcome::ExceededMaxWait(_)),
        "{outcome:?}"
    );
}

#[test]
fn regions_are_documented_constants_or_free_text() {
    assert_eq!(Region::DOCUMENTED.len(), 11);
    assert_eq!(Region::from("eu-west"), Region::EU_WEST);
    let added = Region::from("new-region");
    assert_eq!(added.as_str(), "new-region");
    assert!(!added.is_documented());
    assert_eq!(serde_json::to_value(&Region::SEA).unwrap(), json!("sea"));
}

#[test]
fn the_start_builder_debug_hides_environment_values() {
    let client =
        playflow::Client::new(playflow::ServerKey::new(playflow_test_support::SERVER_KEY).unwrap())
            .unwrap();
    let start = client
        .servers()
        .start("n", "us-east")
        .env("DB_PASSWORD", "hunter2");
    let shown = format!("{start:?}");
    assert!(shown.contains("DB_PASSWORD"), "{shown}");
    assert!(!shown.contains("hunter2"), "{shown}");
}
