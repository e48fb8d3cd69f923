//! The OpenAPI document the `playflow` client was generated from, read once: every operation by
//! method and path template, with JSON Schema validators for its parameters and body. Validation
//! is driven by the spec itself, so the emulator rejects exactly what the spec says is invalid.

use std::sync::OnceLock;

use axum::http::Method;
use jsonschema::{Draft, Registry, Validator};
use serde_json::Value;

/// The spec text, as vendored in `playflow` (so client and emulator never disagree).
const SPEC_TEXT: &str = playflow::__private::OPENAPI_SPEC;

/// URI under which the whole document is registered, so `$ref`s into
/// `#/components/schemas` resolve.
const SPEC_URI: &str = "https://playflow.invalid/openapi.json";

/// One operation of the spec.
pub(crate) struct Operation {
    pub(crate) id: String,
    pub(crate) method: Method,
    pub(crate) path: String,
    /// False only for operations whose `security` is empty (the health check).
    pub(crate) needs_key: bool,
    pub(crate) params: Vec<Param>,
    pub(crate) body: Option<BodySpec>,
}

/// Where a parameter is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParamIn {
    Query,
    Header,
    Path,
}

/// The JSON type a parameter's text is read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scalar {
    Text,
    Integer,
    Boolean,
}

/// A parameter with its compiled schema.
pub(crate) struct Param {
    pub(crate) name: String,
    pub(crate) location: ParamIn,
    pub(crate) required: bool,
    pub(crate) scalar: Scalar,
    pub(crate) default: Option<Value>,
    pub(crate) validator: Validator,
}

/// A request body with its compiled schema.
pub(crate) struct BodySpec {
    pub(crate) required: bool,
    pub(crate) validator: Validator,
}

/// The parsed spec.
pub(crate) struct Spec {
    pub(crate) operations: Vec<Operation>,
}

impl Spec {
    /// The spec, parsed and compiled on first use.
    pub(crate) fn get() -> Result<&'static Spec, String> {
        static SPEC: OnceLock<Result<Spec, String>> = OnceLock::new();
        SPEC.get_or_init(Spec::load).as_ref().map_err(Clone::clone)
    }

    /// The operation served at `path` (a template such as `/api/v3/servers/{instance_id}`).
    pub(crate) fn find(&self, method: &Method, path: &str) -> Option<&Operation> {
        self.operations
            .iter()
            .find(|op| op.method == method && op.path == path)
    }

    fn load() -> Result<Spec, String> {
        let document: Value =
            serde_json::from_str(SPEC_TEXT).map_err(|e| format!("spec is not JSON: {e}"))?;
        let registry = Registry::new()
            .add(
                SPEC_URI,
                Draft::Draft202012.create_resource(document.clone()),
            )
            .and_then(|builder| builder.prepare())
            .map_err(|e| format!("spec schemas do not resolve: {e}"))?;
        let compile = |schema: &Value| -> Result<Validator, String> {
            jsonschema::options()
                .with_draft(Draft::Draft202012)
                .with_registry(&registry)
                .build(&absolute_refs(schema))
                .map_err(|e| format!("spec schema does not compile: {e}"))
        };
        let paths = document
            .get("paths")
            .and_then(Value::as_object)
            .ok_or("spec has no paths")?;
        let mut operations = Vec::new();
        for (path, item) in paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            for (method, op) in item {
                let Ok(method) = method.to_uppercase().parse::<Method>() else {
                    continue;
                };
                let id = op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .ok_or_else(|| format!("{method} {path} has no operationId"))?;
                let needs_key = op
                    .get("security")
                    .and_then(Value::as_array)
                    .is_none_or(|security| !security.is_empty());
                let mut params = Vec::new();
                for param in op
                    .get("parameters")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    params.push(read_param(param, &compile).map_err(|e| format!("{id}: {e}"))?);
                }
                let body = match op.get("requestBody") {
                    None => None,
                    Some(body) => {
                        let schema = body
                            .pointer("/content/application~1json/schema")
                            .ok_or_else(|| format!("{id}: body is not JSON"))?;
                        Some(BodySpec {
                            required: body.get("required").and_then(Value::as_bool) == Some(true),
                            validator: compile(schema)?,
                        })
                    }
                };
                operations.push(Operation {
                    id: id.to_owned(),
                    method,
                    path: path.clone(),
                    needs_key,
                    params,
                    body,
                });
            }
        }
        Ok(Spec { operations })
    }
}

fn read_param(
    param: &Value,
    compile: &dyn Fn(&Value) -> Result<Validator, String>,
) -> Result<Param, String> {
    let name = param
        .get("name")
        .and_then(Value::as_str)
        .ok_or("parameter without name")?;
    let location = match param.get("in").and_then(Value::as_str) {
        Some("query") => ParamIn::Query,
        Some("header") => ParamIn::Header,
        Some("path") => ParamIn::Path,
        other => return Err(format!("parameter {name} is in {other:?}")),
    };
    let schema = param
        .get("schema")
        .ok_or_else(|| format!("parameter {name} has no schema"))?;
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let scalar = if types.contains(&"integer") {
        Scalar::Integer
    } else if types.contains(&"boolean") {
        Scalar::Boolean
    } else {
        Scalar::Text
    };
    Ok(Param {
        name: name.to_owned(),
        location,
        required: param.get("required").and_then(Value::as_bool) == Some(true),
        scalar,
        default: schema.get("default").cloned(),
        validator: compile(schema)?,
    })
}

/// A copy of `schema` whose document-local `$ref`s (`#/…`) point into the registered spec.
fn absolute_refs(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| match (key.as_str(), value) {
                    ("$ref", Value::String(target)) if target.starts_with('#') => {
                        (key.clone(), Value::String(format!("{SPEC_URI}{target}")))
                    }
                    _ => (key.clone(), absolute_refs(value)),
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(absolute_refs).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_operation_is_read_with_its_inputs() {
        let spec = Spec::get().expect("spec loads");
        // Every operation of the generated client, whatever a refresh added.
        assert_eq!(
            spec.operations.len(),
            playflow::raw::operations::OPERATIONS.len()
        );
        let start = spec
            .find(&Method::POST, "/api/v3/servers/start")
            .expect("startServer");
        assert_eq!(
            start.id,
            playflow::raw::operations::START_SERVER.operation_id
        );
        let body = start.body.as_ref().expect("startServer has a body");
        assert!(body.required);
        assert!(
            body.validator
                .is_valid(&json!({"name": "a", "region": "eu-west"}))
        );
        assert!(
            !body
                .validator
                .is_valid(&json!({"name": "a", "region": "eu-west", "ttl": 5}))
        );
        let health = spec.find(&Method::GET, "/api/health").expect("getHealth");
        assert!(!health.needs_key);
        let list = spec
            .find(&Method::GET, "/api/v3/servers")
            .expect("listServers");
        let limit = list
            .params
            .iter()
            .find(|p| p.name == "limit")
            .expect("limit");
        assert_eq!(limit.scalar, Scalar::Integer);
        assert_eq!(limit.default, Some(json!(50)));
        assert!(!limit.validator.is_valid(&json!(101)));
    }
}
