//! Project settings and project-wide logs (server key only).

use crate::raw::operations;
use std::future::Future;

use crate::Client;
use crate::call::send;
use crate::error::Result;
use crate::keys::ServerKey;
use crate::model::{ProjectLogs, ProjectSettings, UpdateProjectSettingsRequest};

mod fields;
mod logs;

pub use logs::{ProjectLog, ProjectLogLines};

impl Client<ServerKey> {
    /// Project calls. Server key only.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let settings = client.project().settings().await?;
    /// # let _ = settings; Ok(()) }
    /// ```
    pub fn project(&self) -> Project {
        Project {
            client: self.clone(),
        }
    }
}

/// Project calls of a server-key [`Client`]. Obtain with [`Client::project`].
///
/// The handle owns a clone of the client, as do its futures and streams: all are
/// `Send + 'static`.
#[derive(Debug, Clone)]
pub struct Project {
    client: Client<ServerKey>,
}

impl Project {
    /// The project's settings: ports, environment, auth, pool and lobby configurations.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let settings = client.project().settings().await?;
    /// println!("{} lobby configs", settings.lobby_configs.len());
    /// # Ok(()) }
    /// ```
    pub fn settings(&self) -> impl Future<Output = Result<ProjectSettings>> + Send + 'static {
        let client = self.client.clone();
        async move {
            send(
                operations::GET_PROJECT_SETTINGS,
                client.raw().get_project_settings().send(),
            )
            .await
        }
    }

    /// Change the project's settings; fields left out are kept.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let mut changes = playflow::model::UpdateProjectSettingsRequest::default();
    /// changes.environment_variables.insert("MODE".into(), "ranked".into());
    /// client.project().update_settings(changes).await?;
    /// # Ok(()) }
    /// ```
    pub fn update_settings(
        &self,
        changes: UpdateProjectSettingsRequest,
    ) -> impl Future<Output = Result<ProjectSettings>> + Send + 'static {
        let client = self.client.clone();
        async move {
            send(
                operations::UPDATE_PROJECT_SETTINGS,
                client.raw().update_project_settings().body(changes).send(),
            )
            .await
        }
    }

    /// One page of the logs of all the project's servers between `start_time` and `end_time`
    /// (ISO 8601), at most `limit` lines (1–1000), with positional options.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// // Instead of `logs_page("2025-03-14T09:00:00Z", None, Some(100))`:
    /// let page = client.project().logs("2025-03-14T09:00:00Z").limit(100).send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    #[deprecated(note = "use the builder: `logs(start_time).end_time(..).limit(..).send()`")]
    pub fn logs_page(
        &self,
        start_time: &str,
        end_time: Option<&str>,
        limit: Option<u32>,
    ) -> impl Future<Output = Result<ProjectLogs>> + Send + 'static {
        let mut lines = self.logs(start_time);
        if let Some(end) = end_time {
            lines = lines.end_time(end);
        }
        if let Some(limit) = limit {
            lines = lines.limit(limit);
        }
        lines.send()
    }

    /// The log lines of all the project's servers from `start_time` (ISO 8601, or relative such
    /// as `-1h`), as a stream over every page ([`ProjectLogLines::stream`]) or followed like
    /// `tail -f` ([`ProjectLogLines::follow`]). Each line names its server in `server_name`.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// use futures::TryStreamExt as _;
    /// let mut lines = std::pin::pin!(client.project().logs("-10m").follow());
    /// while let Some(line) = lines.try_next().await? {
    ///     println!("{}: {}", line.server_name.unwrap_or_default(), line.message.unwrap_or_default());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn logs(&self, start_time: impl Into<String>) -> ProjectLogLines {
        ProjectLog::lines(self.client.clone(), start_time.into())
    }
}
