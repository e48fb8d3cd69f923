//! Waiters: poll a resource until it reaches a state, in the shape of the AWS SDK's waiters.
//!
//! A waiter polls at once, then sleeps between polls with exponential backoff and full jitter
//! between a minimum and a maximum delay, and gives up after a maximum wait. Terminal states end
//! the wait at once (a build that `failed` will not become `ready`). Outcomes are typed: see
//! [`BuildOutcome`](crate::builds::BuildOutcome) and
//! [`ServerOutcome`](crate::servers::ServerOutcome).
//!
//! ```no_run
//! # async fn demo(client: playflow::Client) -> playflow::Result<()> {
//! use std::time::Duration;
//! let outcome = client
//!     .servers()
//!     .wait_until_running("9b2f6c1e")
//!     .min_delay(Duration::from_secs(1))
//!     .max_delay(Duration::from_secs(5))
//!     .wait(Duration::from_secs(120))
//!     .await?;
//! # let _ = outcome; Ok(()) }
//! ```

use std::future::Future;
use std::time::Duration;

use backon::BackoffBuilder as _;
use tokio::time::Instant;

use crate::error::{Error, InvalidInput, Result};

/// A configured wait for one resource. Obtain one from
/// [`Builds::wait_until_ready`](crate::builds::Builds::wait_until_ready) or
/// [`Servers::wait_until_running`](crate::servers::Servers::wait_until_running), adjust the
/// delays, then call `wait(max_wait)`.
///
/// Dropping the future returned by `wait` cancels the wait.
#[derive(Debug, Clone)]
#[must_use]
pub struct Waiter<P> {
    pub(crate) poller: P,
    min_delay: Duration,
    max_delay: Duration,
    jitter: bool,
}

impl<P> Waiter<P> {
    pub(crate) fn new(poller: P, min_delay: Duration, max_delay: Duration) -> Self {
        Self {
            poller,
            min_delay,
            max_delay,
            jitter: true,
        }
    }

    /// Shortest sleep between two polls (must be above zero). The first poll is immediate.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let waiter = client.builds().wait_until_ready("6f1d2c4b")
    ///     .min_delay(std::time::Duration::from_secs(2));
    /// # let _ = waiter; Ok(()) }
    /// ```
    pub fn min_delay(mut self, delay: Duration) -> Self {
        self.min_delay = delay;
        self
    }

    /// Longest sleep between two polls: the exponential growth stops here.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let waiter = client.builds().wait_until_ready("6f1d2c4b")
    ///     .max_delay(std::time::Duration::from_secs(20));
    /// # let _ = waiter; Ok(()) }
    /// ```
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Full jitter (the default): each sleep is drawn uniformly between the minimum delay and
    /// the current exponential ceiling, so many waiters started together do not poll in step.
    /// Without it, each sleep is the ceiling itself: `min`, `2·min`, `4·min`, … up to `max`.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let waiter = client.servers().wait_until_running("9b2f6c1e").jitter(false);
    /// # let _ = waiter; Ok(()) }
    /// ```
    pub fn jitter(mut self, on: bool) -> Self {
        self.jitter = on;
        self
    }

    /// The sleeps this waiter would take between polls, before the maximum wait shortens the
    /// last one. Endless; take what you need.
    ///
    /// ```
    /// # let client = playflow::Client::new(playflow::ServerKey::new("pf_1234567890abcdef1234")?)?;
    /// use std::time::Duration;
    /// let waiter = client.servers().wait_until_running("9b2f6c1e")
    ///     .min_delay(Duration::from_secs(1))
    ///     .max_delay(Duration::from_secs(5))
    ///     .jitter(false);
    /// let secs: Vec<u64> = waiter.delays().take(5).map(|d| d.as_secs()).collect();
    /// assert_eq!(secs, [1, 2, 4, 5, 5]);
    /// # Ok::<(), playflow::Error>(())
    /// ```
    pub fn delays(&self) -> impl Iterator<Item = Duration> + Send + use<P> {
        Delays::new(self.min_delay, self.max_delay, self.jitter)
    }

    fn check(&self) -> Result<()> {
        if self.min_delay.is_zero() {
            return Err(InvalidInput::new("min_delay", "must be above zero").into());
        }
        if self.min_delay > self.max_delay {
            return Err(InvalidInput::new(
                "max_delay",
                format!(
                    "must not be below min_delay ({:?} < {:?})",
                    self.max_delay, self.min_delay
                ),
            )
            .into());
        }
        Ok(())
    }

    /// The polling engine shared by every waiter: poll at once, then sleep (backoff, capped so
    /// that the last poll happens at the deadline) until `verdict` says the state is terminal
    /// or `max_wait` has passed. Retryable errors (timeouts, 429, 5xx) count as "not yet" (a
    /// 429's `Retry-After` lengthens the next sleep); any other error ends the wait.
    pub(crate) async fn run<T, F, Fut>(
        &self,
        max_wait: Duration,
        mut poll: F,
        verdict: impl Fn(&T) -> Verdict,
    ) -> Result<Finished<T>>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        self.check()?;
        let started = Instant::now();
        let deadline = started + max_wait;
        let mut delays = self.delays();
        let mut attempts = 0u32;
        let mut last_seen = None;
        let mut last_error;
        loop {
            attempts += 1;
            match poll().await {
                Ok(value) => match verdict(&value) {
                    Verdict::Done => return Ok(Finished::Done(value)),
                    Verdict::Failed => return Ok(Finished::Failed(value)),
                    Verdict::Pending => {
                        last_seen = Some(value);
                        last_error = None;
                    }
                },
                Err(e) if e.is_retryable() => last_error = Some(e),
                Err(e) => return Err(e),
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(Finished::ExceededMaxWait(ExceededMaxWait {
                    max_wait,
                    elapsed: now - started,
                    attempts,
                    last_seen,
                    last_error,
                }));
            }
            let mut delay = delays.next().unwrap_or(self.max_delay);
            if let Some(asked) = last_error.as_ref().and_then(retry_after) {
                delay = delay.max(asked);
            }
            tokio::time::sleep(delay.min(deadline - now)).await;
        }
    }
}

/// How long a 429 asked to wait before the next call, if it said.
pub(crate) fn retry_after(e: &Error) -> Option<Duration> {
    match e {
        Error::RateLimited(limited) => limited.retry_after,
        _ => None,
    }
}

/// What a poll's result means for the wait.
pub(crate) enum Verdict {
    /// The state waited for.
    Done,
    /// A terminal state other than the one waited for.
    Failed,
    /// Not there yet.
    Pending,
}

/// How [`Waiter::run`] ended.
pub(crate) enum Finished<T> {
    Done(T),
    Failed(T),
    ExceededMaxWait(ExceededMaxWait<T>),
}

/// The maximum wait passed before the resource reached a terminal state.
///
/// ```
/// # fn f(e: playflow::waiter::ExceededMaxWait<playflow::model::Server>) {
/// if let Some(server) = &e.last_seen {
///     eprintln!("still {} after {:?} ({} polls)", server.status, e.elapsed, e.attempts);
/// }
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct ExceededMaxWait<T> {
    /// The maximum wait that was given.
    pub max_wait: Duration,
    /// How long the wait actually took.
    pub elapsed: Duration,
    /// How many polls were made.
    pub attempts: u32,
    /// The resource as the last successful poll saw it (`None` if every poll failed).
    pub last_seen: Option<T>,
    /// The error of the last poll, when the last poll failed with a retryable error.
    pub last_error: Option<Error>,
}

/// Exponential ceilings from `backon` (`min`, `2·min`, … capped at `max`), with full jitter
/// drawn by hand between `min` and the ceiling: `backon`'s own jitter adds up to another whole
/// delay on top, which would break the `max_delay` bound a waiter promises. Also paces the
/// follow mode of log streams.
pub(crate) struct Delays {
    ceilings: backon::ExponentialBackoff,
    min: Duration,
    jitter: Option<fastrand::Rng>,
}

impl Delays {
    pub(crate) fn new(min: Duration, max: Duration, jitter: bool) -> Self {
        let ceilings = backon::ExponentialBuilder::new()
            .with_min_delay(min)
            .with_max_delay(max.max(min))
            .with_factor(2.0)
            .without_max_times()
            .build();
        Self {
            ceilings,
            min,
            jitter: jitter.then(fastrand::Rng::new),
        }
    }
}

impl Iterator for Delays {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        let ceiling = self.ceilings.next()?;
        Some(match &mut self.jitter {
            Some(rng) if ceiling > self.min => self.min + (ceiling - self.min).mul_f64(rng.f64()),
            _ => ceiling,
        })
    }
}
