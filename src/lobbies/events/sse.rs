//! Bytes to Server-Sent Events: `eventsource-stream` does the parsing (fields, comments,
//! multi-line data, line endings split across chunks), after a decoding step of ours.
//!
//! Why the extra step: eventsource-stream 0.2.3 (the current release; unmaintained since 2022)
//! has three faults a server could trigger, each found by this crate's property tests:
//!
//! - a stream that starts with a byte-order mark panics (it slices the 3-byte U+FEFF at byte
//!   1; upstream fix proposed in jpopesculian/eventsource-stream#10, unmerged);
//! - bytes that are not valid UTF-8 stay in its buffer waiting for the rest of a character
//!   that never comes, holding back every later event until the connection ends;
//! - a lone CR that ends the stream is never taken as a line ending, so a stream with CR-only
//!   line endings loses its last event.
//!
//! So here: invalid UTF-8 is replaced with U+FFFD (like `String::from_utf8_lossy`) and only a
//! character cut at a chunk's end is carried over; the leading BOM is removed by us and the
//! parser is first fed an empty line (a no-op in SSE) so it never looks for one itself; and a
//! final CR gets its LF, which makes it the line ending the standard says it is.

use std::pin::Pin;

use eventsource_stream::{Event, EventStreamError, Eventsource};
use futures::stream::{self, Stream, StreamExt};

/// Parse `bytes` into SSE events.
pub(super) fn events<S, B, E>(
    bytes: S,
) -> impl Stream<Item = Result<Event, EventStreamError<E>>> + Send + 'static
where
    S: Stream<Item = Result<B, E>> + Send + 'static,
    B: AsRef<[u8]>,
    E: Send + 'static,
{
    // The empty line starts the parser without a BOM check (see above).
    stream::once(async { Ok(String::from("\n")) })
        .chain(lossy_utf8(bytes))
        .eventsource()
}

/// Each chunk as text, with invalid UTF-8 replaced and a character cut at a chunk's end joined
/// with the rest of it from the next chunk.
fn lossy_utf8<S, B, E>(bytes: S) -> impl Stream<Item = Result<String, E>> + Send + 'static
where
    S: Stream<Item = Result<B, E>> + Send + 'static,
    B: AsRef<[u8]>,
    E: Send + 'static,
{
    let bytes: Pin<Box<S>> = Box::pin(bytes);
    stream::unfold(Some((bytes, Utf8Decoder::default())), |state| async move {
        let (mut bytes, mut decoder) = state?;
        match bytes.next().await {
            Some(Ok(chunk)) => {
                let text = decoder.push(chunk.as_ref());
                Some((Ok(text), Some((bytes, decoder))))
            }
            Some(Err(e)) => Some((Err(e), Some((bytes, decoder)))),
            None => decoder.finish().map(|tail| (Ok(tail), None)),
        }
    })
}

/// Incremental lossy UTF-8 decoding, minus the leading BOM.
struct Utf8Decoder {
    /// The start of a character whose remaining bytes have not arrived yet (at most 3 bytes).
    pending: Vec<u8>,
    /// No text was produced yet (a leading BOM is still to be removed).
    at_start: bool,
    /// The text produced so far ends with CR.
    ends_with_cr: bool,
}

impl Default for Utf8Decoder {
    fn default() -> Self {
        Self {
            pending: Vec::new(),
            at_start: true,
            ends_with_cr: false,
        }
    }
}

impl Utf8Decoder {
    fn push(&mut self, chunk: &[u8]) -> String {
        let mut input = std::mem::take(&mut self.pending);
        input.extend_from_slice(chunk);
        let mut text = String::with_capacity(input.len());
        let mut rest = input.as_slice();
        loop {
            match std::str::from_utf8(rest) {
                Ok(valid) => {
                    text.push_str(valid);
                    break;
                }
                Err(e) => {
                    let (valid, after) = rest.split_at(e.valid_up_to());
                    text.push_str(&String::from_utf8_lossy(valid));
                    match e.error_len() {
                        // Invalid bytes: replace them and go on.
                        Some(len) => {
                            text.push(char::REPLACEMENT_CHARACTER);
                            rest = &after[len..];
                        }
                        // A character cut by the chunk's end: wait for its other bytes.
                        None => {
                            self.pending = after.to_vec();
                            break;
                        }
                    }
                }
            }
        }
        self.produced(text)
    }

    /// Remove the BOM from the first text and remember whether the text ends with CR.
    fn produced(&mut self, mut text: String) -> String {
        if text.is_empty() {
            return text;
        }
        if std::mem::take(&mut self.at_start) && text.starts_with('\u{feff}') {
            text.drain(..'\u{feff}'.len_utf8());
        }
        if !text.is_empty() {
            self.ends_with_cr = text.ends_with('\r');
        }
        text
    }

    /// What is left when the stream ends: an incomplete character (replaced), or the LF
    /// that makes a final CR a line ending.
    fn finish(mut self) -> Option<String> {
        let pending = std::mem::take(&mut self.pending);
        let mut tail = self.produced(String::from_utf8_lossy(&pending).into_owned());
        if tail.is_empty() && self.ends_with_cr {
            tail.push('\n');
        }
        (!tail.is_empty()).then_some(tail)
    }
}
