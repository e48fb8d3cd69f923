//! Log paging shared by server logs and project logs: time bounds from the query, pages that
//! never split a timestamp (the cursor is one), and log lines as the API returns them.

use chrono::{DateTime, Utc};
use playflow::raw::types;

use crate::api::extract::{Call, issue};
use crate::world::clock::{iso, parse_bound};
use crate::world::logs::LogLine;
use crate::world::refusal::{ApiError, ApiResult};

/// A time bound from the query (`start_time`, `end_time`); 422 when it cannot be read.
pub(crate) fn bound(
    call: &Call,
    name: &str,
    now: DateTime<Utc>,
) -> ApiResult<Option<DateTime<Utc>>> {
    let Some(text) = call.text(name) else {
        return Ok(None);
    };
    parse_bound(text, now).map(Some).ok_or_else(|| {
        ApiError::validation(vec![issue(
            &["query", name],
            "Expected an ISO 8601 timestamp (2025-03-14T09:00:00Z) or a relative offset such as -1h or -30m",
            "value_error",
        )])
    })
}

/// How many of `items` (sorted by time) make a page of at most `limit`, and the cursor to read
/// on from. A page never splits lines that share a timestamp, since the cursor is a timestamp.
pub(crate) fn page<T>(
    items: &[T],
    time: impl Fn(&T) -> DateTime<Utc>,
    limit: usize,
) -> (usize, Option<DateTime<Utc>>) {
    if items.len() <= limit {
        return (items.len(), None);
    }
    let mut cut = limit;
    while cut > 0 && time(&items[cut - 1]) == time(&items[cut]) {
        cut -= 1;
    }
    if cut == 0 {
        cut = limit.max(1);
        while cut < items.len() && time(&items[cut]) == time(&items[cut - 1]) {
            cut += 1;
        }
    }
    let next = (cut < items.len()).then(|| time(&items[cut - 1]));
    (cut, next)
}

/// A log line as the API returns it, labelled with the machine it was written on (server
/// logs leave the server name out, project logs give it, as it was then).
pub(crate) fn entry(line: &LogLine, region: &str, with_server_name: bool) -> types::LogEntry {
    let server_name = line
        .labels
        .server_name
        .as_deref()
        .filter(|_| with_server_name);
    built!(LogEntry {
        instance: line.labels.machine.as_deref().map(str::to_owned),
        level: Some(line.level.to_owned()),
        message: Some(line.message.clone()),
        region: Some(region.to_owned()),
        server_name: server_name.map(str::to_owned),
        timestamp: Some(iso(line.at)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_never_split_a_timestamp() {
        let t = |s: i64| DateTime::from_timestamp(s, 0).unwrap();
        let items = [t(1), t(2), t(2), t(3)];
        assert_eq!(page(&items, |x| *x, 10), (4, None));
        assert_eq!(page(&items, |x| *x, 2), (1, Some(t(1))));
        assert_eq!(page(&items, |x| *x, 3), (3, Some(t(2))));
        let same = [t(5), t(5), t(5), t(6)];
        assert_eq!(page(&same, |x| *x, 1), (3, Some(t(5))));
    }
}
