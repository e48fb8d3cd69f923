//! What `playflow`'s `build.rs` writes into its `OUT_DIR`, and under which names `src/raw/`
//! includes it.

use std::path::Path;

use crate::generate::{GenError, Generated, generate};

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

/// Generate from the spec at `spec` and write every generated file into `out`.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("playflow-codegen-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let spec = dir.join("spec.json");
/// std::fs::write(&spec, r#"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}}"#).unwrap();
/// let generated = playflow_codegen::out_dir::write(&spec, &dir).unwrap();
/// let report = std::fs::read_to_string(dir.join(playflow_codegen::out_dir::REPORT)).unwrap();
/// assert_eq!(report, generated.normalized.report.to_string());
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn write(spec: &Path, out: &Path) -> Result<Generated, GenError> {
    let text = std::fs::read_to_string(spec)
        .map_err(|e| format!("cannot read {}: {e}", spec.display()))?;
    let generated = generate(&text).map_err(|e| format!("{}: {e}", spec.display()))?;
    let files = [
        (CLIENT, &generated.client),
        (MOCK, &generated.mock),
        (ENUMS, &generated.open_enums),
        (OPERATIONS, &generated.operations),
        (REPORT, &generated.normalized.report.to_string()),
    ];
    for (name, text) in files {
        let path = out.join(name);
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(generated)
}
