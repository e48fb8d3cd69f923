//! A request or response schema flattened into its fields, keyed by dotted path, so that two
//! versions of one body can be compared field by field.
//!
//! Paths: `name`, `network_ports[].external_port` (array items), `environment_variables.*` (map
//! values); the body itself is the empty path. `$ref`s to component schemas are followed, and a
//! component already being expanded on the current path is not entered again (cycles). Both the
//! 3.1 forms of nullability (`type: [T, "null"]`, a `{type: null}` branch of `anyOf`/`oneOf`, `null`
//! among enum values) and the 3.0 form (`nullable: true`) are understood.

use indexmap::IndexMap;
use serde_json::Value;

/// What a body says about one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// A component schema name (`Server`), or the JSON type with its format (`string(date-time)`),
    /// `array<Item>`, `map<Value>`, `object`, `oneOf(A | B)` (for `anyOf` too), `any`.
    pub ty: String,
    /// Listed in its parent's `required` (array items, map values and the body itself always are).
    pub required: bool,
    /// `null` is an allowed value.
    pub nullable: bool,
    /// The allowed values when the schema is an enum (or a `const`), `null` left out.
    pub enum_values: Option<Vec<String>>,
    /// Where the field is declared when that is inside a component schema: `Server.region`,
    /// `Server.network_ports[]`. The same for every operation using the component, so a change
    /// there is reported once.
    pub declared_in: Option<String>,
}

/// The fields of one body in document order; the body itself is the empty path.
pub type Fields = IndexMap<String, Field>;

/// Flatten `schema`, resolving `$ref`s against `doc`.
pub fn flatten(doc: &Value, schema: &Value) -> Fields {
    let mut out = Fields::new();
    let top = Place {
        path: String::new(),
        declared_in: None,
    };
    walk(doc, schema, top, true, &mut Vec::new(), &mut out);
    out
}

/// `parent.name`, or `name` at the top.
pub fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}.{name}")
    }
}

/// Whether `ancestor` is a proper ancestor path of `path`.
pub fn is_ancestor(ancestor: &str, path: &str) -> bool {
    if ancestor.is_empty() {
        return !path.is_empty();
    }
    path.strip_prefix(ancestor)
        .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

/// A field's path in the body and, inside a component, its path there (`Server.region`).
struct Place {
    path: String,
    declared_in: Option<String>,
}

impl Place {
    /// The place of a child: `name` is a property name, `[]` or `*`; `component` is set when this
    /// field's schema is a component, whose children are then declared in it.
    fn child(&self, name: &str, component: Option<&str>) -> Place {
        let step = |parent: &str| match name {
            "[]" => format!("{parent}[]"),
            _ => join(parent, name),
        };
        Place {
            path: step(&self.path),
            declared_in: match (component, &self.declared_in) {
                (Some(c), _) => Some(step(c)),
                (None, Some(d)) => Some(step(d)),
                (None, None) => None,
            },
        }
    }
}

fn walk(
    doc: &Value,
    schema: &Value,
    place: Place,
    required: bool,
    expanding: &mut Vec<String>,
    out: &mut Fields,
) {
    let ancestors = expanding.len();
    let shape = shape_of(doc, schema, ancestors, expanding);
    if !out.contains_key(&place.path) {
        out.insert(
            place.path.clone(),
            Field {
                ty: shape.label.clone(),
                required,
                nullable: shape.nullable,
                enum_values: shape.enum_values.clone(),
                declared_in: place.declared_in.clone(),
            },
        );
    }
    if !shape.cyclic {
        let component = lookup(doc, &format!("#/components/schemas/{}", shape.label))
            .map(|_| shape.label.as_str());
        for (name, prop) in &shape.properties {
            let is_required = shape.required.iter().any(|r| r == name);
            let child = place.child(name, component);
            walk(doc, prop, child, is_required, expanding, out);
        }
        if let Some(items) = shape.items {
            walk(
                doc,
                items,
                place.child("[]", component),
                true,
                expanding,
                out,
            );
        }
        if let Some(values) = shape.values {
            walk(
                doc,
                values,
                place.child("*", component),
                true,
                expanding,
                out,
            );
        }
    }
    expanding.truncate(ancestors);
}

/// One schema with its `$ref`s followed and `allOf`/`anyOf`/`oneOf` merged.
#[derive(Default)]
struct Shape<'a> {
    label: String,
    nullable: bool,
    enum_values: Option<Vec<String>>,
    properties: Vec<(String, &'a Value)>,
    required: Vec<String>,
    items: Option<&'a Value>,
    values: Option<&'a Value>,
    /// A component already being expanded by an ancestor: its fields are not listed again.
    cyclic: bool,
}

impl<'a> Shape<'a> {
    fn absorb(&mut self, other: Shape<'a>) {
        self.nullable |= other.nullable;
        self.cyclic |= other.cyclic;
        for (name, prop) in other.properties {
            if !self.properties.iter().any(|(n, _)| *n == name) {
                self.properties.push((name, prop));
            }
        }
        for r in other.required {
            if !self.required.contains(&r) {
                self.required.push(r);
            }
        }
        self.items = self.items.or(other.items);
        self.values = self.values.or(other.values);
        if self.enum_values.is_none() {
            self.enum_values = other.enum_values;
        }
    }
}

/// The component schema a `$ref` points to.
fn lookup<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    let name = reference.strip_prefix("#/components/schemas/")?;
    doc.pointer("/components/schemas")?.get(name)
}

fn ref_name(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or(reference)
}

fn is_null_branch(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("null")
}

/// `ancestors` is how many entries of `expanding` belong to enclosing fields: only those make a
/// cycle (siblings of one `allOf` may well name the same component).
fn shape_of<'a>(
    doc: &'a Value,
    schema: &'a Value,
    ancestors: usize,
    expanding: &mut Vec<String>,
) -> Shape<'a> {
    let mut shape = Shape {
        nullable: own_nullability(schema),
        ..Shape::default()
    };
    let mut label = None;
    let mut schema = schema;
    while let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = ref_name(reference).to_string();
        label.get_or_insert_with(|| name.clone());
        if expanding[..ancestors].contains(&name) {
            shape.label = name;
            shape.cyclic = true;
            return shape;
        }
        let Some(target) = lookup(doc, reference) else {
            shape.label = format!("unresolved {reference}");
            return shape;
        };
        expanding.push(name);
        shape.nullable |= own_nullability(target);
        schema = target;
    }

    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        shape.properties = props.iter().map(|(k, v)| (k.clone(), v)).collect();
    }
    if let Some(required) = schema.get("required").and_then(Value::as_array) {
        shape.required = required
            .iter()
            .filter_map(Value::as_str)
            .map(String::from)
            .collect();
    }
    shape.items = schema.get("items").filter(|v| v.is_object());
    shape.values = schema.get("additionalProperties").filter(|v| v.is_object());
    shape.enum_values = enum_values(schema);

    let mut parts = Vec::new();
    if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        let labels: Vec<String> = all
            .iter()
            .map(|branch| {
                let sub = shape_of(doc, branch, ancestors, expanding);
                let l = sub.label.clone();
                shape.absorb(sub);
                l
            })
            .collect();
        if let [only] = labels.as_slice() {
            parts.push(only.clone());
        } else {
            parts.push(format!("allOf({})", labels.join(", ")));
        }
    }
    for combinator in ["oneOf", "anyOf"] {
        let Some(branches) = schema.get(combinator).and_then(Value::as_array) else {
            continue;
        };
        shape.nullable |= branches.iter().any(is_null_branch);
        let labels: Vec<String> = branches
            .iter()
            .filter(|b| !is_null_branch(b))
            .map(|branch| {
                let sub = shape_of(doc, branch, ancestors, expanding);
                let l = sub.label.clone();
                shape.absorb(sub);
                l
            })
            .collect();
        match labels.as_slice() {
            [] => {}
            [only] => parts.push(only.clone()),
            // `anyOf` and `oneOf` are one label: the generated layer reads both as the same
            // untagged enum (the normalizer's `anyof-as-oneof`), and decoding takes the first
            // branch that matches either way, so a spec that swaps the keyword changes nothing.
            many => parts.push(format!("oneOf({})", many.join(" | "))),
        }
    }

    shape.label = match label {
        Some(name) => name,
        None => {
            let own = own_type_label(schema);
            match (own, parts.as_slice()) {
                (Some(own), []) => own,
                (Some(own), _) if own != "object" => format!("{own} & {}", parts.join(" & ")),
                (_, []) => "any".to_string(),
                (_, _) => parts.join(" & "),
            }
        }
    };
    shape
}

/// `nullable: true`, `null` in a `type` array, or `null` among the enum values.
fn own_nullability(schema: &Value) -> bool {
    schema.get("nullable") == Some(&Value::Bool(true))
        || schema
            .get("type")
            .and_then(Value::as_array)
            .is_some_and(|t| t.iter().any(|t| t == "null"))
        || schema
            .get("enum")
            .and_then(Value::as_array)
            .is_some_and(|e| e.iter().any(Value::is_null))
}

fn enum_values(schema: &Value) -> Option<Vec<String>> {
    let values: Vec<&Value> = match (schema.get("enum"), schema.get("const")) {
        (Some(Value::Array(values)), _) => values.iter().collect(),
        (_, Some(value)) => vec![value],
        _ => return None,
    };
    Some(
        values
            .into_iter()
            .filter(|v| !v.is_null())
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect(),
    )
}

/// The label of a schema's own `type` (ignoring `null`), or `None` when it has none.
fn own_type_label(schema: &Value) -> Option<String> {
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect(),
        _ if schema.get("properties").is_some() => vec!["object"],
        _ => return None,
    };
    let labels: Vec<String> = types.iter().map(|t| single_type_label(schema, t)).collect();
    (!labels.is_empty()).then(|| labels.join(" | "))
}

fn single_type_label(schema: &Value, ty: &str) -> String {
    match ty {
        "array" => format!(
            "array<{}>",
            schema.get("items").map_or("any".into(), shallow_label)
        ),
        "object" => match schema.get("additionalProperties") {
            Some(values @ Value::Object(_)) if schema.get("properties").is_none() => {
                format!("map<{}>", shallow_label(values))
            }
            _ => "object".to_string(),
        },
        other => match schema.get("format").and_then(Value::as_str) {
            Some(format) => format!("{other}({format})"),
            None => other.to_string(),
        },
    }
}

/// A label without following anything: the component name, or the own type.
fn shallow_label(schema: &Value) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        return ref_name(reference).to_string();
    }
    if let Some([only]) = schema
        .get("allOf")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        return shallow_label(only);
    }
    for combinator in ["oneOf", "anyOf"] {
        if let Some(branches) = schema.get(combinator).and_then(Value::as_array) {
            let labels: Vec<String> = branches
                .iter()
                .filter(|b| !is_null_branch(b))
                .map(shallow_label)
                .collect();
            return match labels.as_slice() {
                [only] => only.clone(),
                // One label for both keywords, as in `shape_of`.
                many => format!("oneOf({})", many.join(" | ")),
            };
        }
    }
    own_type_label(schema).unwrap_or_else(|| "any".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn follows_refs_and_stops_at_cycles() {
        let doc = json!({"components": {"schemas": {
            "Node": {"type": "object", "required": ["id"], "properties": {
                "id": {"type": "string"},
                "parent": {"anyOf": [{"$ref": "#/components/schemas/Node"}, {"type": "null"}]},
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}
            }}
        }}});
        let fields = flatten(&doc, &json!({"$ref": "#/components/schemas/Node"}));
        let paths: Vec<&str> = fields.keys().map(String::as_str).collect();
        assert_eq!(paths, ["", "id", "parent", "children", "children[]"]);
        assert_eq!(fields[""].ty, "Node");
        assert!(fields["id"].required);
        assert_eq!(fields["parent"].ty, "Node");
        assert!(fields["parent"].nullable && !fields["parent"].required);
        assert_eq!(fields["children"].ty, "array<Node>");
        assert_eq!(
            fields["children[]"].declared_in.as_deref(),
            Some("Node.children[]")
        );
        assert_eq!(fields[""].declared_in, None);
    }

    #[test]
    fn labels_say_type_format_and_nullability() {
        let doc = json!({});
        let fields = flatten(
            &doc,
            &json!({"type": "object", "properties": {
                "at": {"type": ["string", "null"], "format": "date-time"},
                "env": {"type": "object", "additionalProperties": {"type": "string"}},
                "kind": {"type": "string", "enum": ["a", "b", null]},
                "old": {"type": "integer", "nullable": true}
            }}),
        );
        assert_eq!(fields["at"].ty, "string(date-time)");
        assert!(fields["at"].nullable);
        assert_eq!(fields["env"].ty, "map<string>");
        assert!(fields.contains_key("env.*"));
        assert_eq!(
            fields["kind"].enum_values.as_deref(),
            Some(&["a".to_string(), "b".to_string()][..])
        );
        assert!(fields["kind"].nullable);
        assert!(fields["old"].nullable);
    }

    #[test]
    fn ancestors_are_whole_path_segments() {
        assert!(is_ancestor("a", "a.b"));
        assert!(is_ancestor("a", "a[]"));
        assert!(!is_ancestor("a", "ab"));
        assert!(!is_ancestor("a", "a"));
        assert!(is_ancestor("", "a"));
    }
}
