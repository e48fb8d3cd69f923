//! Checks made before a request, where the spec states the rule: a clear error instead of a 422.

use std::num::NonZeroU64;

use crate::error::{InvalidInput, Result};

/// `value` within `min..=max` (the spec's `minimum`/`maximum` of a query parameter or field).
pub(crate) fn in_range(field: &str, value: u64, min: u64, max: u64) -> Result<u64> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(InvalidInput::new(
            field,
            format!("must be between {min} and {max}, got {value}"),
        )
        .into())
    }
}

/// A page size: `1..=max`.
pub(crate) fn limit(field: &str, value: u32, max: u64) -> Result<NonZeroU64> {
    let checked = in_range(field, u64::from(value), 1, max)?;
    Ok(NonZeroU64::new(checked).expect("checked to be at least 1"))
}

/// A path parameter or name that must not be empty.
pub(crate) fn non_empty<'a>(field: &str, value: &'a str) -> Result<&'a str> {
    if value.trim().is_empty() {
        Err(InvalidInput::new(field, "must not be empty").into())
    } else {
        Ok(value)
    }
}

/// `value` serialized, if it is a JSON object: free-form data (custom data, player state, lobby
/// settings) taken from any `Serialize` value, refused before any request otherwise.
pub(crate) fn json_object(
    field: &str,
    value: impl serde::Serialize,
) -> std::result::Result<serde_json::Map<String, serde_json::Value>, InvalidInput> {
    use serde_json::Value;
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => {
            let kind = match other {
                Value::Null => "null",
                Value::Bool(_) => "a boolean",
                Value::Number(_) => "a number",
                Value::String(_) => "a string",
                Value::Array(_) => "an array",
                Value::Object(_) => "an object",
            };
            Err(InvalidInput::new(
                field,
                format!("must be a JSON object, got {kind}"),
            ))
        }
        Err(e) => Err(InvalidInput::new(
            field,
            format!("cannot be serialized: {e}"),
        )),
    }
}
