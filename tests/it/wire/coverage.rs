//! Every operation the binding file names has a wire test. The spec is read at test time, so
//! an operation bound in `openapi/binding.json` (which the facade may call under its stable
//! name) fails here until someone tests it. An operation a refreshed spec adds and the binding
//! does not name yet is not a failure: `cargo xtask update-spec` reports it as new, and this
//! test lists it, so a refresh that only adds keeps the suite green.
//!
//! The link is the `start(ops::<OPERATION>)` call each wire test begins with (see
//! `playflow_test_support::wire::start`), found in the source of the per-operation test files. Error-path,
//! forward-compatibility and typed-mock tests do not count: an operation is covered only by a
//! test that asserts its whole request.

use std::collections::BTreeSet;

use playflow_test_support::wire::operations;

/// The per-operation test files, as compiled.
const SOURCES: &[(&str, &str)] = &[
    ("servers.rs", include_str!("servers.rs")),
    ("builds.rs", include_str!("builds.rs")),
    ("project.rs", include_str!("project.rs")),
    ("lobbies.rs", include_str!("lobbies.rs")),
    ("matchmaking.rs", include_str!("matchmaking.rs")),
];

/// The operationIds named by `start(ops::...)` outside comments (the constant's name is the
/// operation's run-time name in screaming snake case).
fn tested_operations() -> BTreeSet<String> {
    const MARKER: &str = "start(ops::";
    let mut ids = BTreeSet::new();
    for (file, source) in SOURCES {
        for line in source.lines().filter(|l| !l.trim_start().starts_with("//")) {
            let mut rest = line;
            while let Some(at) = rest.find(MARKER) {
                rest = &rest[at + MARKER.len()..];
                let end = rest
                    .find(')')
                    .unwrap_or_else(|| panic!("{file}: unterminated marker in `{line}`"));
                let constant = &rest[..end];
                let op = playflow::raw::operations::OPERATIONS
                    .iter()
                    .find(|op| op.name.to_uppercase() == constant)
                    .unwrap_or_else(|| panic!("{file}: no operation constant {constant}"));
                ids.insert(op.operation_id.to_owned());
                rest = &rest[end..];
            }
        }
    }
    ids
}

/// The operationIds `openapi/binding.json` names (its `operations` values): the operations
/// reviewed and given a stable name.
fn bound_operations() -> BTreeSet<String> {
    let binding: serde_json::Value =
        serde_json::from_str(include_str!("../../../openapi/binding.json"))
            .expect("openapi/binding.json is JSON");
    binding["operations"]
        .as_object()
        .expect("openapi/binding.json has an `operations` object")
        .values()
        .map(|id| id.as_str().expect("operationIds are strings").to_owned())
        .collect()
}

#[test]
fn every_bound_operation_of_the_spec_has_a_wire_test() {
    let tested = tested_operations();
    let bound = bound_operations();
    let (bound_ops, unbound): (Vec<_>, Vec<_>) = operations()
        .into_iter()
        .map(|(id, method, path, _)| (id, method, path))
        .partition(|(id, ..)| bound.contains(id));
    assert!(
        !bound_ops.is_empty(),
        "no operation of the spec is named by openapi/binding.json"
    );
    if !unbound.is_empty() {
        // Shown with `--nocapture`; update-spec reports the same operations as new.
        eprintln!(
            "operations not in openapi/binding.json yet (bind them, then add wire tests):\n  {}",
            unbound
                .iter()
                .map(|(id, method, path)| format!("{id} ({} {path})", method.to_uppercase()))
                .collect::<Vec<_>>()
                .join("\n  ")
        );
    }
    let untested: Vec<String> = bound_ops
        .into_iter()
        .filter(|(id, ..)| !tested.contains(id))
        .map(|(id, method, path)| format!("{id} ({} {path})", method.to_uppercase()))
        .collect();
    assert!(
        untested.is_empty(),
        "operations of openapi/binding.json without a wire test (add one that begins with \
         `start(ops::<OPERATION>)` to tests/it/wire/):\n  {}",
        untested.join("\n  ")
    );
}

#[test]
fn every_wire_test_names_an_operation_of_the_spec() {
    let in_spec: BTreeSet<String> = operations().into_iter().map(|(id, ..)| id).collect();
    assert!(!in_spec.is_empty(), "the spec lists no operation");
    let unknown: Vec<String> = tested_operations().difference(&in_spec).cloned().collect();
    assert!(
        unknown.is_empty(),
        "wire tests name operations the spec lacks: {unknown:?}"
    );
}

/// The operations table the transport traces path templates from names exactly the operations
/// of the spec, under the run-time names the generated client gives them.
#[test]
fn the_operations_table_matches_the_spec_and_the_generated_client() {
    use playflow::raw::operations::{OPERATIONS, by_name};
    let generated = include_str!(concat!(env!("OUT_DIR"), "/raw_client.rs"));
    // Every `OperationInfo { operation_id: "…" }` of the generated client is in the table.
    let mut names = BTreeSet::new();
    for chunk in generated.split("operation_id: \"").skip(1) {
        let name = &chunk[..chunk.find('"').unwrap()];
        assert!(
            by_name(name).is_some(),
            "`{name}` is missing from OPERATIONS"
        );
        names.insert(name.to_string());
    }
    assert_eq!(names.len(), OPERATIONS.len());
    // And the table holds the spec's operationIds with their methods and paths.
    let from_spec: BTreeSet<(String, String, String)> = operations()
        .into_iter()
        .map(|(id, method, path, _)| (id, method.to_uppercase(), path))
        .collect();
    let from_table: BTreeSet<(String, String, String)> = OPERATIONS
        .iter()
        .map(|op| (op.operation_id.into(), op.method.into(), op.path.into()))
        .collect();
    assert_eq!(from_table, from_spec);
}
