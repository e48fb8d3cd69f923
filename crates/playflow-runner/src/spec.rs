//! What to run: a [`GameSpec`] and its [`PortSpec`]s.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// A port's transport.
///
/// ```
/// assert_eq!(playflow_runner::Protocol::Udp.to_string(), "udp");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// Datagrams; relayed per peer address.
    Udp,
    /// Streams; relayed per connection (optionally behind TLS).
    Tcp,
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::Udp => "udp",
            Protocol::Tcp => "tcp",
        })
    }
}

/// One of a server's ports (a PlayFlow `port_configs` entry).
///
/// ```
/// use playflow_runner::{PortSpec, Protocol};
///
/// let game = PortSpec::new("game", 7777, Protocol::Udp);
/// let web = PortSpec::new("web", 8443, Protocol::Tcp).tls(true);
/// assert!(web.tls && !game.tls);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PortSpec {
    /// The port's name (`game`).
    pub name: String,
    /// The port the game process binds (inside its namespace).
    pub internal_port: u16,
    /// UDP or TCP.
    pub protocol: Protocol,
    /// Serve the external port with TLS (TCP only): the relay terminates TLS with the runner's
    /// self-signed certificate and hands plain bytes to the game.
    pub tls: bool,
    /// The external loopback port to listen on; `None` picks a free one.
    pub external_port: Option<u16>,
}

impl PortSpec {
    /// A port without TLS on a free external port.
    ///
    /// ```
    /// let port = playflow_runner::PortSpec::new("game", 7777, playflow_runner::Protocol::Udp);
    /// assert_eq!(port.external_port, None);
    /// ```
    pub fn new(name: impl Into<String>, internal_port: u16, protocol: Protocol) -> PortSpec {
        PortSpec {
            name: name.into(),
            internal_port,
            protocol,
            tls: false,
            external_port: None,
        }
    }

    /// Serves the external side with TLS (TCP only).
    ///
    /// ```
    /// let port = playflow_runner::PortSpec::new("web", 443, playflow_runner::Protocol::Tcp).tls(true);
    /// assert!(port.tls);
    /// ```
    pub fn tls(mut self, tls: bool) -> PortSpec {
        self.tls = tls;
        self
    }

    /// Asks for a specific external loopback port (starting fails if it is taken).
    ///
    /// ```
    /// let port = playflow_runner::PortSpec::new("game", 7777, playflow_runner::Protocol::Udp)
    ///     .external_port(30000);
    /// assert_eq!(port.external_port, Some(30000));
    /// ```
    pub fn external_port(mut self, port: u16) -> PortSpec {
        self.external_port = Some(port);
        self
    }
}

/// What the session file `playflow.json` tells the game; PlayFlow writes it next to the
/// executable, and so does the runner (see [`GameSpec::for_build`]).
///
/// ```
/// let session = playflow_runner::SessionInfo {
///     instance_id: "i-123".into(),
///     region: "us-east".into(),
///     custom_data: serde_json::json!({"map": "dust2"}),
/// };
/// assert_eq!(session.instance_id, "i-123");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SessionInfo {
    /// The server's instance id.
    pub instance_id: String,
    /// The region it was started in.
    pub region: String,
    /// The server's `custom_data` (an object, or null).
    pub custom_data: serde_json::Value,
}

/// A game server to start: the executable, its folder, arguments, environment and ports.
///
/// Environment of the process: the host's environment is **not** passed on (a developer's
/// `PLAYFLOW_API_KEY` must not reach a game build); the process gets `PATH`, `HOME` (its working
/// folder), `PLAYFLOW_STARTUP_ARGS` (PlayFlow's documented variable, also split on whitespace
/// into the command line), then `environment_variables` as given.
///
/// ```
/// use std::time::Duration;
/// use playflow_runner::{GameSpec, PortSpec, Protocol};
///
/// let spec = GameSpec::new("/builds/b1/Server.x86_64", "/servers/s1")
///     .startup_args("-map forest -maxplayers 16")
///     .env("MODE", "ranked")
///     .port(PortSpec::new("game", 7777, Protocol::Udp))
///     .launch_timeout(Duration::from_secs(60));
/// assert_eq!(spec.ports.len(), 1);
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct GameSpec {
    /// The executable to run (absolute; usually [`UnpackedBuild::executable`](crate::UnpackedBuild::executable)).
    pub executable: PathBuf,
    /// The server's own working folder (created if missing); its `HOME`, and its current
    /// directory unless the executable is mirrored into a sub-folder of it.
    pub working_dir: PathBuf,
    /// The unpacked build the executable comes from: when set, `working_dir` becomes a mirror of
    /// it and the executable runs from there (see [`GameSpec::for_build`]).
    pub build_folder: Option<PathBuf>,
    /// `startup_args`: `PLAYFLOW_STARTUP_ARGS`, and the command line split on whitespace.
    pub startup_args: Option<String>,
    /// `environment_variables`, set as given (after the runner's own, so they win).
    pub environment_variables: BTreeMap<String, String>,
    /// The ports the game binds.
    pub ports: Vec<PortSpec>,
    /// Written as `playflow.json` into the working folder when set.
    pub session: Option<SessionInfo>,
    /// How long the process may take to listen on all its ports; then the runner reports
    /// [`Event::LaunchTimedOut`](crate::Event::LaunchTimedOut) and stops it. `None`: wait forever.
    pub launch_timeout: Option<Duration>,
    /// How long a stop caused by the launch timeout waits after SIGTERM before SIGKILL.
    pub stop_grace: Duration,
}

impl fmt::Debug for GameSpec {
    /// Environment variable values stay out: users put keys and passwords there.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GameSpec")
            .field("executable", &self.executable)
            .field("working_dir", &self.working_dir)
            .field("build_folder", &self.build_folder)
            .field("startup_args", &self.startup_args)
            .field(
                "environment_variables",
                &self.environment_variables.keys().collect::<Vec<_>>(),
            )
            .field("ports", &self.ports)
            .field("session", &self.session)
            .field("launch_timeout", &self.launch_timeout)
            .field("stop_grace", &self.stop_grace)
            .finish()
    }
}

impl GameSpec {
    /// A server of `executable` in `working_dir`, with no ports, arguments or timeout yet.
    ///
    /// ```
    /// let spec = playflow_runner::GameSpec::new("/bin/true", "/tmp/server-1");
    /// assert!(spec.ports.is_empty());
    /// ```
    pub fn new(executable: impl Into<PathBuf>, working_dir: impl Into<PathBuf>) -> GameSpec {
        GameSpec {
            executable: executable.into(),
            working_dir: working_dir.into(),
            build_folder: None,
            startup_args: None,
            environment_variables: BTreeMap::new(),
            ports: Vec::new(),
            session: None,
            launch_timeout: None,
            stop_grace: Duration::from_secs(5),
        }
    }

    /// A server of an unpacked build, run from `working_dir` laid out as a mirror of the build:
    /// the executable hard-linked (copied across file systems), the folders on its path created,
    /// everything else symlinked. So `playflow.json` (and whatever the game writes next to
    /// itself) sits next to this server's executable without touching the shared build, and the
    /// process's current directory is the executable's folder, as on PlayFlow.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let folder = tempfile::tempdir()?;
    /// # let archive = folder.path().join("build.zip");
    /// # playflow_runner::echo::zip_build_from_files(&archive, &[("Server.x86_64", b"#!/bin/sh\n".as_slice())])?;
    /// # let cache = playflow_runner::BuildCache::new(folder.path().join("builds"))?;
    /// let build = cache.unpack("build-1", &archive, "Server.x86_64")?;
    /// let spec = playflow_runner::GameSpec::for_build(&build, folder.path().join("server-1"));
    /// assert_eq!(spec.build_folder.as_deref(), Some(build.folder()));
    /// # Ok(()) }
    /// ```
    pub fn for_build(build: &crate::UnpackedBuild, working_dir: impl Into<PathBuf>) -> GameSpec {
        let mut spec = GameSpec::new(build.executable(), working_dir);
        spec.build_folder = Some(build.folder().to_owned());
        spec
    }

    /// Sets `startup_args`.
    ///
    /// ```
    /// let spec = playflow_runner::GameSpec::new("/bin/true", "/tmp/s").startup_args("--udp 7777");
    /// assert_eq!(spec.startup_args.as_deref(), Some("--udp 7777"));
    /// ```
    pub fn startup_args(mut self, args: impl Into<String>) -> GameSpec {
        self.startup_args = Some(args.into());
        self
    }

    /// Adds one environment variable.
    ///
    /// ```
    /// let spec = playflow_runner::GameSpec::new("/bin/true", "/tmp/s").env("MODE", "ranked");
    /// assert_eq!(spec.environment_variables["MODE"], "ranked");
    /// ```
    pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> GameSpec {
        self.environment_variables.insert(name.into(), value.into());
        self
    }

    /// Adds a port.
    ///
    /// ```
    /// use playflow_runner::{GameSpec, PortSpec, Protocol};
    /// let spec = GameSpec::new("/bin/true", "/tmp/s").port(PortSpec::new("game", 7777, Protocol::Udp));
    /// assert_eq!(spec.ports[0].name, "game");
    /// ```
    pub fn port(mut self, port: PortSpec) -> GameSpec {
        self.ports.push(port);
        self
    }

    /// Sets the session file's contents (`playflow.json`).
    ///
    /// ```
    /// let spec = playflow_runner::GameSpec::new("/bin/true", "/tmp/s").session(playflow_runner::SessionInfo {
    ///     instance_id: "i-1".into(),
    ///     region: "eu-west".into(),
    ///     custom_data: serde_json::Value::Null,
    /// });
    /// assert!(spec.session.is_some());
    /// ```
    pub fn session(mut self, session: SessionInfo) -> GameSpec {
        self.session = Some(session);
        self
    }

    /// Sets the launch timeout.
    ///
    /// ```
    /// let spec = playflow_runner::GameSpec::new("/bin/true", "/tmp/s")
    ///     .launch_timeout(std::time::Duration::from_secs(30));
    /// assert!(spec.launch_timeout.is_some());
    /// ```
    pub fn launch_timeout(mut self, timeout: Duration) -> GameSpec {
        self.launch_timeout = Some(timeout);
        self
    }

    /// Sets the grace period of a launch-timeout stop.
    ///
    /// ```
    /// let spec = playflow_runner::GameSpec::new("/bin/true", "/tmp/s")
    ///     .stop_grace(std::time::Duration::from_secs(1));
    /// assert_eq!(spec.stop_grace.as_secs(), 1);
    /// ```
    pub fn stop_grace(mut self, grace: Duration) -> GameSpec {
        self.stop_grace = grace;
        self
    }
}
