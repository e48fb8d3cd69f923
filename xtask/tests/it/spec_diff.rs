//! `spec-diff` on crafted old/new pairs: one test per kind of change, asserting its
//! classification, and the exit codes of the command.

use serde_json::{Value, json};
use xtask::change_report::{Change, ChangeKind, ChangeReport};
use xtask::spec_diff::diff;

/// Two operations sharing component schemas: `Thing` (response of both, with a nested `Owner`
/// and a self-reference), `Kind` (an enum used in request and response) and `CreateThing`.
fn base() -> Value {
    let thing = json!({"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}, "description": "ok"});
    json!({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1.0"},
        "paths": {
            "/things/{id}": {
                "get": {
                    "operationId": "getThing",
                    "parameters": [
                        {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                        {"name": "limit", "in": "query", "schema": {"type": "integer"}}
                    ],
                    "responses": {"200": thing.clone()}
                }
            },
            "/things": {
                "post": {
                    "operationId": "createThing",
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreateThing"}}}},
                    "responses": {"201": thing}
                }
            }
        },
        "components": {"schemas": {
            "Thing": {"type": "object", "required": ["id", "kind"], "properties": {
                "id": {"type": "string"},
                "kind": {"$ref": "#/components/schemas/Kind"},
                "note": {"type": "string"},
                "owner": {"$ref": "#/components/schemas/Owner"},
                "parent": {"anyOf": [{"$ref": "#/components/schemas/Thing"}, {"type": "null"}]}
            }},
            "Owner": {"type": "object", "required": ["name"], "properties": {
                "name": {"type": "string"},
                "age": {"type": "integer"}
            }},
            "Kind": {"type": "string", "enum": ["small", "large"]},
            "CreateThing": {"type": "object", "required": ["name"], "properties": {
                "name": {"type": "string"},
                "kind": {"$ref": "#/components/schemas/Kind"},
                "tags": {"type": "array", "items": {"type": "string"}}
            }}
        }}
    })
}

fn changed(edit: impl FnOnce(&mut Value)) -> ChangeReport {
    let mut new = base();
    edit(&mut new);
    diff(&base(), &new)
}

fn at<'a>(doc: &'a mut Value, pointer: &str) -> &'a mut Value {
    doc.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("no {pointer}"))
}

/// The report holds exactly the changes of `kind`, all classified `breaking`, all for
/// `operations`, each detail containing `text`.
fn assert_only(
    report: &ChangeReport,
    kind: ChangeKind,
    breaking: bool,
    operations: &[&str],
    text: &str,
) {
    let summary: Vec<&Change> = report.changes.iter().collect();
    assert_eq!(
        report.changes.len(),
        operations.len(),
        "unexpected changes: {summary:#?}"
    );
    for (change, op) in report.changes.iter().zip(operations) {
        assert_eq!(change.kind, kind, "{change:#?}");
        assert_eq!(change.breaking, breaking, "{change:#?}");
        assert_eq!(change.operation, *op, "{change:#?}");
        assert!(
            change.detail.contains(text),
            "{:?} does not contain {text:?}",
            change.detail
        );
    }
    assert_eq!(report.has_breaking(), breaking);
}

#[test]
fn identical_specs_have_no_changes() {
    let report = diff(&base(), &base());
    assert!(report.changes.is_empty());
    assert!(
        report
            .to_markdown("a", "b")
            .contains("No change to the wire, no change to the facade")
    );
}

#[test]
fn operation_added_is_not_breaking() {
    let report = changed(|d| {
        at(d, "/paths")["/health"] = json!({"get": {"operationId": "getHealth", "responses": {"200": {"description": "ok"}}}});
    });
    assert_only(
        &report,
        ChangeKind::OperationAdded,
        false,
        &["getHealth"],
        "operation added",
    );
    assert_eq!(report.changes[0].endpoint, "GET /health");
}

#[test]
fn operation_removed_is_breaking() {
    let report = changed(|d| {
        at(d, "/paths").as_object_mut().unwrap().remove("/things");
    });
    assert_only(
        &report,
        ChangeKind::OperationRemoved,
        true,
        &["createThing"],
        "removed",
    );
}

#[test]
fn operation_moved_to_another_path_or_method_is_not_breaking() {
    let report = changed(|d| {
        let paths = at(d, "/paths").as_object_mut().unwrap();
        let item = paths.remove("/things").unwrap();
        paths.insert("/v2/things".into(), item);
    });
    assert_only(
        &report,
        ChangeKind::OperationMoved,
        false,
        &["createThing"],
        "moved from `POST /things` to `POST /v2/things`",
    );

    let report = changed(|d| {
        let item = at(d, "/paths/~1things").as_object_mut().unwrap();
        let op = item.remove("post").unwrap();
        item.insert("put".into(), op);
    });
    assert_only(
        &report,
        ChangeKind::OperationMoved,
        false,
        &["createThing"],
        "to `PUT /things`",
    );
}

#[test]
fn operation_id_renamed_is_breaking() {
    let report = changed(|d| *at(d, "/paths/~1things/post/operationId") = json!("makeThing"));
    assert_only(
        &report,
        ChangeKind::OperationRenamed,
        true,
        &["createThing → makeThing"],
        "renamed from `createThing` to `makeThing`",
    );
}

#[test]
fn required_parameter_added_is_breaking_optional_is_not() {
    let param = |required: bool| json!({"name": "x-player-id", "in": "header", "required": required, "schema": {"type": "string"}});
    let report = changed(|d| {
        at(d, "/paths/~1things~1{id}/get/parameters")
            .as_array_mut()
            .unwrap()
            .push(param(true));
    });
    assert_only(
        &report,
        ChangeKind::ParameterAdded,
        true,
        &["getThing"],
        "required header parameter `x-player-id` added",
    );

    let report = changed(|d| {
        at(d, "/paths/~1things~1{id}/get/parameters")
            .as_array_mut()
            .unwrap()
            .push(param(false));
    });
    assert_only(
        &report,
        ChangeKind::ParameterAdded,
        false,
        &["getThing"],
        "optional header parameter `x-player-id` added",
    );
}

#[test]
fn parameter_removed_is_breaking() {
    let report = changed(|d| {
        at(d, "/paths/~1things~1{id}/get/parameters")
            .as_array_mut()
            .unwrap()
            .pop();
    });
    assert_only(
        &report,
        ChangeKind::ParameterRemoved,
        true,
        &["getThing"],
        "query parameter `limit` removed",
    );
}

#[test]
fn parameter_type_change_is_breaking() {
    let report = changed(|d| {
        *at(d, "/paths/~1things~1{id}/get/parameters/1/schema") = json!({"type": "string"});
    });
    assert_only(
        &report,
        ChangeKind::TypeChanged,
        true,
        &["getThing"],
        "query parameter `limit`: type `integer` → `string`",
    );
}

#[test]
fn parameter_becoming_required_is_breaking_becoming_optional_is_not() {
    let report = changed(|d| {
        at(d, "/paths/~1things~1{id}/get/parameters/1")["required"] = json!(true);
    });
    assert_only(
        &report,
        ChangeKind::RequiredChanged,
        true,
        &["getThing"],
        "query parameter `limit` became required",
    );

    let mut required = base();
    at(&mut required, "/paths/~1things~1{id}/get/parameters/1")["required"] = json!(true);
    let report = diff(&required, &base());
    assert_only(
        &report,
        ChangeKind::RequiredChanged,
        false,
        &["getThing"],
        "became optional",
    );
}

#[test]
fn new_required_request_field_is_breaking() {
    let report = changed(|d| {
        let schema = at(d, "/components/schemas/CreateThing");
        schema["properties"]["size"] = json!({"type": "integer"});
        schema["required"]
            .as_array_mut()
            .unwrap()
            .push(json!("size"));
    });
    assert_only(
        &report,
        ChangeKind::FieldAdded,
        true,
        &["createThing"],
        "request field `CreateThing.size` added (required, `integer`)",
    );
}

#[test]
fn new_optional_request_field_is_not_breaking() {
    let report = changed(|d| {
        at(d, "/components/schemas/CreateThing/properties")["size"] = json!({"type": "integer"});
    });
    assert_only(
        &report,
        ChangeKind::FieldAdded,
        false,
        &["createThing"],
        "request field `CreateThing.size` added (optional",
    );
}

#[test]
fn removed_request_field_is_breaking() {
    let report = changed(|d| {
        at(d, "/components/schemas/CreateThing/properties")
            .as_object_mut()
            .unwrap()
            .remove("tags");
    });
    // The items of `tags` go with it: one entry, not two.
    assert_only(
        &report,
        ChangeKind::FieldRemoved,
        true,
        &["createThing"],
        "request field `CreateThing.tags` removed",
    );
}

#[test]
fn new_response_field_is_not_breaking_even_when_required() {
    let report = changed(|d| {
        let schema = at(d, "/components/schemas/Thing");
        schema["properties"]["created_at"] = json!({"type": "string", "format": "date-time"});
        schema["required"]
            .as_array_mut()
            .unwrap()
            .push(json!("created_at"));
    });
    assert_only(
        &report,
        ChangeKind::FieldAdded,
        false,
        &["getThing", "createThing"],
        "response field `Thing.created_at` added (required, `string(date-time)`)",
    );
}

#[test]
fn removed_nested_response_field_is_breaking_with_its_dotted_path() {
    let report = changed(|d| {
        at(d, "/components/schemas/Owner/properties")
            .as_object_mut()
            .unwrap()
            .remove("age");
    });
    assert_only(
        &report,
        ChangeKind::FieldRemoved,
        true,
        &["getThing", "createThing"],
        "response field `Owner.age` removed",
    );
}

#[test]
fn inline_nested_fields_are_named_by_their_path_in_the_component() {
    let report = changed(|d| {
        at(d, "/components/schemas/Thing/properties")["dims"] =
            json!({"type": "object", "properties": {"w": {"type": "integer"}}});
    });
    // `dims` is new here, so only its addition is reported (nothing below it).
    assert_only(
        &report,
        ChangeKind::FieldAdded,
        false,
        &["getThing", "createThing"],
        "`Thing.dims` added",
    );

    let with_dims = |w: &str| {
        let mut d = base();
        at(&mut d, "/components/schemas/Thing/properties")["dims"] =
            json!({"type": "object", "properties": {"w": {"type": w}}});
        d
    };
    let report = diff(&with_dims("integer"), &with_dims("number"));
    assert_only(
        &report,
        ChangeKind::TypeChanged,
        true,
        &["getThing", "createThing"],
        "response field `Thing.dims.w`: type `integer` → `number`",
    );
}

#[test]
fn field_type_change_is_breaking() {
    let report = changed(|d| {
        *at(d, "/components/schemas/Thing/properties/note") = json!({"type": "integer"});
    });
    assert_only(
        &report,
        ChangeKind::TypeChanged,
        true,
        &["getThing", "createThing"],
        "response field `Thing.note`: type `string` → `integer`",
    );
}

#[test]
fn response_field_becoming_optional_is_breaking() {
    let report = changed(|d| {
        *at(d, "/components/schemas/Thing/required") = json!(["id"]);
    });
    assert_only(
        &report,
        ChangeKind::RequiredChanged,
        true,
        &["getThing", "createThing"],
        "response field `Thing.kind` became optional",
    );
}

#[test]
fn request_field_becoming_optional_is_not_breaking() {
    let report = changed(|d| {
        *at(d, "/components/schemas/CreateThing/required") = json!([]);
    });
    assert_only(
        &report,
        ChangeKind::RequiredChanged,
        false,
        &["createThing"],
        "request field `CreateThing.name` became optional",
    );
}

#[test]
fn required_response_field_becoming_nullable_is_breaking() {
    let report = changed(|d| {
        *at(d, "/components/schemas/Thing/properties/id") = json!({"type": ["string", "null"]});
    });
    assert_only(
        &report,
        ChangeKind::NullabilityChanged,
        true,
        &["getThing", "createThing"],
        "response field `Thing.id` became nullable",
    );
}

#[test]
fn optional_response_field_becoming_nullable_is_not_breaking() {
    // 3.1's `anyOf` with a null branch, and 3.0's `nullable`, mean the same.
    for nullable in [
        json!({"anyOf": [{"type": "string"}, {"type": "null"}]}),
        json!({"type": "string", "nullable": true}),
    ] {
        let report = changed(|d| *at(d, "/components/schemas/Thing/properties/note") = nullable);
        assert_only(
            &report,
            ChangeKind::NullabilityChanged,
            false,
            &["getThing", "createThing"],
            "`Thing.note` became nullable (optional: the Rust field stays `Option<T>`)",
        );
    }
}

#[test]
fn request_field_becoming_nullable_is_not_breaking_and_the_reverse_is() {
    let nullable_name = |d: &mut Value| {
        *at(d, "/components/schemas/CreateThing/properties/name") =
            json!({"type": ["string", "null"]});
    };
    let report = changed(nullable_name);
    assert_only(
        &report,
        ChangeKind::NullabilityChanged,
        false,
        &["createThing"],
        "request field `CreateThing.name` became nullable",
    );

    let mut old = base();
    nullable_name(&mut old);
    let report = diff(&old, &base());
    assert_only(
        &report,
        ChangeKind::NullabilityChanged,
        true,
        &["createThing"],
        "is no longer nullable",
    );
}

/// zod's `.nullable()` on a component shared by a response and a request makes the request's
/// optional use accept null too: nothing the client sends changes (an unset field is left
/// out), nor the Rust type, so it is no change. Where the field is required, or of any type
/// (a user can put `null` in it), it still is.
#[test]
fn an_optional_request_field_accepting_null_or_not_is_no_change() {
    for nullable in [
        json!({"type": ["array", "null"], "items": {"type": "string"}}),
        json!({"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]}),
    ] {
        let report = changed(|d| {
            *at(d, "/components/schemas/CreateThing/properties/tags") = nullable.clone()
        });
        assert!(report.changes.is_empty(), "{:#?}", report.changes);
        let mut old = base();
        *at(&mut old, "/components/schemas/CreateThing/properties/tags") = nullable;
        let report = diff(&old, &base());
        assert!(report.changes.is_empty(), "{:#?}", report.changes);
    }
    let mut nullable_any = base();
    at(
        &mut nullable_any,
        "/components/schemas/CreateThing/properties",
    )["extra"] = json!({"nullable": true});
    let mut any = base();
    at(&mut any, "/components/schemas/CreateThing/properties")["extra"] = json!({});
    assert_only(
        &diff(&nullable_any, &any),
        ChangeKind::NullabilityChanged,
        true,
        &["createThing"],
        "request field `CreateThing.extra` is no longer nullable",
    );
}

/// The normalizer reads `anyOf` of several branches as `oneOf` (one untagged enum either
/// way), so a spec that swaps the keyword changes nothing; a changed branch still does.
#[test]
fn one_of_written_as_any_of_is_no_change() {
    let union = |key: &str, second: &str| json!({ key: [{"$ref": "#/components/schemas/Owner"}, {"$ref": format!("#/components/schemas/{second}")}] });
    let mut old = base();
    *at(&mut old, "/components/schemas/Thing/properties/owner") = union("oneOf", "Kind");
    let mut new = base();
    *at(&mut new, "/components/schemas/Thing/properties/owner") = union("anyOf", "Kind");
    let report = diff(&old, &new);
    assert!(report.changes.is_empty(), "{:#?}", report.changes);

    *at(&mut new, "/components/schemas/Thing/properties/owner") = union("anyOf", "CreateThing");
    let report = diff(&old, &new);
    assert!(
        report
            .changes
            .iter()
            .any(|c| c.kind == ChangeKind::TypeChanged
                && c.detail
                    .contains("`oneOf(Owner | Kind)` → `oneOf(Owner | CreateThing)`")),
        "{:#?}",
        report.changes
    );
}

#[test]
fn enum_value_added_is_not_breaking_because_enums_are_open() {
    let report = changed(|d| {
        at(d, "/components/schemas/Kind/enum")
            .as_array_mut()
            .unwrap()
            .push(json!("huge"));
    });
    // Once for the request field, once (grouped) for the response field of both operations.
    let kinds: Vec<(ChangeKind, bool, &str)> = report
        .changes
        .iter()
        .map(|c| (c.kind, c.breaking, c.operation.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (ChangeKind::EnumValueAdded, false, "getThing"),
            (ChangeKind::EnumValueAdded, false, "createThing"),
            (ChangeKind::EnumValueAdded, false, "createThing"),
        ]
    );
    assert!(
        report.changes[0]
            .detail
            .contains("`Thing.kind`: enum value(s) `huge` added")
    );
    assert!(
        report.changes[0]
            .detail
            .contains("unknown values arrive as `Unknown`")
    );
    assert!(
        report.changes[1]
            .detail
            .contains("request field `CreateThing.kind`")
    );
    assert!(!report.has_breaking());
}

#[test]
fn enum_value_removed_is_breaking() {
    let report = changed(|d| *at(d, "/components/schemas/Kind/enum") = json!(["small"]));
    assert_eq!(report.changes.len(), 3, "{:#?}", report.changes);
    for change in &report.changes {
        assert_eq!(change.kind, ChangeKind::EnumValueRemoved);
        assert!(change.breaking);
        assert!(change.detail.contains("enum value(s) `large` removed"));
    }
}

#[test]
fn request_body_removed_is_breaking_optional_body_added_is_not() {
    let report = changed(|d| {
        at(d, "/paths/~1things/post")
            .as_object_mut()
            .unwrap()
            .remove("requestBody");
    });
    assert_only(
        &report,
        ChangeKind::RequestBodyRemoved,
        true,
        &["createThing"],
        "request body removed",
    );

    let report = changed(|d| {
        at(d, "/paths/~1things~1{id}/get")["requestBody"] =
            json!({"content": {"application/json": {"schema": {"type": "object"}}}});
    });
    assert_only(
        &report,
        ChangeKind::RequestBodyAdded,
        false,
        &["getThing"],
        "optional request body added",
    );
}

#[test]
fn response_body_removed_is_breaking_and_status_change_is_not() {
    let report = changed(|d| {
        *at(d, "/paths/~1things/post/responses") = json!({"204": {"description": "done"}});
    });
    let kinds: Vec<(ChangeKind, bool)> = report
        .changes
        .iter()
        .map(|c| (c.kind, c.breaking))
        .collect();
    assert_eq!(
        kinds,
        [
            (ChangeKind::SuccessStatusChanged, false),
            (ChangeKind::ResponseBodyRemoved, true)
        ]
    );
    assert!(report.changes[0].detail.contains("`201` → `204`"));
}

#[test]
fn self_referencing_schemas_terminate() {
    // `Thing.parent` refers to `Thing`: a change inside it is reported once, at the top level.
    let report = changed(|d| {
        at(d, "/components/schemas/Thing/properties")["rank"] = json!({"type": "integer"});
    });
    assert_only(
        &report,
        ChangeKind::FieldAdded,
        false,
        &["getThing", "createThing"],
        "response field `Thing.rank` added",
    );
}

#[test]
fn markdown_groups_a_component_change_and_classifies_each_entry() {
    let report = changed(|d| {
        at(d, "/components/schemas/Owner/properties")
            .as_object_mut()
            .unwrap()
            .remove("age");
        at(d, "/paths/~1things~1{id}/get/parameters")
            .as_array_mut()
            .unwrap()
            .pop();
        at(d, "/info")["version"] = json!("1.1");
        at(d, "/components/schemas/CreateThing/properties")["size"] = json!({"type": "integer"});
    });
    let md = report.to_markdown("old.json", "new.json");
    assert!(md.contains("API version `1.0` → `1.1`."), "{md}");
    assert!(md.contains("**2 breaking**, 1 non-breaking"), "{md}");
    assert!(
        md.contains("## Breaking changes\n\n- **breaking** `getThing` (`GET /things/{id}`): query parameter `limit` removed\n"),
        "{md}"
    );
    assert!(
        md.contains(
            "- **breaking** response field `Owner.age` removed — in `getThing`, `createThing`\n"
        ),
        "{md}"
    );
    assert!(
        md.contains("## Non-breaking changes\n\n- **non-breaking** `createThing` (`POST /things`): request field `CreateThing.size` added (optional, `integer`)\n"),
        "{md}"
    );
}

fn write_pair(old: &Value, new: &Value) -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let old_path = dir.path().join("old.json");
    let new_path = dir.path().join("new.json");
    std::fs::write(&old_path, old.to_string()).unwrap();
    std::fs::write(&new_path, new.to_string()).unwrap();
    (
        dir,
        old_path.to_string_lossy().into_owned(),
        new_path.to_string_lossy().into_owned(),
    )
}

#[test]
fn exit_code_is_0_without_breaking_changes() {
    let mut new = base();
    at(&mut new, "/components/schemas/Thing/properties")["rank"] = json!({"type": "integer"});
    let (_dir, old, new) = write_pair(&base(), &new);
    let out = crate::common::xtask(&["spec-diff", &old, &new]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        crate::common::stderr(&out)
    );
    assert!(
        crate::common::stdout(&out).contains("**non-breaking** response field `Thing.rank` added")
    );
}

#[test]
fn exit_code_is_1_with_breaking_changes() {
    let mut new = base();
    at(&mut new, "/paths")
        .as_object_mut()
        .unwrap()
        .remove("/things");
    let (_dir, old, new) = write_pair(&base(), &new);
    let out = crate::common::xtask(&["spec-diff", &old, &new]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        crate::common::stderr(&out)
    );
    assert!(
        crate::common::stdout(&out)
            .contains("**breaking** `createThing` (`POST /things`): operation removed")
    );
}

#[test]
fn exit_code_is_2_on_unreadable_or_invalid_input() {
    let (dir, old, _) = write_pair(&base(), &base());
    let missing = dir.path().join("missing.json");
    let out = crate::common::xtask(&["spec-diff", &old, &missing.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        crate::common::stderr(&out).contains("cannot read"),
        "{}",
        crate::common::stderr(&out)
    );

    let invalid = dir.path().join("invalid.json");
    std::fs::write(&invalid, "{ not json").unwrap();
    let out = crate::common::xtask(&["spec-diff", &old, &invalid.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        crate::common::stderr(&out).contains("is not valid JSON"),
        "{}",
        crate::common::stderr(&out)
    );

    let out = crate::common::xtask(&["spec-diff", &old]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "missing argument is a usage error"
    );
}

#[test]
fn the_vendored_spec_has_no_changes_against_itself() {
    // The real vendored spec, whatever it is after a refresh.
    let spec = crate::common::real_root().join("openapi/playflow.json");
    let spec = spec.to_string_lossy();
    let out = crate::common::xtask(&["spec-diff", &spec, &spec]);
    assert_eq!(out.status.code(), Some(0));
    assert!(crate::common::stdout(&out).contains("No change to the wire, no change to the facade"));
}

/// `spec-diff` compares by method + path and by where schemas sit: PlayFlow's names for the
/// same wire (renamed operations and components, inlined components, renamed path
/// parameters) are no change.
#[test]
fn a_pure_renaming_is_no_change() {
    let root = crate::common::real_root();
    let old = root.join("crates/playflow-codegen/tests/data/base.json");
    for variant in [
        "renamed-snake.json",
        "renamed-pascal.json",
        // `oneOf` written `anyOf`, a component nullable as a whole, components inlined.
        "fresh/fresh-renamed.json",
    ] {
        let new = root
            .join("crates/playflow-codegen/tests/data")
            .join(variant);
        let out =
            crate::common::xtask(&["spec-diff", &old.to_string_lossy(), &new.to_string_lossy()]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            crate::common::stderr(&out)
        );
        assert!(
            crate::common::stdout(&out).contains("No change to the wire, no change to the facade"),
            "{variant}: {}",
            crate::common::stdout(&out)
        );
    }
}

/// The same renaming with one field removed still reports that field, under our names.
#[test]
fn a_renaming_does_not_hide_a_removed_field() {
    let root = crate::common::real_root();
    let old: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("crates/playflow-codegen/tests/data/base.json"))
            .unwrap(),
    )
    .unwrap();
    let mut new: Value = serde_json::from_str(
        &std::fs::read_to_string(
            root.join("crates/playflow-codegen/tests/data/renamed-snake.json"),
        )
        .unwrap(),
    )
    .unwrap();
    new["components"]["schemas"]["BuildDto"]["properties"]
        .as_object_mut()
        .unwrap()
        .shift_remove("executable_path");
    let report = xtask::spec_diff::diff_by_location(&old, &new);
    let details: Vec<&str> = report.changes.iter().map(|c| c.detail.as_str()).collect();
    assert!(
        details
            .iter()
            .any(|d| d.contains("`Build.executable_path` removed")),
        "{details:#?}"
    );
}

/// Error bodies are compared too: the facade decodes them.
#[test]
fn a_field_removed_from_the_error_body_is_breaking() {
    let with_error = |detail: bool| {
        let mut error =
            json!({ "type": "object", "properties": { "error": { "type": "string" } } });
        if detail {
            error["properties"]["detail"] = json!({ "type": "string" });
        }
        json!({
            "openapi": "3.1.0",
            "info": { "title": "t", "version": "1" },
            "paths": { "/a": { "get": { "operationId": "getA", "responses": {
                "200": { "description": "ok" },
                "404": { "description": "e", "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/Error" } } } },
            } } } },
            "components": { "schemas": { "Error": error } },
        })
    };
    let report = diff(&with_error(true), &with_error(false));
    assert_eq!(report.changes.len(), 1, "{:#?}", report.changes);
    assert!(report.changes[0].breaking);
    assert!(
        report.changes[0].detail.contains("`Error.detail` removed"),
        "{:#?}",
        report.changes
    );
}
