//! The [`Runner`]: starts game servers as isolated child processes with relayed ports.

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::os::fd::AsRawFd;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::mpsc as std_mpsc;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use chrono::Utc;
use nix::sys::signal::Signal;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::sync::{mpsc, oneshot, watch};

use crate::build_cache::BuildError;
use crate::isolation::{self, Isolation, NamespaceWorker};
use crate::mirror;
use crate::process::{self, Exit, ProcessGroup};
use crate::relay::{self, Inner, Target};
use crate::server::{BoundPort, Event, RunningServer, Stream};
use crate::spec::{GameSpec, Protocol};
use crate::tls::Certificate;
use crate::userns;

/// Longest log line kept; the rest of the line is dropped.
const MAX_LINE: usize = 8 * 1024;
/// Events buffered per server before the process's output waits for the reader.
const EVENT_BUFFER: usize = 256;
/// How long `Exited` waits for the output pipes to close after the process exited (a leftover
/// child may hold them open).
const DRAIN_TIMEOUT: Duration = Duration::from_secs(2);

/// How a [`Runner`] is set up.
///
/// ```
/// let config = playflow_runner::RunnerConfig::default()
///     .udp_idle_timeout(std::time::Duration::from_secs(120));
/// # let _ = config;
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RunnerConfig {
    /// Folder for the runner's files (its certificate); a fresh temporary folder when `None`.
    pub folder: Option<PathBuf>,
    /// How long a UDP peer may stay silent (both ways) before its inner socket is dropped.
    pub udp_idle_timeout: Duration,
    /// Force the shared host network even where namespaces work (to see what users without
    /// isolation get).
    pub force_shared_host: bool,
    /// Use user namespaces even where plain network namespaces work (to try the unprivileged
    /// path as root).
    pub prefer_user_namespaces: bool,
}

impl Default for RunnerConfig {
    fn default() -> Self {
        RunnerConfig {
            folder: None,
            udp_idle_timeout: Duration::from_secs(60),
            force_shared_host: false,
            prefer_user_namespaces: false,
        }
    }
}

impl RunnerConfig {
    /// Sets the folder for the runner's files.
    ///
    /// ```
    /// let config = playflow_runner::RunnerConfig::default().folder("/tmp/playflow-runner");
    /// assert!(config.folder.is_some());
    /// ```
    pub fn folder(mut self, folder: impl Into<PathBuf>) -> RunnerConfig {
        self.folder = Some(folder.into());
        self
    }

    /// Sets the UDP idle timeout.
    ///
    /// ```
    /// let config = playflow_runner::RunnerConfig::default()
    ///     .udp_idle_timeout(std::time::Duration::from_secs(30));
    /// assert_eq!(config.udp_idle_timeout.as_secs(), 30);
    /// ```
    pub fn udp_idle_timeout(mut self, idle: Duration) -> RunnerConfig {
        self.udp_idle_timeout = idle;
        self
    }

    /// Uses the shared host network even where namespaces would work.
    ///
    /// ```
    /// let config = playflow_runner::RunnerConfig::default().force_shared_host(true);
    /// assert!(config.force_shared_host);
    /// ```
    pub fn force_shared_host(mut self, shared: bool) -> RunnerConfig {
        self.force_shared_host = shared;
        self
    }

    /// Uses user namespaces (and their socket helpers) even where the runner could enter plain
    /// network namespaces itself.
    ///
    /// ```
    /// let config = playflow_runner::RunnerConfig::default().prefer_user_namespaces(true);
    /// assert!(config.prefer_user_namespaces);
    /// ```
    pub fn prefer_user_namespaces(mut self, prefer: bool) -> RunnerConfig {
        self.prefer_user_namespaces = prefer;
        self
    }
}

/// Why a server could not be started.
///
/// ```
/// use playflow_runner::{BuildError, StartError};
///
/// let error = StartError::Executable(BuildError::NotExecutable {
///     executable: "/builds/b1/Server.x86_64".into(),
///     detail: "it has no execute permission".into(),
/// });
/// assert!(error.to_string().contains("Server.x86_64"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum StartError {
    /// The executable is missing, not a file, or cannot be run.
    Executable(BuildError),
    /// A port could not be set up (external port taken, TLS on UDP).
    Port {
        /// The port's name.
        name: String,
        /// What went wrong.
        detail: String,
    },
    /// Preparing the working folder or spawning failed otherwise.
    Io {
        /// What the runner was doing.
        doing: String,
        /// The error.
        error: io::Error,
    },
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::Executable(error) => error.fmt(f),
            StartError::Port { name, detail } => write!(f, "port `{name}`: {detail}"),
            StartError::Io { doing, error } => write!(f, "{doing}: {error}"),
        }
    }
}

impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StartError::Executable(error) => Some(error),
            StartError::Io { error, .. } => Some(error),
            StartError::Port { .. } => None,
        }
    }
}

/// Starts game servers as child processes, each in its own process group and (where the
/// machine allows) its own network namespace, with its ports relayed from loopback.
///
/// Dropping the runner kills every server it started. If the runner's process dies (even by
/// `kill -9`), its game processes get SIGKILL from the kernel (`PR_SET_PDEATHSIG`).
///
/// ```no_run
/// use std::time::Duration;
/// use playflow_runner::{Event, GameSpec, PortSpec, Protocol, Runner, RunnerConfig};
///
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let runner = Runner::new(RunnerConfig::default())?;
/// println!("{}", runner.isolation());
/// let spec = GameSpec::new("/builds/b1/Server.x86_64", "/servers/s1")
///     .startup_args("--udp 7777")
///     .port(PortSpec::new("game", 7777, Protocol::Udp))
///     .launch_timeout(Duration::from_secs(60));
/// let mut server = runner.start(spec).await?;
/// let game = server.port("game").unwrap().external;
/// while let Some(event) = server.next_event().await {
///     if let Event::Listening { .. } = event {
///         println!("players connect to {game}");
///         break;
///     }
/// }
/// server.stop(Duration::from_secs(5)).await;
/// # Ok(()) }
/// ```
pub struct Runner {
    shared: Arc<Shared>,
}

struct Shared {
    isolation: Isolation,
    namespaces: Option<NamespaceWorker>,
    spawner: Spawner,
    certificate: Certificate,
    udp_idle_timeout: Duration,
    groups: Mutex<Vec<Weak<ProcessGroup>>>,
    _folder: Option<tempfile::TempDir>,
}

impl fmt::Debug for Runner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runner")
            .field("isolation", &self.shared.isolation)
            .field("certificate", &self.shared.certificate.pem_path)
            .finish_non_exhaustive()
    }
}

impl Runner {
    /// Probes isolation, makes the TLS certificate and starts the runner's helper threads.
    /// Must be called inside a tokio runtime (with I/O and time enabled); game processes are
    /// tied to it.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> std::io::Result<()> {
    /// let runner = playflow_runner::Runner::new(playflow_runner::RunnerConfig::default())?;
    /// println!("{}", runner.isolation());
    /// # Ok(()) }
    /// ```
    pub fn new(config: RunnerConfig) -> io::Result<Runner> {
        let runtime = tokio::runtime::Handle::try_current().map_err(io::Error::other)?;
        let isolation = if config.force_shared_host {
            Isolation::SharedHost {
                reason: "asked for by the configuration".to_owned(),
            }
        } else if config.prefer_user_namespaces {
            Isolation::probe_user_namespaces(None)
        } else {
            Isolation::probe()
        };
        let namespaces = match isolation {
            Isolation::Namespaces => Some(NamespaceWorker::start()?),
            _ => None,
        };
        let (folder, temporary) = match config.folder {
            Some(folder) => {
                std::fs::create_dir_all(&folder)?;
                (folder, None)
            }
            None => {
                let temporary = tempfile::Builder::new()
                    .prefix("playflow-runner-")
                    .tempdir()?;
                (temporary.path().to_owned(), Some(temporary))
            }
        };
        Ok(Runner {
            shared: Arc::new(Shared {
                isolation,
                namespaces,
                spawner: Spawner::start(runtime)?,
                certificate: Certificate::create(&folder)?,
                udp_idle_timeout: config.udp_idle_timeout,
                groups: Mutex::new(Vec::new()),
                _folder: temporary,
            }),
        })
    }

    /// How this runner isolates servers (say it once, at start).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> std::io::Result<()> {
    /// let runner = playflow_runner::Runner::new(Default::default())?;
    /// if !runner.isolation().is_isolated() {
    ///     eprintln!("warning: {}", runner.isolation());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn isolation(&self) -> &Isolation {
        &self.shared.isolation
    }

    /// Where the PEM of the self-signed certificate that `tls` ports present is (for clients
    /// to trust; it names `localhost` and `127.0.0.1`).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> std::io::Result<()> {
    /// let runner = playflow_runner::Runner::new(Default::default())?;
    /// let pem = std::fs::read_to_string(runner.certificate_pem_path())?;
    /// assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    /// # Ok(()) }
    /// ```
    pub fn certificate_pem_path(&self) -> &Path {
        &self.shared.certificate.pem_path
    }

    /// The certificate's PEM text (what [`certificate_pem_path`](Self::certificate_pem_path) holds).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> std::io::Result<()> {
    /// let runner = playflow_runner::Runner::new(Default::default())?;
    /// assert!(runner.certificate_pem().contains("CERTIFICATE"));
    /// # Ok(()) }
    /// ```
    pub fn certificate_pem(&self) -> &str {
        &self.shared.certificate.pem
    }

    /// Starts a game server: checks the executable, binds the external ports, writes
    /// `playflow.json` (when the spec has a session), spawns the process and starts relaying.
    ///
    /// The server is launching when this returns; its [`Event::Listening`] says it is ready.
    ///
    /// ```no_run
    /// # async fn demo(runner: &playflow_runner::Runner) -> Result<(), playflow_runner::StartError> {
    /// let spec = playflow_runner::GameSpec::new("/builds/b1/Server.x86_64", "/servers/s1");
    /// let server = runner.start(spec).await?;
    /// println!("pid {}", server.pid());
    /// # Ok(()) }
    /// ```
    pub async fn start(&self, spec: GameSpec) -> Result<RunningServer, StartError> {
        check_executable(&spec.executable)?;
        let (executable, current_dir) = prepare_folder(&spec)?;
        let mut listeners = Vec::with_capacity(spec.ports.len());
        for port in &spec.ports {
            listeners.push(bind_external(
                port.name.as_str(),
                port.protocol,
                port.tls,
                port.external_port,
            )?);
        }
        let isolated = self.shared.isolation.is_isolated();
        // The helper's end of the socket channel must stay open until the child has forked it.
        let (helper, helper_end) = match self.shared.isolation {
            Isolation::UserNamespaces => {
                let (helper, end) =
                    userns::channel().map_err(io_error("creating the socket helper channel"))?;
                (Some(helper), Some(end))
            }
            _ => (None, None),
        };
        let how = match (&self.shared.isolation, &helper_end) {
            (Isolation::Namespaces, _) => ChildIsolation::Network,
            (Isolation::UserNamespaces, Some(end)) => ChildIsolation::User {
                maps: userns::IdMaps::of_this_process(),
                helper: end.as_raw_fd(),
            },
            _ => ChildIsolation::None,
        };
        let command = command(&spec, &executable, &current_dir, how);
        let executable = spec.executable.display().to_string();
        let child = self
            .shared
            .spawner
            .spawn(command)
            .await
            .map_err(|error| spawn_error(&executable, error))?;
        drop(helper_end);
        let spawned = Instant::now();
        let pid = child.id().unwrap_or_default();
        let namespace = if self.shared.namespaces.is_some() {
            isolation::open_namespace(pid).ok()
        } else {
            None
        };
        let mut tasks = Vec::new();
        let mut ports = Vec::with_capacity(spec.ports.len());
        for (port, listener) in spec.ports.iter().zip(listeners) {
            let inner = Arc::new(Inner {
                target: match (&self.shared.namespaces, &helper) {
                    (Some(worker), _) => Target::Namespace {
                        namespace: namespace.clone(),
                        worker: worker.clone(),
                    },
                    (None, Some(helper)) => Target::Helper(helper.clone()),
                    (None, None) => Target::Host,
                },
                port: port.internal_port,
            });
            let (external, task) = match listener {
                External::Tcp(listener) => {
                    let external = listener.local_addr().map_err(io_error("reading a port"))?;
                    let tls = port.tls.then(|| self.shared.certificate.acceptor.clone());
                    (external, tokio::spawn(relay::tcp(listener, inner, tls)))
                }
                External::Udp(socket) => {
                    let external = socket.local_addr().map_err(io_error("reading a port"))?;
                    let idle = self.shared.udp_idle_timeout;
                    (external, tokio::spawn(relay::udp(socket, inner, idle)))
                }
            };
            tasks.push(task.abort_handle());
            ports.push(BoundPort {
                name: port.name.clone(),
                internal_port: port.internal_port,
                protocol: port.protocol,
                tls: port.tls,
                external,
            });
        }

        let probe = Probe {
            pid: pid as i32,
            ports: spec
                .ports
                .iter()
                .map(|p| (p.internal_port, p.protocol))
                .collect(),
            own_sockets_only: !isolated,
        };
        Ok(self.follow(
            child,
            spawned,
            ports,
            tasks,
            probe,
            (spec.launch_timeout, spec.stop_grace),
        ))
    }

    /// Spawns `command` on the spawner thread (so that `PR_SET_PDEATHSIG` holds).
    pub(crate) async fn spawn(
        &self,
        command: tokio::process::Command,
    ) -> io::Result<tokio::process::Child> {
        self.shared.spawner.spawn(command).await
    }

    /// Follows a spawned child: its group (registered for the runner's `Drop`), its output as
    /// `Log` events, its exit, and its launch (`Listening` once `probe` sees every port).
    pub(crate) fn follow(
        &self,
        mut child: tokio::process::Child,
        spawned: Instant,
        ports: Vec<BoundPort>,
        mut tasks: Vec<tokio::task::AbortHandle>,
        probe: Probe,
        (launch_timeout, grace): (Option<Duration>, Duration),
    ) -> RunningServer {
        let pid = child.id().unwrap_or_default();
        let group = Arc::new(ProcessGroup::new(pid as i32));
        {
            let mut groups = self.shared.groups.lock().unwrap_or_else(|p| p.into_inner());
            groups.retain(|group| group.strong_count() > 0);
            groups.push(Arc::downgrade(&group));
        }

        let (sender, receiver) = mpsc::channel(EVENT_BUFFER);
        let events = Events::new(sender);
        let (exit_sender, exit) = watch::channel(None);
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let readers = [
            stdout.map(|pipe| tokio::spawn(read_lines(pipe, Stream::Stdout, events.clone()))),
            stderr.map(|pipe| tokio::spawn(read_lines(pipe, Stream::Stderr, events.clone()))),
        ];
        for reader in readers.iter().flatten() {
            tasks.push(reader.abort_handle());
        }
        let supervisor = {
            let events = events.clone();
            let group = group.clone();
            tokio::spawn(async move {
                let status = match child.wait().await {
                    Ok(status) => Exit::from_status(status),
                    Err(_) => Exit::Signal(Signal::SIGKILL as i32),
                };
                // Whatever the game left behind goes with it, as when a machine stops.
                group.sweep();
                let _ = exit_sender.send(Some(status));
                let drain = async {
                    for reader in readers.into_iter().flatten() {
                        let _ = reader.await;
                    }
                };
                let _ = tokio::time::timeout(DRAIN_TIMEOUT, drain).await;
                events.send(|at| Event::Exited { at, status }).await;
            })
        };
        tasks.push(supervisor.abort_handle());
        let watcher = tokio::spawn(watch_launch(
            probe,
            spawned,
            launch_timeout,
            grace,
            group.clone(),
            exit.clone(),
            events,
        ));
        tasks.push(watcher.abort_handle());
        RunningServer {
            pid,
            ports,
            events: Some(receiver),
            exit,
            group,
            tasks,
            container: None,
        }
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        let groups = self.shared.groups.lock().unwrap_or_else(|p| p.into_inner());
        for group in groups.iter().filter_map(Weak::upgrade) {
            group.signal(Signal::SIGKILL);
        }
    }
}

pub(crate) fn io_error(doing: &str) -> impl FnOnce(io::Error) -> StartError + '_ {
    move |error| StartError::Io {
        doing: doing.to_owned(),
        error,
    }
}

fn check_executable(path: &Path) -> Result<(), StartError> {
    let named = path.display().to_string();
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            let found = path
                .parent()
                .and_then(|folder| std::fs::read_dir(folder).ok())
                .map(|entries| {
                    let mut names: Vec<String> = entries
                        .flatten()
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect();
                    names.sort();
                    names.truncate(20);
                    names
                })
                .unwrap_or_default();
            return Err(StartError::Executable(BuildError::MissingExecutable {
                executable: named,
                found,
            }));
        }
        Err(error) => {
            return Err(StartError::Io {
                doing: format!("reading `{named}`"),
                error,
            });
        }
    };
    if !metadata.is_file() {
        return Err(StartError::Executable(BuildError::NotAFile {
            executable: named,
        }));
    }
    if metadata.permissions().mode() & 0o111 == 0 {
        return Err(StartError::Executable(BuildError::NotExecutable {
            executable: named,
            detail: "it has no execute permission".to_owned(),
        }));
    }
    match program_kind(path) {
        Ok(None) => Ok(()),
        Ok(Some(detail)) => Err(StartError::Executable(BuildError::NotExecutable {
            executable: named,
            detail,
        })),
        Err(error) => Err(StartError::Io {
            doing: format!("reading `{named}`"),
            error,
        }),
    }
}

/// Why the file is no program for this machine (`None`: an ELF of this machine, or a `#!`
/// script).
///
/// Checked up front because the C library's `execvp` hands any file the kernel refuses to
/// `/bin/sh` as a script, which would turn a Windows or ARM build into a page of shell syntax
/// errors instead of one clear line.
fn program_kind(path: &Path) -> io::Result<Option<String>> {
    use std::io::Read;
    let mut head = [0u8; 20];
    let mut file = std::fs::File::open(path)?;
    let mut read = 0;
    while read < head.len() {
        match file.read(&mut head[read..])? {
            0 => break,
            n => read += n,
        }
    }
    let head = &head[..read];
    if head.starts_with(b"#!") {
        return Ok(None);
    }
    if !head.starts_with(b"\x7fELF") {
        let hint = if head.starts_with(b"MZ") {
            " (it looks like a Windows executable)"
        } else {
            ""
        };
        return Ok(Some(format!(
            "it is neither a Linux executable (ELF) nor a script starting with #!{hint}"
        )));
    }
    let machine = head.get(18..20).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let ours = match std::env::consts::ARCH {
        "x86_64" => Some(62),
        "aarch64" => Some(183),
        "x86" => Some(3),
        "arm" => Some(40),
        "riscv64" => Some(243),
        _ => None,
    };
    match (machine, ours) {
        (Some(machine), Some(ours)) if machine != ours => Ok(Some(format!(
            "it is an ELF executable for another machine (e_machine {machine}); this one is {}",
            std::env::consts::ARCH
        ))),
        (None, _) => Ok(Some("it is a truncated ELF file".to_owned())),
        _ => Ok(None),
    }
}

/// Creates the working folder (a mirror of the build when the spec names one) and writes
/// `playflow.json` next to the executable; returns the executable to run and its current
/// directory.
fn prepare_folder(spec: &GameSpec) -> Result<(PathBuf, PathBuf), StartError> {
    let failed = |doing: &str| {
        let doing = format!("{doing} in {}", spec.working_dir.display());
        move |error| StartError::Io { doing, error }
    };
    std::fs::create_dir_all(&spec.working_dir).map_err(failed("creating the working folder"))?;
    let (executable, current_dir) = match spec
        .build_folder
        .as_deref()
        .and_then(|build| Some((build, spec.executable.strip_prefix(build).ok()?)))
    {
        Some((build, relative)) => {
            let executable = mirror::lay_out(build, relative, &spec.working_dir)
                .map_err(failed("mirroring the build"))?;
            let folder = executable.parent().unwrap_or(&spec.working_dir).to_owned();
            (executable, folder)
        }
        None => (spec.executable.clone(), spec.working_dir.clone()),
    };
    if let Some(session) = &spec.session {
        let json = serde_json::json!({
            "instance_id": session.instance_id,
            "region": session.region,
            "custom_data": session.custom_data,
        });
        std::fs::write(current_dir.join("playflow.json"), json.to_string())
            .map_err(failed("writing playflow.json"))?;
    }
    Ok((executable, current_dir))
}

enum External {
    Tcp(tokio::net::TcpListener),
    Udp(tokio::net::UdpSocket),
}

fn bind_external(
    name: &str,
    protocol: Protocol,
    tls: bool,
    port: Option<u16>,
) -> Result<External, StartError> {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port.unwrap_or(0)));
    let failed = |error: io::Error| StartError::Port {
        name: name.to_owned(),
        detail: format!("binding {address}: {error}"),
    };
    match protocol {
        Protocol::Udp if tls => Err(StartError::Port {
            name: name.to_owned(),
            detail: "TLS is served on TCP ports only".to_owned(),
        }),
        Protocol::Udp => {
            let socket = std::net::UdpSocket::bind(address).map_err(failed)?;
            socket.set_nonblocking(true).map_err(failed)?;
            tokio::net::UdpSocket::from_std(socket)
                .map(External::Udp)
                .map_err(failed)
        }
        Protocol::Tcp => {
            let listener = std::net::TcpListener::bind(address).map_err(failed)?;
            listener.set_nonblocking(true).map_err(failed)?;
            tokio::net::TcpListener::from_std(listener)
                .map(External::Tcp)
                .map_err(failed)
        }
    }
}

/// What the child does about its network between fork and exec.
enum ChildIsolation {
    /// Stays on the host's network.
    None,
    /// A new network namespace (the runner enters it with `setns`).
    Network,
    /// New user + network namespaces, and a socket helper forked inside them.
    User {
        maps: userns::IdMaps,
        helper: std::os::fd::RawFd,
    },
}

/// The game's command: argv from `startup_args`, a clean environment, its own process group,
/// death with its parent, and (when isolated) its own network namespace.
fn command(
    spec: &GameSpec,
    executable: &Path,
    current_dir: &Path,
    isolation: ChildIsolation,
) -> tokio::process::Command {
    let args = spec.startup_args.clone().unwrap_or_default();
    let mut command = tokio::process::Command::new(executable);
    command
        .args(args.split_whitespace())
        .env_clear()
        .env(
            "PATH",
            std::env::var_os("PATH").unwrap_or_else(|| "/usr/local/bin:/usr/bin:/bin".into()),
        )
        .env("HOME", &spec.working_dir)
        .env("PLAYFLOW_STARTUP_ARGS", &args)
        .envs(&spec.environment_variables)
        .current_dir(current_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(false);
    let parent = nix::unistd::getpid();
    // SAFETY: the closure runs between fork and exec and only makes system calls (prctl,
    // getppid, unshare, socket, ioctl): no allocation, no locks.
    unsafe {
        command.pre_exec(move || {
            nix::sys::prctl::set_pdeathsig(Signal::SIGKILL)?;
            // The runner died before the line above took effect: nobody would kill us later.
            if nix::unistd::getppid() != parent {
                return Err(io::Error::from_raw_os_error(libc::ESRCH));
            }
            match &isolation {
                ChildIsolation::None => {}
                ChildIsolation::Network => isolation::isolate_in_child()?,
                ChildIsolation::User { maps, helper } => {
                    userns::enter_in_child(maps)?;
                    // New credentials may clear the death signal: set it again.
                    nix::sys::prctl::set_pdeathsig(Signal::SIGKILL)?;
                    userns::fork_helper(*helper)?;
                }
            }
            Ok(())
        });
    }
    command
}

fn spawn_error(executable: &str, error: io::Error) -> StartError {
    let detail = match (error.kind(), error.raw_os_error()) {
        (io::ErrorKind::PermissionDenied, _) => "permission denied".to_owned(),
        (_, Some(libc::ENOEXEC)) => {
            "it is not a program this machine can run (a Linux x86-64 executable, or a script starting with #!)".to_owned()
        }
        (io::ErrorKind::NotFound, _) => {
            "its interpreter or dynamic loader was not found".to_owned()
        }
        _ => return StartError::Io {
            doing: format!("starting `{executable}`"),
            error,
        },
    };
    StartError::Executable(BuildError::NotExecutable {
        executable: executable.to_owned(),
        detail,
    })
}

/// Turns a pipe into `Log` events, one per line (cut at [`MAX_LINE`]).
async fn read_lines(pipe: impl AsyncRead + Unpin, stream: Stream, events: Events) {
    let mut reader = BufReader::with_capacity(MAX_LINE, pipe);
    let mut line: Vec<u8> = Vec::new();
    let mut cut = false;
    loop {
        let (ends_line, used) = {
            let Ok(buffer) = reader.fill_buf().await else {
                break;
            };
            if buffer.is_empty() {
                break;
            }
            let end = buffer.iter().position(|&b| b == b'\n');
            let chunk = &buffer[..end.unwrap_or(buffer.len())];
            let room = MAX_LINE.saturating_sub(line.len());
            cut |= chunk.len() > room;
            line.extend_from_slice(&chunk[..chunk.len().min(room)]);
            (end.is_some(), end.map_or(buffer.len(), |end| end + 1))
        };
        reader.consume(used);
        if ends_line {
            let text = finish_line(&mut line, &mut cut);
            if !events
                .send(|at| Event::Log {
                    at,
                    stream,
                    line: text,
                })
                .await
            {
                return drain(reader).await;
            }
        }
    }
    if !line.is_empty() {
        let text = finish_line(&mut line, &mut cut);
        events
            .send(|at| Event::Log {
                at,
                stream,
                line: text,
            })
            .await;
    }
}

/// Nobody reads events any more: keep emptying the pipe so the game never blocks on it.
async fn drain(mut reader: impl AsyncBufReadExt + Unpin) {
    loop {
        match reader.fill_buf().await {
            Ok(buffer) if !buffer.is_empty() => {
                let used = buffer.len();
                reader.consume(used);
            }
            _ => return,
        }
    }
}

fn finish_line(line: &mut Vec<u8>, cut: &mut bool) -> String {
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    let mut text = String::from_utf8_lossy(line).into_owned();
    if std::mem::take(cut) {
        text.push('…');
    }
    line.clear();
    text
}

/// A server's event sender that stamps each event as it enters the queue, under a lock, so that
/// timestamps never go backwards in the order events are received (stdout, stderr and the
/// supervisor send from different tasks).
#[derive(Clone)]
struct Events {
    sender: mpsc::Sender<Event>,
    order: Arc<Mutex<()>>,
}

impl Events {
    fn new(sender: mpsc::Sender<Event>) -> Events {
        Events {
            sender,
            order: Arc::default(),
        }
    }

    /// Waits for room, then queues `make(now)`; `false` once nobody receives.
    async fn send(&self, make: impl FnOnce(chrono::DateTime<Utc>) -> Event) -> bool {
        let Ok(permit) = self.sender.reserve().await else {
            return false;
        };
        let _ordered = self.order.lock().unwrap_or_else(|p| p.into_inner());
        permit.send(make(Utc::now()));
        true
    }
}

/// Whose socket tables show that a server is ready, and which ports they must show.
#[derive(Clone)]
pub(crate) struct Probe {
    /// The process whose `/proc/<pid>/net` tables to read (its network namespace's).
    pub(crate) pid: i32,
    pub(crate) ports: Vec<(u16, Protocol)>,
    /// Count only sockets that `pid` holds itself (on a shared network).
    pub(crate) own_sockets_only: bool,
}

/// Polls the process's socket tables until it listens on all its ports (→ `Listening`), it
/// exits, or the launch timeout passes (→ `LaunchTimedOut`, then a stop).
#[allow(clippy::too_many_arguments)]
async fn watch_launch(
    probe: Probe,
    spawned: Instant,
    launch_timeout: Option<Duration>,
    grace: Duration,
    group: Arc<ProcessGroup>,
    exit: watch::Receiver<Option<Exit>>,
    events: Events,
) {
    // Quick polls at first (most servers bind within milliseconds), slower later.
    let mut pause = Duration::from_millis(1);
    loop {
        if exit.borrow().is_some() {
            return;
        }
        // Inline, not on the blocking pool: it reads a few small /proc tables, which never wait
        // for a disk, and every hop between threads is a scheduling delay before `Listening`
        // on a busy machine.
        let listening = process::listens_on_all(probe.pid, &probe.ports, probe.own_sockets_only);
        if listening && exit.borrow().is_none() {
            let after = spawned.elapsed();
            events.send(|at| Event::Listening { at, after }).await;
            return;
        }
        if let Some(limit) = launch_timeout
            && spawned.elapsed() >= limit
        {
            events
                .send(|_| Event::LaunchTimedOut { after: limit })
                .await;
            group.stop(grace, exit).await;
            return;
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 3 / 2).min(Duration::from_millis(25));
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// The threads that fork game processes.
///
/// `PR_SET_PDEATHSIG` fires when the *thread* that forked the child ends, not the process: a
/// tokio worker or blocking-pool thread may end any time, so every spawn happens on one of these
/// threads, which live as long as the runner.
///
/// There are a few of them because a spawn blocks its thread until the child has run its
/// pre-exec set-up (a network namespace) and exec'd: with one thread, fifty servers started at
/// once would wait for each other's forks in a queue.
struct Spawner {
    jobs: std_mpsc::Sender<Job>,
}

impl Spawner {
    fn start(runtime: tokio::runtime::Handle) -> io::Result<Spawner> {
        let threads = std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .clamp(2, 4);
        let (jobs, incoming) = std_mpsc::channel::<Job>();
        let incoming = Arc::new(Mutex::new(incoming));
        for index in 0..threads {
            let (incoming, runtime) = (incoming.clone(), runtime.clone());
            std::thread::Builder::new()
                .name(format!("playflow-spawner-{index}"))
                .stack_size(256 * 1024)
                .spawn(move || {
                    // tokio's child processes register with the runtime's SIGCHLD handling.
                    let _entered = runtime.enter();
                    loop {
                        // The lock is held only while waiting for the next job, not while
                        // running it, so the other threads take the jobs that come meanwhile.
                        let job = incoming.lock().unwrap_or_else(|p| p.into_inner()).recv();
                        match job {
                            Ok(job) => job(),
                            // The runner is gone.
                            Err(_) => return,
                        }
                    }
                })?;
        }
        Ok(Spawner { jobs })
    }

    async fn spawn(
        &self,
        mut command: tokio::process::Command,
    ) -> io::Result<tokio::process::Child> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Box::new(move || {
                let _ = reply.send(command.spawn());
            }))
            .map_err(|_| io::Error::other("the spawner threads have stopped"))?;
        answer
            .await
            .map_err(|_| io::Error::other("the spawner threads have stopped"))?
    }
}
