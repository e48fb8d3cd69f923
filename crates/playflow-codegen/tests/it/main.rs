//! The 3.1 → 3.0.3 normalizer (`src/normalize.rs`).
//!
//! One rewrite at a time: a fragment goes in, the exact fragment that comes out is asserted, and
//! so is the report entry (kind, JSON pointer, detail). Constructs the normalizer does not
//! understand must fail with the pointer and the construct named, because `build.rs` turns that
//! error into the build failure a maintainer reads. Then the whole vendored spec (`spec`): valid
//! 3.0.3, no 3.1 construct left, nothing dropped, and the report snapshot.

mod binding;
mod constructs;
mod document_keywords;
mod enums;
mod errors;
mod growable;
mod request_bodies;
mod responses;
mod schema_keywords;
mod spec;

use playflow_codegen::normalize::{NormalizeError, Normalized, RewriteKind, normalize};
use serde_json::{Value, json};

/// A 3.1 document holding `schemas` as its component schemas and `paths` as its paths.
fn document(schemas: Value, paths: Value) -> Value {
    json!({
        "openapi": "3.1.0",
        "info": { "title": "t", "version": "1" },
        "paths": paths,
        "components": { "schemas": schemas },
    })
}

fn run(input: &Value) -> Normalized {
    normalize(input).unwrap_or_else(|e| panic!("normalize failed: {e}"))
}

fn run_err(input: &Value) -> NormalizeError {
    match normalize(input) {
        Ok(out) => panic!("expected an error, got {}", out.document),
        Err(e) => e,
    }
}

/// The rewrites of a run as `(kind, pointer, detail)`, without the version line every 3.1
/// document gets.
fn rewrites(out: &Normalized) -> Vec<(RewriteKind, &str, &str)> {
    out.report
        .rewrites
        .iter()
        .filter(|r| r.kind != RewriteKind::OpenapiVersion)
        .map(|r| (r.kind, r.pointer.as_str(), r.detail.as_str()))
        .collect()
}

/// Normalize one component schema named `S` and return it with the rewrites.
fn schema_rewrite(schema: Value) -> (Value, Normalized) {
    let out = run(&document(json!({ "S": schema }), json!({})));
    (out.document["components"]["schemas"]["S"].clone(), out)
}
