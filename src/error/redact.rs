//! Scrubbing secrets from the texts a server sends back (messages, details, issues, excerpts),
//! should it ever echo them.

use std::fmt;

use secrecy::{ExposeSecret as _, SecretString};

use super::{ApiError, Error, ErrorDetail, LocPart};

/// What a scrubbed secret is replaced with.
const REDACTED: &str = "<redacted>";

/// Replaces the secrets of one call wherever they appear. `Redactor::default()` knows none.
#[derive(Clone, Default)]
pub(crate) struct Redactor {
    secret: Option<SecretString>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactor")
            .field("secret", &self.secret.as_ref().map(|_| REDACTED))
            .finish()
    }
}

impl Redactor {
    /// A redactor of `secret` (nothing when empty).
    pub(crate) fn new(secret: &str) -> Self {
        Self {
            secret: (!secret.is_empty()).then(|| SecretString::from(secret)),
        }
    }

    fn secret(&self) -> &str {
        self.secret.as_ref().map_or("", |s| s.expose_secret())
    }

    /// Replace every occurrence of the secret in `text`.
    pub(crate) fn scrub(&self, text: &mut String) {
        let secret = self.secret();
        if !secret.is_empty() && text.contains(secret) {
            *text = text.replace(secret, REDACTED);
        }
    }

    /// The start of a body as text: at most `max_len` bytes, cut at a character boundary,
    /// scrubbed before the cut (so no part of a secret can survive at the edge).
    pub(crate) fn excerpt(&self, body: &[u8], max_len: usize) -> String {
        let window = body.len().min(max_len + self.secret().len());
        let mut text = String::from_utf8_lossy(&body[..window]).into_owned();
        self.scrub(&mut text);
        let mut end = text.len().min(max_len);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text
    }

    /// Scrub every server-provided text of `error`.
    pub(crate) fn scrub_error(&self, error: &mut Error) {
        match error {
            Error::Unauthorized(e) | Error::Forbidden(e) | Error::NotFound(e) | Error::Api(e) => {
                self.scrub_api(e)
            }
            Error::RateLimited(r) => self.scrub_api(&mut r.api),
            Error::Decode(d) => {
                self.scrub(&mut d.excerpt);
                if let Some(path) = &mut d.path {
                    self.scrub(path);
                }
            }
            Error::InvalidInput(i) => self.scrub(&mut i.reason),
            Error::Timeout(_) | Error::Transport(_) | Error::ResponseTooLarge(_) => {}
        }
    }

    fn scrub_api(&self, api: &mut ApiError) {
        self.scrub(&mut api.message);
        match &mut api.detail {
            ErrorDetail::Message(m) => self.scrub(m),
            ErrorDetail::Validation(issues) => {
                for issue in issues {
                    self.scrub(&mut issue.msg);
                    for part in &mut issue.loc {
                        if let LocPart::Field(f) = part {
                            self.scrub(f);
                        }
                    }
                }
            }
            ErrorDetail::Other(value) => self.scrub_json(value),
            ErrorDetail::None => {}
        }
    }

    fn scrub_json(&self, value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(s) => self.scrub(s),
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| self.scrub_json(v)),
            serde_json::Value::Object(map) => map.values_mut().for_each(|v| self.scrub_json(v)),
            _ => {}
        }
    }
}
