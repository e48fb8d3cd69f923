//! Server text as an error shows it: cut short, and with every character that could steer a
//! terminal or a log (line breaks, ANSI escapes, bidi overrides) shown escaped, not obeyed.
//!
//! A server's message reaches logs and terminals through `Display`. Left as is, a CR/LF forges
//! a log line, an ESC sequence recolours or clears a terminal, and a right-to-left override
//! reorders what a reader sees; a 10 MB message is a 10 MB log line. Every server-provided
//! string an error displays goes through [`shown`].

use std::fmt;

/// How many characters of one server text an error shows.
pub(crate) const SHOWN_CHARS: usize = 512;

/// `text` for display: at most [`SHOWN_CHARS`] characters, then a marker with how many bytes
/// were cut; control characters (CR, LF, TAB and ESC included), bidi controls and line
/// separators as `\r`, `\n`, `\t` or `\u{…}` escapes (`"a\x1b[2J"` shows as `a\u{1b}[2J`).
pub(crate) fn shown(text: &str) -> Shown<'_> {
    Shown(text)
}

/// The [`Display`](fmt::Display) of [`shown`].
pub(crate) struct Shown<'a>(&'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, (at, c)) in self.0.char_indices().enumerate() {
            if n == SHOWN_CHARS {
                return write!(f, "… [{} more bytes]", self.0.len() - at);
            }
            match c {
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                c if needs_escape(c) => write!(f, "\\u{{{:x}}}", c as u32)?,
                c => fmt::Write::write_char(f, c)?,
            }
        }
        Ok(())
    }
}

/// Characters that act on a terminal or on the text around them rather than show: C0 and C1
/// controls and DEL, the bidi embeddings, overrides, isolates and marks, the Unicode line and
/// paragraph separators, and the byte-order mark.
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{feff}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_a_terminal_would_obey() {
        assert_eq!(
            shown("a\x1b[2Jb\r\nc\u{202e}d\u{7f}\u{85}").to_string(),
            r"a\u{1b}[2Jb\r\nc\u{202e}d\u{7f}\u{85}"
        );
        assert_eq!(shown("plain, accentué ✓").to_string(), "plain, accentué ✓");
    }

    #[test]
    fn cuts_long_text_and_says_how_much() {
        let long = format!("{}{}", "é".repeat(SHOWN_CHARS), "x".repeat(100));
        let text = shown(&long).to_string();
        assert!(text.starts_with(&"é".repeat(SHOWN_CHARS)));
        assert!(text.ends_with("… [100 more bytes]"), "{text}");
        assert_eq!(
            shown(&"y".repeat(SHOWN_CHARS)).to_string().len(),
            SHOWN_CHARS
        );
    }
}
