//! The log lines of all the project's servers, as a stream over `next_token` pages or followed.

use std::time::Duration;

use futures::Stream;

use crate::Client;
use crate::error::Result;
use crate::keys::ServerKey;
use crate::log_stream::{self, LogPage, Mode};
use crate::model::LogEntry;

/// The project's log lines. Obtain with [`Project::logs`](crate::project::Project::logs).
#[derive(Debug, Clone)]
#[must_use]
pub struct ProjectLogLines {
    client: Client<ServerKey>,
    start_time: String,
    end_time: Option<String>,
    limit: Option<u32>,
    min_delay: Duration,
    max_delay: Duration,
}

impl ProjectLogLines {
    pub(crate) fn new(client: Client<ServerKey>, start_time: String) -> Self {
        Self {
            client,
            start_time,
            end_time: None,
            limit: None,
            min_delay: log_stream::DEFAULT_FOLLOW_DELAYS.0,
            max_delay: log_stream::DEFAULT_FOLLOW_DELAYS.1,
        }
    }

    /// End of the window (default: now). Only for [`Self::stream`]: a followed log has no end.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// use futures::TryStreamExt as _;
    /// let lines: Vec<_> = client.project().logs("2025-03-14T09:00:00Z")
    ///     .end_time("2025-03-14T10:00:00Z").stream().try_collect().await?;
    /// # let _ = lines; Ok(()) }
    /// ```
    pub fn end_time(mut self, end: impl Into<String>) -> Self {
        self.end_time = Some(end.into());
        self
    }

    /// Lines per request, 1–1000 (server default 500).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let lines = client.project().logs("-1h").limit(1000).stream();
    /// # let _ = lines; Ok(()) }
    /// ```
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// How [`Self::follow`] waits while no new lines come: exponential backoff with jitter from
    /// `min` (at least 10 ms) to `max` (default 1–15 s).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// use std::time::Duration;
    /// let lines = client.project().logs("-5m")
    ///     .poll_delay(Duration::from_secs(2), Duration::from_secs(30)).follow();
    /// # let _ = lines; Ok(()) }
    /// ```
    pub fn poll_delay(mut self, min: Duration, max: Duration) -> Self {
        self.min_delay = min;
        self.max_delay = max;
        self
    }

    /// Every line of the window, following `next_token` page after page. The first error ends
    /// the stream.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// use futures::TryStreamExt as _;
    /// let lines: Vec<_> = client.project().logs("-1h").stream().try_collect().await?;
    /// println!("{} lines", lines.len());
    /// # Ok(()) }
    /// ```
    pub fn stream(self) -> impl Stream<Item = Result<LogEntry>> + Send + 'static {
        self.lines(Mode::Drain)
    }

    /// Every line from the start time on, then new ones as they are written (`tail -f`);
    /// retryable errors are waited out. It never ends by itself: drop it to stop.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// use futures::TryStreamExt as _;
    /// let mut lines = std::pin::pin!(client.project().logs("-1m").follow());
    /// while let Some(line) = lines.try_next().await? {
    ///     println!("{}", line.message.unwrap_or_default());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn follow(mut self) -> impl Stream<Item = Result<LogEntry>> + Send + 'static {
        self.end_time = None;
        let mode = Mode::follow(self.min_delay, self.max_delay);
        self.lines(mode)
    }

    fn lines(self, mode: Mode) -> impl Stream<Item = Result<LogEntry>> + Send + 'static {
        let Self {
            client,
            start_time,
            end_time,
            limit,
            ..
        } = self;
        let fetch = move |cursor: Option<String>| {
            let client = client.clone();
            let end_time = end_time.clone();
            async move {
                let start = cursor.unwrap_or_default();
                let page = client
                    .project()
                    .logs_page(&start, end_time.as_deref(), limit)
                    .await?;
                Ok(LogPage {
                    entries: page.logs,
                    next_token: page.next_token,
                })
            }
        };
        log_stream::stream(fetch, Some(start_time), mode)
    }
}
