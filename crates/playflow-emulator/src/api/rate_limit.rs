//! Per-key rate limits (GCRA, through `governor`): reads and writes each have their own budget
//! per wall-clock second, reported in `X-RateLimit-*` headers.

use std::num::NonZeroU32;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};

use super::keys::KeyKind;

type Limiter = RateLimiter<NotKeyed, InMemoryState, DefaultClock, StateInformationMiddleware>;

/// Reads are GET calls; everything else writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    Read,
    Write,
}

/// The outcome of one call against its budget.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Decision {
    pub(crate) limit: u32,
    pub(crate) remaining: u32,
    /// Set when the call is over the limit: how long until one more would pass.
    pub(crate) retry_after: Option<Duration>,
}

/// One limiter per key and class.
pub(crate) struct RateLimits {
    read_limit: u32,
    write_limit: u32,
    limiters: [Limiter; 4],
    clock: DefaultClock,
}

impl RateLimits {
    pub(crate) fn new(reads_per_second: u32, writes_per_second: u32) -> RateLimits {
        let limiter = |rate: u32| {
            let rate = NonZeroU32::new(rate).unwrap_or(NonZeroU32::MIN);
            RateLimiter::direct(Quota::per_second(rate))
                .with_middleware::<StateInformationMiddleware>()
        };
        RateLimits {
            read_limit: reads_per_second,
            write_limit: writes_per_second,
            limiters: [
                limiter(reads_per_second),
                limiter(writes_per_second),
                limiter(reads_per_second),
                limiter(writes_per_second),
            ],
            clock: DefaultClock::default(),
        }
    }

    /// Counts one call of `key` in `class`.
    pub(crate) fn check(&self, key: KeyKind, class: Class) -> Decision {
        let index = match (key, class) {
            (KeyKind::Server, Class::Read) => 0,
            (KeyKind::Server, Class::Write) => 1,
            (KeyKind::Client, Class::Read) => 2,
            (KeyKind::Client, Class::Write) => 3,
        };
        let limit = match class {
            Class::Read => self.read_limit,
            Class::Write => self.write_limit,
        };
        match self.limiters[index].check() {
            Ok(snapshot) => Decision {
                limit,
                remaining: snapshot.remaining_burst_capacity(),
                retry_after: None,
            },
            Err(not_until) => Decision {
                limit,
                remaining: 0,
                retry_after: Some(not_until.wait_time_from(self.clock.now())),
            },
        }
    }
}

/// Writes the `X-RateLimit-*` headers (and `Retry-After` after a refusal).
pub(crate) fn write_headers(headers: &mut HeaderMap, decision: &Decision) {
    headers.insert("x-ratelimit-limit", HeaderValue::from(decision.limit));
    headers.insert(
        "x-ratelimit-remaining",
        HeaderValue::from(decision.remaining),
    );
    if let Some(wait) = decision.retry_after {
        // Whole seconds, rounded up: a client that waits this long will pass.
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        headers.insert("retry-after", HeaderValue::from(seconds.max(1)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_runs_out_and_is_reported() {
        let limits = RateLimits::new(3, 1);
        let first = limits.check(KeyKind::Server, Class::Read);
        assert_eq!((first.limit, first.remaining), (3, 2));
        limits.check(KeyKind::Server, Class::Read);
        limits.check(KeyKind::Server, Class::Read);
        let refused = limits.check(KeyKind::Server, Class::Read);
        assert!(refused.retry_after.is_some());
        assert_eq!(refused.remaining, 0);
        // Other budgets are untouched.
        assert!(
            limits
                .check(KeyKind::Client, Class::Read)
                .retry_after
                .is_none()
        );
        assert!(
            limits
                .check(KeyKind::Server, Class::Write)
                .retry_after
                .is_none()
        );
        assert!(
            limits
                .check(KeyKind::Server, Class::Write)
                .retry_after
                .is_some()
        );
    }
}
