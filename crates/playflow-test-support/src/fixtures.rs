//! JSON bodies as the PlayFlow API sends them, and request bodies the tests send.

use serde_json::{Value, json};

/// A server with this id and status.
pub fn server_json(id: &str, status: &str) -> Value {
    json!({ "instance_id": id, "name": format!("srv-{id}"), "status": status })
}

/// A running server with a UDP game port and a TLS web port.
pub fn running_server_json(id: &str) -> Value {
    json!({
        "instance_id": id, "name": format!("srv-{id}"), "status": "running",
        "network_ports": [
            { "name": "game", "internal_port": 7777, "external_port": 30001,
              "protocol": "udp", "host": "127.0.0.1", "tls_enabled": false },
            { "name": "web", "internal_port": 8443, "external_port": 30002,
              "protocol": "tcp", "host": "localhost", "tls_enabled": true }
        ]
    })
}

/// A build with this id and status.
pub fn build_json(id: &str, status: &str) -> Value {
    json!({
        "build_id": id, "name": "default", "version": 3, "status": status,
        "created_at": "2025-03-13T17:02:11Z", "updated_at": null
    })
}

/// A two-seat lobby with `status`, its host alone in it, and the `extra` fields merged in.
pub fn lobby(status: &str, extra: Value) -> Value {
    let mut lobby = json!({
        "id": "3c7e9a52-1f4b-4d2a-9b8e-6a0f5d2c71e4",
        "code": "WOLF-17",
        "config": "casual",
        "name": "Friday night arena",
        "status": status,
        "host": "p-123",
        "maxPlayers": 2,
        "currentPlayers": 1,
        "region": "us-east",
        "players": [{"id": "p-123", "state": {"ready": true}, "isHost": true}],
        "server": null,
        "matchmaking": null,
        "matchId": null
    });
    if let (Some(base), Value::Object(extra)) = (lobby.as_object_mut(), extra) {
        base.extend(extra);
    }
    lobby
}

/// A start request body.
pub fn start_request() -> playflow::model::StartServerRequest {
    playflow::model::StartServerRequest::builder()
        .name("ranked-eu-7")
        .region("eu-west")
        .try_into()
        .expect("a valid start request")
}
