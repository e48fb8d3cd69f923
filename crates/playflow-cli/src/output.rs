//! Printing results: JSON for scripts (`--json`), aligned text for people.

use serde::Serialize;

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
            println!("{json}");
        } else {
            let text = text(value);
            if !text.is_empty() {
                println!("{}", text.trim_end());
            }
        }
        Ok(())
    }

    /// A progress note for a person, on stderr (so stdout stays clean for `--json`).
    pub fn note(&self, text: impl AsRef<str>) {
        if !self.json {
            eprintln!("{}", text.as_ref());
        }
    }
}

/// Rows as aligned columns under a header; `empty` when there are no rows.
pub fn table(header: &[&str], rows: Vec<Vec<String>>, empty: &str) -> String {
    if rows.is_empty() {
        return empty.to_owned();
    }
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
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
}
