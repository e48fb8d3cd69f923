//! Failures without an API answer: below HTTP, an answer that did not decode, or input refused
//! before any request.

use std::fmt;

use super::Redactor;

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
    source: Option<serde_json::Error>,
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
            source,
        }
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
