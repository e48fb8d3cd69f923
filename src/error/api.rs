//! The API's error answers: `{error, detail, status}`, its validation issues, and 429s.

use std::fmt;
use std::time::Duration;

use super::text::shown;
use crate::raw::types;

/// How many validation issues `Display` lists (the rest are counted).
const SHOWN_ISSUES: usize = 10;

/// An error answer of the API: `{error, detail, status}`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status code.
    pub status: u16,
    /// The API's short message (`error`), or the status text when the body had none.
    pub message: String,
    /// The structured `detail`.
    pub detail: ErrorDetail,
    /// The operation that failed (the spec's operationId, snake_case).
    pub operation: &'static str,
}

impl ApiError {
    /// An API error, for tests and for code that builds errors of its own.
    ///
    /// ```
    /// let e = playflow::ApiError::new(409, "Player already in a lobby");
    /// assert_eq!(e.status, 409);
    /// ```
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            detail: ErrorDetail::None,
            operation: "",
        }
    }

    pub(crate) fn from_body(status: u16, body: types::Error, operation: &'static str) -> Self {
        Self {
            status,
            message: body.error,
            detail: body
                .detail
                .map(ErrorDetail::from)
                .unwrap_or(ErrorDetail::None),
            operation,
        }
    }
}

/// The server's texts are shown cut short and escaped (see `error::text`).
impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status, shown(&self.message))?;
        match &self.detail {
            ErrorDetail::Message(m) if !m.is_empty() => write!(f, ": {}", shown(m))?,
            ErrorDetail::Validation(issues) => {
                for (i, issue) in issues.iter().take(SHOWN_ISSUES).enumerate() {
                    f.write_str(if i == 0 { ": " } else { "; " })?;
                    write!(f, "{issue}")?;
                }
                if issues.len() > SHOWN_ISSUES {
                    write!(f, "; and {} more", issues.len() - SHOWN_ISSUES)?;
                }
            }
            _ => {}
        }
        if !self.operation.is_empty() {
            write!(f, " (in {})", self.operation)?;
        }
        Ok(())
    }
}

/// The `detail` of an error answer.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ErrorDetail {
    /// No detail.
    None,
    /// A sentence.
    Message(String),
    /// Validation issues (422).
    Validation(Vec<ValidationIssue>),
    /// Any other JSON object.
    Other(serde_json::Value),
}

impl From<types::ErrorDetail> for ErrorDetail {
    fn from(d: types::ErrorDetail) -> Self {
        match d {
            types::ErrorDetail::String(s) => Self::Message(s),
            types::ErrorDetail::Array(issues) => {
                Self::Validation(issues.into_iter().map(ValidationIssue::from).collect())
            }
            types::ErrorDetail::Object(map) => Self::Other(serde_json::Value::Object(map)),
        }
    }
}

/// One validation issue of a 422 answer: where (`loc`), what (`msg`), and its kind (`type`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValidationIssue {
    /// Path of the offending value, e.g. `["body", "ttl"]` or `["query", "limit"]`.
    pub loc: Vec<LocPart>,
    /// Human-readable message.
    pub msg: String,
    /// Machine-readable kind, e.g. `too_small`.
    pub kind: String,
}

impl From<types::ValidationIssue> for ValidationIssue {
    fn from(i: types::ValidationIssue) -> Self {
        Self {
            loc: i
                .loc
                .into_iter()
                .map(|p| match p {
                    types::ValidationIssueLocItem::String(s) => LocPart::Field(s),
                    types::ValidationIssueLocItem::Integer(n) => LocPart::Index(n),
                })
                .collect(),
            msg: i.msg.unwrap_or_default(),
            kind: i.type_.unwrap_or_default(),
        }
    }
}

impl fmt::Display for ValidationIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path: Vec<String> = self.loc.iter().map(ToString::to_string).collect();
        write!(f, "{}: {}", shown(&path.join(".")), shown(&self.msg))
    }
}

/// One step of a validation issue's location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocPart {
    /// A field name (or `body`, `query`, `path`).
    Field(String),
    /// An array index.
    Index(i64),
}

impl fmt::Display for LocPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Field(s) => f.write_str(s),
            Self::Index(i) => write!(f, "{i}"),
        }
    }
}

/// A 429 answer, with what the rate-limit headers said.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RateLimited {
    /// The error body.
    pub api: ApiError,
    /// `Retry-After`, when sent.
    pub retry_after: Option<Duration>,
    /// `X-RateLimit-Limit`: requests per second allowed for this key and kind of call.
    pub limit: Option<u32>,
    /// `X-RateLimit-Remaining`.
    pub remaining: Option<u32>,
}

impl fmt::Display for RateLimited {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rate limited: {}", self.api)?;
        if let Some(after) = self.retry_after {
            write!(f, " (retry after {:.1} s)", after.as_secs_f64())?;
        }
        Ok(())
    }
}

/// The status's reason phrase (`Bad Gateway`), the message of an answer without a body.
pub(super) fn status_text(status: u16) -> String {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("error")
        .to_string()
}
