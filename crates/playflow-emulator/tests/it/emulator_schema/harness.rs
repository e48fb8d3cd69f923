//! The tour's harness: the spec's response schemas (made strict), and a recorder that sends
//! each call, checks its body against the schema for its operation and status, and remembers
//! what it saw.

use playflow::raw::operations as ops;
use std::collections::{BTreeMap, BTreeSet};

use jsonschema::{Draft, Registry, Validator};
use playflow_emulator::Emulator;
use reqwest::Method;
use serde_json::{Value, json};

pub(crate) const SPEC: &str = playflow::__private::OPENAPI_SPEC;
pub(crate) const SPEC_URI: &str = "https://playflow.invalid/openapi.json";

/// The spec, made strict: object schemas that list `properties` and say nothing about
/// `additionalProperties` accept no other property.
pub(crate) fn strict_spec() -> Value {
    fn tighten(schema: &mut Value) {
        match schema {
            Value::Object(map) => {
                if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                    map.insert("additionalProperties".into(), Value::Bool(false));
                }
                for (key, value) in map.iter_mut() {
                    if key != "examples" {
                        tighten(value);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(tighten),
            _ => {}
        }
    }
    let mut spec: Value = serde_json::from_str(SPEC).expect("spec is JSON");
    if let Some(schemas) = spec.pointer_mut("/components/schemas") {
        tighten(schemas);
    }
    spec
}

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

/// What the spec says about one operation's responses.
pub(crate) struct OperationSchemas {
    /// Status key (`200`, `422`, `4XX`, ...) → body validator, or `None` when no body is declared.
    pub(crate) responses: BTreeMap<String, Option<Validator>>,
    /// For the event stream: event name → data validator.
    pub(crate) events: BTreeMap<String, Validator>,
}

pub(crate) struct Schemas {
    pub(crate) operations: BTreeMap<String, OperationSchemas>,
    pub(crate) error: Validator,
}

impl Schemas {
    pub(crate) fn load() -> Schemas {
        let spec = strict_spec();
        let registry = Registry::new()
            .add(SPEC_URI, Draft::Draft202012.create_resource(spec.clone()))
            .and_then(|builder| builder.prepare())
            .expect("spec registers");
        let compile = |schema: &Value| {
            jsonschema::options()
                .with_draft(Draft::Draft202012)
                .with_registry(&registry)
                .should_validate_formats(true)
                .build(&absolute_refs(schema))
                .expect("schema compiles")
        };
        let mut operations = BTreeMap::new();
        for item in spec["paths"].as_object().unwrap().values() {
            for op in item.as_object().unwrap().values() {
                let id = op["operationId"].as_str().unwrap().to_owned();
                let mut responses = BTreeMap::new();
                for (status, response) in op["responses"].as_object().unwrap() {
                    let schema = response
                        .get("content")
                        .and_then(|content| content.as_object())
                        .and_then(|content| content.values().next())
                        .and_then(|media| media.get("schema"));
                    responses.insert(status.clone(), schema.map(compile));
                }
                let events = op
                    .get("x-sse-events")
                    .and_then(Value::as_object)
                    .map(|events| {
                        events
                            .iter()
                            .map(|(name, schema)| (name.clone(), compile(schema)))
                            .collect()
                    })
                    .unwrap_or_default();
                operations.insert(id, OperationSchemas { responses, events });
            }
        }
        let error = compile(&json!({"$ref": "#/components/schemas/Error"}));
        Schemas { operations, error }
    }
}

/// Who calls.
#[derive(Clone, Copy)]
pub(crate) enum Key {
    None,
    Server,
    Client,
}

/// The tour: calls, what they answered, and every schema violation seen.
pub(crate) struct Tour {
    pub(crate) emu: Emulator,
    pub(crate) http: reqwest::Client,
    pub(crate) schemas: Schemas,
    /// operationId → statuses seen.
    pub(crate) seen: BTreeMap<String, BTreeSet<u16>>,
    pub(crate) violations: Vec<String>,
    pub(crate) calls: usize,
}

pub(crate) struct Call<'a> {
    op: &'a str,
    method: Method,
    path: String,
    key: Key,
    player: Option<&'a str>,
    body: Option<Value>,
}

/// A call of `op` (a generated constant: its method comes with it) to the concrete `path`.
pub(crate) fn call<'a>(op: ops::Operation, path: impl Into<String>) -> Call<'a> {
    Call {
        op: op.operation_id,
        method: op.method.parse().expect("an HTTP method"),
        path: path.into(),
        key: Key::Server,
        player: None,
        body: None,
    }
}

impl<'a> Call<'a> {
    pub(crate) fn key(mut self, key: Key) -> Self {
        self.key = key;
        self
    }
    pub(crate) fn player(mut self, player: &'a str) -> Self {
        self.player = Some(player);
        self
    }
    pub(crate) fn json(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }
}

impl Tour {
    pub(crate) fn request(&self, call: &Call<'_>) -> reqwest::RequestBuilder {
        let mut request = self.http.request(
            call.method.clone(),
            format!("{}{}", self.emu.base_url(), call.path),
        );
        match call.key {
            Key::None => {}
            Key::Server => request = request.header("api-key", self.emu.server_key()),
            Key::Client => request = request.header("api-key", self.emu.client_key()),
        }
        if let Some(player) = call.player {
            request = request.header("x-player-id", player);
        }
        if let Some(body) = &call.body {
            request = request.json(body);
        }
        request
    }

    /// Sends `call`, checks its body against the schema, and returns it; panics when the status
    /// is not `expected` (the script depends on it).
    pub(crate) async fn expect(&mut self, expected: u16, call: Call<'_>) -> Value {
        let response = self.request(&call).send().await.expect("emulator answers");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|value| value.to_str().unwrap_or_default().to_owned());
        let text = response.text().await.expect("body");
        self.calls += 1;
        self.seen
            .entry(call.op.to_owned())
            .or_default()
            .insert(status);
        let what = format!("{} {} {} → {status}", call.op, call.method, call.path);
        assert_eq!(status, expected, "{what}: {text}");
        let mut violations = Vec::new();
        let body = match declared(&self.schemas, call.op, status) {
            None => {
                violations.push(format!("{what}: status not in the spec"));
                Value::Null
            }
            Some(None) => {
                if !text.is_empty() {
                    violations.push(format!("{what}: body where none is declared: {text}"));
                }
                Value::Null
            }
            Some(Some(validator)) => {
                if content_type.as_deref() != Some("application/json") {
                    violations.push(format!("{what}: content-type {content_type:?}"));
                }
                match serde_json::from_str::<Value>(&text) {
                    Ok(body) => {
                        let problems: Vec<String> = validator
                            .iter_errors(&body)
                            .map(|error| format!("{} at {}", error, error.instance_path()))
                            .collect();
                        if !problems.is_empty() {
                            violations.push(format!("{what}: {problems:?} in {text}"));
                        }
                        body
                    }
                    Err(e) => {
                        violations.push(format!("{what}: not JSON ({e}): {text}"));
                        Value::Null
                    }
                }
            }
        };
        self.violations.extend(violations);
        body
    }

    pub(crate) fn check_event(&mut self, name: &str, data: &str) {
        let Some(validator) = self.schemas.operations[ops::SUBSCRIBE_LOBBY_EVENTS.operation_id]
            .events
            .get(name)
        else {
            self.violations
                .push(format!("event `{name}` is not in x-sse-events"));
            return;
        };
        let value = if name == "ping" {
            Value::String(data.to_owned())
        } else {
            match serde_json::from_str(data) {
                Ok(value) => value,
                Err(e) => {
                    self.violations
                        .push(format!("event {name}: not JSON ({e}): {data}"));
                    return;
                }
            }
        };
        let problems: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        if !problems.is_empty() {
            self.violations
                .push(format!("event {name}: {problems:?} in {data}"));
        }
    }
}

/// The validator for `op` at `status`: the exact code, else its `4XX`/`5XX` range; `Some(None)`
/// when the spec declares no body.
pub(crate) fn declared<'s>(
    schemas: &'s Schemas,
    op: &str,
    status: u16,
) -> Option<Option<&'s Validator>> {
    let responses = &schemas.operations.get(op)?.responses;
    let range = format!("{}XX", status / 100);
    responses
        .get(&status.to_string())
        .or_else(|| responses.get(&range))
        .map(Option::as_ref)
}

/// Every operation of the spec as (its generated constant, path with placeholders filled in).
/// An operation of the spec without a constant, or with another method, is a failure.
/// The operationIds `openapi/binding.json` names: the reviewed operations the emulator
/// implements. One a refreshed spec adds is unbound until someone binds it (update-spec lists
/// it as new); until then the emulator answers it 404, and the tour leaves it out.
pub(crate) fn bound_operation_ids() -> std::collections::BTreeSet<String> {
    let binding: Value =
        serde_json::from_str(include_str!("../../../../../openapi/binding.json")).unwrap();
    binding["operations"]
        .as_object()
        .expect("the binding names operations")
        .values()
        .map(|id| id.as_str().expect("an operationId").to_owned())
        .collect()
}

/// Every bound operation of the spec (see [`bound_operation_ids`]) with a concrete path.
pub(crate) fn every_operation() -> Vec<(ops::Operation, String)> {
    let spec: Value = serde_json::from_str(SPEC).unwrap();
    let bound = bound_operation_ids();
    let mut all = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let concrete = path.replace("{config}", "default").replace(['{', '}'], "");
            let id = op["operationId"].as_str().unwrap();
            if !bound.contains(id) {
                eprintln!("not in openapi/binding.json, not toured: {id} ({method} {path})");
                continue;
            }
            let constant = *ops::OPERATIONS
                .iter()
                .find(|known| known.operation_id == id)
                .unwrap_or_else(|| panic!("{id} has no generated constant"));
            assert!(constant.method.eq_ignore_ascii_case(method), "{id}");
            all.push((constant, concrete));
        }
    }
    all
}

pub(crate) async fn put_archive(http: &reqwest::Client, url: &str, archive: Vec<u8>) {
    let response = http.put(url).body(archive).send().await.unwrap();
    assert_eq!(response.status(), 200);
}
