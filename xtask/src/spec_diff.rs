//! What changed between two versions of the spec, each change classified breaking or not for
//! users of this crate.
//!
//! The rules, from the point of view of Rust code written against the generated client (request
//! types are built through progenitor's builders, response types are read field by field):
//!
//! | change | request side | response side |
//! |---|---|---|
//! | operation added / moved (same operationId) | non-breaking: the method keeps its name | |
//! | operation removed / renamed (new operationId) | breaking: the raw method disappears | |
//! | field or parameter added | breaking if required, else non-breaking | non-breaking |
//! | field or parameter removed | breaking | breaking |
//! | type changed | breaking | breaking |
//! | became required | breaking | breaking (`Option<T>` → `T`) |
//! | became optional | non-breaking (builders take `T` for `Option<T>`) | breaking (`T` → `Option<T>`) |
//! | became nullable | non-breaking | breaking if required (`T` → `Option<T>`), else non-breaking |
//! | no longer nullable | breaking | breaking if required, else non-breaking |
//! | enum value added | non-breaking | non-breaking (our enums are open: `Unknown(String)`) |
//! | enum value removed | breaking | breaking |
//! | body added / removed, media type changed | breaking (the method's signature changes) | breaking |
//! | success status code changed (same body) | | non-breaking |
//!
//! The response side is the body of the first 2xx response with content; error bodies (4XX/5XX)
//! are not compared. A change inside a component schema is named by where it is declared
//! (`Server.region`), so the Markdown report lists it once with every operation it affects.

use serde_json::Value;

use crate::change_report::{Change, ChangeKind, ChangeReport};
use crate::schema_fields::{Field, Fields, is_ancestor};
use crate::spec_model::{Body, Operation, operations};

/// Which way a body or parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Request,
    Response,
}

/// The change report from `old` to `new` (two parsed OpenAPI documents).
/// [`diff`] after binding both documents to the names `old` has, by where things sit
/// (operations by method and path, schemas by their place in a body; see
/// `playflow_codegen::binding`): a pure renaming upstream reports no change.
pub fn diff_by_location(old: &Value, new: &Value) -> ChangeReport {
    let binding = playflow_codegen::binding::derive(old);
    let bound = |doc: &Value| {
        let mut doc = doc.clone();
        match playflow_codegen::binding::bind(&mut doc, &binding) {
            Ok(_) => doc,
            // A document the binding cannot take is compared as it is.
            Err(_) => doc,
        }
    };
    diff(&bound(old), &bound(new))
}

pub fn diff(old: &Value, new: &Value) -> ChangeReport {
    let old_ops = operations(old);
    let new_ops = operations(new);
    let mut changes = Vec::new();

    // An operation whose id vanished while a new id appeared on the same endpoint was renamed.
    let mut renames: Vec<(&str, &str)> = Vec::new();
    for (new_id, op) in new_ops.iter().filter(|(id, _)| !old_ops.contains_key(*id)) {
        if let Some((old_id, _)) = old_ops.iter().find(|(old_id, old_op)| {
            !new_ops.contains_key(*old_id)
                && old_op.endpoint() == op.endpoint()
                && !renames.iter().any(|(taken, _)| taken == old_id)
        }) {
            renames.push((old_id, new_id));
        }
    }

    for (id, new_op) in &new_ops {
        let renamed_from = renames.iter().find(|(_, n)| n == id).map(|(o, _)| *o);
        let mut d = OpDiff {
            operation: match renamed_from {
                Some(old_id) => format!("{old_id} → {id}"),
                None => id.clone(),
            },
            endpoint: new_op.endpoint(),
            changes: &mut changes,
        };
        if let Some(old_id) = renamed_from {
            d.push(
                ChangeKind::OperationRenamed,
                true,
                format!("operationId renamed from `{old_id}` to `{id}`: the raw method is renamed"),
            );
            d.operation_body(&old_ops[old_id], new_op);
        } else if let Some(old_op) = old_ops.get(id) {
            if old_op.endpoint() != new_op.endpoint() {
                d.push(
                    ChangeKind::OperationMoved,
                    false,
                    format!(
                        "moved from `{}` to `{}`; the raw method keeps its name",
                        old_op.endpoint(),
                        new_op.endpoint()
                    ),
                );
            }
            d.operation_body(old_op, new_op);
        } else {
            d.push(ChangeKind::OperationAdded, false, "operation added".into());
        }
    }
    for (id, old_op) in &old_ops {
        if !new_ops.contains_key(id) && !renames.iter().any(|(o, _)| o == id) {
            changes.push(Change {
                operation: id.clone(),
                endpoint: old_op.endpoint(),
                kind: ChangeKind::OperationRemoved,
                breaking: true,
                detail: "operation removed: its raw method disappears".into(),
            });
        }
    }

    let version = |doc: &Value| {
        doc.pointer("/info/version")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let (from, to) = (version(old), version(new));
    ChangeReport {
        changes,
        api_version: (from != to).then_some((from, to)),
    }
}

/// Collects the changes of one operation.
struct OpDiff<'a> {
    operation: String,
    endpoint: String,
    changes: &'a mut Vec<Change>,
}

/// How an entry names what changed: a body (`request field `x``) or a parameter.
#[derive(Clone, Copy)]
enum Subject<'a> {
    Body(Side),
    Parameter(&'a str),
}

impl Subject<'_> {
    fn side(self) -> Side {
        match self {
            Subject::Body(side) => side,
            Subject::Parameter(_) => Side::Request,
        }
    }

    /// How the report names the field at `path`: by where it is declared when that is a
    /// component schema (`Server.region`), so the entry reads the same for every operation.
    fn name(self, path: &str, field: &Field) -> String {
        let side = match self.side() {
            Side::Request => "request",
            Side::Response => "response",
        };
        let shown = field.declared_in.as_deref().unwrap_or(path);
        match (self, path) {
            (Subject::Body(_), "") => format!("{side} body"),
            (Subject::Body(_), _) => format!("{side} field `{shown}`"),
            (Subject::Parameter(param), "") => param.to_string(),
            (Subject::Parameter(param), _) => format!("{param}, field `{shown}`"),
        }
    }
}

impl OpDiff<'_> {
    fn push(&mut self, kind: ChangeKind, breaking: bool, detail: String) {
        self.changes.push(Change {
            operation: self.operation.clone(),
            endpoint: self.endpoint.clone(),
            kind,
            breaking,
            detail,
        });
    }

    fn operation_body(&mut self, old: &Operation, new: &Operation) {
        self.parameters(old, new);
        self.request(old.request.as_ref(), new.request.as_ref());
        if old.success_codes != new.success_codes {
            self.push(
                ChangeKind::SuccessStatusChanged,
                false,
                format!(
                    "success status `{}` → `{}`",
                    old.success_codes.join(", "),
                    new.success_codes.join(", ")
                ),
            );
        }
        self.response(old.response.as_ref(), new.response.as_ref());
        // The facade reads error bodies too (the error classification, lobby error codes).
        if let (Some(old), Some(new)) = (&old.error, &new.error) {
            self.fields(&old.fields, &new.fields, Subject::Body(Side::Response));
        }
    }

    fn parameters(&mut self, old: &Operation, new: &Operation) {
        for (key, param) in &new.parameters {
            let described = param.describe();
            match old.parameters.get(key) {
                Some(before) => {
                    self.fields(
                        &before.fields,
                        &param.fields,
                        Subject::Parameter(&described),
                    );
                }
                None => {
                    let required = param.fields.get("").is_some_and(|f| f.required);
                    self.push(
                        ChangeKind::ParameterAdded,
                        required,
                        if required {
                            format!("required {described} added")
                        } else {
                            format!("optional {described} added")
                        },
                    );
                }
            }
        }
        for (key, param) in &old.parameters {
            if !new.parameters.contains_key(key) {
                self.push(
                    ChangeKind::ParameterRemoved,
                    true,
                    format!("{} removed", param.describe()),
                );
            }
        }
    }

    fn request(&mut self, old: Option<&Body>, new: Option<&Body>) {
        match (old, new) {
            (None, None) => {}
            (None, Some(body)) => self.push(
                ChangeKind::RequestBodyAdded,
                body.required,
                format!(
                    "{} request body added (`{}`)",
                    if body.required {
                        "required"
                    } else {
                        "optional"
                    },
                    body.media_type
                ),
            ),
            (Some(_), None) => self.push(
                ChangeKind::RequestBodyRemoved,
                true,
                "request body removed".into(),
            ),
            (Some(old), Some(new)) => {
                self.media_type(old, new, Side::Request);
                if old.required != new.required {
                    self.push(
                        ChangeKind::RequiredChanged,
                        new.required,
                        if new.required {
                            "request body became required".into()
                        } else {
                            "request body became optional".into()
                        },
                    );
                }
                self.fields(&old.fields, &new.fields, Subject::Body(Side::Request));
            }
        }
    }

    fn response(&mut self, old: Option<&Body>, new: Option<&Body>) {
        match (old, new) {
            (None, None) => {}
            (None, Some(body)) => self.push(
                ChangeKind::ResponseBodyAdded,
                true,
                format!(
                    "success response body added (`{}`): the raw method's return type changes",
                    body.media_type
                ),
            ),
            (Some(_), None) => self.push(
                ChangeKind::ResponseBodyRemoved,
                true,
                "success response body removed".into(),
            ),
            (Some(old), Some(new)) => {
                self.media_type(old, new, Side::Response);
                self.fields(&old.fields, &new.fields, Subject::Body(Side::Response));
            }
        }
    }

    fn media_type(&mut self, old: &Body, new: &Body, side: Side) {
        if old.media_type != new.media_type {
            let side = match side {
                Side::Request => "request",
                Side::Response => "response",
            };
            self.push(
                ChangeKind::MediaTypeChanged,
                true,
                format!(
                    "{side} media type `{}` → `{}`",
                    old.media_type, new.media_type
                ),
            );
        }
    }

    /// Field by field; below a field that was added or removed nothing more is reported.
    fn fields(&mut self, old: &Fields, new: &Fields, subject: Subject<'_>) {
        let boundaries: Vec<&String> = new
            .keys()
            .filter(|p| !old.contains_key(*p))
            .chain(old.keys().filter(|p| !new.contains_key(*p)))
            .collect();
        let inside_boundary = |path: &str| boundaries.iter().any(|b| is_ancestor(b, path));
        let side = subject.side();
        for (path, field) in new.iter().filter(|(p, _)| !inside_boundary(p)) {
            match old.get(path) {
                Some(before) => self.field(path, before, field, subject),
                None => {
                    let breaking = side == Side::Request && field.required;
                    let optionality = if field.required {
                        "required"
                    } else {
                        "optional"
                    };
                    self.push(
                        ChangeKind::FieldAdded,
                        breaking,
                        format!(
                            "{} added ({optionality}, `{}`)",
                            subject.name(path, field),
                            field.ty
                        ),
                    );
                }
            }
        }
        for (path, field) in old.iter().filter(|(p, _)| !new.contains_key(*p)) {
            if !inside_boundary(path) {
                self.push(
                    ChangeKind::FieldRemoved,
                    true,
                    format!("{} removed", subject.name(path, field)),
                );
            }
        }
    }

    fn field(&mut self, path: &str, old: &Field, new: &Field, subject: Subject<'_>) {
        let name = subject.name(path, new);
        let side = subject.side();
        if old.ty != new.ty {
            self.push(
                ChangeKind::TypeChanged,
                true,
                format!("{name}: type `{}` → `{}`", old.ty, new.ty),
            );
        }
        if old.required != new.required {
            let (breaking, detail) = match (side, new.required) {
                (Side::Request, true) => (true, "became required"),
                (Side::Request, false) => (false, "became optional"),
                (Side::Response, true) => (true, "became required (`Option<T>` → `T`)"),
                (Side::Response, false) => (
                    true,
                    "became optional (`T` → `Option<T>`; it may now be absent)",
                ),
            };
            self.push(
                ChangeKind::RequiredChanged,
                breaking,
                format!("{name} {detail}"),
            );
        }
        // An optional request field that starts or stops accepting `null` changes neither what
        // this crate sends (an unset field is left out, never sent as null) nor its Rust type
        // (`Option<T>` either way): zod's `.nullable()` on a component shared by a response,
        // where null is meaningful, and a request is such a change, and no change to a user.
        // A field of any type is the exception: `Some(Value::Null)` is a value a user can send.
        let unseen_by_the_client =
            side == Side::Request && !old.required && !new.required && new.ty != "any";
        if old.nullable != new.nullable && !unseen_by_the_client {
            let now = if new.nullable {
                "became nullable"
            } else {
                "is no longer nullable"
            };
            let (breaking, why) = match side {
                Side::Request if new.nullable => (false, ""),
                Side::Request => (true, " (null is no longer accepted)"),
                Side::Response if new.required => {
                    (true, " (the Rust type gains or loses `Option`)")
                }
                Side::Response => (false, " (optional: the Rust field stays `Option<T>`)"),
            };
            self.push(
                ChangeKind::NullabilityChanged,
                breaking,
                format!("{name} {now}{why}"),
            );
        }
        self.enum_values(&name, old, new, side);
    }

    fn enum_values(&mut self, name: &str, old: &Field, new: &Field, side: Side) {
        let type_reported = old.ty != new.ty;
        match (&old.enum_values, &new.enum_values) {
            (None, None) => {}
            (None, Some(_)) | (Some(_), None) if type_reported => {}
            (None, Some(values)) => self.push(
                ChangeKind::TypeChanged,
                true,
                format!("{name} became an enum of {}", quoted(values.iter())),
            ),
            (Some(_), None) => self.push(
                ChangeKind::TypeChanged,
                true,
                format!("{name} is no longer an enum"),
            ),
            (Some(before), Some(after)) => {
                let added: Vec<&String> = after.iter().filter(|v| !before.contains(v)).collect();
                let removed: Vec<&String> = before.iter().filter(|v| !after.contains(v)).collect();
                if !added.is_empty() {
                    let why = match side {
                        Side::Request => "",
                        Side::Response => {
                            " (our enums are open: unknown values arrive as `Unknown`)"
                        }
                    };
                    self.push(
                        ChangeKind::EnumValueAdded,
                        false,
                        format!(
                            "{name}: enum value(s) {} added{why}",
                            quoted(added.into_iter())
                        ),
                    );
                }
                if !removed.is_empty() {
                    self.push(
                        ChangeKind::EnumValueRemoved,
                        true,
                        format!(
                            "{name}: enum value(s) {} removed",
                            quoted(removed.into_iter())
                        ),
                    );
                }
            }
        }
    }
}

fn quoted<'a>(values: impl Iterator<Item = &'a String>) -> String {
    values
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
