//! Inline string enums below a component hoisted into named components (open Rust types).

use super::*;

/// Move inline multi-value string enums below a component schema into their own named
/// component, so they get an open Rust type. The name is the path of property names from the
/// component in PascalCase: `<Schema><Property>`, then `<Sub>` for a property of an inline
/// object, `Item` for array items and `Value` for map values (`LobbyConfigMatchmakingMode`,
/// `ServerTagsItem`).
pub(super) fn hoist_inline_enums(
    schema: &mut Value,
    schema_name: &str,
    ptr: &str,
    existing: &[String],
    hoisted: &mut Vec<(String, Value)>,
    report: &mut Report,
) -> Result<()> {
    let mut hoist = Hoist {
        existing,
        hoisted,
        report,
    };
    hoist.below(schema, schema_name, ptr)
}

pub(super) struct Hoist<'a> {
    existing: &'a [String],
    hoisted: &'a mut Vec<(String, Value)>,
    report: &'a mut Report,
}

impl Hoist<'_> {
    /// Hoist the enums inside the inline schema `schema`, whose name would be `prefix`.
    fn below(&mut self, schema: &mut Value, prefix: &str, ptr: &str) -> Result<()> {
        if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
            for (prop_name, prop) in props.iter_mut() {
                let name = format!("{prefix}{}", pascal_case(prop_name));
                let result = self.at(prop, &name, &child(&child(ptr, "properties"), prop_name));
                self.report.keep(result);
            }
        }
        if let Some(items) = schema.get_mut("items").filter(|i| i.is_object()) {
            self.at(items, &format!("{prefix}Item"), &child(ptr, "items"))?;
        }
        if let Some(values) = schema
            .get_mut("additionalProperties")
            .filter(|v| v.is_object())
        {
            let name = format!("{prefix}Value");
            self.at(values, &name, &child(ptr, "additionalProperties"))?;
        }
        // Branches of a combinator are the same value seen differently: an inline object there
        // still names its enums after the schema.
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(list) = schema.get_mut(key).and_then(Value::as_array_mut) {
                for (i, branch) in list.iter_mut().enumerate() {
                    if branch.get("$ref").is_none() && !is_open_enum_candidate(branch) {
                        let p = child(&child(ptr, key), &i.to_string());
                        self.below(branch, prefix, &p)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Hoist `node` if it is an enum, else the enums inside it.
    fn at(&mut self, node: &mut Value, name: &str, ptr: &str) -> Result<()> {
        if node.get("$ref").is_some() {
            return Ok(());
        }
        if !is_open_enum_candidate(node) {
            return self.below(node, name, ptr);
        }
        if self.existing.iter().any(|n| n == name) || self.hoisted.iter().any(|(n, _)| n == name) {
            return fail(
                ptr,
                format!("an inline enum whose hoisted name `{name}` is already taken"),
            );
        }
        let obj = node.as_object_mut().expect("candidate is an object");
        // Annotations stay on the property; the enum itself moves.
        let mut moved = Map::new();
        for key in ["type", "enum", "example", "nullable"] {
            if let Some(v) = obj.shift_remove(key) {
                moved.insert(key.into(), v);
            }
        }
        let nullable = moved.shift_remove("nullable");
        let reference = json!({ "$ref": format!("#/components/schemas/{name}") });
        if nullable == Some(json!(true)) {
            obj.insert("allOf".into(), json!([reference]));
            obj.insert("nullable".into(), json!(true));
        } else if obj.is_empty() {
            *node = reference;
        } else {
            obj.insert("allOf".into(), json!([reference]));
        }
        self.report.push(
            ptr,
            RewriteKind::InlineEnumHoisted,
            format!("as #/components/schemas/{name}"),
        );
        self.hoisted.push((name.to_owned(), Value::Object(moved)));
        Ok(())
    }
}

/// A string enum of two or more values: the shape given an open Rust type. A one-value enum is a
/// constant that tells variants apart (`{"status": "lobby_deleted"}`) and must stay closed.
pub fn is_open_enum_candidate(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("string")
        && schema
            .get("enum")
            .and_then(Value::as_array)
            .is_some_and(|values| values.len() >= 2 && values.iter().all(Value::is_string))
}

pub(super) fn pascal_case(s: &str) -> String {
    s.split(['_', '-', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(chars).collect::<String>()
        })
        .collect()
}
