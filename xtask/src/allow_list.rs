//! `openapi/low-level-only.txt`: operations deliberately left without a facade method.
//!
//! One operationId per line followed by `#` and the reason, e.g.
//! `getServerMetrics  # response shape unknown`; lines that start with `#` and blank lines are
//! comments.

use std::collections::BTreeMap;

use anyhow::{Result, bail};

/// One allow-listed operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub operation_id: String,
    pub reason: String,
    /// 1-based line number, for messages.
    pub line: usize,
}

/// Parse the allow-list; an entry without a reason, a malformed line or a duplicate is an error.
pub fn parse(text: &str) -> Result<Vec<Entry>> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut problems = Vec::new();
    let mut seen = BTreeMap::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let (id, reason) = match trimmed.split_once('#') {
            Some((id, reason)) => (id.trim(), reason.trim()),
            None => (trimmed, ""),
        };
        if id.is_empty() || id.contains(char::is_whitespace) {
            problems.push(format!(
                "line {line}: expected `operationId  # reason`, found {trimmed:?}"
            ));
            continue;
        }
        if reason.is_empty() {
            problems.push(format!("line {line}: `{id}` has no reason (`{id}  # why`)"));
            continue;
        }
        if let Some(first) = seen.insert(id.to_string(), line) {
            problems.push(format!(
                "line {line}: `{id}` is already listed on line {first}"
            ));
            continue;
        }
        entries.push(Entry {
            operation_id: id.to_string(),
            reason: reason.to_string(),
            line,
        });
    }
    if !problems.is_empty() {
        bail!("{}", problems.join("\n"));
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_need_a_reason_and_appear_once() {
        let ok =
            parse("# header\n\ngetHealth  # trivial\nsendHeartbeat # waiters do it\n").unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[1].operation_id, "sendHeartbeat");
        assert_eq!(ok[1].reason, "waiters do it");
        assert_eq!(ok[1].line, 4);

        let err = parse("getHealth\na b # two words\ngetBuild # x\ngetBuild # y\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line 1: `getHealth` has no reason"), "{err}");
        assert!(err.contains("line 2: expected"), "{err}");
        assert!(
            err.contains("line 4: `getBuild` is already listed on line 3"),
            "{err}"
        );
    }
}
