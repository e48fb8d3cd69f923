//! A string that holds a credential: a registry password, or a presigned upload URL.

use std::fmt;

/// A credential in a generated type. `Debug` never shows it: a URL shows its scheme, host and
/// path without the query string that authorizes it; anything else shows `<redacted>`.
///
/// The normalizer marks these properties (`format: password`, see
/// `openapi/normalize-report.txt`, kind `secret-field`) and progenitor generates this type for
/// them. It serializes as the plain string.
///
/// ```
/// use playflow::raw::Secret;
/// let url = Secret::from("https://uploads.example/b.zip?X-Amz-Signature=abc");
/// assert_eq!(format!("{url:?}"), "Secret(\"https://uploads.example/b.zip?<redacted>\")");
/// assert_eq!(url.expose(), "https://uploads.example/b.zip?X-Amz-Signature=abc");
/// let password = Secret::from("ghp_0123456789abcdef");
/// assert_eq!(format!("{password:?}"), "Secret(<redacted>)");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// The value itself. Keep it out of logs.
    ///
    /// ```
    /// let secret = playflow::raw::Secret::from("hunter2");
    /// assert_eq!(secret.expose(), "hunter2");
    /// ```
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The value, consumed.
    ///
    /// ```
    /// let secret = playflow::raw::Secret::from("hunter2");
    /// assert_eq!(secret.into_inner(), "hunter2");
    /// ```
    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match url::Url::parse(&self.0) {
            Ok(url) if url.has_host() => {
                let mut shown = format!(
                    "{}://{}{}",
                    url.scheme(),
                    url.host_str().unwrap_or_default(),
                    url.port().map(|p| format!(":{p}")).unwrap_or_default()
                );
                shown.push_str(url.path());
                if url.query().is_some() {
                    shown.push_str("?<redacted>");
                }
                f.debug_tuple("Secret").field(&shown).finish()
            }
            _ => f.write_str("Secret(<redacted>)"),
        }
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}
