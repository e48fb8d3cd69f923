//! The engine of [`LogLines`](super::LogLines): log lines as a stream over `next_token`
//! pages, for server and project logs alike.
//!
//! Both log calls page the same way: pass a page's `next_token` as the next `start_time`; a
//! null token means the end was reached. In follow mode (`tail -f`) the end is not the end:
//! the stream keeps polling from the last position, backing off while no new lines come.

use std::future::Future;
use std::time::Duration;

use futures::Stream;
use futures::StreamExt as _;

use crate::error::Result;
use crate::model::LogEntry;
use crate::waiter::{Delays, retry_after};

/// One fetched page, whichever call produced it.
pub struct LogPage {
    pub(crate) entries: Vec<LogEntry>,
    pub(crate) next_token: Option<String>,
}

/// How a log stream ends.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Mode {
    /// At the end of the log (a null token, or an empty page).
    Drain,
    /// Never: poll for new lines, sleeping between `min` and `max` (exponential, jittered)
    /// while none come; retryable errors are waited out the same way.
    Follow { min: Duration, max: Duration },
}

/// Default wait bounds of a followed log while nothing new comes.
pub(crate) const DEFAULT_FOLLOW_DELAYS: (Duration, Duration) =
    (Duration::from_secs(1), Duration::from_secs(15));

impl Mode {
    /// Follow with waits between `min` and `max`, as configured by a caller: a zero delay would
    /// poll in a tight loop, so 10 ms is the floor, and `max` is at least `min`.
    pub(crate) fn follow(min: Duration, max: Duration) -> Self {
        let min = min.max(Duration::from_millis(10));
        Self::Follow {
            min,
            max: max.max(min),
        }
    }
}

struct State<F> {
    fetch: F,
    cursor: Option<String>,
    mode: Mode,
    idle: Option<Delays>,
    /// Whether the next fetch must wait first (the last one found nothing new, or failed).
    wait_first: bool,
    done: bool,
}

/// Every line from `start` on. `fetch(cursor)` fetches the page after `cursor`.
pub(crate) fn stream<F, Fut>(
    fetch: F,
    start: Option<String>,
    mode: Mode,
) -> impl Stream<Item = Result<LogEntry>> + Send + 'static
where
    F: FnMut(Option<String>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<LogPage>> + Send + 'static,
{
    let state = State {
        fetch,
        cursor: start,
        mode,
        idle: None,
        wait_first: false,
        done: false,
    };
    futures::stream::unfold(state, next_page).flat_map(futures::stream::iter)
}

/// Fetch until a page has lines (follow mode) or once (drain mode); `None` ends the stream.
async fn next_page<F, Fut>(mut state: State<F>) -> Option<(Vec<Result<LogEntry>>, State<F>)>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<LogPage>>,
{
    loop {
        if state.done {
            return None;
        }
        if let (true, Mode::Follow { min, max }) = (state.wait_first, state.mode) {
            let delays = state
                .idle
                .get_or_insert_with(|| Delays::new(min, max, true));
            tokio::time::sleep(delays.next().unwrap_or(max)).await;
        }
        match (state.fetch)(state.cursor.clone()).await {
            Ok(page) => {
                let at_end = page.next_token.is_none();
                let advanced = page
                    .next_token
                    .clone()
                    .or_else(|| page.entries.last().and_then(|e| e.timestamp.clone()));
                if advanced.is_some() {
                    state.cursor = advanced;
                }
                match state.mode {
                    Mode::Drain => {
                        state.done = at_end || page.entries.is_empty();
                        if page.entries.is_empty() {
                            return None;
                        }
                    }
                    Mode::Follow { .. } => {
                        // Lines and a token: more may be waiting, fetch again at once. At the
                        // end, or with nothing new, back off before asking again.
                        state.wait_first = at_end || page.entries.is_empty();
                        if page.entries.is_empty() {
                            continue;
                        }
                        state.idle = None;
                    }
                }
                return Some((page.entries.into_iter().map(Ok).collect(), state));
            }
            Err(e) if e.is_retryable() && matches!(state.mode, Mode::Follow { .. }) => {
                if let Some(asked) = retry_after(&e) {
                    tokio::time::sleep(asked).await;
                }
                state.wait_first = true;
            }
            Err(e) => {
                state.done = true;
                return Some((vec![Err(e)], state));
            }
        }
    }
}
