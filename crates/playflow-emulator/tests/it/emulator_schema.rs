//! Response validation tour: a scripted walk over every operation of the spec against the
//! emulator, successes and failures alike, with every response body checked against the
//! spec's schema for that operation and status (JSON Schema 2020-12, formats included, and no
//! property the schema does not declare unless it allows extra ones).

mod access;
mod builds;
mod harness;
mod lobbies;
mod project;
mod servers;

use playflow::raw::operations as ops;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use harness::{Schemas, Tour, bound_operation_ids, declared, every_operation};
use playflow_emulator::Emulator;
use serde_json::{Value, json};

#[tokio::test]
async fn every_response_matches_the_spec() {
    let emu = Emulator::builder()
        .time_scale(1000.0)
        .rate_limits(100_000, 100_000)
        .upload_url_lifetime(Duration::from_secs(3600))
        .start()
        .await
        .unwrap();
    let mut t = Tour {
        emu,
        http: reqwest::Client::new(),
        schemas: Schemas::load(),
        seen: BTreeMap::new(),
        violations: Vec::new(),
        calls: 0,
    };
    access::access(&mut t).await;
    builds::builds(&mut t).await;
    project::project(&mut t).await;
    servers::servers(&mut t).await;
    lobbies::lobbies(&mut t).await;
    lobbies::full_server_layout(&mut t).await;

    // --- Over the rate limit: 429 with the Error body.
    let limited = Emulator::builder().rate_limits(2, 1).start().await.unwrap();
    let limited_url = format!("{}/api/v3/servers", limited.base_url());
    let mut last = None;
    for _ in 0..3 {
        last = Some(
            t.http
                .get(&limited_url)
                .header("api-key", limited.server_key())
                .send()
                .await
                .unwrap(),
        );
    }
    let last = last.unwrap();
    assert_eq!(last.status(), 429);
    t.seen
        .entry(ops::LIST_SERVERS.operation_id.into())
        .or_default()
        .insert(429);
    let body: Value = last.json().await.unwrap();
    let problems: Vec<String> = t
        .schemas
        .error
        .iter_errors(&body)
        .map(|e| e.to_string())
        .collect();
    assert!(problems.is_empty(), "429 body: {problems:?}");

    // --- Unknown routes answer with the Error shape too.
    let unknown = t
        .http
        .get(format!("{}/api/v3/nothing-here", t.emu.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let body: Value = unknown.json().await.unwrap();
    assert!(t.schemas.error.is_valid(&body), "{body}");

    // --- Every operation was called, and succeeded at least once.
    let all: BTreeSet<String> = every_operation()
        .into_iter()
        .map(|(op, _)| op.operation_id.to_owned())
        .collect();
    assert_eq!(
        all.len(),
        bound_operation_ids().len(),
        "a bound operation is missing"
    );
    let unsucceeded: Vec<&String> = all
        .iter()
        .filter(|op| {
            !t.seen
                .get(*op)
                .is_some_and(|codes| codes.iter().any(|code| (200..300).contains(code)))
        })
        .collect();
    assert!(
        unsucceeded.is_empty(),
        "operations never answered 2xx: {unsucceeded:?}"
    );
    let statuses: BTreeSet<u16> = t.seen.values().flatten().copied().collect();
    for status in [200, 201, 400, 401, 403, 404, 409, 422, 429] {
        assert!(statuses.contains(&status), "no {status} in the tour");
    }
    println!(
        "tour: {} calls over {} operations, statuses {:?}",
        t.calls,
        t.seen.len(),
        statuses
    );
    assert!(
        t.violations.is_empty(),
        "{} bodies do not match the spec:\n{}",
        t.violations.len(),
        t.violations.join("\n")
    );
}

#[test]
fn the_validator_rejects_what_the_spec_rejects() {
    let schemas = Schemas::load();
    let server = declared(&schemas, ops::GET_SERVER.operation_id, 200)
        .unwrap()
        .unwrap();
    let good = json!({"instance_id": "i", "name": "n", "status": "running"});
    assert!(server.is_valid(&good));
    let undeclared = json!({"instance_id": "i", "name": "n", "status": "running", "bogus": 1});
    assert!(
        !server.is_valid(&undeclared),
        "undeclared property accepted"
    );
    let bad_time =
        json!({"instance_id": "i", "name": "n", "status": "running", "created_at": "yesterday"});
    assert!(!server.is_valid(&bad_time), "bad date-time accepted");
    let missing = json!({"name": "n", "status": "running"});
    assert!(
        !server.is_valid(&missing),
        "missing required property accepted"
    );
}
