//! Captured output lines of servers and builds, kept in order so that a timestamp is a cursor.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};

/// What a server line says about the run it came from, fixed when the line is written: a
/// restart puts the server on a new machine (and may rename it), and earlier lines must keep
/// naming the machine they were written on. Shared by every line of one run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RunLabels {
    pub(crate) machine: Option<Arc<str>>,
    pub(crate) server_name: Option<Arc<str>>,
}

/// One captured line of server (or build) output.
#[derive(Debug, Clone)]
pub(crate) struct LogLine {
    pub(crate) at: DateTime<Utc>,
    pub(crate) level: &'static str,
    pub(crate) message: String,
    /// The run's labels when the line was written (empty for build lines).
    pub(crate) labels: RunLabels,
}

/// Appends a line, keeping timestamps strictly increasing so that a timestamp is a cursor.
pub(crate) fn push_line(
    lines: &mut Vec<LogLine>,
    at: DateTime<Utc>,
    level: &'static str,
    message: String,
) {
    push_labelled(lines, at, level, message, RunLabels::default());
}

/// [`push_line`] with the labels of the run that wrote the line.
pub(crate) fn push_labelled(
    lines: &mut Vec<LogLine>,
    at: DateTime<Utc>,
    level: &'static str,
    message: String,
    labels: RunLabels,
) {
    let at = match lines.last() {
        Some(last) if at <= last.at => last.at + TimeDelta::milliseconds(1),
        _ => at,
    };
    lines.push(LogLine {
        at,
        level,
        message,
        labels,
    });
}
