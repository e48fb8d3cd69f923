//! OpenAPI 3.1 → 3.0.3 normalization, so that progenitor 0.15 (which reads only 3.0) can generate
//! the low-level client.
//!
//! Every rewrite is recorded in a [`Report`]; anything not understood is an [`NormalizeError`]
//! naming the JSON pointer and the construct, so a spec PlayFlow changes never degrades silently.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value, json};

use crate::names::route_operation_id;

mod enums;
mod nullable;
mod paths;
mod report;
mod responses;
mod schema;

pub use enums::is_open_enum_candidate;
pub use report::{NormalizeError, Report, Rewrite, RewriteKind};
pub use schema::{SECRET_PROPERTIES, normalize_schema};

use enums::*;
use nullable::*;
use paths::*;
use responses::*;
use schema::*;

/// The normalized 3.0.3 document and the report of what was rewritten.
#[derive(Debug, Clone)]
pub struct Normalized {
    pub document: Value,
    pub report: Report,
}

type Result<T> = std::result::Result<T, NormalizeError>;

pub(super) fn fail<T>(pointer: &str, construct: impl Into<String>) -> Result<T> {
    Err(NormalizeError {
        pointer: pointer.to_owned(),
        construct: construct.into(),
        more: Vec::new(),
    })
}

/// Escape one JSON-pointer reference token (RFC 6901).
pub(super) fn token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

pub(super) fn child(pointer: &str, key: &str) -> String {
    format!("{pointer}/{}", token(key))
}

/// Normalize a parsed OpenAPI 3.1 document.
pub fn normalize(input: &Value) -> Result<Normalized> {
    let mut doc = input.clone();
    let mut report = Report::default();
    let root = doc.as_object_mut().ok_or_else(|| NormalizeError {
        pointer: String::new(),
        construct: "the document is not a JSON object".into(),
        more: Vec::new(),
    })?;

    let version = root
        .get("openapi")
        .and_then(Value::as_str)
        .map(str::to_owned);
    match version.as_deref() {
        Some(v) if v.starts_with("3.1.") => {
            root.insert("openapi".into(), json!("3.0.3"));
            report.push(
                "/openapi",
                RewriteKind::OpenapiVersion,
                format!("{v} -> 3.0.3"),
            );
        }
        Some(v) if v.starts_with("3.0.") => {}
        Some(v) => return fail("/openapi", format!("OpenAPI version {v} (expected 3.1.x)")),
        None => return fail("/openapi", "missing `openapi` version field"),
    }
    for key in ["jsonSchemaDialect", "$schema", "webhooks"] {
        if root.shift_remove(key).is_some() {
            report.push(&child("", key), RewriteKind::DroppedKeyword, key);
        }
    }
    if let Some(info) = root.get_mut("info").and_then(Value::as_object_mut) {
        if info.shift_remove("summary").is_some() {
            report.push("/info/summary", RewriteKind::DroppedKeyword, "info.summary");
        }
        if let Some(license) = info.get_mut("license").and_then(Value::as_object_mut)
            && license.shift_remove("identifier").is_some()
        {
            report.push(
                "/info/license/identifier",
                RewriteKind::DroppedKeyword,
                "license.identifier",
            );
        }
    }
    if !root.contains_key("paths") {
        root.insert("paths".into(), json!({}));
    }

    split_nullable_components(root, &mut report);
    let mut hoisted = Vec::new();
    if let Some(components) = root.get_mut("components").and_then(Value::as_object_mut) {
        if components.shift_remove("pathItems").is_some() {
            return fail("/components/pathItems", "components.pathItems (3.1 only)");
        }
        let result = normalize_components(components, &mut report, &mut hoisted);
        report.keep(result);
    }
    if let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let result = normalize_path_item(item, path, &mut report);
            report.keep(result);
        }
    }
    // Hoisted enums are added last, so they do not shift the pointers recorded above.
    if !hoisted.is_empty() {
        let schemas = root
            .get_mut("components")
            .and_then(|c| c.get_mut("schemas"))
            .and_then(Value::as_object_mut)
            .expect("hoisting happens only inside components/schemas");
        for (name, schema) in hoisted {
            schemas.insert(name, schema);
        }
    }
    // Error bodies are merged after everything else so that the schemas they compare are final.
    let components = root.get("components").cloned().unwrap_or(json!({}));
    if let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let result =
                normalize_responses_shape(item, &child("/paths", path), &components, &mut report);
            report.keep(result);
        }
    }
    let mut problems = std::mem::take(&mut report.problems).into_iter();
    if let Some(mut first) = problems.next() {
        first.more = problems.collect();
        return Err(first);
    }
    Ok(Normalized {
        document: doc,
        report,
    })
}
