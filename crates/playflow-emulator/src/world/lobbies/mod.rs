//! Lobbies: records, their configuration, how they appear on the wire, and the lifecycle that
//! follows their game server (`starting`/`matched` → `in_game` → `waiting` when it stops), idle
//! timeouts and heartbeats. Matchmaking, which pairs lobbies, is a child module.

pub(crate) mod matchmaking;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use playflow::raw::enums::{LobbyStatus, ServerStatus};
use serde_json::{Map, Value};

use super::World;
use super::clock::{iso, seconds};
use super::refusal::{ApiError, ApiResult};
use super::servers::{self, NewServer};
use super::wire;
use matchmaking::Matchmaking;

/// A lobby member.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub(crate) id: String,
    pub(crate) state: Option<Map<String, Value>>,
    pub(crate) last_seen: DateTime<Utc>,
    /// Open event streams of this player; while any is open the player counts as present.
    pub(crate) streams: u32,
}

/// A lobby.
#[derive(Debug, Clone)]
pub(crate) struct LobbyRecord {
    pub(crate) id: String,
    pub(crate) code: String,
    pub(crate) config: String,
    pub(crate) name: String,
    pub(crate) status: LobbyStatus,
    pub(crate) host: String,
    pub(crate) max_players: u64,
    pub(crate) region: String,
    pub(crate) is_private: bool,
    pub(crate) allow_late_join: bool,
    pub(crate) settings: Map<String, Value>,
    pub(crate) players: Vec<Member>,
    pub(crate) server_id: Option<String>,
    pub(crate) matchmaking: Option<Matchmaking>,
    pub(crate) match_id: Option<String>,
    /// Set when a start could not provision a server; the lobby returns to `waiting` next.
    pub(crate) start_failed: bool,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

impl LobbyRecord {
    pub(crate) fn member(&self, player: &str) -> Option<&Member> {
        self.players.iter().find(|member| member.id == player)
    }

    pub(crate) fn member_mut(&mut self, player: &str) -> Option<&mut Member> {
        self.players.iter_mut().find(|member| member.id == player)
    }

    /// Back to `waiting`, with server, match and matchmaking cleared.
    pub(crate) fn reset(&mut self) {
        self.status = LobbyStatus::Waiting;
        self.server_id = None;
        self.match_id = None;
        self.matchmaking = None;
    }
}

/// A lobby configuration as it applies: the named one from the project settings, or defaults.
#[derive(Debug, Clone)]
pub(crate) struct ConfigView {
    pub(crate) name: String,
    pub(crate) enabled: bool,
    pub(crate) idle_timeout: Option<f64>,
    /// The heartbeat timeout, when presence is tracked.
    pub(crate) heartbeat_timeout: Option<f64>,
    pub(crate) code_kind: String,
    pub(crate) code_length: usize,
    pub(crate) code_prefix: String,
    pub(crate) server_size: String,
    pub(crate) game_build: String,
    pub(crate) modes: HashMap<String, Map<String, Value>>,
}

/// The configuration named (or identified) by `requested`; unknown names get default settings.
pub(crate) fn config_view(world: &World, requested: &str) -> ConfigView {
    let found = world.settings.lobby_configs.iter().find(|config| {
        config.name.as_deref() == Some(requested) || config.id.as_deref() == Some(requested)
    });
    let Some(config) = found else {
        return ConfigView {
            name: requested.to_owned(),
            enabled: true,
            idle_timeout: None,
            heartbeat_timeout: None,
            code_kind: "alphanumeric".to_owned(),
            code_length: 6,
            code_prefix: String::new(),
            server_size: "small".to_owned(),
            game_build: "default".to_owned(),
            modes: HashMap::new(),
        };
    };
    let text = |key: &str, fallback: &str| {
        config
            .server_settings
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or(fallback)
            .to_owned()
    };
    let invite = config.invite_code_config.clone().unwrap_or_default();
    ConfigView {
        name: config.name.clone().unwrap_or_else(|| requested.to_owned()),
        enabled: config.enabled != Some(false),
        idle_timeout: config.timeout.filter(|timeout| *timeout > 0.0),
        heartbeat_timeout: (config.heartbeat == Some(true))
            .then(|| config.heartbeat_timeout.unwrap_or(60.0)),
        code_kind: invite.type_.unwrap_or_else(|| "alphanumeric".to_owned()),
        code_length: invite
            .length
            .map_or(6, |length| length.clamp(1.0, 32.0) as usize),
        code_prefix: invite.prefix.unwrap_or_default(),
        server_size: text("serverSize", "small"),
        game_build: text("gameBuild", "default"),
        modes: config
            .matchmaking
            .as_ref()
            .map(|matchmaking| matchmaking.modes.clone())
            .unwrap_or_default(),
    }
}

/// A fresh invite code in the configuration's format, unique among live lobbies. When the
/// format's codes run short (a one-digit code has ten), codes grow by a character.
pub(crate) fn invite_code(world: &World, view: &ConfigView) -> String {
    let alphabet: &[u8] = match view.code_kind.as_str() {
        "numeric" => b"0123456789",
        "alpha" | "alphabetic" => b"ABCDEFGHJKLMNPQRSTUVWXYZ",
        _ => b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789",
    };
    let mut length = view.code_length;
    loop {
        for _ in 0..64 {
            let body: String = (0..length)
                .map(|_| char::from(alphabet[rand::random_range(0..alphabet.len())]))
                .collect();
            let code = format!("{}{body}", view.code_prefix);
            if !world.lobbies.iter().any(|lobby| lobby.code == code) {
                return code;
            }
        }
        length += 1;
    }
}

/// The lobby as the API and its event stream show it.
pub(crate) fn wire(world: &World, lobby: &LobbyRecord, now: DateTime<Utc>) -> Value {
    let body = built!(Lobby {
        allow_late_join: Some(lobby.allow_late_join),
        code: Some(lobby.code.clone()),
        config: lobby.config.clone(),
        created_at: Some(iso(lobby.created_at)),
        current_players: lobby.players.len() as f64,
        host: lobby.host.clone(),
        id: lobby.id.clone(),
        is_private: Some(lobby.is_private),
        match_id: lobby.match_id.clone(),
        matchmaking: lobby
            .matchmaking
            .as_ref()
            .map(|search| matchmaking::wire(world, lobby, search, now)),
        max_players: lobby.max_players as f64,
        name: Some(lobby.name.clone()),
        players: lobby
            .players
            .iter()
            .map(|member| built!(LobbyPlayer {
                id: member.id.clone(),
                is_host: member.id == lobby.host,
                state: member.state.clone(),
            }))
            .collect::<Vec<_>>(),
        region: Some(lobby.region.clone()),
        server: None,
        settings: lobby.settings.clone(),
        status: lobby.status.clone(),
        updated_at: Some(iso(lobby.updated_at)),
    });
    let mut value = wire::value(&body).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        let server = lobby
            .server_id
            .as_deref()
            .and_then(|id| world.server(id))
            .map_or(Value::Null, |server| {
                server.lobby_block(world.timing.layout)
            });
        map.insert("server".to_owned(), server);
        map.entry("settings").or_insert(Value::Object(Map::new()));
    }
    wire::with_nulls(value, &["matchmaking", "matchId"])
}

/// Starts the game server for `lobby_ids` (one lobby, or every lobby of a match).
pub(crate) fn provision(
    world: &mut World,
    lobby_ids: &[String],
    match_id: Option<String>,
    mode: Option<&str>,
    now: DateTime<Utc>,
) -> ApiResult<String> {
    let lobbies: Vec<&LobbyRecord> = lobby_ids
        .iter()
        .filter_map(|id| world.lobbies.iter().find(|lobby| &lobby.id == id))
        .collect();
    let first = lobbies
        .first()
        .copied()
        .ok_or_else(|| ApiError::internal("no lobby to start"))?;
    let view = config_view(world, &first.config);
    let mut custom_data = first.settings.clone();
    match &match_id {
        Some(match_id) => {
            custom_data.insert("matchId".to_owned(), Value::from(match_id.clone()));
            if let Some(mode) = mode {
                custom_data.insert("mode".to_owned(), Value::from(mode));
            }
            let groups: Vec<Value> = lobbies
                .iter()
                .map(|lobby| {
                    serde_json::json!({
                        "lobbyId": lobby.id,
                        "players": lobby.players.iter().map(|m| m.id.clone()).collect::<Vec<_>>(),
                    })
                })
                .collect();
            custom_data.insert("lobbies".to_owned(), Value::Array(groups));
        }
        None => {
            custom_data.insert("lobbyId".to_owned(), Value::from(first.id.clone()));
            let players: Vec<Value> = first
                .players
                .iter()
                .map(|m| Value::from(m.id.clone()))
                .collect();
            custom_data.insert("players".to_owned(), Value::Array(players));
        }
    }
    let name = match &match_id {
        Some(match_id) => format!("match-{}", &match_id[..8.min(match_id.len())]),
        None => format!("lobby-{}", &first.id[..8.min(first.id.len())]),
    };
    let new = NewServer {
        name,
        region: first.region.clone(),
        compute_size: view.server_size,
        version_tag: view.game_build,
        version: None,
        startup_args: None,
        auto_restart: false,
        custom_data: Some(custom_data),
        ttl: None,
        match_id,
        environment: HashMap::new(),
        port_configs: None,
    };
    let index = servers::create(world, new, now)?;
    let id = world.servers[index].id.clone();
    if world.timing.processes {
        // Its ports are the game process's, known once it is started: none before.
        let server = &mut world.servers[index];
        server.process = true;
        world.ports.release(&server.ports);
        server.ports.clear();
        world.want_launch(id.clone());
    }
    Ok(id)
}

/// Follows each lobby's server, and applies idle timeouts and heartbeat drops.
pub(crate) fn advance(world: &mut World, now: DateTime<Utc>) {
    let mut changed = Vec::new();
    for lobby in &mut world.lobbies {
        if std::mem::take(&mut lobby.start_failed) {
            lobby.reset();
            changed.push(lobby.id.clone());
            continue;
        }
        let Some(server_id) = lobby.server_id.clone() else {
            continue;
        };
        let status = world
            .servers
            .iter()
            .find(|server| server.id == server_id)
            .map(|server| server.status.clone());
        match status {
            Some(ServerStatus::Running)
                if matches!(lobby.status, LobbyStatus::Starting | LobbyStatus::Matched) =>
            {
                lobby.status = LobbyStatus::InGame;
                changed.push(lobby.id.clone());
            }
            Some(ServerStatus::Stopped) | None => {
                lobby.reset();
                changed.push(lobby.id.clone());
            }
            _ => {}
        }
    }

    let mut dropped = Vec::new();
    let mut idle = Vec::new();
    for lobby in &world.lobbies {
        let view = config_view(world, &lobby.config);
        if let Some(timeout) = view.heartbeat_timeout {
            for member in &lobby.players {
                if member.streams == 0 && member.last_seen + seconds(timeout) <= now {
                    dropped.push((lobby.id.clone(), member.id.clone()));
                }
            }
        }
        if let Some(timeout) = view.idle_timeout
            && lobby.status == LobbyStatus::Waiting
            && lobby.updated_at + seconds(timeout) <= now
        {
            idle.push(lobby.id.clone());
        }
    }
    for id in changed {
        world.touch(&id, now);
    }
    for (lobby, player) in dropped {
        remove_member(world, &lobby, &player, now);
    }
    for lobby in idle {
        world.remove_lobby(&lobby);
    }
}

/// Removes `player` from a lobby: a new host is chosen when the host leaves, a queued or
/// pending match is abandoned, and the lobby is deleted when it empties. Returns whether the
/// lobby was deleted.
pub(crate) fn remove_member(
    world: &mut World,
    lobby_id: &str,
    player: &str,
    now: DateTime<Utc>,
) -> bool {
    let Some(lobby) = world.lobbies.iter_mut().find(|lobby| lobby.id == lobby_id) else {
        return false;
    };
    lobby.players.retain(|member| member.id != player);
    if lobby.players.is_empty() {
        let match_id = lobby.match_id.clone();
        let status = lobby.status.clone();
        world.remove_lobby(lobby_id);
        if status == LobbyStatus::MatchFound
            && let Some(match_id) = match_id
        {
            matchmaking::cancel_match(world, &match_id, now);
        }
        return true;
    }
    if lobby.host == player {
        lobby.host = lobby.players[0].id.clone();
    }
    match lobby.status {
        LobbyStatus::InQueue => lobby.reset(),
        LobbyStatus::MatchFound => {
            if let Some(match_id) = lobby.match_id.clone() {
                matchmaking::cancel_match(world, &match_id, now);
            }
        }
        _ => {}
    }
    world.touch(lobby_id, now);
    false
}

/// The caller's lobby in this configuration (its index), marking the caller as present.
pub(crate) fn my_lobby(
    world: &mut World,
    config: &str,
    player: &str,
    now: DateTime<Utc>,
) -> ApiResult<usize> {
    let index = world
        .lobbies
        .iter()
        .position(|lobby| lobby.config == config && lobby.member(player).is_some())
        .ok_or_else(|| {
            ApiError::not_found(format!("Player `{player}` is not in a lobby of `{config}`"))
        })?;
    if let Some(member) = world.lobbies[index].member_mut(player) {
        member.last_seen = now;
    }
    Ok(index)
}
