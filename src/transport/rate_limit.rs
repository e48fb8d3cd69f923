//! Client-side rate limiting to PlayFlow's published per-key limits (documented on
//! [`RateLimitConfig`]).

use std::fmt;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;

use governor::clock::Clock;
use governor::{DefaultDirectRateLimiter, Quota};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use tokio::time::Instant;
use tracing::Instrument;

use super::headers::{header_u32, retry_after};
use crate::error::InvalidInput;

/// The length of PlayFlow's rate-limit window: its limits are per second.
const WINDOW: Duration = Duration::from_secs(1);

/// The longest a class is held after a 429 or `Remaining: 0`, whatever `Retry-After` says: a
/// broken header must not freeze the client. A call made after the hold that is still over the
/// limit gets another 429 and another hold.
pub(super) const MAX_HOLD: Duration = Duration::from_secs(10);

/// Share of `limit − 1` the pacing uses: the margin absorbs network jitter.
const PACING_SHARE: f64 = 0.95;

/// Client-side rate limits: PlayFlow's published per-key limits, by class of call.
///
/// Reads are `GET` (and `HEAD`/`OPTIONS`) calls; writes are all others. Set the limits your
/// PlayFlow plan gives you; the client paces each class evenly a little below them. Disable
/// client-side limiting with [`ClientBuilder::no_rate_limit`](crate::ClientBuilder::no_rate_limit).
///
/// PlayFlow allows each API key 100 read calls and 10 write calls per second and answers 429
/// beyond that. A client that waits for 429s wastes calls and, for writes (which are never
/// retried automatically), hands the 429 to the caller. So the client paces itself, per class
/// of call:
///
/// - **Evenly spaced, below the limit.** Each class is paced by a [`governor`] GCRA limiter
///   with a burst of one, at `0.95 × (limit − 1)` calls per second (8.55/s for writes, 94/s for
///   reads). Whatever the server's window (fixed, sliding, token bucket), one second then holds
///   at most `limit − 1` of this client's calls, with a few tens of milliseconds to spare for
///   network jitter. So the client's own traffic never drives `X-RateLimit-Remaining` to 0.
/// - **Adapting to the server.** When a response nevertheless says `X-RateLimit-Remaining: 0`
///   (another process uses the same key), or is a 429, further calls of that class wait until
///   `Retry-After` has passed (at most 10 s), or one rate-limit window (1 s) when the server
///   names no time.
/// - **Fair.** Waiting callers of a class go in arrival order (a FIFO gate), so a burst of
///   concurrent calls is spread out rather than raced.
///
/// The state lives behind an `Arc` in the [`Transport`](crate::transport::Transport): every clone of a
/// [`Client`](crate::Client) (and of its `raw()` client) shares it.
///
/// ```
/// let limits = playflow::RateLimitConfig::default()
///     .reads_per_second(200)
///     .writes_per_second(20);
/// let key = playflow::ServerKey::new("pf_1234567890abcdef1234")?;
/// let client = playflow::Client::builder(key).rate_limit(limits).build()?;
/// # let _ = client;
/// # Ok::<(), playflow::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitConfig {
    reads_per_second: u32,
    writes_per_second: u32,
}

impl Default for RateLimitConfig {
    /// PlayFlow's published limits: 100 reads and 10 writes per second per key.
    fn default() -> Self {
        Self {
            reads_per_second: 100,
            writes_per_second: 10,
        }
    }
}

impl RateLimitConfig {
    /// PlayFlow's published limits (the default): 100 reads and 10 writes per second.
    ///
    /// ```
    /// assert_eq!(playflow::RateLimitConfig::new(), playflow::RateLimitConfig::default());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The server's limit for read calls (`GET`), per second. At least 1.
    ///
    /// ```
    /// let limits = playflow::RateLimitConfig::new().reads_per_second(50);
    /// assert_eq!(limits.get_reads_per_second(), 50);
    /// ```
    pub fn reads_per_second(mut self, limit: u32) -> Self {
        self.reads_per_second = limit;
        self
    }

    /// The server's limit for write calls (everything but `GET`), per second. At least 1.
    ///
    /// ```
    /// let limits = playflow::RateLimitConfig::new().writes_per_second(5);
    /// assert_eq!(limits.get_writes_per_second(), 5);
    /// ```
    pub fn writes_per_second(mut self, limit: u32) -> Self {
        self.writes_per_second = limit;
        self
    }

    /// The configured read limit per second.
    ///
    /// ```
    /// assert_eq!(playflow::RateLimitConfig::new().get_reads_per_second(), 100);
    /// ```
    pub fn get_reads_per_second(&self) -> u32 {
        self.reads_per_second
    }

    /// The former name of [`Self::get_reads_per_second`].
    #[deprecated(note = "renamed `get_reads_per_second`, the getter of `reads_per_second`")]
    pub fn reads(&self) -> u32 {
        self.reads_per_second
    }

    /// The configured write limit per second.
    ///
    /// ```
    /// assert_eq!(playflow::RateLimitConfig::new().get_writes_per_second(), 10);
    /// ```
    pub fn get_writes_per_second(&self) -> u32 {
        self.writes_per_second
    }

    /// The former name of [`Self::get_writes_per_second`].
    #[deprecated(note = "renamed `get_writes_per_second`, the getter of `writes_per_second`")]
    pub fn writes(&self) -> u32 {
        self.writes_per_second
    }

    /// The interval between two calls of a class whose server limit is `limit` per second.
    pub(super) fn pacing_interval(limit: NonZeroU32) -> Duration {
        let budget = (f64::from(limit.get()) - 1.0).max(1.0) * PACING_SHARE;
        Duration::from_secs_f64(WINDOW.as_secs_f64() / budget)
    }

    pub(super) fn check(&self) -> Result<(NonZeroU32, NonZeroU32), InvalidInput> {
        let nonzero = |n: u32, field: &str| {
            NonZeroU32::new(n).ok_or_else(|| {
                InvalidInput::new(
                    field,
                    "must be at least 1 per second (use no_rate_limit() to disable limiting)",
                )
            })
        };
        Ok((
            nonzero(self.reads_per_second, "rate_limit.reads_per_second")?,
            nonzero(self.writes_per_second, "rate_limit.writes_per_second")?,
        ))
    }
}

/// Which budget a call spends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    Read,
    Write,
}

impl Class {
    pub(crate) fn of(method: &Method) -> Self {
        if *method == Method::GET || *method == Method::HEAD || *method == Method::OPTIONS {
            Self::Read
        } else {
            Self::Write
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
        }
    }
}

/// The shared limiter of one client: one lane per class.
pub(crate) struct RateLimiter {
    config: RateLimitConfig,
    read: Lane,
    write: Lane,
    /// Budgets shared with other processes through Redis (feature `redis`).
    #[cfg(feature = "redis")]
    shared: Option<super::redis_limit::SharedLimiter>,
}

impl fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimiter")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl RateLimiter {
    pub(crate) fn new(config: RateLimitConfig) -> Result<Self, InvalidInput> {
        let (reads, writes) = config.check()?;
        Ok(Self {
            config,
            read: Lane::new(reads),
            write: Lane::new(writes),
            #[cfg(feature = "redis")]
            shared: None,
        })
    }

    /// Keep the budgets in Redis, shared with every process using the same key.
    #[cfg(feature = "redis")]
    pub(crate) fn share(&mut self, shared: super::redis_limit::SharedLimiter) {
        self.shared = Some(shared);
    }

    #[cfg(feature = "redis")]
    pub(super) fn config(&self) -> RateLimitConfig {
        self.config
    }

    fn lane(&self, class: Class) -> &Lane {
        match class {
            Class::Read => &self.read,
            Class::Write => &self.write,
        }
    }

    /// Wait until a call of `class` may be sent (in a `playflow.rate_limit` span).
    pub(crate) async fn acquire(&self, class: Class) {
        let span = tracing::debug_span!("playflow.rate_limit", class = class.name());
        async {
            #[cfg(feature = "redis")]
            if let Some(shared) = &self.shared {
                return shared.acquire(class, self.lane(class)).await;
            }
            self.lane(class).acquire().await;
        }
        .instrument(span)
        .await
    }

    /// Learn from a response: a 429 or `X-RateLimit-Remaining: 0` holds the class (on every
    /// replica, with a shared store).
    pub(crate) async fn observe(&self, class: Class, status: StatusCode, headers: &HeaderMap) {
        let exhausted = header_u32(headers, "x-ratelimit-remaining") == Some(0);
        if status != StatusCode::TOO_MANY_REQUESTS && !exhausted {
            return;
        }
        let wait = retry_after(headers).unwrap_or(WINDOW).min(MAX_HOLD);
        tracing::debug!(
            class = class.name(),
            status = status.as_u16(),
            hold_ms = wait.as_millis() as u64,
            "rate-limit budget exhausted; holding this class of calls"
        );
        self.lane(class).hold(Instant::now() + wait);
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.shared {
            shared.hold(class, wait).await;
        }
    }
}

/// One class's pacing, hold and queue.
pub(super) struct Lane {
    pacer: DefaultDirectRateLimiter,
    /// Callers take turns in arrival order (tokio's mutex is fair).
    gate: tokio::sync::Mutex<()>,
    /// No call of this class before this instant (set from the server's answers).
    hold_until: Mutex<Option<Instant>>,
}

impl Lane {
    fn new(limit: NonZeroU32) -> Self {
        Self::with_interval(RateLimitConfig::pacing_interval(limit))
    }

    /// A lane letting one call through every `interval`.
    pub(super) fn with_interval(interval: Duration) -> Self {
        let quota = Quota::with_period(interval)
            .expect("the pacing interval is positive")
            .allow_burst(NonZeroU32::MIN);
        Self {
            pacer: DefaultDirectRateLimiter::direct(quota),
            gate: tokio::sync::Mutex::new(()),
            hold_until: Mutex::new(None),
        }
    }

    async fn acquire(&self) {
        let _turn = self.turn().await;
        self.wait_for_hold().await;
        self.pace().await;
    }

    /// This caller's turn: callers of the class go one at a time, in arrival order.
    pub(super) async fn turn(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.gate.lock().await
    }

    /// Wait for this lane's pacer (the caller holds its turn).
    pub(super) async fn pace(&self) {
        while let Err(not_until) = self.pacer.check() {
            let wait = not_until.wait_time_from(self.pacer.clock().now());
            tokio::time::sleep(wait).await;
        }
    }

    /// Spend the pacer's next slot now, so that the next call waits a whole interval.
    #[cfg(feature = "redis")]
    pub(super) fn spend(&self) {
        let _ = self.pacer.check();
    }

    pub(super) async fn wait_for_hold(&self) {
        loop {
            let until = *self.hold_until.lock().unwrap_or_else(|p| p.into_inner());
            match until {
                Some(until) if until > Instant::now() => tokio::time::sleep_until(until).await,
                _ => return,
            }
        }
    }

    fn hold(&self, until: Instant) {
        let mut slot = self.hold_until.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_none_or(|current| current < until) {
            *slot = Some(until);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pacing_leaves_one_call_of_each_window_spare() {
        let writes = RateLimitConfig::pacing_interval(NonZeroU32::new(10).unwrap());
        let reads = RateLimitConfig::pacing_interval(NonZeroU32::new(100).unwrap());
        // `limit` evenly spaced calls must span more than one window.
        assert!(writes * 9 > WINDOW, "{writes:?}");
        assert!(reads * 99 > WINDOW, "{reads:?}");
        // ... but not by much: the pacing must not waste the budget.
        assert!(writes < Duration::from_millis(120), "{writes:?}");
        assert!(reads < Duration::from_millis(11), "{reads:?}");
    }

    #[test]
    fn zero_limits_are_refused() {
        let err = RateLimiter::new(RateLimitConfig::new().writes_per_second(0)).unwrap_err();
        assert_eq!(err.field, "rate_limit.writes_per_second");
    }

    #[test]
    fn classes_follow_the_method() {
        assert_eq!(Class::of(&Method::GET), Class::Read);
        assert_eq!(Class::of(&Method::POST), Class::Write);
        assert_eq!(Class::of(&Method::DELETE), Class::Write);
        assert_eq!(Class::of(&Method::PATCH), Class::Write);
    }
}
