//! The server start builder, with checks before the request and recovery from ambiguous failures.

use std::collections::BTreeMap;
use std::fmt;
use std::num::NonZeroU64;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::error::{Error, InvalidInput, OutcomeUnknown, Result};
use crate::keys::ApiKey;
use crate::model::{ComputeSize, PortConfig, PortProtocol, Server, StartServerRequest};
use crate::raw::types;
use crate::{Client, Region};

use super::ServerOutcome;
use super::recover::{IDEMPOTENCY_KEY, Search, find_tagged};

/// The TTL range the spec allows, in seconds.
const TTL_SECS: std::ops::RangeInclusive<u64> = 60..=86_400;

/// A server start. Obtain with [`Servers::start`](super::Servers::start).
#[must_use]
pub struct StartServer<K: ApiKey> {
    client: Client<K>,
    name: String,
    region: Region,
    compute_size: Option<ComputeSize>,
    ttl: Option<Duration>,
    ports: Vec<PortConfig>,
    /// The first port refused by a setter (reported by `to_request`, before any request).
    port_error: Option<InvalidInput>,
    env: BTreeMap<String, String>,
    custom_data: Option<std::result::Result<Map<String, Value>, InvalidInput>>,
    version_tag: Option<String>,
    version: Option<u32>,
    startup_args: Option<String>,
    match_id: Option<String>,
    auto_restart: Option<bool>,
    idempotency_tag: Option<String>,
}

impl<K: ApiKey> fmt::Debug for StartServer<K> {
    /// Environment values are left out: they are where secrets usually go.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StartServer")
            .field("name", &self.name)
            .field("region", &self.region)
            .field("compute_size", &self.compute_size)
            .field("ttl", &self.ttl)
            .field("ports", &self.ports)
            .field("port_error", &self.port_error)
            .field("env_keys", &self.env.keys().collect::<Vec<_>>())
            .field("custom_data", &self.custom_data)
            .field("version_tag", &self.version_tag)
            .field("version", &self.version)
            .field("startup_args", &self.startup_args)
            .field("match_id", &self.match_id)
            .field("auto_restart", &self.auto_restart)
            .field("idempotency_tag", &self.idempotency_tag)
            .finish()
    }
}

impl<K: ApiKey> StartServer<K> {
    pub(super) fn new(client: Client<K>, name: String, region: Region) -> Self {
        Self {
            client,
            name,
            region,
            compute_size: None,
            ttl: None,
            ports: Vec::new(),
            port_error: None,
            env: BTreeMap::new(),
            custom_data: None,
            version_tag: None,
            version: None,
            startup_args: None,
            match_id: None,
            auto_restart: None,
            idempotency_tag: None,
        }
    }

    /// Machine size (`small` when not set). Sizes this version does not know go through as
    /// `ComputeSize::from("new-size")`.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// use playflow::model::ComputeSize;
    /// client.servers().start("duel-1", "us-east").compute_size(ComputeSize::DedicatedSmall).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn compute_size(mut self, size: impl Into<ComputeSize>) -> Self {
        self.compute_size = Some(size.into());
        self
    }

    /// Lifetime after which PlayFlow stops the server: whole seconds from 60 s to 24 h,
    /// checked before the request.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.servers().start("duel-1", "us-east").ttl(std::time::Duration::from_secs(1800)).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = Some(ttl);
        self
    }

    /// Open a port (replaces the project's default port layout for this server once any port is
    /// given). `internal_port` is where the game listens, 1–65535: port 0 or an empty name is
    /// refused by [`send`](Self::send) and [`to_request`](Self::to_request), before any request.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// use playflow::model::PortProtocol;
    /// client.servers().start("duel-1", "us-east")
    ///     .port("game", 7777, PortProtocol::Udp)
    ///     .port("query", 27015, PortProtocol::Tcp)
    ///     .send().await?;
    /// # Ok(()) }
    /// ```
    pub fn port(self, name: impl Into<String>, internal_port: u16, protocol: PortProtocol) -> Self {
        self.named_port(name.into(), internal_port, protocol, false)
    }

    /// Open a TCP port with TLS terminated in front of it (e.g. for WebSocket games). Port 0
    /// or an empty name is refused before any request, as with [`port`](Self::port).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.servers().start("web-1", "us-east").tls_port("wss", 8443).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn tls_port(self, name: impl Into<String>, internal_port: u16) -> Self {
        self.named_port(name.into(), internal_port, PortProtocol::Tcp, true)
    }

    fn named_port(
        self,
        name: String,
        internal_port: u16,
        protocol: PortProtocol,
        tls: bool,
    ) -> Self {
        let refused = if internal_port == 0 {
            Some(format!(
                "port `{name}`: the internal port must be 1–65535, got 0"
            ))
        } else if name.is_empty() {
            Some(format!("port {internal_port}: the name must not be empty"))
        } else {
            None
        };
        match refused.map_or_else(|| port_config(name, internal_port, protocol, tls), Err) {
            Err(reason) => self.refuse_port(reason),
            Ok(port) => self.port_config(port),
        }
    }

    fn refuse_port(mut self, reason: String) -> Self {
        self.port_error
            .get_or_insert_with(|| InvalidInput::new("port_configs", reason));
        self
    }

    /// Add a port given in full. An internal port above 65535 is refused before any request.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let port: playflow::model::PortConfig = playflow::model::PortConfig::builder()
    ///     .name(Some("game".to_string()))
    ///     .internal_port(std::num::NonZeroU64::new(7777))
    ///     .try_into()?;
    /// client.servers().start("duel-1", "us-east").port_config(port).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn port_config(mut self, port: PortConfig) -> Self {
        if let Some(internal) = port.internal_port.filter(|p| p.get() > u64::from(u16::MAX)) {
            let name = port.name.as_deref().unwrap_or_default();
            return self.refuse_port(format!(
                "port `{name}`: the internal port must be 1–65535, got {internal}"
            ));
        }
        self.ports.push(port);
        self
    }

    /// Set an environment variable of the game process (on top of the project's defaults).
    /// Values never appear in this builder's `Debug`.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.servers().start("duel-1", "us-east").env("MODE", "ranked").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.insert(key.into(), value.into());
        self
    }

    /// Free-form metadata stored with the server: anything that serializes to a JSON object.
    /// Anything else (a number, a list, a failing `Serialize`) is refused before the request.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.servers().start("duel-1", "us-east")
    ///     .custom_data(serde_json::json!({ "mode": "ranked", "map": "forest" }))
    ///     .send().await?;
    /// # Ok(()) }
    /// ```
    pub fn custom_data(mut self, data: impl serde::Serialize) -> Self {
        self.custom_data = Some(crate::validate::json_object("custom_data", data));
        self
    }

    /// Deploy the newest `ready` build of this name (default `default`).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.servers().start("duel-1", "us-east").version_tag("beta").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn version_tag(mut self, tag: impl Into<String>) -> Self {
        self.version_tag = Some(tag.into());
        self
    }

    /// Deploy this exact build version (e.g. to roll back).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.servers().start("duel-1", "us-east").version(11).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn version(mut self, version: u32) -> Self {
        self.version = Some(version);
        self
    }

    /// Arguments for the game executable's command line.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.servers().start("duel-1", "us-east").startup_args("-map forest").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn startup_args(mut self, args: impl Into<String>) -> Self {
        self.startup_args = Some(args.into());
        self
    }

    /// Your own match id, stored with the server.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.servers().start("duel-1", "us-east").match_id("match-3f9c2a").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn match_id(mut self, id: impl Into<String>) -> Self {
        self.match_id = Some(id.into());
        self
    }

    /// Restart the game process after a crash (at most 10 times).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.servers().start("world-1", "eu-north").auto_restart(true).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn auto_restart(mut self, on: bool) -> Self {
        self.auto_restart = Some(on);
        self
    }

    /// Make an ambiguous failure safe: tag the start with a fresh unique id (see
    /// [`Self::idempotency_tag`] for what a tag does).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let server = client.servers().start("duel-1", "us-east").idempotent().send().await?;
    /// # let _ = server; Ok(()) }
    /// ```
    pub fn idempotent(self) -> Self {
        let tag = uuid::Uuid::new_v4().to_string();
        self.idempotency_tag(tag)
    }

    /// Tag the start (in `custom_data`, under [`IDEMPOTENCY_KEY`]) so it happens once per tag,
    /// e.g. a tag derived from your match id, so a restarted matchmaker finds the server its
    /// predecessor started:
    ///
    /// 1. **Before starting**, the servers (launching and pool ones included) are listed; a
    ///    server with the tag is returned as the answer, and nothing is started.
    /// 2. When the start fails after the request may have reached PlayFlow
    ///    ([`Error::outcome_unknown`]: a timeout, a dropped connection, a 5xx, an unreadable
    ///    answer), the servers are listed again and the tagged one returned if it exists. If
    ///    none is, the start's error is returned and no server was started under that tag
    ///    (yet).
    ///
    /// Each search reads at most 20 pages of 100 servers and takes at most 20 s; a list that
    /// never ends (`has_more: true` forever) or a search that fails after the start ends in
    /// [`Error::OutcomeUnknown`], which carries the tag. A server that already stopped is not
    /// listed, so its tag starts a new one.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let server = client.servers().start("duel-1", "us-east")
    ///     .idempotency_tag("match-3f9c2a")
    ///     .send().await?;
    /// # let _ = server; Ok(()) }
    /// ```
    pub fn idempotency_tag(mut self, tag: impl Into<String>) -> Self {
        self.idempotency_tag = Some(tag.into());
        self
    }

    /// The request body this start would send, after every check.
    ///
    /// ```
    /// # let client = playflow::Client::new(playflow::ServerKey::new("pf_1234567890abcdef1234")?)?;
    /// let request = client.servers().start("duel-1", "eu-west")
    ///     .ttl(std::time::Duration::from_secs(600))
    ///     .to_request()?;
    /// assert_eq!(request.ttl, Some(600));
    /// let too_short = client.servers().start("duel-1", "eu-west")
    ///     .ttl(std::time::Duration::from_secs(30))
    ///     .to_request();
    /// assert!(matches!(too_short, Err(playflow::Error::InvalidInput(_))));
    /// # Ok::<(), playflow::Error>(())
    /// ```
    pub fn to_request(&self) -> Result<StartServerRequest> {
        let name = types::StartServerRequestName::try_from(self.name.as_str())
            .map_err(|_| InvalidInput::new("name", "must not be empty"))?;
        let region = types::StartServerRequestRegion::try_from(self.region.as_str())
            .map_err(|_| InvalidInput::new("region", "must not be empty"))?;
        let ttl = self.ttl.map(check_ttl).transpose()?;
        if let Some(refused) = &self.port_error {
            return Err(refused.clone().into());
        }
        let mut custom_data = match &self.custom_data {
            None => Map::new(),
            Some(checked) => checked.clone()?,
        };
        if let Some(tag) = &self.idempotency_tag {
            if tag.is_empty() {
                return Err(InvalidInput::new("idempotency_tag", "must not be empty").into());
            }
            custom_data.insert(IDEMPOTENCY_KEY.to_owned(), Value::String(tag.clone()));
        }
        if self.env.keys().any(|k| k.is_empty()) {
            return Err(InvalidInput::new("environment_variables", "a name is empty").into());
        }
        Ok(crate::built::built!(StartServerRequest {
            auto_restart: self.auto_restart,
            compute_size: self.compute_size.clone(),
            custom_data,
            environment_variables: self
                .env
                .clone()
                .into_iter()
                .collect::<std::collections::HashMap<_, _>>(),
            match_id: self.match_id.clone(),
            name,
            port_configs: self.ports.clone(),
            region,
            startup_args: self.startup_args.clone(),
            ttl,
            version: self.version.map(i64::from),
            version_tag: self.version_tag.clone(),
        })?)
    }

    /// Start the server. Never retried blindly: see [`Self::idempotency_tag`] for starts that
    /// must happen once.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let server = client.servers().start("duel-1", "us-east").send().await?;
    /// println!("{} is {}", server.instance_id, server.status);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Server> {
        let request = self.to_request()?;
        let servers = self.client.servers();
        let Some(tag) = &self.idempotency_tag else {
            return servers.start_request(request).await;
        };
        // A server started under this tag before (by us, or by a predecessor) is the answer.
        // (The searches are boxed: their futures are large and most starts never run one
        // after the start.)
        match Box::pin(find_tagged(&self.client, tag)).await {
            Search::Found(server) => return Ok(*server),
            Search::Absent => {}
            Search::Failed { error, .. } => return Err(error),
            Search::Unsettled { pages, reason } => {
                return Err(Error::OutcomeUnknown(Box::new(OutcomeUnknown::new(
                    tag, false, pages, reason, None,
                ))));
            }
        }
        match servers.start_request(request).await {
            Ok(server) => Ok(server),
            Err(e) if e.outcome_unknown() => match Box::pin(find_tagged(&self.client, tag)).await {
                Search::Found(server) => Ok(*server),
                Search::Absent => Err(e),
                Search::Failed { pages, error } => {
                    Err(Error::OutcomeUnknown(Box::new(OutcomeUnknown::new(
                        tag,
                        true,
                        pages,
                        format!("listing the servers failed: {error}"),
                        Some(e),
                    ))))
                }
                Search::Unsettled { pages, reason } => Err(Error::OutcomeUnknown(Box::new(
                    OutcomeUnknown::new(tag, true, pages, reason, Some(e)),
                ))),
            },
            Err(e) => Err(e),
        }
    }

    /// Start the server, then wait until it runs (polling every 1–10 s, for at most
    /// `max_wait`). A running server hands out its addresses with
    /// [`Server::endpoints`](crate::model::Server::endpoints).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// use playflow::servers::ServerOutcome;
    /// let outcome = client.servers().start("duel-1", "us-east")
    ///     .port("game", 7777, playflow::model::PortProtocol::Udp)
    ///     .send_and_wait(std::time::Duration::from_secs(90))
    ///     .await?;
    /// if let ServerOutcome::Running(server) = outcome {
    ///     let game = server.endpoints().get("game").cloned();
    ///     println!("connect to {:?}", game.map(|e| e.address()));
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn send_and_wait(self, max_wait: Duration) -> Result<ServerOutcome> {
        let client = self.client.clone();
        let server = self.send().await?;
        if server.status == crate::model::ServerStatus::Running {
            return Ok(ServerOutcome::Running(server));
        }
        client
            .servers()
            .wait_until_running(server.instance_id)
            .wait(max_wait)
            .await
    }
}

/// The port, or why the generated type refuses it.
fn port_config(
    name: String,
    internal_port: u16,
    protocol: PortProtocol,
    tls: bool,
) -> std::result::Result<PortConfig, String> {
    crate::built::built!(PortConfig {
        internal_port: NonZeroU64::new(u64::from(internal_port)),
        name: Some(name),
        protocol: Some(protocol),
        tls_enabled: Some(tls),
    })
    .map_err(|e| e.reason)
}

fn check_ttl(ttl: Duration) -> Result<i64> {
    let secs = ttl.as_secs();
    if ttl.subsec_nanos() != 0 || !TTL_SECS.contains(&secs) {
        return Err(InvalidInput::new(
            "ttl",
            format!(
                "must be whole seconds from {} to {}, got {ttl:?}",
                TTL_SECS.start(),
                TTL_SECS.end()
            ),
        )
        .into());
    }
    Ok(secs as i64)
}
