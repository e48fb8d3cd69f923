//! Reading a response body with a cap, inside the transport.
//!
//! The generated code reads every body whole (`ResponseValue::from_response`), without a limit.
//! So the transport reads the body of the answer it hands back first, at most the cap for its
//! status: the client's [`max_response_body`](crate::ClientBuilder::max_response_body) for
//! other answers, [`MAX_ERROR_BODY`] for error statuses. A body announced larger by its
//! `Content-Length` is not read at all; one that turns out larger while arriving is read no
//! further. Either way its connection is dropped (an unread body is never pooled), and the
//! generated code gets a body that fails with a [`ResponseTooLarge`], which the error module
//! turns into [`Error::ResponseTooLarge`](crate::Error::ResponseTooLarge). A body that fails
//! to arrive (reset, truncated, timed out) fails the request as a transport error.
//!
//! Reading here, rather than wrapping the body in a counting stream, also keeps the memory at
//! one buffer: a body with a `Content-Length` lands in one allocation of that size, which the
//! generated code then decodes without another copy (reqwest's own collecting would copy its
//! chunks once more). A body of unknown length is kept as its chunks until it ends, so one
//! refused at the cap never held more than the cap; joining the chunks of an accepted one
//! costs one copy, and each piece is freed as soon as it is copied, so the peak stays near
//! the cap plus one piece (examples/response_body_memory.rs measures it: at a 32 MiB cap,
//! 40 MiB peak RSS with or without `Content-Length`, the process's own 7 MiB included).
//!
//! The body of an error status is also recorded in the call scope (at most the cap), where
//! the error module reads the server's message from it whatever its layout.

use bytes::{Bytes, BytesMut};
use reqwest::ResponseBuilderExt as _;

use super::call_scope;
use crate::error::ResponseTooLarge;

/// The default of [`ClientBuilder::max_response_body`](crate::ClientBuilder::max_response_body):
/// 32 MiB. The largest answers of the API are pages of 1000 log lines (about 100 KiB at
/// realistic line lengths) and of 100 servers with their custom data.
pub const DEFAULT_MAX_RESPONSE_BODY: u64 = 32 * 1024 * 1024;

/// The cap of an error answer's body (any status from 400): 64 KiB. The API's error bodies
/// are a few hundred bytes; a proxy's error page a few KiB.
pub const MAX_ERROR_BODY: u64 = 64 * 1024;

/// Read `response`'s body under its cap, and give back the response with that body in memory
/// (or, past the cap, with a body that fails with [`ResponseTooLarge`]).
pub(crate) async fn buffer(
    response: reqwest::Response,
    max_body: u64,
    operation: &'static str,
) -> reqwest::Result<reqwest::Response> {
    let status = response.status().as_u16();
    let is_error = status >= 400;
    let limit = if is_error {
        MAX_ERROR_BODY.min(max_body)
    } else {
        max_body
    };
    let announced = response.content_length();
    let too_large = ResponseTooLarge {
        operation,
        status,
        limit,
        announced: announced.filter(|&n| n > limit),
    };
    let url = response.url().clone();
    let (mut parts, body) = http::Response::from(response).into_parts();
    // `http::Response` loses reqwest's URL extension; `ResponseBuilderExt::url` puts it back,
    // so a redirect's `Location` still resolves against the right base.
    if let Ok(marker) = http::Response::builder().url(url).body(()) {
        parts.extensions.extend(marker.into_parts().0.extensions);
    }
    let mut body = reqwest::Response::from(http::Response::new(body));
    let body = match announced {
        // Not a byte is read of a success body announced past the cap. An error body's start
        // is still worth its few KiB: it says what went wrong.
        Some(n) if n > limit && !is_error => {
            drop(body);
            Err(too_large)
        }
        _ => match read_capped(&mut body, limit, announced).await? {
            Capped::Whole(bytes) => {
                if is_error {
                    call_scope::record_body(status, bytes.clone());
                }
                Ok(bytes)
            }
            Capped::Cut(prefix) => {
                if is_error {
                    let len = prefix.iter().map(Bytes::len).sum();
                    call_scope::record_body(status, join(prefix, len));
                }
                Err(too_large)
            }
        },
    };
    let body =
        match body {
            Ok(bytes) => reqwest::Body::from(bytes),
            Err(too_large) => reqwest::Body::wrap_stream(futures::stream::once(async move {
                Err::<Bytes, _>(too_large)
            })),
        };
    Ok(reqwest::Response::from(http::Response::from_parts(
        parts, body,
    )))
}

/// A body read up to its cap.
enum Capped {
    /// All of it.
    Whole(Bytes),
    /// The first `limit` bytes of a longer body (the rest is not read), in pieces: joined
    /// only when wanted (an error body's start), so a refused body is never copied.
    Cut(Vec<Bytes>),
}

async fn read_capped(
    body: &mut reqwest::Response,
    limit: u64,
    announced: Option<u64>,
) -> reqwest::Result<Capped> {
    // `limit` fits in memory by the caller's choice; a `usize` smaller than it cannot happen on
    // the 64-bit targets that matter, and saturates elsewhere.
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    match announced {
        // One allocation of the announced size (at most the cap), filled in place.
        Some(n) => {
            let expected = usize::try_from(n).unwrap_or(usize::MAX).min(limit);
            let mut buf = BytesMut::with_capacity(expected);
            while let Some(chunk) = body.chunk().await? {
                let room = limit - buf.len();
                if chunk.len() > room {
                    buf.extend_from_slice(&chunk[..room]);
                    return Ok(Capped::Cut(vec![buf.freeze()]));
                }
                buf.extend_from_slice(&chunk);
            }
            Ok(Capped::Whole(buf.freeze()))
        }
        // Unknown length: copy the chunks into segments of fixed size as they come (no buffer
        // growing by copies; and a chunk from hyper can pin a read buffer many times its
        // size), so that a body refused at the cap never held much more than the cap; join
        // the segments once at the end.
        None => {
            let segment = SEGMENT.min(limit.max(1));
            let mut segments: Vec<Bytes> = Vec::new();
            let mut current = BytesMut::new();
            let mut len = 0;
            while let Some(chunk) = body.chunk().await? {
                let room = limit - len;
                let cut = chunk.len() > room;
                let mut rest = &chunk[..chunk.len().min(room)];
                len += rest.len();
                while !rest.is_empty() {
                    if current.capacity() == current.len() {
                        if !current.is_empty() {
                            segments.push(std::mem::take(&mut current).freeze());
                        }
                        current.reserve(segment);
                    }
                    let n = rest.len().min(current.capacity() - current.len());
                    current.extend_from_slice(&rest[..n]);
                    rest = &rest[n..];
                }
                if cut {
                    segments.push(current.freeze());
                    return Ok(Capped::Cut(segments));
                }
            }
            segments.push(current.freeze());
            Ok(Capped::Whole(join(segments, len)))
        }
    }
}

/// The segment size of a body of unknown length.
const SEGMENT: usize = 256 * 1024;

/// The chunks as one buffer (without a copy when there is one chunk).
fn join(mut chunks: Vec<Bytes>, len: usize) -> Bytes {
    chunks.retain(|c| !c.is_empty());
    if chunks.len() <= 1 {
        return chunks.pop().unwrap_or_default();
    }
    let mut buf = BytesMut::with_capacity(len);
    for chunk in chunks {
        buf.extend_from_slice(&chunk);
    }
    buf.freeze()
}
