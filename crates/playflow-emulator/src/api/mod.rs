//! The HTTP side: every spec operation routed behind the gate (key, rate limit, permission),
//! requests checked against the spec, and the handlers that read and change the world.

mod extract;
mod gate;
mod keys;
mod ops;
mod rate_limit;
mod respond;
mod routes;
pub(crate) mod spec;

use std::net::SocketAddr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use crate::config::EmulatorBuilder;
use crate::config::GameServers;
use crate::error::EmulatorError;
use crate::host::GameHost;
use crate::world::{LiveWorld, World};
use keys::Keys;
use ops::uploads::UploadStore;
use rate_limit::RateLimits;

pub(crate) use routes::router;

/// How long a stopped game process gets between SIGTERM and SIGKILL.
const GAME_STOP_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// What every handler shares: the world, the keys and their budgets, and the upload store.
pub(crate) struct Shared {
    pub(crate) config: EmulatorBuilder,
    pub(crate) keys: Keys,
    pub(crate) limits: RateLimits,
    pub(crate) base_url: String,
    pub(crate) uploads: UploadStore,
    /// Turns true when the emulator shuts down; open event streams end then.
    pub(crate) stopped: watch::Receiver<bool>,
    pub(crate) world: Arc<LiveWorld>,
    /// Runs game processes, in [`GameServers::Processes`](crate::GameServers::Processes) mode.
    pub(crate) host: Option<Arc<GameHost>>,
}

impl Shared {
    pub(crate) fn new(
        config: EmulatorBuilder,
        address: SocketAddr,
        stopped: watch::Receiver<bool>,
    ) -> Result<Shared, EmulatorError> {
        let host = match config.game_servers {
            GameServers::Simulated => None,
            GameServers::Processes => Some(Arc::new(
                GameHost::new(
                    config.launch_timeout,
                    GAME_STOP_GRACE,
                    config.container_cli.clone(),
                )
                .map_err(EmulatorError::Io)?,
            )),
        };
        Ok(Shared {
            host,
            keys: Keys::new(config.server_key.clone(), config.client_key.clone()),
            limits: RateLimits::new(config.read_limit, config.write_limit),
            base_url: format!("http://{address}"),
            uploads: UploadStore::new().map_err(EmulatorError::Io)?,
            stopped,
            world: Arc::new(LiveWorld::new(&config)),
            config,
        })
    }

    /// Runs `f` on the world at the current PlayFlow time (see [`LiveWorld::with`]).
    pub(crate) fn with_world<R>(&self, f: impl FnOnce(&mut World, DateTime<Utc>) -> R) -> R {
        self.world.with(f)
    }

    /// The current PlayFlow time.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.world.clock().now()
    }
}
