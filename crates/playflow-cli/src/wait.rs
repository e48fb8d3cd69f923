//! `--wait`: the library's waiters, paced here so that each poll's status can be shown on a
//! spinner (indicatif, on stderr, drawn only when stderr is a terminal).
//!
//! The library's `Waiter::wait(max)` reports only its end. Called with a zero maximum it polls
//! once and still classifies the answer (ready, failed with its logs, deleted, or not yet, with
//! a retryable error kept), so this loop keeps the library's verdicts and adds the display: the
//! sleeps come from the same waiter's `delays()`, lengthened by a 429's `Retry-After`.

use std::future::Future;
use std::io::IsTerminal as _;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use playflow::builds::BuildOutcome;
use playflow::servers::ServerOutcome;
use playflow::waiter::Waiter;
use tokio::time::Instant;

use crate::args::WaitArgs;
use crate::output::Output;

/// Polls every `--poll-interval` when given; otherwise keeps the waiter's own backoff.
pub fn configure<P>(waiter: Waiter<P>, args: &WaitArgs) -> Waiter<P> {
    match args.poll_interval {
        Some(every) => waiter.min_delay(every).max_delay(every).jitter(false),
        None => waiter,
    }
}

/// A wait's outcome that may say "not yet".
pub trait Pending {
    /// `Some(status)` while not done (`None` inside when the poll failed and may be retried).
    fn pending(&self) -> Option<Option<String>>;
    /// How long a 429 asked to wait, when the last poll got one.
    fn retry_after(&self) -> Option<Duration>;
}

macro_rules! pending_outcome {
    ($outcome:ty) => {
        impl Pending for $outcome {
            fn pending(&self) -> Option<Option<String>> {
                match self {
                    Self::ExceededMaxWait(e) => {
                        Some(e.last_seen.as_ref().map(|x| x.status.to_string()))
                    }
                    _ => None,
                }
            }
            fn retry_after(&self) -> Option<Duration> {
                match self {
                    Self::ExceededMaxWait(e) => match &e.last_error {
                        Some(playflow::Error::RateLimited(limited)) => limited.retry_after,
                        _ => None,
                    },
                    _ => None,
                }
            }
        }
    };
}
pending_outcome!(BuildOutcome);
pending_outcome!(ServerOutcome);

/// Polls with `poll_once` (one poll of the library's waiter) until the outcome is final or
/// `--max-wait` passes, sleeping the waiter's `delays`; shows `what` with the elapsed time and
/// the last status on a spinner. Returns the last outcome.
pub async fn until_done<O, F, Fut>(
    what: String,
    args: &WaitArgs,
    out: Output,
    mut delays: impl Iterator<Item = Duration>,
    mut poll_once: F,
) -> playflow::Result<O>
where
    O: Pending,
    F: FnMut() -> Fut,
    Fut: Future<Output = playflow::Result<O>>,
{
    let spinner = Spinner::new(&what, out);
    let deadline = Instant::now() + args.max_wait;
    loop {
        let outcome = poll_once().await?;
        let Some(status) = outcome.pending() else {
            return Ok(outcome);
        };
        if let Some(status) = status {
            spinner.status(&what, &status);
        }
        let now = Instant::now();
        if now >= deadline {
            return Ok(outcome);
        }
        let mut delay = delays.next().unwrap_or(Duration::from_secs(5));
        if let Some(asked) = outcome.retry_after() {
            delay = delay.max(asked);
        }
        tokio::time::sleep(delay.min(deadline - now)).await;
    }
}

/// The spinner on a terminal; otherwise one note line (and nothing under `--json`).
struct Spinner(Option<ProgressBar>);

impl Spinner {
    fn new(what: &str, out: Output) -> Self {
        if !std::io::stderr().is_terminal() {
            out.note(format!("{what}…"));
            return Self(None);
        }
        // `new_spinner` draws on stderr; a steady tick keeps the clock moving between polls.
        let bar = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        bar.set_message(what.to_owned());
        bar.enable_steady_tick(Duration::from_millis(100));
        Self(Some(bar))
    }

    fn status(&self, what: &str, status: &str) {
        if let Some(bar) = &self.0 {
            bar.set_message(format!("{what}: {status}"));
        }
    }
}

impl Drop for Spinner {
    // Whatever ends the wait (done, an error, Ctrl-C's unwinding), the line is cleared before
    // the result or the error is printed.
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
