//! What every wire test shares (`tests/it/wire/` of `playflow`): the spec read at test time, a mock server with a client pointed
//! at it, and one way to state the request an operation must send.
//!
//! A test begins with `start(ops::<OPERATION>)`, a generated constant of
//! `playflow::raw::operations`, so a renamed or removed operation fails to compile instead of
//! silently testing another one. That call is also the marker the coverage test looks for, and
//! it is not just a label: the operation is looked up in the spec, and every mock
//! made through [`Wire::mock`] only matches a request whose method and path have that
//! operation's shape, so naming the wrong operation fails the test.

use std::sync::OnceLock;

use httpmock::{HttpMockRequest, Mock, MockServer, Then};
use playflow::raw;
use serde::Serialize;
use serde_json::{Map, Value};

/// The project API key every request must carry in the `api-key` header.
pub const API_KEY: &str = "pf_test_4f1c9a2b7d";
/// The acting player of lobby calls (`x-player-id`).
pub const PLAYER: &str = "player-7f3a";
/// A path parameter that needs percent-encoding: a space and a slash. It must reach the server
/// as the one path segment `a%20b%2Fc` (progenitor's `encode_path`), never as two segments.
pub const AWKWARD: &str = "a b/c";

pub fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        // The spec as bound to our names (`openapi/binding.json`), as the client was generated
        // from it: whatever upstream calls its operations and schemas, they have our names here.
        serde_json::from_str(raw::BOUND_SPEC_JSON).expect("the bound spec is JSON")
    })
}

pub const METHODS: &[&str] = &["get", "put", "post", "delete", "patch"];

/// Every operation of the spec as `(operationId, method, path template, operation)`.
pub fn operations() -> Vec<(String, &'static str, String, &'static Value)> {
    let mut ops = Vec::new();
    for (path, item) in spec()["paths"].as_object().expect("paths") {
        for method in METHODS {
            if let Some(op) = item.get(*method) {
                let id = op["operationId"].as_str().expect("operationId").to_owned();
                ops.push((id, *method, path.clone(), op));
            }
        }
    }
    ops
}

/// `components/schemas/<name>/examples[0]` of the spec.
pub fn schema_example(name: &str) -> Value {
    spec()["components"]["schemas"][name]["examples"][0].clone()
}

/// One operation of the spec.
#[derive(Debug, Clone)]
pub struct SpecOp {
    pub id: String,
    pub method: &'static str,
    pub path: String,
    op: &'static Value,
}

impl SpecOp {
    pub fn find(operation_id: &str) -> Self {
        let (id, method, path, op) = operations()
            .into_iter()
            .find(|(id, ..)| id == operation_id)
            .unwrap_or_else(|| panic!("operationId {operation_id} is not in the spec"));
        Self {
            id,
            method,
            path,
            op,
        }
    }

    fn header_param(&self, name: &str) -> bool {
        self.op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|p| p["in"] == "header" && p["name"] == name)
    }

    fn has_body(&self) -> bool {
        self.op.get("requestBody").is_some()
    }

    /// The spec's example of the success response: the referenced schema's `examples[0]`, or
    /// the inline schema's.
    pub fn success_example(&self) -> Value {
        let (_, response) = self.op["responses"]
            .as_object()
            .expect("responses")
            .iter()
            .find(|(code, _)| code.starts_with('2'))
            .expect("a success response");
        let content = response["content"].as_object().expect("a success body");
        let (_, media) = content.iter().next().expect("one media type");
        let schema = &media["schema"];
        match schema.get("$ref").and_then(Value::as_str) {
            Some(r) => schema_example(r.rsplit('/').next().expect("schema name")),
            None => schema["examples"][0].clone(),
        }
    }

    /// Whether a request has this operation's method and path shape (`{param}` = one segment).
    fn matches(&self, req: &HttpMockRequest) -> bool {
        let uri = req.uri();
        let actual: Vec<&str> = uri.path().split('/').collect();
        let template: Vec<&str> = self.path.split('/').collect();
        req.method().as_str().eq_ignore_ascii_case(self.method)
            && actual.len() == template.len()
            && template.iter().zip(&actual).all(|(t, a)| {
                if t.starts_with('{') && t.ends_with('}') {
                    !a.is_empty()
                } else {
                    t == a
                }
            })
    }
}

/// The request an operation must send, beyond what the spec fixes (method, `api-key`,
/// `x-player-id`).
pub struct Expect {
    /// The exact path, path parameters percent-encoded.
    pub path: &'static str,
    /// Every query parameter, decoded, in any order; nothing else may be sent.
    pub query: &'static [(&'static str, &'static str)],
    /// The exact JSON body, for operations that have one; `None` asserts an empty body.
    pub body: Option<Value>,
}

/// A mock server, a raw client pointed at it, and the operation under test.
pub struct Wire {
    pub server: MockServer,
    pub client: raw::Client,
    pub op: SpecOp,
}

/// Start a wire test of `operation` (the marker the coverage test looks for).
pub async fn start(operation: raw::operations::Operation) -> Wire {
    let op = SpecOp::find(operation.operation_id);
    let server = MockServer::start_async().await;
    let client =
        raw::Client::new_with_client(&server.base_url(), http_client(), Default::default());
    Wire { server, client, op }
}

/// A reqwest client that sends the API key on every request, as a user of `raw` does.
pub fn http_client() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("api-key", API_KEY.parse().expect("header value"));
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("reqwest client")
}

impl Wire {
    /// The spec's example of this operation's success body.
    pub fn example(&self) -> Value {
        self.op.success_example()
    }

    /// A mock that answers only the request `expect` describes, sent as the spec says: the
    /// operation's method and path shape, the `api-key` header, `x-player-id` exactly when the
    /// operation declares it, the exact query and the exact body.
    pub async fn mock(&self, expect: Expect, respond: impl FnOnce(Then)) -> Mock<'_> {
        let op = self.op.clone();
        assert_eq!(
            expect.body.is_some(),
            op.has_body(),
            "{}: state the body exactly when the operation has one",
            op.id
        );
        let player = op.header_param("x-player-id");
        self.server
            .mock_async(move |when, then| {
                let mut when = when
                    .method(op.method.to_uppercase().as_str())
                    .path(expect.path)
                    .header("api-key", API_KEY)
                    .is_true(query_is(expect.query));
                when = if player {
                    when.header("x-player-id", PLAYER)
                } else {
                    when.header_missing("x-player-id")
                };
                when = match expect.body {
                    Some(body) => when
                        .header("content-type", "application/json")
                        .json_body(body),
                    None => when.is_true(|req| req.body_ref().is_empty()),
                };
                when.is_true(move |req| op.matches(req));
                respond(then);
            })
            .await
    }
}

/// A request matcher: the decoded query parameters are exactly `expected`, in any order.
pub fn query_is(
    expected: &'static [(&'static str, &'static str)],
) -> impl Fn(&HttpMockRequest) -> bool + Send + Sync + 'static {
    move |req| {
        let mut actual = req.query_params();
        actual.sort();
        let mut expected: Vec<(String, String)> = expected
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        expected.sort();
        actual == expected
    }
}

/// Respond with `status` and `body` as JSON.
pub fn json(then: Then, status: u16, body: Value) {
    then.status(status)
        .header("content-type", "application/json")
        .body(body.to_string());
}

/// Decoding lost nothing: the typed value serializes back to the example, up to what JSON
/// cannot tell apart (absent, `null`, `[]` and `{}` fields; `3` and `3.0`; equal instants
/// written differently).
pub fn assert_lossless<T: Serialize>(example: &Value, decoded: &T) {
    let back = serde_json::to_value(decoded).expect("the decoded value serializes");
    assert_eq!(
        canonical(back),
        canonical(example.clone()),
        "decoding lost or changed data"
    );
}

fn canonical(value: Value) -> Value {
    let empty = |v: &Value| match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    };
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(_, v)| !empty(v))
                .map(|(k, v)| (k, canonical(v)))
                .collect::<Map<_, _>>(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(canonical).collect()),
        Value::Number(n) => Value::from(n.as_f64().expect("a finite number")),
        Value::String(s) => match chrono::DateTime::parse_from_rfc3339(&s) {
            Ok(t) => Value::String(t.to_utc().to_rfc3339()),
            Err(_) => Value::String(s),
        },
        other => other,
    }
}

/// The JSON object `value` as the map the generated types hold for free-form objects.
pub fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}
