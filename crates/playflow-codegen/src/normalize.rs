//! OpenAPI 3.1 → 3.0.3 normalization, so that progenitor 0.15 (which reads only 3.0) can generate
//! the low-level client.
//!
//! Every rewrite is recorded in a [`Report`]; anything not understood is an [`NormalizeError`]
//! naming the JSON pointer and the construct, so a spec PlayFlow changes never degrades silently.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value, json};

use crate::names::route_operation_id;

/// The kinds of rewrite the normalizer makes. Their names appear in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RewriteKind {
    /// `openapi: 3.1.x` became `3.0.3`.
    OpenapiVersion,
    /// A 3.1-only document keyword (`jsonSchemaDialect`, `webhooks`, `$schema`, ...) was dropped.
    DroppedKeyword,
    /// `type: [T, "null"]` became `type: T, nullable: true`.
    TypeArrayNullable,
    /// `type: [A, B, ...]` (several non-null types) became `anyOf` of one branch per type.
    TypeArrayAnyOf,
    /// `anyOf`/`oneOf` with a `{type: "null"}` branch became `nullable`.
    NullBranchNullable,
    /// Schema `examples: [...]` became `example` (the first).
    ExamplesToExample,
    /// `const: v` became `enum: [v]`.
    ConstToEnum,
    /// Numeric `exclusiveMinimum`/`exclusiveMaximum` became `minimum`/`maximum` + boolean flag.
    ExclusiveBound,
    /// `$ref` with sibling keywords became `allOf: [{$ref}]` plus the siblings.
    RefSiblingsToAllOf,
    /// A `default` on an optional property was removed, so that an omitted field stays omitted on
    /// the wire and the server applies its own default. The value is kept as `x-server-default`.
    DefaultKeptOptional,
    /// `additionalProperties: false` was removed, so fields PlayFlow adds later are ignored.
    ClosedObjectOpened,
    /// An inline string enum of several values was moved to `components/schemas`, so that it
    /// gets a stable name and an open (forward-compatible) Rust type.
    InlineEnumHoisted,
    /// Several error bodies on one operation were collapsed into one error type.
    ErrorBodiesMerged,
    /// Several different success bodies on one operation became one `oneOf` body.
    SuccessBodiesMerged,
    /// A `default` response beside typed success codes became the `4XX`/`5XX` error responses.
    DefaultResponseToErrorRanges,
    /// A request body with several media types kept only `application/json`.
    RequestMediaTypesReduced,
    /// A string property that holds a credential got `format: password`, so that its
    /// generated type redacts itself in `Debug` (see [`SECRET_PROPERTIES`]).
    SecretField,
    /// An operation without operationId got one from its method and path
    /// ([`crate::names::route_operation_id`]).
    OperationIdDerived,
    /// `propertyNames` was dropped: 3.0 has no such keyword, and map keys are strings anyway.
    PropertyNamesDropped,
    /// A component that was nullable as a whole became the non-null shape, and every `$ref`
    /// to it became nullable instead, so its Rust type is `T` and its uses `Option<T>`.
    NullableComponentSplit,
}

impl RewriteKind {
    /// The stable kebab-case name used in the report.
    pub fn name(self) -> &'static str {
        match self {
            Self::OpenapiVersion => "openapi-version",
            Self::DroppedKeyword => "dropped-keyword",
            Self::TypeArrayNullable => "type-array-nullable",
            Self::TypeArrayAnyOf => "type-array-anyof",
            Self::NullBranchNullable => "null-branch-nullable",
            Self::ExamplesToExample => "examples-to-example",
            Self::ConstToEnum => "const-to-enum",
            Self::ExclusiveBound => "exclusive-bound",
            Self::RefSiblingsToAllOf => "ref-siblings-to-allof",
            Self::DefaultKeptOptional => "default-kept-optional",
            Self::ClosedObjectOpened => "closed-object-opened",
            Self::InlineEnumHoisted => "inline-enum-hoisted",
            Self::ErrorBodiesMerged => "error-bodies-merged",
            Self::SuccessBodiesMerged => "success-bodies-merged",
            Self::DefaultResponseToErrorRanges => "default-response-to-error-ranges",
            Self::RequestMediaTypesReduced => "request-media-types-reduced",
            Self::SecretField => "secret-field",
            Self::OperationIdDerived => "operation-id-derived",
            Self::PropertyNamesDropped => "property-names-dropped",
            Self::NullableComponentSplit => "nullable-component-split",
        }
    }
}

/// One rewrite: where, what kind, and a short human-readable detail.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rewrite {
    /// JSON pointer (RFC 6901) into the *input* document.
    pub pointer: String,
    pub kind: RewriteKind,
    pub detail: String,
}

/// Every rewrite made, in document order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub rewrites: Vec<Rewrite>,
    /// Constructs not understood, collected so that one run reports every one of them
    /// (`normalize` then fails with all of them).
    problems: Vec<NormalizeError>,
}

impl Report {
    /// How many rewrites of each kind were made.
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for r in &self.rewrites {
            *counts.entry(r.kind.name()).or_insert(0) += 1;
        }
        counts
    }

    /// Record the problem of a failed step and go on with the next one.
    fn keep(&mut self, result: Result<()>) {
        if let Err(e) = result {
            self.problems.push(e);
        }
    }

    fn push(&mut self, pointer: &str, kind: RewriteKind, detail: impl Into<String>) {
        self.rewrites.push(Rewrite {
            pointer: pointer.to_owned(),
            kind,
            detail: detail.into(),
        });
    }
}

/// The report as text: a summary line per kind, then one line per rewrite. This exact text is
/// the committed snapshot (`openapi/normalize-report.txt`).
impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "# normalizer rewrites: {} in all", self.rewrites.len())?;
        for (kind, n) in self.counts() {
            writeln!(f, "# {kind}: {n}")?;
        }
        for r in &self.rewrites {
            writeln!(f, "{}\t{}\t{}", r.kind.name(), r.pointer, r.detail)?;
        }
        Ok(())
    }
}

/// A construct the normalizer does not understand: the first one met, and every other one
/// found in the same run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizeError {
    /// JSON pointer of the offending value in the input document.
    pub pointer: String,
    /// What was found there.
    pub construct: String,
    /// The other problems of the document, in document order.
    pub more: Vec<NormalizeError>,
}

impl NormalizeError {
    /// Every problem: this one, then [`NormalizeError::more`].
    pub fn all(&self) -> impl Iterator<Item = (&str, &str)> {
        std::iter::once((self.pointer.as_str(), self.construct.as_str())).chain(
            self.more
                .iter()
                .map(|e| (e.pointer.as_str(), e.construct.as_str())),
        )
    }
}

impl fmt::Display for NormalizeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unsupported OpenAPI construct at {}: {}",
            self.pointer, self.construct
        )?;
        if !self.more.is_empty() {
            write!(f, "\nand {} more:", self.more.len())?;
            for e in &self.more {
                write!(f, "\n  at {}: {}", e.pointer, e.construct)?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for NormalizeError {}

/// The normalized 3.0.3 document and the report of what was rewritten.
#[derive(Debug, Clone)]
pub struct Normalized {
    pub document: Value,
    pub report: Report,
}

type Result<T> = std::result::Result<T, NormalizeError>;

fn fail<T>(pointer: &str, construct: impl Into<String>) -> Result<T> {
    Err(NormalizeError {
        pointer: pointer.to_owned(),
        construct: construct.into(),
        more: Vec::new(),
    })
}

/// Escape one JSON-pointer reference token (RFC 6901).
fn token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

fn child(pointer: &str, key: &str) -> String {
    format!("{pointer}/{}", token(key))
}

/// Keywords of a 3.0 Schema Object that pass through unchanged.
const SCHEMA_KEYWORDS_30: &[&str] = &[
    "title",
    "description",
    "type",
    "format",
    "default",
    "example",
    "enum",
    "nullable",
    "properties",
    "required",
    "items",
    "additionalProperties",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
    "multipleOf",
    "readOnly",
    "writeOnly",
    "deprecated",
    "discriminator",
    "xml",
    "externalDocs",
    "$ref",
];

/// 3.1 schema keywords with no 3.0 meaning that only annotate: dropped, and reported.
const SCHEMA_ANNOTATIONS_31: &[&str] = &["$schema", "$comment", "$id"];

/// Names of string properties that carry a credential. The spec does not mark them (it could,
/// with `format: password`); we do, so that the generated field is a type whose `Debug` never
/// shows the value: a registry password, and a presigned upload URL, whose query string
/// authorizes the upload until it expires.
pub const SECRET_PROPERTIES: &[&str] = &["password", "secret", "api_key", "upload_url"];

/// Normalize a parsed OpenAPI 3.1 document.
pub fn normalize(input: &Value) -> Result<Normalized> {
    let mut doc = input.clone();
    let mut report = Report::default();
    let root = doc.as_object_mut().ok_or_else(|| NormalizeError {
        pointer: String::new(),
        construct: "the document is not a JSON object".into(),
        more: Vec::new(),
    })?;

    let version = root
        .get("openapi")
        .and_then(Value::as_str)
        .map(str::to_owned);
    match version.as_deref() {
        Some(v) if v.starts_with("3.1.") => {
            root.insert("openapi".into(), json!("3.0.3"));
            report.push(
                "/openapi",
                RewriteKind::OpenapiVersion,
                format!("{v} -> 3.0.3"),
            );
        }
        Some(v) if v.starts_with("3.0.") => {}
        Some(v) => return fail("/openapi", format!("OpenAPI version {v} (expected 3.1.x)")),
        None => return fail("/openapi", "missing `openapi` version field"),
    }
    for key in ["jsonSchemaDialect", "$schema", "webhooks"] {
        if root.shift_remove(key).is_some() {
            report.push(&child("", key), RewriteKind::DroppedKeyword, key);
        }
    }
    if let Some(info) = root.get_mut("info").and_then(Value::as_object_mut) {
        if info.shift_remove("summary").is_some() {
            report.push("/info/summary", RewriteKind::DroppedKeyword, "info.summary");
        }
        if let Some(license) = info.get_mut("license").and_then(Value::as_object_mut)
            && license.shift_remove("identifier").is_some()
        {
            report.push(
                "/info/license/identifier",
                RewriteKind::DroppedKeyword,
                "license.identifier",
            );
        }
    }
    if !root.contains_key("paths") {
        root.insert("paths".into(), json!({}));
    }

    split_nullable_components(root, &mut report);
    let mut hoisted = Vec::new();
    if let Some(components) = root.get_mut("components").and_then(Value::as_object_mut) {
        if components.shift_remove("pathItems").is_some() {
            return fail("/components/pathItems", "components.pathItems (3.1 only)");
        }
        let result = normalize_components(components, &mut report, &mut hoisted);
        report.keep(result);
    }
    if let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let result = normalize_path_item(item, path, &mut report);
            report.keep(result);
        }
    }
    // Hoisted enums are added last, so they do not shift the pointers recorded above.
    if !hoisted.is_empty() {
        let schemas = root
            .get_mut("components")
            .and_then(|c| c.get_mut("schemas"))
            .and_then(Value::as_object_mut)
            .expect("hoisting happens only inside components/schemas");
        for (name, schema) in hoisted {
            schemas.insert(name, schema);
        }
    }
    // Error bodies are merged after everything else so that the schemas they compare are final.
    let components = root.get("components").cloned().unwrap_or(json!({}));
    if let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let result =
                normalize_responses_shape(item, &child("/paths", path), &components, &mut report);
            report.keep(result);
        }
    }
    let mut problems = std::mem::take(&mut report.problems).into_iter();
    if let Some(mut first) = problems.next() {
        first.more = problems.collect();
        return Err(first);
    }
    Ok(Normalized {
        document: doc,
        report,
    })
}

/// Components nullable as a whole (`type: [T, "null"]`, `nullable: true`, or a null branch
/// beside one other): the component becomes the non-null shape and every `$ref` to it a
/// nullable use, as when the spec writes `anyOf: [{$ref}, {type: null}]` at each use. Otherwise
/// progenitor makes the type itself an `Option` (`PoolConfig(Option<PoolConfigInner>)`).
fn split_nullable_components(root: &mut Map<String, Value>, report: &mut Report) {
    let mut used = std::collections::BTreeSet::new();
    for value in root.values() {
        referenced_schemas(value, &mut used);
    }
    let Some(schemas) = root
        .get_mut("components")
        .and_then(|c| c.get_mut("schemas"))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let mut split = Vec::new();
    for (name, schema) in schemas.iter_mut() {
        // Only a component that is used has uses to carry its nullability.
        let Some(obj) = schema.as_object_mut().filter(|_| used.contains(name)) else {
            continue;
        };
        let mut nullable = obj.shift_remove("nullable") == Some(Value::Bool(true));
        if let Some(types) = obj.get_mut("type").and_then(Value::as_array_mut)
            && types.iter().any(|t| t == "null")
        {
            types.retain(|t| t != "null");
            nullable = true;
            if let [one] = types.as_slice() {
                let one = one.clone();
                obj.insert("type".into(), one);
            }
        }
        for key in ["anyOf", "oneOf"] {
            let Some(list) = obj.get(key).and_then(Value::as_array) else {
                continue;
            };
            let rest: Vec<Value> = list
                .iter()
                .filter(|b| !is_null_schema(b))
                .cloned()
                .collect();
            if rest.len() == list.len() || rest.is_empty() {
                continue;
            }
            nullable = true;
            obj.insert(key.into(), Value::Array(rest));
        }
        if nullable {
            if let Some(values) = obj.get_mut("enum").and_then(Value::as_array_mut) {
                values.retain(|v| !v.is_null());
            }
            split.push(name.clone());
        }
    }
    if split.is_empty() {
        return;
    }
    let refs: Vec<String> = split
        .iter()
        .map(|n| format!("#/components/schemas/{}", token(n)))
        .collect();
    let mut counts = vec![0usize; refs.len()];
    for (_, value) in root.iter_mut() {
        nullable_refs(value, &refs, false, &mut counts);
    }
    for (name, n) in split.iter().zip(counts) {
        report.push(
            &child("/components/schemas", name),
            RewriteKind::NullableComponentSplit,
            format!("{n} use(s) made nullable"),
        );
    }
}

/// Names of the component schemas `$ref`s below `node` point to.
fn referenced_schemas(node: &Value, names: &mut std::collections::BTreeSet<String>) {
    match node {
        Value::Object(map) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                names.insert(name.replace("~1", "/").replace("~0", "~"));
            }
            map.values().for_each(|v| referenced_schemas(v, names));
        }
        Value::Array(list) => list.iter().for_each(|v| referenced_schemas(v, names)),
        _ => {}
    }
}

fn nullable_refs(node: &mut Value, refs: &[String], beside_null: bool, counts: &mut [usize]) {
    match node {
        Value::Object(map) => {
            let target = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| refs.iter().position(|x| x == r));
            if let Some(i) = target {
                if !beside_null {
                    let reference = map.shift_remove("$ref").expect("found above");
                    map.insert(
                        "anyOf".into(),
                        json!([{ "$ref": reference }, { "type": "null" }]),
                    );
                    counts[i] += 1;
                }
                return;
            }
            let has_null = ["anyOf", "oneOf"].iter().any(|k| {
                map.get(*k)
                    .and_then(Value::as_array)
                    .is_some_and(|l| l.iter().any(is_null_schema))
            });
            for (key, value) in map.iter_mut() {
                let branches = key == "anyOf" || key == "oneOf";
                if branches && let Some(list) = value.as_array_mut() {
                    for branch in list {
                        nullable_refs(branch, refs, has_null, counts);
                    }
                } else {
                    nullable_refs(value, refs, false, counts);
                }
            }
        }
        Value::Array(list) => {
            for v in list {
                nullable_refs(v, refs, false, counts);
            }
        }
        _ => {}
    }
}

fn normalize_components(
    components: &mut Map<String, Value>,
    report: &mut Report,
    hoisted: &mut Vec<(String, Value)>,
) -> Result<()> {
    if let Some(schemas) = components.get_mut("schemas").and_then(Value::as_object_mut) {
        let existing: Vec<String> = schemas.keys().cloned().collect();
        for (name, schema) in schemas.iter_mut() {
            let ptr = child("/components/schemas", name);
            let result = normalize_schema(schema, &ptr, report);
            report.keep(result);
            let result = hoist_inline_enums(schema, name, &ptr, &existing, hoisted, report);
            report.keep(result);
        }
    }
    for section in ["parameters", "headers"] {
        if let Some(items) = components.get_mut(section).and_then(Value::as_object_mut) {
            for (name, item) in items.iter_mut() {
                let ptr = child(&child("/components", section), name);
                let result = normalize_schema_holder(item, &ptr, report);
                report.keep(result);
            }
        }
    }
    if let Some(items) = components
        .get_mut("requestBodies")
        .and_then(Value::as_object_mut)
    {
        for (name, body) in items.iter_mut() {
            let result =
                normalize_request_body(body, &child("/components/requestBodies", name), report);
            report.keep(result);
        }
    }
    if let Some(items) = components
        .get_mut("responses")
        .and_then(Value::as_object_mut)
    {
        for (name, response) in items.iter_mut() {
            let result =
                normalize_response(response, &child("/components/responses", name), report);
            report.keep(result);
        }
    }
    Ok(())
}

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn normalize_path_item(item: &mut Value, path: &str, report: &mut Report) -> Result<()> {
    let ptr = &child("/paths", path);
    let Some(item) = item.as_object_mut() else {
        return fail(ptr, "a path item that is not an object");
    };
    if item.contains_key("$ref") {
        return fail(ptr, "a path item `$ref` (not supported by progenitor)");
    }
    for (key, value) in item.iter_mut() {
        let p = child(ptr, key);
        match key.as_str() {
            "parameters" => normalize_parameters(value, &p, report)?,
            "summary" | "description" | "servers" => {}
            k if k.starts_with("x-") => {}
            k if METHODS.contains(&k) => {
                let result = normalize_operation(value, &p, (k, path), report);
                report.keep(result);
            }
            other => return fail(&p, format!("unknown path item field `{other}`")),
        }
    }
    Ok(())
}

fn normalize_operation(
    op: &mut Value,
    ptr: &str,
    (method, path): (&str, &str),
    report: &mut Report,
) -> Result<()> {
    let Some(op) = op.as_object_mut() else {
        return fail(ptr, "an operation that is not an object");
    };
    if !op.contains_key("operationId") {
        let id = route_operation_id(method, path);
        report.push(
            ptr,
            RewriteKind::OperationIdDerived,
            format!("operationId {id}"),
        );
        op.insert("operationId".into(), Value::String(id));
    }
    if let Some(params) = op.get_mut("parameters") {
        let result = normalize_parameters(params, &child(ptr, "parameters"), report);
        report.keep(result);
    }
    if let Some(body) = op.get_mut("requestBody") {
        let result = normalize_request_body(body, &child(ptr, "requestBody"), report);
        report.keep(result);
    }
    if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
        for (code, response) in responses.iter_mut() {
            let result =
                normalize_response(response, &child(&child(ptr, "responses"), code), report);
            report.keep(result);
        }
    }
    if op.contains_key("callbacks") {
        return fail(&child(ptr, "callbacks"), "operation callbacks");
    }
    Ok(())
}

fn normalize_parameters(params: &mut Value, ptr: &str, report: &mut Report) -> Result<()> {
    let Some(list) = params.as_array_mut() else {
        return fail(ptr, "`parameters` that is not an array");
    };
    for (i, param) in list.iter_mut().enumerate() {
        let result = normalize_schema_holder(param, &child(ptr, &i.to_string()), report);
        report.keep(result);
    }
    Ok(())
}

/// Parameters and headers: a `schema`, or a `content` map of media types with schemas.
fn normalize_schema_holder(holder: &mut Value, ptr: &str, report: &mut Report) -> Result<()> {
    if let Some(schema) = holder.get_mut("schema") {
        let result = normalize_schema(schema, &child(ptr, "schema"), report);
        report.keep(result);
    }
    if let Some(content) = holder.get_mut("content") {
        let result = normalize_content(content, &child(ptr, "content"), report);
        report.keep(result);
    }
    Ok(())
}

fn normalize_content(content: &mut Value, ptr: &str, report: &mut Report) -> Result<()> {
    let Some(content) = content.as_object_mut() else {
        return fail(ptr, "`content` that is not an object");
    };
    for (media, mt) in content.iter_mut() {
        if let Some(schema) = mt.get_mut("schema") {
            let result = normalize_schema(schema, &child(&child(ptr, media), "schema"), report);
            report.keep(result);
        }
    }
    Ok(())
}

fn normalize_request_body(body: &mut Value, ptr: &str, report: &mut Report) -> Result<()> {
    if let Some(content) = body.get_mut("content").and_then(Value::as_object_mut)
        && content.len() > 1
    {
        if !content.contains_key("application/json") {
            return fail(
                &child(ptr, "content"),
                "a request body with several media types, none of them application/json",
            );
        }
        let dropped: Vec<String> = content
            .keys()
            .filter(|k| *k != "application/json")
            .cloned()
            .collect();
        content.retain(|k, _| k == "application/json");
        report.push(
            &child(ptr, "content"),
            RewriteKind::RequestMediaTypesReduced,
            format!("kept application/json, dropped {}", dropped.join(", ")),
        );
    }
    normalize_schema_holder(body, ptr, report)
}

fn normalize_response(response: &mut Value, ptr: &str, report: &mut Report) -> Result<()> {
    if let Some(headers) = response.get_mut("headers").and_then(Value::as_object_mut) {
        for (name, header) in headers.iter_mut() {
            let result =
                normalize_schema_holder(header, &child(&child(ptr, "headers"), name), report);
            report.keep(result);
        }
    }
    if let Some(content) = response.get_mut("content") {
        let result = normalize_content(content, &child(ptr, "content"), report);
        report.keep(result);
    }
    Ok(())
}

/// Rewrite one schema (and everything below it) from 3.1 to 3.0 form.
pub fn normalize_schema(schema: &mut Value, ptr: &str, report: &mut Report) -> Result<()> {
    let Some(obj) = schema.as_object_mut() else {
        // `true`/`false` schemas: 3.0 has no boolean schemas.
        return match schema {
            Value::Bool(true) => {
                *schema = json!({});
                Ok(())
            }
            _ => fail(ptr, format!("a schema that is not an object: {schema}")),
        };
    };

    // `$ref` with siblings: 3.0 ignores the siblings, 3.1 applies them. Keep their meaning.
    if obj.contains_key("$ref") && obj.len() > 1 {
        let reference = obj.shift_remove("$ref").expect("checked above");
        let siblings: Vec<&str> = obj.keys().map(String::as_str).collect();
        report.push(
            ptr,
            RewriteKind::RefSiblingsToAllOf,
            format!("siblings: {}", siblings.join(", ")),
        );
        obj.insert("allOf".into(), json!([{ "$ref": reference }]));
    }

    if obj.shift_remove("propertyNames").is_some() {
        report.push(
            &child(ptr, "propertyNames"),
            RewriteKind::PropertyNamesDropped,
            "propertyNames",
        );
    }

    for key in SCHEMA_ANNOTATIONS_31 {
        if obj.shift_remove(*key).is_some() {
            report.push(&child(ptr, key), RewriteKind::DroppedKeyword, *key);
        }
    }

    if let Some(examples) = obj.shift_remove("examples") {
        let Some(list) = examples.as_array() else {
            return fail(
                &child(ptr, "examples"),
                "schema `examples` that is not an array",
            );
        };
        if let Some(first) = list.first() {
            obj.entry("example").or_insert_with(|| first.clone());
        }
        report.push(
            ptr,
            RewriteKind::ExamplesToExample,
            format!("{} example(s), kept the first", list.len()),
        );
    }

    if let Some(value) = obj.shift_remove("const") {
        obj.insert("enum".into(), json!([value]));
        report.push(ptr, RewriteKind::ConstToEnum, format!("const {value}"));
    }

    for (exclusive, bound, lower) in [
        ("exclusiveMinimum", "minimum", true),
        ("exclusiveMaximum", "maximum", false),
    ] {
        if let Some(v) = obj.get(exclusive).filter(|v| v.is_number()).cloned() {
            // 3.1 applies both keywords when both are present: keep whichever is stricter.
            let inclusive_is_stricter = obj
                .get(bound)
                .and_then(Value::as_f64)
                .zip(v.as_f64())
                .is_some_and(|(b, e)| if lower { b > e } else { b < e });
            let detail = if inclusive_is_stricter {
                obj.shift_remove(exclusive);
                format!("{exclusive}: {v} dropped, {bound} is stricter")
            } else {
                obj.insert(bound.into(), v.clone());
                obj.insert(exclusive.into(), json!(true));
                format!("{exclusive}: {v}")
            };
            report.push(ptr, RewriteKind::ExclusiveBound, detail);
        }
    }

    if let Some(types) = obj.get("type").and_then(Value::as_array).cloned() {
        rewrite_type_array(obj, &types, ptr, report)?;
    } else if obj.get("type").and_then(Value::as_str) == Some("null") {
        return fail(
            &child(ptr, "type"),
            "a schema of type `null` outside anyOf/oneOf",
        );
    }

    for combinator in ["anyOf", "oneOf"] {
        rewrite_null_branch(obj, combinator, ptr, report)?;
    }

    if obj.get("additionalProperties") == Some(&Value::Bool(false)) {
        obj.shift_remove("additionalProperties");
        report.push(
            ptr,
            RewriteKind::ClosedObjectOpened,
            "additionalProperties: false removed",
        );
    }

    if let Some(unknown) = obj
        .keys()
        .find(|k| !SCHEMA_KEYWORDS_30.contains(&k.as_str()) && !k.starts_with("x-"))
    {
        return fail(&child(ptr, unknown), format!("schema keyword `{unknown}`"));
    }

    // Optional properties with a default: keep them optional (see RewriteKind::DefaultKeptOptional).
    let required: Vec<String> = obj
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    if let Some(props) = obj.get_mut("properties").and_then(Value::as_object_mut) {
        for (name, prop) in props.iter_mut() {
            let p = child(&child(ptr, "properties"), name);
            let result = normalize_schema(prop, &p, report);
            report.keep(result);
            mark_secret(name, prop, &p, report);
            if !required.contains(name)
                && let Some(prop) = prop.as_object_mut()
                && let Some(default) = prop.shift_remove("default")
            {
                report.push(
                    &p,
                    RewriteKind::DefaultKeptOptional,
                    format!("default {default}"),
                );
                prop.insert("x-server-default".into(), default);
            }
        }
    }

    for key in ["items", "not"] {
        if let Some(sub) = obj.get_mut(key) {
            let result = normalize_schema(sub, &child(ptr, key), report);
            report.keep(result);
        }
    }
    if let Some(sub) = obj.get_mut("additionalProperties")
        && !sub.is_boolean()
    {
        let result = normalize_schema(sub, &child(ptr, "additionalProperties"), report);
        report.keep(result);
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(list) = obj.get_mut(key).and_then(Value::as_array_mut) {
            let p = child(ptr, key);
            for (i, sub) in list.iter_mut().enumerate() {
                let result = normalize_schema(sub, &child(&p, &i.to_string()), report);
                report.keep(result);
            }
        }
    }
    Ok(())
}

fn mark_secret(name: &str, prop: &mut Value, ptr: &str, report: &mut Report) {
    let Some(obj) = prop.as_object_mut() else {
        return;
    };
    if SECRET_PROPERTIES.contains(&name)
        && obj.get("type").and_then(Value::as_str) == Some("string")
        && !obj.contains_key("format")
    {
        obj.insert("format".into(), json!("password"));
        report.push(ptr, RewriteKind::SecretField, "format: password");
    }
}

fn rewrite_type_array(
    obj: &mut Map<String, Value>,
    types: &[Value],
    ptr: &str,
    report: &mut Report,
) -> Result<()> {
    let names: Vec<&str> = types.iter().filter_map(Value::as_str).collect();
    if names.len() != types.len() || names.is_empty() {
        return fail(
            &child(ptr, "type"),
            "a `type` array with non-string entries",
        );
    }
    let nullable = names.contains(&"null");
    let concrete: Vec<&str> = names.iter().copied().filter(|t| *t != "null").collect();
    match concrete.as_slice() {
        [] => return fail(&child(ptr, "type"), "a `type` array of only `null`"),
        [one] => {
            obj.insert("type".into(), json!(one));
            if nullable {
                obj.insert("nullable".into(), json!(true));
            }
            report.push(
                ptr,
                RewriteKind::TypeArrayNullable,
                format!(
                    "{names:?} -> {one}{}",
                    if nullable { ", nullable" } else { "" }
                ),
            );
        }
        many => {
            obj.shift_remove("type");
            let branches: Vec<Value> = many.iter().map(|t| json!({ "type": t })).collect();
            if obj.contains_key("anyOf") {
                return fail(&child(ptr, "type"), "a `type` array beside `anyOf`");
            }
            obj.insert("anyOf".into(), Value::Array(branches));
            if nullable {
                obj.insert("nullable".into(), json!(true));
            }
            report.push(ptr, RewriteKind::TypeArrayAnyOf, format!("{names:?}"));
        }
    }
    Ok(())
}

fn is_null_schema(v: &Value) -> bool {
    v.get("type").and_then(Value::as_str) == Some("null")
        && v.as_object().is_some_and(|o| {
            o.keys()
                .all(|k| k == "type" || k == "description" || k == "title")
        })
}

fn rewrite_null_branch(
    obj: &mut Map<String, Value>,
    combinator: &str,
    ptr: &str,
    report: &mut Report,
) -> Result<()> {
    let Some(branches) = obj.get(combinator).and_then(Value::as_array) else {
        return Ok(());
    };
    if !branches.iter().any(is_null_schema) {
        return Ok(());
    }
    let rest: Vec<Value> = branches
        .iter()
        .filter(|b| !is_null_schema(b))
        .cloned()
        .collect();
    match rest.as_slice() {
        [] => return fail(&child(ptr, combinator), "only `null` branches"),
        // One branch left: the schema becomes that branch, nullable. A `$ref` goes under allOf
        // because 3.0 ignores siblings of `$ref`.
        [one] => {
            obj.shift_remove(combinator);
            if one.get("$ref").is_some() {
                obj.insert("allOf".into(), json!([one]));
            } else if let Some(branch) = one.as_object() {
                for (k, v) in branch {
                    if obj.contains_key(k) {
                        return fail(ptr, format!("`{k}` both beside and inside `{combinator}`"));
                    }
                    obj.insert(k.clone(), v.clone());
                }
            }
        }
        _ => {
            obj.insert(combinator.into(), Value::Array(rest.clone()));
        }
    }
    obj.insert("nullable".into(), json!(true));
    report.push(
        ptr,
        RewriteKind::NullBranchNullable,
        format!(
            "{combinator} with a null branch, {} other branch(es)",
            rest.len()
        ),
    );
    Ok(())
}

/// Move inline multi-value string enums below a component schema into their own named
/// component, so they get an open Rust type. The name is the path of property names from the
/// component in PascalCase: `<Schema><Property>`, then `<Sub>` for a property of an inline
/// object, `Item` for array items and `Value` for map values (`LobbyConfigMatchmakingMode`,
/// `ServerTagsItem`).
fn hoist_inline_enums(
    schema: &mut Value,
    schema_name: &str,
    ptr: &str,
    existing: &[String],
    hoisted: &mut Vec<(String, Value)>,
    report: &mut Report,
) -> Result<()> {
    let mut hoist = Hoist {
        existing,
        hoisted,
        report,
    };
    hoist.below(schema, schema_name, ptr)
}

struct Hoist<'a> {
    existing: &'a [String],
    hoisted: &'a mut Vec<(String, Value)>,
    report: &'a mut Report,
}

impl Hoist<'_> {
    /// Hoist the enums inside the inline schema `schema`, whose name would be `prefix`.
    fn below(&mut self, schema: &mut Value, prefix: &str, ptr: &str) -> Result<()> {
        if let Some(props) = schema.get_mut("properties").and_then(Value::as_object_mut) {
            for (prop_name, prop) in props.iter_mut() {
                let name = format!("{prefix}{}", pascal_case(prop_name));
                let result = self.at(prop, &name, &child(&child(ptr, "properties"), prop_name));
                self.report.keep(result);
            }
        }
        if let Some(items) = schema.get_mut("items").filter(|i| i.is_object()) {
            self.at(items, &format!("{prefix}Item"), &child(ptr, "items"))?;
        }
        if let Some(values) = schema
            .get_mut("additionalProperties")
            .filter(|v| v.is_object())
        {
            let name = format!("{prefix}Value");
            self.at(values, &name, &child(ptr, "additionalProperties"))?;
        }
        // Branches of a combinator are the same value seen differently: an inline object there
        // still names its enums after the schema.
        for key in ["allOf", "anyOf", "oneOf"] {
            if let Some(list) = schema.get_mut(key).and_then(Value::as_array_mut) {
                for (i, branch) in list.iter_mut().enumerate() {
                    if branch.get("$ref").is_none() && !is_open_enum_candidate(branch) {
                        let p = child(&child(ptr, key), &i.to_string());
                        self.below(branch, prefix, &p)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Hoist `node` if it is an enum, else the enums inside it.
    fn at(&mut self, node: &mut Value, name: &str, ptr: &str) -> Result<()> {
        if node.get("$ref").is_some() {
            return Ok(());
        }
        if !is_open_enum_candidate(node) {
            return self.below(node, name, ptr);
        }
        if self.existing.iter().any(|n| n == name) || self.hoisted.iter().any(|(n, _)| n == name) {
            return fail(
                ptr,
                format!("an inline enum whose hoisted name `{name}` is already taken"),
            );
        }
        let obj = node.as_object_mut().expect("candidate is an object");
        // Annotations stay on the property; the enum itself moves.
        let mut moved = Map::new();
        for key in ["type", "enum", "example", "nullable"] {
            if let Some(v) = obj.shift_remove(key) {
                moved.insert(key.into(), v);
            }
        }
        let nullable = moved.shift_remove("nullable");
        let reference = json!({ "$ref": format!("#/components/schemas/{name}") });
        if nullable == Some(json!(true)) {
            obj.insert("allOf".into(), json!([reference]));
            obj.insert("nullable".into(), json!(true));
        } else if obj.is_empty() {
            *node = reference;
        } else {
            obj.insert("allOf".into(), json!([reference]));
        }
        self.report.push(
            ptr,
            RewriteKind::InlineEnumHoisted,
            format!("as #/components/schemas/{name}"),
        );
        self.hoisted.push((name.to_owned(), Value::Object(moved)));
        Ok(())
    }
}

/// A string enum of two or more values: the shape given an open Rust type. A one-value enum is a
/// constant that tells variants apart (`{"status": "lobby_deleted"}`) and must stay closed.
pub fn is_open_enum_candidate(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("string")
        && schema
            .get("enum")
            .and_then(Value::as_array)
            .is_some_and(|values| values.len() >= 2 && values.iter().all(Value::is_string))
}

fn pascal_case(s: &str) -> String {
    s.split(['_', '-', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(chars).collect::<String>()
        })
        .collect()
}

/// Response shapes progenitor cannot take: different error bodies, different success bodies,
/// and `default` beside typed success codes.
fn normalize_responses_shape(
    item: &mut Value,
    ptr: &str,
    components: &Value,
    report: &mut Report,
) -> Result<()> {
    let Some(item) = item.as_object_mut() else {
        return Ok(());
    };
    for (method, op) in item.iter_mut() {
        if !METHODS.contains(&method.as_str()) {
            continue;
        }
        let p = child(&child(ptr, method), "responses");
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            continue;
        };
        default_to_error_ranges(responses, &p, report);
        merge_success_bodies(responses, &p, report);
        let result = merge_error_bodies(responses, &p, components, report);
        report.keep(result);
    }
    Ok(())
}

fn is_success(code: &str) -> bool {
    code.starts_with('2')
}

fn is_error(code: &str) -> bool {
    code.starts_with('4') || code.starts_with('5')
}

fn json_schema_of(response: &Value) -> Option<&Value> {
    response
        .get("content")?
        .as_object()?
        .iter()
        .find(|(media, _)| *media == "application/json" || media.starts_with("application/json;"))
        .and_then(|(_, mt)| mt.get("schema"))
}

fn json_schema_of_mut(response: &mut Value) -> Option<&mut Value> {
    response
        .get_mut("content")?
        .as_object_mut()?
        .iter_mut()
        .find(|(media, _)| *media == "application/json" || media.starts_with("application/json;"))
        .and_then(|(_, mt)| mt.get_mut("schema"))
}

fn default_to_error_ranges(responses: &mut Map<String, Value>, ptr: &str, report: &mut Report) {
    let typed_success = responses
        .iter()
        .any(|(code, r)| is_success(code) && json_schema_of(r).is_some());
    if !typed_success || !responses.contains_key("default") {
        return;
    }
    let default = responses.shift_remove("default").expect("checked above");
    let mut added = Vec::new();
    for range in ["4XX", "5XX"] {
        if !responses.contains_key(range) {
            responses.insert(range.into(), default.clone());
            added.push(range);
        }
    }
    report.push(
        &child(ptr, "default"),
        RewriteKind::DefaultResponseToErrorRanges,
        if added.is_empty() {
            "dropped: 4XX and 5XX already declared".to_string()
        } else {
            format!("became {}", added.join(", "))
        },
    );
}

fn merge_success_bodies(responses: &mut Map<String, Value>, ptr: &str, report: &mut Report) {
    let mut distinct: Vec<Value> = Vec::new();
    for (code, r) in responses.iter() {
        if let Some(schema) = json_schema_of(r).filter(|_| is_success(code))
            && !distinct.contains(schema)
        {
            distinct.push(schema.clone());
        }
    }
    if distinct.len() < 2 {
        return;
    }
    let merged = json!({ "oneOf": distinct });
    let mut codes = Vec::new();
    for (code, r) in responses.iter_mut() {
        if is_success(code)
            && let Some(schema) = json_schema_of_mut(r)
        {
            *schema = merged.clone();
            codes.push(code.clone());
        }
    }
    report.push(
        ptr,
        RewriteKind::SuccessBodiesMerged,
        format!(
            "{} bodies of {} became one oneOf",
            distinct.len(),
            codes.join(", ")
        ),
    );
}

/// Collapse different error bodies into the body of the `4XX` response (else the body most
/// error responses share). Each body folded in must be an object whose properties the kept body also has, so
/// nothing a server sends is lost: `ValidationError` folds into `Error`, whose `detail` also
/// takes the list of validation issues.
fn merge_error_bodies(
    responses: &mut Map<String, Value>,
    ptr: &str,
    components: &Value,
    report: &mut Report,
) -> Result<()> {
    let errors: Vec<(String, Value)> = responses
        .iter()
        .filter(|(code, _)| is_error(code))
        .filter_map(|(code, r)| json_schema_of(r).map(|s| (code.clone(), s.clone())))
        .collect();
    // The 4XX body, else the body most error statuses share (upstream spreads one error
    // schema over 400, 401, ... beside a 422 of its own), ties going to the first.
    let shared = |schema: &Value| errors.iter().filter(|(_, s)| s == schema).count();
    let Some((keep_code, keep)) = errors
        .iter()
        .find(|(code, _)| code == "4XX")
        .or_else(|| {
            errors
                .iter()
                .enumerate()
                .max_by_key(|(i, (_, s))| (shared(s), std::cmp::Reverse(*i)))
                .map(|(_, e)| e)
        })
        .cloned()
    else {
        return Ok(());
    };
    let keep_props = property_names(&keep, components);
    for (code, schema) in &errors {
        if *schema == keep {
            continue;
        }
        let p = child(ptr, code);
        let props = property_names(schema, components);
        let (Some(props), Some(keep_props)) = (&props, &keep_props) else {
            return fail(
                &p,
                "different error bodies that are not both object schemas with properties",
            );
        };
        if let Some(missing) = props.iter().find(|p| !keep_props.contains(p)) {
            return fail(
                &p,
                format!("an error body with property `{missing}` that the {keep_code} body lacks"),
            );
        }
        let response = responses.get_mut(code).expect("collected above");
        *json_schema_of_mut(response).expect("collected above") = keep.clone();
        report.push(
            &p,
            RewriteKind::ErrorBodiesMerged,
            format!("{} -> {}", schema_label(schema), schema_label(&keep)),
        );
    }
    Ok(())
}

fn resolve<'a>(schema: &'a Value, components: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => r
            .strip_prefix("#/components/")
            .and_then(|rest| {
                rest.split('/')
                    .try_fold(components, |node, key| node.get(key))
            })
            .unwrap_or(schema),
        None => schema,
    }
}

fn property_names(schema: &Value, components: &Value) -> Option<Vec<String>> {
    let resolved = resolve(schema, components);
    let props = resolved.get("properties")?.as_object()?;
    Some(props.keys().cloned().collect())
}

fn schema_label(schema: &Value) -> String {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => r.rsplit('/').next().unwrap_or(r).to_string(),
        None => "inline schema".to_string(),
    }
}
