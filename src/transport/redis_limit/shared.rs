//! Each call's decision with a shared store: a slot from Redis, or local pacing while Redis is
//! unreachable.

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use super::RedisRateLimit;
use super::store::{Slot, Store, Unavailable};
use crate::error::InvalidInput;
use crate::transport::rate_limit::{Class, Lane, RateLimitConfig};

/// The shared half of a client's [`RateLimiter`](crate::transport::RateLimiter): the budgets
/// in Redis, and the local pacing that replaces them while Redis is away.
pub(crate) struct SharedLimiter {
    store: Store,
    read: Plan,
    write: Plan,
    fallback_share: f64,
    probe_interval: Duration,
    health: Mutex<Health>,
}

/// One class's pacing: the shared interval, and the local lane used while Redis is away.
struct Plan {
    interval: Duration,
    fallback: Lane,
}

/// Whether decisions go to Redis.
#[derive(Debug, Clone, Copy)]
enum Health {
    Shared,
    /// Redis failed; pace locally, and try it again at `next_probe`.
    Local {
        next_probe: Instant,
    },
}

impl fmt::Debug for SharedLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedLimiter")
            .field("store", &self.store)
            .field("fallback_share", &self.fallback_share)
            .field("health", &self.health)
            .finish_non_exhaustive()
    }
}

impl SharedLimiter {
    pub(crate) fn new(
        api_key: &str,
        limits: RateLimitConfig,
        config: &RedisRateLimit,
    ) -> Result<Self, InvalidInput> {
        let (reads, writes) = limits.check()?;
        let store = Store::new(&config.url, &config.prefix, api_key, config.timeout)?;
        let plan = |limit| {
            let interval = RateLimitConfig::pacing_interval(limit);
            Plan {
                interval,
                fallback: Lane::with_interval(interval.div_f64(config.fallback_share)),
            }
        };
        Ok(Self {
            store,
            read: plan(reads),
            write: plan(writes),
            fallback_share: config.fallback_share,
            probe_interval: config.probe_interval,
            health: Mutex::new(Health::Shared),
        })
    }

    fn plan(&self, class: Class) -> &Plan {
        match class {
            Class::Read => &self.read,
            Class::Write => &self.write,
        }
    }

    /// Wait until a call of `class` may be sent. `lane` is the in-process lane of the class:
    /// its queue orders this process's callers (so it holds one reservation at a time) and
    /// its hold covers the holds this process saw while Redis was away.
    pub(in crate::transport) async fn acquire(&self, class: Class, lane: &Lane) {
        let _turn = lane.turn().await;
        lane.wait_for_hold().await;
        let plan = self.plan(class);
        while self.may_use_store() {
            match self.store.reserve(class, plan.interval).await {
                Ok(Slot::Reserved(wait)) => {
                    self.store_answered();
                    if wait.is_zero() {
                        return;
                    }
                    tokio::time::sleep(wait).await;
                    // Another replica may have seen a 429 while this caller slept.
                    match self.store.hold_left(class).await {
                        Ok(left) if left.is_zero() => return,
                        Ok(left) => tokio::time::sleep(left).await,
                        // The slot was this caller's: go, and pace locally from the next call.
                        Err(e) => return self.store_failed(e),
                    }
                }
                Ok(Slot::Held(left)) => {
                    self.store_answered();
                    tokio::time::sleep(left).await;
                }
                Err(e) => self.store_failed(e),
            }
        }
        plan.fallback.pace().await;
    }

    /// Tell every replica to hold `class` for `wait`.
    pub(in crate::transport) async fn hold(&self, class: Class, wait: Duration) {
        match self.store.hold(class, wait).await {
            Ok(()) => self.store_answered(),
            Err(e) => self.store_failed(e),
        }
    }

    fn health(&self) -> std::sync::MutexGuard<'_, Health> {
        self.health.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether to ask Redis: always while it answers, then once per probe interval.
    fn may_use_store(&self) -> bool {
        match *self.health() {
            Health::Shared => true,
            Health::Local { next_probe } => Instant::now() >= next_probe,
        }
    }

    fn store_answered(&self) {
        let mut health = self.health();
        if let Health::Local { .. } = *health {
            *health = Health::Shared;
            tracing::info!("Redis answers again: PlayFlow rate limits are shared again");
        }
    }

    fn store_failed(&self, error: Unavailable) {
        let mut health = self.health();
        let next_probe = Instant::now() + self.probe_interval;
        match *health {
            Health::Shared => {
                tracing::warn!(
                    error = %error,
                    fallback_share = self.fallback_share,
                    retry_in_ms = self.probe_interval.as_millis() as u64,
                    "Redis unavailable: pacing PlayFlow calls locally at a share of the rate limits"
                );
                // Calls made through Redis just now count against the limit: the first local
                // call of each class waits one local interval.
                self.read.fallback.spend();
                self.write.fallback.spend();
            }
            Health::Local { .. } => {
                tracing::debug!(error = %error, "Redis still unavailable");
            }
        }
        *health = Health::Local { next_probe };
    }
}
