//! Project settings (the starting configuration is `world::settings`), project-wide logs and the
//! health check.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use playflow::raw::enums::{ComputeSize, PortProtocol};
use playflow::raw::types;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::log_pages::{bound, entry, page};
use crate::api::Shared;
use crate::api::extract::{Call, issue};
use crate::api::respond;
use crate::world::World;
use crate::world::clock::iso;
use crate::world::logs::LogLine;
use crate::world::refusal::{ApiError, ApiResult};
use crate::world::servers::{PoolRole, REGIONS, maintain_pool};
use crate::world::wire;

/// `getHealth`.
pub(crate) async fn health(_call: Call) -> ApiResult<Response> {
    respond::ok(&json!({"status": "ok", "emulator": true}))
}

/// `getProjectSettings`.
pub(crate) async fn get_settings(
    State(shared): State<Arc<Shared>>,
    _call: Call,
) -> ApiResult<Response> {
    shared.with_world(|world, _| respond::ok(&world.settings))
}

/// `updateProjectSettings`: changes only the fields present in the body.
pub(crate) async fn update_settings(
    State(shared): State<Arc<Shared>>,
    call: Call,
) -> ApiResult<Response> {
    let port_configs: Option<Vec<types::PortConfig>> = field(&call, "port_configs")?;
    let auth_config: Option<types::AuthConfig> = field(&call, "auth_config")?;
    let environment: Option<HashMap<String, String>> = field(&call, "environment_variables")?;
    let pool_config: Option<types::PoolConfig> = field(&call, "pool_config")?;
    let lobby_configs: Option<Vec<types::LobbyConfig>> = field(&call, "lobby_configs")?;

    let mut issues = Vec::new();
    if let Some(ports) = &port_configs {
        let mut names = HashSet::new();
        for (index, port) in ports.iter().enumerate() {
            let name = port.name.clone().unwrap_or_default();
            if name.is_empty() || port.internal_port.is_none() {
                issues.push(issue(
                    &["body", "port_configs", &index.to_string()],
                    "A port needs a name and an internal_port",
                    "missing",
                ));
            } else if !names.insert(name.clone()) {
                issues.push(issue(
                    &["body", "port_configs", &index.to_string(), "name"],
                    format!("Duplicate port name `{name}`"),
                    "value_error",
                ));
            }
        }
    }
    if let Some(pool) = &pool_config {
        for (region, sizes) in &pool.regions {
            if !REGIONS.contains(&region.as_str()) {
                issues.push(issue(
                    &["body", "pool_config", "regions", region],
                    format!("Unknown region `{region}`"),
                    "invalid_enum_value",
                ));
            }
            for size in sizes.keys() {
                if !ComputeSize::from(size.as_str()).is_known() {
                    issues.push(issue(
                        &["body", "pool_config", "regions", region, size],
                        format!("Unknown compute size `{size}`"),
                        "invalid_enum_value",
                    ));
                }
            }
        }
    }
    if let Some(configs) = &lobby_configs {
        let mut names = HashSet::new();
        for (index, config) in configs.iter().enumerate() {
            match &config.name {
                Some(name) if !name.is_empty() => {
                    if !names.insert(name.clone()) {
                        issues.push(issue(
                            &["body", "lobby_configs", &index.to_string(), "name"],
                            format!("Duplicate lobby configuration name `{name}`"),
                            "value_error",
                        ));
                    }
                }
                _ => issues.push(issue(
                    &["body", "lobby_configs", &index.to_string(), "name"],
                    "Field required",
                    "missing",
                )),
            }
        }
    }
    if !issues.is_empty() {
        return Err(ApiError::validation(issues));
    }

    shared.with_world(|world, now| {
        let settings = &mut world.settings;
        if let Some(mut ports) = port_configs {
            for port in &mut ports {
                port.id.get_or_insert_with(|| short_id("port"));
                port.protocol.get_or_insert(PortProtocol::Udp);
                port.tls_enabled.get_or_insert(false);
            }
            settings.port_configs = ports;
        }
        if let Some(auth) = auth_config {
            settings.auth_config = auth;
        }
        if let Some(environment) = environment {
            settings.environment_variables = environment;
        }
        if let Some(mut configs) = lobby_configs {
            for config in &mut configs {
                config
                    .id
                    .get_or_insert_with(|| uuid::Uuid::new_v4().to_string());
                config.enabled.get_or_insert(true);
            }
            settings.lobby_configs = configs;
        }
        let pool_changed = pool_config.is_some();
        if let Some(pool) = pool_config {
            settings.pool_config = Some(pool);
        }
        world.settings.updated_at = now;
        if pool_changed {
            // The pool follows its new targets at once; later passes come every five minutes.
            world.pool_pass_due = Some(now);
            maintain_pool(world, now);
        }
        respond::ok(&world.settings)
    })
}

/// A field of the body, decoded when present.
fn field<T: DeserializeOwned>(call: &Call, name: &str) -> ApiResult<Option<T>> {
    match call.json().get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => T::deserialize(value).map(Some).map_err(|e| {
            ApiError::validation(vec![issue(&["body", name], e.to_string(), "value_error")])
        }),
    }
}

fn short_id(prefix: &str) -> String {
    let bytes = rand::random::<[u8; 4]>();
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("{prefix}-{hex}")
}

/// `getProjectLogs`: lines of every server within the window, oldest first.
pub(crate) async fn logs(State(shared): State<Arc<Shared>>, call: Call) -> ApiResult<Response> {
    let limit = call.int("limit").unwrap_or(500).max(1) as usize;
    shared.with_world(|world, now| {
        let after = bound(&call, "start_time", now)?;
        let until = bound(&call, "end_time", now)?.unwrap_or(now);
        let mut lines = project_lines(world);
        lines.retain(|(line, _)| after.is_none_or(|after| line.at > after) && line.at <= until);
        lines.sort_by_key(|(line, _)| line.at);
        let (count, next) = page(&lines, |(line, _)| line.at, limit);
        let entries: Vec<types::LogEntry> = lines[..count]
            .iter()
            .map(|(line, index)| {
                let server = &world.servers[*index];
                entry(line, &server.region, true)
            })
            .collect();
        let body = built!(ProjectLogs {
            logs: entries,
            next_token: next.map(iso),
        });
        let value = wire::with_nulls(wire::value(&body)?, &["next_token"]);
        let value = match value {
            Value::Object(mut map) => {
                map.entry("logs").or_insert(Value::Array(Vec::new()));
                Value::Object(map)
            }
            other => other,
        };
        respond::ok(&value)
    })
}

/// Every line of the project's servers (warm pool machines aside), with its server's index.
fn project_lines(world: &World) -> Vec<(&LogLine, usize)> {
    world
        .servers
        .iter()
        .enumerate()
        .filter(|(_, server)| server.pool != PoolRole::Warm)
        .flat_map(|(index, server)| server.logs.iter().map(move |line| (line, index)))
        .collect()
}
