//! The project settings a new emulated project starts with.

use std::collections::HashMap;
use std::num::NonZeroU64;

use chrono::{DateTime, Utc};
use playflow::raw::enums::PortProtocol;
use playflow::raw::types;
use serde_json::{Map, Value, json};

/// The settings a new emulated project starts with: one UDP game port on 7777, no auth, no
/// pool, and a `default` lobby configuration with a 1v1 matchmaking mode.
pub(crate) fn initial_settings(now: DateTime<Utc>) -> types::ProjectSettings {
    let mut modes = HashMap::new();
    modes.insert(
        "1v1".to_owned(),
        object(json!({"teams": 2, "playersPerTeam": 1, "timeout": 120})),
    );
    built!(ProjectSettings {
        auth_config: built!(AuthConfig {
            provider: Some("none".into()),
            extra: Map::new(),
        }),
        environment_variables: HashMap::new(),
        lobby_configs: vec![built!(LobbyConfig {
            custom_properties: Map::new(),
            enabled: Some(true),
            heartbeat: Some(false),
            heartbeat_timeout: Some(60.0),
            id: Some(uuid::Uuid::new_v4().to_string()),
            invite_code_config: Some(built!(InviteCodeConfig {
                length: Some(6.0),
                prefix: None,
                type_: Some("alphanumeric".to_owned()),
            })),
            matchmaking: Some(built!(LobbyConfigMatchmaking { modes })),
            name: Some("default".to_owned()),
            server_settings: object(json!({"serverSize": "small", "gameBuild": "default"})),
            timeout: Some(1800.0),
        })],
        pool_config: None,
        port_configs: vec![built!(PortConfig {
            id: Some("port-game".to_owned()),
            internal_port: NonZeroU64::new(7777),
            name: Some("game".to_owned()),
            protocol: Some(PortProtocol::Udp),
            tls_enabled: Some(false),
        })],
        updated_at: now,
    })
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}
