//! Failures without an API answer: below HTTP, an answer that did not decode, or input refused
//! before any request.

use std::fmt;

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

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)?;
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

/// A response body that did not decode, with a short excerpt of it.
#[derive(Debug)]
pub struct DecodeError {
    /// The HTTP status, when known.
    pub status: Option<u16>,
    /// At most [`DecodeError::EXCERPT_LEN`] bytes of the body, cut at a character boundary.
    pub excerpt: String,
    /// The operation whose answer failed to decode.
    pub operation: &'static str,
    /// The decoder's message, scrubbed: serde quotes the offending value, which may be a
    /// secret the server echoed.
    source: Option<Cause>,
}

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
            source: source.map(|e| Cause(redactor.clean(&e.to_string()))),
        }
    }

    pub(super) fn scrub(&mut self, redactor: &Redactor) {
        redactor.scrub(&mut self.excerpt);
        if let Some(Cause(cause)) = &mut self.source {
            redactor.scrub(cause);
        }
    }
}

/// A cause kept as its (scrubbed) message.
#[derive(Debug)]
struct Cause(String);

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Cause {}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("unexpected response body")?;
        if let Some(status) = self.status {
            write!(f, " (status {status})")?;
        }
        if !self.operation.is_empty() {
            write!(f, " in {}", self.operation)?;
        }
        if let Some(source) = &self.source {
            write!(f, ": {source}")?;
        }
        write!(f, "; body starts: {:?}", self.excerpt)
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
