//! Walking the document: components, path items, operations, parameters, bodies, responses.

use super::*;

pub(super) fn normalize_components(
    components: &mut Map<String, Value>,
    report: &mut Report,
    hoisted: &mut Vec<(String, Value)>,
) -> Result<()> {
    if let Some(schemas) = components.get_mut("schemas").and_then(Value::as_object_mut) {
        let existing: Vec<String> = schemas.keys().cloned().collect();
        for (name, schema) in schemas.iter_mut() {
            let ptr = child("/components/schemas", name);
            let result = normalize_schema(schema, &ptr, report);
            report.keep(result);
            let result = hoist_inline_enums(schema, name, &ptr, &existing, hoisted, report);
            report.keep(result);
        }
    }
    for section in ["parameters", "headers"] {
        if let Some(items) = components.get_mut(section).and_then(Value::as_object_mut) {
            for (name, item) in items.iter_mut() {
                let ptr = child(&child("/components", section), name);
                let result = normalize_schema_holder(item, &ptr, report);
                report.keep(result);
            }
        }
    }
    if let Some(items) = components
        .get_mut("requestBodies")
        .and_then(Value::as_object_mut)
    {
        for (name, body) in items.iter_mut() {
            let result =
                normalize_request_body(body, &child("/components/requestBodies", name), report);
            report.keep(result);
        }
    }
    if let Some(items) = components
        .get_mut("responses")
        .and_then(Value::as_object_mut)
    {
        for (name, response) in items.iter_mut() {
            let result =
                normalize_response(response, &child("/components/responses", name), report);
            report.keep(result);
        }
    }
    Ok(())
}

pub(super) const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

pub(super) fn normalize_path_item(item: &mut Value, path: &str, report: &mut Report) -> Result<()> {
    let ptr = &child("/paths", path);
    let Some(item) = item.as_object_mut() else {
        return fail(ptr, "a path item that is not an object");
    };
    if item.contains_key("$ref") {
        return fail(ptr, "a path item `$ref` (not supported by progenitor)");
    }
    for (key, value) in item.iter_mut() {
        let p = child(ptr, key);
        match key.as_str() {
            "parameters" => normalize_parameters(value, &p, report)?,
            "summary" | "description" | "servers" => {}
            k if k.starts_with("x-") => {}
            k if METHODS.contains(&k) => {
                let result = normalize_operation(value, &p, (k, path), report);
                report.keep(result);
            }
            other => return fail(&p, format!("unknown path item field `{other}`")),
        }
    }
    Ok(())
}

pub(super) fn normalize_operation(
    op: &mut Value,
    ptr: &str,
    (method, path): (&str, &str),
    report: &mut Report,
) -> Result<()> {
    let Some(op) = op.as_object_mut() else {
        return fail(ptr, "an operation that is not an object");
    };
    if !op.contains_key("operationId") {
        let id = route_operation_id(method, path);
        report.push(
            ptr,
            RewriteKind::OperationIdDerived,
            format!("operationId {id}"),
        );
        op.insert("operationId".into(), Value::String(id));
    }
    if let Some(params) = op.get_mut("parameters") {
        let result = normalize_parameters(params, &child(ptr, "parameters"), report);
        report.keep(result);
    }
    if let Some(body) = op.get_mut("requestBody") {
        let result = normalize_request_body(body, &child(ptr, "requestBody"), report);
        report.keep(result);
    }
    if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
        for (code, response) in responses.iter_mut() {
            let result =
                normalize_response(response, &child(&child(ptr, "responses"), code), report);
            report.keep(result);
        }
    }
    if op.contains_key("callbacks") {
        return fail(&child(ptr, "callbacks"), "operation callbacks");
    }
    Ok(())
}

pub(super) fn normalize_parameters(
    params: &mut Value,
    ptr: &str,
    report: &mut Report,
) -> Result<()> {
    let Some(list) = params.as_array_mut() else {
        return fail(ptr, "`parameters` that is not an array");
    };
    for (i, param) in list.iter_mut().enumerate() {
        let result = normalize_schema_holder(param, &child(ptr, &i.to_string()), report);
        report.keep(result);
    }
    Ok(())
}

/// Parameters and headers: a `schema`, or a `content` map of media types with schemas.
pub(super) fn normalize_schema_holder(
    holder: &mut Value,
    ptr: &str,
    report: &mut Report,
) -> Result<()> {
    if let Some(schema) = holder.get_mut("schema") {
        let result = normalize_schema(schema, &child(ptr, "schema"), report);
        report.keep(result);
    }
    if let Some(content) = holder.get_mut("content") {
        let result = normalize_content(content, &child(ptr, "content"), report);
        report.keep(result);
    }
    Ok(())
}

pub(super) fn normalize_content(content: &mut Value, ptr: &str, report: &mut Report) -> Result<()> {
    let Some(content) = content.as_object_mut() else {
        return fail(ptr, "`content` that is not an object");
    };
    for (media, mt) in content.iter_mut() {
        if let Some(schema) = mt.get_mut("schema") {
            let result = normalize_schema(schema, &child(&child(ptr, media), "schema"), report);
            report.keep(result);
        }
    }
    Ok(())
}

pub(super) fn normalize_request_body(
    body: &mut Value,
    ptr: &str,
    report: &mut Report,
) -> Result<()> {
    if let Some(content) = body.get_mut("content").and_then(Value::as_object_mut)
        && content.len() > 1
    {
        if !content.contains_key("application/json") {
            return fail(
                &child(ptr, "content"),
                "a request body with several media types, none of them application/json",
            );
        }
        let dropped: Vec<String> = content
            .keys()
            .filter(|k| *k != "application/json")
            .cloned()
            .collect();
        content.retain(|k, _| k == "application/json");
        report.push(
            &child(ptr, "content"),
            RewriteKind::RequestMediaTypesReduced,
            format!("kept application/json, dropped {}", dropped.join(", ")),
        );
    }
    normalize_schema_holder(body, ptr, report)
}

pub(super) fn normalize_response(
    response: &mut Value,
    ptr: &str,
    report: &mut Report,
) -> Result<()> {
    if let Some(headers) = response.get_mut("headers").and_then(Value::as_object_mut) {
        for (name, header) in headers.iter_mut() {
            let result =
                normalize_schema_holder(header, &child(&child(ptr, "headers"), name), report);
            report.keep(result);
        }
    }
    if let Some(content) = response.get_mut("content") {
        let result = normalize_content(content, &child(ptr, "content"), report);
        report.keep(result);
    }
    Ok(())
}
