//! A binding file made from a spec whose names are ours.

use std::collections::{BTreeSet, VecDeque};

use serde_json::Value;

use super::{
    Binding, METHODS, SCHEMA_REF, Step, is_null, render_steps, schema_names, token, unescape,
};

/// A binding of every operation and component schema of `doc`, as the binding file of a spec
/// whose names are ours: operations by route, each component by the first place an operation
/// reaches it (success bodies, then request bodies, then error bodies, breadth first), or by
/// name when no operation reaches it.
pub fn derive(doc: &Value) -> Binding {
    let mut binding = Binding::default();
    let mut queue: VecDeque<(String, Value)> = Default::default();
    let paths = doc.get("paths").and_then(Value::as_object);
    let mut bodies: Vec<(u8, String, Value)> = Vec::new();
    for (path, item) in paths.into_iter().flatten() {
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let route = format!("{} {path}", method.to_uppercase());
            if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                binding.operations.push((route.clone(), id.to_owned()));
            }
            let json_schema = |holder: &Value| {
                let content = holder.get("content")?.as_object()?;
                let media = content
                    .keys()
                    .find(|m| *m == "application/json" || m.starts_with("application/json;"))?;
                content.get(media)?.get("schema").cloned()
            };
            for (code, response) in op
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if let Some(schema) = json_schema(response) {
                    let rank = if code.starts_with('2') { 0 } else { 2 };
                    bodies.push((rank, format!("{route} {code}"), schema));
                }
            }
            if let Some(schema) = op.get("requestBody").and_then(json_schema) {
                bodies.push((1, format!("{route} request"), schema));
            }
            // Schemas an extension lists by key (`x-sse-events`: the events of a stream).
            for (key, value) in op.as_object().into_iter().flatten() {
                if !key.starts_with("x-") {
                    continue;
                }
                for (name, schema) in value.as_object().into_iter().flatten() {
                    if schema.get("$ref").is_some() || schema.get("properties").is_some() {
                        bodies.push((3, format!("{route} {key}/{name}"), schema.clone()));
                    }
                }
            }
        }
    }
    bodies.sort_by_key(|(rank, _, _)| *rank);
    queue.extend(bodies.into_iter().map(|(_, at, s)| (at, s)));
    let mut seen: BTreeSet<String> = BTreeSet::new();
    while let Some((at, schema)) = queue.pop_front() {
        let unwrapped = unwrap_value(&schema);
        if let Some(name) = unwrapped
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix(SCHEMA_REF))
        {
            let name = unescape(name);
            if seen.insert(name.clone()) {
                binding.schemas.push((name.clone(), at.clone()));
                if let Some(target) = doc.pointer(&format!("/components/schemas/{}", token(&name)))
                {
                    children(&at, target, &mut queue);
                }
            }
        } else {
            children(&at, unwrapped, &mut queue);
        }
    }
    for name in schema_names(doc) {
        if seen.insert(name.clone()) {
            binding.schemas.push((name.clone(), format!("#{name}")));
        }
    }
    binding
}

fn unwrap_value(schema: &Value) -> &Value {
    let mut node = schema;
    for _ in 0..64 {
        if node.get("properties").is_some() || node.get("$ref").is_some() {
            return node;
        }
        let mut next = None;
        for key in ["anyOf", "oneOf", "allOf"] {
            if let Some(list) = node.get(key).and_then(Value::as_array) {
                let real: Vec<&Value> = list.iter().filter(|b| !is_null(b)).collect();
                if let [one] = real.as_slice() {
                    next = Some(*one);
                }
            }
        }
        match next {
            Some(n) => node = n,
            None => return node,
        }
    }
    node
}

fn children(at: &str, schema: &Value, queue: &mut VecDeque<(String, Value)>) {
    // The first step is set apart from the body by a space, later ones follow directly.
    let at_steps = |s: Step| {
        let sep = if at.split(' ').count() == 3 { " " } else { "" };
        format!("{at}{sep}{}", render_steps(&[s]))
    };
    for (name, prop) in schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        queue.push_back((at_steps(Step::Property(name.clone())), prop.clone()));
    }
    if let Some(items) = schema.get("items").filter(|i| i.is_object()) {
        queue.push_back((at_steps(Step::Items), items.clone()));
    }
    if let Some(values) = schema.get("additionalProperties").filter(|i| i.is_object()) {
        queue.push_back((at_steps(Step::Values), values.clone()));
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(list) = schema.get(key).and_then(Value::as_array) {
            let real: Vec<&Value> = list.iter().filter(|b| !is_null(b)).collect();
            if real.len() > 1 {
                for (n, b) in real.into_iter().enumerate() {
                    queue.push_back((at_steps(Step::Branch(n)), b.clone()));
                }
            }
        }
    }
    if let Some(list) = schema.get("allOf").and_then(Value::as_array)
        && list.len() > 1
    {
        for (n, b) in list.iter().enumerate() {
            queue.push_back((at_steps(Step::AllOf(n)), b.clone()));
        }
    }
}
