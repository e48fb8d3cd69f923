//! The "Last refreshed" section of `openapi/PROVENANCE.md`: replaced on every refresh, while the
//! rest of the file is kept as written.

use anyhow::{Result, bail};

const BEGIN: &str = "<!-- last-refreshed: begin (written by `cargo xtask update-spec`, replaced on every refresh) -->";
const END: &str = "<!-- last-refreshed: end -->";

/// What the section records.
pub struct Refresh<'a> {
    /// Where the spec was read from (a URL without secrets, or a file path).
    pub source: &'a str,
    /// UTC date, `YYYY-MM-DD`.
    pub date: &'a str,
    /// One line on the document, e.g. its version and number of operations.
    pub summary: &'a str,
}

fn section(refresh: &Refresh<'_>) -> String {
    format!(
        "{BEGIN}\n## Last refreshed\n\n- Source: `{}`\n- Date: {} (UTC)\n- Document: {}\n{END}\n",
        refresh.source, refresh.date, refresh.summary
    )
}

/// `existing` with its section replaced, or inserted after the title when it has none.
pub fn with_last_refreshed(existing: &str, refresh: &Refresh<'_>) -> Result<String> {
    let new_section = section(refresh);
    match (existing.find(BEGIN), existing.find(END)) {
        (Some(begin), Some(end)) if begin < end => {
            if existing[begin + BEGIN.len()..].contains(BEGIN) {
                bail!("PROVENANCE.md has more than one \"Last refreshed\" section");
            }
            let after = end + END.len();
            let after = after + usize::from(existing[after..].starts_with('\n'));
            Ok(format!(
                "{}{new_section}{}",
                &existing[..begin],
                &existing[after..]
            ))
        }
        (None, None) => {
            // After the `# ` title and the blank line below it, so it is seen first.
            let insert_at = match existing.strip_prefix("# ") {
                Some(_) => existing.find('\n').map_or(existing.len(), |i| i + 1),
                None => 0,
            };
            let (head, tail) = existing.split_at(insert_at);
            let tail = tail.strip_prefix('\n').unwrap_or(tail);
            let head_gap = if head.is_empty() || head.ends_with("\n\n") {
                ""
            } else if head.ends_with('\n') {
                "\n"
            } else {
                "\n\n"
            };
            let tail_gap = if tail.is_empty() { "" } else { "\n" };
            Ok(format!("{head}{head_gap}{new_section}{tail_gap}{tail}"))
        }
        _ => bail!(
            "PROVENANCE.md has a broken \"Last refreshed\" section: expected `{BEGIN}` followed by `{END}`"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refresh(date: &str) -> Refresh<'_> {
        Refresh {
            source: "https://api.example.com/doc",
            date,
            summary: "OpenAPI 3.1.0, 2 operations",
        }
    }

    #[test]
    fn inserted_below_the_title_then_replaced_in_place() {
        let original = "# Provenance\n\nIntro.\n\n## Operations\n\n| a | b |\n";
        let first = with_last_refreshed(original, &refresh("2025-01-01")).unwrap();
        assert!(first.starts_with(&format!("# Provenance\n\n{BEGIN}\n## Last refreshed\n")));
        assert!(
            first.ends_with(
                "<!-- last-refreshed: end -->\n\nIntro.\n\n## Operations\n\n| a | b |\n"
            )
        );
        assert!(first.contains("- Date: 2025-01-01 (UTC)"));

        let second = with_last_refreshed(&first, &refresh("2025-02-02")).unwrap();
        assert_eq!(second, first.replace("2025-01-01", "2025-02-02"));
        assert_eq!(second.matches(BEGIN).count(), 1);
    }

    #[test]
    fn a_broken_section_is_an_error() {
        let broken = format!("# P\n\n{BEGIN}\n## Last refreshed\n");
        assert!(with_last_refreshed(&broken, &refresh("2025-01-01")).is_err());
    }
}
