//! The emulated project and how it changes: builds, servers, lobbies and settings ([`World`]),
//! each transition applied at its own PlayFlow timestamp when time passes. Nothing here knows
//! about HTTP: the handlers in `api` read and change the world through [`LiveWorld`].

pub(crate) mod builds;
pub(crate) mod clock;
pub(crate) mod events;
mod live;
pub(crate) mod lobbies;
pub(crate) mod logs;
pub(crate) mod ports;
pub(crate) mod refusal;
pub(crate) mod servers;
mod settings;
pub(crate) mod wire;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use playflow::raw::types;
use tokio::sync::broadcast;

use crate::config::{EmulatorBuilder, LobbyServerLayout, Plan};
use builds::BuildRecord;
use events::LobbyEvent;
use lobbies::{LobbyRecord, matchmaking};
use ports::PortAllocator;
use servers::ServerRecord;

pub(crate) use live::{LiveWorld, run_ticker};

/// Settings of the world that come from the builder.
#[derive(Debug, Clone)]
pub(crate) struct Timing {
    pub(crate) build_delay: Duration,
    pub(crate) launch_delay: Duration,
    pub(crate) pool_launch_delay: Duration,
    pub(crate) upload_url_lifetime: Duration,
    pub(crate) plan: Plan,
    pub(crate) layout: LobbyServerLayout,
    /// Game processes drive servers (`GameServers::Processes`).
    pub(crate) processes: bool,
}

/// The project: builds, servers, lobbies and settings.
pub(crate) struct World {
    pub(crate) timing: Timing,
    pub(crate) builds: Vec<BuildRecord>,
    pub(crate) servers: Vec<ServerRecord>,
    pub(crate) lobbies: Vec<LobbyRecord>,
    pub(crate) settings: types::ProjectSettings,
    pub(crate) ports: PortAllocator,
    /// When the warm pool is next topped up.
    pub(crate) pool_pass_due: Option<DateTime<Utc>>,
    pub(crate) events: broadcast::Sender<LobbyEvent>,
    changed_lobbies: BTreeSet<String>,
    /// Servers the world itself started (lobbies, matchmaking) whose game process is yet to be
    /// started by the emulator's process host ([`World::want_launch`]).
    pub(crate) to_launch: Vec<String>,
    /// Wakes the process host when `to_launch` gains a server.
    pub(crate) launches: Arc<tokio::sync::Notify>,
}

impl World {
    fn new(config: &EmulatorBuilder, now: DateTime<Utc>) -> World {
        World {
            timing: Timing {
                build_delay: config.build_processing_delay,
                launch_delay: config.server_launch_delay,
                pool_launch_delay: config.pool_launch_delay,
                upload_url_lifetime: config.upload_url_lifetime,
                plan: config.plan,
                layout: config.lobby_server_layout,
                processes: config.game_servers == crate::config::GameServers::Processes,
            },
            to_launch: Vec::new(),
            launches: Arc::default(),
            builds: Vec::new(),
            servers: Vec::new(),
            lobbies: Vec::new(),
            settings: settings::initial_settings(now),
            ports: PortAllocator::default(),
            pool_pass_due: None,
            events: broadcast::channel(1024).0,
            changed_lobbies: BTreeSet::new(),
        }
    }

    /// Applies every transition due at `now`, each at its own timestamp.
    fn advance(&mut self, now: DateTime<Utc>) {
        builds::advance(self, now);
        servers::advance(self, now);
        lobbies::advance(self, now);
        matchmaking::advance(self, now);
    }

    /// Asks the process host to start the game process of server `id`, which the world started
    /// itself.
    pub(crate) fn want_launch(&mut self, id: String) {
        self.to_launch.push(id);
        // A permit is kept when the host is busy, so the wake-up is never lost.
        self.launches.notify_one();
    }

    /// Records that a lobby changed at `now`; streams hear of it when the call ends.
    pub(crate) fn touch(&mut self, lobby_id: &str, now: DateTime<Utc>) {
        if let Some(lobby) = self.lobbies.iter_mut().find(|lobby| lobby.id == lobby_id) {
            lobby.updated_at = now;
            self.changed_lobbies.insert(lobby_id.to_owned());
        }
    }

    /// Removes a lobby and tells its streams.
    pub(crate) fn remove_lobby(&mut self, lobby_id: &str) -> Option<LobbyRecord> {
        let index = self.lobbies.iter().position(|lobby| lobby.id == lobby_id)?;
        let lobby = self.lobbies.remove(index);
        self.changed_lobbies.remove(lobby_id);
        let _ = self.events.send(LobbyEvent::Deleted {
            lobby: lobby.id.clone(),
        });
        Some(lobby)
    }

    /// Announces every lobby changed since the last flush, once, in its final state.
    fn flush(&mut self, now: DateTime<Utc>) {
        for lobby_id in std::mem::take(&mut self.changed_lobbies) {
            let Some(lobby) = self.lobbies.iter().find(|lobby| lobby.id == lobby_id) else {
                continue;
            };
            let data = lobbies::wire(self, lobby, now).to_string();
            let members = lobby.players.iter().map(|p| p.id.clone()).collect();
            let _ = self.events.send(LobbyEvent::Updated {
                lobby: lobby_id,
                members: Arc::new(members),
                data: Arc::from(data),
            });
        }
    }

    pub(crate) fn server(&self, id: &str) -> Option<&ServerRecord> {
        self.servers.iter().find(|server| server.id == id)
    }
}
