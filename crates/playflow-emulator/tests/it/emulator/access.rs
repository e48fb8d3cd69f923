//! Keys, rate limits and input validation.

use std::time::Duration;

use playflow::raw::types;
use playflow_emulator::Emulator;
use serde_json::{Value, json};

use crate::support::*;

#[tokio::test]
async fn keys_decide_access() {
    let emu = emulator(100.0).await;
    let http = reqwest::Client::new();
    let url = format!("{}/api/v3/servers", emu.base_url());
    let missing = http.get(&url).send().await.unwrap();
    assert_eq!(missing.status(), 401);
    let unknown = http
        .get(&url)
        .header("api-key", "pf_not_ours")
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 401);
    let body: Value = unknown.json().await.unwrap();
    assert_eq!(
        (body["status"].as_i64(), body["error"].is_string()),
        (Some(401), true)
    );

    let health = http
        .get(format!("{}/api/health", emu.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200, "health needs no key");

    let game = client(&emu, emu.client_key());
    game.list_servers()
        .send()
        .await
        .expect("client keys list servers");
    let refused = error_body(game.list_builds().send().await);
    assert_eq!(refused.status, 403);
    assert!(
        matches!(refused.detail, Some(types::ErrorDetail::String(ref d)) if d.contains("server key"))
    );
    assert_eq!(status_of(game.get_project_settings().send().await), 403);
    assert_eq!(
        status_of(
            game.get_lobby()
                .config("default")
                .lobby_id("x")
                .send()
                .await
        ),
        403
    );
    let lobby = game
        .create_lobby()
        .config("default")
        .x_player_id("p1")
        .body_map(|body| body.name("from the game"))
        .send()
        .await;
    assert_eq!(lobby.unwrap().status(), 200, "players use the client key");
}

#[tokio::test]
async fn rate_limits_answer_429_with_headers() {
    let emu = Emulator::builder()
        .time_scale(100.0)
        .rate_limits(5, 2)
        .start()
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let url = format!("{}/api/v3/servers", emu.base_url());
    // Five reads per second: the budget runs out after about five calls. (It refills
    // continuously, so a slow machine may squeeze in one more; the test allows for that.)
    let mut remaining = Vec::new();
    let refused = loop {
        let response = http
            .get(&url)
            .header("api-key", emu.server_key())
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["x-ratelimit-limit"], "5");
        if response.status() == 429 {
            break response;
        }
        assert_eq!(response.status(), 200);
        remaining.push(
            response.headers()["x-ratelimit-remaining"]
                .to_str()
                .unwrap()
                .parse::<u32>()
                .unwrap(),
        );
        assert!(remaining.len() <= 20, "no 429 after {remaining:?}");
    };
    assert_eq!(remaining[0], 4);
    assert!(remaining.len() >= 5, "refused too early: {remaining:?}");
    assert!(
        remaining.windows(2).all(|w| w[1] <= w[0] + 1),
        "{remaining:?}"
    );
    assert_eq!(refused.headers()["x-ratelimit-remaining"], "0");
    let retry: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["status"], 429);

    // Writes have their own budget, and the client key its own.
    let settings = format!("{}/api/v3/projects/settings", emu.base_url());
    let mut writes = Vec::new();
    while writes.last() != Some(&429) {
        let write = http
            .post(&settings)
            .header("api-key", emu.server_key())
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        writes.push(write.status().as_u16());
        assert!(writes.len() <= 10, "no 429 among writes: {writes:?}");
    }
    assert!(writes.len() >= 3 && writes[..2] == [200, 200], "{writes:?}");
    let game = http
        .get(&url)
        .header("api-key", emu.client_key())
        .send()
        .await
        .unwrap();
    assert_eq!(game.status(), 200);

    // The budget refills with (wall-clock) time.
    tokio::time::sleep(Duration::from_millis(450)).await;
    let later = http
        .get(&url)
        .header("api-key", emu.server_key())
        .send()
        .await
        .unwrap();
    assert_eq!(later.status(), 200);
}

#[tokio::test]
async fn invalid_input_gets_422_with_issues() {
    let emu = emulator(100.0).await;
    let http = reqwest::Client::new();
    let start = format!("{}/api/v3/servers/start", emu.base_url());
    let response = http
        .post(&start)
        .header("api-key", emu.server_key())
        .json(&json!({"region": "eu-west", "ttl": 30}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], 422);
    let issues = body["detail"].as_array().unwrap();
    let at = |loc: Value| issues.iter().find(|issue| issue["loc"] == loc).cloned();
    assert_eq!(at(json!(["body", "name"])).unwrap()["type"], "missing");
    let ttl = at(json!(["body", "ttl"])).unwrap();
    assert_eq!(ttl["type"], "too_small");
    assert!(ttl["msg"].as_str().unwrap().contains("60"));

    let api = admin(&emu);
    let too_many = api.list_servers().limit(500).send().await;
    let body = error_body(too_many);
    assert_eq!(body.status, 422);
    let region = api
        .start_server()
        .body_map(|b| b.name("x").region("moon-1"))
        .send()
        .await;
    assert_eq!(status_of(region), 422);
    let crowd = api
        .create_lobby()
        .config("default")
        .x_player_id("p")
        .body_map(|b| {
            b.name("crowd")
                .max_players(Some(std::num::NonZeroU64::new(101).unwrap()))
        })
        .send()
        .await;
    assert_eq!(status_of(crowd), 422);
    let no_player = http
        .get(format!("{}/api/v3/lobbies/default/me", emu.base_url()))
        .header("api-key", emu.server_key())
        .send()
        .await
        .unwrap();
    assert_eq!(no_player.status(), 422, "x-player-id is required");
    let garbage = http
        .post(&start)
        .header("api-key", emu.server_key())
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), 422);
}
