//! The emulator's state: what every handler shares ([`Shared`]) and the project's world of
//! builds, servers and lobbies ([`World`]), brought up to date before every call and on a tick.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{broadcast, watch};

use super::EmulatorError;
use super::auth::Keys;
use super::builds::{self, BuildRecord};
use super::clock::Clock;
use super::config::{EmulatorBuilder, LobbyServerLayout, Plan};
use super::events::LobbyEvent;
use super::lobbies::{self, LobbyRecord};
use super::matchmaking;
use super::project;
use super::rate_limit::RateLimits;
use super::servers::{self, PortAllocator, ServerRecord};
use super::uploads::UploadStore;
use crate::raw::types;

/// Everything the handlers share.
pub(crate) struct Shared {
    pub(crate) config: EmulatorBuilder,
    pub(crate) clock: Clock,
    pub(crate) keys: Keys,
    pub(crate) limits: RateLimits,
    pub(crate) base_url: String,
    pub(crate) uploads: UploadStore,
    /// Turns true when the emulator shuts down; open event streams end then.
    pub(crate) stopped: watch::Receiver<bool>,
    world: Mutex<World>,
}

impl Shared {
    pub(crate) fn new(
        config: EmulatorBuilder,
        address: SocketAddr,
        stopped: watch::Receiver<bool>,
    ) -> Result<Shared, EmulatorError> {
        let clock = Clock::new(config.time_scale);
        let world = World::new(&config, clock.now());
        Ok(Shared {
            keys: Keys::new(config.server_key.clone(), config.client_key.clone()),
            limits: RateLimits::new(config.read_limit, config.write_limit),
            base_url: format!("http://{address}"),
            uploads: UploadStore::new().map_err(EmulatorError::Io)?,
            clock,
            stopped,
            world: Mutex::new(world),
            config,
        })
    }

    /// Runs `f` on the world brought up to the current PlayFlow time; lobby changes it makes are
    /// announced to event streams afterwards.
    pub(crate) fn with_world<R>(&self, f: impl FnOnce(&mut World, DateTime<Utc>) -> R) -> R {
        let now = self.clock.now();
        let mut world = self.world.lock().unwrap_or_else(|e| e.into_inner());
        world.advance(now);
        let result = f(&mut world, now);
        world.flush(now);
        result
    }

    /// Applies the transitions that fell due (and announces them).
    pub(crate) fn tick(&self) {
        self.with_world(|_, _| ());
    }
}

/// Applies due transitions regularly, so that event streams hear of them without any call.
pub(crate) async fn run_ticker(shared: Arc<Shared>, mut stopped: watch::Receiver<bool>) {
    // One PlayFlow second, but never busier than every 2 ms nor lazier than every 50 ms.
    let period = shared
        .clock
        .real(Duration::from_secs(1), Duration::from_millis(2))
        .min(Duration::from_millis(50));
    let mut interval = tokio::time::interval(period);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = interval.tick() => shared.tick(),
            _ = stopped.wait_for(|stopped| *stopped) => break,
        }
    }
}

/// Settings of the world that come from the builder.
#[derive(Debug, Clone)]
pub(crate) struct Timing {
    pub(crate) build_delay: Duration,
    pub(crate) launch_delay: Duration,
    pub(crate) pool_launch_delay: Duration,
    pub(crate) upload_url_lifetime: Duration,
    pub(crate) plan: Plan,
    pub(crate) layout: LobbyServerLayout,
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
            },
            builds: Vec::new(),
            servers: Vec::new(),
            lobbies: Vec::new(),
            settings: project::initial_settings(now),
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
