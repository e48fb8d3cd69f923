//! The one redactor: scrubs every secret the client holds from any text that can reach an
//! error, a log or a span, should a server ever echo it.
//!
//! What counts as a secret:
//! - every value [registered](register) while its holder lives: the API key of each live
//!   client, the registry password of a Docker build call, the presigned URL of an upload.
//!   The whole value goes, and so does any run of 8 or more of its characters (a server that
//!   echoes the key minus two characters, or its last 8, still leaks it);
//! - by shape, whether registered or not: the query string of any `http(s)://` URL (a presigned
//!   URL's query is its credential) and the value of any signature parameter
//!   (`X-Amz-Signature=…`, `X-Goog-Credential=…`, `sig=…`, ...) wherever it stands.
//!
//! The registry is process-wide because [`Client::raw`](crate::Client::raw) errors are
//! converted by `From`, which sees no client: it must still know every live key. Entries are
//! weak, so a dropped client's key is forgotten with it.

use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, Mutex, Weak};

use secrecy::{ExposeSecret as _, SecretString};

use super::{ApiError, Error, ErrorDetail, LocPart};

/// What a scrubbed secret is replaced with.
pub(crate) const REDACTED: &str = "<redacted>";

/// The shortest run of a secret's characters that is scrubbed on its own.
const MIN_RUN: usize = 8;

/// Query parameters whose value is a credential, in lower case.
const SIGNATURE_PARAMS: &[&str] = &[
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "x-goog-signature",
    "x-goog-credential",
    "signature",
    "sig",
    "token",
    "access_token",
];

/// Every registered secret, weakly: its [`SecretGuard`] keeps it alive.
static REGISTRY: Mutex<Vec<Weak<SecretString>>> = Mutex::new(Vec::new());

/// Keeps a secret registered with the redactor; dropping the last guard of a value
/// unregisters it.
#[derive(Clone)]
pub(crate) struct SecretGuard(#[allow(dead_code)] Option<Arc<SecretString>>);

impl fmt::Debug for SecretGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretGuard(<redacted>)")
    }
}

/// Register `secret` (nothing for an empty one) for as long as the guard lives.
pub(crate) fn register(secret: &str) -> SecretGuard {
    if secret.is_empty() {
        return SecretGuard(None);
    }
    let mut registry = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    registry.retain(|w| w.strong_count() > 0);
    let existing = registry
        .iter()
        .filter_map(Weak::upgrade)
        .find(|s| s.expose_secret() == secret);
    let strong = existing.unwrap_or_else(|| {
        let strong = Arc::new(SecretString::from(secret));
        registry.push(Arc::downgrade(&strong));
        strong
    });
    SecretGuard(Some(strong))
}

fn registered() -> Vec<Arc<SecretString>> {
    let registry = REGISTRY.lock().unwrap_or_else(|e| e.into_inner());
    registry.iter().filter_map(Weak::upgrade).collect()
}

/// Scrubs the registered secrets, the secrets of one call, and credentials by shape.
/// `Redactor::default()` knows the registered ones and the shapes.
#[derive(Clone, Default)]
pub(crate) struct Redactor {
    extra: Vec<Arc<SecretString>>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactor")
            .field("extra_secrets", &self.extra.len())
            .finish()
    }
}

impl Redactor {
    /// A redactor that also knows `secret` (nothing more when empty).
    pub(crate) fn new(secret: &str) -> Self {
        let mut redactor = Self::default();
        redactor.add(secret);
        redactor
    }

    /// Also scrub `secret`.
    pub(crate) fn add(&mut self, secret: &str) {
        let known = self.extra.iter().any(|s| s.expose_secret() == secret);
        if !secret.is_empty() && !known {
            self.extra.push(Arc::new(SecretString::from(secret)));
        }
    }

    /// `text` with every secret replaced by `<redacted>`.
    pub(crate) fn clean(&self, text: &str) -> String {
        let mut text = text.to_owned();
        self.scrub(&mut text);
        text
    }

    /// Replace every secret in `text` (see the module docs for what that covers).
    pub(crate) fn scrub(&self, text: &mut String) {
        if text.is_empty() {
            return;
        }
        let mut marked = vec![false; text.len()];
        let global = registered();
        for secret in self.extra.iter().chain(&global) {
            mark_secret(
                text.as_bytes(),
                secret.expose_secret().as_bytes(),
                &mut marked,
            );
        }
        mark_url_queries(text.as_bytes(), &mut marked);
        mark_signature_params(text.as_bytes(), &mut marked);
        if marked.contains(&true) {
            *text = replace_marked(text, &marked);
        }
    }

    /// The start of a body as text: at most `max_len` bytes, cut at a character boundary,
    /// scrubbed before the cut (a secret crossing the edge goes whole) and after it.
    pub(crate) fn excerpt(&self, body: &[u8], max_len: usize) -> String {
        let window = body.len().min(max_len + 1024);
        let mut text = String::from_utf8_lossy(&body[..window]).into_owned();
        self.scrub(&mut text);
        let mut end = text.len().min(max_len);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        self.scrub(&mut text);
        text
    }

    /// Scrub every text of `error` that a server or a caller supplied.
    pub(crate) fn scrub_error(&self, error: &mut Error) {
        match error {
            Error::Unauthorized(e) | Error::Forbidden(e) | Error::NotFound(e) | Error::Api(e) => {
                self.scrub_api(e)
            }
            Error::RateLimited(r) => self.scrub_api(&mut r.api),
            Error::Decode(d) => d.scrub(self),
            Error::InvalidInput(i) => {
                self.scrub(&mut i.field);
                self.scrub(&mut i.reason);
            }
            Error::OutcomeUnknown(u) => u.scrub(self),
            Error::Timeout(_) | Error::Transport(_) | Error::ResponseTooLarge(_) => {}
        }
    }

    pub(super) fn scrub_api(&self, api: &mut ApiError) {
        self.scrub(&mut api.message);
        match &mut api.detail {
            ErrorDetail::Message(m) => self.scrub(m),
            ErrorDetail::Validation(issues) => {
                for issue in issues {
                    self.scrub(&mut issue.msg);
                    self.scrub(&mut issue.kind);
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

    /// Scrub a JSON value: strings, and object keys too.
    pub(crate) fn scrub_json(&self, value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(s) => self.scrub(s),
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| self.scrub_json(v)),
            serde_json::Value::Object(map) => {
                let entries = std::mem::take(map);
                for (mut key, mut item) in entries {
                    self.scrub(&mut key);
                    self.scrub_json(&mut item);
                    map.insert(key, item);
                }
            }
            _ => {}
        }
    }
}

/// Mark every occurrence of `secret` in `text`, and every run of [`MIN_RUN`] or more of its
/// bytes: a run of at least `MIN_RUN` bytes of the secret is a chain of its `MIN_RUN`-byte
/// windows, so marking each window of `text` found among the secret's windows covers it
/// (in time linear in `text`).
fn mark_secret(text: &[u8], secret: &[u8], marked: &mut [bool]) {
    if secret.is_empty() {
        return;
    }
    if secret.len() < MIN_RUN {
        let mut from = 0;
        while let Some(at) = find(&text[from..], secret) {
            marked[from + at..from + at + secret.len()].fill(true);
            from += at + secret.len();
        }
        return;
    }
    let windows: HashSet<&[u8]> = secret.windows(MIN_RUN).collect();
    for (at, window) in text.windows(MIN_RUN).enumerate() {
        if windows.contains(window) {
            marked[at..at + MIN_RUN].fill(true);
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Where a URL (or a parameter value) ends: whitespace, a quote, a bracket or a backslash (as
/// in JSON-escaped text).
fn ends_token(b: u8) -> bool {
    b.is_ascii_whitespace() || b"\"'<>`()[]{}\\,".contains(&b)
}

/// Mark the query string (from `?` to the end of the URL) of every `http://` or `https://` URL.
fn mark_url_queries(text: &[u8], marked: &mut [bool]) {
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = find(&lower[from..], b"://") {
        let scheme_end = from + at;
        from = scheme_end + 3;
        if !(lower[..scheme_end].ends_with(b"http") || lower[..scheme_end].ends_with(b"https")) {
            continue;
        }
        let end = text[from..]
            .iter()
            .position(|&b| ends_token(b))
            .map_or(text.len(), |n| from + n);
        if let Some(q) = text[from..end].iter().position(|&b| b == b'?') {
            marked[from + q + 1..end].fill(true);
        }
        from = end;
    }
}

/// Mark the value of every signature parameter (`name=value`, name in [`SIGNATURE_PARAMS`],
/// any case), wherever it stands.
fn mark_signature_params(text: &[u8], marked: &mut [bool]) {
    let lower = text.to_ascii_lowercase();
    for name in SIGNATURE_PARAMS {
        let mut from = 0;
        while let Some(at) = find(&lower[from..], name.as_bytes()) {
            let start = from + at;
            let value = start + name.len() + 1;
            from = start + name.len();
            let starts_word = start == 0 || !is_name_byte(lower[start - 1]);
            if !starts_word || lower.get(value - 1) != Some(&b'=') {
                continue;
            }
            let end = text[value..]
                .iter()
                .position(|&b| b == b'&' || b == b';' || ends_token(b))
                .map_or(text.len(), |n| value + n);
            marked[value..end].fill(true);
            from = end;
        }
    }
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// `text` with each maximal marked range (widened to character boundaries) replaced by
/// [`REDACTED`].
fn replace_marked(text: &str, marked: &[bool]) -> String {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if !marked[i] {
            i += 1;
            continue;
        }
        let mut start = i;
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = marked[i..]
            .iter()
            .position(|&m| !m)
            .map_or(text.len(), |n| i + n);
        while !text.is_char_boundary(end) {
            end += 1;
        }
        match ranges.last_mut() {
            Some(last) if last.1 >= start => last.1 = last.1.max(end),
            _ => ranges.push((start, end)),
        }
        i = end;
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in ranges {
        out.push_str(&text[at..start]);
        out.push_str(REDACTED);
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "pf_live0123456789abcdefSECRETkey";

    #[test]
    fn the_whole_key_and_runs_of_eight_go() {
        let r = Redactor::new(KEY);
        assert_eq!(r.clean(&format!("bad key {KEY}!")), "bad key <redacted>!");
        let partial = &KEY[..KEY.len() - 2];
        assert_eq!(r.clean(&format!("[{partial}]")), "[<redacted>]");
        let tail = &KEY[KEY.len() - 8..];
        assert_eq!(r.clean(&format!("x{tail}x")), "x<redacted>x");
        // Seven characters of it are not a secret on their own.
        assert_eq!(r.clean("pf_live"), "pf_live");
    }

    #[test]
    fn url_queries_and_signatures_go_whatever_their_place() {
        let r = Redactor::default();
        let url = "https://s3.example/b.zip?X-Amz-Signature=abc123&X-Amz-Date=1";
        assert_eq!(
            r.clean(&format!("{{\"upload_url\":\"{url}\"}}")),
            "{\"upload_url\":\"https://s3.example/b.zip?<redacted>\"}"
        );
        assert_eq!(
            r.clean("failed: x-amz-signature=deadbeef; retry"),
            "failed: x-amz-signature=<redacted>; retry"
        );
        // A word that merely ends in a parameter name is left alone.
        assert_eq!(r.clean("config=on"), "config=on");
    }

    #[test]
    fn registered_secrets_are_known_until_their_guard_drops() {
        // Unique: the registry is process-wide, and the other tests of this binary register
        // secrets of their own at the same time (any 8-character run of them is scrubbed too).
        let secret = format!("Zq{}", uuid::Uuid::new_v4().simple());
        let secret = secret.as_str();
        let guard = register(secret);
        assert_eq!(Redactor::default().clean(secret), REDACTED);
        drop(guard);
        // A scrub running on another thread holds the registered values while it runs, so the
        // secret is forgotten when the last such scrub ends, not at the drop itself.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while Redactor::default().clean(secret) != secret {
            assert!(
                std::time::Instant::now() < deadline,
                "still scrubbed after its guard dropped"
            );
            std::thread::yield_now();
        }
    }

    #[test]
    fn object_keys_are_scrubbed() {
        let r = Redactor::new(KEY);
        let mut value = serde_json::json!({ KEY: { "k": [KEY] } });
        r.scrub_json(&mut value);
        assert!(!value.to_string().contains(&KEY[4..12]), "{value}");
    }

    #[test]
    fn multibyte_text_around_a_secret_survives() {
        let r = Redactor::new(KEY);
        assert_eq!(r.clean(&format!("é{KEY}ü")), "é<redacted>ü");
    }
}
