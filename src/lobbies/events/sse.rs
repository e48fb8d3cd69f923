//! Bytes to Server-Sent Events: a stream that drives [`Parser`] and does a bounded amount of
//! work per poll.
//!
//! Hand-written, not `eventsource-stream` (0.2.3, the current release, unmaintained since
//! 2022), which this crate used before. Besides three faults its property tests found here (a
//! leading byte-order mark panicked; invalid UTF-8 held back every later event; a final lone
//! CR lost the last event), that parser cannot be bounded from outside:
//!
//! - it re-scans and copies its whole buffer on every chunk, so one line of n bytes costs
//!   O(n²) (16 MiB: 8.5 s of CPU);
//! - its buffer grows without limit (a line without an end, or `data:` lines without a blank
//!   line, are held until memory runs out);
//! - it parses everything a chunk holds in one poll and polls the next chunk at once, so a
//!   body that is always ready (a fast server, a flood of comments) never lets the task yield
//!   and a `tokio::time::timeout` around `next()` never fires.
//!
//! Here each byte is handled a constant number of times ([`super::parser`]), memory is
//! bounded by [`Limits`], and after [`YIELD_AFTER`] units of work without returning
//! `Pending` the stream wakes itself and returns `Pending`: the executor runs other tasks and
//! timers (on any executor; a tokio budget alone would not help `futures::executor`).

use std::pin::Pin;
use std::task::{Context, Poll};

use futures::Stream;

use super::parser::{Event, LimitExceeded, Limits, Parser};

/// Work (bytes parsed, plus [`CHUNK_COST`] per chunk) after which a poll yields.
const YIELD_AFTER: usize = 64 * 1024;

/// What taking one chunk counts, so that a flood of empty chunks yields too.
const CHUNK_COST: usize = 256;

/// Why an event stream stopped.
#[derive(Debug)]
pub(super) enum SseError<E> {
    /// The body failed.
    Source(E),
    /// A line or an event was too large; nothing follows.
    Limit(LimitExceeded),
}

/// Parse `bytes` into SSE events, within `limits`. The stream ends after the first error.
pub(super) fn events<S, B, E>(bytes: S, limits: Limits) -> Events<S, B>
where
    S: Stream<Item = Result<B, E>>,
    B: AsRef<[u8]>,
{
    Events {
        bytes: Box::pin(bytes),
        chunk: None,
        used: 0,
        parser: Parser::new(limits),
        work: 0,
        done: false,
    }
}

/// The stream of [`events`].
pub(super) struct Events<S, B> {
    bytes: Pin<Box<S>>,
    /// The chunk being parsed, and how much of it is parsed.
    chunk: Option<B>,
    used: usize,
    parser: Parser,
    /// Work done since the stream last returned `Pending`.
    work: usize,
    done: bool,
}

// No field is ever pinned (the byte stream is boxed; a chunk is only read through `as_ref`).
impl<S, B> Unpin for Events<S, B> {}

impl<S, B, E> Stream for Events<S, B>
where
    S: Stream<Item = Result<B, E>>,
    B: AsRef<[u8]>,
{
    type Item = Result<Event, SseError<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            if this.work >= YIELD_AFTER {
                this.work = 0;
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            let Some(chunk) = &this.chunk else {
                match this.bytes.as_mut().poll_next(cx) {
                    Poll::Pending => {
                        this.work = 0;
                        return Poll::Pending;
                    }
                    Poll::Ready(Some(Ok(chunk))) => {
                        this.work += CHUNK_COST;
                        this.chunk = Some(chunk);
                        this.used = 0;
                    }
                    Poll::Ready(Some(Err(e))) => {
                        this.done = true;
                        return Poll::Ready(Some(Err(SseError::Source(e))));
                    }
                    Poll::Ready(None) => {
                        this.done = true;
                        return Poll::Ready(None);
                    }
                }
                continue;
            };
            let rest = &chunk.as_ref()[this.used..];
            // At most what is left of this poll's budget (at least one byte: work < budget).
            let window = &rest[..rest.len().min(YIELD_AFTER - this.work)];
            let (used, event) = this.parser.feed(window);
            this.used += used;
            this.work += used;
            if used == rest.len() {
                this.chunk = None;
            }
            match event {
                None => {}
                Some(Ok(event)) => return Poll::Ready(Some(Ok(event))),
                Some(Err(limit)) => {
                    this.done = true;
                    this.chunk = None;
                    return Poll::Ready(Some(Err(SseError::Limit(limit))));
                }
            }
        }
    }
}
