//! The emulator's settings: [`EmulatorBuilder`] and the enums it takes.

use std::net::SocketAddr;
use std::time::Duration;

use crate::error::EmulatorError;

/// Settings of an emulator; [`EmulatorBuilder::start`] launches it.
///
/// Durations are PlayFlow time: at `time_scale(1000.0)` a 60-second build processing delay
/// passes in 60 ms of wall time.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), playflow_emulator::EmulatorError> {
/// use std::time::Duration;
/// use playflow_emulator::{Emulator, Plan};
///
/// let emulator = Emulator::builder()
///     .time_scale(1000.0)
///     .build_processing_delay(Duration::from_secs(90))
///     .server_launch_delay(Duration::from_secs(15))
///     .rate_limits(100, 10)
///     .plan(Plan::Pro)
///     .start()
///     .await?;
/// # let _ = emulator;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct EmulatorBuilder {
    pub(crate) time_scale: f64,
    pub(crate) build_processing_delay: Duration,
    pub(crate) server_launch_delay: Duration,
    pub(crate) pool_launch_delay: Duration,
    pub(crate) upload_url_lifetime: Duration,
    pub(crate) max_upload_bytes: u64,
    pub(crate) read_limit: u32,
    pub(crate) write_limit: u32,
    pub(crate) plan: Plan,
    pub(crate) lobby_server_layout: LobbyServerLayout,
    pub(crate) bind: SocketAddr,
    pub(crate) server_key: Option<String>,
    pub(crate) client_key: Option<String>,
    pub(crate) game_servers: GameServers,
    pub(crate) launch_timeout: Duration,
    pub(crate) container_cli: Option<std::path::PathBuf>,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            time_scale: 1.0,
            build_processing_delay: Duration::from_secs(60),
            server_launch_delay: Duration::from_secs(10),
            pool_launch_delay: Duration::from_secs(5),
            upload_url_lifetime: Duration::from_secs(300),
            max_upload_bytes: 5 << 30,
            read_limit: 100,
            write_limit: 10,
            plan: Plan::Pro,
            lobby_server_layout: LobbyServerLayout::Compact,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            server_key: None,
            client_key: None,
            game_servers: GameServers::Simulated,
            launch_timeout: Duration::from_secs(60),
            container_cli: None,
        }
    }
}

impl EmulatorBuilder {
    /// How many times faster than the wall clock PlayFlow time runs (default 1; at most 10⁶).
    ///
    /// ```
    /// let builder = playflow_emulator::Emulator::builder().time_scale(1000.0);
    /// # let _ = builder;
    /// ```
    pub fn time_scale(mut self, scale: f64) -> Self {
        self.time_scale = scale;
        self
    }

    /// How long a build stays `processing` before it is `ready` or `failed` (default 60 s).
    ///
    /// ```
    /// let builder = playflow_emulator::Emulator::builder()
    ///     .build_processing_delay(std::time::Duration::from_secs(120));
    /// # let _ = builder;
    /// ```
    pub fn build_processing_delay(mut self, delay: Duration) -> Self {
        self.build_processing_delay = delay;
        self
    }

    /// How long a server stays `launching` before it is `running` (default 10 s). A server
    /// claimed from the warm pool launches in at most 5 s.
    ///
    /// ```
    /// let builder = playflow_emulator::Emulator::builder()
    ///     .server_launch_delay(std::time::Duration::from_secs(30));
    /// # let _ = builder;
    /// ```
    pub fn server_launch_delay(mut self, delay: Duration) -> Self {
        self.server_launch_delay = delay;
        self.pool_launch_delay = self.pool_launch_delay.min(delay);
        self
    }

    /// How long an upload URL stays valid (default 5 minutes, as PlayFlow's).
    ///
    /// ```
    /// let builder = playflow_emulator::Emulator::builder()
    ///     .upload_url_lifetime(std::time::Duration::from_secs(60));
    /// # let _ = builder;
    /// ```
    pub fn upload_url_lifetime(mut self, lifetime: Duration) -> Self {
        self.upload_url_lifetime = lifetime;
        self
    }

    /// The largest build archive accepted, in bytes (default 5 GiB); larger uploads get 413.
    ///
    /// ```
    /// let builder = playflow_emulator::Emulator::builder().max_upload_bytes(64 << 20);
    /// # let _ = builder;
    /// ```
    pub fn max_upload_bytes(mut self, bytes: u64) -> Self {
        self.max_upload_bytes = bytes;
        self
    }

    /// Requests per wall-clock second allowed to each key for reads (GET) and for writes
    /// (defaults 100 and 10, as PlayFlow's). Over the limit a call gets 429.
    ///
    /// ```
    /// let builder = playflow_emulator::Emulator::builder().rate_limits(20, 2);
    /// # let _ = builder;
    /// ```
    pub fn rate_limits(mut self, reads_per_second: u32, writes_per_second: u32) -> Self {
        self.read_limit = reads_per_second;
        self.write_limit = writes_per_second;
        self
    }

    /// Effectively no rate limits: a million calls per second for each key and kind of call,
    /// more than loopback HTTP carries, so no call gets 429. For local tools driven at full
    /// speed; [`rate_limits`](Self::rate_limits) restores PlayFlow's.
    ///
    /// ```
    /// let builder = playflow_emulator::Emulator::builder().no_rate_limits();
    /// # let _ = builder;
    /// ```
    pub fn no_rate_limits(self) -> Self {
        self.rate_limits(1_000_000, 1_000_000)
    }

    /// The project's plan (default [`Plan::Pro`]).
    ///
    /// ```
    /// let builder = playflow_emulator::Emulator::builder().plan(playflow_emulator::Plan::Free);
    /// # let _ = builder;
    /// ```
    pub fn plan(mut self, plan: Plan) -> Self {
        self.plan = plan;
        self
    }

    /// Which of the two documented layouts a lobby's `server` block uses (default compact).
    ///
    /// ```
    /// use playflow_emulator::LobbyServerLayout;
    /// let builder = playflow_emulator::Emulator::builder().lobby_server_layout(LobbyServerLayout::Full);
    /// # let _ = builder;
    /// ```
    pub fn lobby_server_layout(mut self, layout: LobbyServerLayout) -> Self {
        self.lobby_server_layout = layout;
        self
    }

    /// The loopback address to listen on (default `127.0.0.1:0`, a free port). Other addresses
    /// are refused: the emulator is for this machine only.
    ///
    /// ```
    /// let builder = playflow_emulator::Emulator::builder().bind("127.0.0.1:8787".parse().unwrap());
    /// # let _ = builder;
    /// ```
    pub fn bind(mut self, address: SocketAddr) -> Self {
        self.bind = address;
        self
    }

    /// Uses this server key instead of a random one; it must start with `pf_`.
    ///
    /// ```
    /// let builder = playflow_emulator::Emulator::builder().server_key("pf_emu_local");
    /// # let _ = builder;
    /// ```
    pub fn server_key(mut self, key: impl Into<String>) -> Self {
        self.server_key = Some(key.into());
        self
    }

    /// Uses this client key instead of a random one; it must start with `pfclient_`.
    ///
    /// ```
    /// let builder = playflow_emulator::Emulator::builder().client_key("pfclient_emu_local");
    /// # let _ = builder;
    /// ```
    pub fn client_key(mut self, key: impl Into<String>) -> Self {
        self.client_key = Some(key.into());
        self
    }

    /// Whether servers of ZIP builds run the uploaded game for real (default
    /// [`GameServers::Simulated`]: fast and without processes, for unit tests).
    ///
    /// ```
    /// use playflow_emulator::GameServers;
    /// let builder = playflow_emulator::Emulator::builder().game_servers(GameServers::Processes);
    /// # let _ = builder;
    /// ```
    pub fn game_servers(mut self, mode: GameServers) -> Self {
        self.game_servers = mode;
        self
    }

    /// With [`GameServers::Processes`]: how long (wall clock) a game process may take to listen
    /// on all its ports before its server is stopped with `LAUNCH_TIMEOUT` (default 60 s).
    ///
    /// ```
    /// let builder = playflow_emulator::Emulator::builder()
    ///     .launch_timeout(std::time::Duration::from_secs(20));
    /// # let _ = builder;
    /// ```
    pub fn launch_timeout(mut self, timeout: Duration) -> Self {
        self.launch_timeout = timeout;
        self
    }

    /// With [`GameServers::Processes`]: the container CLI that runs Docker-image builds (a
    /// `docker` or `podman` executable; default: `docker`, else `podman`, on `PATH`). Its
    /// daemon must answer `info`; otherwise such servers end `stopped` saying why.
    ///
    /// ```
    /// let builder = playflow_emulator::Emulator::builder().container_cli("/usr/bin/podman");
    /// # let _ = builder;
    /// ```
    pub fn container_cli(mut self, cli: impl Into<std::path::PathBuf>) -> Self {
        self.container_cli = Some(cli.into());
        self
    }

    pub(crate) fn check(&self) -> Result<(), EmulatorError> {
        let refuse = |message: String| Err(EmulatorError::Config(message));
        if !(self.time_scale.is_finite() && self.time_scale > 0.0 && self.time_scale <= 1e6) {
            return refuse(format!(
                "time_scale must be above 0 and at most 1000000, got {}",
                self.time_scale
            ));
        }
        if self.read_limit == 0 || self.write_limit == 0 {
            return refuse("rate limits must be at least 1 request per second".into());
        }
        if !self.bind.ip().is_loopback() {
            return refuse(format!(
                "the emulator listens on loopback only; {} is not a loopback address",
                self.bind.ip()
            ));
        }
        let long = Duration::from_secs(7 * 24 * 3600);
        for (name, value) in [
            ("build_processing_delay", self.build_processing_delay),
            ("server_launch_delay", self.server_launch_delay),
            ("upload_url_lifetime", self.upload_url_lifetime),
        ] {
            if value > long {
                return refuse(format!("{name} must be at most 7 days"));
            }
        }
        let header_safe = |key: &str| key.bytes().all(|byte| byte.is_ascii_graphic());
        if let Some(key) = &self.server_key
            && (!key.starts_with("pf_") || key.len() < 8 || !header_safe(key))
        {
            return refuse(
                "the server key must start with `pf_`, be at least 8 characters and hold only \
                 visible ASCII"
                    .into(),
            );
        }
        if let Some(key) = &self.client_key
            && (!key.starts_with("pfclient_") || key.len() < 14 || !header_safe(key))
        {
            return refuse(
                "the client key must start with `pfclient_`, be at least 14 characters and hold \
                 only visible ASCII"
                    .into(),
            );
        }
        if self.server_key.is_some() && self.server_key == self.client_key {
            return refuse("the server key and the client key must differ".into());
        }
        Ok(())
    }
}

impl std::fmt::Debug for EmulatorBuilder {
    // Keys stay out of Debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorBuilder")
            .field("time_scale", &self.time_scale)
            .field("build_processing_delay", &self.build_processing_delay)
            .field("server_launch_delay", &self.server_launch_delay)
            .field("upload_url_lifetime", &self.upload_url_lifetime)
            .field("max_upload_bytes", &self.max_upload_bytes)
            .field("rate_limits", &(self.read_limit, self.write_limit))
            .field("plan", &self.plan)
            .field("lobby_server_layout", &self.lobby_server_layout)
            .field("bind", &self.bind)
            .field("server_key", &self.server_key.as_ref().map(|_| "<set>"))
            .field("client_key", &self.client_key.as_ref().map(|_| "<set>"))
            .field("game_servers", &self.game_servers)
            .finish()
    }
}

/// A PlayFlow plan, with the limits it puts on servers.
///
/// ```
/// use playflow_emulator::Plan;
/// assert_ne!(Plan::Free, Plan::Pro);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Plan {
    /// One server at a time, `small` compute only, TTL of at most one hour (the default TTL).
    Free,
    /// No server limits.
    Pro,
}

/// Layout of the `server` block in lobbies; PlayFlow has sent both.
///
/// ```
/// use playflow_emulator::LobbyServerLayout;
/// let layout = LobbyServerLayout::Compact;
/// # let _ = layout;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LobbyServerLayout {
    /// camelCase: `instanceId`, `status`, `region`, `ports[{name, host, port, protocol}]`.
    Compact,
    /// The full server object in snake_case, as `getServer` returns it.
    Full,
}

/// What a started server is: a simulation, or the build's game server running as a process.
///
/// ```
/// use playflow_emulator::GameServers;
/// assert_ne!(GameServers::Simulated, GameServers::Processes);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum GameServers {
    /// Servers follow the configured delays and nothing listens on their ports (the default).
    #[default]
    Simulated,
    /// Servers of ZIP builds run the build's executable as a child process (own process group,
    /// own network namespace where the machine allows), with its ports relayed from the reported
    /// `127.0.0.1:external_port`; its lifecycle, logs and metrics follow the process. Builds are
    /// unpacked (and checked) when their upload is processed. Docker-image builds run through a
    /// local Docker or Podman ([`EmulatorBuilder::container_cli`]) with their ports published
    /// on loopback; without one, their servers end `stopped` with a log line saying why.
    Processes,
}
