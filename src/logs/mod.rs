//! Log lines, page by page or followed like `tail -f`: one builder, [`LogLines`], for server
//! logs ([`ServerLogLines`](crate::servers::ServerLogLines)) and project logs
//! ([`ProjectLogLines`](crate::project::ProjectLogLines)) alike.
//!
//! Both log calls page the same way (a page's `next_token` is the next `start_time`), so they
//! share the builder's settings, the stream and the follow loop; what differs, the call that
//! fetches a page, is the builder's [`LogSource`].

mod fields;
pub(crate) mod stream;

use std::fmt;
use std::future::Future;
use std::time::Duration;

use futures::Stream;

use crate::Client;
use crate::error::Result;
use crate::keys::ServerKey;
use crate::model::LogEntry;
use stream::{LogPage, Mode};

/// The most lines one page of either log call may ask for.
const MAX_PAGE_LINES: u64 = 1000;

/// A page size, checked against the log calls' 1–1000.
pub(crate) fn checked_limit(limit: Option<u32>) -> Result<Option<std::num::NonZeroU64>> {
    limit
        .map(|limit| crate::validate::limit("limit", limit, MAX_PAGE_LINES))
        .transpose()
}

/// Which log a [`LogLines`] reads: a server's, or the whole project's. Sealed.
pub trait LogSource: sealed::Fetch + Clone + fmt::Debug + Send + Sync + 'static {}

pub(crate) mod sealed {
    use super::*;

    /// The call behind a log source (crate-private: users cannot add sources).
    pub trait Fetch {
        /// The page after `cursor` (`None`: from the builder's start), at most `limit` lines.
        fn fetch(
            &self,
            client: &Client<ServerKey>,
            cursor: Option<String>,
            limit: Option<u32>,
        ) -> impl Future<Output = Result<LogPage>> + Send;

        /// A followed log has no end: drop any end of window.
        fn follow(&mut self) {}
    }
}

/// Log lines of a [`LogSource`]: obtain with
/// [`Servers::logs`](crate::servers::Servers::logs) or
/// [`Project::logs`](crate::project::Project::logs), configure, then read them
/// [to the end](Self::stream) or [followed](Self::follow).
#[derive(Debug, Clone)]
#[must_use]
pub struct LogLines<S: LogSource> {
    pub(crate) client: Client<ServerKey>,
    pub(crate) source: S,
    pub(crate) start_time: Option<String>,
    pub(crate) limit: Option<u32>,
    min_delay: Duration,
    max_delay: Duration,
}

impl<S: LogSource> LogLines<S> {
    pub(crate) fn new(client: Client<ServerKey>, source: S, start_time: Option<String>) -> Self {
        Self {
            client,
            source,
            start_time,
            limit: None,
            min_delay: stream::DEFAULT_FOLLOW_DELAYS.0,
            max_delay: stream::DEFAULT_FOLLOW_DELAYS.1,
        }
    }

    /// Start after this point: an ISO 8601 time, a relative offset such as `-30m`, or a
    /// `next_token` of an earlier page.
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

    /// Lines per request, 1–1000 (checked before sending).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let page = client.servers().logs("9b2f6c1e").limit(1000).send().await?;
    /// let lines = client.project().logs("-1h").limit(1000).stream();
    /// # let _ = (page, lines); Ok(()) }
    /// ```
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// How [`Self::follow`] waits while no new lines come: exponential backoff with jitter
    /// from `min` (at least 10 ms) to `max` (default 1–15 s), back to `min` as soon as lines
    /// arrive.
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

    /// Every line from the start time to the current end of the log (or of the window),
    /// following `next_token` page after page. The first error ends the stream.
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
    pub fn follow(mut self) -> impl Stream<Item = Result<LogEntry>> + Send + 'static {
        self.source.follow();
        let mode = Mode::follow(self.min_delay, self.max_delay);
        self.lines(mode)
    }

    fn lines(self, mode: Mode) -> impl Stream<Item = Result<LogEntry>> + Send + 'static {
        let Self {
            client,
            source,
            start_time,
            limit,
            ..
        } = self;
        let fetch = move |cursor: Option<String>| {
            let (client, source) = (client.clone(), source.clone());
            async move { source.fetch(&client, cursor, limit).await }
        };
        stream::stream(fetch, start_time, mode)
    }
}
