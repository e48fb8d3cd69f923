//! Game servers as real processes ([`GameServers::Processes`](crate::GameServers::Processes)):
//! the [`GameHost`] unpacks builds once, starts a server's game process through
//! `playflow_runner`, and hands it to a supervisor (`supervise`) that maps the process's events
//! onto the world's `launching → running → stopped`. The world stays free of processes: it only
//! knows that a server's lifecycle is driven from outside (`ServerRecord::process`).

mod supervise;

use std::io;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use playflow::raw::enums::{BuildType, PortProtocol};
use playflow::raw::types;
use playflow_runner::{
    BuildCache, BuildError, ContainerRuntime, ContainerSpec, GameSpec, Isolation, PortSpec,
    Protocol, Runner, RunnerConfig, RunningServer, SessionInfo, UnpackedBuild,
};
use tokio::task::AbortHandle;

use crate::world::LiveWorld;
use crate::world::builds::BuildRecord;

/// Runs game processes for the emulator; dropping it (or [`GameHost::kill_all`]) kills them all.
pub(crate) struct GameHost {
    runner: Runner,
    cache: BuildCache,
    /// Unpacked builds and the servers' working folders, removed with the host.
    folder: tempfile::TempDir,
    launch_timeout: Duration,
    stop_grace: Duration,
    supervisors: Mutex<Vec<AbortHandle>>,
    /// The container CLI asked for (`None`: `docker`, else `podman`, on `PATH`).
    container_cli: Option<PathBuf>,
    /// Probed on the first Docker-image server: the runtime, or why there is none.
    containers: tokio::sync::OnceCell<Result<ContainerRuntime, String>>,
}

/// What a launch needs from the world, copied out under its lock.
struct LaunchPlan {
    generation: u64,
    payload: Payload,
    startup_args: Option<String>,
    environment: Vec<(String, String)>,
    port_configs: Vec<types::PortConfig>,
    session: SessionInfo,
}

/// What runs: an uploaded ZIP build, or a Docker image.
enum Payload {
    Zip {
        build_id: String,
        archive: PathBuf,
        executable: String,
    },
    Image(String),
}

impl GameHost {
    pub(crate) fn new(
        launch_timeout: Duration,
        stop_grace: Duration,
        container_cli: Option<PathBuf>,
    ) -> io::Result<GameHost> {
        let folder = tempfile::Builder::new()
            .prefix("playflow-emulator-games-")
            .tempdir()?;
        Ok(GameHost {
            runner: Runner::new(RunnerConfig::default().folder(folder.path().join("runner")))?,
            cache: BuildCache::new(folder.path().join("builds"))?,
            folder,
            launch_timeout,
            stop_grace,
            supervisors: Mutex::new(Vec::new()),
            container_cli,
            containers: tokio::sync::OnceCell::new(),
        })
    }

    pub(crate) fn isolation(&self) -> &Isolation {
        self.runner.isolation()
    }

    pub(crate) fn certificate_pem_path(&self) -> &std::path::Path {
        self.runner.certificate_pem_path()
    }

    /// Unpacks a build (once; later calls reuse it) and readies its executable. Blocking.
    pub(crate) fn unpack(
        &self,
        build_id: &str,
        archive: &std::path::Path,
        executable: &str,
    ) -> Result<UnpackedBuild, BuildError> {
        self.cache.unpack(build_id, archive, executable)
    }

    /// Starts the game process of server `id` (which the caller marked `process` in the same
    /// lock as it launched it). A server that cannot be started ends `stopped` with the reason
    /// in its log; one started is `launching` with its real external ports when this returns.
    ///
    /// Boxed, with its type written out: the supervisor relaunches through it (`auto_restart`),
    /// and the compiler cannot name a future that contains itself.
    pub(crate) fn launch(
        self: &Arc<Self>,
        world: &Arc<LiveWorld>,
        id: &str,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + 'static>> {
        let (host, world, id) = (self.clone(), world.clone(), id.to_owned());
        Box::pin(async move { host.start_process(&world, &id).await })
    }

    async fn start_process(self: &Arc<Self>, world: &Arc<LiveWorld>, id: &str) {
        let Some(plan) = world.with(|world, now| plan(world, id, now)) else {
            return;
        };
        let started = match plan.payload {
            Payload::Zip {
                build_id,
                archive,
                executable,
            } => {
                self.start_zip(
                    id,
                    plan.generation,
                    (build_id, archive, executable),
                    plan.session,
                    plan.startup_args,
                    plan.environment,
                    &plan.port_configs,
                )
                .await
            }
            Payload::Image(image) => {
                self.start_image(
                    id,
                    plan.generation,
                    image,
                    plan.startup_args,
                    plan.environment,
                    &plan.port_configs,
                )
                .await
            }
        };
        let server = match started {
            Ok(server) => server,
            Err(reason) => return fail(world, id, plan.generation, reason),
        };
        let adopted = world.with(|world, now| {
            let crate::world::World { servers, ports, .. } = world;
            let record = servers
                .iter_mut()
                .find(|s| s.id == id && s.generation == plan.generation && s.is_active())?;
            ports.release(&record.ports);
            record.ports = server
                .ports()
                .iter()
                .map(|bound| {
                    built!(NetworkPort {
                        external_port: Some(i64::from(bound.external.port())),
                        host: Some(bound.external.ip().to_string()),
                        internal_port: Some(i64::from(bound.internal_port)),
                        name: Some(bound.name.clone()),
                        protocol: Some(match bound.protocol {
                            Protocol::Tcp => PortProtocol::Tcp,
                            _ => PortProtocol::Udp,
                        }),
                        tls_enabled: Some(bound.tls),
                    })
                })
                .collect();
            record.log(
                now,
                "info",
                format!("Game process {} started", server.pid()),
            );
            // Subscribed in the lock that saw this launch current: a stop from here on wakes
            // the supervisor.
            Some((record.labels(), record.lifecycle.subscribe()))
        });
        let Some((labels, lifecycle)) = adopted else {
            // Stopped or restarted while the process was starting.
            server.stop(self.stop_grace).await;
            return;
        };
        let task = tokio::spawn(supervise::supervise(
            Arc::downgrade(self),
            world.clone(),
            supervise::Run {
                id: id.to_owned(),
                generation: plan.generation,
                labels,
            },
            server,
            lifecycle,
        ));
        let mut supervisors = self.supervisors.lock().unwrap_or_else(|e| e.into_inner());
        supervisors.retain(|task| !task.is_finished());
        supervisors.push(task.abort_handle());
    }

    /// Unpacks (once) and starts a ZIP build's executable; the error is the log line.
    #[allow(clippy::too_many_arguments)]
    async fn start_zip(
        self: &Arc<Self>,
        id: &str,
        generation: u64,
        (build_id, archive, executable): (String, PathBuf, String),
        session: SessionInfo,
        startup_args: Option<String>,
        environment: Vec<(String, String)>,
        port_configs: &[types::PortConfig],
    ) -> Result<RunningServer, String> {
        let host = self.clone();
        // A build unpacked before needs no trip to the blocking pool (a scheduling delay
        // before the spawn on a busy machine).
        let unpacked = if let Some(build) = self.cache.unpacked(&build_id, &executable) {
            Ok(build)
        } else {
            tokio::task::spawn_blocking(move || host.unpack(&build_id, &archive, &executable))
                .await
                .unwrap_or_else(|error| {
                    Err(BuildError::Io {
                        doing: "unpacking the build".to_owned(),
                        error: io::Error::other(error.to_string()),
                    })
                })
        };
        let build = match unpacked {
            Ok(build) => build,
            Err(error) => return Err(error.to_string()),
        };
        let working = self
            .folder
            .path()
            .join("servers")
            .join(format!("{id}-{}", generation));
        let mut spec = GameSpec::for_build(&build, working)
            .launch_timeout(self.launch_timeout)
            .stop_grace(self.stop_grace)
            .session(session);
        if let Some(args) = &startup_args {
            spec = spec.startup_args(args.clone());
        }
        for (name, value) in environment {
            spec = spec.env(name, value);
        }
        for config in port_configs {
            spec = spec.port(port_spec(config));
        }
        self.runner
            .start(spec)
            .await
            .map_err(|error| error.to_string())
    }

    /// Starts a Docker-image build through the local container runtime (probed once); the
    /// error is the log line.
    async fn start_image(
        &self,
        id: &str,
        generation: u64,
        image: String,
        startup_args: Option<String>,
        environment: Vec<(String, String)>,
        port_configs: &[types::PortConfig],
    ) -> Result<RunningServer, String> {
        let runtime = self
            .containers
            .get_or_init(|| ContainerRuntime::detect(self.container_cli.clone()))
            .await
            .as_ref()
            .map_err(|why| format!("Docker-image build {image} cannot run here: {why}"))?;
        let mut spec = ContainerSpec::new(image, format!("playflow-{id}-{generation}"))
            .launch_timeout(self.launch_timeout)
            .stop_grace(self.stop_grace);
        if let Some(args) = startup_args {
            spec = spec.startup_args(args);
        }
        for (name, value) in environment {
            spec = spec.env(name, value);
        }
        for config in port_configs {
            spec = spec.port(port_spec(config));
        }
        self.runner
            .start_container(runtime, spec)
            .await
            .map_err(|error| error.to_string())
    }

    /// Starts the processes of servers the world started itself (lobby and matchmaking starts)
    /// as soon as it asks for them ([`World::want_launch`](crate::world::World::want_launch)),
    /// until `stopped` turns true.
    pub(crate) async fn follow(
        self: Arc<Self>,
        world: Arc<LiveWorld>,
        mut stopped: tokio::sync::watch::Receiver<bool>,
    ) {
        let launches = world.with(|world, _| world.launches.clone());
        loop {
            for id in world.with(|world, _| std::mem::take(&mut world.to_launch)) {
                tokio::spawn(self.launch(&world, &id));
            }
            tokio::select! {
                _ = launches.notified() => {}
                _ = stopped.wait_for(|stopped| *stopped) => break,
            }
        }
    }

    /// Kills every game process at once (the supervisors own them; aborting drops them).
    pub(crate) fn kill_all(&self) {
        let supervisors =
            std::mem::take(&mut *self.supervisors.lock().unwrap_or_else(|e| e.into_inner()));
        for task in supervisors {
            task.abort();
        }
    }
}

impl Drop for GameHost {
    fn drop(&mut self) {
        self.kill_all();
    }
}

/// Reads what a launch needs; stops the server at once when its build cannot run here.
fn plan(
    world: &mut crate::world::World,
    id: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<LaunchPlan> {
    let server = world.servers.iter().find(|s| s.id == id && s.is_active())?;
    let build: Option<&BuildRecord> = server
        .build_id
        .as_ref()
        .and_then(|build_id| world.builds.iter().find(|b| &b.id == build_id));
    let refusal = match build {
        None => Some("the server has no build to run".to_owned()),
        Some(build) if build.kind == BuildType::DockerImage && build.image_url.is_none() => {
            Some("the Docker-image build has no image_url".to_owned())
        }
        Some(build) if build.kind != BuildType::DockerImage && build.archive.is_none() => {
            Some("the build has no uploaded archive".to_owned())
        }
        Some(_) => None,
    };
    if let Some(reason) = refusal {
        let generation = server.generation;
        stop_with(world, id, generation, now, reason, "LAUNCH_FAILED");
        return None;
    }
    let build = build?;
    let mut environment: Vec<(String, String)> = server
        .environment
        .iter()
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    environment.sort();
    Some(LaunchPlan {
        generation: server.generation,
        payload: match build.kind {
            BuildType::DockerImage => Payload::Image(build.image_url.clone()?),
            _ => Payload::Zip {
                build_id: build.id.clone(),
                archive: build.archive.clone()?,
                executable: build.executable_path.clone(),
            },
        },
        startup_args: server.startup_args.clone(),
        environment,
        port_configs: server.port_configs.clone(),
        session: SessionInfo {
            instance_id: server.id.clone(),
            region: server.region.clone(),
            custom_data: server
                .custom_data
                .clone()
                .map_or(serde_json::Value::Null, serde_json::Value::Object),
        },
    })
}

fn port_spec(config: &types::PortConfig) -> PortSpec {
    let protocol = match config.protocol {
        Some(PortProtocol::Tcp) => Protocol::Tcp,
        _ => Protocol::Udp,
    };
    let internal = config.internal_port.map_or(7777, |port| port.get() as u16);
    let name = config
        .name
        .clone()
        .unwrap_or_else(|| format!("port-{internal}"));
    PortSpec::new(name, internal, protocol).tls(config.tls_enabled == Some(true))
}

/// A server whose process could not start: `stopped`, the reason as an error line.
fn fail(world: &LiveWorld, id: &str, generation: u64, reason: String) {
    world.with(|world, now| stop_with(world, id, generation, now, reason, "LAUNCH_FAILED"));
}

pub(super) fn stop_with(
    world: &mut crate::world::World,
    id: &str,
    generation: u64,
    now: chrono::DateTime<chrono::Utc>,
    reason: String,
    shutdown: &str,
) {
    let crate::world::World { servers, ports, .. } = world;
    if let Some(server) = servers
        .iter_mut()
        .find(|s| s.id == id && s.generation == generation)
    {
        server.log(now, "error", reason);
        server.stop(now, shutdown, ports);
    }
}
