//! Servers: list, get, start and wait (any key); stop, restart, custom data, logs and metrics
//! (server key only).

mod endpoints;
mod fields;
mod list;
mod logs;
mod metrics;
mod recover;
mod start;
mod stop;
mod wait;

use crate::raw::operations;
use std::future::Future;

use crate::call::send;
use crate::error::Result;
use crate::keys::{ApiKey, ServerKey};
use crate::model::{RestartServerRequest, Server, ServerLogs, StartServerRequest};
use crate::{Client, Region, validate};

pub use crate::endpoint::Endpoint;
pub use endpoints::Endpoints;
pub use list::ListServers;
pub use logs::{ServerLog, ServerLogLines};
pub use metrics::{MetricsPeriod, MetricsStep, ServerMetricsRequest};
pub use recover::IDEMPOTENCY_KEY;
pub use start::StartServer;
pub use stop::{StopOutcome, StopServer};
pub use wait::{ServerOutcome, ServerRunning, ServerRunningWaiter};

impl<K: ApiKey> Client<K> {
    /// Server calls. Any key may list, get and start; the rest needs a server key.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let page = client.servers().list().limit(20).send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub fn servers(&self) -> Servers<K> {
        Servers {
            client: self.clone(),
        }
    }
}

/// Server calls of a [`Client`]. Obtain with [`Client::servers`].
///
/// The handle owns a clone of the client (an `Arc`), and so does every builder, waiter and
/// future it hands out: they are all `Send + 'static`, so they can be joined on temporaries or
/// moved into a task.
///
/// ```no_run
/// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
/// let (a, b) = tokio::join!(client.servers().get("9b2f6c1e"), client.servers().get("4a7d0e93"));
/// let waiter = tokio::spawn(client.servers().wait_until_running(a?.instance_id).wait(std::time::Duration::from_secs(60)));
/// # let _ = (b, waiter); Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Servers<K: ApiKey> {
    client: Client<K>,
}

impl<K: ApiKey> Servers<K> {
    /// A page of servers (`GET /api/v3/servers`), or all of them as a stream
    /// ([`ListServers::stream`]); running ones only unless asked otherwise.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let page = client.servers().list().include_launching(true).send().await?;
    /// for server in page.servers { println!("{} {}", server.instance_id, server.status); }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> ListServers<K> {
        ListServers {
            client: self.client.clone(),
            include_launching: None,
            include_pool: None,
            window: Default::default(),
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
    pub fn get(&self, instance_id: &str) -> impl Future<Output = Result<Server>> + Send + 'static {
        let client = self.client.clone();
        let instance_id = instance_id.to_owned();
        async move {
            validate::non_empty("instance_id", &instance_id)?;
            send(
                operations::GET_SERVER,
                client.raw().get_server().instance_id(&instance_id).send(),
            )
            .await
        }
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
    pub fn start_request(
        &self,
        request: StartServerRequest,
    ) -> impl Future<Output = Result<Server>> + Send + 'static {
        let client = self.client.clone();
        async move {
            send(
                operations::START_SERVER,
                client.raw().start_server().body(request).send(),
            )
            .await
        }
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
    pub fn start(&self, name: impl Into<String>, region: impl Into<Region>) -> StartServer<K> {
        StartServer::new(self.client.clone(), name.into(), region.into())
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
    pub fn wait_until_running(&self, instance_id: impl Into<String>) -> ServerRunningWaiter<K> {
        ServerRunning::waiter(self.client.clone(), instance_id.into())
    }
}

impl Servers<ServerKey> {
    /// Stop a server (`DELETE /api/v3/servers/{id}`): `.await` the [`StopServer`], after an
    /// optional [`reason`](StopServer::reason). A 404 is not an error here: the server is gone
    /// already, and the outcome says so. Server key only.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// use playflow::servers::StopOutcome;
    /// match client.servers().stop("9b2f6c1e").reason("match over").await? {
    ///     StopOutcome::Stopped(answer) => println!("{}", answer.status),
    ///     StopOutcome::AlreadyStopped => println!("already gone"),
    ///     _ => {}
    /// }
    /// # Ok(()) }
    /// ```
    pub fn stop(&self, instance_id: impl Into<String>) -> StopServer {
        StopServer::new(self.client.clone(), instance_id.into())
    }

    /// Restart a server on a fresh machine, keeping its id; `overrides` replace parts of its
    /// configuration (`RestartServerRequest::default()` restarts it unchanged). Server key only.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let server = client.servers().restart("9b2f6c1e", Default::default()).await?;
    /// # let _ = server; Ok(()) }
    /// ```
    pub fn restart(
        &self,
        instance_id: &str,
        overrides: RestartServerRequest,
    ) -> impl Future<Output = Result<Server>> + Send + 'static {
        let client = self.client.clone();
        let instance_id = instance_id.to_owned();
        async move {
            validate::non_empty("instance_id", &instance_id)?;
            send(
                operations::RESTART_SERVER,
                client
                    .raw()
                    .restart_server()
                    .instance_id(&instance_id)
                    .body(overrides)
                    .send(),
            )
            .await
        }
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
    pub fn update_custom_data(
        &self,
        instance_id: &str,
        data: impl serde::Serialize,
    ) -> impl Future<Output = Result<Server>> + Send + 'static {
        let client = self.client.clone();
        let instance_id = instance_id.to_owned();
        // Serialized now, so the future does not hold (or borrow) the caller's value.
        let data = crate::validate::json_object("custom_data", &data);
        async move {
            validate::non_empty("instance_id", &instance_id)?;
            let body = crate::built::built!(UpdateServerRequest { custom_data: data? })?;
            send(
                operations::UPDATE_SERVER_CUSTOM_DATA,
                client
                    .raw()
                    .update_server_custom_data()
                    .instance_id(&instance_id)
                    .body(body)
                    .send(),
            )
            .await
        }
    }

    /// One page of a server's logs, from `start_time` (a `next_token` of an earlier page, or an
    /// ISO 8601 time), at most `limit` lines (1–1000). Server key only.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// // Instead of `logs_page("9b2f6c1e", None, Some(100))`:
    /// let page = client.servers().logs("9b2f6c1e").limit(100).send().await?;
    /// for line in page.logs { println!("{}", line.message.unwrap_or_default()); }
    /// # Ok(()) }
    /// ```
    #[deprecated(note = "use the builder: `logs(id).start_time(..).limit(..).send()`")]
    pub fn logs_page(
        &self,
        instance_id: &str,
        start_time: Option<&str>,
        limit: Option<u32>,
    ) -> impl Future<Output = Result<ServerLogs>> + Send + 'static {
        let mut lines = self.logs(instance_id);
        if let Some(start) = start_time {
            lines = lines.start_time(start);
        }
        if let Some(limit) = limit {
            lines = lines.limit(limit);
        }
        lines.send()
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
        ServerLog::lines(self.client.clone(), instance_id.into())
    }

    /// A server's metrics: `.await` the [`ServerMetricsRequest`], after an optional
    /// [`period`](ServerMetricsRequest::period) and [`step`](ServerMetricsRequest::step) (the
    /// values the spec accepts, as [`MetricsPeriod`] and [`MetricsStep`]). Server key only.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// use playflow::servers::{MetricsPeriod, MetricsStep};
    /// let metrics = client.servers().metrics("9b2f6c1e").period(MetricsPeriod::Hour).step(MetricsStep::Minute).await?;
    /// # let _ = metrics; Ok(()) }
    /// ```
    pub fn metrics(&self, instance_id: impl Into<String>) -> ServerMetricsRequest {
        ServerMetricsRequest::new(self.client.clone(), instance_id.into())
    }
}
