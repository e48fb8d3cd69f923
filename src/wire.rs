//! The one rule for each kind of wire value an answer carries untyped: how it reads as the type
//! the questions take ([`Region`], [`ComputeSize`], [`ServerStatus`], a [`Duration`], a `u32`
//! version or count, a UTC time).
//!
//! Every typed accessor of an answer (`Server::ttl`, `LobbyServer::ttl`, `Lobby::region`, ...)
//! goes through these, so a server read from a list and the same server read from a lobby
//! answer agree. A value that is not what its field stands for (a negative lifetime, a
//! fractional version, a time that is no RFC 3339) reads as `None` rather than as some nearby
//! value: the raw field is still there for whoever wants it.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::Region;
use crate::model::{ComputeSize, ServerServiceType, ServerStatus};

/// A region as PlayFlow spells it; regions added later come through verbatim.
pub(crate) fn region(wire: Option<&str>) -> Option<Region> {
    wire.map(Region::from)
}

/// A machine size; one this version does not know stays sealed in `Unknown`.
pub(crate) fn compute_size(wire: Option<&str>) -> Option<ComputeSize> {
    wire.map(ComputeSize::from)
}

/// A server state; one this version does not know stays sealed in `Unknown`.
pub(crate) fn server_status(wire: Option<&str>) -> Option<ServerStatus> {
    wire.map(ServerStatus::from)
}

/// A server kind; one this version does not know stays sealed in `Unknown`.
pub(crate) fn service_type(wire: Option<&str>) -> Option<ServerServiceType> {
    wire.map(ServerServiceType::from)
}

/// A lifetime in whole seconds; a negative one is no lifetime.
pub(crate) fn lifetime(secs: Option<i64>) -> Option<Duration> {
    secs.and_then(|secs| u64::try_from(secs).ok())
        .map(Duration::from_secs)
}

/// A build version sent as an integer: a count, what `StartServer::version` takes.
pub(crate) fn version(wire: Option<i64>) -> Option<u32> {
    count(wire)
}

/// A count sent as an integer (a version, a page size): `0..=u32::MAX`.
pub(crate) fn count(wire: Option<i64>) -> Option<u32> {
    wire.and_then(|v| u32::try_from(v).ok())
}

/// An offset or total sent as an integer: any non-negative one.
pub(crate) fn count_u64(wire: Option<i64>) -> Option<u64> {
    wire.and_then(|v| u64::try_from(v).ok())
}

/// A version or count sent as a JSON number (the spec says `number`, not `integer`): only a
/// whole number in `0..=u32::MAX` is one.
pub(crate) fn whole(number: f64) -> Option<u32> {
    whole_u64(number).and_then(|n| u32::try_from(n).ok())
}

/// An offset or total sent as a JSON number: a whole number from 0 to 2^53 (beyond that a
/// JSON number no longer tells neighbouring integers apart).
pub(crate) fn whole_u64(number: f64) -> Option<u64> {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    // NaN and the infinities have no zero fraction, so they fail the first test.
    (number.fract() == 0.0 && (0.0..=EXACT).contains(&number)).then_some(number as u64)
}

/// A length of time sent as (possibly fractional) seconds; negative, NaN or too long for a
/// `Duration` is none.
pub(crate) fn seconds(secs: f64) -> Option<Duration> {
    Duration::try_from_secs_f64(secs).ok()
}

/// A time sent as ISO 8601 text (what JavaScript's `toISOString` writes, or any RFC 3339 time
/// with an offset), in UTC. Text without an offset names no instant, so it is none.
pub(crate) fn timestamp(text: Option<&str>) -> Option<DateTime<Utc>> {
    let parsed = DateTime::parse_from_rfc3339(text?.trim()).ok()?;
    Some(parsed.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_that_are_no_count_are_none() {
        assert_eq!(whole(3.0), Some(3));
        assert_eq!(whole(0.0), Some(0));
        assert_eq!(whole(f64::from(u32::MAX)), Some(u32::MAX));
        for bad in [
            2.5,
            -1.0,
            f64::from(u32::MAX) + 1.0,
            f64::NAN,
            f64::INFINITY,
        ] {
            assert_eq!(whole(bad), None, "{bad}");
        }
        assert_eq!(whole_u64(5e9), Some(5_000_000_000));
        assert_eq!(whole_u64(1e300), None);
        assert_eq!(seconds(1.5), Some(Duration::from_millis(1500)));
        for bad in [-0.5, f64::NAN, f64::INFINITY, 1e30] {
            assert_eq!(seconds(bad), None, "{bad}");
        }
    }

    #[test]
    fn times_need_an_offset() {
        let t = timestamp(Some("2025-03-14T09:00:00.250Z")).unwrap();
        assert_eq!(t.to_rfc3339(), "2025-03-14T09:00:00.250+00:00");
        let shifted = timestamp(Some("2025-03-14T10:00:00+01:00")).unwrap();
        assert_eq!(shifted, timestamp(Some("2025-03-14T09:00:00Z")).unwrap());
        assert_eq!(timestamp(Some("2025-03-14T09:00:00")), None);
        assert_eq!(timestamp(Some("yesterday")), None);
        assert_eq!(timestamp(None), None);
    }
}
