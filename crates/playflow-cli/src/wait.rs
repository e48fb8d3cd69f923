//! `--wait` options applied to the library's waiters.

use playflow::waiter::Waiter;

use crate::args::WaitArgs;

/// Polls every `--poll-interval` when given; otherwise keeps the waiter's own backoff.
pub fn configure<P>(waiter: Waiter<P>, args: &WaitArgs) -> Waiter<P> {
    match args.poll_interval {
        Some(every) => waiter.min_delay(every).max_delay(every).jitter(false),
        None => waiter,
    }
}
