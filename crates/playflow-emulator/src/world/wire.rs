//! Response bodies as PlayFlow writes them. Bodies are built from the generated
//! `playflow::raw::types`, so field names and shapes follow the spec; two habits of the real API
//! that those types do not have are added here: unset nullable fields are sent as `null` (the
//! types leave them out), and whole numbers are sent as integers (`2`, not `2.0`), as a
//! JavaScript server does.

use serde::Serialize;
use serde_json::Value;

use super::refusal::{ApiError, ApiResult};

/// `body` as JSON with integral numbers, or a 500 when it cannot be serialized.
pub(crate) fn value<T: Serialize>(body: &T) -> ApiResult<Value> {
    let mut value = serde_json::to_value(body)
        .map_err(|e| ApiError::internal(format!("response could not be encoded: {e}")))?;
    integral(&mut value);
    Ok(value)
}

/// Sets each of `fields` that `value` (an object) lacks to `null`.
pub(crate) fn with_nulls(mut value: Value, fields: &[&str]) -> Value {
    if let Value::Object(map) = &mut value {
        for field in fields {
            map.entry(*field).or_insert(Value::Null);
        }
    }
    value
}

/// Rewrites whole floating-point numbers as integers, recursively.
fn integral(value: &mut Value) {
    match value {
        Value::Number(number) if number.is_f64() => {
            if let Some(float) = number.as_f64()
                && float.fract() == 0.0
                && float.abs() < 9.0e15
            {
                *value = Value::from(float as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral),
        Value::Object(map) => map.values_mut().for_each(integral),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn whole_numbers_become_integers_and_nulls_are_filled() {
        let body = value(&json!({"a": 2.0, "b": [1.5, 3.0], "c": {"d": -4.0}})).unwrap();
        assert_eq!(body.to_string(), r#"{"a":2,"b":[1.5,3],"c":{"d":-4}}"#);
        let filled = with_nulls(json!({"a": 1}), &["a", "b"]);
        assert_eq!(filled, json!({"a": 1, "b": null}));
    }
}
