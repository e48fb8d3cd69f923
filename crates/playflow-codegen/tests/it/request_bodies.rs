//! Request bodies: defaults of optional properties and media types.

use super::*;

#[test]
fn default_of_an_optional_property_is_kept_as_x_server_default() {
    let (out, n) = schema_rewrite(json!({
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": { "type": "string", "default": "lobby" },
            "maxPlayers": { "type": "integer", "minimum": 1, "default": 2 },
        },
    }));
    assert_eq!(
        out["properties"],
        json!({
            // Required: the default stays, it documents the field and changes nothing on the wire.
            "name": { "type": "string", "default": "lobby" },
            // Optional: no default in the generated type, so an omitted field stays omitted.
            "maxPlayers": { "type": "integer", "minimum": 1, "x-server-default": 2 },
        })
    );
    assert_eq!(
        rewrites(&n),
        [(
            RewriteKind::DefaultKeptOptional,
            "/components/schemas/S/properties/maxPlayers",
            "default 2"
        )]
    );
}

#[test]
fn several_media_types_are_reduced_to_json() {
    let paths = json!({
        "/things": { "post": {
            "operationId": "createThing",
            "requestBody": { "content": {
                "application/json": { "schema": { "type": "object" } },
                "application/x-www-form-urlencoded": { "schema": { "type": "object" } },
                "multipart/form-data": { "schema": { "type": "object" } },
            } },
            "responses": { "204": { "description": "done" } },
        } },
    });
    let out = run(&document(json!({}), paths));
    assert_eq!(
        out.document["paths"]["/things"]["post"]["requestBody"],
        json!({ "content": { "application/json": { "schema": { "type": "object" } } } })
    );
    assert_eq!(
        rewrites(&out),
        [(
            RewriteKind::RequestMediaTypesReduced,
            "/paths/~1things/post/requestBody/content",
            "kept application/json, dropped application/x-www-form-urlencoded, multipart/form-data"
        )]
    );
}

#[test]
fn credential_properties_become_password_strings() {
    let (out, n) = schema_rewrite(json!({
        "type": "object",
        "properties": {
            "username": { "type": "string" },
            "password": { "type": "string" },
            "upload_url": { "type": "string", "description": "presigned" },
            // Already formatted: left as it is.
            "api_key": { "type": "string", "format": "uuid" },
            // Not a string: left as it is.
            "secret": { "type": "object" },
        },
    }));
    assert_eq!(
        out["properties"],
        json!({
            "username": { "type": "string" },
            "password": { "type": "string", "format": "password" },
            "upload_url": { "type": "string", "description": "presigned", "format": "password" },
            "api_key": { "type": "string", "format": "uuid" },
            "secret": { "type": "object" },
        })
    );
    assert_eq!(
        rewrites(&n),
        [
            (
                RewriteKind::SecretField,
                "/components/schemas/S/properties/password",
                "format: password"
            ),
            (
                RewriteKind::SecretField,
                "/components/schemas/S/properties/upload_url",
                "format: password"
            ),
        ]
    );
}
