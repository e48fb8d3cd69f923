//! The Server-Sent Events parser proper, as the WHATWG HTML standard describes it
//! (§ 9.2.6 "Interpreting an event stream"), on bytes, with bounded memory.
//!
//! It is fed slices of the body in any cut and returns at most one event per call, so the
//! caller decides how much work one poll does (see [`super::sse`]). Each byte is looked at
//! a constant number of times: lines are found with `memchr` in the new bytes only, a line
//! that fits in the slice is parsed where it lies, and the unfinished line at the end of a
//! slice is copied once: a `data:` line (the only kind that can be long) straight into the
//! event's buffer, its field name dropped, any other into a buffer that never holds more than
//! [`Limits::max_line`] bytes. The event's text is checked as UTF-8 once, when it is
//! dispatched, and handed over without a copy.
//!
//! What the standard says and this does:
//!
//! - lines end with CRLF, LF or CR, also when the CR and the LF arrive in different slices
//!   (a CR ends its line at once; an LF right after it is then skipped);
//! - one UTF-8 byte-order mark is removed at the very start of the stream, nowhere else;
//! - `data` lines are joined with LF, `event` sets the name (default `message`), a line that
//!   starts with `:` is a comment, a field without `:` has an empty value, one space after
//!   the `:` is dropped, unknown fields are ignored;
//! - a blank line dispatches the event if any `data` line came, and resets the name;
//! - text is decoded as UTF-8 with invalid bytes replaced by U+FFFD (decoding per event is
//!   the same as decoding the whole stream first: the bytes that end lines or split fields
//!   are ASCII, so a sequence can never straddle them);
//! - the unfinished line and event at the end of the stream are dropped.
//!
//! `id` and `retry` are recognized and not kept: PlayFlow resends the full state in the
//! `connected` event of every connection, so there is no `Last-Event-ID` to send back, and the
//! reconnect delay is the client's own backoff.

use std::fmt;

/// The byte-order mark in UTF-8.
const BOM: &[u8; 3] = b"\xef\xbb\xbf";

/// How much of an event stream is held in memory at most (set on
/// [`LobbyEvents`](super::LobbyEvents); the defaults are explained there).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::lobbies) struct Limits {
    /// The longest line, in bytes, its ending excluded.
    pub max_line: usize,
    /// The largest event: its `data` lines together, the joining line feeds included.
    pub max_event: usize,
}

impl Limits {
    /// 1 MiB: see [`LobbyEvents::max_line_size`](super::LobbyEvents::max_line_size).
    pub const DEFAULT_MAX_LINE: usize = 1024 * 1024;
    /// 4 MiB: see [`LobbyEvents::max_event_size`](super::LobbyEvents::max_event_size).
    pub const DEFAULT_MAX_EVENT: usize = 4 * 1024 * 1024;
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_line: Self::DEFAULT_MAX_LINE,
            max_event: Self::DEFAULT_MAX_EVENT,
        }
    }
}

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Event {
    /// The `event` field, or `message`.
    pub event: String,
    /// The `data` lines joined with LF.
    pub data: String,
}

/// The stream went past one of its [`Limits`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct LimitExceeded {
    /// A line (`true`) or an event's data (`false`).
    pub line: bool,
    /// The limit, in bytes.
    pub limit: usize,
    /// The start of the offending line (at most [`EXCERPT`] bytes), for the error message.
    pub excerpt: Vec<u8>,
}

/// The most the buffer of the next event is pre-sized to (the size of the last one, so that a
/// stream of similar events does not regrow it each time; a huge event's size is not kept).
const PRESIZE_MAX: usize = 64 * 1024;

/// How much of an offending line an error keeps.
const EXCERPT: usize = 200;

impl fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line {
            write!(f, "event-stream line longer than {} bytes", self.limit)
        } else {
            write!(f, "event-stream event larger than {} bytes", self.limit)
        }
    }
}

/// The parser's state between slices.
#[derive(Debug)]
pub(super) struct Parser {
    limits: Limits,
    /// How many bytes of a leading BOM were seen; `None` once the start is behind us.
    bom: Option<usize>,
    /// The unfinished line at the end of the last slice, unless it is a `data:` line that is
    /// carried in `data` (see `carried`).
    line: Vec<u8>,
    /// The unfinished line is a `data:` line whose value is being appended to `data` as it
    /// arrives: the length of its field name, colon and space (5 or 6 bytes), and where its
    /// value starts in `data`. So a long line is copied once, not into `line` and then again.
    carried: Option<(usize, usize)>,
    /// The last slice ended with CR: an LF that starts the next one belongs to it.
    skip_lf: bool,
    /// The event being built: its `data` lines, each followed by LF.
    data: Vec<u8>,
    /// The event being built: its name (empty for `message`).
    name: Vec<u8>,
    /// A limit was exceeded: the stream is not parsed further.
    failed: bool,
}

impl Parser {
    pub(super) fn new(limits: Limits) -> Self {
        Self {
            limits,
            bom: Some(0),
            line: Vec::new(),
            carried: None,
            skip_lf: false,
            data: Vec::new(),
            name: Vec::new(),
            failed: false,
        }
    }

    /// Parse `input` up to the end of the first event it completes. Returns how many bytes were
    /// used (all of them unless an event came) and the event or the exceeded limit. After an
    /// exceeded limit every call uses everything and returns nothing.
    pub(super) fn feed(
        &mut self,
        mut input: &[u8],
    ) -> (usize, Option<Result<Event, LimitExceeded>>) {
        let total = input.len();
        if self.failed {
            return (total, None);
        }
        input = self.strip_bom(input);
        if self.skip_lf && !input.is_empty() {
            self.skip_lf = false;
            if input[0] == b'\n' {
                input = &input[1..];
            }
        }
        while !input.is_empty() {
            let Some(end) = memchr::memchr2(b'\n', b'\r', input) else {
                // An unfinished line: keep it for the next slice.
                if let Err(e) = self.carry(input) {
                    return (total, Some(Err(e)));
                }
                break;
            };
            let outcome = if let Some((prefix, start)) = self.carried {
                self.end_carried(prefix, start, &input[..end])
            } else if self.line.len() + end > self.limits.max_line {
                return (total, Some(Err(self.fail_line(&input[..end]))));
            } else if self.line.is_empty() {
                self.line(&input[..end])
            } else {
                // Reuse the buffer: take it out to read it while `self` changes.
                let mut line = std::mem::take(&mut self.line);
                line.extend_from_slice(&input[..end]);
                let outcome = self.line(&line);
                line.clear();
                self.line = line;
                outcome
            };
            let cr = input[end] == b'\r';
            input = &input[end + 1..];
            if cr {
                match input.first() {
                    Some(b'\n') => input = &input[1..],
                    Some(_) => {}
                    None => self.skip_lf = true,
                }
            }
            match outcome {
                Ok(None) => {}
                Ok(Some(event)) => return (total - input.len(), Some(Ok(event))),
                Err(e) => {
                    self.failed = true;
                    self.data = Vec::new();
                    return (total, Some(Err(e)));
                }
            }
        }
        (total, None)
    }

    /// Remove the leading BOM, also when it arrives a byte at a time. If the stream starts
    /// with part of one only, that part is text and goes back into the line.
    fn strip_bom<'a>(&mut self, mut input: &'a [u8]) -> &'a [u8] {
        while let Some(seen) = self.bom {
            let Some(&byte) = input.first() else { break };
            if byte == BOM[seen] {
                input = &input[1..];
                self.bom = (seen + 1 < BOM.len()).then_some(seen + 1);
            } else {
                self.line.extend_from_slice(&BOM[..seen]);
                self.bom = None;
            }
        }
        input
    }

    /// One complete line (without its ending).
    fn line(&mut self, line: &[u8]) -> Result<Option<Event>, LimitExceeded> {
        if line.is_empty() {
            return Ok(self.dispatch());
        }
        if line[0] == b':' {
            return Ok(None);
        }
        let (field, value) = match memchr::memchr(b':', line) {
            Some(colon) => {
                let value = &line[colon + 1..];
                (&line[..colon], value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line, &[][..]),
        };
        match field {
            b"data" => {
                if let Some(e) = self.too_large(value) {
                    return Err(e);
                }
                self.data.extend_from_slice(value);
                self.data.push(b'\n');
            }
            b"event" => {
                self.name.clear();
                self.name.extend_from_slice(value);
            }
            // `id` and `retry` are not used (see the module documentation); others are
            // ignored as the standard says.
            _ => {}
        }
        Ok(None)
    }

    /// Whether adding `value` to the event's data would pass the limit.
    fn too_large(&self, value: &[u8]) -> Option<LimitExceeded> {
        (self.data.len() + value.len() + 1 > self.limits.max_event).then(|| LimitExceeded {
            line: false,
            limit: self.limits.max_event,
            excerpt: value[..value.len().min(EXCERPT)].to_vec(),
        })
    }

    /// Keep `rest`, the start or a further piece of a line whose end has not arrived. A `data:`
    /// line goes into the event's data as soon as its field name is complete.
    fn carry(&mut self, rest: &[u8]) -> Result<(), LimitExceeded> {
        if let Some((prefix, start)) = self.carried {
            return self.append_carried(prefix, start, rest);
        }
        let held = self.line.len();
        if held + rest.len() > self.limits.max_line {
            return Err(self.fail_line(rest));
        }
        // The line's first 6 bytes, wherever they are, decide: `data:` and whether a space
        // follows it (5 bytes are not enough: `data:` then a space is the same field).
        let mut head = [0u8; 6];
        let known = (held + rest.len()).min(6);
        for (i, byte) in head.iter_mut().enumerate().take(known) {
            *byte = if i < held {
                self.line[i]
            } else {
                rest[i - held]
            };
        }
        if known < 6 || !head.starts_with(b"data:") {
            self.line.extend_from_slice(rest);
            return Ok(());
        }
        let prefix = if head[5] == b' ' { 6 } else { 5 };
        let start = self.data.len();
        let from_line = self.line.get(prefix..).unwrap_or_default();
        let from_rest = &rest[prefix.saturating_sub(held)..];
        if self.data.len() + from_line.len() + from_rest.len() + 1 > self.limits.max_event {
            let mut value = from_line.to_vec();
            value.extend_from_slice(&from_rest[..from_rest.len().min(EXCERPT)]);
            return Err(self.fail_event(&value));
        }
        self.data.extend_from_slice(from_line);
        self.data.extend_from_slice(from_rest);
        self.line.clear();
        self.carried = Some((prefix, start));
        Ok(())
    }

    /// Append `piece` to the carried `data:` line, within both limits.
    fn append_carried(
        &mut self,
        prefix: usize,
        start: usize,
        piece: &[u8],
    ) -> Result<(), LimitExceeded> {
        if prefix + (self.data.len() - start) + piece.len() > self.limits.max_line {
            return Err(self.fail_line(piece));
        }
        if self.data.len() + piece.len() + 1 > self.limits.max_event {
            let value = self.data[start..self.data.len().min(start + EXCERPT)].to_vec();
            return Err(self.fail_event(&value));
        }
        self.data.extend_from_slice(piece);
        Ok(())
    }

    /// The end of the carried `data:` line: its last piece, then the LF that joins it to the
    /// next.
    fn end_carried(
        &mut self,
        prefix: usize,
        start: usize,
        last: &[u8],
    ) -> Result<Option<Event>, LimitExceeded> {
        self.append_carried(prefix, start, last)?;
        self.data.push(b'\n');
        self.carried = None;
        Ok(None)
    }

    /// The event's data would pass its limit with `value` (the offending line's start).
    fn fail_event(&mut self, value: &[u8]) -> LimitExceeded {
        // Nothing more is parsed: give the memory back now.
        self.failed = true;
        self.carried = None;
        self.line = Vec::new();
        self.data = Vec::new();
        LimitExceeded {
            line: false,
            limit: self.limits.max_event,
            excerpt: value[..value.len().min(EXCERPT)].to_vec(),
        }
    }

    /// The blank line: the event built so far, if it has data.
    fn dispatch(&mut self) -> Option<Event> {
        if self.data.is_empty() {
            self.name.clear();
            return None;
        }
        self.data.pop();
        let event = if self.name.is_empty() {
            String::from("message")
        } else {
            text(std::mem::take(&mut self.name))
        };
        // The next event is likely of the same size: spare it the buffer's regrowth.
        let size = (self.data.len() + 1).min(PRESIZE_MAX);
        let data = std::mem::replace(&mut self.data, Vec::with_capacity(size));
        Some(Event {
            event,
            data: text(data),
        })
    }

    fn fail_line(&mut self, rest: &[u8]) -> LimitExceeded {
        self.failed = true;
        let mut excerpt = match self.carried.take() {
            // The line as it came: its field name, then the start of its value.
            Some((prefix, start)) => {
                let mut line = b"data: "[..prefix].to_vec();
                line.extend_from_slice(&self.data[start..self.data.len().min(start + EXCERPT)]);
                line.truncate(EXCERPT);
                line
            }
            None => self.line[..self.line.len().min(EXCERPT)].to_vec(),
        };
        excerpt.extend_from_slice(&rest[..rest.len().min(EXCERPT - excerpt.len())]);
        // Nothing more is parsed: give the memory back now.
        self.line = Vec::new();
        self.data = Vec::new();
        LimitExceeded {
            line: true,
            limit: self.limits.max_line,
            excerpt,
        }
    }
}

/// Bytes as text, invalid UTF-8 replaced; no copy when it is valid.
fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(parser: &mut Parser, mut input: &[u8]) -> Vec<Result<Event, LimitExceeded>> {
        let mut out = Vec::new();
        loop {
            let (used, event) = parser.feed(input);
            input = &input[used..];
            match event {
                Some(e) => out.push(e),
                None => return out,
            }
        }
    }

    #[test]
    fn one_event_per_call_and_the_rest_is_left() {
        let mut p = Parser::new(Limits::default());
        let input = b"data: a\n\ndata: b\n\n";
        let (used, event) = p.feed(input);
        assert_eq!(used, 9);
        assert_eq!(event.unwrap().unwrap().data, "a");
        assert_eq!(all(&mut p, &input[used..]).len(), 1);
    }

    #[test]
    fn a_line_past_the_limit_fails_before_its_end_arrives() {
        let mut p = Parser::new(Limits {
            max_line: 8,
            ..Limits::default()
        });
        assert!(all(&mut p, b"data: 1").is_empty());
        let err = all(&mut p, b"23456789").pop().unwrap().unwrap_err();
        assert!(err.line);
        assert_eq!(err.excerpt, b"data: 123456789");
        assert!(
            all(&mut p, b"\n\ndata: x\n\n").is_empty(),
            "nothing after a failure"
        );
    }

    #[test]
    fn an_event_past_the_limit_fails() {
        let mut p = Parser::new(Limits {
            max_event: 10,
            ..Limits::default()
        });
        let err = all(&mut p, b"data: 1234\ndata: 56789\n")
            .pop()
            .unwrap()
            .unwrap_err();
        assert!(!err.line);
        assert_eq!(err.limit, 10);
    }

    #[test]
    fn a_partial_bom_is_text() {
        let mut p = Parser::new(Limits::default());
        // EF BB then 'd': the two bytes start the first field's name, which is then unknown.
        let events = all(&mut p, b"\xef\xbbdata: x\n\ndata: y\n\n");
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].as_ref().unwrap().data, "y");
    }

    /// Large enough to span many slices of a real body.
    const LARGE: usize = 128 * 1024;

    #[test]
    fn a_large_first_data_line_split_over_slices_is_the_same_event() {
        let value = "y".repeat(LARGE);
        for prefix in ["data:", "data: "] {
            let mut p = Parser::new(Limits::default());
            let line = format!("{prefix}{value}\ndata: tail\n\n");
            let (head, rest) = line.as_bytes().split_at(10);
            assert!(all(&mut p, head).is_empty());
            let events = all(&mut p, rest);
            assert_eq!(events.len(), 1);
            assert_eq!(events[0].as_ref().unwrap().data, format!("{value}\ntail"));
        }
        let mut p = Parser::new(Limits {
            max_event: LARGE,
            ..Limits::default()
        });
        let line = format!("data:{value}\n\n");
        let (head, rest) = line.as_bytes().split_at(10);
        assert!(all(&mut p, head).is_empty());
        assert!(!all(&mut p, rest).pop().unwrap().unwrap_err().line);
    }

    #[test]
    fn a_data_line_cut_anywhere_in_its_field_name_is_the_same_event() {
        let input = b"data: a\ndata:bc\ndata: \n\n";
        for cut in 0..input.len() {
            for second in cut..input.len() {
                let mut p = Parser::new(Limits::default());
                let mut events = all(&mut p, &input[..cut]);
                events.extend(all(&mut p, &input[cut..second]));
                events.extend(all(&mut p, &input[second..]));
                assert_eq!(events.len(), 1, "cuts at {cut} and {second}");
                assert_eq!(
                    events[0].as_ref().unwrap().data,
                    "a\nbc\n",
                    "cuts at {cut} and {second}"
                );
            }
        }
    }

    #[test]
    fn a_carried_data_line_past_a_limit_fails_with_the_start_of_its_value() {
        // The line's value goes into the event's buffer as it arrives; the limits still count
        // the whole line (field name included) and the whole event.
        let mut p = Parser::new(Limits {
            max_line: 12,
            ..Limits::default()
        });
        assert!(all(&mut p, b"data:12").is_empty());
        assert!(all(&mut p, b"34567").is_empty());
        let err = all(&mut p, b"8").pop().unwrap().unwrap_err();
        assert!(err.line);
        assert_eq!(err.excerpt, b"data:12345678");

        let mut p = Parser::new(Limits {
            max_event: 8,
            ..Limits::default()
        });
        assert!(all(&mut p, b"data: abc\ndata: de").is_empty());
        let err = all(&mut p, b"fgh").pop().unwrap().unwrap_err();
        assert!(!err.line);
        assert_eq!(err.excerpt, b"de");
        assert!(
            all(&mut p, b"\n\ndata: x\n\n").is_empty(),
            "nothing after a failure"
        );
    }
}
