//! Servers once started: stop, custom data, the list as a stream over every page, and log
//! streams (to the end, and followed).

use std::sync::atomic::Ordering;
use std::time::Duration;

use futures::{StreamExt as _, TryStreamExt as _};
use httpmock::MockServer;
use playflow::Error;
use playflow::servers::StopOutcome;
use serde_json::json;

use playflow_test_support::{client, script, server_json};

const FAST: Duration = Duration::from_millis(5);

#[tokio::test]
async fn a_stop_answered_404_means_already_stopped() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method("DELETE").path("/api/v3/servers/gone");
            then.status(404)
                .json_body(json!({ "error": "Server not found", "status": 404 }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method("DELETE")
                .path("/api/v3/servers/live")
                .query_param("shutdown_reason", "match over");
            then.status(200)
                .json_body(json!({ "status": "Server stopped successfully" }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method("DELETE").path("/api/v3/servers/denied");
            then.status(403)
                .json_body(json!({ "error": "Forbidden", "status": 403 }));
        })
        .await;
    let client = client(&server);
    let servers = client.servers();
    assert_eq!(
        servers.stop("gone").await.unwrap(),
        StopOutcome::AlreadyStopped
    );
    assert!(matches!(
        servers.stop("live").reason("match over").await.unwrap(),
        StopOutcome::Stopped(answer) if answer.status == "Server stopped successfully"
    ));
    assert!(matches!(
        servers.stop("denied").send().await,
        Err(Error::Forbidden(_))
    ));
}

#[tokio::test]
async fn custom_data_updates_take_any_object_and_refuse_the_rest() {
    let server = MockServer::start_async().await;
    let update = server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/api/v3/servers/s-7/update")
                .json_body(json!({ "custom_data": { "phase": "overtime", "round": 3 } }));
            then.status(200).json_body(server_json("s-7", "running"));
        })
        .await;
    #[derive(serde::Serialize)]
    struct Phase {
        phase: &'static str,
        round: u32,
    }
    let client = client(&server);
    client
        .servers()
        .update_custom_data(
            "s-7",
            Phase {
                phase: "overtime",
                round: 3,
            },
        )
        .await
        .unwrap();
    let err = client
        .servers()
        .update_custom_data("s-7", [1, 2])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    update.assert_calls_async(1).await;
}

#[tokio::test]
async fn the_list_stream_follows_has_more_over_three_pages() {
    let server = MockServer::start_async().await;
    let page = |ids: &[&str], offset: u64, more: bool| {
        json!({
            "servers": ids.iter().map(|id| server_json(id, "running")).collect::<Vec<_>>(),
            "total": 5, "offset": offset, "limit": 2, "has_more": more
        })
    };
    let mut mocks = Vec::new();
    for (offset, ids, more) in [
        (0, vec!["a", "b"], true),
        (2, vec!["c", "d"], true),
        (4, vec!["e"], false),
    ] {
        let body = page(&ids, offset, more);
        mocks.push(
            server
                .mock_async(|when, then| {
                    when.method("GET")
                        .path("/api/v3/servers")
                        .query_param("limit", "2")
                        .query_param("offset", offset.to_string())
                        .query_param("include_launching", "true");
                    then.status(200).json_body(body);
                })
                .await,
        );
    }
    let client = client(&server);
    let ids: Vec<String> = client
        .servers()
        .list()
        .include_launching(true)
        .limit(2)
        .stream()
        .map_ok(|s| s.instance_id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
    for mock in mocks {
        mock.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn a_failing_page_ends_the_stream_with_its_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/api/v3/servers")
                .query_param("offset", "0");
            then.status(200)
                .json_body(json!({ "servers": [server_json("a", "running")], "has_more": true }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/api/v3/servers")
                .query_param("offset", "1");
            then.status(401)
                .json_body(json!({ "error": "Invalid API key", "status": 401 }));
        })
        .await;
    let client = client(&server);
    let items: Vec<_> = client.servers().list().stream().collect().await;
    assert_eq!(items.len(), 2);
    assert!(items[0].is_ok());
    assert!(matches!(items[1], Err(Error::Unauthorized(_))));
}

fn log_page(lines: &[(&str, &str)], next: Option<&str>) -> serde_json::Value {
    json!({
        "logs": lines.iter().map(|(ts, msg)| json!({ "timestamp": ts, "message": msg })).collect::<Vec<_>>(),
        "instance_id": "s-8", "machine_id": "m-1", "next_token": next
    })
}

#[tokio::test]
async fn the_log_stream_follows_next_token_to_the_end() {
    let server = MockServer::start_async().await;
    let first = server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/api/v3/servers/s-8/logs")
                .query_param_missing("start_time");
            then.status(200)
                .json_body(log_page(&[("t1", "one"), ("t2", "two")], Some("t2")));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/api/v3/servers/s-8/logs")
                .query_param("start_time", "t2");
            then.status(200)
                .json_body(log_page(&[("t3", "three")], None));
        })
        .await;
    let client = client(&server);
    let lines: Vec<String> = client
        .servers()
        .logs("s-8")
        .stream()
        .map_ok(|l| l.message.unwrap_or_default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(lines, ["one", "two", "three"]);
    first.assert_calls_async(1).await;
    second.assert_calls_async(1).await;
}

#[tokio::test]
async fn following_the_log_keeps_polling_and_yields_new_lines() {
    let server = MockServer::start_async().await;
    // Start: two lines, the end (null token). Then from t2: nothing twice, a 503 once, then a
    // new line; from t3: nothing more.
    server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/api/v3/servers/s-8/logs")
                .query_param("start_time", "-5m");
            then.status(200)
                .json_body(log_page(&[("t1", "one"), ("t2", "two")], None));
        })
        .await;
    let (responder, polls) = script(vec![
        (200, log_page(&[], None)),
        (200, log_page(&[], None)),
        (503, json!({ "error": "Unavailable", "status": 503 })),
        (200, log_page(&[("t3", "three")], None)),
    ]);
    server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/api/v3/servers/s-8/logs")
                .query_param("start_time", "t2");
            then.respond_with(responder);
        })
        .await;
    let after = server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/api/v3/servers/s-8/logs")
                .query_param("start_time", "t3");
            then.status(200).json_body(log_page(&[], None));
        })
        .await;
    let client = client(&server);
    let lines: Vec<String> = client
        .servers()
        .logs("s-8")
        .start_time("-5m")
        .poll_delay(FAST, FAST * 4)
        .follow()
        .take(3)
        .map_ok(|l| l.message.unwrap_or_default())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(lines, ["one", "two", "three"]);
    assert_eq!(polls.load(Ordering::SeqCst), 4);
    after.assert_calls_async(0).await;
}

#[tokio::test]
async fn project_logs_stream_over_pages() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/api/v3/projects/logs")
                .query_param("start_time", "-1h")
                .query_param("end_time", "2025-03-14T10:00:00Z");
            then.status(200).json_body(json!({
                "logs": [{ "message": "a", "server_name": "s1" }], "next_token": "tok-1"
            }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/api/v3/projects/logs")
                .query_param("start_time", "tok-1");
            then.status(200).json_body(json!({
                "logs": [{ "message": "b", "server_name": "s2" }], "next_token": null
            }));
        })
        .await;
    let client = client(&server);
    let lines: Vec<(String, String)> = client
        .project()
        .logs("-1h")
        .end_time("2025-03-14T10:00:00Z")
        .stream()
        .map_ok(|l| {
            (
                l.server_name.unwrap_or_default(),
                l.message.unwrap_or_default(),
            )
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        lines,
        [("s1".into(), "a".into()), ("s2".into(), "b".into())]
    );
}

#[tokio::test]
async fn metrics_send_the_typed_period_and_step_and_leave_unset_ones_to_playflow() {
    use playflow::servers::{MetricsPeriod, MetricsStep};
    let server = MockServer::start_async().await;
    let typed = server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/api/v3/servers/s-7/metrics")
                .query_param("period", "6h")
                .query_param("step", "30s");
            then.status(200).json_body(json!({ "period": "6h" }));
        })
        .await;
    let defaults = server
        .mock_async(|when, then| {
            when.method("GET")
                .path("/api/v3/servers/s-8/metrics")
                .query_param_missing("period")
                .query_param_missing("step");
            then.status(200).json_body(json!({ "period": "1h" }));
        })
        .await;
    let client = client(&server);
    let metrics = client
        .servers()
        .metrics("s-7")
        .period(MetricsPeriod::SixHours)
        .step(MetricsStep::try_from(Duration::from_secs(30)).unwrap())
        .await
        .unwrap();
    assert_eq!(metrics.0["period"], "6h");
    let metrics = client.servers().metrics("s-8").send().await.unwrap();
    assert_eq!(metrics.0["period"], "1h");
    typed.assert_async().await;
    defaults.assert_async().await;
    // Values the spec does not accept are refused when parsed, naming the accepted ones.
    let err = "2h".parse::<MetricsPeriod>().unwrap_err();
    assert_eq!(err.field, "period");
    assert!(err.reason.contains("5m, 15m, 1h, 6h, 24h"), "{err}");
    assert!(MetricsStep::try_from(Duration::from_secs(45)).is_err());
}

#[tokio::test]
async fn a_server_answer_reads_back_in_the_types_a_start_takes() {
    use playflow::Region;
    use playflow::model::ComputeSize;
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method("GET").path("/api/v3/servers/s-1");
            then.status(200).json_body(json!({
                "instance_id": "s-1", "name": "duel", "status": "running",
                "region": "eu-west", "compute_size": "dedicated-small",
                "ttl": 5400, "version_tag": "beta", "version": 11
            }));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method("GET").path("/api/v3/servers/s-2");
            then.status(200).json_body(json!({
                "instance_id": "s-2", "name": "later", "status": "running",
                "region": "me-central", "compute_size": "gpu-huge",
                "ttl": -1, "version": -3
            }));
        })
        .await;
    let client = client(&server);
    let known = client.servers().get("s-1").await.unwrap();
    assert_eq!(known.region(), Some(Region::EU_WEST));
    assert_eq!(known.compute_size(), Some(ComputeSize::DedicatedSmall));
    assert_eq!(known.ttl(), Some(Duration::from_secs(5400)));
    assert_eq!(known.version(), Some(11));
    // A start pinned to that build takes the same values back.
    let again = client
        .servers()
        .start("duel", known.region().unwrap())
        .compute_size(known.compute_size().unwrap())
        .ttl(known.ttl().unwrap())
        .version(known.version().unwrap())
        .to_request()
        .unwrap();
    assert_eq!(again.ttl, Some(5400));
    assert_eq!(again.version, Some(11));

    // Values PlayFlow adds later come through verbatim; numbers that are no lifetime or
    // version are not made into one.
    let later = client.servers().get("s-2").await.unwrap();
    let region = later.region().unwrap();
    assert!(!region.is_documented());
    assert_eq!(region.as_str(), "me-central");
    let size = later.compute_size().unwrap();
    assert!(!size.is_known());
    assert_eq!(size.as_str(), "gpu-huge");
    assert_eq!(later.ttl(), None);
    assert_eq!(later.version(), None);

    // Fields PlayFlow leaves out are `None`, not a default.
    let bare: playflow::model::Server =
        serde_json::from_value(server_json("s-3", "launching")).unwrap();
    assert_eq!(
        (
            bare.region(),
            bare.compute_size(),
            bare.ttl(),
            bare.version()
        ),
        (None, None, None, None)
    );
}
