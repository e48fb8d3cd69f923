//! `cargo xtask codegen`: write what `build.rs` generates into a folder for review: the
//! normalized 3.0 spec, the normalizer's rewrite report and the generated Rust.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use crate::Repo;
use crate::spec_check::{canonical_text, check_spec};

/// Generate from the vendored spec of `repo` into `out`; returns the files written.
pub fn write_codegen(repo: &Repo, out: &Path) -> Result<Vec<PathBuf>> {
    let spec_path = repo.spec();
    let text = std::fs::read_to_string(&spec_path)
        .with_context(|| format!("cannot read {}", spec_path.display()))?;
    let checked = check_spec(&text, repo.load_binding()?.as_ref())
        .with_context(|| format!("{}", spec_path.display()))?;
    let generated = &checked.generated;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let files = [
        (
            "playflow.3.0.json",
            canonical_text(&generated.normalized.document),
        ),
        (
            "normalize-report.txt",
            generated.normalized.report.to_string(),
        ),
        ("raw_client.rs", generated.client.clone()),
        ("raw_mock.rs", generated.mock.clone()),
        ("raw_enums.rs", generated.open_enums.clone()),
        ("raw_operations.rs", generated.operations.clone()),
    ];
    let mut written = Vec::new();
    for (name, text) in files {
        let path = out.join(name);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
