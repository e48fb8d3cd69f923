//! The streamed PUT of a ZIP to a presigned storage URL.
//!
//! The body is read from its source in fixed-size chunks as the connection takes them, so
//! memory stays constant whatever the archive's size (a file or a reader, through
//! `ReaderStream`). The request goes through the client's
//! `reqwest::Client` directly, not through the generated operations, so the transport never
//! adds the `api-key` header: the URL itself is the credential. Its query string (the
//! signature) never appears in an error: reqwest errors are stripped of their URL and storage
//! error bodies are reduced to their error code.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::{Stream, TryStreamExt as _};
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE};
use tokio::sync::watch;

use crate::error::{
    ApiError, Error, ErrorDetail, InvalidInput, Result, TransportError, from_status,
};
use crate::transport::headers;
use crate::transport::retry;

/// Operation name of the PUT in errors.
const OPERATION: &str = "upload_build";

/// How far an upload got. `sent` counts bytes handed to the connection; it starts again from 0
/// if the upload is sent again (after a transient failure, or on a fresh URL).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// Bytes sent so far.
    pub sent: u64,
    /// Bytes of the whole archive.
    pub total: u64,
}

impl Progress {
    /// `sent / total` between 0 and 1 (1 for an empty total).
    ///
    /// ```
    /// let p = playflow::builds::Progress::default();
    /// assert_eq!(p.fraction(), 1.0);
    /// ```
    pub fn fraction(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.sent as f64 / self.total as f64
        }
    }
}

type Callback = Arc<dyn Fn(Progress) + Send + Sync>;

/// Where progress goes: a callback, a watch channel, both or neither.
#[derive(Clone, Default)]
pub(crate) struct ProgressSink {
    pub(crate) callback: Option<Callback>,
    pub(crate) channel: Option<watch::Sender<Progress>>,
}

impl fmt::Debug for ProgressSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProgressSink")
            .field("callback", &self.callback.is_some())
            .field("channel", &self.channel.is_some())
            .finish()
    }
}

impl ProgressSink {
    fn report(&self, progress: Progress) {
        if let Some(callback) = &self.callback {
            callback(progress);
        }
        if let Some(channel) = &self.channel {
            channel.send_replace(progress);
        }
    }
}

/// How a PUT failed.
pub(crate) enum PutError {
    /// 403: the storage refused the URL (expired, or its signature does not match). A fresh
    /// URL may succeed.
    Rejected(Error),
    /// A failure the same PUT may not meet again (a refused connection, a timeout, 408, 429,
    /// 500–504: the retry rules of idempotent calls), with the storage's `Retry-After`.
    Transient {
        error: Error,
        reason: &'static str,
        server_delay: Option<Duration>,
    },
    /// Anything else.
    Failed(Error),
}

impl From<PutError> for Error {
    fn from(e: PutError) -> Self {
        match e {
            PutError::Rejected(e) | PutError::Failed(e) | PutError::Transient { error: e, .. } => e,
        }
    }
}

/// PUT the `len` bytes of `chunks` to `url`, streamed, with `Content-Type: application/zip`
/// and `Content-Length`, and without the API key.
pub(crate) async fn put_zip<S>(
    http: &reqwest::Client,
    url: &str,
    chunks: S,
    len: u64,
    progress: &ProgressSink,
    timeout: Duration,
) -> std::result::Result<(), PutError>
where
    S: Stream<Item = std::io::Result<Bytes>> + Send + 'static,
{
    let url = parse_url(url).map_err(PutError::Failed)?;
    progress.report(Progress {
        sent: 0,
        total: len,
    });
    let sink = progress.clone();
    let mut sent = 0u64;
    let chunks = chunks.inspect_ok(move |chunk| {
        sent += chunk.len() as u64;
        sink.report(Progress { sent, total: len });
    });
    let outcome = http
        .put(url)
        .header(CONTENT_TYPE, "application/zip")
        .header(CONTENT_LENGTH, len)
        .timeout(timeout)
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await;
    // A presigned PUT is idempotent: the rules of the client's other idempotent calls apply.
    let transient = retry::retryable(&outcome, true);
    let response = match outcome {
        Ok(response) => response,
        Err(e) => {
            let error = transport(e);
            return Err(match transient {
                Some(why) => PutError::Transient {
                    error,
                    reason: why.reason,
                    server_delay: why.server_delay,
                },
                None => PutError::Failed(error),
            });
        }
    };
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let headers = response.headers().clone();
    let code = storage_error_code(response).await;
    let mut api = ApiError::new(status.as_u16(), rejection_message(status.as_u16()));
    api.operation = OPERATION;
    if let Some(code) = code {
        api.detail = ErrorDetail::Message(code);
    }
    let response = headers::response_info(status.as_u16(), &headers);
    let error = from_status(api, Some(&response));
    Err(match transient {
        _ if status == reqwest::StatusCode::FORBIDDEN => PutError::Rejected(error),
        Some(why) => PutError::Transient {
            error,
            reason: why.reason,
            server_delay: why.server_delay,
        },
        None => PutError::Failed(error),
    })
}

fn parse_url(url: &str) -> Result<reqwest::Url> {
    // The URL is never echoed: its query string is the credential.
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| InvalidInput::new("upload_url", format!("not a valid URL ({e})")))?;
    match parsed.scheme() {
        "https" | "http" => Ok(parsed),
        other => {
            Err(InvalidInput::new("upload_url", format!("unsupported scheme `{other}`")).into())
        }
    }
}

fn transport(e: reqwest::Error) -> Error {
    if e.is_timeout() {
        Error::Timeout(TransportError::new(e, OPERATION))
    } else {
        Error::Transport(TransportError::new(e, OPERATION))
    }
}

fn rejection_message(status: u16) -> &'static str {
    match status {
        403 => {
            "the storage rejected the presigned upload URL (expired, or its signature does not match)"
        }
        413 => "the storage refused the archive as too large",
        _ => "the storage refused the upload",
    }
}

/// The `<Code>` of an S3-style XML error body (`AccessDenied`, `SignatureDoesNotMatch`, ...).
/// Nothing else of the body is kept: some storages echo the signed request in it.
async fn storage_error_code(mut response: reqwest::Response) -> Option<String> {
    const LIMIT: usize = 8 * 1024;
    let mut body = Vec::new();
    while body.len() < LIMIT {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            _ => break,
        }
    }
    let text = String::from_utf8_lossy(&body);
    let start = text.find("<Code>")? + "<Code>".len();
    let end = start + text[start..].find("</Code>")?;
    let code = text[start..end].trim();
    let plain = !code.is_empty()
        && code.len() <= 64
        && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '.');
    plain.then(|| code.to_owned())
}
