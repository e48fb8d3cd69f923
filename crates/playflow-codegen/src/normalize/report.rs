//! What the normalizer did (the [`Report`] of its rewrites) and what it could not do
//! ([`NormalizeError`]).

use super::*;

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
    /// An `anyOf` of several branches became `oneOf`, so that both spellings of a union
    /// generate the same enum.
    AnyOfAsOneOf,
    /// Errors declared status by status (`400`, `401`, …, `500`) without a `4XX`/`5XX` range
    /// got the range too, with the body they share, so the typed mocks keep their
    /// `client_error`/`server_error` replies.
    ErrorRangeAdded,
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
            Self::AnyOfAsOneOf => "anyof-as-oneof",
            Self::ErrorRangeAdded => "error-range-added",
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
    pub(super) problems: Vec<NormalizeError>,
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
    pub(super) fn keep(&mut self, result: Result<()>) {
        if let Err(e) = result {
            self.problems.push(e);
        }
    }

    pub(super) fn push(&mut self, pointer: &str, kind: RewriteKind, detail: impl Into<String>) {
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
