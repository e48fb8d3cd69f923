//! Input validation against the spec: the [`Call`] extractor reads an operation's parameters and
//! body, checks them with the spec's schemas and answers 422 with every issue at once.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::spec::{Operation, ParamIn, Scalar};
use crate::world::refusal::{ApiError, ApiResult};
use playflow::raw::types::{ValidationIssue, ValidationIssueLocItem};

/// A request to a spec operation, with validated inputs. Query parameters that were left out
/// carry their spec default.
pub(crate) struct Call {
    query: Map<String, Value>,
    path: HashMap<String, String>,
    player: Option<String>,
    body: Value,
}

impl<S: Send + Sync> FromRequest<S> for Call {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Call, ApiError> {
        let op = *request
            .extensions()
            .get::<&'static Operation>()
            .ok_or_else(|| ApiError::internal("route is not bound to an operation"))?;
        let (mut parts, body) = request.into_parts();
        let Path(path) = Path::<HashMap<String, String>>::from_request_parts(&mut parts, state)
            .await
            .map_err(|_| ApiError::not_found("Malformed path"))?;
        let Query(raw_query) =
            Query::<Vec<(String, String)>>::try_from_uri(&parts.uri).map_err(|_| {
                ApiError::validation(vec![issue(
                    &["query"],
                    "Malformed query string",
                    "query_invalid",
                )])
            })?;
        let headers = parts.headers.clone();
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|e| ApiError::new(e.status(), format!("Could not read the body: {e}")))?;

        let mut issues = Vec::new();
        let mut query = Map::new();
        let mut player = None;
        for param in &op.params {
            let (place, text) = match param.location {
                ParamIn::Path => continue,
                ParamIn::Query => (
                    "query",
                    raw_query
                        .iter()
                        .find(|(name, _)| *name == param.name)
                        .map(|(_, value)| value.clone()),
                ),
                ParamIn::Header => (
                    "header",
                    headers
                        .get(param.name.as_str())
                        .and_then(|value| value.to_str().ok())
                        .map(str::to_owned)
                        .filter(|value| !value.trim().is_empty()),
                ),
            };
            let Some(text) = text else {
                if param.required {
                    issues.push(issue(&[place, &param.name], "Field required", "missing"));
                } else if let Some(default) = &param.default {
                    query.insert(param.name.clone(), default.clone());
                }
                continue;
            };
            let value = match coerce(&text, param.scalar) {
                Ok(value) => value,
                Err((msg, kind)) => {
                    issues.push(issue(&[place, &param.name], msg, kind));
                    continue;
                }
            };
            let prefix = [place.to_owned(), param.name.clone()];
            issues.extend(
                param
                    .validator
                    .iter_errors(&value)
                    .map(|error| describe(&error, &prefix)),
            );
            match param.location {
                ParamIn::Header => player = Some(text),
                _ => {
                    query.insert(param.name.clone(), value);
                }
            }
        }

        let mut body = Value::Object(Map::new());
        if let Some(spec) = &op.body {
            if bytes.iter().all(u8::is_ascii_whitespace) {
                if spec.required {
                    issues.push(issue(&["body"], "Field required", "missing"));
                }
            } else {
                match serde_json::from_slice::<Value>(&bytes) {
                    Ok(parsed) => {
                        let prefix = ["body".to_owned()];
                        issues.extend(
                            spec.validator
                                .iter_errors(&parsed)
                                .map(|error| describe(&error, &prefix)),
                        );
                        body = parsed;
                    }
                    Err(e) => issues.push(issue(
                        &["body"],
                        format!("Invalid JSON: {e}"),
                        "json_invalid",
                    )),
                }
            }
        }
        if !issues.is_empty() {
            return Err(ApiError::validation(issues));
        }
        Ok(Call {
            query,
            path,
            player,
            body,
        })
    }
}

impl Call {
    /// An integer query parameter (validated; defaulted when the spec has a default).
    pub(crate) fn int(&self, name: &str) -> Option<i64> {
        self.query.get(name).and_then(Value::as_i64)
    }

    /// A boolean query parameter, false when absent.
    pub(crate) fn flag(&self, name: &str) -> bool {
        self.query
            .get(name)
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    /// A text query parameter.
    pub(crate) fn text(&self, name: &str) -> Option<&str> {
        self.query.get(name).and_then(Value::as_str)
    }

    /// A path parameter.
    pub(crate) fn path(&self, name: &str) -> &str {
        self.path.get(name).map_or("", String::as_str)
    }

    /// The acting player (`x-player-id`), validated as present on player routes.
    pub(crate) fn player(&self) -> &str {
        self.player.as_deref().unwrap_or("")
    }

    /// The body as JSON (an empty object when none was sent).
    pub(crate) fn json(&self) -> &Value {
        &self.body
    }

    /// Whether the body names `field` (even as null): partial updates change only named fields.
    pub(crate) fn has(&self, field: &str) -> bool {
        self.body.get(field).is_some()
    }

    /// The body decoded as `T`; it already passed the schema, so a failure here is a 422 on an
    /// input the schema could not express.
    pub(crate) fn body<T: DeserializeOwned>(&self) -> ApiResult<T> {
        T::deserialize(&self.body)
            .map_err(|e| ApiError::validation(vec![issue(&["body"], e.to_string(), "value_error")]))
    }
}

/// Reads a parameter's text as the JSON type its schema has.
fn coerce(text: &str, scalar: Scalar) -> Result<Value, (&'static str, &'static str)> {
    match scalar {
        Scalar::Text => Ok(Value::String(text.to_owned())),
        Scalar::Integer => text
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| ("Input should be a valid integer", "int_parsing")),
        Scalar::Boolean => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Ok(Value::Bool(true)),
            "false" | "0" | "no" | "off" => Ok(Value::Bool(false)),
            _ => Err(("Input should be a valid boolean", "bool_parsing")),
        },
    }
}

/// One validation issue at `loc`.
pub(crate) fn issue(loc: &[&str], msg: impl Into<String>, kind: &str) -> ValidationIssue {
    built!(ValidationIssue {
        loc: loc
            .iter()
            .map(|part| ValidationIssueLocItem::String((*part).to_owned()))
            .collect::<Vec<_>>(),
        msg: Some(msg.into()),
        type_: Some(kind.to_owned()),
    })
}

/// Turns a schema violation into an issue: where (`loc`), what (`msg`) and its kind (`type`).
fn describe(error: &jsonschema::ValidationError<'_>, prefix: &[String]) -> ValidationIssue {
    use jsonschema::error::ValidationErrorKind as Kind;
    use jsonschema::paths::LocationSegment;

    let mut loc: Vec<ValidationIssueLocItem> = prefix
        .iter()
        .map(|part| ValidationIssueLocItem::String(part.clone()))
        .collect();
    for segment in error.instance_path().iter() {
        loc.push(match segment {
            LocationSegment::Property(name) => ValidationIssueLocItem::String(name.into_owned()),
            LocationSegment::Index(index) => {
                ValidationIssueLocItem::Integer(i64::try_from(index).unwrap_or(i64::MAX))
            }
        });
    }
    let (msg, kind) = match error.kind() {
        Kind::Required { property } => {
            loc.push(ValidationIssueLocItem::String(
                property.as_str().unwrap_or_default().to_owned(),
            ));
            ("Field required".to_owned(), "missing")
        }
        Kind::Minimum { limit } => (
            format!("Number must be greater than or equal to {limit}"),
            "too_small",
        ),
        Kind::ExclusiveMinimum { limit } => {
            (format!("Number must be greater than {limit}"), "too_small")
        }
        Kind::Maximum { limit } => (
            format!("Number must be less than or equal to {limit}"),
            "too_big",
        ),
        Kind::ExclusiveMaximum { limit } => {
            (format!("Number must be less than {limit}"), "too_big")
        }
        Kind::MinLength { limit } => (
            format!("String must contain at least {limit} character(s)"),
            "too_small",
        ),
        Kind::MaxLength { limit } => (
            format!("String must contain at most {limit} character(s)"),
            "too_big",
        ),
        Kind::MinItems { limit } => (
            format!("Array must contain at least {limit} element(s)"),
            "too_small",
        ),
        Kind::MaxItems { limit } => (
            format!("Array must contain at most {limit} element(s)"),
            "too_big",
        ),
        Kind::Type { .. } => (
            format!(
                "Expected {}, received {}",
                expected_types(error),
                json_type(error.instance())
            ),
            "invalid_type",
        ),
        Kind::Enum { options } => (
            format!(
                "Invalid enum value. Expected {}",
                options
                    .as_array()
                    .map(|all| all
                        .iter()
                        .map(Value::to_string)
                        .collect::<Vec<_>>()
                        .join(" | "))
                    .unwrap_or_default()
            ),
            "invalid_enum_value",
        ),
        other => (error.masked().to_string(), other.keyword()),
    };
    built!(ValidationIssue {
        loc,
        msg: Some(msg),
        type_: Some(kind.to_owned()),
    })
}

/// The types a `type` keyword asked for, read from the error's message-independent parts.
fn expected_types(error: &jsonschema::ValidationError<'_>) -> String {
    use jsonschema::error::{TypeKind, ValidationErrorKind as Kind};
    match error.kind() {
        Kind::Type {
            kind: TypeKind::Single(one),
        } => one.to_string(),
        Kind::Type {
            kind: TypeKind::Multiple(many),
        } => many
            .iter()
            .map(|one| one.to_string())
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "another type".to_owned(),
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}
