//! Failures without an API answer: below HTTP, an answer that did not decode, or input refused
//! before any request.

use std::fmt;

use super::text::shown;
use super::{Error, Redactor};

/// A failure below HTTP: connecting, sending, reading, or a timeout. Carries no URL.
#[derive(Debug)]
pub struct TransportError {
    pub(super) source: reqwest::Error,
    operation: &'static str,
}

impl TransportError {
    pub(crate) fn new(source: reqwest::Error, operation: &'static str) -> Self {
        // The URL could carry a presigned query string: drop it from the error.
        Self {
            source: source.without_url(),
            operation,
        }
    }

    /// Whether the connection could not be made at all, so the request never left.
    ///
    /// ```no_run
    /// # fn f(e: &playflow::TransportError) -> bool {
    /// e.is_connect()
    /// # }
    /// ```
    pub fn is_connect(&self) -> bool {
        self.source.is_connect()
    }

    /// Whether the request provably never reached the server: the connection (or the name
    /// lookup) failed, or the request could not even be built.
    pub(super) fn never_sent(&self) -> bool {
        self.source.is_connect() || self.source.is_builder()
    }

    /// Whether the failure was a redirect the client would not follow (a loop, or too many):
    /// the server answered, and will answer the same again.
    pub(super) fn is_redirect(&self) -> bool {
        self.source.is_redirect()
    }

    pub(super) fn operation(&self) -> &'static str {
        self.operation
    }
}

/// What failed, in a few words; what reqwest (and below it hyper and the OS) said is the
/// source chain, not repeated here.
impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = &self.source;
        f.write_str(if e.is_timeout() {
            "no answer in time"
        } else if e.is_connect() {
            "could not connect"
        } else if e.is_redirect() {
            "redirect not followed"
        } else if e.is_body() || e.is_decode() {
            "the response could not be read"
        } else {
            "the request failed"
        })?;
        if !self.operation.is_empty() {
            write!(f, " (in {})", self.operation)?;
        }
        Ok(())
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// A response body that did not decode, with a short excerpt of it and, for JSON that did
/// not fit its type, where (`path`) and why (the source).
#[derive(Debug)]
pub struct DecodeError {
    /// The HTTP status, when known.
    pub status: Option<u16>,
    /// At most [`DecodeError::EXCERPT_LEN`] bytes of the body, cut at a character boundary.
    pub excerpt: String,
    /// The operation whose answer failed to decode.
    pub operation: &'static str,
    /// The JSON path of the value that did not fit (`servers[0].status`), when known.
    pub path: Option<String>,
    /// What was wrong, when it is this error's own message rather than a decoder's.
    reason: Option<String>,
    source: Option<Reason>,
}

/// A decoder's account of why a body did not decode: serde's message (with its line and
/// column), scrubbed like the excerpt, since serde quotes the offending value.
#[derive(Debug)]
struct Reason(String);

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        shown(&self.0).fmt(f)
    }
}

impl std::error::Error for Reason {}

impl DecodeError {
    /// How much of the body an excerpt keeps.
    pub const EXCERPT_LEN: usize = 200;

    /// A decode error whose excerpt of `body` went through `redactor`.
    pub(crate) fn new(
        status: Option<u16>,
        body: &[u8],
        source: Option<serde_json::Error>,
        operation: &'static str,
        redactor: &Redactor,
    ) -> Self {
        Self {
            status,
            excerpt: redactor.excerpt(body, Self::EXCERPT_LEN),
            operation,
            path: None,
            reason: None,
            source: source.map(|e| {
                let mut text = e.to_string();
                redactor.scrub(&mut text);
                Reason(text)
            }),
        }
    }

    pub(super) fn scrub(&mut self, redactor: &Redactor) {
        redactor.scrub(&mut self.excerpt);
        if let Some(path) = &mut self.path {
            redactor.scrub(path);
        }
        if let Some(reason) = &mut self.reason {
            redactor.scrub(reason);
        }
        if let Some(Reason(cause)) = &mut self.source {
            redactor.scrub(cause);
        }
    }

    /// A decode error whose `reason` is its own message (a limit, a content type), not a
    /// decoder's.
    pub(crate) fn with_reason(
        status: Option<u16>,
        body: &[u8],
        reason: String,
        operation: &'static str,
        redactor: &Redactor,
    ) -> Self {
        Self {
            reason: Some(reason),
            ..Self::new(status, body, None, operation, redactor)
        }
    }

    /// The same error, naming the JSON path of the value that did not fit.
    pub(crate) fn at(mut self, mut path: String, redactor: &Redactor) -> Self {
        // Map keys are the server's text, so a path can quote what it echoed.
        redactor.scrub(&mut path);
        self.path = Some(path).filter(|p| !p.is_empty() && p != ".");
        self
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unexpected response body")?;
        if let Some(status) = self.status {
            write!(f, " (status {status})")?;
        }
        if !self.operation.is_empty() {
            write!(f, " in {}", self.operation)?;
        }
        if let Some(path) = &self.path {
            write!(f, " at `{}`", shown(path))?;
        }
        if let Some(reason) = &self.reason {
            write!(f, ": {}", shown(reason))?;
        }
        write!(f, "; body starts: \"{}\"", shown(&self.excerpt))
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_ref().map(|e| e as _)
    }
}

/// A tagged server start whose outcome could not be settled: the search for the server with
/// its tag ([`StartServer::idempotency_tag`](crate::servers::StartServer::idempotency_tag))
/// hit its bound (pages or time) or failed, so the client cannot tell whether PlayFlow started
/// it. Do not start again blindly: look for a server whose `custom_data` holds the tag under
/// [`IDEMPOTENCY_KEY`](crate::servers::IDEMPOTENCY_KEY) first, later.
///
/// ```
/// # fn f(err: playflow::Error) {
/// if let playflow::Error::OutcomeUnknown(unknown) = &err {
///     eprintln!("start {} may have happened: {}", unknown.tag, unknown.reason);
/// }
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct OutcomeUnknown {
    /// The start's idempotency tag.
    pub tag: String,
    /// Whether the start request was sent (`false`: the lookup before it could not finish,
    /// and nothing was started).
    pub start_sent: bool,
    /// How many pages of the server list were read looking for the tag.
    pub pages_listed: u32,
    /// Why the search did not settle it.
    pub reason: String,
    source: Option<Box<Error>>,
}

impl OutcomeUnknown {
    pub(crate) fn new(
        tag: &str,
        start_sent: bool,
        pages_listed: u32,
        reason: impl Into<String>,
        source: Option<Error>,
    ) -> Self {
        Self {
            tag: tag.to_owned(),
            start_sent,
            pages_listed,
            reason: reason.into(),
            source: source.map(Box::new),
        }
    }

    pub(super) fn scrub(&mut self, redactor: &Redactor) {
        redactor.scrub(&mut self.reason);
        if let Some(source) = &mut self.source {
            redactor.scrub_error(source);
        }
    }
}

impl fmt::Display for OutcomeUnknown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.start_sent {
            "may have started a server"
        } else {
            "was not sent: a server with its tag may exist"
        };
        write!(
            f,
            "the start tagged `{}` {what} ({}, after {} page(s) of servers)",
            self.tag, self.reason, self.pages_listed
        )
    }
}

impl std::error::Error for OutcomeUnknown {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as _)
    }
}

/// A response body larger than the client reads
/// ([`ClientBuilder::max_response_body`](crate::ClientBuilder::max_response_body), or
/// [`MAX_ERROR_BODY`](crate::transport::MAX_ERROR_BODY) for an error status). Its connection
/// was dropped with the rest of the body unread.
///
/// ```
/// # async fn demo(client: playflow::Client) {
/// match client.servers().get("s-1").await {
///     Err(playflow::Error::ResponseTooLarge(e)) => eprintln!("{} bytes at most: {e}", e.limit),
///     _ => {}
/// }
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResponseTooLarge {
    /// The operation whose answer was too large.
    pub operation: &'static str,
    /// The HTTP status of the answer.
    pub status: u16,
    /// The cap it went past, in bytes.
    pub limit: u64,
    /// The length the server announced (`Content-Length`), when it announced one past the cap;
    /// `None` when the body went past the cap while arriving.
    pub announced: Option<u64>,
}

impl fmt::Display for ResponseTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "response body over the {} limit (status {}",
            Bytes(self.limit),
            self.status
        )?;
        if let Some(announced) = self.announced {
            write!(f, ", {} announced", Bytes(announced))?;
        }
        if !self.operation.is_empty() {
            write!(f, ", in {}", self.operation)?;
        }
        f.write_str(")")
    }
}

impl std::error::Error for ResponseTooLarge {}

/// A byte count in the largest binary unit that divides it (`64 KiB`, `1000 bytes`).
struct Bytes(u64);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0;
        match n {
            0 => f.write_str("0 bytes"),
            _ if n.is_multiple_of(1 << 30) => write!(f, "{} GiB", n >> 30),
            _ if n.is_multiple_of(1 << 20) => write!(f, "{} MiB", n >> 20),
            _ if n.is_multiple_of(1 << 10) => write!(f, "{} KiB", n >> 10),
            _ => write!(f, "{n} bytes"),
        }
    }
}

/// Input refused before any request: which argument, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InvalidInput {
    /// The argument or field, e.g. `ttl`.
    pub field: String,
    /// What is wrong with it.
    pub reason: String,
}

impl InvalidInput {
    /// An input error.
    ///
    /// ```
    /// let e = playflow::InvalidInput::new("ttl", "must be between 60 s and 86400 s");
    /// assert_eq!(e.to_string(), "invalid ttl: must be between 60 s and 86400 s");
    /// ```
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: {}", self.field, self.reason)
    }
}

impl std::error::Error for InvalidInput {}
