//! Rust generation from the normalized spec: progenitor's client, its httpmock mocks, and the
//! open enums that replace every string enum schema.
//!
//! Run by `playflow`'s `build.rs` and by `xtask`, so both produce the same code.

use std::fmt::Write as _;

use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};
use serde_json::Value;

use crate::binding::{BindReport, Binding, bind};
use crate::names::raw_method_name;
use crate::normalize::{Normalized, is_open_enum_candidate, normalize};

/// Where the generated code is mounted in the `playflow` crate. Open enums are referred to by
/// absolute path because progenitor emits type paths both inside `types` and at the top level.
pub const RAW_MODULE: &str = "crate::raw";

/// The generated sources, each a complete, formatted Rust file.
pub struct Generated {
    /// progenitor's `Client`, builders and `types` module.
    pub client: String,
    /// `MockServerExt` and the typed `When`/`Then` of every operation.
    pub mock: String,
    /// `OPERATIONS`: every operation's run-time name, operationId, method and path template.
    pub operations: String,
    /// One `open_enum!` invocation per string enum schema (the macro is in `src/raw/enums.rs`).
    pub open_enums: String,
    /// The normalized 3.0.3 document and the rewrite report.
    pub normalized: Normalized,
    /// The upstream document with our names bound (still OpenAPI 3.1): what the emulator serves.
    pub bound: Value,
    /// What the binding did; `None` when generated without a binding file.
    pub binding: Option<BindReport>,
}

/// Any failure of the pipeline, as a message that names where it happened.
pub type GenError = String;

/// Run the whole pipeline on the text of the vendored 3.1 spec, with the names it has.
pub fn generate(spec_json: &str) -> Result<Generated, GenError> {
    generate_bound(spec_json, None)
}

/// Choices of the generated code beyond what the spec says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Mark response-only structs `#[non_exhaustive]` (see [`crate::growable`]), so a new
    /// optional response field is not a semver break. On by default; code outside `playflow`
    /// builds such a struct through its generated builder (`types::builder::…`), which is
    /// behind `playflow`'s `response-builders` feature (see [`crate::response_builders`]).
    pub non_exhaustive_responses: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            non_exhaustive_responses: true,
        }
    }
}

/// Run the whole pipeline on the text of an upstream 3.1 spec: bind our names (see
/// [`crate::binding`]), normalize, generate.
pub fn generate_bound(spec_json: &str, binding: Option<&Binding>) -> Result<Generated, GenError> {
    generate_with(spec_json, binding, Settings::default())
}

/// [`generate_bound`] with [`Settings`].
pub fn generate_with(
    spec_json: &str,
    binding: Option<&Binding>,
    settings: Settings,
) -> Result<Generated, GenError> {
    let mut input: Value =
        serde_json::from_str(spec_json).map_err(|e| format!("the spec is not valid JSON: {e}"))?;
    let bind_report = match binding {
        Some(b) => Some(bind(&mut input, b).map_err(|e| e.to_string())?),
        None => None,
    };
    let normalized = normalize(&input).map_err(|e| e.to_string())?;
    let spec: openapiv3::OpenAPI = serde_json::from_value(normalized.document.clone())
        .map_err(|e| format!("the normalized spec is not valid OpenAPI 3.0: {e}"))?;
    let enums = open_enum_schemas(&normalized.document);

    let client_tokens = generator(&enums)
        .generate_tokens(&spec)
        .map_err(|e| format!("progenitor failed on the normalized spec: {e}"))?;
    let mut client_file: syn::File =
        syn::parse2(client_tokens).map_err(|e| format!("generated code does not parse: {e}"))?;
    if settings.non_exhaustive_responses {
        let responses =
            crate::growable::mark_response_types(&mut client_file, &normalized.document);
        crate::response_builders::gate(&mut client_file, &responses);
    }
    let client = prettyplease::unparse(&client_file);
    let mock = format_tokens(
        generator(&enums)
            .httpmock(&spec, RAW_MODULE)
            .map_err(|e| format!("progenitor's httpmock generator failed: {e}"))?,
    )?;
    let open_enums = render_open_enums(&enums)?;
    let operations = render_operations(&normalized.document);
    Ok(Generated {
        operations,
        client,
        mock,
        open_enums,
        normalized,
        bound: input,
        binding: bind_report,
    })
}

/// progenitor settings: builder-style calls, and the transport of `crate::transport` as the
/// client's inner value, whose `ClientHooks` impl (required) runs every request.
fn generator(enums: &[OpenEnum]) -> Generator {
    let mut settings = GenerationSettings::default();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_inner_type("crate::transport::Transport".parse().expect("valid path"))
        .with_hooks(HooksMode::Expected)
        .with_derive("PartialEq");
    // Credentials (marked `format: password` by the normalizer) become a redacting string type.
    settings.with_conversion(
        schemars::schema::SchemaObject {
            instance_type: Some(schemars::schema::InstanceType::String.into()),
            format: Some("password".to_string()),
            ..Default::default()
        },
        format!("{RAW_MODULE}::Secret"),
        std::iter::empty(),
    );
    for e in enums {
        settings.with_replacement(
            &e.name,
            format!("{RAW_MODULE}::enums::{}", e.name),
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
    }
    Generator::new(&settings)
}

fn format_tokens(tokens: proc_macro2::TokenStream) -> Result<String, GenError> {
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("generated code does not parse: {e}"))?;
    Ok(prettyplease::unparse(&file))
}

/// A string enum schema of `components/schemas` that gets an open Rust enum.
pub struct OpenEnum {
    pub name: String,
    pub description: Option<String>,
    pub values: Vec<String>,
}

/// Every open-enum candidate among the component schemas, by name (so the generated file does
/// not depend on the order the spec lists its components in).
pub fn open_enum_schemas(doc: &Value) -> Vec<OpenEnum> {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    let mut enums = schemas
        .iter()
        .filter(|(_, s)| is_open_enum_candidate(s))
        .map(|(name, s)| OpenEnum {
            name: name.clone(),
            description: s
                .get("description")
                .and_then(Value::as_str)
                .map(String::from),
            values: s["enum"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(String::from)
                .collect(),
        })
        .collect::<Vec<_>>();
    enums.sort_by(|a, b| a.name.cmp(&b.name));
    enums
}

fn variant_name(value: &str) -> String {
    let name: String = value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(chars).collect::<String>()
        })
        .collect();
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{name}")
    } else {
        name
    }
}

fn render_open_enums(enums: &[OpenEnum]) -> Result<String, GenError> {
    let mut out = String::new();
    for e in enums {
        let mut seen = Vec::new();
        let doc = e
            .description
            .clone()
            .unwrap_or_else(|| format!("Values of `{}`.", e.name));
        let _ = writeln!(out, "open_enum! {{");
        for line in doc.lines() {
            let _ = writeln!(out, "    #[doc = {line:?}]");
        }
        let _ = writeln!(out, "    {} {{", e.name);
        for value in &e.values {
            let variant = variant_name(value);
            if variant.is_empty() || variant == "Unknown" || seen.contains(&variant) {
                return Err(format!(
                    "#/components/schemas/{}: enum value {value:?} has no distinct Rust variant name",
                    e.name
                ));
            }
            let _ = writeln!(out, "        {variant} = {value:?},");
            seen.push(variant);
        }
        let _ = writeln!(out, "    }}\n}}\n");
    }
    let file: syn::File =
        syn::parse_str(&out).map_err(|e| format!("open enums do not parse: {e}"))?;
    Ok(prettyplease::unparse(&file))
}

/// The operations table: progenitor tells the transport only an operation's run-time name
/// (`OperationInfo::operation_id`, the snake-cased operationId), so traces look the path
/// template up here. Every operation is also a constant named after its operationId in
/// screaming snake case (`getServer` → `GET_SERVER`), so code that means one operation says so
/// in a way the compiler checks.
fn render_operations(doc: &Value) -> String {
    let mut constants = String::new();
    let mut table = String::from(
        "/// Every operation of the spec, in document order.\npub const OPERATIONS: &[Operation] = &[\n",
    );
    let paths = doc.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            let constant = raw_method_name(id).trim_start_matches('_').to_uppercase();
            let method = method.to_uppercase();
            let _ = writeln!(
                constants,
                "/// `{method} {path}` (operationId `{id}`).\npub const {constant}: Operation = Operation {{ name: {:?}, operation_id: {id:?}, method: {method:?}, path: {path:?} }};",
                raw_method_name(id),
            );
            let _ = writeln!(table, "    {constant},");
        }
    }
    table.push_str("];\n");
    constants + &table
}
