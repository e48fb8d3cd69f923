//! A started game server: its ports, its events, stopping it.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, watch};
use tokio::task::AbortHandle;

use crate::process::{Exit, ProcessGroup, Usage};
use crate::spec::Protocol;

/// Which output stream a log line came from.
///
/// ```
/// assert_eq!(playflow_runner::Stream::Stderr.to_string(), "stderr");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Standard output (PlayFlow log level `info`).
    Stdout,
    /// Standard error (PlayFlow log level `error`).
    Stderr,
}

impl std::fmt::Display for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        })
    }
}

/// Something that happened to a game server, in order.
///
/// A server's events go: log lines interleaved with one `Listening` (or `LaunchTimedOut`), then
/// `Exited` last, after every line the process wrote.
///
/// ```
/// use playflow_runner::Event;
///
/// fn describe(event: &Event) -> String {
///     match event {
///         Event::Listening { after, .. } => format!("listening after {after:?}"),
///         Event::Log { stream, line, .. } => format!("{stream}: {line}"),
///         Event::LaunchTimedOut { after } => format!("not listening after {after:?}; stopping it"),
///         Event::Exited { status, .. } => status.to_string(),
///         _ => "something else".to_owned(),
///     }
/// }
/// assert_eq!(describe(&Event::Exited { at: chrono::Utc::now(), status: playflow_runner::Exit::Code(0) }), "exited with code 0");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// The process listens on every one of its internal ports (at once if it has none).
    Listening {
        /// When it was seen listening.
        at: DateTime<Utc>,
        /// Time from spawn to listening.
        after: Duration,
    },
    /// One line of the process's output (without its line ending; lines longer than 8 KiB are
    /// cut there and end with `…`).
    Log {
        /// When the runner read it.
        at: DateTime<Utc>,
        /// stdout or stderr.
        stream: Stream,
        /// The line, decoded as UTF-8 (invalid bytes replaced).
        line: String,
    },
    /// The process did not listen on all its ports within the launch timeout; the runner is
    /// stopping it (SIGTERM, the spec's grace, SIGKILL), and `Exited` follows.
    LaunchTimedOut {
        /// The launch timeout.
        after: Duration,
    },
    /// The process has exited; the last event.
    Exited {
        /// When the runner saw it exit.
        at: DateTime<Utc>,
        /// Its exit code or signal.
        status: Exit,
    },
}

/// A port of a running server: where players connect.
///
/// ```
/// # async fn demo(server: &playflow_runner::RunningServer) {
/// for port in server.ports() {
///     println!("{} {}:{} ({})", port.name, port.external.ip(), port.external.port(), port.protocol);
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BoundPort {
    /// The port's name.
    pub name: String,
    /// The port the game binds.
    pub internal_port: u16,
    /// UDP or TCP.
    pub protocol: Protocol,
    /// Whether the external side speaks TLS.
    pub tls: bool,
    /// Where players connect: `127.0.0.1:<external port>`.
    pub external: SocketAddr,
}

/// A game server process started by [`Runner::start`](crate::Runner::start).
///
/// Dropping it kills the process group at once (SIGKILL) and closes its ports; call
/// [`stop`](Self::stop) for a graceful end.
#[derive(Debug)]
pub struct RunningServer {
    pub(crate) pid: u32,
    pub(crate) ports: Vec<BoundPort>,
    pub(crate) events: Option<mpsc::Receiver<Event>>,
    pub(crate) exit: watch::Receiver<Option<Exit>>,
    pub(crate) group: Arc<ProcessGroup>,
    pub(crate) tasks: Vec<AbortHandle>,
    /// For a container build: the container, removed when the server stops or is dropped
    /// (killing the container CLI does not end the container).
    pub(crate) container: Option<crate::container::Container>,
}

impl RunningServer {
    /// The game process's id (also its process group's id).
    ///
    /// ```
    /// # fn demo(server: &playflow_runner::RunningServer) {
    /// println!("game pid {}", server.pid());
    /// # }
    /// ```
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The server's ports with their external addresses, in the spec's order.
    ///
    /// ```
    /// # fn demo(server: &playflow_runner::RunningServer) {
    /// let game = server.port("game").expect("a game port");
    /// println!("connect to {}", game.external);
    /// # }
    /// ```
    pub fn ports(&self) -> &[BoundPort] {
        &self.ports
    }

    /// The port named `name`.
    ///
    /// ```
    /// # fn demo(server: &playflow_runner::RunningServer) {
    /// assert!(server.port("no-such-port").is_none());
    /// # }
    /// ```
    pub fn port(&self, name: &str) -> Option<&BoundPort> {
        self.ports.iter().find(|port| port.name == name)
    }

    /// The next event, or `None` once `Exited` has been received (or the events were taken).
    ///
    /// Read events promptly: 256 of them are buffered, then the game's next output line waits
    /// (as a game writing to a slow terminal does). Dropping the receiver is fine: the output is
    /// then read and discarded.
    ///
    /// ```
    /// # async fn demo(mut server: playflow_runner::RunningServer) {
    /// while let Some(event) = server.next_event().await {
    ///     println!("{event:?}");
    /// }
    /// # }
    /// ```
    pub async fn next_event(&mut self) -> Option<Event> {
        self.events.as_mut()?.recv().await
    }

    /// Takes the event stream, e.g. to follow it in a task of its own while keeping `self` to
    /// stop the server. `None` if taken before.
    ///
    /// ```
    /// # async fn demo(mut server: playflow_runner::RunningServer) {
    /// let mut events = server.take_events().expect("not taken yet");
    /// tokio::spawn(async move {
    ///     while let Some(event) = events.recv().await {
    ///         println!("{event:?}");
    ///     }
    /// });
    /// server.stop(std::time::Duration::from_secs(5)).await;
    /// # }
    /// ```
    pub fn take_events(&mut self) -> Option<mpsc::Receiver<Event>> {
        self.events.take()
    }

    /// How the process ended, if it has.
    ///
    /// ```
    /// # fn demo(server: &playflow_runner::RunningServer) {
    /// if let Some(status) = server.exit_status() {
    ///     println!("{status}");
    /// }
    /// # }
    /// ```
    pub fn exit_status(&self) -> Option<Exit> {
        *self.exit.borrow()
    }

    /// Waits for the process to exit by itself.
    ///
    /// ```
    /// # async fn demo(server: playflow_runner::RunningServer) {
    /// let status = server.wait().await;
    /// println!("{status}");
    /// # }
    /// ```
    pub async fn wait(&self) -> Exit {
        let mut exit = self.exit.clone();
        match exit.wait_for(Option::is_some).await {
            Ok(done) => done.unwrap_or(Exit::Signal(9)),
            Err(_) => Exit::Signal(9),
        }
    }

    /// Stops the server: SIGTERM to its process group, up to `grace` for it to exit, then
    /// SIGKILL. Returns how it ended (at once if it already had). Works while launching too.
    ///
    /// ```
    /// # async fn demo(server: playflow_runner::RunningServer) {
    /// let status = server.stop(std::time::Duration::from_secs(10)).await;
    /// println!("server {status}");
    /// # }
    /// ```
    pub async fn stop(&self, grace: Duration) -> Exit {
        let exit = self.group.stop(grace, self.exit.clone()).await;
        if let Some(container) = &self.container {
            container.remove().await;
        }
        exit
    }

    /// CPU time and resident memory of the server's process group (from `/proc/<pid>/stat`).
    ///
    /// Blocking: it reads the `stat` of every process on the machine to find the group's. In
    /// async code, [`usage`](Self::usage) does the same off the runtime's threads.
    ///
    /// ```
    /// # fn demo(server: &playflow_runner::RunningServer) {
    /// let usage = server.cpu_and_memory();
    /// println!("{:?} CPU, {} bytes", usage.cpu_time, usage.memory_bytes);
    /// # }
    /// ```
    pub fn cpu_and_memory(&self) -> Usage {
        crate::process::usage(self.group.pgid)
    }

    /// [`cpu_and_memory`](Self::cpu_and_memory) on tokio's blocking pool, so that sampling
    /// many servers does not stall the tasks that serve them.
    ///
    /// ```
    /// # async fn demo(server: &playflow_runner::RunningServer) {
    /// let usage = server.usage().await;
    /// println!("{} process(es), {} bytes", usage.processes, usage.memory_bytes);
    /// # }
    /// ```
    pub async fn usage(&self) -> Usage {
        let pgid = self.group.pgid;
        tokio::task::spawn_blocking(move || crate::process::usage(pgid))
            .await
            .unwrap_or(Usage {
                cpu_time: Duration::ZERO,
                memory_bytes: 0,
                processes: 0,
            })
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        self.group.signal(nix::sys::signal::Signal::SIGKILL);
        for task in &self.tasks {
            task.abort();
        }
    }
}
