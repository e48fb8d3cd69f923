//! Free-form JSON objects (player state, lobby settings) taken from any `Serialize` value.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::InvalidInput;

/// A JSON object made from `value`: a `serde_json::Map`, a `json!({...})`, or any struct that
/// serializes to an object. Anything else is refused before a request is sent.
pub(super) fn to_object(
    field: &str,
    value: impl Serialize,
) -> Result<Map<String, Value>, InvalidInput> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(InvalidInput::new(
            field,
            format!("must be a JSON object, got {}", kind(&other)),
        )),
        Err(e) => Err(InvalidInput::new(
            field,
            format!("cannot be serialized: {e}"),
        )),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
