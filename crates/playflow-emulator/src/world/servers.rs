//! Game servers: their records, the `launching → running → stopped` lifecycle (TTL included), the
//! warm pool and the plan's limits (external port numbers come from `ports`).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use playflow::raw::enums::{PortProtocol, ServerServiceType, ServerStatus};
use playflow::raw::types;
use serde_json::{Map, Value};
use tokio::sync::watch;

use super::World;
use super::builds;
use super::clock::{delta, seconds};
use super::logs::{LogLine, RunLabels, push_labelled};
use super::ports::PortAllocator;
use super::refusal::{ApiError, ApiResult};
use super::wire;
use crate::config::{LobbyServerLayout, Plan};

/// Regions PlayFlow runs servers in.
pub(crate) const REGIONS: &[&str] = &[
    "us-east",
    "us-west",
    "eu-west",
    "eu-north",
    "eu-uk",
    "ap-south",
    "ap-north",
    "sea",
    "ap-southeast",
    "south-america",
    "south-africa",
];

/// Host that every allocated port is reported on.
const HOST: &str = "127.0.0.1";

/// How often the warm pool is topped up (PlayFlow time).
const POOL_PASS: TimeDelta = TimeDelta::minutes(5);

/// Whether a server is a warm pool machine, came from the pool, or neither.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum PoolRole {
    None,
    Warm,
    Claimed(DateTime<Utc>),
}

/// What a new server is asked to be.
#[derive(Debug, Clone)]
pub(crate) struct NewServer {
    pub(crate) name: String,
    pub(crate) region: String,
    pub(crate) compute_size: String,
    pub(crate) version_tag: String,
    pub(crate) version: Option<i64>,
    pub(crate) startup_args: Option<String>,
    pub(crate) auto_restart: bool,
    pub(crate) custom_data: Option<Map<String, Value>>,
    pub(crate) ttl: Option<i64>,
    pub(crate) match_id: Option<String>,
    pub(crate) environment: HashMap<String, String>,
    pub(crate) port_configs: Option<Vec<types::PortConfig>>,
}

/// A server instance.
#[derive(Debug, Clone)]
pub(crate) struct ServerRecord {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) region: String,
    pub(crate) compute_size: String,
    pub(crate) version_tag: String,
    pub(crate) version: Option<i64>,
    pub(crate) executable: String,
    pub(crate) startup_args: Option<String>,
    pub(crate) auto_restart: bool,
    pub(crate) custom_data: Option<Map<String, Value>>,
    pub(crate) ttl: Option<i64>,
    pub(crate) match_id: Option<String>,
    pub(crate) environment: HashMap<String, String>,
    pub(crate) port_configs: Vec<types::PortConfig>,
    pub(crate) pool: PoolRole,
    pub(crate) status: ServerStatus,
    pub(crate) machine_id: Option<String>,
    pub(crate) launch_at: DateTime<Utc>,
    pub(crate) running_at: DateTime<Utc>,
    pub(crate) started_at: Option<DateTime<Utc>>,
    pub(crate) stopped_at: Option<DateTime<Utc>>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
    pub(crate) ports: Vec<types::NetworkPort>,
    pub(crate) logs: Vec<LogLine>,
    /// The build this server deploys (`None` for warm pool machines).
    pub(crate) build_id: Option<String>,
    /// Set when a game process drives the lifecycle: `running` comes from the process listening,
    /// not from the launch delay.
    pub(crate) process: bool,
    /// Counts launches; a process belongs to the launch it was started for.
    pub(crate) generation: u64,
    /// CPU percent and resident memory (MiB) sampled from the game process.
    pub(crate) samples: Vec<(DateTime<Utc>, f64, f64)>,
    /// Wakes the game process's supervisor when the server stops or is relaunched.
    pub(crate) lifecycle: Lifecycle,
}

/// Says "this server was stopped or relaunched" to whoever follows it (the supervisor of its
/// game process), the moment it happens: a stop through the API, a TTL expiry or a restart
/// reaches the process without the supervisor polling the world. Dropping the record (and so
/// this) is a change too: [`Lifecycle::subscribe`]'s receiver then reports the sender gone.
#[derive(Debug, Clone)]
pub(crate) struct Lifecycle(Arc<watch::Sender<()>>);

impl Default for Lifecycle {
    fn default() -> Self {
        Lifecycle(Arc::new(watch::channel(()).0))
    }
}

impl Lifecycle {
    /// A receiver whose `changed()` completes at the next stop or relaunch.
    pub(crate) fn subscribe(&self) -> watch::Receiver<()> {
        self.0.subscribe()
    }

    fn changed(&self) {
        // `send_replace` marks the value changed even when nobody is subscribed yet.
        self.0.send_replace(());
    }
}

impl ServerRecord {
    pub(crate) fn is_active(&self) -> bool {
        self.status != ServerStatus::Stopped
    }

    fn ttl_deadline(&self) -> Option<DateTime<Utc>> {
        self.ttl.map(|ttl| self.launch_at + seconds(ttl as f64))
    }

    pub(crate) fn log(&mut self, at: DateTime<Utc>, level: &'static str, message: String) {
        let labels = self.labels();
        push_labelled(&mut self.logs, at, level, message, labels);
    }

    /// A line of an earlier (or this) run, labelled as that run was (`labels` taken with
    /// [`ServerRecord::labels`] while it was current).
    pub(crate) fn log_for_run(
        &mut self,
        labels: RunLabels,
        at: DateTime<Utc>,
        level: &'static str,
        message: String,
    ) {
        push_labelled(&mut self.logs, at, level, message, labels);
    }

    /// The labels lines get now: the current machine and name.
    pub(crate) fn labels(&self) -> RunLabels {
        let same = |current: Option<&Arc<str>>, wanted: Option<&str>| {
            current
                .filter(|current| Some(&***current) == wanted)
                .cloned()
        };
        let last = self.logs.last().map(|line| &line.labels);
        RunLabels {
            machine: same(
                last.and_then(|l| l.machine.as_ref()),
                self.machine_id.as_deref(),
            )
            .or_else(|| self.machine_id.as_deref().map(Arc::from)),
            server_name: same(last.and_then(|l| l.server_name.as_ref()), Some(&self.name))
                .or_else(|| Some(Arc::from(self.name.as_str()))),
        }
    }

    /// Puts the server on a fresh machine with fresh ports; it is `launching` until `now + delay`.
    pub(crate) fn launch(
        &mut self,
        now: DateTime<Utc>,
        delay: TimeDelta,
        ports: &mut PortAllocator,
    ) {
        ports.release(&self.ports);
        self.generation += 1;
        self.lifecycle.changed();
        self.process = false;
        self.machine_id = Some(machine_id());
        self.status = ServerStatus::Launching;
        self.launch_at = now;
        self.running_at = now + delay;
        self.started_at = None;
        self.stopped_at = None;
        self.updated_at = now;
        self.ports = self
            .port_configs
            .iter()
            .map(|config| {
                built!(NetworkPort {
                    external_port: Some(i64::from(ports.allocate())),
                    host: Some(HOST.to_owned()),
                    internal_port: config.internal_port.map(|p| p.get() as i64),
                    name: config.name.clone(),
                    protocol: config.protocol.clone().or(Some(PortProtocol::Udp)),
                    tls_enabled: Some(config.tls_enabled.unwrap_or(false)),
                })
            })
            .collect();
        let machine = self.machine_id.clone().unwrap_or_default();
        self.log(
            now,
            "info",
            format!(
                "Machine {machine} created in {} ({})",
                self.region, self.compute_size
            ),
        );
        if self.pool != PoolRole::Warm {
            let version = self.version.map_or(String::new(), |v| format!(" v{v}"));
            self.log(
                now,
                "info",
                format!("Deploying build {}{version}", self.version_tag),
            );
            let args = self.startup_args.clone().unwrap_or_default();
            self.log(
                now,
                "info",
                format!("Starting ./{} {args}", self.executable)
                    .trim_end()
                    .to_owned(),
            );
        }
    }

    /// Stops the server at `at` (no-op when already stopped).
    pub(crate) fn stop(&mut self, at: DateTime<Utc>, reason: &str, ports: &mut PortAllocator) {
        if !self.is_active() {
            return;
        }
        self.log(at, "info", format!("Shutting down ({reason})"));
        self.log(at, "info", "Server stopped".to_owned());
        ports.release(&self.ports);
        self.ports.clear();
        self.status = ServerStatus::Stopped;
        self.stopped_at = Some(at);
        self.updated_at = at;
        self.lifecycle.changed();
    }

    pub(crate) fn become_running(&mut self, at: DateTime<Utc>) {
        self.status = ServerStatus::Running;
        self.started_at = Some(at);
        self.updated_at = at;
        let ports: Vec<String> = self
            .ports
            .iter()
            .map(|port| {
                format!(
                    "Listening on {} port {}",
                    port.protocol
                        .as_ref()
                        .map_or("UDP".to_owned(), |p| p.as_str().to_uppercase()),
                    port.internal_port.unwrap_or_default()
                )
            })
            .collect();
        for line in ports {
            self.log(at, "info", line);
        }
        let ready = if self.pool == PoolRole::Warm {
            "Warm pool machine ready"
        } else {
            "Server ready"
        };
        self.log(at, "info", ready.to_owned());
    }

    /// The server as the API returns it.
    pub(crate) fn wire(&self) -> Value {
        let server = built!(Server {
            auto_restart: Some(self.auto_restart),
            compute_size: Some(self.compute_size.clone()),
            created_at: Some(self.created_at),
            custom_data: self.custom_data.clone(),
            instance_id: self.id.clone(),
            is_pool_server: Some(self.pool != PoolRole::None),
            match_id: self.match_id.clone(),
            name: self.name.clone(),
            network_ports: self.ports.clone(),
            pool_claimed_at: match self.pool {
                PoolRole::Claimed(at) => Some(at),
                _ => None,
            },
            region: Some(self.region.clone()),
            service_type: Some(service_type(&self.compute_size)),
            started_at: self.started_at,
            startup_args: self.startup_args.clone(),
            status: self.status.clone(),
            stopped_at: self.stopped_at,
            ttl: self.ttl,
            updated_at: Some(self.updated_at),
            version: self.version,
            version_tag: Some(self.version_tag.clone()),
        });
        let mut value = wire::value(&server).unwrap_or(Value::Null);
        if let Value::Object(map) = &mut value {
            // An empty port list is part of the story ("empty once the server has stopped").
            map.entry("network_ports")
                .or_insert(Value::Array(Vec::new()));
        }
        wire::with_nulls(
            value,
            &[
                "startup_args",
                "version",
                "started_at",
                "stopped_at",
                "custom_data",
                "ttl",
                "pool_claimed_at",
                "match_id",
            ],
        )
    }

    /// The server as a lobby's `server` block shows it.
    pub(crate) fn lobby_block(&self, layout: LobbyServerLayout) -> Value {
        if layout == LobbyServerLayout::Full {
            return self.wire();
        }
        let mut extra = Map::new();
        extra.insert("instanceId".to_owned(), Value::String(self.id.clone()));
        let block = built!(LobbyServer {
            status: Some(self.status.as_str().to_owned()),
            region: Some(self.region.clone()),
            ports: self
                .ports
                .iter()
                .map(|port| built!(LobbyServerPort {
                    host: port.host.clone(),
                    name: port.name.clone(),
                    port: port.external_port,
                    protocol: port.protocol.clone(),
                }))
                .collect::<Vec<_>>(),
            extra,
            auto_restart: None,
            compute_size: None,
            created_at: None,
            custom_data: None,
            instance_id: None,
            is_pool_server: None,
            match_id: None,
            name: None,
            network_ports: Vec::new(),
            pool_claimed_at: None,
            service_type: None,
            started_at: None,
            startup_args: None,
            stopped_at: None,
            ttl: None,
            updated_at: None,
            version: None,
            version_tag: None,
        });
        let mut value = wire::value(&block).unwrap_or(Value::Null);
        if let Value::Object(map) = &mut value {
            map.entry("ports").or_insert(Value::Array(Vec::new()));
        }
        value
    }
}

fn service_type(compute_size: &str) -> ServerServiceType {
    if compute_size.starts_with("persistent-") {
        ServerServiceType::PersistentWorld
    } else {
        ServerServiceType::MatchBased
    }
}

/// A Fly.io-style machine ID: 14 hex digits.
fn machine_id() -> String {
    let bytes = rand::random::<[u8; 7]>();
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Creates and launches a server (claiming a warm pool machine when one fits); returns its index.
pub(crate) fn create(world: &mut World, new: NewServer, now: DateTime<Utc>) -> ApiResult<usize> {
    let ttl = check_plan(world, &new.compute_size, new.ttl)?;
    let build = builds::resolve(world, &new.version_tag, new.version)?;
    let (version, executable) = (Some(build.version), build.executable_path.clone());
    let build_id = build.id.clone();
    let port_configs = new
        .port_configs
        .unwrap_or_else(|| world.settings.port_configs.clone());
    let mut environment = world.settings.environment_variables.clone();
    environment.extend(new.environment);

    let warm = world.servers.iter().position(|server| {
        server.pool == PoolRole::Warm
            && server.status == ServerStatus::Running
            && server.region == new.region
            && server.compute_size == new.compute_size
    });
    let (id, pool, delay) = match warm {
        Some(index) => {
            let machine = world.servers.remove(index);
            world.ports.release(&machine.ports);
            (
                machine.id,
                PoolRole::Claimed(now),
                world.timing.pool_launch_delay,
            )
        }
        None => (
            uuid::Uuid::new_v4().to_string(),
            PoolRole::None,
            world.timing.launch_delay,
        ),
    };
    let mut server = ServerRecord {
        id,
        name: new.name,
        region: new.region,
        compute_size: new.compute_size,
        version_tag: new.version_tag,
        version,
        executable,
        startup_args: new.startup_args,
        auto_restart: new.auto_restart,
        custom_data: new.custom_data,
        ttl,
        match_id: new.match_id,
        environment,
        port_configs,
        pool,
        status: ServerStatus::Launching,
        machine_id: None,
        launch_at: now,
        running_at: now,
        started_at: None,
        stopped_at: None,
        created_at: now,
        updated_at: now,
        ports: Vec::new(),
        logs: Vec::new(),
        build_id: Some(build_id),
        process: false,
        generation: 0,
        samples: Vec::new(),
        lifecycle: Lifecycle::default(),
    };
    server.launch(now, delta(delay), &mut world.ports);
    world.servers.push(server);
    Ok(world.servers.len() - 1)
}

/// Applies the plan's limits to a new server; returns the TTL it gets.
pub(crate) fn check_plan(
    world: &World,
    compute_size: &str,
    ttl: Option<i64>,
) -> ApiResult<Option<i64>> {
    if world.timing.plan != Plan::Free {
        return Ok(ttl);
    }
    if compute_size != "small" {
        return Err(ApiError::forbidden(format!(
            "The Free plan runs `small` servers only (asked for `{compute_size}`); upgrade to Pro for larger sizes"
        )));
    }
    check_ttl_for_plan(world, ttl)?;
    let running = world
        .servers
        .iter()
        .filter(|server| server.is_active() && server.pool != PoolRole::Warm)
        .count();
    if running >= 1 {
        return Err(ApiError::forbidden(
            "The Free plan runs one server at a time; stop the running server or upgrade to Pro",
        ));
    }
    Ok(Some(ttl.unwrap_or(3600)))
}

/// The Free plan's TTL ceiling (one hour).
pub(crate) fn check_ttl_for_plan(world: &World, ttl: Option<i64>) -> ApiResult<()> {
    if world.timing.plan == Plan::Free && ttl.is_some_and(|ttl| ttl > 3600) {
        return Err(ApiError::forbidden(
            "The Free plan allows a TTL of at most 3600 seconds",
        ));
    }
    Ok(())
}

/// Applies due launches and TTL expiries, and keeps the warm pool topped up.
pub(crate) fn advance(world: &mut World, now: DateTime<Utc>) {
    let World { servers, ports, .. } = world;
    for server in servers.iter_mut() {
        let deadline = server.ttl_deadline();
        if server.status == ServerStatus::Launching
            && !server.process
            && server.running_at <= now
            && deadline.is_none_or(|deadline| server.running_at < deadline)
        {
            let at = server.running_at;
            server.become_running(at);
        }
        if let Some(deadline) = deadline
            && server.is_active()
            && deadline <= now
        {
            server.stop(deadline, "TTL_EXPIRED", ports);
        }
    }
    maintain_pool(world, now);
}

/// Tops the warm pool up to its targets (and trims it), at most every five minutes.
pub(crate) fn maintain_pool(world: &mut World, now: DateTime<Utc>) {
    if world.pool_pass_due.is_none_or(|due| due > now) {
        return;
    }
    world.pool_pass_due = Some(now + POOL_PASS);
    let targets: HashMap<(String, String), u64> = match &world.settings.pool_config {
        Some(pool) if pool.enabled == Some(true) => pool
            .regions
            .iter()
            .flat_map(|(region, sizes)| {
                sizes
                    .iter()
                    .map(move |(size, count)| ((region.clone(), size.clone()), *count))
            })
            .collect(),
        _ => HashMap::new(),
    };
    let mut kept: HashMap<(String, String), u64> = HashMap::new();
    let World { servers, ports, .. } = world;
    for server in servers.iter_mut() {
        if server.pool != PoolRole::Warm || !server.is_active() {
            continue;
        }
        let key = (server.region.clone(), server.compute_size.clone());
        let have = kept.entry(key.clone()).or_default();
        if *have < targets.get(&key).copied().unwrap_or(0) {
            *have += 1;
        } else {
            server.stop(now, "POOL_SCALED_DOWN", ports);
        }
    }
    let delay = delta(world.timing.launch_delay);
    let mut sorted: Vec<_> = targets.into_iter().collect();
    sorted.sort();
    for ((region, size), target) in sorted {
        let have = kept
            .get(&(region.clone(), size.clone()))
            .copied()
            .unwrap_or(0);
        for _ in have..target {
            let mut machine = ServerRecord {
                id: uuid::Uuid::new_v4().to_string(),
                name: format!("pool-{region}-{size}"),
                region: region.clone(),
                compute_size: size.clone(),
                version_tag: "default".to_owned(),
                version: None,
                executable: "Server.x86_64".to_owned(),
                startup_args: None,
                auto_restart: false,
                custom_data: None,
                ttl: None,
                match_id: None,
                environment: HashMap::new(),
                port_configs: world.settings.port_configs.clone(),
                pool: PoolRole::Warm,
                status: ServerStatus::Launching,
                machine_id: None,
                launch_at: now,
                running_at: now,
                started_at: None,
                stopped_at: None,
                created_at: now,
                updated_at: now,
                ports: Vec::new(),
                logs: Vec::new(),
                build_id: None,
                process: false,
                generation: 0,
                samples: Vec::new(),
                lifecycle: Lifecycle::default(),
            };
            machine.launch(now, delay, &mut world.ports);
            world.servers.push(machine);
        }
    }
}
