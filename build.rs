//! Generates the low-level client (`playflow::raw`) from `openapi/playflow.json`: our normalizer
//! (OpenAPI 3.1 → 3.0.3) then progenitor, both in `crates/playflow-codegen`, under the stable
//! names of `openapi/binding.json`.

use std::path::{Path, PathBuf};

const SPEC: &str = "openapi/playflow.json";
/// Our stable names for the spec's operations and schemas (see `playflow_codegen::binding`).
const BINDING: &str = "openapi/binding.json";

fn main() {
    // The generator itself is a build-dependency: cargo reruns this script when it changes.
    println!("cargo::rerun-if-changed={SPEC}");
    println!("cargo::rerun-if-changed={BINDING}");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=PLAYFLOW_CODEGEN_REPORT");

    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    // A build-script panic shows the message verbatim; nothing is generated.
    let generated =
        playflow_codegen::out_dir::write(Path::new(SPEC), Some(Path::new(BINDING)), &out)
            .unwrap_or_else(|e| panic!("{e}"));
    if std::env::var_os("PLAYFLOW_CODEGEN_REPORT").is_some() {
        for line in generated.normalized.report.to_string().lines() {
            println!("cargo::warning={line}");
        }
    }
}
