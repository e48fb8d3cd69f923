//! Stable names for an upstream spec: the binding file (`openapi/binding.json`).
//!
//! Our generated layer must keep its names whatever PlayFlow calls its operations and schemas,
//! so names are bound to what does not change on a pure renaming:
//!
//! - an operation by `METHOD path`, path parameters matched by position (`{instanceId}` and
//!   `{instance_id}` are the same route);
//! - a schema by where it sits: the request body or a response body of an operation, then
//!   steps into it (`.field`, `[]` for array items, `{}` for map values, `|N` for the N-th
//!   non-null branch of a `oneOf`/`anyOf`, `&N` for the N-th `allOf` branch), or a component by
//!   name (`#Name`) where nothing else reaches it.
//!
//! [`bind`] runs on the upstream (3.1) document before the normalizer: it sets our
//! operationIds and path parameter names, hoists bound inline schemas into components (and
//! replaces identical inline copies by a `$ref` to them), renames components and rewrites every
//! `$ref`. What the file does not bind gets a deterministic name and is reported as new.
//!
//! ```
//! use playflow_codegen::binding::{Binding, bind};
//! use serde_json::json;
//!
//! let binding = Binding::from_json(r#"{
//!     "operations": { "GET /things/{thing_id}": "getThing" },
//!     "schemas": { "Thing": "GET /things/{thing_id} 200" }
//! }"#).unwrap();
//! let mut doc = json!({
//!     "openapi": "3.1.0",
//!     "info": { "title": "t", "version": "1" },
//!     "paths": { "/things/{id}": { "get": {
//!         "operationId": "get_things_id",
//!         "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
//!         "responses": { "200": { "description": "ok", "content": { "application/json": {
//!             "schema": { "$ref": "#/components/schemas/ThingDto" } } } } },
//!     } } },
//!     "components": { "schemas": { "ThingDto": { "type": "object" } } },
//! });
//! let report = bind(&mut doc, &binding).unwrap();
//! assert_eq!(doc["paths"]["/things/{thing_id}"]["get"]["operationId"], "getThing");
//! assert!(doc["components"]["schemas"]["Thing"].is_object());
//! assert!(report.new_operations.is_empty());
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::{Map, Value, json};

use crate::names::route_operation_id;

/// HTTP methods of a path item, in the order OpenAPI lists them.
pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The parsed binding file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Binding {
    /// `(METHOD /path/{our_param}, our operationId)`, in file order.
    pub operations: Vec<(String, String)>,
    /// `(our schema name, location)`, in file order.
    pub schemas: Vec<(String, String)>,
}

impl Binding {
    /// Parse the binding file: a JSON object with `operations` (`"METHOD path"` → operationId)
    /// and `schemas` (name → location), both objects whose order is kept.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| format!("the binding is not JSON: {e}"))?;
        let section = |key: &str| -> Result<Vec<(String, String)>, String> {
            let Some(obj) = value.get(key) else {
                return Ok(Vec::new());
            };
            let obj = obj
                .as_object()
                .ok_or_else(|| format!("binding: `{key}` is not an object"))?;
            obj.iter()
                .map(|(k, v)| {
                    v.as_str()
                        .map(|v| (k.clone(), v.to_owned()))
                        .ok_or_else(|| format!("binding: `{key}.{k}` is not a string"))
                })
                .collect()
        };
        let binding = Self {
            operations: section("operations")?,
            schemas: section("schemas")?,
        };
        for (route, _) in &binding.operations {
            Route::parse(route)?;
        }
        for (name, location) in &binding.schemas {
            Location::parse(location).map_err(|e| format!("binding of `{name}`: {e}"))?;
        }
        Ok(binding)
    }

    /// The binding file's text: two-space indented JSON, a final newline.
    pub fn to_json(&self) -> String {
        let section = |items: &[(String, String)]| {
            Value::Object(
                items
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect(),
            )
        };
        let doc = json!({
            "operations": section(&self.operations),
            "schemas": section(&self.schemas),
        });
        let mut text = serde_json::to_string_pretty(&doc).expect("a JSON value prints");
        text.push('\n');
        text
    }

    /// How many names the file holds.
    pub fn len(&self) -> usize {
        self.operations.len() + self.schemas.len()
    }

    /// Whether the file binds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `METHOD /path/{param}`: the method and the path's segments, parameters as `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Route {
    method: String,
    path: String,
}

impl Route {
    fn parse(text: &str) -> Result<Self, String> {
        let (method, path) = text
            .split_once(' ')
            .ok_or_else(|| format!("binding: `{text}` is not `METHOD /path`"))?;
        let method = method.to_ascii_lowercase();
        if !METHODS.contains(&method.as_str()) || !path.starts_with('/') {
            return Err(format!("binding: `{text}` is not `METHOD /path`"));
        }
        Ok(Self {
            method,
            path: path.to_owned(),
        })
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.method == method && shape(&self.path) == shape(path)
    }
}

/// A path with every parameter replaced by `{}`: what routes are matched by.
fn shape(path: &str) -> String {
    path.split('/')
        .map(|s| if is_param(s) { "{}" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

fn is_param(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

fn params(path: &str) -> Vec<&str> {
    path.split('/')
        .filter(|s| is_param(s))
        .map(|s| &s[1..s.len() - 1])
        .collect()
}

/// One step into a schema.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Property(String),
    Items,
    Values,
    Branch(usize),
    AllOf(usize),
}

/// Where a bound schema sits.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Location {
    Component(String),
    Body {
        route: Route,
        /// `request`, or a response status (`200`, `4XX`, ...).
        body: String,
        steps: Vec<Step>,
    },
}

impl Location {
    fn parse(text: &str) -> Result<Self, String> {
        if let Some(name) = text.strip_prefix('#') {
            return Ok(Self::Component(name.to_owned()));
        }
        let mut words = text.split(' ');
        let (Some(method), Some(path), Some(body)) = (words.next(), words.next(), words.next())
        else {
            return Err(format!(
                "location `{text}` is not `METHOD /path BODY [steps]` or `#Component`"
            ));
        };
        let route = Route::parse(&format!("{method} {path}"))?;
        let steps_text: String = words.collect::<Vec<_>>().join(" ");
        Ok(Self::Body {
            route,
            body: body.to_owned(),
            steps: parse_steps(&steps_text)?,
        })
    }
}

fn parse_steps(text: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("[]") {
            steps.push(Step::Items);
            rest = r;
        } else if let Some(r) = rest.strip_prefix("{}") {
            steps.push(Step::Values);
            rest = r;
        } else if let Some(r) = rest.strip_prefix('|').or_else(|| rest.strip_prefix('&')) {
            let digits: String = r.chars().take_while(char::is_ascii_digit).collect();
            let n = digits
                .parse()
                .map_err(|_| format!("`{rest}`: a branch needs its index"))?;
            steps.push(if rest.starts_with('|') {
                Step::Branch(n)
            } else {
                Step::AllOf(n)
            });
            rest = &r[digits.len()..];
        } else if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[', '{', '|', '&']).unwrap_or(r.len());
            if end == 0 {
                return Err(format!("`{rest}`: an empty property name"));
            }
            steps.push(Step::Property(r[..end].to_owned()));
            rest = &r[end..];
        } else {
            return Err(format!(
                "`{rest}`: expected `.name`, `[]`, `{{}}`, `|N` or `&N`"
            ));
        }
    }
    Ok(steps)
}

fn render_steps(steps: &[Step]) -> String {
    steps
        .iter()
        .map(|s| match s {
            Step::Property(p) => format!(".{p}"),
            Step::Items => "[]".into(),
            Step::Values => "{}".into(),
            Step::Branch(n) => format!("|{n}"),
            Step::AllOf(n) => format!("&{n}"),
        })
        .collect()
}

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

const SCHEMA_REF: &str = "#/components/schemas/";

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

/// Where a location leads in the document.
enum Slot {
    /// A `$ref` to this component, at this JSON pointer.
    Component(String, String),
    /// An inline schema at this JSON pointer.
    Inline(String),
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

fn schema_names(doc: &Value) -> Vec<String> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|s| s.keys().cloned().collect())
        .unwrap_or_default()
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

/// Follow a location to its slot.
fn find(doc: &Value, location: &Location) -> Result<Slot, ()> {
    let (mut pointer, steps) = match location {
        Location::Component(name) => {
            return doc
                .pointer(&format!("/components/schemas/{}", token(name)))
                .map(|_| Slot::Component(name.clone(), String::new()))
                .ok_or(());
        }
        Location::Body { route, body, steps } => (body_pointer(doc, route, body).ok_or(())?, steps),
    };
    for step in steps {
        pointer = enter(doc, &pointer)?;
        let node = doc.pointer(&pointer).ok_or(())?;
        pointer = match step {
            Step::Property(p) => {
                node.get("properties").and_then(|ps| ps.get(p)).ok_or(())?;
                format!("{pointer}/properties/{}", token(p))
            }
            Step::Items => {
                node.get("items").filter(|i| i.is_object()).ok_or(())?;
                format!("{pointer}/items")
            }
            Step::Values => {
                node.get("additionalProperties")
                    .filter(|i| i.is_object())
                    .ok_or(())?;
                format!("{pointer}/additionalProperties")
            }
            Step::Branch(n) => {
                let (key, index) = ["oneOf", "anyOf"]
                    .iter()
                    .find_map(|key| {
                        let list = node.get(*key)?.as_array()?;
                        let index = list
                            .iter()
                            .enumerate()
                            .filter(|(_, b)| !is_null(b))
                            .nth(*n)?
                            .0;
                        Some((*key, index))
                    })
                    .ok_or(())?;
                format!("{pointer}/{key}/{index}")
            }
            Step::AllOf(n) => {
                node.get("allOf").and_then(|l| l.get(*n)).ok_or(())?;
                format!("{pointer}/allOf/{n}")
            }
        };
    }
    let slot = unwrap(doc, &pointer);
    match doc
        .pointer(&slot)
        .and_then(|n| n.get("$ref"))
        .and_then(Value::as_str)
    {
        Some(r) => r
            .strip_prefix(SCHEMA_REF)
            .map(|n| Slot::Component(unescape(n), slot.clone()))
            .ok_or(()),
        None => Ok(Slot::Inline(slot)),
    }
}

/// The pointer of the body schema of `route`: `request`, or a response status. A status range
/// (`4XX`) also matches the first concrete status of that class, and a concrete status the
/// range, because upstream may spell one shared error as either.
fn body_pointer(doc: &Value, route: &Route, body: &str) -> Option<String> {
    let paths = doc.get("paths")?.as_object()?;
    let (path, item) = paths
        .iter()
        .find(|(p, item)| route.matches(&route.method, p) && item.get(&route.method).is_some())?;
    let op = item.get(&route.method)?;
    let base = format!("/paths/{}/{}", token(path), route.method);
    if let Some((extension, key)) = body.split_once('/').filter(|(e, _)| e.starts_with("x-")) {
        op.get(extension)?.get(key)?;
        return Some(format!("{base}/{}/{}", token(extension), token(key)));
    }
    let (holder, ptr) = if body == "request" {
        (op.get("requestBody")?, format!("{base}/requestBody"))
    } else {
        let responses = op.get("responses")?.as_object()?;
        let code = if responses.contains_key(body) {
            body.to_owned()
        } else {
            let class = body.chars().next()?;
            let range = format!("{class}XX");
            if responses.contains_key(&range) {
                range
            } else if body.ends_with("XX") {
                shared_status(responses, class)?
            } else {
                return None;
            }
        };
        (
            responses.get(&code)?,
            format!("{base}/responses/{}", token(&code)),
        )
    };
    let content = holder.get("content")?.as_object()?;
    let media = content
        .keys()
        .find(|m| *m == "application/json" || m.starts_with("application/json;"))
        .or_else(|| content.keys().next())?;
    content.get(media)?.get("schema")?;
    Some(format!("{ptr}/content/{}/schema", token(media)))
}

/// For a status range spelled as concrete statuses: the status of that class whose body most
/// of them share (upstream spreads one error schema over 400, 401, ... beside a 422 of its own).
fn shared_status(responses: &Map<String, Value>, class: char) -> Option<String> {
    let concrete: Vec<(&String, Option<&Value>)> = responses
        .iter()
        .filter(|(c, _)| c.starts_with(class) && !c.ends_with("XX"))
        .map(|(c, r)| (c, r.pointer("/content/application~1json/schema")))
        .collect();
    let best = concrete.iter().max_by_key(|(code, schema)| {
        let shared = concrete.iter().filter(|(_, s)| s == schema).count();
        // Ties go to the first status.
        (shared, std::cmp::Reverse(*code))
    })?;
    Some(best.0.clone())
}

/// From a slot to the schema to step into: follow `$ref`s and see through wrappers.
fn enter(doc: &Value, pointer: &str) -> Result<String, ()> {
    let mut pointer = pointer.to_owned();
    for _ in 0..64 {
        pointer = unwrap(doc, &pointer);
        let node = doc.pointer(&pointer).ok_or(())?;
        match node.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let r = r.strip_prefix('#').ok_or(())?;
                pointer = r.to_owned();
            }
            None => return Ok(pointer),
        }
    }
    Err(())
}

/// See through wrappers that do not change the shape: one non-null branch of an
/// `anyOf`/`oneOf`, a one-element `allOf`, and (3.1) a `$ref` with sibling annotations.
fn unwrap(doc: &Value, pointer: &str) -> String {
    let mut pointer = pointer.to_owned();
    for _ in 0..64 {
        let Some(node) = doc.pointer(&pointer) else {
            return pointer;
        };
        if node.get("properties").is_some() || node.get("$ref").is_some() {
            return pointer;
        }
        let mut next = None;
        for key in ["anyOf", "oneOf", "allOf"] {
            if let Some(list) = node.get(key).and_then(Value::as_array) {
                let real: Vec<usize> = list
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| !is_null(b))
                    .map(|(i, _)| i)
                    .collect();
                if let [one] = real.as_slice() {
                    next = Some(format!("{pointer}/{key}/{one}"));
                }
            }
        }
        match next {
            Some(n) => pointer = n,
            None => return pointer,
        }
    }
    pointer
}

fn is_null(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("null")
}

fn token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

fn unescape(s: &str) -> String {
    s.replace("~1", "/").replace("~0", "~")
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

/// A binding of every operation and component schema of `doc`, as the binding file of a spec
/// whose names are ours: operations by route, each component by the first place an operation
/// reaches it (success bodies, then request bodies, then error bodies, breadth first), or by
/// name when no operation reaches it.
pub fn derive(doc: &Value) -> Binding {
    let mut binding = Binding::default();
    let mut queue: std::collections::VecDeque<(String, Value)> = Default::default();
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

fn children(at: &str, schema: &Value, queue: &mut std::collections::VecDeque<(String, Value)>) {
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
