//! Docker-image builds: a [`ContainerRuntime`] (a local `docker` or `podman` whose daemon
//! answers) and [`Runner::start_container`], which runs the image in the foreground through the
//! container CLI with the server's ports published on loopback.
//!
//! The CLI process is the "game process" the runner follows: its output (the container's, and
//! any pull progress) becomes `Log` events, its exit is the server's exit, SIGTERM reaches the
//! container through the CLI's signal proxy. Killing the CLI does not end a container, so the
//! server also removes its container (`rm -f`) when it is stopped or dropped, and a reaper
//! process removes it when the runner's process is gone, `kill -9` included (see
//! `reaper.rs`). Containers also carry the label `io.playflow.runner`, for
//! `docker ps --filter label=io.playflow.runner`.

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use nix::sys::signal::Signal;

use crate::reaper::Reaper;
use crate::runner::{Probe, Runner, StartError, io_error};
use crate::server::{BoundPort, RunningServer};
use crate::spec::{PortSpec, Protocol};

/// How long `info` may take before the runtime counts as not answering.
const INFO_TIMEOUT: Duration = Duration::from_secs(10);
/// How long removing a container may take.
const REMOVE_TIMEOUT: Duration = Duration::from_secs(10);

/// A container CLI (`docker` or `podman`) whose daemon answered `info`.
///
/// ```no_run
/// # async fn demo() {
/// match playflow_runner::ContainerRuntime::detect(None).await {
///     Ok(runtime) => println!("containers run through {}", runtime.cli().display()),
///     Err(why) => println!("no containers: {why}"),
/// }
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct ContainerRuntime {
    cli: PathBuf,
}

impl ContainerRuntime {
    /// Finds the CLI (`cli`, or `docker` then `podman` on `PATH`) and checks that its daemon
    /// answers `info`. The error is a sentence saying why containers cannot run here.
    ///
    /// ```no_run
    /// # async fn demo() {
    /// let runtime = playflow_runner::ContainerRuntime::detect(Some("/usr/bin/podman".into())).await;
    /// # let _ = runtime;
    /// # }
    /// ```
    pub async fn detect(cli: Option<PathBuf>) -> Result<ContainerRuntime, String> {
        let cli = match cli {
            Some(cli) => cli,
            None => ["docker", "podman"]
                .iter()
                .find_map(|name| on_path(name))
                .ok_or_else(|| {
                    "neither `docker` nor `podman` is on PATH; install one (and start its \
                     daemon) to run Docker-image builds locally"
                        .to_owned()
                })?,
        };
        let shown = cli.display().to_string();
        let mut info = tokio::process::Command::new(&cli);
        info.arg("info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let output = match tokio::time::timeout(INFO_TIMEOUT, info.output()).await {
            Err(_) => {
                return Err(format!(
                    "`{shown} info` did not answer within {} s",
                    INFO_TIMEOUT.as_secs()
                ));
            }
            Ok(Err(error)) => return Err(format!("`{shown} info` could not be run: {error}")),
            Ok(Ok(output)) => output,
        };
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let why = stderr
                .lines()
                .map(str::trim)
                .rfind(|line| !line.is_empty())
                .unwrap_or("no output");
            return Err(format!(
                "`{shown} info` failed ({}): {why}",
                crate::Exit::from_status(output.status)
            ));
        }
        Ok(ContainerRuntime { cli })
    }

    /// The CLI that runs containers.
    ///
    /// ```no_run
    /// # fn demo(runtime: &playflow_runner::ContainerRuntime) {
    /// println!("{}", runtime.cli().display());
    /// # }
    /// ```
    pub fn cli(&self) -> &Path {
        &self.cli
    }
}

fn on_path(name: &str) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|folder| folder.join(name))
        .find(|candidate| {
            std::fs::metadata(candidate)
                .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
        })
}

/// A Docker-image game server to start.
///
/// The container gets `environment_variables` and `PLAYFLOW_STARTUP_ARGS` (forwarded by name
/// with `-e NAME`, so values never appear on a command line), `startup_args` split on
/// whitespace as the command after the image, and each port published as
/// `127.0.0.1:<external>:<internal>/<protocol>`. No `playflow.json` is written (where PlayFlow
/// puts it in a container is not documented).
///
/// ```
/// use playflow_runner::{ContainerSpec, PortSpec, Protocol};
///
/// let spec = ContainerSpec::new("ghcr.io/acme/arena:1.0", "playflow-s1")
///     .startup_args("-map forest")
///     .env("MODE", "ranked")
///     .port(PortSpec::new("game", 7777, Protocol::Udp));
/// assert_eq!(spec.ports.len(), 1);
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct ContainerSpec {
    /// The image reference.
    pub image: String,
    /// The container's name (unique on the daemon).
    pub name: String,
    /// `startup_args`: `PLAYFLOW_STARTUP_ARGS`, and the command after the image.
    pub startup_args: Option<String>,
    /// `environment_variables`.
    pub environment_variables: BTreeMap<String, String>,
    /// The ports the game binds inside the container (TLS is not offered for containers).
    pub ports: Vec<PortSpec>,
    /// How long until every port is published on the host (pulling the image counts).
    pub launch_timeout: Option<Duration>,
    /// The grace period of a launch-timeout stop.
    pub stop_grace: Duration,
}

impl fmt::Debug for ContainerSpec {
    /// Environment variable values stay out: users put keys and passwords there.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContainerSpec")
            .field("image", &self.image)
            .field("name", &self.name)
            .field("startup_args", &self.startup_args)
            .field(
                "environment_variables",
                &self.environment_variables.keys().collect::<Vec<_>>(),
            )
            .field("ports", &self.ports)
            .field("launch_timeout", &self.launch_timeout)
            .finish_non_exhaustive()
    }
}

impl ContainerSpec {
    /// A container of `image` named `name`, without ports, arguments or timeout yet.
    ///
    /// ```
    /// let spec = playflow_runner::ContainerSpec::new("nginx:1", "web-1");
    /// assert_eq!(spec.image, "nginx:1");
    /// ```
    pub fn new(image: impl Into<String>, name: impl Into<String>) -> ContainerSpec {
        ContainerSpec {
            image: image.into(),
            name: name.into(),
            startup_args: None,
            environment_variables: BTreeMap::new(),
            ports: Vec::new(),
            launch_timeout: None,
            stop_grace: Duration::from_secs(5),
        }
    }

    /// Sets `startup_args`.
    ///
    /// ```
    /// let spec = playflow_runner::ContainerSpec::new("img", "c").startup_args("--udp 7777");
    /// assert_eq!(spec.startup_args.as_deref(), Some("--udp 7777"));
    /// ```
    pub fn startup_args(mut self, args: impl Into<String>) -> ContainerSpec {
        self.startup_args = Some(args.into());
        self
    }

    /// Adds one environment variable.
    ///
    /// ```
    /// let spec = playflow_runner::ContainerSpec::new("img", "c").env("MODE", "ranked");
    /// assert_eq!(spec.environment_variables["MODE"], "ranked");
    /// ```
    pub fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> ContainerSpec {
        self.environment_variables.insert(name.into(), value.into());
        self
    }

    /// Adds a port.
    ///
    /// ```
    /// use playflow_runner::{ContainerSpec, PortSpec, Protocol};
    /// let spec = ContainerSpec::new("img", "c").port(PortSpec::new("game", 7777, Protocol::Udp));
    /// assert_eq!(spec.ports[0].internal_port, 7777);
    /// ```
    pub fn port(mut self, port: PortSpec) -> ContainerSpec {
        self.ports.push(port);
        self
    }

    /// Sets the launch timeout.
    ///
    /// ```
    /// let spec = playflow_runner::ContainerSpec::new("img", "c")
    ///     .launch_timeout(std::time::Duration::from_secs(120));
    /// assert!(spec.launch_timeout.is_some());
    /// ```
    pub fn launch_timeout(mut self, timeout: Duration) -> ContainerSpec {
        self.launch_timeout = Some(timeout);
        self
    }

    /// Sets the grace period of a launch-timeout stop.
    ///
    /// ```
    /// let spec = playflow_runner::ContainerSpec::new("img", "c")
    ///     .stop_grace(std::time::Duration::from_secs(1));
    /// assert_eq!(spec.stop_grace.as_secs(), 1);
    /// ```
    pub fn stop_grace(mut self, grace: Duration) -> ContainerSpec {
        self.stop_grace = grace;
        self
    }
}

/// A started container, removed (`rm -f`) when stopped or dropped.
#[derive(Debug)]
pub(crate) struct Container {
    cli: PathBuf,
    name: String,
    /// Removes the container when dropped or when this process ends; `None` if `/bin/sh`
    /// could not be started (then `drop` removes it, and a `kill -9` leaves it running).
    reaper: Option<Reaper>,
}

impl Container {
    pub(crate) async fn remove(&self) {
        let mut remove = tokio::process::Command::new(&self.cli);
        remove
            .args(["rm", "-f", &self.name])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        let _ = tokio::time::timeout(REMOVE_TIMEOUT, remove.status()).await;
    }
}

impl Drop for Container {
    fn drop(&mut self) {
        if self.reaper.take().is_some() {
            // Dropped: its shell runs `rm -f` now.
            return;
        }
        // No runtime to await on in `drop`: a thread waits for the CLI (and reaps it).
        let (cli, name) = (self.cli.clone(), std::mem::take(&mut self.name));
        let _ = std::thread::Builder::new()
            .name("playflow-container-rm".to_owned())
            .spawn(move || {
                let _ = std::process::Command::new(cli)
                    .args(["rm", "-f", &name])
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status();
            });
    }
}

/// A free external port on loopback for `protocol` (bound, read, released: the container
/// runtime binds it next).
fn free_port(protocol: Protocol) -> io::Result<u16> {
    let any = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    Ok(match protocol {
        Protocol::Udp => std::net::UdpSocket::bind(any)?.local_addr()?.port(),
        Protocol::Tcp => std::net::TcpListener::bind(any)?.local_addr()?.port(),
    })
}

/// The `run` command line, without the CLI itself.
pub(crate) fn run_args(spec: &ContainerSpec, published: &[BoundPort]) -> Vec<String> {
    let mut args: Vec<String> = vec![
        "run".into(),
        "--rm".into(),
        "--name".into(),
        spec.name.clone(),
        "--label".into(),
        format!("io.playflow.runner={}", std::process::id()),
        "-e".into(),
        "PLAYFLOW_STARTUP_ARGS".into(),
    ];
    for name in spec.environment_variables.keys() {
        args.extend(["-e".into(), name.clone()]);
    }
    for port in published {
        args.extend([
            "-p".into(),
            format!(
                "{}:{}:{}/{}",
                port.external.ip(),
                port.external.port(),
                port.internal_port,
                port.protocol
            ),
        ]);
    }
    args.push(spec.image.clone());
    if let Some(startup) = &spec.startup_args {
        args.extend(startup.split_whitespace().map(str::to_owned));
    }
    args
}

impl Runner {
    /// Starts a Docker-image game server through `runtime`: `<cli> run --rm …` in the
    /// foreground, in its own process group, dying with the runner, with the spec's ports
    /// published on free loopback ports. The server is `Listening` once every published port
    /// is bound on the host (the runtime publishes them when the container starts; the runner
    /// cannot see inside the container whether the game itself listens yet).
    ///
    /// ```no_run
    /// use playflow_runner::{ContainerRuntime, ContainerSpec, PortSpec, Protocol, Runner};
    ///
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// let runner = Runner::new(Default::default())?;
    /// let runtime = ContainerRuntime::detect(None).await?;
    /// let spec = ContainerSpec::new("ghcr.io/acme/arena:1.0", "arena-1")
    ///     .port(PortSpec::new("game", 7777, Protocol::Udp));
    /// let server = runner.start_container(&runtime, spec).await?;
    /// println!("players connect to {}", server.ports()[0].external);
    /// # Ok(()) }
    /// ```
    pub async fn start_container(
        &self,
        runtime: &ContainerRuntime,
        spec: ContainerSpec,
    ) -> Result<RunningServer, StartError> {
        let mut published = Vec::with_capacity(spec.ports.len());
        for port in &spec.ports {
            if port.tls {
                return Err(StartError::Port {
                    name: port.name.clone(),
                    detail: "TLS is not served for Docker-image builds here; the game must \
                             speak TLS itself"
                        .to_owned(),
                });
            }
            let external = match port.external_port {
                Some(external) => external,
                None => free_port(port.protocol).map_err(|error| StartError::Port {
                    name: port.name.clone(),
                    detail: format!("finding a free loopback port: {error}"),
                })?,
            };
            published.push(BoundPort {
                name: port.name.clone(),
                internal_port: port.internal_port,
                protocol: port.protocol,
                tls: false,
                external: SocketAddr::from((Ipv4Addr::LOCALHOST, external)),
            });
        }
        let args = run_args(&spec, &published);
        // Before the container exists, so it never runs unguarded.
        let reaper = Reaper::spawn(runtime.cli(), &spec.name).ok();
        let mut command = tokio::process::Command::new(runtime.cli());
        // The CLI keeps the host environment (DOCKER_HOST, XDG_RUNTIME_DIR, registry logins in
        // HOME); only the variables named with `-e` reach the container.
        command
            .args(&args)
            .env(
                "PLAYFLOW_STARTUP_ARGS",
                spec.startup_args.as_deref().unwrap_or_default(),
            )
            .envs(&spec.environment_variables)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(false);
        let parent = nix::unistd::getpid();
        // SAFETY: only system calls between fork and exec (prctl, getppid).
        unsafe {
            command.pre_exec(move || {
                nix::sys::prctl::set_pdeathsig(Signal::SIGKILL)?;
                if nix::unistd::getppid() != parent {
                    return Err(io::Error::from_raw_os_error(libc::ESRCH));
                }
                Ok(())
            });
        }
        let child = self
            .spawn(command)
            .await
            .map_err(io_error("starting the container CLI"))?;
        let spawned = Instant::now();
        // The host's socket tables, where the runtime publishes the ports.
        let probe = Probe {
            pid: std::process::id() as i32,
            ports: published
                .iter()
                .map(|port| (port.external.port(), port.protocol))
                .collect(),
            own_sockets_only: false,
        };
        let mut server = self.follow(
            child,
            spawned,
            published,
            Vec::new(),
            probe,
            (spec.launch_timeout, spec.stop_grace),
        );
        server.container = Some(Container {
            cli: runtime.cli().to_owned(),
            name: spec.name,
            reaper,
        });
        Ok(server)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_names_variables_but_never_their_values() {
        let spec = ContainerSpec::new("img:1", "c1")
            .env("TOKEN", "s3cret")
            .startup_args("--udp 7777")
            .port(PortSpec::new("game", 7777, Protocol::Udp));
        let published = vec![BoundPort {
            name: "game".into(),
            internal_port: 7777,
            protocol: Protocol::Udp,
            tls: false,
            external: "127.0.0.1:30001".parse().unwrap(),
        }];
        let args = run_args(&spec, &published).join(" ");
        assert!(args.contains("-e TOKEN"), "{args}");
        assert!(!args.contains("s3cret"), "{args}");
        assert!(
            args.ends_with("-p 127.0.0.1:30001:7777/udp img:1 --udp 7777"),
            "{args}"
        );
    }
}
