//! Printing results: JSON for scripts (`--json`), aligned text for people.
//!
//! Every line of stdout goes through [`print`], which turns a closed stdout (`playflow builds
//! ls | head`) into a quiet exit instead of `println!`'s panic.

use std::io::{ErrorKind, Write as _};

use serde::Serialize;
use unicode_width::UnicodeWidthStr as _;

use crate::failure::{Exit, Failure, Outcome};

/// Where results go, and in which form.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    /// `--json`: one JSON document on stdout.
    pub json: bool,
}

impl Output {
    /// Prints `value` as JSON, or as `text(value)` for a person.
    pub fn show<T: Serialize>(&self, value: &T, text: impl FnOnce(&T) -> String) -> Outcome {
        if self.json {
            let json = serde_json::to_string_pretty(value).map_err(|e| {
                Failure::new(Exit::Other, format!("could not write the JSON output: {e}"))
            })?;
            print(&json)
        } else {
            let text = text(value);
            if text.is_empty() {
                Ok(())
            } else {
                print(text.trim_end())
            }
        }
    }

    /// A progress note for a person, on stderr (so stdout stays clean for `--json`).
    pub fn note(&self, text: impl AsRef<str>) {
        if !self.json {
            // A note that cannot be shown is no reason to fail the command.
            let _ = writeln!(std::io::stderr(), "{}", text.as_ref());
        }
    }
}

/// Writes `text` and a newline to stdout. When the reader has gone (`| head` read enough), the
/// command ends with [`Exit::StdoutClosed`], which prints nothing.
pub fn print(text: &str) -> Outcome {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{text}")
        .and_then(|()| stdout.flush())
        .map_err(|error| match error.kind() {
            ErrorKind::BrokenPipe => Failure::new(Exit::StdoutClosed, "stdout was closed"),
            _ => Failure::new(Exit::Other, format!("could not write to stdout: {error}")),
        })
}

/// Rows as aligned columns under a header; `empty` when there are no rows.
///
/// Widths are terminal cells, not chars: a CJK character or an emoji takes two, so `{:<n}`
/// (which counts chars) would push every later column of its row to the right.
pub fn table(header: &[&str], rows: Vec<Vec<String>>, empty: &str) -> String {
    if rows.is_empty() {
        return empty.to_owned();
    }
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.width());
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| {
                let fill = width.saturating_sub(cell.width());
                format!("{cell}{}", " ".repeat(fill))
            })
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    let mut out = vec![line(header.iter().map(|h| h.to_string()).collect())];
    out.extend(rows.into_iter().map(line));
    out.join("\n")
}

/// `label  value` lines, the values aligned.
pub fn fields(pairs: &[(&str, String)]) -> String {
    let width = pairs
        .iter()
        .map(|(label, _)| label.len())
        .max()
        .unwrap_or(0);
    pairs
        .iter()
        .map(|(label, value)| format!("{label:<width$}  {value}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// An optional value, or `-`.
pub fn or_dash(value: Option<impl ToString>) -> String {
    value.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_columns() {
        let text = table(
            &["ID", "NAME"],
            vec![
                vec!["a".into(), "first".into()],
                vec!["long-id".into(), "x".into()],
            ],
            "none",
        );
        assert_eq!(text, "ID       NAME\na        first\nlong-id  x");
        assert_eq!(table(&["ID"], vec![], "none"), "none");
    }

    #[test]
    fn wide_characters_take_two_cells() {
        let text = table(
            &["NAME", "STATUS"],
            vec![
                vec!["竞技场".into(), "ready".into()],
                vec!["🎮 x".into(), "ready".into()],
                vec!["arena".into(), "failed".into()],
            ],
            "none",
        );
        // Every STATUS starts in the same terminal column.
        let columns: Vec<usize> = text
            .lines()
            .map(|line| line[..=line.rfind(' ').unwrap()].width())
            .collect();
        assert_eq!(columns, [8, 8, 8, 8], "{text}");
    }
}
