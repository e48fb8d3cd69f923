//! What `playflow`'s `build.rs` writes into its `OUT_DIR`, and under which names `src/raw/`
//! includes it.

use std::path::Path;

use crate::binding::Binding;
use crate::generate::{GenError, Generated, generate_bound};

/// progenitor's client, builders and `types` module (`src/raw/mod.rs` includes it).
pub const CLIENT: &str = "raw_client.rs";
/// The typed httpmock mocks (`playflow::mock`).
pub const MOCK: &str = "raw_mock.rs";
/// The open enums.
pub const ENUMS: &str = "raw_enums.rs";
/// The operations table.
pub const OPERATIONS: &str = "raw_operations.rs";
/// The normalizer's report on the spec the code was generated from.
pub const REPORT: &str = "normalize-report.txt";
/// What the binding did: counts by kind, then the unbound operations and schemas.
pub const BINDING_REPORT: &str = "binding-report.txt";
/// The spec with our names bound (OpenAPI 3.1), for the emulator: the document the generated
/// layer was made from, under the names the generated layer uses.
pub const BOUND_SPEC: &str = "playflow.bound.json";

/// Generate from the spec at `spec`, with the binding file at `binding` when given, and write
/// every generated file into `out`.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("playflow-codegen-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let spec = dir.join("spec.json");
/// std::fs::write(&spec, r#"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}}"#).unwrap();
/// let generated = playflow_codegen::out_dir::write(&spec, None, &dir).unwrap();
/// let report = std::fs::read_to_string(dir.join(playflow_codegen::out_dir::REPORT)).unwrap();
/// assert_eq!(report, generated.normalized.report.to_string());
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn write(spec: &Path, binding: Option<&Path>, out: &Path) -> Result<Generated, GenError> {
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let text = read(spec)?;
    let binding = match binding {
        Some(path) => {
            Some(Binding::from_json(&read(path)?).map_err(|e| format!("{}: {e}", path.display()))?)
        }
        None => None,
    };
    let generated =
        generate_bound(&text, binding.as_ref()).map_err(|e| format!("{}: {e}", spec.display()))?;
    let binding_report = generated
        .binding
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let mut bound = serde_json::to_string_pretty(&generated.bound).expect("a JSON value prints");
    bound.push('\n');
    let files = [
        (CLIENT, &generated.client),
        (MOCK, &generated.mock),
        (ENUMS, &generated.open_enums),
        (OPERATIONS, &generated.operations),
        (REPORT, &generated.normalized.report.to_string()),
        (BINDING_REPORT, &binding_report),
        (BOUND_SPEC, &bound),
    ];
    for (name, text) in files {
        let path = out.join(name);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(generated)
}
