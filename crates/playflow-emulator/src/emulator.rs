//! [`Emulator`]: a running emulator, its address and keys, its clock, and shutting it down.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::api::{self, Shared};
use crate::config::EmulatorBuilder;
use crate::error::EmulatorError;
use crate::world::run_ticker;

/// A running emulator. Dropping it (or [`Emulator::shutdown`]) stops it.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let emulator = playflow_emulator::Emulator::builder()
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
    /// # async fn main() -> Result<(), playflow_emulator::EmulatorError> {
    /// let emulator = playflow_emulator::Emulator::start().await?;
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
    /// let builder = playflow_emulator::Emulator::builder()
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
    /// # async fn main() -> Result<(), playflow_emulator::EmulatorError> {
    /// let emulator = playflow_emulator::Emulator::start().await?;
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
    /// # async fn main() -> Result<(), playflow_emulator::EmulatorError> {
    /// let emulator = playflow_emulator::Emulator::start().await?;
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
    /// # async fn main() -> Result<(), playflow_emulator::EmulatorError> {
    /// let emulator = playflow_emulator::Emulator::start().await?;
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
    /// # async fn main() -> Result<(), playflow_emulator::EmulatorError> {
    /// let emulator = playflow_emulator::Emulator::start().await?;
    /// let before = emulator.now();
    /// emulator.advance(std::time::Duration::from_secs(3600));
    /// assert!(emulator.now() - before >= chrono::TimeDelta::hours(1));
    /// # Ok(())
    /// # }
    /// ```
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.shared.now()
    }

    /// Moves PlayFlow time forward at once, e.g. past a server's TTL. Transitions that fall due
    /// are applied as if that time had passed (with their exact timestamps). Advances add up to
    /// at most a hundred years.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), playflow_emulator::EmulatorError> {
    /// let emulator = playflow_emulator::Emulator::start().await?;
    /// emulator.advance(std::time::Duration::from_secs(90));
    /// # Ok(())
    /// # }
    /// ```
    pub fn advance(&self, by: Duration) {
        self.shared.world.skip(by);
    }

    /// How many times faster than the wall clock PlayFlow time runs here.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), playflow_emulator::EmulatorError> {
    /// let emulator = playflow_emulator::Emulator::builder().time_scale(60.0).start().await?;
    /// assert_eq!(emulator.time_scale(), 60.0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn time_scale(&self) -> f64 {
        self.shared.config.time_scale
    }

    /// How servers run here ([`EmulatorBuilder::game_servers`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), playflow_emulator::EmulatorError> {
    /// let emulator = playflow_emulator::Emulator::start().await?;
    /// assert_eq!(emulator.game_servers(), playflow_emulator::GameServers::Simulated);
    /// # Ok(())
    /// # }
    /// ```
    pub fn game_servers(&self) -> crate::GameServers {
        self.shared.config.game_servers
    }

    /// With [`GameServers::Processes`](crate::GameServers::Processes): how game processes are
    /// isolated from each other on this machine (own network namespaces, or a shared host
    /// network where two servers on one internal port conflict), in a sentence. `None` when
    /// servers are simulated.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), playflow_emulator::EmulatorError> {
    /// let emulator = playflow_emulator::Emulator::start().await?;
    /// assert!(emulator.isolation().is_none());
    /// # Ok(())
    /// # }
    /// ```
    pub fn isolation(&self) -> Option<String> {
        self.shared
            .host
            .as_ref()
            .map(|host| host.isolation().to_string())
    }

    /// With [`GameServers::Processes`](crate::GameServers::Processes): the PEM file of the
    /// self-signed certificate that `tls_enabled` ports present (it names `localhost` and
    /// `127.0.0.1`), for game clients to trust.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), playflow_emulator::EmulatorError> {
    /// let emulator = playflow_emulator::Emulator::start().await?;
    /// assert!(emulator.certificate_pem_path().is_none());
    /// # Ok(())
    /// # }
    /// ```
    pub fn certificate_pem_path(&self) -> Option<&std::path::Path> {
        self.shared
            .host
            .as_ref()
            .map(|host| host.certificate_pem_path())
    }

    /// Stops accepting requests, ends open event streams and waits (up to 5 seconds) for the
    /// server to finish. The emulator's temporary upload folder is removed.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), playflow_emulator::EmulatorError> {
    /// let emulator = playflow_emulator::Emulator::start().await?;
    /// emulator.shutdown().await;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn shutdown(mut self) {
        let _ = self.shutdown.send(true);
        if let Some(host) = &self.shared.host {
            host.kill_all();
        }
        if let Some(mut server) = self.server.take()
            && tokio::time::timeout(Duration::from_secs(5), &mut server)
                .await
                .is_err()
        {
            server.abort();
        }
    }

    pub(crate) async fn launch(config: EmulatorBuilder) -> Result<Emulator, EmulatorError> {
        config.check()?;
        // Compile the spec's schemas now rather than on the first request.
        api::spec::Spec::get().map_err(EmulatorError::Config)?;
        let listener = tokio::net::TcpListener::bind(config.bind)
            .await
            .map_err(EmulatorError::Bind)?;
        let address = listener.local_addr().map_err(EmulatorError::Bind)?;
        let (shutdown, stopped) = watch::channel(false);
        let shared = Arc::new(Shared::new(config, address, stopped.clone())?);
        let router = api::router(shared.clone());
        let mut until_stopped = stopped.clone();
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = until_stopped.wait_for(|stopped| *stopped).await;
                })
                .await;
        });
        if let Some(host) = &shared.host {
            tokio::spawn(host.clone().follow(shared.world.clone(), stopped.clone()));
            eprintln!(
                "playflow-emulator: servers of ZIP builds run as processes; {}; TLS ports use the certificate {}",
                host.isolation(),
                host.certificate_pem_path().display()
            );
        }
        let ticker = tokio::spawn(run_ticker(shared.world.clone(), stopped));
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
        if let Some(host) = &self.shared.host {
            host.kill_all();
        }
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

// Here rather than in `config`: starting is the emulator's business, the builder only holds
// settings (and `config` then needs nothing from this file).
impl EmulatorBuilder {
    /// Starts the emulator.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), playflow_emulator::EmulatorError> {
    /// let emulator = playflow_emulator::Emulator::builder().time_scale(60.0).start().await?;
    /// # let _ = emulator;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn start(self) -> Result<Emulator, EmulatorError> {
        Emulator::launch(self).await
    }
}
