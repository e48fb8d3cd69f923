//! Response shapes progenitor cannot take: several error bodies, several success bodies,
//! `default` beside typed success codes.

use super::*;

fn json_body(schema: Value) -> Value {
    json!({ "description": "d", "content": { "application/json": { "schema": schema } } })
}

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn error_schemas() -> Value {
    json!({
        "Error": { "type": "object", "properties": {
            "error": { "type": "string" },
            "detail": {},
            "status": { "type": "integer" },
        } },
        "ValidationError": { "type": "object", "properties": {
            "error": { "type": "string" },
            "detail": { "type": "array" },
            "status": { "type": "integer" },
        } },
        "Server": { "type": "object" },
        "Lobby": { "type": "object" },
        "Deleted": { "type": "object" },
    })
}

fn responses_of(out: &Normalized, path: &str, method: &str) -> Value {
    out.document["paths"][path][method]["responses"].clone()
}

#[test]
fn a_validation_error_beside_a_4xx_error_is_collapsed_into_error() {
    let paths = json!({ "/servers": { "get": {
        "operationId": "listServers",
        "responses": {
            "200": json_body(reference("Server")),
            "422": json_body(reference("ValidationError")),
            "4XX": json_body(reference("Error")),
            "5XX": json_body(reference("Error")),
        },
    } } });
    let out = run(&document(error_schemas(), paths));
    let responses = responses_of(&out, "/servers", "get");
    for code in ["422", "4XX", "5XX"] {
        assert_eq!(
            responses[code]["content"]["application/json"]["schema"],
            reference("Error"),
            "{code}"
        );
    }
    assert_eq!(
        rewrites(&out),
        [(
            RewriteKind::ErrorBodiesMerged,
            "/paths/~1servers/get/responses/422",
            "ValidationError -> Error"
        )]
    );
}

#[test]
fn an_error_body_with_a_field_the_kept_body_lacks_cannot_be_merged() {
    let paths = json!({ "/servers": { "get": {
        "operationId": "listServers",
        "responses": {
            "200": json_body(reference("Server")),
            "409": json_body(json!({ "type": "object", "properties": {
                "error": { "type": "string" },
                "conflicting_id": { "type": "string" },
            } })),
            "4XX": json_body(reference("Error")),
        },
    } } });
    let err = run_err(&document(error_schemas(), paths));
    assert_eq!(err.pointer, "/paths/~1servers/get/responses/409");
    assert_eq!(
        err.construct,
        "an error body with property `conflicting_id` that the 4XX body lacks"
    );
}

#[test]
fn an_error_body_without_properties_cannot_be_merged() {
    let paths = json!({ "/servers": { "get": {
        "operationId": "listServers",
        "responses": {
            "200": json_body(reference("Server")),
            "503": json_body(json!({ "type": "string" })),
            "4XX": json_body(reference("Error")),
        },
    } } });
    let err = run_err(&document(error_schemas(), paths));
    assert_eq!(err.pointer, "/paths/~1servers/get/responses/503");
    assert!(err.construct.contains("not both object schemas"), "{err}");
}

#[test]
fn several_success_bodies_become_one_one_of() {
    let paths = json!({ "/lobbies/me": { "delete": {
        "operationId": "leaveLobby",
        "responses": {
            "200": json_body(reference("Lobby")),
            "202": json_body(reference("Deleted")),
            "4XX": json_body(reference("Error")),
        },
    } } });
    let out = run(&document(error_schemas(), paths));
    let responses = responses_of(&out, "/lobbies/me", "delete");
    let merged = json!({ "oneOf": [reference("Lobby"), reference("Deleted")] });
    assert_eq!(
        responses["200"]["content"]["application/json"]["schema"],
        merged
    );
    assert_eq!(
        responses["202"]["content"]["application/json"]["schema"],
        merged
    );
    assert_eq!(
        responses["4XX"]["content"]["application/json"]["schema"],
        reference("Error")
    );
    assert_eq!(
        rewrites(&out),
        [(
            RewriteKind::SuccessBodiesMerged,
            "/paths/~1lobbies~1me/delete/responses",
            "2 bodies of 200, 202 became one oneOf"
        )]
    );
}

#[test]
fn identical_success_bodies_are_left_alone() {
    let paths = json!({ "/servers": { "post": {
        "operationId": "startServer",
        "responses": {
            "200": json_body(reference("Server")),
            "201": json_body(reference("Server")),
        },
    } } });
    let out = run(&document(error_schemas(), paths));
    assert_eq!(rewrites(&out), []);
}

#[test]
fn default_beside_typed_success_codes_becomes_the_error_ranges() {
    let paths = json!({ "/servers/{id}": { "get": {
        "operationId": "getServer",
        "responses": {
            "200": json_body(reference("Server")),
            "default": json_body(reference("Error")),
        },
    } } });
    let out = run(&document(error_schemas(), paths));
    let responses = responses_of(&out, "/servers/{id}", "get");
    assert_eq!(
        responses,
        json!({
            "200": json_body(reference("Server")),
            "4XX": json_body(reference("Error")),
            "5XX": json_body(reference("Error")),
        })
    );
    assert_eq!(
        rewrites(&out),
        [(
            RewriteKind::DefaultResponseToErrorRanges,
            "/paths/~1servers~1{id}/get/responses/default",
            "became 4XX, 5XX"
        )]
    );
}

#[test]
fn default_beside_declared_error_ranges_is_dropped() {
    let paths = json!({ "/servers/{id}": { "get": {
        "operationId": "getServer",
        "responses": {
            "200": json_body(reference("Server")),
            "4XX": json_body(reference("Error")),
            "5XX": json_body(reference("Error")),
            "default": json_body(reference("Error")),
        },
    } } });
    let out = run(&document(error_schemas(), paths));
    let responses = responses_of(&out, "/servers/{id}", "get");
    assert!(responses.get("default").is_none(), "{responses}");
    assert_eq!(
        rewrites(&out),
        [(
            RewriteKind::DefaultResponseToErrorRanges,
            "/paths/~1servers~1{id}/get/responses/default",
            "dropped: 4XX and 5XX already declared"
        )]
    );
}

#[test]
fn default_without_a_typed_success_body_is_kept() {
    let paths = json!({ "/heartbeat": { "post": {
        "operationId": "sendHeartbeat",
        "responses": {
            "200": { "description": "ok" },
            "default": json_body(reference("Error")),
        },
    } } });
    let out = run(&document(error_schemas(), paths));
    assert!(
        responses_of(&out, "/heartbeat", "post")
            .get("default")
            .is_some()
    );
    assert_eq!(rewrites(&out), []);
}

/// zod-to-openapi routes spell one error schema over every status, beside a 422 of its own and
/// before it: the shared body is the one kept.
#[test]
fn without_a_4xx_range_the_error_body_most_statuses_share_is_kept() {
    let error = json!({ "$ref": "#/components/schemas/Error" });
    let validation = json!({ "$ref": "#/components/schemas/ValidationError" });
    let body = |schema: &Value| json!({ "description": "e", "content": { "application/json": { "schema": schema } } });
    let out = run(&document(
        json!({
            "Error": { "type": "object", "properties": {
                "error": { "type": "string" }, "detail": {} } },
            "ValidationError": { "type": "object", "properties": { "detail": {} } },
        }),
        json!({ "/a": { "post": {
            "operationId": "a",
            "responses": {
                "422": body(&validation),
                "400": body(&error),
                "404": body(&error),
                "500": body(&error),
            },
        } } }),
    ));
    let responses = &out.document["paths"]["/a"]["post"]["responses"];
    for code in ["400", "404", "422", "500"] {
        assert_eq!(
            responses[code]["content"]["application/json"]["schema"], error,
            "{code}"
        );
    }
    assert!(rewrites(&out).contains(&(
        RewriteKind::ErrorBodiesMerged,
        "/paths/~1a/post/responses/422",
        "ValidationError -> Error"
    )));
    // The ranges the typed mocks reply through are added, with the shared body; the
    // statuses stay.
    for range in ["4XX", "5XX"] {
        assert_eq!(
            responses[range]["content"]["application/json"]["schema"], error,
            "{range}"
        );
    }
    assert!(rewrites(&out).contains(&(
        RewriteKind::ErrorRangeAdded,
        "/paths/~1a/post/responses/4XX",
        "from 422, 400, 404"
    )));
    assert!(rewrites(&out).contains(&(
        RewriteKind::ErrorRangeAdded,
        "/paths/~1a/post/responses/5XX",
        "from 500"
    )));
}

/// Declared ranges are left as they are: the vendored spec's shape is unchanged.
#[test]
fn a_declared_error_range_is_not_added_again() {
    let paths = json!({ "/servers/{id}": { "get": {
        "operationId": "getServer",
        "responses": {
            "200": json_body(reference("Server")),
            "404": json_body(reference("Error")),
            "4XX": json_body(reference("Error")),
            "5XX": json_body(reference("Error")),
        },
    } } });
    let out = run(&document(error_schemas(), paths));
    assert!(
        !rewrites(&out)
            .iter()
            .any(|(kind, ..)| *kind == RewriteKind::ErrorRangeAdded),
        "{:?}",
        rewrites(&out)
    );
}
