//! The log lines of all the project's servers: the [`LogSource`] of [`ProjectLogLines`], with
//! its window's end and one-page `send`.

use crate::Client;
use crate::call::send;
use crate::error::Result;
use crate::keys::ServerKey;
use crate::logs::stream::LogPage;
use crate::logs::{self, LogLines, LogSource, sealed};
use crate::model::ProjectLogs;
use crate::raw::operations;
use crate::validate;

/// The project's log lines. Obtain with [`Project::logs`](super::Project::logs).
pub type ProjectLogLines = LogLines<ProjectLog>;

/// The log of all the project's servers, as read by [`ProjectLogLines`].
#[derive(Debug, Clone)]
pub struct ProjectLog {
    end_time: Option<String>,
}

impl ProjectLog {
    pub(super) fn lines(client: Client<ServerKey>, start_time: String) -> ProjectLogLines {
        LogLines::new(client, Self { end_time: None }, Some(start_time))
    }
}

impl LogSource for ProjectLog {}

impl sealed::Fetch for ProjectLog {
    async fn fetch(
        &self,
        client: &Client<ServerKey>,
        cursor: Option<String>,
        limit: Option<u32>,
    ) -> Result<LogPage> {
        let start = cursor.unwrap_or_default();
        let page = fetch_page(client, &start, self.end_time.as_deref(), limit).await?;
        Ok(LogPage {
            entries: page.logs,
            next_token: page.next_token,
        })
    }

    fn follow(&mut self) {
        self.end_time = None;
    }
}

impl LogLines<ProjectLog> {
    /// End of the window (default: now). Only for [`Self::stream`] and [`Self::send`]: a
    /// followed log has no end.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// use futures::TryStreamExt as _;
    /// let lines: Vec<_> = client.project().logs("2025-03-14T09:00:00Z")
    ///     .end_time("2025-03-14T10:00:00Z").stream().try_collect().await?;
    /// # let _ = lines; Ok(()) }
    /// ```
    pub fn end_time(mut self, end: impl Into<String>) -> Self {
        self.source.end_time = Some(end.into());
        self
    }

    /// One page of the window.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let page = client.project().logs("-1h").limit(100).send().await?;
    /// println!("{} lines, next: {:?}", page.logs.len(), page.next_token);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<ProjectLogs> {
        let start = self.start_time.unwrap_or_default();
        fetch_page(
            &self.client,
            &start,
            self.source.end_time.as_deref(),
            self.limit,
        )
        .await
    }
}

/// `GET /api/v3/projects/logs`: one page of the window.
async fn fetch_page(
    client: &Client<ServerKey>,
    start_time: &str,
    end_time: Option<&str>,
    limit: Option<u32>,
) -> Result<ProjectLogs> {
    validate::non_empty("start_time", start_time)?;
    let mut call = client.raw().get_project_logs().start_time(start_time);
    if let Some(end) = end_time {
        call = call.end_time(end);
    }
    if let Some(limit) = logs::checked_limit(limit)? {
        call = call.limit(limit);
    }
    send(operations::GET_PROJECT_LOGS, call.send()).await
}
