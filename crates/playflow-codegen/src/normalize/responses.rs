//! Response shapes progenitor cannot take, made into ones it can.

use super::*;

/// Response shapes progenitor cannot take: different error bodies, different success bodies,
/// and `default` beside typed success codes.
pub(super) fn normalize_responses_shape(
    item: &mut Value,
    ptr: &str,
    components: &Value,
    report: &mut Report,
) -> Result<()> {
    let Some(item) = item.as_object_mut() else {
        return Ok(());
    };
    for (method, op) in item.iter_mut() {
        if !METHODS.contains(&method.as_str()) {
            continue;
        }
        let p = child(&child(ptr, method), "responses");
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            continue;
        };
        default_to_error_ranges(responses, &p, report);
        merge_success_bodies(responses, &p, report);
        let result = merge_error_bodies(responses, &p, components, report);
        report.keep(result);
        error_ranges_from_statuses(responses, &p, report);
    }
    Ok(())
}

/// An operation that declares its errors status by status (zod-to-openapi routes spread one
/// error schema over 400, 401, ... 500) and no `4XX`/`5XX` range gets the range too, with the
/// body its statuses of that class share after [`merge_error_bodies`]. progenitor's typed
/// mocks (`raw::mock`) build an error reply through the range's `client_error` /
/// `server_error`: without the range they would vanish on a pure respelling of the spec.
/// The status-by-status responses stay, so nothing is lost.
pub(super) fn error_ranges_from_statuses(
    responses: &mut Map<String, Value>,
    ptr: &str,
    report: &mut Report,
) {
    for (class, range) in [('4', "4XX"), ('5', "5XX")] {
        if responses.contains_key(range) {
            continue;
        }
        let statuses: Vec<&String> = responses
            .iter()
            .filter(|(code, r)| {
                code.len() == 3
                    && code.starts_with(class)
                    && code.bytes().all(|b| b.is_ascii_digit())
                    && json_schema_of(r).is_some()
            })
            .map(|(code, _)| code)
            .collect();
        let Some(first) = statuses.first() else {
            continue;
        };
        let detail = format!(
            "from {}",
            statuses
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut response = responses[first.as_str()].clone();
        if let Some(obj) = response.as_object_mut() {
            obj.insert(
                "description".into(),
                json!(format!(
                    "Any {range} status (declared status by status upstream)."
                )),
            );
        }
        responses.insert(range.into(), response);
        report.push(&child(ptr, range), RewriteKind::ErrorRangeAdded, detail);
    }
}

pub(super) fn is_success(code: &str) -> bool {
    code.starts_with('2')
}

pub(super) fn is_error(code: &str) -> bool {
    code.starts_with('4') || code.starts_with('5')
}

pub(super) fn json_schema_of(response: &Value) -> Option<&Value> {
    response
        .get("content")?
        .as_object()?
        .iter()
        .find(|(media, _)| *media == "application/json" || media.starts_with("application/json;"))
        .and_then(|(_, mt)| mt.get("schema"))
}

pub(super) fn json_schema_of_mut(response: &mut Value) -> Option<&mut Value> {
    response
        .get_mut("content")?
        .as_object_mut()?
        .iter_mut()
        .find(|(media, _)| *media == "application/json" || media.starts_with("application/json;"))
        .and_then(|(_, mt)| mt.get_mut("schema"))
}

pub(super) fn default_to_error_ranges(
    responses: &mut Map<String, Value>,
    ptr: &str,
    report: &mut Report,
) {
    let typed_success = responses
        .iter()
        .any(|(code, r)| is_success(code) && json_schema_of(r).is_some());
    if !typed_success || !responses.contains_key("default") {
        return;
    }
    let default = responses.shift_remove("default").expect("checked above");
    let mut added = Vec::new();
    for range in ["4XX", "5XX"] {
        if !responses.contains_key(range) {
            responses.insert(range.into(), default.clone());
            added.push(range);
        }
    }
    report.push(
        &child(ptr, "default"),
        RewriteKind::DefaultResponseToErrorRanges,
        if added.is_empty() {
            "dropped: 4XX and 5XX already declared".to_string()
        } else {
            format!("became {}", added.join(", "))
        },
    );
}

pub(super) fn merge_success_bodies(
    responses: &mut Map<String, Value>,
    ptr: &str,
    report: &mut Report,
) {
    let mut distinct: Vec<Value> = Vec::new();
    for (code, r) in responses.iter() {
        if let Some(schema) = json_schema_of(r).filter(|_| is_success(code))
            && !distinct.contains(schema)
        {
            distinct.push(schema.clone());
        }
    }
    if distinct.len() < 2 {
        return;
    }
    let merged = json!({ "oneOf": distinct });
    let mut codes = Vec::new();
    for (code, r) in responses.iter_mut() {
        if is_success(code)
            && let Some(schema) = json_schema_of_mut(r)
        {
            *schema = merged.clone();
            codes.push(code.clone());
        }
    }
    report.push(
        ptr,
        RewriteKind::SuccessBodiesMerged,
        format!(
            "{} bodies of {} became one oneOf",
            distinct.len(),
            codes.join(", ")
        ),
    );
}

/// Collapse different error bodies into the body of the `4XX` response (else the body most
/// error responses share). Each body folded in must be an object whose properties the kept body also has, so
/// nothing a server sends is lost: `ValidationError` folds into `Error`, whose `detail` also
/// takes the list of validation issues.
pub(super) fn merge_error_bodies(
    responses: &mut Map<String, Value>,
    ptr: &str,
    components: &Value,
    report: &mut Report,
) -> Result<()> {
    let errors: Vec<(String, Value)> = responses
        .iter()
        .filter(|(code, _)| is_error(code))
        .filter_map(|(code, r)| json_schema_of(r).map(|s| (code.clone(), s.clone())))
        .collect();
    // The 4XX body, else the body most error statuses share (upstream spreads one error
    // schema over 400, 401, ... beside a 422 of its own), ties going to the first.
    let shared = |schema: &Value| errors.iter().filter(|(_, s)| s == schema).count();
    let Some((keep_code, keep)) = errors
        .iter()
        .find(|(code, _)| code == "4XX")
        .or_else(|| {
            errors
                .iter()
                .enumerate()
                .max_by_key(|(i, (_, s))| (shared(s), std::cmp::Reverse(*i)))
                .map(|(_, e)| e)
        })
        .cloned()
    else {
        return Ok(());
    };
    let keep_props = property_names(&keep, components);
    for (code, schema) in &errors {
        if *schema == keep {
            continue;
        }
        let p = child(ptr, code);
        let props = property_names(schema, components);
        let (Some(props), Some(keep_props)) = (&props, &keep_props) else {
            return fail(
                &p,
                "different error bodies that are not both object schemas with properties",
            );
        };
        if let Some(missing) = props.iter().find(|p| !keep_props.contains(p)) {
            return fail(
                &p,
                format!("an error body with property `{missing}` that the {keep_code} body lacks"),
            );
        }
        let response = responses.get_mut(code).expect("collected above");
        *json_schema_of_mut(response).expect("collected above") = keep.clone();
        report.push(
            &p,
            RewriteKind::ErrorBodiesMerged,
            format!("{} -> {}", schema_label(schema), schema_label(&keep)),
        );
    }
    Ok(())
}

pub(super) fn resolve<'a>(schema: &'a Value, components: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .strip_prefix("#/components/")
            .and_then(|rest| {
                rest.split('/')
                    .try_fold(components, |node, key| node.get(key))
            })
            .unwrap_or(schema),
        None => schema,
    }
}

pub(super) fn property_names(schema: &Value, components: &Value) -> Option<Vec<String>> {
    let resolved = resolve(schema, components);
    let props = resolved.get("properties")?.as_object()?;
    Some(props.keys().cloned().collect())
}

pub(super) fn schema_label(schema: &Value) -> String {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => r.rsplit('/').next().unwrap_or(r).to_string(),
        None => "inline schema".to_string(),
    }
}
