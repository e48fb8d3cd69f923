//! Bytes to Server-Sent Events: `eventsource-stream` does the parsing (line endings split
//! across chunks, comments, multi-line data, the BOM), after a lossy UTF-8 decoding step.
//!
//! Why the extra step: `eventsource-stream` keeps bytes that are not valid UTF-8 in its buffer
//! waiting for the rest of a character; when they are invalid rather than incomplete, no later
//! chunk completes them and every event after them is held back until the connection ends. So
//! invalid sequences are replaced with U+FFFD here (like `String::from_utf8_lossy`), and only
//! a character cut at the end of a chunk is carried over to the next one.

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
    lossy_utf8(bytes).eventsource()
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

/// Incremental lossy UTF-8 decoding.
#[derive(Default)]
struct Utf8Decoder {
    /// The start of a character whose remaining bytes have not arrived yet (at most 3 bytes).
    pending: Vec<u8>,
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
        text
    }

    /// What is left when the stream ends: an incomplete character, replaced.
    fn finish(self) -> Option<String> {
        (!self.pending.is_empty()).then(|| String::from_utf8_lossy(&self.pending).into_owned())
    }
}
