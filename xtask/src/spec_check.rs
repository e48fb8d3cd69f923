//! Whether a text is a spec this crate can be generated from, and its one stable written form.

use anyhow::{Result, anyhow, bail};
use serde_json::Value;

use playflow_codegen::binding::Binding;
use playflow_codegen::generate::{Generated, generate_bound};

/// A spec that passed every check.
pub struct CheckedSpec {
    /// The parsed document.
    pub document: Value,
    /// The form it is vendored in: `serde_json`'s pretty printing (two-space indent, keys in
    /// document order) and a final newline. Stable, so re-writing a vendored spec from itself
    /// leaves it byte-for-byte unchanged and diffs between versions stay small.
    pub canonical: String,
    /// The output of the code generation pipeline run on `canonical`.
    pub generated: Generated,
}

/// The stable written form of a document.
pub fn canonical_text(document: &Value) -> String {
    let mut text = serde_json::to_string_pretty(document).expect("a Value always serializes");
    text.push('\n');
    text
}

/// Check that `text` is JSON, OpenAPI 3.1.x, accepted by the normalizer, and that progenitor
/// generates the client from it (under the names of `binding`, when given).
pub fn check_spec(text: &str, binding: Option<&Binding>) -> Result<CheckedSpec> {
    let document: Value =
        serde_json::from_str(text).map_err(|e| anyhow!("the spec is not valid JSON: {e}"))?;
    if !document.is_object() {
        bail!("the spec is not a JSON object");
    }
    match (
        document.get("openapi").and_then(Value::as_str),
        document.get("swagger"),
    ) {
        (Some(v), _) if v.starts_with("3.1.") => {}
        (Some(v), _) => bail!("the spec is OpenAPI {v}; expected OpenAPI 3.1.x"),
        (None, Some(v)) => bail!(
            "the spec is Swagger {}; expected OpenAPI 3.1.x",
            v.as_str().unwrap_or("(unknown version)")
        ),
        (None, None) => bail!("the spec has no `openapi` version field; expected OpenAPI 3.1.x"),
    }
    let canonical = canonical_text(&document);
    let generated = generate_bound(&canonical, binding)
        .map_err(|e| anyhow!("code generation rejects the spec: {e}"))?;
    Ok(CheckedSpec {
        document,
        canonical,
        generated,
    })
}
