//! Project settings and their validation.

use playflow::raw::operations as ops;
use serde_json::json;

use super::harness::{Tour, call};

pub(crate) async fn project(t: &mut Tour) {
    // --- Project settings and logs.
    t.expect(
        200,
        call(ops::GET_PROJECT_SETTINGS, "/api/v3/projects/settings"),
    )
    .await;
    let ranked = json!({
        "name": "ranked", "enabled": true, "timeout": 86400, "heartbeat": false,
        "inviteCodeConfig": {"type": "numeric", "length": 6, "prefix": "PF"},
        "serverSettings": {"serverSize": "small", "gameBuild": "default"},
        "matchmaking": {"modes": {"duel": {"teams": 2, "playersPerTeam": 1, "matchConfirmation": {"timeout": 3600}}}}
    });
    let settings = t
        .expect(
            200,
            call(ops::GET_PROJECT_SETTINGS, "/api/v3/projects/settings"),
        )
        .await;
    // Long lobby and queue timeouts: at 1000× speed the defaults pass in a blink.
    let mut configs = settings["lobby_configs"].as_array().unwrap().clone();
    configs[0]["timeout"] = json!(86400);
    configs[0]["matchmaking"]["modes"]["1v1"]["timeout"] = json!(86400);
    configs.push(ranked);
    t.expect(
        200,
        call(ops::UPDATE_PROJECT_SETTINGS, "/api/v3/projects/settings").json(json!({
            "lobby_configs": configs,
            "environment_variables": {"LOG_LEVEL": "debug"},
            "pool_config": {"enabled": true, "regions": {"us-east": {"small": 1}}},
            "auth_config": {"provider": "none"},
        })),
    )
    .await;
    t.expect(
        422,
        call(ops::UPDATE_PROJECT_SETTINGS, "/api/v3/projects/settings")
            .json(json!({"port_configs": [{"name": "game", "internal_port": 0}]})),
    )
    .await;
    t.expect(
        422,
        call(ops::UPDATE_PROJECT_SETTINGS, "/api/v3/projects/settings")
            .json(json!({"pool_config": {"enabled": true, "regions": {"mars": {"small": 1}}}})),
    )
    .await;
    t.expect(
        422,
        call(ops::UPDATE_PROJECT_SETTINGS, "/api/v3/projects/settings"),
    )
    .await;
}
