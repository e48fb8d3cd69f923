//! An error answer's body read for what it says, whatever its layout.
//!
//! The spec's error body is `{error, detail, status}`, but what actually answers is not always
//! the API's own handler: a framework's default (`{"detail": "Not Found"}`), a gateway's
//! `{"message": …}`, a proxy's HTML page, an empty body, or Zod's validation issues
//! (`{path, message, code}` where the spec says `{loc, msg, type}`). The generated client
//! decodes only the spec's layout, and loses the server's message otherwise; this reads any
//! of them. The HTTP status is always the response's own (a body's `status` is ignored).

use serde_json::{Map, Value};

use super::api::status_text;
use super::{ApiError, ErrorDetail, LocPart, Redactor, ValidationIssue};

/// How much of a body that is not JSON becomes the message (`Display` shows less).
const TEXT_LEN: usize = 4096;

/// The API error of an error answer with this status and body.
pub(crate) fn api_error(
    status: u16,
    body: &[u8],
    operation: &'static str,
    redactor: &Redactor,
) -> ApiError {
    let mut api = ApiError::new(status, status_text(status));
    api.operation = operation;
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => from_object(&mut api, map),
        Ok(Value::String(message)) if !message.trim().is_empty() => api.message = message,
        Ok(Value::String(_)) => {}
        Ok(Value::Array(items)) => api.detail = detail(Value::Array(items)),
        // `null`, a number, or text that is not JSON (HTML, plain text, nothing at all): the
        // status says what happened, the text (when there is any) says the rest.
        _ => {
            let text = redactor.excerpt(body, TEXT_LEN);
            let text = text.trim();
            if !text.is_empty() {
                api.detail = ErrorDetail::Message(text.to_owned());
            }
        }
    }
    api
}

fn from_object(api: &mut ApiError, mut map: Map<String, Value>) {
    let detail_value = map.remove("detail");
    let message = ["error", "message", "title"]
        .iter()
        .find_map(|key| map.get(*key).and_then(message_of));
    match (message, detail_value) {
        (Some(message), detail_value) => {
            api.message = message;
            api.detail = detail_value.map_or(ErrorDetail::None, detail);
        }
        // `{"detail": "Not authenticated"}`: the detail is all the message there is.
        (None, Some(Value::String(text))) if !text.trim().is_empty() => api.message = text,
        (None, detail_value) => api.detail = detail_value.map_or(ErrorDetail::None, detail),
    }
    // Zod and others list their issues beside the message rather than in `detail`.
    if matches!(api.detail, ErrorDetail::None) {
        for key in ["issues", "errors"] {
            if let Some(items @ Value::Array(_)) = map.remove(key) {
                api.detail = detail(items);
                break;
            }
        }
    }
}

/// A message: a non-empty string, or an object's `message` (`{"error": {"message": …}}`).
fn message_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Object(inner) => inner.get("message").and_then(message_of),
        _ => None,
    }
}

fn detail(value: Value) -> ErrorDetail {
    match value {
        Value::Null => ErrorDetail::None,
        Value::String(s) if s.is_empty() => ErrorDetail::None,
        Value::String(s) => ErrorDetail::Message(s),
        Value::Array(items) if items.iter().all(|i| i.is_object() || i.is_string()) => {
            ErrorDetail::Validation(items.into_iter().map(issue).collect())
        }
        other => ErrorDetail::Other(other),
    }
}

/// One validation issue, in the spec's layout (`loc`, `msg`, `type`) or Zod's (`path`,
/// `message`, `code`); a bare string is its message.
fn issue(value: Value) -> ValidationIssue {
    let Value::Object(map) = value else {
        let msg = value.as_str().unwrap_or_default().to_owned();
        return ValidationIssue {
            loc: Vec::new(),
            msg,
            kind: String::new(),
        };
    };
    let text = |keys: [&str; 2]| {
        keys.iter()
            .find_map(|k| map.get(*k).and_then(Value::as_str))
            .unwrap_or_default()
            .to_owned()
    };
    let loc = match map.get("loc").or_else(|| map.get("path")) {
        Some(Value::Array(parts)) => parts.iter().filter_map(loc_part).collect(),
        Some(Value::String(path)) => vec![LocPart::Field(path.clone())],
        _ => Vec::new(),
    };
    ValidationIssue {
        loc,
        msg: text(["msg", "message"]),
        kind: text(["type", "code"]),
    }
}

fn loc_part(value: &Value) -> Option<LocPart> {
    match value {
        Value::String(s) => Some(LocPart::Field(s.clone())),
        Value::Number(n) => n.as_i64().map(LocPart::Index),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> ApiError {
        api_error(422, body.as_bytes(), "op", &Redactor::default())
    }

    #[test]
    fn takes_the_message_from_whichever_field_has_it() {
        assert_eq!(parse(r#"{"error":"a"}"#).message, "a");
        assert_eq!(parse(r#"{"message":"b"}"#).message, "b");
        assert_eq!(parse(r#"{"detail":"c"}"#).message, "c");
        assert_eq!(parse(r#"{"error":{"message":"d"}}"#).message, "d");
        let both = parse(r#"{"error":"e","detail":"f"}"#);
        assert_eq!(both.message, "e");
        assert_eq!(both.detail, ErrorDetail::Message("f".into()));
        let text = parse("  plain text\n");
        assert_eq!(text.message, "Unprocessable Entity");
        assert_eq!(text.detail, ErrorDetail::Message("plain text".into()));
        assert_eq!(parse("").message, "Unprocessable Entity");
        assert_eq!(parse("null").message, "Unprocessable Entity");
    }

    #[test]
    fn decodes_both_issue_layouts() {
        let spec =
            parse(r#"{"detail":[{"loc":["body","ttl"],"msg":"too small","type":"too_small"}]}"#);
        let zod = parse(
            r#"{"error":"Invalid","issues":[{"path":["body","ttl"],"message":"too small","code":"too_small"}]}"#,
        );
        let expected = ErrorDetail::Validation(vec![ValidationIssue {
            loc: vec![LocPart::Field("body".into()), LocPart::Field("ttl".into())],
            msg: "too small".into(),
            kind: "too_small".into(),
        }]);
        assert_eq!(spec.detail, expected);
        assert_eq!(zod.detail, expected);
        assert_eq!(zod.message, "Invalid");
    }
}
