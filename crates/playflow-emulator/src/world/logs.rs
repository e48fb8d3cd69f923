//! Captured output lines of servers and builds, kept in order so that a timestamp is a cursor.

use chrono::{DateTime, TimeDelta, Utc};

/// One captured line of server (or build) output.
#[derive(Debug, Clone)]
pub(crate) struct LogLine {
    pub(crate) at: DateTime<Utc>,
    pub(crate) level: &'static str,
    pub(crate) message: String,
}

/// Appends a line, keeping timestamps strictly increasing so that a timestamp is a cursor.
pub(crate) fn push_line(
    lines: &mut Vec<LogLine>,
    at: DateTime<Utc>,
    level: &'static str,
    message: String,
) {
    let at = match lines.last() {
        Some(last) if at <= last.at => last.at + TimeDelta::milliseconds(1),
        _ => at,
    };
    lines.push(LogLine { at, level, message });
}
