//! Rate limits shared through Redis by every process that uses one API key (feature `redis`).
//!
//! [`RedisRateLimit`] is the public configuration; [`SharedLimiter`] (in `shared`) decides each
//! call, with its Redis side in `store` and its key names in `namespace`.

mod namespace;
mod shared;
mod store;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::error::InvalidInput;

pub(crate) use shared::SharedLimiter;

/// Default namespace of the limiter's Redis keys.
const DEFAULT_PREFIX: &str = "playflow:rl";

/// Rate limits shared by every replica of your backend that uses the same API key, kept in
/// Redis. Requires the crate feature **`redis`**.
///
/// PlayFlow's limits are per key: with the in-process limiter, N replicas of a matchmaker each
/// pace themselves to the whole budget and together send N times the limit. With a
/// `RedisRateLimit` set on the [`ClientBuilder`](crate::ClientBuilder::redis_rate_limit),
/// every client of one key, in any process, takes its turns from one budget per class of call
/// ([`RateLimitConfig`](crate::RateLimitConfig): the same limits and the same pacing at
/// `0.95 × (limit − 1)` per second):
///
/// - **Atomic and clock-safe.** Each decision is one Lua script (GCRA, burst of one) that reads
///   Redis's own clock (`TIME`), so replicas with skewed clocks still share one schedule. A call
///   reserves the next slot and sleeps until it comes; callers of one process queue in arrival
///   order, so each process holds at most one reservation per class.
/// - **Server holds are shared.** A `429` (with its `Retry-After`) or `X-RateLimit-Remaining: 0`
///   seen by one replica is written to Redis as the end of a hold, in Redis time; every replica
///   checks it before each call, and again after sleeping for its slot.
/// - **Keys never reach Redis.** The keys live under `{prefix}:{<hash>}:` where `<hash>` is
///   the first 128 bits of a SHA-256 of the API key, in hex; the prefix defaults to
///   `playflow:rl`. (The braces keep one key's entries in one Redis Cluster slot.)
/// - **Redis down or slow never fails a call.** Each limiter call to Redis gives up after a
///   short [`timeout`](Self::timeout) (default 100 ms). The client then paces itself locally at
///   [`fallback_share`](Self::fallback_share) of the limits (default 0.5; set it to 1 / the
///   number of replicas), logs one `WARN` event through [`tracing`](https://docs.rs/tracing),
///   tries Redis again every [`probe_interval`](Self::probe_interval) (default 1 s), and logs an
///   `INFO` event when it is back on the shared budget.
///
/// The connection (a reconnecting [`redis::aio::ConnectionManager`]) is opened on the first
/// call, on the tokio runtime that makes it. It has no effect together with
/// [`ClientBuilder::no_rate_limit`](crate::ClientBuilder::no_rate_limit).
///
/// ```
/// use std::time::Duration;
///
/// let shared = playflow::transport::RedisRateLimit::new("redis://127.0.0.1:6379/0")
///     .prefix("matchmaker:playflow")
///     .timeout(Duration::from_millis(50))
///     .fallback_share(0.25);
/// let key = playflow::ServerKey::new("pf_1234567890abcdef1234")?;
/// let client = playflow::Client::builder(key)
///     .rate_limit(playflow::RateLimitConfig::default())
///     .redis_rate_limit(shared)
///     .build()?;
/// # let _ = client;
/// # Ok::<(), playflow::Error>(())
/// ```
#[derive(Clone)]
pub struct RedisRateLimit {
    url: String,
    prefix: String,
    timeout: Duration,
    fallback_share: f64,
    probe_interval: Duration,
}

impl fmt::Debug for RedisRateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The URL may carry a password.
        f.debug_struct("RedisRateLimit")
            .field("url", &"<redacted>")
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .field("fallback_share", &self.fallback_share)
            .field("probe_interval", &self.probe_interval)
            .finish()
    }
}

impl RedisRateLimit {
    /// Share the limits through the Redis server at `url` (`redis://[user:password@]host[:port][/db]`,
    /// or `rediss://` when the `redis` crate has TLS enabled). The URL is checked by
    /// [`ClientBuilder::build`](crate::ClientBuilder::build); nothing connects before the
    /// first call.
    ///
    /// ```
    /// let shared = playflow::transport::RedisRateLimit::new("redis://127.0.0.1/");
    /// # let _ = shared;
    /// ```
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            prefix: DEFAULT_PREFIX.to_string(),
            timeout: Duration::from_millis(100),
            fallback_share: 0.5,
            probe_interval: Duration::from_secs(1),
        }
    }

    /// The namespace of the limiter's Redis keys (default `playflow:rl`). Clients share
    /// budgets when they use the same key, the same Redis database and the same prefix.
    ///
    /// ```
    /// let shared = playflow::transport::RedisRateLimit::new("redis://127.0.0.1/")
    ///     .prefix("staging:playflow");
    /// # let _ = shared;
    /// ```
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// How long one limiter call to Redis may take before the client paces itself locally
    /// (default 100 ms). At least 1 ms.
    ///
    /// ```
    /// let shared = playflow::transport::RedisRateLimit::new("redis://127.0.0.1/")
    ///     .timeout(std::time::Duration::from_millis(20));
    /// # let _ = shared;
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The share of each limit this client paces itself to while Redis is unreachable
    /// (default 0.5), in `(0, 1]`. With N replicas, `1 / N` keeps them within the limits.
    ///
    /// ```
    /// let shared = playflow::transport::RedisRateLimit::new("redis://127.0.0.1/")
    ///     .fallback_share(1.0 / 4.0);
    /// # let _ = shared;
    /// ```
    pub fn fallback_share(mut self, share: f64) -> Self {
        self.fallback_share = share;
        self
    }

    /// How often a client pacing itself locally tries Redis again (default 1 s). At least
    /// 1 ms.
    ///
    /// ```
    /// let shared = playflow::transport::RedisRateLimit::new("redis://127.0.0.1/")
    ///     .probe_interval(std::time::Duration::from_millis(250));
    /// # let _ = shared;
    /// ```
    pub fn probe_interval(mut self, interval: Duration) -> Self {
        self.probe_interval = interval;
        self
    }

    fn check(&self) -> Result<(), InvalidInput> {
        if !(self.fallback_share > 0.0 && self.fallback_share <= 1.0) {
            return Err(InvalidInput::new(
                "redis_rate_limit.fallback_share",
                "must be in (0, 1]",
            ));
        }
        if self.timeout < Duration::from_millis(1) {
            return Err(InvalidInput::new(
                "redis_rate_limit.timeout",
                "must be at least 1 ms",
            ));
        }
        if self.probe_interval < Duration::from_millis(1) {
            return Err(InvalidInput::new(
                "redis_rate_limit.probe_interval",
                "must be at least 1 ms",
            ));
        }
        Ok(())
    }
}

impl super::Transport {
    /// Share the rate limits of a facade client's transport through Redis (`None`: keep them
    /// in-process). Without a limiter there is nothing to share.
    pub(crate) fn share_rate_limit(
        mut self,
        key: &str,
        shared: Option<RedisRateLimit>,
    ) -> Result<Self, InvalidInput> {
        let (Some(shared), Some(limiter)) = (shared, self.limiter.as_mut()) else {
            return Ok(self);
        };
        shared.check()?;
        let limiter = Arc::get_mut(limiter).expect("a new transport's limiter is not shared yet");
        limiter.share(SharedLimiter::new(key, limiter.config(), &shared)?);
        Ok(self)
    }
}
