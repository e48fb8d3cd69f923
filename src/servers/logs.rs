//! A server's log lines: the [`LogSource`] of [`ServerLogLines`], and its one-page `send`.

use crate::Client;
use crate::call::send;
use crate::error::Result;
use crate::keys::ServerKey;
use crate::logs::stream::LogPage;
use crate::logs::{self, LogLines, LogSource, sealed};
use crate::model::ServerLogs;
use crate::raw::operations;
use crate::validate;

/// A server's log lines. Obtain with [`Servers::logs`](super::Servers::logs).
pub type ServerLogLines = LogLines<ServerLog>;

/// The log of one server, as read by [`ServerLogLines`].
#[derive(Debug, Clone)]
pub struct ServerLog {
    instance_id: String,
}

impl ServerLog {
    pub(super) fn lines(client: Client<ServerKey>, instance_id: String) -> ServerLogLines {
        LogLines::new(client, Self { instance_id }, None)
    }
}

impl LogSource for ServerLog {}

impl sealed::Fetch for ServerLog {
    async fn fetch(
        &self,
        client: &Client<ServerKey>,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> Result<LogPage> {
        let page = fetch_page(client, &self.instance_id, cursor.as_deref(), limit).await?;
        Ok(LogPage {
            entries: page.logs,
            next_token: page.next_token,
        })
    }
}

impl LogLines<ServerLog> {
    /// One page from the start time (default: the beginning of the log).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let page = client.servers().logs("9b2f6c1e").send().await?;
    /// println!("{} lines, next: {:?}", page.logs.len(), page.next_token);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<ServerLogs> {
        fetch_page(
            &self.client,
            &self.source.instance_id,
            self.start_time.as_deref(),
            self.limit,
        )
        .await
    }
}

/// `GET /api/v3/servers/{id}/logs`: one page from `start_time`.
async fn fetch_page(
    client: &Client<ServerKey>,
    instance_id: &str,
    start_time: Option<&str>,
    limit: Option<u32>,
) -> Result<ServerLogs> {
    validate::non_empty("instance_id", instance_id)?;
    let mut call = client.raw().get_server_logs().instance_id(instance_id);
    if let Some(start) = start_time {
        call = call.start_time(start);
    }
    if let Some(limit) = logs::checked_limit(limit)? {
        call = call.limit(limit);
    }
    send(operations::GET_SERVER_LOGS, call.send()).await
}
