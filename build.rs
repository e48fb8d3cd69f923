//! Generates the low-level client (`playflow::raw`) from `openapi/playflow.json`:
//! our normalizer (OpenAPI 3.1 → 3.0.3) then progenitor. See `src/codegen/`.

#[path = "src/codegen/mod.rs"]
mod codegen;

use std::path::PathBuf;

const SPEC: &str = "openapi/playflow.json";

fn main() {
    println!("cargo::rerun-if-changed={SPEC}");
    println!("cargo::rerun-if-changed=src/codegen");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=PLAYFLOW_CODEGEN_REPORT");

    let spec = std::fs::read_to_string(SPEC).unwrap_or_else(|e| panic!("cannot read {SPEC}: {e}"));
    let generated = match codegen::generate::generate(&spec) {
        Ok(g) => g,
        Err(e) => {
            // A build-script panic shows the message verbatim; nothing is generated.
            panic!("{SPEC}: {e}");
        }
    };
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let write = |name: &str, text: &str| {
        std::fs::write(out.join(name), text)
            .unwrap_or_else(|e| panic!("cannot write {name} to OUT_DIR: {e}"));
    };
    write("raw_client.rs", &generated.client);
    write("raw_mock.rs", &generated.mock);
    write("raw_enums.rs", &generated.open_enums);
    write("raw_operations.rs", &generated.operations);
    let report = generated.normalized.report.to_string();
    write("normalize-report.txt", &report);
    if std::env::var_os("PLAYFLOW_CODEGEN_REPORT").is_some() {
        for line in report.lines() {
            println!("cargo::warning={line}");
        }
    }
}
