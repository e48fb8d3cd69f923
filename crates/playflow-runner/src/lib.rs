//! Runs a PlayFlow build's game server for real: as a child process in its own process group
//! and network namespace, with its ports relayed from `127.0.0.1`.
//!
//! - [`BuildCache`] unpacks a ZIP build once per build id and makes its executable executable.
//! - [`Runner::start`] takes a [`GameSpec`] and returns a [`RunningServer`]: external loopback
//!   ports for players, a stream of [`Event`]s (`Listening`, `Log` lines with real timestamps,
//!   `LaunchTimedOut`, `Exited`), [`stop`](RunningServer::stop) (SIGTERM, grace, SIGKILL on the
//!   whole group) and [`cpu_and_memory`](RunningServer::cpu_and_memory).
//! - [`echo`] is a tiny UDP/TCP echo game server and the ZIP build made of it.
//!
//! # What the game process gets
//!
//! PlayFlow documents two inputs for a game server, and the runner provides both:
//! `startup_args` as `PLAYFLOW_STARTUP_ARGS` (and as the command line, split on whitespace;
//! no shell quoting), and a `playflow.json` file with `instance_id`, `region` and `custom_data`
//! next to the executable, as PlayFlow does. The unpacked build is shared by every server of that
//! build, so a spec made with [`GameSpec::for_build`] runs from a per-server mirror of the build
//! (executable hard-linked, the rest symlinked), which holds that server's `playflow.json`. `environment_variables` are set as given. The host's own
//! environment is not passed on, except `PATH`; `HOME` is the working folder. What the runner
//! cannot know is not invented: there is no public IP, no real region or machine, and the game
//! is not told its external ports (neither is it on PlayFlow).
//!
//! # Isolation
//!
//! [`Isolation::probe`] (run by [`Runner::new`]) decides once: with root (or `CAP_SYS_ADMIN` +
//! `CAP_NET_ADMIN`) every game gets its own network namespace, so two servers can both bind
//! 7777. Without root, where the kernel allows unprivileged user namespaces, every game gets its
//! own user + network namespace, and a tiny helper forked inside it hands the relay its sockets
//! (the runner cannot `setns` there without `CAP_SYS_ADMIN`). Otherwise games share the host
//! network, and a second server on the same internal port fails its bind (its log says so, and
//! it never becomes `Listening`).
//!
//! # No orphans
//!
//! Each game process leads its own process group; [`RunningServer`]'s and [`Runner`]'s `Drop`
//! SIGKILL the group; a process whose runner dies gets SIGKILL from the kernel
//! (`PR_SET_PDEATHSIG`). The death signal covers the game process itself: a grandchild that
//! leaves the group can outlive a `kill -9`ed runner. A container belongs to its daemon, not
//! to the runner's process tree: each one gets a reaper process that runs `<cli> rm -f` once
//! the runner's process is gone, however it ended.
//!
//! # Following a server's lifecycle
//!
//! How an API emulator maps the events onto PlayFlow's `launching → running → stopped`:
//!
//! | runner | server |
//! | --- | --- |
//! | [`Runner::start`] returns | `launching` (a [`StartError`] instead: `failed`/`stopped` with its `Display` as the log line) |
//! | [`Event::Listening`] | `running` |
//! | [`Event::Log`] | a log line at its `at`: level `info` for stdout, `error` for stderr |
//! | [`Event::LaunchTimedOut`] | a log line saying so; the `Exited` that follows makes it `stopped` |
//! | [`Event::Exited`] on its own | `stopped` with `PROCESS_EXITED` (its status in the log), or a new [`Runner::start`] when `auto_restart` |
//! | TTL reached | [`RunningServer::stop`] with a grace period, then `stopped` with `TTL_EXPIRED` |
//! | stop / restart requests | [`RunningServer::stop`] (then a new start for restart) |
//! | metrics | [`RunningServer::cpu_and_memory`], CPU percent from two samples |
//!
//! ```no_run
//! use std::time::Duration;
//! use playflow_runner::{BuildCache, Event, GameSpec, PortSpec, Protocol, Runner, RunnerConfig};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let cache = BuildCache::new("/var/cache/playflow/builds")?;
//! let build = cache.unpack("build-1", "upload.zip".as_ref(), "Server.x86_64")?;
//! let runner = Runner::new(RunnerConfig::default())?;
//! let mut server = runner
//!     .start(
//!         GameSpec::new(build.executable(), "/var/lib/playflow/servers/s1")
//!             .startup_args("--udp 7777")
//!             .port(PortSpec::new("game", 7777, Protocol::Udp))
//!             .launch_timeout(Duration::from_secs(60)),
//!     )
//!     .await?;
//! while let Some(event) = server.next_event().await {
//!     match event {
//!         Event::Listening { .. } => println!("running at {}", server.ports()[0].external),
//!         Event::Log { line, .. } => println!("log: {line}"),
//!         Event::Exited { status, .. } => println!("stopped: {status}"),
//!         _ => {}
//!     }
//! }
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod build_cache;
mod container;
pub mod echo;
mod isolation;
mod mirror;
mod process;
mod reaper;
mod relay;
mod runner;
mod server;
mod spec;
mod tls;
mod userns;

pub use build_cache::{BuildCache, BuildError, UnpackedBuild};
pub use container::{ContainerRuntime, ContainerSpec};
pub use isolation::Isolation;
pub use process::{Exit, Usage};
pub use runner::{Runner, RunnerConfig, StartError};
pub use server::{BoundPort, Event, RunningServer, Stream};
pub use spec::{GameSpec, PortSpec, Protocol, SessionInfo};
