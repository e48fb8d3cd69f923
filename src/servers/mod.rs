//! Servers: list, get and start (any key); stop, restart, custom data, logs and metrics (server
//! key only).

use std::marker::PhantomData;

use crate::Client;
use crate::call::send;
use crate::error::Result;
use crate::keys::{ApiKey, ServerKey};
use crate::model::{
    RestartServerRequest, Server, ServerList, ServerLogs, ServerMetrics, StartServerRequest,
    StopServerResponse,
};
use crate::validate;

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
    /// A page of servers (`GET /api/v3/servers`); running ones only unless asked otherwise.
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
}

impl Servers<'_, ServerKey> {
    /// Stop a server (`DELETE /api/v3/servers/{id}`). Server key only.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.servers().stop("9b2f6c1e", Some("match over")).await?;
    /// # Ok(()) }
    /// ```
    pub async fn stop(
        &self,
        instance_id: &str,
        shutdown_reason: Option<&str>,
    ) -> Result<StopServerResponse> {
        validate::non_empty("instance_id", instance_id)?;
        let mut call = self.client.raw().stop_server().instance_id(instance_id);
        if let Some(reason) = shutdown_reason {
            call = call.shutdown_reason(reason);
        }
        send("stop_server", call.send()).await
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

    /// Replace a server's `custom_data` with `data`. Server key only.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let mut data = serde_json::Map::new();
    /// data.insert("phase".into(), "overtime".into());
    /// client.servers().update_custom_data("9b2f6c1e", data).await?;
    /// # Ok(()) }
    /// ```
    pub async fn update_custom_data(
        &self,
        instance_id: &str,
        data: serde_json::Map<String, serde_json::Value>,
    ) -> Result<Server> {
        validate::non_empty("instance_id", instance_id)?;
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

/// A server list request. Obtain with [`Servers::list`].
#[derive(Debug)]
#[must_use]
pub struct ListServers<'a, K: ApiKey> {
    client: &'a Client<K>,
    include_launching: Option<bool>,
    include_pool: Option<bool>,
    limit: Option<u32>,
    offset: Option<u64>,
}

impl<K: ApiKey> ListServers<'_, K> {
    /// Include servers still `launching` (default: no).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.servers().list().include_launching(true).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn include_launching(mut self, yes: bool) -> Self {
        self.include_launching = Some(yes);
        self
    }

    /// Include idle pool servers (default: no).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.servers().list().include_pool(true).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn include_pool(mut self, yes: bool) -> Self {
        self.include_pool = Some(yes);
        self
    }

    /// Page size, 1–100 (server default 50).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.servers().list().limit(100).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// How many servers to skip.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.servers().list().offset(50).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Fetch this page.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let page = client.servers().list().send().await?;
    /// println!("{} of {:?}", page.servers.len(), page.total);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<ServerList> {
        let mut call = self.client.raw().list_servers();
        if let Some(v) = self.include_launching {
            call = call.include_launching(v);
        }
        if let Some(v) = self.include_pool {
            call = call.include_pool(v);
        }
        if let Some(v) = self.limit {
            call = call.limit(validate::limit("limit", v, 100)?);
        }
        if let Some(v) = self.offset {
            call = call.offset(v);
        }
        send("list_servers", call.send()).await
    }
}
