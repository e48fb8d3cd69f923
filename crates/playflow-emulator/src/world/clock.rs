//! PlayFlow time: the wall clock sped up by the time scale, plus any manual advances.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};

/// The emulator's clock. Every timestamp in the emulator comes from here, in whole milliseconds,
/// so transitions computed from stored timestamps are exact and repeatable.
#[derive(Debug)]
pub(crate) struct Clock {
    scale: f64,
    wall_origin: DateTime<Utc>,
    origin: Instant,
    skipped: Mutex<Duration>,
}

impl Clock {
    pub(crate) fn new(scale: f64) -> Clock {
        Clock {
            scale,
            wall_origin: truncate(Utc::now()),
            origin: Instant::now(),
            skipped: Mutex::new(Duration::ZERO),
        }
    }

    /// The current PlayFlow time.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        let elapsed = self.origin.elapsed().as_secs_f64() * self.scale;
        let skipped = *self.skipped.lock().unwrap_or_else(|e| e.into_inner());
        self.wall_origin + millis(elapsed * 1000.0) + delta(skipped)
    }

    /// Moves PlayFlow time forward by `by`; all advances together stop at a century, which
    /// keeps every date the emulator computes in range.
    pub(crate) fn advance(&self, by: Duration) {
        const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 3600);
        let mut skipped = self.skipped.lock().unwrap_or_else(|e| e.into_inner());
        *skipped = skipped.saturating_add(by).min(CENTURY);
    }

    /// The wall-clock time that a span of PlayFlow time takes (at least `floor`).
    pub(crate) fn real(&self, span: Duration, floor: Duration) -> Duration {
        span.div_f64(self.scale).max(floor)
    }
}

/// `span` as a chrono delta, in whole milliseconds.
pub(crate) fn delta(span: Duration) -> TimeDelta {
    TimeDelta::milliseconds(i64::try_from(span.as_millis()).unwrap_or(i64::MAX / 2))
}

/// A whole number of seconds as a delta (negative and huge values are clamped).
pub(crate) fn seconds(value: f64) -> TimeDelta {
    millis(value.clamp(0.0, 1e12) * 1000.0)
}

fn millis(value: f64) -> TimeDelta {
    TimeDelta::milliseconds(value as i64)
}

fn truncate(time: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(time.timestamp_millis()).unwrap_or(time)
}

/// ISO 8601 text with milliseconds, as PlayFlow writes lobby and log timestamps.
pub(crate) fn iso(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Parses a `start_time`-style bound: ISO 8601 (with or without offset) or `-30m`, `-1h`, ...
pub(crate) fn parse_bound(text: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if let Some(relative) = text.strip_prefix('-') {
        let split = relative.find(|c: char| !c.is_ascii_digit())?;
        let (amount, unit) = relative.split_at(split);
        let amount: i64 = amount.parse().ok()?;
        let unit_seconds = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86400,
            _ => return None,
        };
        let span = TimeDelta::try_seconds(amount.checked_mul(unit_seconds)?)?;
        return now.checked_sub_signed(span);
    }
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|naive| naive.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_parse_in_both_forms() {
        let now = DateTime::parse_from_rfc3339("2025-03-14T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            parse_bound("-30m", now).map(iso).as_deref(),
            Some("2025-03-14T09:30:00.000Z")
        );
        assert_eq!(
            parse_bound("2025-03-14T09:00:00Z", now).map(iso).as_deref(),
            Some("2025-03-14T09:00:00.000Z")
        );
        assert!(parse_bound("-5y", now).is_none());
        assert!(parse_bound("yesterday", now).is_none());
    }

    #[test]
    fn time_runs_scaled_and_can_be_advanced() {
        let clock = Clock::new(1000.0);
        let start = clock.now();
        clock.advance(Duration::from_secs(60));
        assert!(clock.now() - start >= TimeDelta::seconds(60));
        assert_eq!(
            clock.real(Duration::from_secs(10), Duration::ZERO),
            Duration::from_millis(10)
        );
    }
}
