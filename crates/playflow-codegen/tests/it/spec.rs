//! The normalizer on the base spec (`tests/data/base.json`, the vendored spec in our own names
//! as it was when these tests and the variants beside it were written): the output is a 3.0.3
//! document openapiv3 parses, no 3.1 construct is left, nothing was dropped (same operations,
//! paths, methods and parameters), and the report matches the committed snapshot
//! `tests/data/base.normalize-report.txt` (rewrite it with `UPDATE_SNAPSHOTS=1 cargo test -p
//! playflow-codegen`).
//!
//! A frozen copy, not `openapi/playflow.json`: `cargo xtask update-spec` replaces that file
//! with PlayFlow's live document (its names, its idioms, its new operations), and the
//! generator's tests must not fail on a refresh that the facade takes unchanged. The vendored
//! spec's own snapshot (`openapi/normalize-report.txt`) is `cargo xtask check`'s.

use std::collections::BTreeSet;

use crate::constructs::{METHODS, constructs_3_1};
use playflow_codegen::normalize::{Normalized, normalize};
use serde_json::{Value, json};

/// The base spec (see the module comment).
const SPEC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/base.json");
/// Its binding file.
const BINDING: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/binding.json");
const SNAPSHOT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/base.normalize-report.txt"
);

fn spec() -> Value {
    let text = std::fs::read_to_string(SPEC).expect("the vendored spec is readable");
    serde_json::from_str(&text).expect("the vendored spec is JSON")
}

fn normalized() -> (Value, Normalized) {
    let input = spec();
    let out = normalize(&input).unwrap_or_else(|e| panic!("the vendored spec fails: {e}"));
    (input, out)
}

#[test]
fn the_output_is_a_3_0_3_document_openapiv3_parses() {
    let (input, out) = normalized();
    let parsed: openapiv3::OpenAPI = serde_json::from_value(out.document)
        .unwrap_or_else(|e| panic!("openapiv3 cannot parse the output: {e}"));
    assert_eq!(parsed.openapi, "3.0.3");
    assert_eq!(
        parsed.paths.paths.len(),
        input["paths"].as_object().expect("paths").len()
    );
    assert!(parsed.components.is_some_and(|c| c.schemas.len() >= 52));
}

#[test]
fn no_3_1_construct_is_left() {
    let (input, out) = normalized();
    let (before, visited_before) = constructs_3_1(&input);
    let (after, visited_after) = constructs_3_1(&out.document);
    // The walk must see the constructs in the input, or its silence on the output means nothing.
    for construct in [
        "type array",
        "$ref with siblings",
        "type null",
        "keyword examples",
    ] {
        assert!(
            before.iter().any(|f| f.ends_with(construct)),
            "the input has no `{construct}`: {before:#?}"
        );
    }
    assert!(visited_before > 300, "walked only {visited_before} schemas");
    // Hoisted enums add schemas; nothing is lost.
    assert!(
        visited_after >= visited_before,
        "{visited_after} < {visited_before}"
    );
    assert_eq!(after, Vec::<String>::new());
}

type OperationKey = (String, String, String, BTreeSet<(String, String, bool)>);

/// `(path, method, operationId, {(name, in, required)})` of every operation of the raw JSON.
fn operations_of_json(doc: &Value) -> BTreeSet<OperationKey> {
    let param = |p: &Value| -> (String, String, bool) {
        let p = match p.get("$ref").and_then(Value::as_str) {
            Some(r) => doc
                .pointer(r.trim_start_matches('#'))
                .expect("parameter $ref resolves"),
            None => p,
        };
        (
            p["name"].as_str().expect("parameter name").to_owned(),
            p["in"].as_str().expect("parameter in").to_owned(),
            p.get("required").and_then(Value::as_bool).unwrap_or(false),
        )
    };
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let shared: Vec<Value> = item
            .get("parameters")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let own = op
                .get("parameters")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let params = shared.iter().chain(&own).map(param).collect();
            let id = op["operationId"].as_str().expect("operationId").to_owned();
            ops.insert((path.clone(), (*method).to_owned(), id, params));
        }
    }
    ops
}

/// The same set, as openapiv3 reads the normalized document: what progenitor sees.
fn operations_of_openapiv3(doc: &openapiv3::OpenAPI) -> BTreeSet<OperationKey> {
    use openapiv3::ReferenceOr;
    let param = |p: &ReferenceOr<openapiv3::Parameter>| -> (String, String, bool) {
        let p = match p {
            ReferenceOr::Item(p) => p.clone(),
            ReferenceOr::Reference { reference } => {
                let name = reference.rsplit('/').next().expect("reference name");
                let components = doc.components.as_ref().expect("components");
                match &components.parameters[name] {
                    ReferenceOr::Item(p) => p.clone(),
                    ReferenceOr::Reference { .. } => panic!("nested parameter $ref"),
                }
            }
        };
        let location = match &p {
            openapiv3::Parameter::Query { .. } => "query",
            openapiv3::Parameter::Header { .. } => "header",
            openapiv3::Parameter::Path { .. } => "path",
            openapiv3::Parameter::Cookie { .. } => "cookie",
        };
        let data = p.parameter_data();
        (data.name, location.to_owned(), data.required)
    };
    let mut ops = BTreeSet::new();
    for (path, item) in doc.paths.iter() {
        let item = item.as_item().expect("no path item $ref");
        for (method, op) in item.iter() {
            let params = item
                .parameters
                .iter()
                .chain(&op.parameters)
                .map(param)
                .collect();
            let id = op.operation_id.clone().expect("operationId");
            ops.insert((path.clone(), method.to_owned(), id, params));
        }
    }
    ops
}

#[test]
fn nothing_is_dropped_operations_paths_methods_and_parameters_are_the_same() {
    let (input, out) = normalized();
    let before = operations_of_json(&input);
    let parsed: openapiv3::OpenAPI = serde_json::from_value(out.document).expect("3.0.3");
    let after = operations_of_openapiv3(&parsed);
    assert_eq!(before.len(), 37, "the vendored spec has 37 operations");
    assert_eq!(before, after);
    let schemas_in = input["components"]["schemas"].as_object().expect("schemas");
    let schemas_out = &parsed.components.expect("components").schemas;
    assert_eq!(schemas_in.len(), 52);
    for name in schemas_in.keys() {
        assert!(schemas_out.contains_key(name), "schema {name} was dropped");
    }
}

#[test]
fn the_report_matches_the_committed_snapshot() {
    let (_, out) = normalized();
    let report = out.report.to_string();
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::write(SNAPSHOT, &report).expect("write the snapshot");
        return;
    }
    let committed = std::fs::read_to_string(SNAPSHOT)
        .expect("openapi/normalize-report.txt exists (UPDATE_SNAPSHOTS=1 writes it)");
    assert!(
        committed == report,
        "the normalizer report changed; review the difference and rerun with UPDATE_SNAPSHOTS=1\n\
         --- committed\n{committed}\n--- now\n{report}"
    );
}

/// What build.rs writes into its OUT_DIR (`out_dir::write`) is generated from the normalizer's
/// output on this same spec, and the report it leaves there is that normalization's.
#[test]
fn the_build_used_the_same_normalization() {
    let (_, out) = normalized();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let generated = playflow_codegen::out_dir::write(
        std::path::Path::new(SPEC),
        Some(std::path::Path::new(BINDING)),
        dir.path(),
    )
    .unwrap_or_else(|e| panic!("the build step fails: {e}"));
    let from_build = std::fs::read_to_string(dir.path().join(playflow_codegen::out_dir::REPORT))
        .expect("the build step writes its report");
    assert_eq!(from_build, out.report.to_string());
    assert_eq!(generated.normalized.document, out.document);
    for name in [
        playflow_codegen::out_dir::CLIENT,
        playflow_codegen::out_dir::MOCK,
        playflow_codegen::out_dir::ENUMS,
        playflow_codegen::out_dir::OPERATIONS,
    ] {
        let text = std::fs::read_to_string(dir.path().join(name)).expect("written");
        assert!(!text.is_empty(), "{name} is empty");
    }
}

#[test]
fn rewrites_are_counted_by_kind() {
    let (input, out) = normalized();
    let counts = out.report.counts();
    for kind in [
        "openapi-version",
        "type-array-nullable",
        "null-branch-nullable",
        "examples-to-example",
        "ref-siblings-to-allof",
        "default-kept-optional",
        "inline-enum-hoisted",
        "error-bodies-merged",
    ] {
        assert!(
            counts.get(kind).is_some_and(|n| *n > 0),
            "no {kind} rewrite: {counts:?}"
        );
    }
    assert_eq!(counts.values().sum::<usize>(), out.report.rewrites.len());
    assert_eq!(counts["openapi-version"], 1);

    // One merge per operation that declares a 422 ValidationError beside its 4XX Error.
    let with_validation_error = input["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|item| METHODS.iter().filter_map(|m| item.get(*m)))
        .filter(|op| {
            op.pointer("/responses/422/content/application~1json/schema/$ref")
                .and_then(Value::as_str)
                == Some("#/components/schemas/ValidationError")
        })
        .count();
    assert_eq!(counts["error-bodies-merged"], with_validation_error);

    // The report lists every construct the independent walk finds in the input, once each.
    let (found, _) = constructs_3_1(&input);
    let found = |suffix: &str| found.iter().filter(|f| f.ends_with(suffix)).count();
    assert_eq!(counts["examples-to-example"], found(": keyword examples"));
    assert_eq!(counts["type-array-nullable"], found(": type array"));
    assert_eq!(
        counts["ref-siblings-to-allof"],
        found(": $ref with siblings")
    );
    assert_eq!(counts["null-branch-nullable"], found(": type null"));

    let text = out.report.to_string();
    assert!(text.contains(
        "default-kept-optional\t/components/schemas/CreateLobbyRequest/properties/maxPlayers\tdefault 2\n"
    ));
    assert!(text.contains(
        "inline-enum-hoisted\t/components/schemas/Server/properties/service_type\tas #/components/schemas/ServerServiceType\n"
    ));
}

/// `build.rs` panics with `generate`'s error: on a spec we cannot normalize, that message names
/// the JSON pointer and the construct, and nothing is generated.
#[test]
fn an_unknown_construct_in_the_spec_fails_the_build_with_its_pointer() {
    let mut input = spec();
    input["components"]["schemas"]["Lobby"]["properties"]["players"] = json!({
        "type": "array",
        "prefixItems": [{ "$ref": "#/components/schemas/LobbyPlayer" }],
    });
    let Err(message) = playflow_codegen::generate::generate(&input.to_string()) else {
        panic!("generation must fail on prefixItems");
    };
    assert_eq!(
        message,
        "unsupported OpenAPI construct at /components/schemas/Lobby/properties/players/prefixItems: \
         schema keyword `prefixItems`"
    );
}

/// With the vendored spec, the bound spec build.rs writes for the emulator is the vendored file
/// itself, byte for byte (our names are the spec's, and the vendored file is in the written
/// form the bound spec is printed in).
#[test]
fn the_bound_spec_of_the_vendored_spec_is_the_vendored_file() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    playflow_codegen::out_dir::write(
        std::path::Path::new(SPEC),
        Some(std::path::Path::new(BINDING)),
        dir.path(),
    )
    .unwrap_or_else(|e| panic!("the build step fails: {e}"));
    let bound = std::fs::read_to_string(dir.path().join(playflow_codegen::out_dir::BOUND_SPEC))
        .expect("written");
    assert!(bound == std::fs::read_to_string(SPEC).unwrap());
}
