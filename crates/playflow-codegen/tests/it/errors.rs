//! Anything not understood fails with the JSON pointer and the construct: `build.rs` panics with
//! this message, so a spec PlayFlow changes fails the build loudly instead of generating a
//! subtly wrong client.

use super::*;

#[test]
fn prefix_items_is_an_unknown_schema_keyword() {
    let err = run_err(&document(
        json!({ "Pair": { "type": "array", "prefixItems": [{ "type": "string" }] } }),
        json!({}),
    ));
    assert_eq!(err.pointer, "/components/schemas/Pair/prefixItems");
    assert_eq!(err.construct, "schema keyword `prefixItems`");
}

#[test]
fn if_then_is_an_unknown_schema_keyword_even_deep_inside_a_path() {
    let paths = json!({ "/servers": { "post": {
        "operationId": "startServer",
        "requestBody": { "content": { "application/json": { "schema": {
            "type": "object",
            "properties": { "ttl": { "if": { "minimum": 0 }, "then": { "maximum": 60 } } },
        } } } },
        "responses": { "204": { "description": "ok" } },
    } } });
    let err = run_err(&document(json!({}), paths));
    assert_eq!(
        err.pointer,
        "/paths/~1servers/post/requestBody/content/application~1json/schema/properties/ttl/if"
    );
    assert_eq!(err.construct, "schema keyword `if`");
}

#[test]
fn a_version_other_than_3_1_is_refused() {
    for version in ["2.0", "3.2.0", "4.0.0"] {
        let err = run_err(&json!({ "openapi": version, "info": {}, "paths": {} }));
        assert_eq!(err.pointer, "/openapi");
        assert_eq!(
            err.construct,
            format!("OpenAPI version {version} (expected 3.1.x)")
        );
    }
    let swagger = run_err(&json!({ "swagger": "2.0", "info": {}, "paths": {} }));
    assert_eq!(swagger.pointer, "/openapi");
    assert_eq!(swagger.construct, "missing `openapi` version field");
}

#[test]
fn a_null_type_outside_a_combinator_is_refused() {
    let err = run_err(&document(
        json!({ "Nothing": { "type": "null" } }),
        json!({}),
    ));
    assert_eq!(err.pointer, "/components/schemas/Nothing/type");
    assert_eq!(err.construct, "a schema of type `null` outside anyOf/oneOf");
}

#[test]
fn path_item_refs_callbacks_and_path_item_components_are_refused() {
    let path_ref = run_err(&document(
        json!({}),
        json!({ "/a": { "$ref": "#/components/pathItems/A" } }),
    ));
    assert_eq!(path_ref.pointer, "/paths/~1a");
    assert!(
        path_ref.construct.contains("path item `$ref`"),
        "{path_ref}"
    );

    let callbacks = run_err(&document(
        json!({}),
        json!({ "/a": { "post": { "operationId": "a", "responses": {}, "callbacks": {} } } }),
    ));
    assert_eq!(callbacks.pointer, "/paths/~1a/post/callbacks");
    assert_eq!(callbacks.construct, "operation callbacks");

    let mut with_path_items = document(json!({}), json!({}));
    with_path_items["components"]["pathItems"] = json!({ "A": {} });
    let path_items = run_err(&with_path_items);
    assert_eq!(path_items.pointer, "/components/pathItems");
}

#[test]
fn a_request_body_without_json_is_refused() {
    let paths = json!({ "/upload": { "put": {
        "operationId": "upload",
        "requestBody": { "content": {
            "application/zip": {},
            "application/octet-stream": {},
        } },
        "responses": { "204": { "description": "ok" } },
    } } });
    let err = run_err(&document(json!({}), paths));
    assert_eq!(err.pointer, "/paths/~1upload/put/requestBody/content");
    assert!(
        err.construct.contains("none of them application/json"),
        "{err}"
    );
}

/// What `build.rs` prints when it panics: the message must lead a maintainer to the spot.
#[test]
fn the_error_message_names_the_pointer_and_the_construct() {
    let err = run_err(&document(
        json!({ "Lobby": { "type": "object", "properties": {
            "tags": { "type": "array", "unevaluatedItems": false },
        } } }),
        json!({}),
    ));
    assert_eq!(
        err.to_string(),
        "unsupported OpenAPI construct at /components/schemas/Lobby/properties/tags/unevaluatedItems: \
         schema keyword `unevaluatedItems`"
    );
}

#[test]
fn pointers_escape_slash_and_tilde() {
    let paths = json!({ "/a~b/{id}": { "get": {
        "operationId": "a",
        "parameters": [{ "name": "id", "in": "path", "schema": { "dependentRequired": {} } }],
        "responses": {},
    } } });
    let err = run_err(&document(json!({}), paths));
    assert_eq!(
        err.pointer,
        "/paths/~1a~0b~1{id}/get/parameters/0/schema/dependentRequired"
    );
}

/// One run reports every construct it cannot take, not only the first.
#[test]
fn every_problem_of_a_document_is_reported_in_one_run() {
    let paths = json!({
        "/a": { "get": { "operationId": "a", "responses": {}, "callbacks": {} } },
        "/b": { "get": { "operationId": "b", "responses": {
            "200": { "description": "ok", "content": { "application/json": {
                "schema": { "type": "object", "if": {} } } } },
        } } },
    });
    let err = run_err(&document(
        json!({ "Pair": { "type": "array", "prefixItems": [] } }),
        paths,
    ));
    let all: Vec<(&str, &str)> = err.all().collect();
    assert_eq!(
        all,
        [
            (
                "/components/schemas/Pair/prefixItems",
                "schema keyword `prefixItems`"
            ),
            ("/paths/~1a/get/callbacks", "operation callbacks"),
            (
                "/paths/~1b/get/responses/200/content/application~1json/schema/if",
                "schema keyword `if`"
            ),
        ]
    );
    let message = err.to_string();
    assert!(message.contains("and 2 more:"), "{message}");
    assert!(
        message.contains("at /paths/~1a/get/callbacks: operation callbacks"),
        "{message}"
    );
}
