//! One schema from 3.1 to 3.0 form: `type` arrays, null branches, `const`, numeric
//! exclusive bounds, dropped annotations, credentials marked secret.

use super::*;

/// Keywords of a 3.0 Schema Object that pass through unchanged.
pub(super) const SCHEMA_KEYWORDS_30: &[&str] = &[
    "title",
    "description",
    "type",
    "format",
    "default",
    "example",
    "enum",
    "nullable",
    "properties",
    "required",
    "items",
    "additionalProperties",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "multipleOf",
    "readOnly",
    "writeOnly",
    "deprecated",
    "discriminator",
    "xml",
    "externalDocs",
    "$ref",
];

/// 3.1 schema keywords with no 3.0 meaning that only annotate: dropped, and reported.
pub(super) const SCHEMA_ANNOTATIONS_31: &[&str] = &["$schema", "$comment", "$id"];

/// Names of string properties that carry a credential. The spec does not mark them (it could,
/// with `format: password`); we do, so that the generated field is a type whose `Debug` never
/// shows the value: a registry password, and a presigned upload URL, whose query string
/// authorizes the upload until it expires.
pub const SECRET_PROPERTIES: &[&str] = &["password", "secret", "api_key", "upload_url"];

/// Rewrite one schema (and everything below it) from 3.1 to 3.0 form.
pub fn normalize_schema(schema: &mut Value, ptr: &str, report: &mut Report) -> Result<()> {
    let Some(obj) = schema.as_object_mut() else {
        // `true`/`false` schemas: 3.0 has no boolean schemas.
        return match schema {
            Value::Bool(true) => {
                *schema = json!({});
                Ok(())
            }
            _ => fail(ptr, format!("a schema that is not an object: {schema}")),
        };
    };

    // `$ref` with siblings: 3.0 ignores the siblings, 3.1 applies them. Keep their meaning.
    if obj.contains_key("$ref") && obj.len() > 1 {
        let reference = obj.shift_remove("$ref").expect("checked above");
        let siblings: Vec<&str> = obj.keys().map(String::as_str).collect();
        report.push(
            ptr,
            RewriteKind::RefSiblingsToAllOf,
            format!("siblings: {}", siblings.join(", ")),
        );
        obj.insert("allOf".into(), json!([{ "$ref": reference }]));
    }

    if obj.shift_remove("propertyNames").is_some() {
        report.push(
            &child(ptr, "propertyNames"),
            RewriteKind::PropertyNamesDropped,
            "propertyNames",
        );
    }

    for key in SCHEMA_ANNOTATIONS_31 {
        if obj.shift_remove(*key).is_some() {
            report.push(&child(ptr, key), RewriteKind::DroppedKeyword, *key);
        }
    }

    if let Some(examples) = obj.shift_remove("examples") {
        let Some(list) = examples.as_array() else {
            return fail(
                &child(ptr, "examples"),
                "schema `examples` that is not an array",
            );
        };
        if let Some(first) = list.first() {
            obj.entry("example").or_insert_with(|| first.clone());
        }
        report.push(
            ptr,
            RewriteKind::ExamplesToExample,
            format!("{} example(s), kept the first", list.len()),
        );
    }

    if let Some(value) = obj.shift_remove("const") {
        obj.insert("enum".into(), json!([value]));
        report.push(ptr, RewriteKind::ConstToEnum, format!("const {value}"));
    }

    for (exclusive, bound, lower) in [
        ("exclusiveMinimum", "minimum", true),
        ("exclusiveMaximum", "maximum", false),
    ] {
        if let Some(v) = obj.get(exclusive).filter(|v| v.is_number()).cloned() {
            // 3.1 applies both keywords when both are present: keep whichever is stricter.
            let inclusive_is_stricter = obj
                .get(bound)
                .and_then(Value::as_f64)
                .zip(v.as_f64())
                .is_some_and(|(b, e)| if lower { b > e } else { b < e });
            let detail = if inclusive_is_stricter {
                obj.shift_remove(exclusive);
                format!("{exclusive}: {v} dropped, {bound} is stricter")
            } else {
                obj.insert(bound.into(), v.clone());
                obj.insert(exclusive.into(), json!(true));
                format!("{exclusive}: {v}")
            };
            report.push(ptr, RewriteKind::ExclusiveBound, detail);
        }
    }

    if let Some(types) = obj.get("type").and_then(Value::as_array).cloned() {
        rewrite_type_array(obj, &types, ptr, report)?;
    } else if obj.get("type").and_then(Value::as_str) == Some("null") {
        return fail(
            &child(ptr, "type"),
            "a schema of type `null` outside anyOf/oneOf",
        );
    }

    for combinator in ["anyOf", "oneOf"] {
        rewrite_null_branch(obj, combinator, ptr, report)?;
    }
    any_of_as_one_of(obj, ptr, report);

    if obj.get("additionalProperties") == Some(&Value::Bool(false)) {
        obj.shift_remove("additionalProperties");
        report.push(
            ptr,
            RewriteKind::ClosedObjectOpened,
            "additionalProperties: false removed",
        );
    }

    if let Some(unknown) = obj
        .keys()
        .find(|k| !SCHEMA_KEYWORDS_30.contains(&k.as_str()) && !k.starts_with("x-"))
    {
        return fail(&child(ptr, unknown), format!("schema keyword `{unknown}`"));
    }

    // Optional properties with a default: keep them optional (see RewriteKind::DefaultKeptOptional).
    let required: Vec<String> = obj
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    if let Some(props) = obj.get_mut("properties").and_then(Value::as_object_mut) {
        for (name, prop) in props.iter_mut() {
            let p = child(&child(ptr, "properties"), name);
            let result = normalize_schema(prop, &p, report);
            report.keep(result);
            mark_secret(name, prop, &p, report);
            if !required.contains(name)
                && let Some(prop) = prop.as_object_mut()
                && let Some(default) = prop.shift_remove("default")
            {
                report.push(
                    &p,
                    RewriteKind::DefaultKeptOptional,
                    format!("default {default}"),
                );
                prop.insert("x-server-default".into(), default);
            }
        }
    }

    for key in ["items", "not"] {
        if let Some(sub) = obj.get_mut(key) {
            let result = normalize_schema(sub, &child(ptr, key), report);
            report.keep(result);
        }
    }
    if let Some(sub) = obj.get_mut("additionalProperties")
        && !sub.is_boolean()
    {
        let result = normalize_schema(sub, &child(ptr, "additionalProperties"), report);
        report.keep(result);
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(list) = obj.get_mut(key).and_then(Value::as_array_mut) {
            let p = child(ptr, key);
            for (i, sub) in list.iter_mut().enumerate() {
                let result = normalize_schema(sub, &child(&p, &i.to_string()), report);
                report.keep(result);
            }
        }
    }
    Ok(())
}

pub(super) fn mark_secret(name: &str, prop: &mut Value, ptr: &str, report: &mut Report) {
    let Some(obj) = prop.as_object_mut() else {
        return;
    };
    if SECRET_PROPERTIES.contains(&name)
        && obj.get("type").and_then(Value::as_str) == Some("string")
        && !obj.contains_key("format")
    {
        obj.insert("format".into(), json!("password"));
        report.push(ptr, RewriteKind::SecretField, "format: password");
    }
}

pub(super) fn rewrite_type_array(
    obj: &mut Map<String, Value>,
    types: &[Value],
    ptr: &str,
    report: &mut Report,
) -> Result<()> {
    let names: Vec<&str> = types.iter().filter_map(Value::as_str).collect();
    if names.len() != types.len() || names.is_empty() {
        return fail(
            &child(ptr, "type"),
            "a `type` array with non-string entries",
        );
    }
    let nullable = names.contains(&"null");
    let concrete: Vec<&str> = names.iter().copied().filter(|t| *t != "null").collect();
    match concrete.as_slice() {
        [] => return fail(&child(ptr, "type"), "a `type` array of only `null`"),
        [one] => {
            obj.insert("type".into(), json!(one));
            if nullable {
                obj.insert("nullable".into(), json!(true));
            }
            report.push(
                ptr,
                RewriteKind::TypeArrayNullable,
                format!(
                    "{names:?} -> {one}{}",
                    if nullable { ", nullable" } else { "" }
                ),
            );
        }
        many => {
            obj.shift_remove("type");
            let branches: Vec<Value> = many.iter().map(|t| json!({ "type": t })).collect();
            if obj.contains_key("anyOf") {
                return fail(&child(ptr, "type"), "a `type` array beside `anyOf`");
            }
            obj.insert("anyOf".into(), Value::Array(branches));
            if nullable {
                obj.insert("nullable".into(), json!(true));
            }
            report.push(ptr, RewriteKind::TypeArrayAnyOf, format!("{names:?}"));
        }
    }
    Ok(())
}

pub(super) fn is_null_schema(v: &Value) -> bool {
    v.get("type").and_then(Value::as_str) == Some("null")
        && v.as_object().is_some_and(|o| {
            o.keys()
                .all(|k| k == "type" || k == "description" || k == "title")
        })
}

pub(super) fn rewrite_null_branch(
    obj: &mut Map<String, Value>,
    combinator: &str,
    ptr: &str,
    report: &mut Report,
) -> Result<()> {
    let Some(branches) = obj.get(combinator).and_then(Value::as_array) else {
        return Ok(());
    };
    if !branches.iter().any(is_null_schema) {
        return Ok(());
    }
    let rest: Vec<Value> = branches
        .iter()
        .filter(|b| !is_null_schema(b))
        .cloned()
        .collect();
    match rest.as_slice() {
        [] => return fail(&child(ptr, combinator), "only `null` branches"),
        // One branch left: the schema becomes that branch, nullable. A `$ref` goes under allOf
        // because 3.0 ignores siblings of `$ref`.
        [one] => {
            obj.shift_remove(combinator);
            if one.get("$ref").is_some() {
                obj.insert("allOf".into(), json!([one]));
            } else if let Some(branch) = one.as_object() {
                for (k, v) in branch {
                    if obj.contains_key(k) {
                        return fail(ptr, format!("`{k}` both beside and inside `{combinator}`"));
                    }
                    obj.insert(k.clone(), v.clone());
                }
            }
        }
        _ => {
            obj.insert(combinator.into(), Value::Array(rest.clone()));
        }
    }
    obj.insert("nullable".into(), json!(true));
    report.push(
        ptr,
        RewriteKind::NullBranchNullable,
        format!(
            "{combinator} with a null branch, {} other branch(es)",
            rest.len()
        ),
    );
    Ok(())
}

/// `anyOf` of several branches becomes `oneOf`. zod-to-openapi writes a union (`z.union`) as
/// `anyOf` where our spec says `oneOf`, and typify turns the one into a struct of optional
/// flattened fields and the other into an enum: a spec that only changes the spelling would
/// change public types. Decoding is the same either way (the first branch that matches wins),
/// so both spellings get the enum. Beside an existing `oneOf` nothing changes.
fn any_of_as_one_of(obj: &mut Map<String, Value>, ptr: &str, report: &mut Report) {
    let several = obj
        .get("anyOf")
        .and_then(Value::as_array)
        .is_some_and(|branches| branches.len() > 1);
    if !several || obj.contains_key("oneOf") {
        return;
    }
    if let Some(branches) = obj.shift_remove("anyOf") {
        let count = branches.as_array().map_or(0, Vec::len);
        obj.insert("oneOf".into(), branches);
        report.push(
            ptr,
            RewriteKind::AnyOfAsOneOf,
            format!("anyOf of {count} branches"),
        );
    }
}
