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

mod apply;
mod derive;
mod locate;

pub use apply::{BindError, BindReport, bind};
pub use derive::derive;

use serde_json::{Value, json};

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

const SCHEMA_REF: &str = "#/components/schemas/";

fn schema_names(doc: &Value) -> Vec<String> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|s| s.keys().cloned().collect())
        .unwrap_or_default()
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
