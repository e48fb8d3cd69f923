//! Where a spec is read from: an `http(s)` URL or a file.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use reqwest::Url;
use serde_json::Value;

/// The live PlayFlow spec.
pub const DEFAULT_SPEC_URL: &str = "https://api.computeflow.cloud/api/doc";

/// More than any plausible API description; guards against an endless or wrong download.
const MAX_SPEC_BYTES: u64 = 32 * 1024 * 1024;

/// A spec source given on the command line.
#[derive(Debug, Clone)]
pub enum SpecSource {
    Url(Url),
    File(PathBuf),
}

impl SpecSource {
    /// `http://` and `https://` arguments are URLs; anything else is a file path.
    pub fn parse(arg: &str) -> Result<Self> {
        let lower = arg.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            let url = Url::parse(arg).with_context(|| format!("invalid URL {arg:?}"))?;
            Ok(Self::Url(url))
        } else if lower.contains("://") {
            bail!("unsupported source {arg:?}: give an http(s) URL or a file path")
        } else {
            Ok(Self::File(PathBuf::from(arg)))
        }
    }

    /// The source as it may be written down: a URL without credentials, query or fragment
    /// (they may hold tokens), or the file path.
    pub fn describe(&self) -> String {
        match self {
            Self::Url(url) => {
                let mut shown = url.clone();
                let _ = shown.set_username("");
                let _ = shown.set_password(None);
                shown.set_fragment(None);
                let had_query = shown.query().is_some();
                shown.set_query(None);
                if had_query {
                    format!("{shown} (query omitted)")
                } else {
                    shown.to_string()
                }
            }
            Self::File(path) => path.display().to_string(),
        }
    }

    /// The text of the spec.
    pub fn read(&self) -> Result<String> {
        match self {
            Self::File(path) => std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display())),
            Self::Url(url) => fetch(url, &self.describe()),
        }
    }
}

fn fetch(url: &Url, shown: &str) -> Result<String> {
    // Errors are stripped of the URL: it was given in full on purpose, but `shown` is what may
    // be printed.
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .user_agent(concat!("playflow-xtask/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("cannot build the HTTP client")?;
    let response = client
        .get(url.clone())
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .map_err(|e| e.without_url())
        .with_context(|| format!("cannot fetch {shown}"))?;
    let status = response.status();
    if !status.is_success() {
        bail!("fetching {shown} returned HTTP {status}");
    }
    let mut bytes = Vec::new();
    response
        .take(MAX_SPEC_BYTES + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read the response from {shown}"))?;
    if bytes.len() as u64 > MAX_SPEC_BYTES {
        bail!("the response from {shown} is larger than {MAX_SPEC_BYTES} bytes");
    }
    String::from_utf8(bytes).with_context(|| format!("the response from {shown} is not UTF-8"))
}

/// Read and parse an OpenAPI document (any version) for the change report.
pub fn read_openapi_file(path: &Path) -> Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let doc: Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not valid JSON", path.display()))?;
    if doc.get("openapi").and_then(Value::as_str).is_none() {
        bail!(
            "{} is not an OpenAPI document (no `openapi` version field)",
            path.display()
        );
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_described_without_secrets() {
        let source =
            SpecSource::parse("https://user:pw@api.example.com/api/doc?token=s3cret#x").unwrap();
        let shown = source.describe();
        assert_eq!(shown, "https://api.example.com/api/doc (query omitted)");
    }

    #[test]
    fn anything_without_a_scheme_is_a_file() {
        assert!(matches!(
            SpecSource::parse("openapi/playflow.json").unwrap(),
            SpecSource::File(_)
        ));
        assert!(SpecSource::parse("ftp://example.com/doc").is_err());
    }
}
