//! When a failed attempt is tried again, and after how long (documented on [`RetryConfig`]).

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBackoff, ExponentialBuilder};
use reqwest::{Method, StatusCode};
use tokio::time::Instant;

use super::headers::retry_after;

/// How failed calls are retried. The defaults suit PlayFlow's API; tune them with the setters
/// and pass the result to [`ClientBuilder::retry`](crate::ClientBuilder::retry).
///
/// - **Idempotent calls** (`GET`, `HEAD`, `PUT`, `DELETE`, `OPTIONS`, `TRACE`, per RFC 9110) are
///   retried on connection failures, timeouts, and the statuses 408, 429 and 500–504, and when
///   the body fails after the head (reset, cut short, stalled or dripped past the timeout):
///   their answers are read whole inside the retry loop, under the same budget.
/// - **Other calls** (`POST`, `PATCH`: starting a server, creating a lobby, ...) are retried only
///   when the request provably never left: the connection could not be made
///   (`reqwest::Error::is_connect`). Any later failure could mean the server acted on it.
/// - A request whose body is a stream cannot be copied, so it is never retried.
/// - Delays grow exponentially with jitter ([`backon`]'s exponential backoff), except that a
///   `Retry-After` header sets the delay. A `Retry-After` longer than
///   [`max_retry_after`](Self::max_retry_after) is not waited for: the answer goes to the caller (as
///   [`Error::RateLimited`](crate::Error::RateLimited) with its `retry_after`).
/// - Bounded twice: at most [`max_retries`](Self::max_retries) retries, and no retry that would start
///   later than [`max_elapsed`](Self::max_elapsed) after the first attempt.
///
/// ```
/// use std::time::Duration;
/// let retry = playflow::RetryConfig::default()
///     .max_retries(5)
///     .initial_backoff(Duration::from_millis(100))
///     .max_elapsed(Duration::from_secs(10));
/// let key = playflow::ServerKey::new("pf_1234567890abcdef1234")?;
/// let client = playflow::Client::builder(key).retry(retry).build()?;
/// # let _ = client;
/// # Ok::<(), playflow::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryConfig {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_elapsed: Duration,
    max_retry_after: Duration,
}

impl Default for RetryConfig {
    /// 3 retries, backoff from 200 ms doubling up to 5 s (each delay plus up to 100 % jitter),
    /// 30 s in all, `Retry-After` honoured up to 10 s.
    fn default() -> Self {
        Self {
            max_retries: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_elapsed: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(10),
        }
    }
}

impl RetryConfig {
    /// The default policy (see [`Default`](#impl-Default-for-RetryConfig)).
    ///
    /// ```
    /// assert_eq!(playflow::RetryConfig::new(), playflow::RetryConfig::default());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Never retry: every call is sent once.
    ///
    /// ```
    /// assert_eq!(playflow::RetryConfig::disabled().get_max_retries(), 0);
    /// ```
    pub fn disabled() -> Self {
        Self::default().max_retries(0)
    }

    /// Retries after the first attempt (default 3); `0` disables retrying.
    ///
    /// ```
    /// assert_eq!(playflow::RetryConfig::new().max_retries(5).get_max_retries(), 5);
    /// ```
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// Delay before the first retry (default 200 ms); each further delay doubles, and each gets
    /// a random jitter of up to its own length.
    ///
    /// ```
    /// let retry = playflow::RetryConfig::new().initial_backoff(std::time::Duration::from_millis(50));
    /// # let _ = retry;
    /// ```
    pub fn initial_backoff(mut self, delay: Duration) -> Self {
        self.initial_backoff = delay;
        self
    }

    /// Longest delay before jitter (default 5 s).
    ///
    /// ```
    /// let retry = playflow::RetryConfig::new().max_backoff(std::time::Duration::from_secs(2));
    /// # let _ = retry;
    /// ```
    pub fn max_backoff(mut self, delay: Duration) -> Self {
        self.max_backoff = delay;
        self
    }

    /// No retry starts later than this after the first attempt (default 30 s).
    ///
    /// ```
    /// let retry = playflow::RetryConfig::new().max_elapsed(std::time::Duration::from_secs(5));
    /// # let _ = retry;
    /// ```
    pub fn max_elapsed(mut self, budget: Duration) -> Self {
        self.max_elapsed = budget;
        self
    }

    /// The longest `Retry-After` the client waits for itself (default 10 s). A longer one ends
    /// the retries and the caller gets the answer, with its `retry_after`.
    ///
    /// ```
    /// let retry = playflow::RetryConfig::new().max_retry_after(std::time::Duration::from_secs(2));
    /// # let _ = retry;
    /// ```
    pub fn max_retry_after(mut self, cap: Duration) -> Self {
        self.max_retry_after = cap;
        self
    }

    /// The configured number of retries: what [`Self::max_retries`] set. Named as
    /// `std::process::Command` names its getters (`get_…`), since the setter has the plain name.
    ///
    /// ```
    /// assert_eq!(playflow::RetryConfig::new().max_retries(5).get_max_retries(), 5);
    /// ```
    pub fn get_max_retries(&self) -> u32 {
        self.max_retries
    }

    /// The former name of [`Self::get_max_retries`].
    #[deprecated(note = "renamed `get_max_retries`, the getter of `max_retries`")]
    pub fn retries(&self) -> u32 {
        self.max_retries
    }

    /// The retry plan of one call, starting now.
    pub(crate) fn schedule(&self) -> Schedule {
        let backoff = ExponentialBuilder::new()
            .with_min_delay(self.initial_backoff)
            .with_max_delay(self.max_backoff)
            .with_factor(2.0)
            .with_max_times(self.max_retries as usize)
            .with_jitter()
            .build();
        Schedule {
            backoff,
            started: Instant::now(),
            max_elapsed: self.max_elapsed,
            max_retry_after: self.max_retry_after,
        }
    }
}

/// The remaining retries of one call.
pub(crate) struct Schedule {
    backoff: ExponentialBackoff,
    started: Instant,
    max_elapsed: Duration,
    max_retry_after: Duration,
}

impl Schedule {
    /// The delay before the next attempt, or `None` when the call must not be tried again.
    /// `server_delay` is the failed answer's `Retry-After`, if any.
    pub(crate) fn next_delay(&mut self, server_delay: Option<Duration>) -> Option<Duration> {
        let backoff = self.backoff.next()?;
        let delay = match server_delay {
            Some(wait) if wait > self.max_retry_after => return None,
            Some(wait) => wait,
            None => backoff,
        };
        (self.started.elapsed() + delay <= self.max_elapsed).then_some(delay)
    }
}

/// Idempotent per RFC 9110 §9.2.2: sending it twice has the effect of sending it once.
pub(crate) fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS | Method::TRACE
    )
}

/// Why an attempt may be retried: the failure, and the server's requested delay.
pub(crate) struct Retryable {
    pub(crate) reason: &'static str,
    pub(crate) server_delay: Option<Duration>,
}

/// Whether the outcome of an attempt may be retried, given the method's idempotency.
pub(crate) fn retryable(
    outcome: &reqwest::Result<reqwest::Response>,
    idempotent: bool,
) -> Option<Retryable> {
    let reason = match outcome {
        // Nothing was sent: safe for any method.
        Err(e) if e.is_connect() => "connect error",
        Err(e) if idempotent && e.is_timeout() => "timeout",
        Err(e) if idempotent && e.is_request() => "request error",
        // The head came, the body did not (reset or cut short): see `read_whole`.
        Err(e) if idempotent && (e.is_body() || e.is_decode()) => "body error",
        Ok(response) if idempotent && retryable_status(response.status()) => {
            return Some(Retryable {
                reason: "status",
                server_delay: retry_after(response.headers()),
            });
        }
        _ => return None,
    };
    Some(Retryable {
        reason,
        server_delay: None,
    })
}

/// `response` with its body read whole: a failure reading it (a reset, a body cut short, a
/// stall past the request timeout) becomes the attempt's error, which [`retryable`] judges.
/// Status, version, headers and URL are kept.
pub(crate) async fn read_whole(response: reqwest::Response) -> reqwest::Result<reqwest::Response> {
    use reqwest::ResponseBuilderExt as _;
    let mut builder = http::Response::builder()
        .status(response.status())
        .version(response.version())
        .url(response.url().clone());
    if let Some(headers) = builder.headers_mut() {
        *headers = response.headers().clone();
    }
    let body = response.bytes().await?;
    Ok(builder
        .body(body)
        .expect("the parts of a response that was valid")
        .into())
}

/// 408, 429 and 500–504: the server did not act on the request, or may succeed later.
pub(crate) fn retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 500..=504)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_are_bounded() {
        let mut schedule = RetryConfig::new()
            .max_retries(2)
            .initial_backoff(Duration::from_millis(1))
            .schedule();
        assert!(schedule.next_delay(None).is_some());
        assert!(schedule.next_delay(None).is_some());
        assert!(schedule.next_delay(None).is_none());
    }

    #[test]
    fn backoff_grows_with_jitter_within_bounds() {
        let mut schedule = RetryConfig::new()
            .max_retries(4)
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(300))
            .schedule();
        let delays: Vec<_> = std::iter::from_fn(|| schedule.next_delay(None)).collect();
        let bounds = [(100, 200), (200, 400), (300, 600), (300, 600)];
        assert_eq!(delays.len(), 4);
        for (delay, (lo, hi)) in delays.iter().zip(bounds) {
            let ms = delay.as_millis();
            assert!((lo..=hi).contains(&ms), "{ms} ms not in {lo}..={hi}");
        }
    }

    #[test]
    fn retry_after_sets_the_delay_up_to_the_cap() {
        let config = RetryConfig::new().max_retry_after(Duration::from_secs(2));
        let mut schedule = config.schedule();
        assert_eq!(
            schedule.next_delay(Some(Duration::from_secs(1))),
            Some(Duration::from_secs(1))
        );
        let mut schedule = config.schedule();
        assert_eq!(schedule.next_delay(Some(Duration::from_secs(3))), None);
    }

    #[test]
    fn total_time_is_bounded() {
        let mut schedule = RetryConfig::new()
            .max_elapsed(Duration::from_millis(500))
            .schedule();
        assert_eq!(schedule.next_delay(Some(Duration::from_secs(1))), None);
    }

    #[test]
    fn idempotency_follows_rfc_9110() {
        assert!(is_idempotent(&Method::GET));
        assert!(is_idempotent(&Method::DELETE));
        assert!(is_idempotent(&Method::PUT));
        assert!(!is_idempotent(&Method::POST));
        assert!(!is_idempotent(&Method::PATCH));
    }
}
