//! A schema-aware walk that finds every 3.1-only construct left in a document. It knows where
//! OpenAPI puts schemas, so a property *named* `type` or `examples` is not mistaken for the
//! keyword.

use serde_json::Value;

/// Keywords a 3.0 Schema Object may carry (OpenAPI 3.0.3, "Schema Object"). Written out here
/// rather than taken from the normalizer, so the test does not trust what it tests.
const SCHEMA_KEYWORDS_3_0: &[&str] = &[
    "title",
    "multipleOf",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxProperties",
    "minProperties",
    "required",
    "enum",
    "type",
    "allOf",
    "oneOf",
    "anyOf",
    "not",
    "items",
    "properties",
    "additionalProperties",
    "description",
    "format",
    "default",
    "nullable",
    "discriminator",
    "readOnly",
    "writeOnly",
    "xml",
    "externalDocs",
    "example",
    "deprecated",
    "$ref",
];

pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// Every 3.1-only construct found in the schemas and document keywords of `doc`, as
/// `pointer: construct`. Schemas are found where OpenAPI puts them (components, parameters,
/// headers, request and response content) and followed through every subschema keyword.
pub fn constructs_3_1(doc: &Value) -> (Vec<String>, usize) {
    let mut found = Vec::new();
    let mut visited = 0;
    for key in ["jsonSchemaDialect", "webhooks", "$schema"] {
        if doc.get(key).is_some() {
            found.push(format!("/{key}: document keyword"));
        }
    }
    if doc.pointer("/info/license/identifier").is_some() {
        found.push("/info/license/identifier: license identifier".into());
    }
    if doc.pointer("/info/summary").is_some() {
        found.push("/info/summary: info summary".into());
    }
    let mut schema =
        |value: &Value, ptr: String| walk_schema(value, &ptr, &mut found, &mut visited);
    let entries = |v: Option<&Value>| -> Vec<(String, Value)> {
        v.and_then(Value::as_object)
            .map(|m| m.iter().map(|(k, v)| (token(k), v.clone())).collect())
            .unwrap_or_default()
    };
    for (name, s) in entries(doc.pointer("/components/schemas")) {
        schema(&s, format!("/components/schemas/{name}"));
    }
    let mut holders: Vec<(String, Value)> = Vec::new();
    for section in ["parameters", "headers", "requestBodies", "responses"] {
        for (name, v) in entries(doc.pointer(&format!("/components/{section}"))) {
            holders.push((format!("/components/{section}/{name}"), v));
        }
    }
    for (path, item) in entries(doc.get("paths")) {
        let item_ptr = format!("/paths/{path}");
        for (i, p) in item
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            holders.push((format!("{item_ptr}/parameters/{i}"), p.clone()));
        }
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let op_ptr = format!("{item_ptr}/{method}");
            for (i, p) in op
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                holders.push((format!("{op_ptr}/parameters/{i}"), p.clone()));
            }
            if let Some(body) = op.get("requestBody") {
                holders.push((format!("{op_ptr}/requestBody"), body.clone()));
            }
            for (code, r) in entries(op.get("responses")) {
                for (name, h) in entries(r.get("headers")) {
                    holders.push((format!("{op_ptr}/responses/{code}/headers/{name}"), h));
                }
                holders.push((format!("{op_ptr}/responses/{code}"), r));
            }
        }
    }
    // A parameter, header, request body or response: a `schema`, or `content` with schemas.
    for (ptr, holder) in holders {
        if let Some(s) = holder.get("schema") {
            schema(s, format!("{ptr}/schema"));
        }
        for (media, mt) in entries(holder.get("content")) {
            if let Some(s) = mt.get("schema") {
                schema(s, format!("{ptr}/content/{media}/schema"));
            }
        }
    }
    (found, visited)
}

fn walk_schema(schema: &Value, ptr: &str, found: &mut Vec<String>, visited: &mut usize) {
    *visited += 1;
    let Some(obj) = schema.as_object() else {
        found.push(format!("{ptr}: boolean schema"));
        return;
    };
    match obj.get("type") {
        Some(Value::Array(_)) => found.push(format!("{ptr}: type array")),
        Some(Value::String(t)) if t == "null" => found.push(format!("{ptr}: type null")),
        _ => {}
    }
    if obj.contains_key("$ref") && obj.len() > 1 {
        found.push(format!("{ptr}: $ref with siblings"));
    }
    for bound in ["exclusiveMinimum", "exclusiveMaximum"] {
        if obj.get(bound).is_some_and(Value::is_number) {
            found.push(format!("{ptr}: numeric {bound}"));
        }
    }
    for key in obj.keys() {
        if !SCHEMA_KEYWORDS_3_0.contains(&key.as_str()) && !key.starts_with("x-") {
            found.push(format!("{ptr}: keyword {key}"));
        }
    }
    for (name, sub) in obj
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        walk_schema(
            sub,
            &format!("{ptr}/properties/{}", token(name)),
            found,
            visited,
        );
    }
    for key in ["items", "not", "additionalProperties"] {
        if let Some(sub) = obj.get(key).filter(|s| !s.is_boolean()) {
            walk_schema(sub, &format!("{ptr}/{key}"), found, visited);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for (i, sub) in obj
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            walk_schema(sub, &format!("{ptr}/{key}/{i}"), found, visited);
        }
    }
}
