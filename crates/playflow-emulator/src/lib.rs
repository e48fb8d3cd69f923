//! A local PlayFlow: a stateful, in-process emulator of the whole PlayFlow API, on loopback.
//!
//! Every operation of `openapi/playflow.json` is served with state and the documented lifecycles:
//! builds go `uploading → processing → ready` (or `failed`, with build logs), servers go
//! `launching → running → stopped` (TTL included), lobbies have their event stream and
//! matchmaking. Keys, rate limits and input validation answer the way PlayFlow does, with the
//! `{error, detail, status}` body. Time runs at a configurable speed, so a test of a multi-minute
//! lifecycle takes milliseconds.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use playflow::emulator::Emulator;
//!
//! let emulator = Emulator::start().await?;
//! let client = reqwest::Client::new();
//! let health: serde_json::Value = client
//!     .get(format!("{}/api/health", emulator.base_url()))
//!     .send()
//!     .await?
//!     .json()
//!     .await?;
//! assert_eq!(health["status"], "ok");
//! emulator.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! Durations given to the [`EmulatorBuilder`] (build processing, server launch, TTLs in
//! requests) are PlayFlow time; [`EmulatorBuilder::time_scale`] says how much faster than the
//! wall clock that time runs, and [`Emulator::advance`] skips ahead at once. Rate limits are per
//! wall-clock second, as a client experiences them.
//!
//! What a new emulated project holds: no builds (servers need a `ready` build, as on PlayFlow:
//! upload one, or register an image build), one UDP game port (`game`, 7777), and a lobby
//! configuration `default` with a `1v1` matchmaking mode. Other lobby configurations come from
//! `updateProjectSettings`, as on PlayFlow; an unknown `{config}` gets default lobby settings.
//!
//! Everything listens on loopback: the API under `/api`, and the archive uploads under
//! `/_emulator/uploads/…` (the presigned-style `upload_url`). Ports reported for servers are
//! distinct numbers on `127.0.0.1`; nothing listens on them. Start the emulator from within a
//! Tokio runtime (with I/O and timers enabled, as `#[tokio::main]` and `#[tokio::test]` have).

mod auth;
mod builds;
mod clock;
mod config;
mod error;
mod events;
mod gate;
mod lobbies;
mod lobby_ops;
mod matchmaking;
mod project;
mod rate_limit;
mod routes;
mod server_ops;
mod servers;
mod spec;
mod state;
mod uploads;
mod validate;
mod wire;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::{EmulatorBuilder, LobbyServerLayout, Plan};

use state::Shared;

/// A running emulator. Dropping it (or [`Emulator::shutdown`]) stops it.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let emulator = playflow::emulator::Emulator::builder()
///     .time_scale(1000.0)
///     .start()
///     .await?;
/// assert!(emulator.base_url().starts_with("http://127.0.0.1:"));
/// assert!(emulator.server_key().starts_with("pf_emu_"));
/// assert!(emulator.client_key().starts_with("pfclient_emu_"));
/// # Ok(())
/// # }
/// ```
pub struct Emulator {
    shared: Arc<Shared>,
    shutdown: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
    ticker: JoinHandle<()>,
}

impl Emulator {
    /// Starts an emulator with the default settings on a free loopback port.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), playflow::emulator::EmulatorError> {
    /// let emulator = playflow::emulator::Emulator::start().await?;
    /// println!("PlayFlow emulator at {}", emulator.base_url());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn start() -> Result<Emulator, EmulatorError> {
        EmulatorBuilder::default().start().await
    }

    /// A builder to choose the time scale, delays, rate limits, plan, keys or address.
    ///
    /// ```
    /// use std::time::Duration;
    /// let builder = playflow::emulator::Emulator::builder()
    ///     .time_scale(100.0)
    ///     .server_launch_delay(Duration::from_secs(20))
    ///     .rate_limits(100, 10);
    /// # let _ = builder;
    /// ```
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// The base URL to give a client, e.g. `http://127.0.0.1:41234` (paths start with `/api`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), playflow::emulator::EmulatorError> {
    /// let emulator = playflow::emulator::Emulator::start().await?;
    /// let url = format!("{}/api/v3/servers", emulator.base_url());
    /// # let _ = url;
    /// # Ok(())
    /// # }
    /// ```
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// The project's server key (`pf_emu_…`): full access, as a backend or CI would use.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), playflow::emulator::EmulatorError> {
    /// let emulator = playflow::emulator::Emulator::start().await?;
    /// assert!(emulator.server_key().starts_with("pf_"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn server_key(&self) -> &str {
        self.shared.keys.server()
    }

    /// The project's client key (`pfclient_emu_…`): only the operations a game client may call.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), playflow::emulator::EmulatorError> {
    /// let emulator = playflow::emulator::Emulator::start().await?;
    /// assert!(emulator.client_key().starts_with("pfclient_"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn client_key(&self) -> &str {
        self.shared.keys.client()
    }

    /// The emulator's current PlayFlow time (it runs `time_scale` times faster than the wall clock).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), playflow::emulator::EmulatorError> {
    /// let emulator = playflow::emulator::Emulator::start().await?;
    /// let before = emulator.now();
    /// emulator.advance(std::time::Duration::from_secs(3600));
    /// assert!(emulator.now() - before >= chrono::TimeDelta::hours(1));
    /// # Ok(())
    /// # }
    /// ```
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.shared.clock.now()
    }

    /// Moves PlayFlow time forward at once, e.g. past a server's TTL. Transitions that fall due
    /// are applied as if that time had passed (with their exact timestamps). Advances add up to
    /// at most a hundred years.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), playflow::emulator::EmulatorError> {
    /// let emulator = playflow::emulator::Emulator::start().await?;
    /// emulator.advance(std::time::Duration::from_secs(90));
    /// # Ok(())
    /// # }
    /// ```
    pub fn advance(&self, by: Duration) {
        self.shared.clock.advance(by);
        self.shared.tick();
    }

    /// A few lines telling a person where the emulator listens and which keys it accepts.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), playflow::emulator::EmulatorError> {
    /// let emulator = playflow::emulator::Emulator::start().await?;
    /// assert!(emulator.banner().contains(emulator.base_url()));
    /// # Ok(())
    /// # }
    /// ```
    pub fn banner(&self) -> String {
        format!(
            "PlayFlow emulator listening on {url}\n\
             base URL:    {url}\n\
             server key:  {server}\n\
             client key:  {client}\n\
             time scale:  {scale}x\n\
             export PLAYFLOW_BASE_URL={url} PLAYFLOW_API_KEY={server}",
            url = self.base_url(),
            server = self.server_key(),
            client = self.client_key(),
            scale = self.shared.config.time_scale,
        )
    }

    /// Stops accepting requests, ends open event streams and waits (up to 5 seconds) for the
    /// server to finish. The emulator's temporary upload folder is removed.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), playflow::emulator::EmulatorError> {
    /// let emulator = playflow::emulator::Emulator::start().await?;
    /// emulator.shutdown().await;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(mut server) = self.server.take()
            && tokio::time::timeout(Duration::from_secs(5), &mut server)
                .await
                .is_err()
        {
            server.abort();
        }
    }

    /// Runs until Ctrl-C: prints [`Emulator::banner`] to stdout, waits for the signal, then shuts
    /// down. This is what `playflow emulator` runs.
    ///
    /// ```no_run
    /// # #[tokio::main]
    /// # async fn main() -> Result<(), playflow::emulator::EmulatorError> {
    /// let emulator = playflow::emulator::Emulator::builder().time_scale(10.0).start().await?;
    /// emulator.run_until_ctrl_c().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn run_until_ctrl_c(self) -> Result<(), EmulatorError> {
        println!("{}", self.banner());
        let waited = tokio::signal::ctrl_c().await;
        self.shutdown().await;
        waited.map_err(EmulatorError::Io)
    }

    async fn launch(config: EmulatorBuilder) -> Result<Emulator, EmulatorError> {
        config.check()?;
        // Compile the spec's schemas now rather than on the first request.
        spec::Spec::get().map_err(EmulatorError::Config)?;
        let listener = tokio::net::TcpListener::bind(config.bind)
            .await
            .map_err(EmulatorError::Bind)?;
        let address = listener.local_addr().map_err(EmulatorError::Bind)?;
        let (shutdown, stopped) = watch::channel(false);
        let shared = Arc::new(Shared::new(config, address, stopped.clone())?);
        let router = routes::router(shared.clone());
        let mut until_stopped = stopped.clone();
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = until_stopped.wait_for(|stopped| *stopped).await;
                })
                .await;
        });
        let ticker = tokio::spawn(state::run_ticker(shared.clone(), stopped));
        Ok(Emulator {
            shared,
            shutdown,
            server: Some(server),
            ticker,
        })
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(server) = self.server.take() {
            server.abort();
        }
        self.ticker.abort();
    }
}

impl fmt::Debug for Emulator {
    // Keys are secrets even here: a test log must not carry them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.base_url())
            .field("server_key", &"pf_emu_…")
            .field("client_key", &"pfclient_emu_…")
            .field("time_scale", &self.shared.config.time_scale)
            .finish()
    }
}

/// Why an emulator could not start.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// use playflow::emulator::{Emulator, EmulatorError};
/// let refused = Emulator::builder().bind("0.0.0.0:0".parse().unwrap()).start().await;
/// assert!(matches!(refused, Err(EmulatorError::Config(_))));
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum EmulatorError {
    /// A builder setting is out of range (the message says which and why).
    Config(String),
    /// The listening socket could not be bound.
    Bind(std::io::Error),
    /// Another I/O failure, e.g. creating the temporary upload folder.
    Io(std::io::Error),
}

impl fmt::Display for EmulatorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EmulatorError::Config(message) => write!(f, "invalid emulator setting: {message}"),
            EmulatorError::Bind(error) => {
                write!(f, "could not bind the emulator's socket: {error}")
            }
            EmulatorError::Io(error) => write!(f, "emulator I/O error: {error}"),
        }
    }
}

impl std::error::Error for EmulatorError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            EmulatorError::Config(_) => None,
            EmulatorError::Bind(error) | EmulatorError::Io(error) => Some(error),
        }
    }
}
