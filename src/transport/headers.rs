//! Reading the headers PlayFlow paces clients with: `Retry-After` and `X-RateLimit-*`.

use std::time::Duration;

use reqwest::header::HeaderMap;

use crate::error::ResponseInfo;

/// The longest `Retry-After` honoured: a server asking for more is capped, not obeyed.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// A header as a whole number.
pub(crate) fn header_u32(headers: &HeaderMap, name: &str) -> Option<u32> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// `Retry-After` as seconds or an HTTP date, at most an hour.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0)
            .then(|| Duration::from_secs_f64(secs.min(MAX_RETRY_AFTER.as_secs_f64())));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let delta = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(
        delta
            .to_std()
            .unwrap_or(Duration::ZERO)
            .min(MAX_RETRY_AFTER),
    )
}

/// What error classification needs of a response: its status and pacing headers.
pub(crate) fn response_info(status: u16, headers: &HeaderMap) -> ResponseInfo {
    ResponseInfo {
        status,
        retry_after: retry_after(headers),
        limit: header_u32(headers, "x-ratelimit-limit"),
        remaining: header_u32(headers, "x-ratelimit-remaining"),
    }
}
