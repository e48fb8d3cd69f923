//! Components nullable as a whole become their non-null shape, and every use of them nullable.

use super::*;

/// Components nullable as a whole (`type: [T, "null"]`, `nullable: true`, or a null branch
/// beside one other): the component becomes the non-null shape and every `$ref` to it a
/// nullable use, as when the spec writes `anyOf: [{$ref}, {type: null}]` at each use. Otherwise
/// progenitor makes the type itself an `Option` (`PoolConfig(Option<PoolConfigInner>)`).
pub(super) fn split_nullable_components(root: &mut Map<String, Value>, report: &mut Report) {
    let mut used = std::collections::BTreeSet::new();
    for value in root.values() {
        referenced_schemas(value, &mut used);
    }
    let Some(schemas) = root
        .get_mut("components")
        .and_then(|c| c.get_mut("schemas"))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let mut split = Vec::new();
    for (name, schema) in schemas.iter_mut() {
        // Only a component that is used has uses to carry its nullability.
        let Some(obj) = schema.as_object_mut().filter(|_| used.contains(name)) else {
            continue;
        };
        let mut nullable = obj.shift_remove("nullable") == Some(Value::Bool(true));
        if let Some(types) = obj.get_mut("type").and_then(Value::as_array_mut)
            && types.iter().any(|t| t == "null")
        {
            types.retain(|t| t != "null");
            nullable = true;
            if let [one] = types.as_slice() {
                let one = one.clone();
                obj.insert("type".into(), one);
            }
        }
        for key in ["anyOf", "oneOf"] {
            let Some(list) = obj.get(key).and_then(Value::as_array) else {
                continue;
            };
            let rest: Vec<Value> = list
                .iter()
                .filter(|b| !is_null_schema(b))
                .cloned()
                .collect();
            if rest.len() == list.len() || rest.is_empty() {
                continue;
            }
            nullable = true;
            // One inline branch left (`anyOf: [{type: object, …}, {type: null}]`, as zod's
            // `.nullable()` writes it): the component becomes that branch, keeping its own
            // description beside it, as `type: [object, "null"]` would have.
            let merge = match rest.as_slice() {
                [Value::Object(branch)] if !branch.contains_key("$ref") => {
                    Some(branch.clone()).filter(|b| b.keys().all(|k| !obj.contains_key(k)))
                }
                _ => None,
            };
            match merge {
                Some(branch) => {
                    obj.shift_remove(key);
                    obj.extend(branch);
                }
                None => {
                    obj.insert(key.into(), Value::Array(rest));
                }
            }
        }
        if nullable {
            if let Some(values) = obj.get_mut("enum").and_then(Value::as_array_mut) {
                values.retain(|v| !v.is_null());
            }
            split.push(name.clone());
        }
    }
    if split.is_empty() {
        return;
    }
    let refs: Vec<String> = split
        .iter()
        .map(|n| format!("#/components/schemas/{}", token(n)))
        .collect();
    let mut counts = vec![0usize; refs.len()];
    for (_, value) in root.iter_mut() {
        nullable_refs(value, &refs, false, &mut counts);
    }
    for (name, n) in split.iter().zip(counts) {
        report.push(
            &child("/components/schemas", name),
            RewriteKind::NullableComponentSplit,
            format!("{n} use(s) made nullable"),
        );
    }
}

/// Names of the component schemas `$ref`s below `node` point to.
pub(super) fn referenced_schemas(node: &Value, names: &mut std::collections::BTreeSet<String>) {
    match node {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                names.insert(name.replace("~1", "/").replace("~0", "~"));
            }
            map.values().for_each(|v| referenced_schemas(v, names));
        }
        Value::Array(list) => list.iter().for_each(|v| referenced_schemas(v, names)),
        _ => {}
    }
}

pub(super) fn nullable_refs(
    node: &mut Value,
    refs: &[String],
    beside_null: bool,
    counts: &mut [usize],
) {
    match node {
        Value::Object(map) => {
            let target = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| refs.iter().position(|x| x == r));
            if let Some(i) = target {
                if !beside_null {
                    let reference = map.shift_remove("$ref").expect("found above");
                    map.insert(
                        "anyOf".into(),
                        json!([{ "$ref": reference }, { "type": "null" }]),
                    );
                    counts[i] += 1;
                }
                return;
            }
            let has_null = ["anyOf", "oneOf"].iter().any(|k| {
                map.get(*k)
                    .and_then(Value::as_array)
                    .is_some_and(|l| l.iter().any(is_null_schema))
            });
            for (key, value) in map.iter_mut() {
                let branches = key == "anyOf" || key == "oneOf";
                if branches && let Some(list) = value.as_array_mut() {
                    for branch in list {
                        nullable_refs(branch, refs, has_null, counts);
                    }
                } else {
                    nullable_refs(value, refs, false, counts);
                }
            }
        }
        Value::Array(list) => {
            for v in list {
                nullable_refs(v, refs, false, counts);
            }
        }
        _ => {}
    }
}
