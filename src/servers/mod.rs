//! Servers: list, get, start and wait (any key); stop, restart, custom data, logs and metrics
//! (server key only).

mod endpoints;
mod list;
mod logs;
mod recover;
mod start;
mod wait;

use std::marker::PhantomData;

use crate::call::send;
use crate::error::{Error, Result};
use crate::keys::{ApiKey, ServerKey};
use crate::model::{
    RestartServerRequest, Server, ServerLogs, ServerMetrics, StartServerRequest, StopServerResponse,
};
use crate::{Client, Region, validate};

pub use endpoints::{Endpoint, Endpoints};
pub use list::ListServers;
pub use logs::ServerLogLines;
pub use recover::IDEMPOTENCY_KEY;
pub use start::StartServer;
pub use wait::{ServerOutcome, ServerRunning, ServerRunningWaiter};

impl<K: ApiKey> Client<K> {
    /// Server calls. Any key may list, get and start; the rest needs a server key.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let page = client.servers().list().limit(20).send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub fn servers(&self) -> Servers<'_, K> {
        Servers {
            client: self,
            _key: PhantomData,
        }
    }
}

/// Server calls of a [`Client`]. Obtain with [`Client::servers`].
#[derive(Debug)]
pub struct Servers<'a, K: ApiKey> {
    client: &'a Client<K>,
    _key: PhantomData<K>,
}

impl<'a, K: ApiKey> Servers<'a, K> {
    /// A page of servers (`GET /api/v3/servers`), or all of them as a stream
    /// ([`ListServers::stream`]); running ones only unless asked otherwise.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let page = client.servers().list().include_launching(true).send().await?;
    /// for server in page.servers { println!("{} {}", server.instance_id, server.status); }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> ListServers<'a, K> {
        ListServers {
            client: self.client,
            include_launching: None,
            include_pool: None,
            limit: None,
            offset: None,
        }
    }

    /// One server by instance id.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let server = client.servers().get("9b2f6c1e").await?;
    /// println!("{}", server.status);
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, instance_id: &str) -> Result<Server> {
        validate::non_empty("instance_id", instance_id)?;
        send(
            "get_server",
            self.client
                .raw()
                .get_server()
                .instance_id(instance_id)
                .send(),
        )
        .await
    }

    /// Start a server from a prepared request (`POST /api/v3/servers/start`). Never retried
    /// automatically: a retry could start a second server.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let request = playflow::model::StartServerRequest::builder()
    ///     .name("ranked-eu-7")
    ///     .region("eu-west")
    ///     .try_into()?;
    /// let server = client.servers().start_request(request).await?;
    /// # let _ = server; Ok(()) }
    /// ```
    pub async fn start_request(&self, request: StartServerRequest) -> Result<Server> {
        send(
            "start_server",
            self.client.raw().start_server().body(request).send(),
        )
        .await
    }

    /// A server start, to configure then [`send`](StartServer::send) (or
    /// [`send_and_wait`](StartServer::send_and_wait)). Inputs are checked before any request.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// use std::time::Duration;
    /// use playflow::{Region, model::{ComputeSize, PortProtocol}};
    /// let server = client
    ///     .servers()
    ///     .start("ranked-eu-7", Region::EU_WEST)
    ///     .compute_size(ComputeSize::Medium)
    ///     .ttl(Duration::from_secs(3600))
    ///     .port("game", 7777, PortProtocol::Udp)
    ///     .env("LOG_LEVEL", "info")
    ///     .idempotent()
    ///     .send()
    ///     .await?;
    /// println!("{} is {}", server.instance_id, server.status);
    /// # Ok(()) }
    /// ```
    pub fn start(&self, name: impl Into<String>, region: impl Into<Region>) -> StartServer<'a, K> {
        StartServer::new(self.client, name.into(), region.into())
    }

    /// Wait until a server is `running` (done), or `stopped` (failed: it stopped before it ever
    /// ran). Polls every 1–10 s by default; configure, then call
    /// [`wait`](crate::waiter::Waiter::wait).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// use playflow::servers::ServerOutcome;
    /// match client.servers().wait_until_running("9b2f6c1e").wait(std::time::Duration::from_secs(90)).await? {
    ///     ServerOutcome::Running(server) => println!("{:?}", server.endpoints().addresses()),
    ///     ServerOutcome::Stopped(server) => eprintln!("{} stopped while starting", server.name),
    ///     other => eprintln!("not running yet: {:?}", other.status()),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn wait_until_running(&self, instance_id: impl Into<String>) -> ServerRunningWaiter<'a, K> {
        ServerRunning::waiter(self.client, instance_id.into())
    }
}

/// What a stop did.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum StopOutcome {
    /// The stop was accepted; the server reports `stopped` from now on.
    Stopped(StopServerResponse),
    /// PlayFlow answered 404: no such server any more. It was stopped (and cleaned up) before,
    /// or the id never existed; either way nothing is running under it.
    AlreadyStopped,
}

impl Servers<'_, ServerKey> {
    /// Stop a server (`DELETE /api/v3/servers/{id}`). A 404 is not an error here: the server
    /// is gone already, and the outcome says so. Server key only.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// use playflow::servers::StopOutcome;
    /// match client.servers().stop("9b2f6c1e", Some("match over")).await? {
    ///     StopOutcome::Stopped(answer) => println!("{}", answer.status),
    ///     StopOutcome::AlreadyStopped => println!("already gone"),
    ///     _ => {}
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn stop(
        &self,
        instance_id: &str,
        shutdown_reason: Option<&str>,
    ) -> Result<StopOutcome> {
        validate::non_empty("instance_id", instance_id)?;
        let mut call = self.client.raw().stop_server().instance_id(instance_id);
        if let Some(reason) = shutdown_reason {
            call = call.shutdown_reason(reason);
        }
        match send("stop_server", call.send()).await {
            Ok(answer) => Ok(StopOutcome::Stopped(answer)),
            Err(Error::NotFound(_)) => Ok(StopOutcome::AlreadyStopped),
            Err(e) => Err(e),
        }
    }

    /// Restart a server on a fresh machine, keeping its id; `overrides` replace parts of its
    /// configuration (`RestartServerRequest::default()` restarts it unchanged). Server key only.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let server = client.servers().restart("9b2f6c1e", Default::default()).await?;
    /// # let _ = server; Ok(()) }
    /// ```
    pub async fn restart(
        &self,
        instance_id: &str,
        overrides: RestartServerRequest,
    ) -> Result<Server> {
        validate::non_empty("instance_id", instance_id)?;
        send(
            "restart_server",
            self.client
                .raw()
                .restart_server()
                .instance_id(instance_id)
                .body(overrides)
                .send(),
        )
        .await
    }

    /// Replace a server's `custom_data` with `data`: anything that serializes to a JSON object
    /// (a struct, a map, `serde_json::json!({...})`); anything else is refused before the
    /// request. Server key only.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// #[derive(serde::Serialize)]
    /// struct Match { phase: &'static str, round: u32 }
    /// client.servers()
    ///     .update_custom_data("9b2f6c1e", Match { phase: "overtime", round: 3 })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn update_custom_data(
        &self,
        instance_id: &str,
        data: impl serde::Serialize,
    ) -> Result<Server> {
        validate::non_empty("instance_id", instance_id)?;
        let data = crate::validate::json_object("custom_data", &data)?;
        let body = crate::raw::types::UpdateServerRequest { custom_data: data };
        send(
            "update_server_custom_data",
            self.client
                .raw()
                .update_server_custom_data()
                .instance_id(instance_id)
                .body(body)
                .send(),
        )
        .await
    }

    /// One page of a server's logs, from `start_time` (a `next_token` of an earlier page, or an
    /// ISO 8601 time), at most `limit` lines (1–1000). Server key only.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let page = client.servers().logs_page("9b2f6c1e", None, Some(100)).await?;
    /// for line in page.logs { println!("{}", line.message.unwrap_or_default()); }
    /// # Ok(()) }
    /// ```
    pub async fn logs_page(
        &self,
        instance_id: &str,
        start_time: Option<&str>,
        limit: Option<u32>,
    ) -> Result<ServerLogs> {
        validate::non_empty("instance_id", instance_id)?;
        let mut call = self.client.raw().get_server_logs().instance_id(instance_id);
        if let Some(start) = start_time {
            call = call.start_time(start);
        }
        if let Some(limit) = limit {
            call = call.limit(validate::limit("limit", limit, 1000)?);
        }
        send("get_server_logs", call.send()).await
    }

    /// A server's log lines, page by page as a stream ([`ServerLogLines::stream`]) or followed
    /// like `tail -f` ([`ServerLogLines::follow`]). Server key only.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// use futures::TryStreamExt as _;
    /// let mut lines = std::pin::pin!(client.servers().logs("9b2f6c1e").follow());
    /// while let Some(line) = lines.try_next().await? {
    ///     println!("{}", line.message.unwrap_or_default());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn logs(&self, instance_id: impl Into<String>) -> ServerLogLines {
        ServerLogLines::new(self.client.clone(), instance_id.into())
    }

    /// A server's metrics over `period` (e.g. `1h`) in steps of `step` (e.g. `60s`); `None`
    /// leaves the server's defaults. Server key only.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let metrics = client.servers().metrics("9b2f6c1e", Some("1h"), None).await?;
    /// # let _ = metrics; Ok(()) }
    /// ```
    pub async fn metrics(
        &self,
        instance_id: &str,
        period: Option<&str>,
        step: Option<&str>,
    ) -> Result<ServerMetrics> {
        validate::non_empty("instance_id", instance_id)?;
        let mut call = self
            .client
            .raw()
            .get_server_metrics()
            .instance_id(instance_id);
        if let Some(period) = period {
            call = call.period(period);
        }
        if let Some(step) = step {
            call = call.step(step);
        }
        send("get_server_metrics", call.send()).await
    }
}
