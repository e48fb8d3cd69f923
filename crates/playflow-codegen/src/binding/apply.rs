//! Applying a binding file to an upstream document: operations first, then schemas.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::{Map, Value, json};

use super::locate::{Slot, find};
use super::{Binding, Location, METHODS, Route, SCHEMA_REF, params, schema_names, shape, token};
use crate::names::route_operation_id;

/// What [`bind`] did, for the change report and the build's report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BindReport {
    /// Operations whose operationId was set from the binding (it differed or was absent).
    pub operations_renamed: usize,
    /// Path parameters renamed to ours.
    pub path_params_renamed: usize,
    /// Components renamed to our names.
    pub schemas_renamed: usize,
    /// Inline schemas moved into components under our names.
    pub schemas_hoisted: usize,
    /// Inline copies of a bound schema replaced by a `$ref` to it.
    pub copies_replaced: usize,
    /// Components copied because the upstream spec shares one where we have two names.
    pub schemas_split: usize,
    /// Operations the binding does not name: `(METHOD path, the name given)`.
    pub new_operations: Vec<(String, String)>,
    /// Components the binding does not name, under the name they keep.
    pub new_schemas: Vec<String>,
    /// Bound operations the spec does not have.
    pub missing_operations: Vec<String>,
    /// Bound schemas whose location the spec does not have: `(name, location)`.
    pub missing_schemas: Vec<(String, String)>,
}

impl BindReport {
    /// Counts by kind, for the report's summary.
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        BTreeMap::from([
            ("operation-id-bound", self.operations_renamed),
            ("path-param-renamed", self.path_params_renamed),
            ("schema-renamed", self.schemas_renamed),
            ("schema-hoisted", self.schemas_hoisted),
            ("inline-copy-replaced", self.copies_replaced),
            ("schema-split", self.schemas_split),
            ("new-operation", self.new_operations.len()),
            ("new-schema", self.new_schemas.len()),
            ("missing-operation", self.missing_operations.len()),
            ("missing-schema", self.missing_schemas.len()),
        ])
    }
}

impl fmt::Display for BindReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (kind, n) in self.counts() {
            writeln!(f, "# binding {kind}: {n}")?;
        }
        for (route, name) in &self.new_operations {
            writeln!(f, "new-operation\t{route}\t{name}")?;
        }
        for name in &self.new_schemas {
            writeln!(f, "new-schema\t{name}")?;
        }
        for route in &self.missing_operations {
            writeln!(f, "missing-operation\t{route}")?;
        }
        for (name, location) in &self.missing_schemas {
            writeln!(f, "missing-schema\t{name}\t{location}")?;
        }
        Ok(())
    }
}

/// A problem that stops binding: the file and the spec disagree in a way no name can fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindError {
    /// Every problem found, in the order met.
    pub problems: Vec<String>,
}

impl fmt::Display for BindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the binding does not fit the spec: {}",
            self.problems.join("; ")
        )
    }
}

impl std::error::Error for BindError {}

/// Apply `binding` to the upstream document `doc` (see the module documentation).
pub fn bind(doc: &mut Value, binding: &Binding) -> Result<BindReport, BindError> {
    let mut report = BindReport::default();
    let mut problems = Vec::new();
    bind_operations(doc, binding, &mut report, &mut problems);
    bind_schemas(doc, binding, &mut report, &mut problems);
    if problems.is_empty() {
        Ok(report)
    } else {
        Err(BindError { problems })
    }
}

fn bind_operations(
    doc: &mut Value,
    binding: &Binding,
    report: &mut BindReport,
    problems: &mut Vec<String>,
) {
    let routes: Vec<(Route, &str)> = binding
        .operations
        .iter()
        .map(|(r, id)| (Route::parse(r).expect("checked when parsed"), id.as_str()))
        .collect();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        report.missing_operations = binding.operations.iter().map(|(r, _)| r.clone()).collect();
        return;
    };
    let mut matched = vec![false; routes.len()];
    let mut renamed_paths = Map::new();
    let old: Vec<(String, Value)> = std::mem::take(paths).into_iter().collect();
    let mut taken: BTreeSet<String> = routes.iter().map(|(_, id)| (*id).to_owned()).collect();
    for (path, mut item) in old {
        // Our path (parameter names) from the first bound operation on this route.
        let ours = routes
            .iter()
            .find(|(r, _)| shape(&r.path) == shape(&path))
            .map(|(r, _)| r.path.clone());
        let new_path = ours.clone().unwrap_or_else(|| path.clone());
        if let Some(ours) = &ours {
            report.path_params_renamed += rename_path_params(&mut item, &path, ours);
        }
        if let Some(item) = item.as_object_mut() {
            for (method, op) in item.iter_mut() {
                if !METHODS.contains(&method.as_str()) {
                    continue;
                }
                let Some(op) = op.as_object_mut() else {
                    continue;
                };
                let found = routes.iter().position(|(r, _)| r.matches(method, &path));
                let id = match found {
                    Some(i) => {
                        if matched[i] {
                            problems.push(format!(
                                "two operations of the spec match `{}`",
                                binding.operations[i].0
                            ));
                        }
                        matched[i] = true;
                        routes[i].1.to_owned()
                    }
                    None => {
                        let mut id = route_operation_id(method, &new_path);
                        while taken.contains(&id) {
                            id.push('_');
                        }
                        report
                            .new_operations
                            .push((format!("{} {new_path}", method.to_uppercase()), id.clone()));
                        id
                    }
                };
                taken.insert(id.clone());
                if op.get("operationId").and_then(Value::as_str) != Some(id.as_str()) {
                    if found.is_some() {
                        report.operations_renamed += 1;
                    }
                    op.insert("operationId".into(), Value::String(id));
                }
            }
        }
        if renamed_paths.insert(new_path.clone(), item).is_some() {
            problems.push(format!("two paths of the spec become `{new_path}`"));
        }
    }
    *paths = renamed_paths;
    for (i, m) in matched.iter().enumerate() {
        if !m {
            report
                .missing_operations
                .push(binding.operations[i].0.clone());
        }
    }
}

/// Rename the path parameters of `item` (under `path`) to those of `ours`, by position.
fn rename_path_params(item: &mut Value, path: &str, ours: &str) -> usize {
    let renames: Vec<(String, String)> = params(path)
        .into_iter()
        .zip(params(ours))
        .filter(|(a, b)| a != b)
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .collect();
    if renames.is_empty() {
        return 0;
    }
    let mut count = 0;
    let mut rename_list = |list: &mut Value| {
        for param in list.as_array_mut().into_iter().flatten() {
            if param.get("in").and_then(Value::as_str) != Some("path") {
                continue;
            }
            let Some(name) = param.get("name").and_then(Value::as_str) else {
                continue;
            };
            if let Some((_, to)) = renames.iter().find(|(from, _)| from == name) {
                param["name"] = Value::String(to.clone());
                count += 1;
            }
        }
    };
    if let Some(list) = item.get_mut("parameters") {
        rename_list(list);
    }
    for method in METHODS {
        if let Some(list) = item
            .get_mut(*method)
            .and_then(|op| op.get_mut("parameters"))
        {
            rename_list(list);
        }
    }
    count
}

fn bind_schemas(
    doc: &mut Value,
    binding: &Binding,
    report: &mut BindReport,
    problems: &mut Vec<String>,
) {
    if doc.pointer("/components/schemas").is_none() {
        let root = doc.as_object_mut().expect("bind_operations saw an object");
        let components = root.entry("components").or_insert_with(|| json!({}));
        if let Some(c) = components.as_object_mut() {
            c.entry("schemas").or_insert_with(|| json!({}));
        }
    }
    let upstream: BTreeSet<String> = schema_names(doc).into_iter().collect();
    // Upstream component → our name. Clones and hoisted schemas are added under a placeholder
    // name that cannot clash, and renamed with the rest at the end.
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for (ours, text) in &binding.schemas {
        let location = Location::parse(text).expect("checked when parsed");
        let slot = match find(doc, &location) {
            Ok(slot) => slot,
            Err(()) => {
                report.missing_schemas.push((ours.clone(), text.clone()));
                // Still a component of that name upstream: bind it by name, so it is not
                // reported as new as well.
                if upstream.contains(ours) && !names.contains_key(ours) {
                    names.insert(ours.clone(), ours.clone());
                }
                continue;
            }
        };
        match slot {
            Slot::Component(up, at) => match names.get(&up) {
                None => {
                    names.insert(up, ours.clone());
                }
                Some(bound) if bound == ours => {}
                Some(_) => {
                    // One upstream schema where we have two names: give this place its own copy.
                    if at.is_empty() {
                        problems.push(format!(
                            "`#{up}` is bound both as `{}` and as `{ours}`",
                            names[&up]
                        ));
                        continue;
                    }
                    let copy = placeholder(ours);
                    let schema = doc["components"]["schemas"][&up].clone();
                    doc["components"]["schemas"][&copy] = schema;
                    if let Some(node) = doc.pointer_mut(&at) {
                        node["$ref"] = Value::String(format!("{SCHEMA_REF}{}", token(&copy)));
                    }
                    names.insert(copy, ours.clone());
                    report.schemas_split += 1;
                }
            },
            Slot::Inline(pointer) => {
                let name = placeholder(ours);
                let node = doc.pointer_mut(&pointer).expect("found above");
                let (schema, site) = split_nullable(std::mem::take(node), &name);
                *node = site;
                doc["components"]["schemas"][&name] = schema;
                names.insert(name.clone(), ours.clone());
                // Copies are replaced now, while they still equal the hoisted schema: later
                // hoists out of it would make them differ.
                report.copies_replaced += replace_copies(doc, &name);
                report.schemas_hoisted += 1;
            }
        }
    }

    // Final names: ours for bound components; upstream names for the rest, unless one of ours
    // took it, in which case the upstream schema is set apart with a prefix.
    let ours: BTreeSet<&String> = names.values().collect();
    let mut final_names: BTreeMap<String, String> = BTreeMap::new();
    for name in schema_names(doc) {
        let to = match names.get(&name) {
            Some(ours) => ours.clone(),
            None => {
                let mut kept = name.clone();
                while ours.contains(&kept) {
                    kept = format!("Upstream{kept}");
                }
                report.new_schemas.push(kept.clone());
                kept
            }
        };
        if upstream.contains(&name) && to != name && names.contains_key(&name) {
            report.schemas_renamed += 1;
        }
        final_names.insert(name, to);
    }
    rename_components(doc, &final_names);
}

fn placeholder(ours: &str) -> String {
    format!("\u{0}bound\u{0}{ours}")
}

/// An inline schema hoisted from a site: a nullable one (`type: [T, "null"]`,
/// `nullable: true`, or an `anyOf`/`oneOf` with a null branch) keeps its nullability at the site
/// so the component is the non-null shape, as our own components are.
fn split_nullable(mut schema: Value, name: &str) -> (Value, Value) {
    let reference = json!({ "$ref": format!("{SCHEMA_REF}{name}") });
    let Some(obj) = schema.as_object_mut() else {
        return (schema, reference);
    };
    let mut nullable = false;
    if let Some(types) = obj.get_mut("type").and_then(Value::as_array_mut)
        && types.iter().any(|t| t == "null")
    {
        types.retain(|t| t != "null");
        nullable = true;
        if types.len() == 1 {
            let one = types[0].clone();
            obj.insert("type".into(), one);
        }
    }
    if obj.shift_remove("nullable") == Some(Value::Bool(true)) {
        nullable = true;
    }
    if nullable {
        (schema, json!({ "anyOf": [reference, { "type": "null" }] }))
    } else {
        (schema, reference)
    }
}

/// Whether an inline schema is worth a name: an object with properties, or a string enum.
fn nameable(schema: &Value) -> bool {
    schema.get("properties").is_some_and(|p| p.is_object())
        || (schema.get("enum").is_some() && schema.get("type").is_some())
}

/// Replace every inline schema equal to the hoisted component `name` by a `$ref` to it.
/// Components themselves stay (one equal to it is a schema upstream named); their insides do
/// not.
fn replace_copies(doc: &mut Value, name: &str) -> usize {
    let Some(schema) = doc
        .pointer(&format!("/components/schemas/{}", token(name)))
        .filter(|s| nameable(s))
        .cloned()
    else {
        return 0;
    };
    let shapes = [(schema, name.to_owned())];
    let mut count = 0;
    if let Some(paths) = doc.get_mut("paths") {
        replace_in(paths, &shapes, &mut count);
    }
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (_, schema) in schemas.iter_mut() {
            descend(schema, &shapes, &mut count);
        }
    }
    count
}

fn replace_in(node: &mut Value, shapes: &[(Value, String)], count: &mut usize) {
    if let Some((_, name)) = shapes.iter().find(|(s, _)| s == node) {
        *node = json!({ "$ref": format!("{SCHEMA_REF}{name}") });
        *count += 1;
        return;
    }
    descend(node, shapes, count);
}

fn descend(node: &mut Value, shapes: &[(Value, String)], count: &mut usize) {
    match node {
        Value::Object(map) => {
            for (_, v) in map.iter_mut() {
                replace_in(v, shapes, count);
            }
        }
        Value::Array(list) => {
            for v in list {
                replace_in(v, shapes, count);
            }
        }
        _ => {}
    }
}

/// Rename components (`from` → `to` for every component) in place and rewrite every `$ref` to
/// them. (progenitor orders the types it generates by name, so the order upstream lists its
/// components in does not show in the generated code.)
fn rename_components(doc: &mut Value, names: &BTreeMap<String, String>) {
    let refs: BTreeMap<String, String> = names
        .iter()
        .map(|(from, to)| {
            (
                format!("{SCHEMA_REF}{}", token(from)),
                format!("{SCHEMA_REF}{}", token(to)),
            )
        })
        .collect();
    rewrite_refs(doc, &refs);
    let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    *schemas = std::mem::take(schemas)
        .into_iter()
        .map(|(name, schema)| (names.get(&name).cloned().unwrap_or(name), schema))
        .collect();
}

fn rewrite_refs(node: &mut Value, refs: &BTreeMap<String, String>) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref")
                && let Some(to) = refs.get(r.as_str())
            {
                *r = to.clone();
            }
            for (_, v) in map.iter_mut() {
                rewrite_refs(v, refs);
            }
        }
        Value::Array(list) => list.iter_mut().for_each(|v| rewrite_refs(v, refs)),
        _ => {}
    }
}
