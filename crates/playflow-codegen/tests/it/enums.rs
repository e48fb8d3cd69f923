//! Inline string enums are hoisted to named components, so they get open Rust types.

use super::*;

#[test]
fn an_inline_enum_of_a_component_property_is_hoisted_under_a_stable_name() {
    let out = run(&document(
        json!({ "Server": {
            "type": "object",
            "properties": {
                "service_type": {
                    "type": "string",
                    "enum": ["match_based", "persistent_world"],
                    "description": "how the server is used",
                },
                "status": { "type": "string", "enum": ["launching", "running"] },
            },
        } }),
        json!({}),
    ));
    let schemas = &out.document["components"]["schemas"];
    assert_eq!(
        schemas["Server"]["properties"],
        json!({
            "service_type": {
                "description": "how the server is used",
                "allOf": [{ "$ref": "#/components/schemas/ServerServiceType" }],
            },
            "status": { "$ref": "#/components/schemas/ServerStatus" },
        })
    );
    assert_eq!(
        schemas["ServerServiceType"],
        json!({ "type": "string", "enum": ["match_based", "persistent_world"] })
    );
    assert_eq!(
        schemas["ServerStatus"],
        json!({ "type": "string", "enum": ["launching", "running"] })
    );
    assert_eq!(
        rewrites(&out),
        [
            (
                RewriteKind::InlineEnumHoisted,
                "/components/schemas/Server/properties/service_type",
                "as #/components/schemas/ServerServiceType"
            ),
            (
                RewriteKind::InlineEnumHoisted,
                "/components/schemas/Server/properties/status",
                "as #/components/schemas/ServerStatus"
            ),
        ]
    );
}

#[test]
fn a_nullable_inline_enum_stays_nullable_when_hoisted() {
    let out = run(&document(
        json!({ "AuthConfig": { "type": "object", "properties": {
            "provider": { "type": ["string", "null"], "enum": ["none", "steam"] },
        } } }),
        json!({}),
    ));
    let schemas = &out.document["components"]["schemas"];
    assert_eq!(
        schemas["AuthConfig"]["properties"]["provider"],
        json!({ "allOf": [{ "$ref": "#/components/schemas/AuthConfigProvider" }], "nullable": true })
    );
    assert_eq!(
        schemas["AuthConfigProvider"],
        json!({ "type": "string", "enum": ["none", "steam"] })
    );
}

#[test]
fn a_hoisted_name_that_is_already_taken_is_an_error() {
    let err = run_err(&document(
        json!({
            "Server": { "type": "object", "properties": {
                "status": { "type": "string", "enum": ["a", "b"] },
            } },
            "ServerStatus": { "type": "string" },
        }),
        json!({}),
    ));
    assert_eq!(err.pointer, "/components/schemas/Server/properties/status");
    assert!(
        err.construct.contains("`ServerStatus` is already taken"),
        "{err}"
    );
}

/// An enum below the top level (in an inline object, in array items, in map values) is an open
/// type too: a value PlayFlow adds later must decode.
#[test]
fn enums_below_the_top_level_are_hoisted_with_their_path_as_name() {
    let state = json!({ "type": "string", "enum": ["ok", "down"] });
    let out = run(&document(
        json!({ "Server": {
            "type": "object",
            "properties": {
                "health": { "type": "object", "properties": { "state": state } },
                "tags": { "type": "array", "items": state },
                "checks": { "type": "object", "additionalProperties": state },
            },
        } }),
        json!({}),
    ));
    let schemas = &out.document["components"]["schemas"];
    let props = &schemas["Server"]["properties"];
    assert_eq!(
        props["health"]["properties"]["state"],
        json!({ "$ref": "#/components/schemas/ServerHealthState" })
    );
    assert_eq!(
        props["tags"]["items"],
        json!({ "$ref": "#/components/schemas/ServerTagsItem" })
    );
    assert_eq!(
        props["checks"]["additionalProperties"],
        json!({ "$ref": "#/components/schemas/ServerChecksValue" })
    );
    for name in ["ServerHealthState", "ServerTagsItem", "ServerChecksValue"] {
        assert_eq!(schemas[name], state, "{name}");
    }
    assert_eq!(
        rewrites(&out),
        [
            (
                RewriteKind::InlineEnumHoisted,
                "/components/schemas/Server/properties/health/properties/state",
                "as #/components/schemas/ServerHealthState"
            ),
            (
                RewriteKind::InlineEnumHoisted,
                "/components/schemas/Server/properties/tags/items",
                "as #/components/schemas/ServerTagsItem"
            ),
            (
                RewriteKind::InlineEnumHoisted,
                "/components/schemas/Server/properties/checks/additionalProperties",
                "as #/components/schemas/ServerChecksValue"
            ),
        ]
    );
}
