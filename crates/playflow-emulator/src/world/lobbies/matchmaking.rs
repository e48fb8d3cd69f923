//! Matchmaking: modes, queue statistics, pairing lobbies queued on the same mode of the same
//! configuration, match confirmation, and starting the match's server.
//!
//! A mode's team layout sets the match size: `teams × playersPerTeam` players (or at least
//! `teams × minPlayersPerTeam` when that is given). Queued lobbies are taken first come, first
//! served while they fit; a mode with a `matchConfirmation` block sends the lobbies to
//! `match_found` first, otherwise they go straight to `matched` and the server starts.

use chrono::{DateTime, Utc};
use playflow::raw::enums::LobbyStatus;
use playflow::raw::types;
use serde_json::{Map, Value};

use super::{ConfigView, LobbyRecord};
use crate::world::World;
use crate::world::clock::{iso, seconds};
use crate::world::lobbies;

/// A lobby's search.
#[derive(Debug, Clone)]
pub(crate) struct Matchmaking {
    pub(crate) mode: String,
    pub(crate) started_at: DateTime<Utc>,
    pub(crate) confirmation: Option<Confirmation>,
}

/// Accept-match progress of one lobby.
#[derive(Debug, Clone)]
pub(crate) struct Confirmation {
    pub(crate) deadline: DateTime<Utc>,
    pub(crate) confirmed: bool,
}

/// A matchmaking mode, read from its configuration object.
#[derive(Debug, Clone)]
pub(crate) struct Mode {
    teams: u64,
    players_per_team: u64,
    min_players_per_team: Option<u64>,
    queue_timeout: Option<f64>,
    max_party_size: Option<u64>,
    /// Seconds the lobbies have to confirm, when the mode asks for confirmation.
    pub(crate) confirmation: Option<f64>,
}

impl Mode {
    fn read(config: &Map<String, Value>) -> Mode {
        let count = |key: &str| config.get(key).and_then(Value::as_u64);
        let confirmation = match config.get("matchConfirmation") {
            Some(Value::Bool(true)) => Some(30.0),
            Some(Value::Object(block)) if block.get("enabled") != Some(&Value::Bool(false)) => {
                Some(
                    block
                        .get("timeout")
                        .or_else(|| block.get("timeoutSeconds"))
                        .and_then(Value::as_f64)
                        .unwrap_or(30.0),
                )
            }
            _ => None,
        };
        Mode {
            teams: count("teams").unwrap_or(2).max(1),
            players_per_team: count("playersPerTeam").unwrap_or(1).max(1),
            min_players_per_team: count("minPlayersPerTeam"),
            queue_timeout: config.get("timeout").and_then(Value::as_f64),
            max_party_size: count("maxPartySize"),
            confirmation,
        }
    }

    /// Players in a full match.
    pub(crate) fn capacity(&self) -> u64 {
        self.teams.saturating_mul(self.players_per_team)
    }

    fn required(&self) -> u64 {
        let per_team = self
            .min_players_per_team
            .unwrap_or(self.players_per_team)
            .clamp(1, self.players_per_team);
        self.teams.saturating_mul(per_team)
    }

    /// The largest lobby that may queue for this mode: `maxPartySize`, else one team's worth
    /// (a party plays on one team).
    pub(crate) fn max_party(&self) -> u64 {
        self.max_party_size
            .unwrap_or(self.players_per_team)
            .clamp(1, self.capacity())
    }
}

/// The mode `name` of a configuration.
pub(crate) fn mode(view: &ConfigView, name: &str) -> Option<Mode> {
    view.modes.get(name).map(Mode::read)
}

/// Live statistics of the queue for `mode` of `config`.
pub(crate) fn queue_stats(
    world: &World,
    config: &str,
    mode: &str,
    now: DateTime<Utc>,
) -> types::QueueStats {
    let queued: Vec<&LobbyRecord> = world
        .lobbies
        .iter()
        .filter(|lobby| lobby.config == config && lobby.status == LobbyStatus::InQueue)
        .filter(|lobby| lobby.matchmaking.as_ref().is_some_and(|m| m.mode == mode))
        .collect();
    let players: usize = queued.iter().map(|lobby| lobby.players.len()).sum();
    let waited: f64 = queued
        .iter()
        .filter_map(|lobby| lobby.matchmaking.as_ref())
        .map(|search| (now - search.started_at).num_milliseconds() as f64 / 1000.0)
        .sum();
    let average = if queued.is_empty() {
        0.0
    } else {
        (waited / queued.len() as f64 * 10.0).round() / 10.0
    };
    built!(QueueStats {
        avg_wait_seconds: Some(average),
        lobbies_in_queue: Some(queued.len() as f64),
        players_searching: Some(players as f64),
    })
}

/// A lobby's `matchmaking` block.
pub(crate) fn wire(
    world: &World,
    lobby: &LobbyRecord,
    search: &Matchmaking,
    now: DateTime<Utc>,
) -> types::LobbyMatchmaking {
    built!(LobbyMatchmaking {
        confirmation: search
            .confirmation
            .as_ref()
            .map(|confirmation| built!(MatchConfirmation {
                confirmed: Some(confirmation.confirmed),
                deadline: Some(iso(confirmation.deadline)),
            })),
        mode: Some(search.mode.clone()),
        queue_stats: Some(queue_stats(world, &lobby.config, &search.mode, now)),
        started_at: Some(iso(search.started_at)),
    })
}

/// Applies queue timeouts and confirmation deadlines, then pairs what is queued.
pub(crate) fn advance(world: &mut World, now: DateTime<Utc>) {
    let mut timed_out = Vec::new();
    let mut expired_matches = Vec::new();
    for lobby in &world.lobbies {
        let Some(search) = &lobby.matchmaking else {
            continue;
        };
        match lobby.status {
            LobbyStatus::InQueue => {
                let view = lobbies::config_view(world, &lobby.config);
                let timeout = mode(&view, &search.mode).map(|mode| mode.queue_timeout);
                match timeout {
                    // The mode was removed from the configuration: nothing to search for.
                    None => timed_out.push(lobby.id.clone()),
                    Some(Some(timeout)) if search.started_at + seconds(timeout) <= now => {
                        timed_out.push(lobby.id.clone())
                    }
                    Some(_) => {}
                }
            }
            LobbyStatus::MatchFound => {
                let late = search
                    .confirmation
                    .as_ref()
                    .is_some_and(|confirmation| confirmation.deadline <= now);
                if let (true, Some(match_id)) = (late, &lobby.match_id) {
                    expired_matches.push(match_id.clone());
                }
            }
            _ => {}
        }
    }
    for id in timed_out {
        if let Some(lobby) = world.lobbies.iter_mut().find(|lobby| lobby.id == id) {
            lobby.reset();
        }
        world.touch(&id, now);
    }
    expired_matches.dedup();
    for match_id in expired_matches {
        cancel_match(world, &match_id, now);
    }
    pair(world, now);
}

/// Forms every match that the queues allow.
fn pair(world: &mut World, now: DateTime<Utc>) {
    loop {
        let mut queued: Vec<&LobbyRecord> = world
            .lobbies
            .iter()
            .filter(|lobby| lobby.status == LobbyStatus::InQueue)
            .collect();
        queued.sort_by_key(|lobby| lobby.matchmaking.as_ref().map(|search| search.started_at));
        let mut formed = None;
        for (index, first) in queued.iter().enumerate() {
            let Some(search) = &first.matchmaking else {
                continue;
            };
            let view = lobbies::config_view(world, &first.config);
            let Some(mode) = mode(&view, &search.mode) else {
                continue;
            };
            let mut chosen = Vec::new();
            let mut total = 0;
            for lobby in &queued[index..] {
                let same_queue = lobby.config == first.config
                    && lobby
                        .matchmaking
                        .as_ref()
                        .is_some_and(|other| other.mode == search.mode);
                let size = lobby.players.len() as u64;
                if same_queue && total + size <= mode.capacity() {
                    chosen.push(lobby.id.clone());
                    total += size;
                }
            }
            if total >= mode.required() {
                formed = Some((chosen, search.mode.clone(), mode));
                break;
            }
        }
        let Some((lobby_ids, mode_name, mode)) = formed else {
            return;
        };
        let match_id = uuid::Uuid::new_v4().to_string();
        for id in &lobby_ids {
            if let Some(lobby) = world.lobbies.iter_mut().find(|lobby| &lobby.id == id) {
                lobby.match_id = Some(match_id.clone());
                if let Some(timeout) = mode.confirmation {
                    lobby.status = LobbyStatus::MatchFound;
                    if let Some(search) = &mut lobby.matchmaking {
                        search.confirmation = Some(Confirmation {
                            deadline: now + seconds(timeout),
                            confirmed: false,
                        });
                    }
                }
            }
            world.touch(id, now);
        }
        if mode.confirmation.is_none() {
            launch(world, &lobby_ids, &match_id, &mode_name, now);
        }
    }
}

/// Starts the match's server; the lobbies are `matched` until it runs, or back to `waiting` if
/// it cannot start.
pub(crate) fn launch(
    world: &mut World,
    lobby_ids: &[String],
    match_id: &str,
    mode: &str,
    now: DateTime<Utc>,
) {
    let server = lobbies::provision(world, lobby_ids, Some(match_id.to_owned()), Some(mode), now);
    for id in lobby_ids {
        if let Some(lobby) = world.lobbies.iter_mut().find(|lobby| &lobby.id == id) {
            match &server {
                Ok(server_id) => {
                    lobby.status = LobbyStatus::Matched;
                    lobby.server_id = Some(server_id.clone());
                }
                Err(_) => lobby.reset(),
            }
        }
        world.touch(id, now);
    }
}

/// Calls a pending match off: every lobby in it goes back to `waiting` (nobody is re-queued).
pub(crate) fn cancel_match(world: &mut World, match_id: &str, now: DateTime<Utc>) {
    let ids: Vec<String> = world
        .lobbies
        .iter()
        .filter(|lobby| lobby.match_id.as_deref() == Some(match_id))
        .filter(|lobby| lobby.status == LobbyStatus::MatchFound)
        .map(|lobby| lobby.id.clone())
        .collect();
    for id in ids {
        if let Some(lobby) = world.lobbies.iter_mut().find(|lobby| lobby.id == id) {
            lobby.reset();
        }
        world.touch(&id, now);
    }
}

/// Records a lobby's confirmation; when every lobby of the match has confirmed, the match
/// server starts.
pub(crate) fn confirm(world: &mut World, lobby_id: &str, now: DateTime<Utc>) {
    let Some(lobby) = world.lobbies.iter_mut().find(|lobby| lobby.id == lobby_id) else {
        return;
    };
    if let Some(confirmation) = lobby
        .matchmaking
        .as_mut()
        .and_then(|search| search.confirmation.as_mut())
    {
        confirmation.confirmed = true;
    }
    let (Some(match_id), Some(mode)) = (
        lobby.match_id.clone(),
        lobby.matchmaking.as_ref().map(|search| search.mode.clone()),
    ) else {
        return;
    };
    world.touch(lobby_id, now);
    let members: Vec<&LobbyRecord> = world
        .lobbies
        .iter()
        .filter(|lobby| lobby.match_id.as_deref() == Some(match_id.as_str()))
        .collect();
    let all_confirmed = members.iter().all(|lobby| {
        lobby
            .matchmaking
            .as_ref()
            .and_then(|search| search.confirmation.as_ref())
            .is_some_and(|confirmation| confirmation.confirmed)
    });
    if all_confirmed {
        let ids: Vec<String> = members.iter().map(|lobby| lobby.id.clone()).collect();
        launch(world, &ids, &match_id, &mode, now);
    }
}
