//! The parts of an OpenAPI document that the change report compares: operations with their
//! parameters, request body and success response body, each body flattened into fields.

use indexmap::IndexMap;
use serde_json::Value;

use crate::schema_fields::{Fields, flatten};

/// HTTP methods of a path item, in the order the report lists them.
const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One operation, keyed in [`operations`] by its operationId.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Upper-case HTTP method.
    pub method: String,
    pub path: String,
    /// Keyed by `in` and name, e.g. `query limit`.
    pub parameters: IndexMap<String, Parameter>,
    pub request: Option<Body>,
    /// The 2xx status codes declared, in document order.
    pub success_codes: Vec<String>,
    /// The first success response that has content.
    pub response: Option<Body>,
    /// The error body the generated layer decodes: the `4XX` body, else the one most 4xx
    /// statuses share (as the normalizer picks it).
    pub error: Option<Body>,
}

impl Operation {
    /// `GET /api/v3/servers`.
    pub fn endpoint(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// A path, query, header or cookie parameter.
#[derive(Debug, Clone)]
pub struct Parameter {
    /// `path`, `query`, `header` or `cookie`.
    pub location: String,
    pub name: String,
    /// Its schema flattened; the root field carries the parameter's `required`.
    pub fields: Fields,
}

impl Parameter {
    /// `query parameter `limit`` as it reads in the report.
    pub fn describe(&self) -> String {
        format!("{} parameter `{}`", self.location, self.name)
    }
}

/// A request or response body.
#[derive(Debug, Clone)]
pub struct Body {
    pub media_type: String,
    /// For a request body: whether it must be sent. Response bodies are always `true`.
    pub required: bool,
    /// Empty when the media type declares no schema.
    pub fields: Fields,
}

/// Every operation of `doc`, keyed by operationId (or `METHOD path` when it has none), in
/// document order.
pub fn operations(doc: &Value) -> IndexMap<String, Operation> {
    let mut ops = IndexMap::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return ops;
    };
    for (path, item) in paths {
        let shared = item.get("parameters");
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let method = method.to_ascii_uppercase();
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .map_or_else(|| format!("{method} {path}"), String::from);
            let (success_codes, response) = success_response(doc, op);
            ops.insert(
                id,
                Operation {
                    method,
                    path: path.clone(),
                    parameters: parameters(doc, shared, op.get("parameters")),
                    request: op.get("requestBody").and_then(|b| request_body(doc, b)),
                    success_codes,
                    response,
                    error: error_response(doc, op),
                },
            );
        }
    }
    ops
}

/// Follow a `$ref` to `#/components/<section>/<name>`; anything else is returned as is.
fn deref<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => reference
            .strip_prefix('#')
            .and_then(|pointer| doc.pointer(pointer))
            .unwrap_or(value),
        None => value,
    }
}

/// Path-item parameters overridden by operation parameters of the same `in` and name.
fn parameters(
    doc: &Value,
    shared: Option<&Value>,
    own: Option<&Value>,
) -> IndexMap<String, Parameter> {
    let mut out = IndexMap::new();
    let lists = [shared, own];
    for param in lists
        .into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .flatten()
    {
        let param = deref(doc, param);
        let (Some(name), Some(location)) = (
            param.get("name").and_then(Value::as_str),
            param.get("in").and_then(Value::as_str),
        ) else {
            continue;
        };
        let schema = param
            .get("schema")
            .or_else(|| first_media_schema(param.get("content")).map(|(_, s)| s))
            .unwrap_or(&Value::Null);
        let mut fields = flatten(doc, schema);
        if let Some(root) = fields.get_mut("") {
            root.required =
                location == "path" || param.get("required").and_then(Value::as_bool) == Some(true);
        }
        out.insert(
            format!("{location} {name}"),
            Parameter {
                location: location.to_string(),
                name: name.to_string(),
                fields,
            },
        );
    }
    out
}

/// The `application/json` media type of a `content` map, else its first one.
fn first_media_schema(content: Option<&Value>) -> Option<(&str, &Value)> {
    let content = content?.as_object()?;
    let (media, mt) = content
        .iter()
        .find(|(m, _)| m.starts_with("application/json"))
        .or_else(|| content.iter().next())?;
    Some((media.as_str(), mt.get("schema").unwrap_or(&Value::Null)))
}

fn body(doc: &Value, content: Option<&Value>, required: bool) -> Option<Body> {
    let (media, schema) = first_media_schema(content)?;
    let fields = if schema.is_null() {
        Fields::new()
    } else {
        flatten(doc, schema)
    };
    Some(Body {
        media_type: media.to_string(),
        required,
        fields,
    })
}

fn request_body(doc: &Value, body_ref: &Value) -> Option<Body> {
    let request = deref(doc, body_ref);
    let required = request.get("required").and_then(Value::as_bool) == Some(true);
    body(doc, request.get("content"), required)
}

fn error_response(doc: &Value, op: &Value) -> Option<Body> {
    let responses = op.get("responses")?.as_object()?;
    let content = |r: &Value| deref(doc, r).get("content").cloned();
    if let Some(range) = responses.get("4XX") {
        return body(doc, content(range).as_ref(), true);
    }
    let concrete: Vec<Option<Value>> = responses
        .iter()
        .filter(|(c, _)| c.starts_with('4'))
        .map(|(_, r)| content(r))
        .collect();
    let best = concrete
        .iter()
        .enumerate()
        .max_by_key(|(i, c)| {
            let shared = concrete.iter().filter(|o| o == c).count();
            (shared, std::cmp::Reverse(*i))
        })?
        .1;
    body(doc, best.as_ref(), true)
}

fn success_response(doc: &Value, op: &Value) -> (Vec<String>, Option<Body>) {
    let Some(responses) = op.get("responses").and_then(Value::as_object) else {
        return (Vec::new(), None);
    };
    let mut codes = Vec::new();
    let mut first = None;
    for (code, response) in responses.iter().filter(|(c, _)| c.starts_with('2')) {
        codes.push(code.clone());
        if first.is_none() {
            first = body(doc, deref(doc, response).get("content"), true);
        }
    }
    (codes, first)
}
