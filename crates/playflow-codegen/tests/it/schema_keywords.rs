//! Schema keywords: type arrays, null branches, examples, const, exclusive bounds, `$ref`
//! siblings, 3.1 annotations, closed objects; and that rewrites reach every subschema.

use super::*;

#[test]
fn type_array_with_null_becomes_nullable() {
    let (out, n) = schema_rewrite(json!({
        "type": "object",
        "properties": { "ttl": { "type": ["integer", "null"], "description": "seconds" } },
    }));
    assert_eq!(
        out["properties"]["ttl"],
        json!({ "type": "integer", "description": "seconds", "nullable": true })
    );
    assert_eq!(
        rewrites(&n),
        [(
            RewriteKind::TypeArrayNullable,
            "/components/schemas/S/properties/ttl",
            r#"["integer", "null"] -> integer, nullable"#
        )]
    );
}

#[test]
fn type_array_of_one_type_becomes_that_type_without_nullable() {
    let (out, n) = schema_rewrite(json!({ "type": ["string"] }));
    assert_eq!(out, json!({ "type": "string" }));
    assert_eq!(
        rewrites(&n),
        [(
            RewriteKind::TypeArrayNullable,
            "/components/schemas/S",
            r#"["string"] -> string"#
        )]
    );
}

#[test]
fn type_array_of_several_types_becomes_any_of() {
    let (out, n) = schema_rewrite(json!({ "type": ["string", "integer", "null"] }));
    assert_eq!(
        out,
        json!({ "oneOf": [{ "type": "string" }, { "type": "integer" }], "nullable": true })
    );
    assert_eq!(
        rewrites(&n),
        [
            (
                RewriteKind::TypeArrayAnyOf,
                "/components/schemas/S",
                r#"["string", "integer", "null"]"#
            ),
            (
                RewriteKind::AnyOfAsOneOf,
                "/components/schemas/S",
                "anyOf of 2 branches"
            ),
        ]
    );
}

#[test]
fn null_branch_beside_one_ref_becomes_nullable_all_of() {
    let (out, n) = schema_rewrite(json!({
        "type": "object",
        "properties": {
            "server": {
                "anyOf": [{ "$ref": "#/components/schemas/S" }, { "type": "null" }],
                "description": "the game server, once started",
            },
        },
    }));
    assert_eq!(
        out["properties"]["server"],
        json!({
            "description": "the game server, once started",
            "allOf": [{ "$ref": "#/components/schemas/S" }],
            "nullable": true,
        })
    );
    assert_eq!(
        rewrites(&n),
        [(
            RewriteKind::NullBranchNullable,
            "/components/schemas/S/properties/server",
            "anyOf with a null branch, 1 other branch(es)"
        )]
    );
}

#[test]
fn null_branch_beside_one_inline_schema_merges_that_schema() {
    let (out, n) = schema_rewrite(json!({
        "oneOf": [{ "type": "null" }, { "type": "string", "maxLength": 8 }],
        "description": "an invite code",
    }));
    assert_eq!(
        out,
        json!({ "description": "an invite code", "type": "string", "maxLength": 8, "nullable": true })
    );
    assert_eq!(
        rewrites(&n),
        [(
            RewriteKind::NullBranchNullable,
            "/components/schemas/S",
            "oneOf with a null branch, 1 other branch(es)"
        )]
    );
}

#[test]
fn null_branch_beside_several_schemas_keeps_them_and_becomes_nullable() {
    let (out, n) = schema_rewrite(json!({
        "anyOf": [
            { "type": "string" },
            { "type": "array", "items": { "type": "string" } },
            { "type": "object" },
            { "type": "null" },
        ],
    }));
    assert_eq!(
        out,
        json!({
            "oneOf": [
                { "type": "string" },
                { "type": "array", "items": { "type": "string" } },
                { "type": "object" },
            ],
            "nullable": true,
        })
    );
    assert_eq!(
        rewrites(&n),
        [
            (
                RewriteKind::NullBranchNullable,
                "/components/schemas/S",
                "anyOf with a null branch, 3 other branch(es)"
            ),
            (
                RewriteKind::AnyOfAsOneOf,
                "/components/schemas/S",
                "anyOf of 3 branches"
            ),
        ]
    );
}

/// zod-to-openapi writes a union as `anyOf` where our spec writes `oneOf`: both generate the
/// same enum, and a `oneOf` is left alone.
#[test]
fn any_of_of_several_branches_is_written_as_one_of() {
    let branches = json!([
        { "$ref": "#/components/schemas/A" },
        { "$ref": "#/components/schemas/B" },
    ]);
    let schemas = |union: &str| {
        json!({
            "A": { "type": "object", "properties": { "a": { "type": "string" } } },
            "B": { "type": "object", "properties": { "b": { "type": "integer" } } },
            "S": { union: branches.clone() },
        })
    };
    let any = run(&document(schemas("anyOf"), json!({})));
    let one = run(&document(schemas("oneOf"), json!({})));
    assert_eq!(any.document, one.document);
    assert_eq!(
        rewrites(&any),
        [(
            RewriteKind::AnyOfAsOneOf,
            "/components/schemas/S",
            "anyOf of 2 branches"
        )]
    );
    assert!(rewrites(&one).is_empty());
    // One branch is no union: left for the null-branch and allOf rewrites.
    let (single, _) = schema_rewrite(json!({ "anyOf": [{ "type": "string" }] }));
    assert_eq!(single, json!({ "anyOf": [{ "type": "string" }] }));
}

#[test]
fn examples_become_the_first_example() {
    let (out, n) = schema_rewrite(json!({ "type": "string", "examples": ["eu-west", "us-east"] }));
    assert_eq!(out, json!({ "type": "string", "example": "eu-west" }));
    assert_eq!(
        rewrites(&n),
        [(
            RewriteKind::ExamplesToExample,
            "/components/schemas/S",
            "2 example(s), kept the first"
        )]
    );
}

#[test]
fn examples_do_not_override_an_existing_example() {
    let (out, _) = schema_rewrite(json!({ "example": "kept", "examples": ["dropped"] }));
    assert_eq!(out, json!({ "example": "kept" }));
}

#[test]
fn const_becomes_a_one_value_enum_that_is_not_hoisted() {
    let (out, n) = schema_rewrite(json!({
        "type": "object",
        "properties": { "status": { "type": "string", "const": "lobby_deleted" } },
    }));
    assert_eq!(
        out["properties"]["status"],
        json!({ "type": "string", "enum": ["lobby_deleted"] })
    );
    assert_eq!(
        rewrites(&n),
        [(
            RewriteKind::ConstToEnum,
            "/components/schemas/S/properties/status",
            r#"const "lobby_deleted""#
        )]
    );
}

#[test]
fn numeric_exclusive_bounds_become_the_3_0_form() {
    let (out, n) =
        schema_rewrite(json!({ "type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1.5 }));
    assert_eq!(
        out,
        json!({
            "type": "number",
            "minimum": 0,
            "exclusiveMinimum": true,
            "maximum": 1.5,
            "exclusiveMaximum": true,
        })
    );
    assert_eq!(
        rewrites(&n),
        [
            (
                RewriteKind::ExclusiveBound,
                "/components/schemas/S",
                "exclusiveMinimum: 0"
            ),
            (
                RewriteKind::ExclusiveBound,
                "/components/schemas/S",
                "exclusiveMaximum: 1.5"
            ),
        ]
    );
}

/// 3.1 applies `minimum` and a numeric `exclusiveMinimum` together; the stricter one wins.
#[test]
fn exclusive_bounds_beside_inclusive_bounds_keep_the_stricter() {
    let (out, n) = schema_rewrite(json!({
        "type": "integer",
        "minimum": 5,
        "exclusiveMinimum": 3,
        "maximum": 10,
        "exclusiveMaximum": 10,
    }));
    assert_eq!(
        out,
        json!({ "type": "integer", "minimum": 5, "maximum": 10, "exclusiveMaximum": true })
    );
    assert_eq!(
        rewrites(&n),
        [
            (
                RewriteKind::ExclusiveBound,
                "/components/schemas/S",
                "exclusiveMinimum: 3 dropped, minimum is stricter"
            ),
            (
                RewriteKind::ExclusiveBound,
                "/components/schemas/S",
                "exclusiveMaximum: 10"
            ),
        ]
    );
}

#[test]
fn boolean_exclusive_bounds_are_already_3_0_and_pass_through() {
    let fragment = json!({ "type": "integer", "minimum": 1, "exclusiveMinimum": true });
    let (out, n) = schema_rewrite(fragment.clone());
    assert_eq!(out, fragment);
    assert_eq!(rewrites(&n), []);
}

#[test]
fn ref_with_siblings_moves_under_all_of() {
    let (out, n) = schema_rewrite(json!({
        "$ref": "#/components/schemas/T",
        "description": "machine size",
        "default": "small",
    }));
    assert_eq!(
        out,
        json!({
            "description": "machine size",
            "default": "small",
            "allOf": [{ "$ref": "#/components/schemas/T" }],
        })
    );
    assert_eq!(
        rewrites(&n),
        [(
            RewriteKind::RefSiblingsToAllOf,
            "/components/schemas/S",
            "siblings: description, default"
        )]
    );
}

#[test]
fn a_bare_ref_is_left_alone() {
    let (out, n) = schema_rewrite(json!({ "$ref": "#/components/schemas/T" }));
    assert_eq!(out, json!({ "$ref": "#/components/schemas/T" }));
    assert_eq!(rewrites(&n), []);
}

#[test]
fn schema_annotations_of_3_1_are_dropped() {
    let (out, n) = schema_rewrite(json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$comment": "internal",
        "type": "string",
    }));
    assert_eq!(out, json!({ "type": "string" }));
    assert_eq!(
        rewrites(&n),
        [
            (
                RewriteKind::DroppedKeyword,
                "/components/schemas/S/$schema",
                "$schema"
            ),
            (
                RewriteKind::DroppedKeyword,
                "/components/schemas/S/$comment",
                "$comment"
            ),
        ]
    );
}

#[test]
fn closed_objects_are_opened_so_new_fields_decode() {
    let (out, n) = schema_rewrite(json!({
        "type": "object",
        "properties": { "id": { "type": "string" } },
        "additionalProperties": false,
    }));
    assert_eq!(
        out,
        json!({ "type": "object", "properties": { "id": { "type": "string" } } })
    );
    assert_eq!(
        rewrites(&n),
        [(
            RewriteKind::ClosedObjectOpened,
            "/components/schemas/S",
            "additionalProperties: false removed"
        )]
    );
}

#[test]
fn additional_properties_schemas_are_kept_and_normalized() {
    let (out, n) = schema_rewrite(json!({
        "type": "object",
        "additionalProperties": { "type": ["string", "null"] },
    }));
    assert_eq!(
        out,
        json!({ "type": "object", "additionalProperties": { "type": "string", "nullable": true } })
    );
    assert_eq!(
        rewrites(&n),
        [(
            RewriteKind::TypeArrayNullable,
            "/components/schemas/S/additionalProperties",
            r#"["string", "null"] -> string, nullable"#
        )]
    );
}

#[test]
fn rewrites_reach_items_and_combinator_branches() {
    let (out, n) = schema_rewrite(json!({
        "type": "array",
        "items": { "allOf": [{ "type": "object", "examples": [{}] }] },
    }));
    assert_eq!(
        out,
        json!({ "type": "array", "items": { "allOf": [{ "type": "object", "example": {} }] } })
    );
    assert_eq!(
        rewrites(&n),
        [(
            RewriteKind::ExamplesToExample,
            "/components/schemas/S/items/allOf/0",
            "1 example(s), kept the first"
        )]
    );
}

/// `z.record(z.string(), z.unknown())`: `propertyNames` (no 3.0 meaning; keys are strings
/// anyway) goes, `additionalProperties: {}` stays a map of anything.
#[test]
fn property_names_are_dropped_and_an_any_map_stays() {
    let (schema, out) = schema_rewrite(json!({
        "type": "object",
        "propertyNames": { "type": "string" },
        "additionalProperties": {},
    }));
    assert_eq!(
        schema,
        json!({ "type": "object", "additionalProperties": {} })
    );
    assert_eq!(
        rewrites(&out),
        [(
            RewriteKind::PropertyNamesDropped,
            "/components/schemas/S/propertyNames",
            "propertyNames"
        )]
    );
}

/// A component nullable as a whole would become `S(Option<SInner>)`; its uses carry the null
/// instead, so the type is a plain struct and each use an `Option`.
#[test]
fn a_component_nullable_as_a_whole_makes_its_uses_nullable() {
    let out = run(&document(
        json!({
            "Pool": { "type": ["object", "null"], "properties": { "size": { "type": "integer" } } },
            "Settings": { "type": "object", "properties": {
                "pool": { "$ref": "#/components/schemas/Pool", "description": "the pool" },
                "spare": { "anyOf": [{ "$ref": "#/components/schemas/Pool" }, { "type": "null" }] },
            } },
        }),
        json!({}),
    ));
    let schemas = &out.document["components"]["schemas"];
    assert_eq!(
        schemas["Pool"],
        json!({ "type": "object", "properties": { "size": { "type": "integer" } } })
    );
    let nullable_ref = |description: Option<&str>| {
        let mut v = json!({
            "allOf": [{ "$ref": "#/components/schemas/Pool" }],
            "nullable": true,
        });
        if let Some(d) = description {
            v["description"] = json!(d);
        }
        v
    };
    assert_eq!(
        schemas["Settings"]["properties"]["pool"],
        nullable_ref(Some("the pool"))
    );
    assert_eq!(
        schemas["Settings"]["properties"]["spare"],
        nullable_ref(None)
    );
    assert!(rewrites(&out).contains(&(
        RewriteKind::NullableComponentSplit,
        "/components/schemas/Pool",
        "1 use(s) made nullable"
    )));
}
