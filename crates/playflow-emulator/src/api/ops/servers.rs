//! The server operations: list, start, get, stop, update custom data, restart, logs, metrics.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, TimeDelta};
use playflow::raw::enums::ServerStatus;
use playflow::raw::types;
use serde_json::{Map, Value, json};

use super::log_pages::{bound, entry, page};
use crate::api::Shared;
use crate::api::extract::{Call, issue};
use crate::api::respond;
use crate::world::World;
use crate::world::builds;
use crate::world::clock::{delta, iso};
use crate::world::logs::LogLine;
use crate::world::refusal::{ApiError, ApiResult};
use crate::world::servers::{self, NewServer, PoolRole, REGIONS};

fn unknown_server(id: &str) -> ApiError {
    ApiError::not_found(format!("No server {id} in this project"))
}

fn server_index(world: &World, id: &str) -> ApiResult<usize> {
    world
        .servers
        .iter()
        .position(|server| server.id == id)
        .ok_or_else(|| unknown_server(id))
}

/// `listServers`: running servers, newest first; launching ones and pool machines on request.
pub(crate) async fn list(State(shared): State<Arc<Shared>>, call: Call) -> ApiResult<Response> {
    let include_launching = call.flag("include_launching");
    let include_pool = call.flag("include_pool");
    let limit = call.int("limit").unwrap_or(50).max(0) as usize;
    let offset = call.int("offset").unwrap_or(0).max(0) as usize;
    shared.with_world(|world, _| {
        let matching: Vec<Value> = world
            .servers
            .iter()
            .rev()
            .filter(|server| match server.status {
                ServerStatus::Running => true,
                ServerStatus::Launching => include_launching,
                _ => false,
            })
            .filter(|server| include_pool || server.pool != PoolRole::Warm)
            .map(servers::ServerRecord::wire)
            .collect();
        let total = matching.len();
        let page: Vec<Value> = matching.into_iter().skip(offset).take(limit).collect();
        let has_more = offset + page.len() < total;
        // Written out: the generated ServerList drops an empty `servers`, PlayFlow sends `[]`;
        // the items are `Server` bodies with their nulls.
        respond::ok(&json!({
            "servers": page,
            "total": total,
            "offset": offset,
            "limit": limit,
            "has_more": has_more,
        }))
    })
}

/// `startServer`: a new server, `launching`, with its ports.
pub(crate) async fn start(State(shared): State<Arc<Shared>>, call: Call) -> ApiResult<Response> {
    let request: types::StartServerRequest = call.body()?;
    let region = String::from(request.region);
    check_region(&region)?;
    let new = NewServer {
        name: String::from(request.name),
        region,
        compute_size: request
            .compute_size
            .map_or_else(|| "small".to_owned(), |size| size.to_string()),
        version_tag: request.version_tag.unwrap_or_else(|| "default".to_owned()),
        version: request.version,
        startup_args: request.startup_args,
        auto_restart: request.auto_restart.unwrap_or(false),
        custom_data: call.has("custom_data").then_some(request.custom_data),
        ttl: request.ttl,
        match_id: request.match_id,
        environment: request.environment_variables,
        port_configs: call.has("port_configs").then_some(request.port_configs),
    };
    let processes = shared.host.is_some();
    let id = shared.with_world(|world, now| {
        let index = servers::create(world, new, now)?;
        // In the same lock as the launch: the launch delay must not make it `running`.
        world.servers[index].process = processes;
        Ok::<_, ApiError>(world.servers[index].id.clone())
    })?;
    if let Some(host) = &shared.host {
        host.launch(&shared.world, &id).await;
    }
    shared.with_world(|world, _| {
        let server = world.server(&id).ok_or_else(|| unknown_server(&id))?;
        respond::with_status(StatusCode::CREATED, &server.wire())
    })
}

fn check_region(region: &str) -> ApiResult<()> {
    if REGIONS.contains(&region) {
        return Ok(());
    }
    Err(ApiError::validation(vec![issue(
        &["body", "region"],
        format!(
            "Unknown region `{region}`; expected one of {}",
            REGIONS.join(", ")
        ),
        "invalid_enum_value",
    )]))
}

/// `getServer`.
pub(crate) async fn get(State(shared): State<Arc<Shared>>, call: Call) -> ApiResult<Response> {
    let id = call.path("instance_id");
    shared.with_world(|world, _| {
        let server = world.server(id).ok_or_else(|| unknown_server(id))?;
        respond::ok(&server.wire())
    })
}

/// `stopServer`: `stopped` at once; stopping a stopped server is accepted again.
pub(crate) async fn stop(State(shared): State<Arc<Shared>>, call: Call) -> ApiResult<Response> {
    let id = call.path("instance_id");
    let reason = call
        .text("shutdown_reason")
        .unwrap_or("SHUTDOWN_SIGNAL")
        .to_owned();
    shared.with_world(|world, now| {
        let index = server_index(world, id)?;
        let World { servers, ports, .. } = world;
        servers[index].stop(now, &reason, ports);
        respond::ok(&built!(StopServerResponse {
            status: "Server stopped successfully".to_owned(),
        }))
    })
}

/// `updateServerCustomData`: replaces `custom_data` as a whole.
pub(crate) async fn update(State(shared): State<Arc<Shared>>, call: Call) -> ApiResult<Response> {
    let id = call.path("instance_id");
    let request: types::UpdateServerRequest = call.body()?;
    shared.with_world(|world, now| {
        let index = server_index(world, id)?;
        let server = &mut world.servers[index];
        server.custom_data = Some(request.custom_data);
        server.updated_at = now;
        respond::ok(&server.wire())
    })
}

/// `restartServer`: a fresh machine and ports for the same instance, `launching` again.
pub(crate) async fn restart(State(shared): State<Arc<Shared>>, call: Call) -> ApiResult<Response> {
    let id = call.path("instance_id");
    let request: types::RestartServerRequest = call.body()?;
    let processes = shared.host.is_some();
    shared.with_world(|world, now| {
        let index = server_index(world, id)?;
        let current = &world.servers[index];
        if current.pool != PoolRole::None {
            return Err(ApiError::bad_request("Pool servers cannot be restarted"));
        }
        if !current.is_active() {
            return Err(ApiError::conflict(format!(
                "Server {id} is stopped; start a new server instead"
            )));
        }
        let version_tag = request
            .version_tag
            .clone()
            .unwrap_or_else(|| current.version_tag.clone());
        let pinned = request.version.or(if request.version_tag.is_some() {
            None
        } else {
            current.version
        });
        let build = builds::resolve(world, &version_tag, pinned)?;
        let (version, executable) = (build.version, build.executable_path.clone());
        let build_id = build.id.clone();
        if request.ttl.is_some() {
            servers::check_ttl_for_plan(world, request.ttl)?;
        }
        let delay = delta(world.timing.launch_delay);
        let project_environment = world.settings.environment_variables.clone();
        let World { servers, ports, .. } = world;
        let server = &mut servers[index];
        server.log(
            now,
            "info",
            "Restart requested; replacing the machine".to_owned(),
        );
        server.version_tag = version_tag;
        server.version = Some(version);
        server.executable = executable;
        if let Some(name) = request.name {
            server.name = name;
        }
        if let Some(args) = request.startup_args {
            server.startup_args = Some(args);
        }
        if let Some(ttl) = request.ttl {
            server.ttl = Some(ttl);
        }
        if let Some(auto_restart) = request.auto_restart {
            server.auto_restart = auto_restart;
        }
        if let Some(match_id) = request.match_id {
            server.match_id = Some(match_id);
        }
        if call.has("custom_data") {
            server.custom_data = Some(request.custom_data);
        }
        if call.has("environment_variables") {
            let mut environment = project_environment;
            environment.extend(request.environment_variables);
            server.environment = environment;
        }
        if call.has("port_configs") {
            server.port_configs = request.port_configs;
        }
        server.build_id = Some(build_id);
        server.launch(now, delay, ports);
        server.process = processes;
        Ok(())
    })?;
    if let Some(host) = &shared.host {
        host.launch(&shared.world, id).await;
    }
    shared.with_world(|world, _| {
        let server = world.server(id).ok_or_else(|| unknown_server(id))?;
        respond::ok(&server.wire())
    })
}

/// `getServerLogs`: lines after `start_time`, oldest first, with a `next_token` cursor.
pub(crate) async fn logs(State(shared): State<Arc<Shared>>, call: Call) -> ApiResult<Response> {
    let id = call.path("instance_id");
    let limit = call.int("limit").unwrap_or(200).max(1) as usize;
    shared.with_world(|world, now| {
        let after = bound(&call, "start_time", now)?;
        let server = world.server(id).ok_or_else(|| unknown_server(id))?;
        let lines: Vec<&LogLine> = server
            .logs
            .iter()
            .filter(|line| after.is_none_or(|after| line.at > after))
            .collect();
        let (count, next) = page(&lines, |line| line.at, limit);
        let entries: Vec<types::LogEntry> = lines[..count]
            .iter()
            .map(|line| entry(line, &server.region, false))
            .collect();
        respond::ok(&built!(ServerLogs {
            instance_id: server.id.clone(),
            logs: entries,
            machine_id: server.machine_id.clone(),
            next_token: next.map(iso),
        }))
    })
}

/// `getServerMetrics`: CPU, memory, network, load and connection series over the window.
pub(crate) async fn metrics(State(shared): State<Arc<Shared>>, call: Call) -> ApiResult<Response> {
    let id = call.path("instance_id");
    let period_text = call.text("period").unwrap_or("1h").to_owned();
    let step_text = call.text("step").unwrap_or("60s").to_owned();
    let period = match period_text.as_str() {
        "5m" => 300,
        "15m" => 900,
        "1h" => 3600,
        "6h" => 21600,
        "24h" => 86400,
        _ => return Err(choice("period", "5m, 15m, 1h, 6h or 24h")),
    };
    let step = match step_text.as_str() {
        "15s" => 15,
        "30s" => 30,
        "60s" => 60,
        "300s" => 300,
        _ => return Err(choice("step", "15s, 30s, 60s or 300s")),
    };
    shared.with_world(|world, now| {
        let server = world.server(id).ok_or_else(|| unknown_server(id))?;
        let mut series: Map<String, Value> = Map::new();
        for name in [
            "cpu",
            "memory",
            "network_in",
            "network_out",
            "load",
            "connections",
        ] {
            series.insert(name.to_owned(), Value::Array(Vec::new()));
        }
        if server.process || !server.samples.is_empty() {
            // A real process: its sampled CPU and memory, the last sample of each step; the
            // emulator measures nothing else (network, load, connections stay empty).
            let from = now - TimeDelta::seconds(period);
            let mut last_bucket = None;
            let mut kept: Vec<&(DateTime<chrono::Utc>, f64, f64)> = Vec::new();
            for sample in server.samples.iter().filter(|sample| sample.0 > from) {
                let bucket = sample.0.timestamp().div_euclid(step);
                if last_bucket == Some(bucket) {
                    kept.pop();
                }
                last_bucket = Some(bucket);
                kept.push(sample);
            }
            for (name, pick) in [("cpu", 1usize), ("memory", 2)] {
                let points = kept
                    .iter()
                    .map(|(at, cpu, memory)| {
                        let value = if pick == 1 { *cpu } else { *memory };
                        json!({"timestamp": iso(*at), "value": (value * 100.0).round() / 100.0})
                    })
                    .collect();
                series.insert(name.to_owned(), Value::Array(points));
            }
        } else if let Some(started) = server.started_at {
            let end = server.stopped_at.unwrap_or(now).min(now);
            let from = (now - TimeDelta::seconds(period)).max(started);
            let first = from.timestamp().div_euclid(step) * step + step;
            let mut at = first;
            while at <= end.timestamp() {
                let wave = ((at / step) % 12) as f64;
                let points = [
                    ("cpu", 6.0 + wave * 1.5),
                    ("memory", 380.0 + wave * 4.0),
                    ("network_in", 12.0 + wave * 2.0),
                    ("network_out", 30.0 + wave * 3.0),
                    ("load", 0.05 + wave / 100.0),
                    ("connections", 0.0),
                ];
                let timestamp = DateTime::from_timestamp(at, 0).map(iso).unwrap_or_default();
                for (name, value) in points {
                    if let Some(Value::Array(points)) = series.get_mut(name) {
                        points.push(json!({"timestamp": timestamp, "value": value}));
                    }
                }
                at += step;
            }
        }
        let mut body = Map::new();
        body.insert("instance_id".to_owned(), Value::String(server.id.clone()));
        body.insert("period".to_owned(), Value::String(period_text.clone()));
        body.insert("step".to_owned(), Value::String(step_text.clone()));
        body.extend(series);
        respond::ok(&types::ServerMetrics(body))
    })
}

fn choice(name: &str, allowed: &str) -> ApiError {
    ApiError::validation(vec![issue(
        &["query", name],
        format!("Expected one of {allowed}"),
        "invalid_enum_value",
    )])
}
