//! A server's log lines as a stream, to the end or followed like `tail -f`.

use std::time::Duration;

use futures::Stream;

use crate::Client;
use crate::error::Result;
use crate::keys::ServerKey;
use crate::log_stream::{self, LogPage, Mode};
use crate::model::{LogEntry, ServerLogs};

/// A server's log lines. Obtain with [`Servers::logs`](super::Servers::logs).
#[derive(Debug, Clone)]
#[must_use]
pub struct ServerLogLines {
    client: Client<ServerKey>,
    instance_id: String,
    start_time: Option<String>,
    limit: Option<u32>,
    min_delay: Duration,
    max_delay: Duration,
}

impl ServerLogLines {
    pub(super) fn new(client: Client<ServerKey>, instance_id: String) -> Self {
        Self {
            client,
            instance_id,
            start_time: None,
            limit: None,
            min_delay: log_stream::DEFAULT_FOLLOW_DELAYS.0,
            max_delay: log_stream::DEFAULT_FOLLOW_DELAYS.1,
        }
    }

    /// Start after this point: an ISO 8601 time, a relative offset such as `-30m`, or a
    /// `next_token` of an earlier page. Default: the beginning.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let page = client.servers().logs("9b2f6c1e").start_time("-30m").send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub fn start_time(mut self, start: impl Into<String>) -> Self {
        self.start_time = Some(start.into());
        self
    }

    /// Lines per request, 1–1000 (server default 200).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let page = client.servers().logs("9b2f6c1e").limit(1000).send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// How [`Self::follow`] waits while no new lines come: exponential backoff with jitter
    /// from `min` (at least 10 ms) to `max` (default 1–15 s), back to `min` as soon as lines arrive.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// use std::time::Duration;
    /// let lines = client.servers().logs("9b2f6c1e")
    ///     .poll_delay(Duration::from_millis(500), Duration::from_secs(5))
    ///     .follow();
    /// # let _ = lines; Ok(()) }
    /// ```
    pub fn poll_delay(mut self, min: Duration, max: Duration) -> Self {
        self.min_delay = min;
        self.max_delay = max;
        self
    }

    /// One page from the start time.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let page = client.servers().logs("9b2f6c1e").send().await?;
    /// println!("{} lines, next: {:?}", page.logs.len(), page.next_token);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<ServerLogs> {
        self.client
            .servers()
            .logs_page(&self.instance_id, self.start_time.as_deref(), self.limit)
            .await
    }

    /// Every line from the start time to the current end of the log, following `next_token`
    /// page after page. The first error ends the stream.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// use futures::TryStreamExt as _;
    /// let lines: Vec<_> = client.servers().logs("9b2f6c1e").stream().try_collect().await?;
    /// println!("{} lines", lines.len());
    /// # Ok(()) }
    /// ```
    pub fn stream(self) -> impl Stream<Item = Result<LogEntry>> + Send + 'static {
        self.lines(Mode::Drain)
    }

    /// Every line from the start time on, then new lines as they are written (`tail -f`): at
    /// the end of the log the stream polls again, backing off while nothing new comes (see
    /// [`Self::poll_delay`]). Errors that may pass (timeouts, 429, 5xx) are waited out; others
    /// are yielded and end the stream. It never ends by itself: drop it to stop.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// use futures::TryStreamExt as _;
    /// let mut lines = std::pin::pin!(client.servers().logs("9b2f6c1e").start_time("-5m").follow());
    /// while let Some(line) = lines.try_next().await? {
    ///     println!("{} {}", line.timestamp.unwrap_or_default(), line.message.unwrap_or_default());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn follow(self) -> impl Stream<Item = Result<LogEntry>> + Send + 'static {
        let mode = Mode::follow(self.min_delay, self.max_delay);
        self.lines(mode)
    }

    fn lines(self, mode: Mode) -> impl Stream<Item = Result<LogEntry>> + Send + 'static {
        let Self {
            client,
            instance_id,
            start_time,
            limit,
            ..
        } = self;
        let fetch = move |cursor: Option<String>| {
            let client = client.clone();
            let instance_id = instance_id.clone();
            async move {
                let page = client
                    .servers()
                    .logs_page(&instance_id, cursor.as_deref(), limit)
                    .await?;
                Ok(LogPage {
                    entries: page.logs,
                    next_token: page.next_token,
                })
            }
        };
        log_stream::stream(fetch, start_time, mode)
    }
}
