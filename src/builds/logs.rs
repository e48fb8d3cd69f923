//! A build's processing logs: the [`BuildLogsRequest`] builder (an optional page size and
//! offset).

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use crate::Client;
use crate::call::send;
use crate::error::Result;
use crate::keys::ServerKey;
use crate::model::BuildLogs;
use crate::raw::operations;
use crate::validate;

/// The most entries one page of build logs may ask for.
const MAX_PAGE_ENTRIES: u64 = 500;

/// A page of a build's processing logs (`GET /api/v3/builds/{id}/logs`), to give a
/// [`limit`](Self::limit) and an [`offset`](Self::offset) and then `.await` (or
/// [`send`](Self::send)). Obtain with
/// [`Builds::processing_logs`](super::Builds::processing_logs).
///
/// ```no_run
/// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
/// let logs = client.builds().processing_logs("6f1d2c4b").limit(100).offset(200).await?;
/// # let _ = logs; Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a log request does nothing until it is awaited or sent"]
pub struct BuildLogsRequest {
    client: Client<ServerKey>,
    build_id: String,
    limit: Option<u32>,
    offset: Option<u64>,
}

impl BuildLogsRequest {
    pub(super) fn new(client: Client<ServerKey>, build_id: String) -> Self {
        Self {
            client,
            build_id,
            limit: None,
            offset: None,
        }
    }

    /// At most this many entries, 1–500 (default: PlayFlow's, 100); other values are refused
    /// before the request.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.builds().processing_logs("6f1d2c4b").limit(500).await?;
    /// # Ok(()) }
    /// ```
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Entries to skip before the page starts (default 0).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.builds().processing_logs("6f1d2c4b").offset(100).await?;
    /// # Ok(()) }
    /// ```
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Send the request.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let logs = client.builds().processing_logs("6f1d2c4b").send().await?;
    /// # let _ = logs; Ok(()) }
    /// ```
    pub fn send(self) -> impl Future<Output = Result<BuildLogs>> + Send + 'static {
        let Self {
            client,
            build_id,
            limit,
            offset,
        } = self;
        async move {
            validate::non_empty("build_id", &build_id)?;
            let mut call = client.raw().get_build_logs().build_id(&build_id);
            if let Some(limit) = limit {
                call = call.limit(validate::limit("limit", limit, MAX_PAGE_ENTRIES)?);
            }
            if let Some(offset) = offset {
                call = call.offset(offset);
            }
            send(operations::GET_BUILD_LOGS, call.send()).await
        }
    }
}

impl IntoFuture for BuildLogsRequest {
    type Output = Result<BuildLogs>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
