//! `cargo xtask update-spec`: replace the vendored spec with a new version, only once every
//! check has passed, and say what changed.

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context as _, Result};
use serde_json::Value;

use crate::Repo;
use crate::change_report::ChangeReport;
use crate::provenance::{Refresh, with_last_refreshed};
use crate::spec_check::check_spec;
use crate::spec_diff::diff_by_location;
use crate::spec_source::SpecSource;

/// What an update did.
pub struct Updated {
    /// Whether `playflow.json` changed (the provenance date is refreshed either way).
    pub spec_changed: bool,
    /// Changes against the previous vendored spec; `None` when there was none to compare with.
    pub report: Option<ChangeReport>,
    /// Whether the normalizer's rewrite report differed from its snapshot
    /// (`openapi/normalize-report.txt`), which was then rewritten with the spec, for review in
    /// the same diff (`cargo xtask check` compares the two).
    pub rewrite_report_changed: bool,
    /// What the binding file did to the new spec, with its unbound operations and schemas.
    pub binding: Option<playflow_codegen::binding::BindReport>,
    /// Whether the workspace was built and checked with the new spec first.
    pub build_checked: bool,
}

/// The one failure after which something was written: the spec was replaced, then replacing
/// normalize-report.txt or PROVENANCE.md failed. Every other error of [`update_spec`] leaves
/// every file untouched.
#[derive(Debug, Clone, Copy)]
pub struct ProvenanceNotWritten;

impl std::fmt::Display for ProvenanceNotWritten {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(
            "openapi/playflow.json was replaced, but openapi/normalize-report.txt or \
             openapi/PROVENANCE.md was not updated",
        )
    }
}

/// Read the spec from `source`, check it (normalize, bind, generate), then, when
/// `build_target` is given, build and check the whole workspace with it on a scratch copy
/// (with that target folder), and only then write `openapi/playflow.json` and the "Last
/// refreshed" section of `openapi/PROVENANCE.md`. On any error nothing is written (but see
/// [`ProvenanceNotWritten`]); a failed build is a [`crate::scratch_build::BuildFailed`] naming
/// the errors and the spec changes that caused them.
pub fn update_spec(
    repo: &Repo,
    source: &SpecSource,
    today: &str,
    build_target: Option<&Path>,
) -> Result<Updated> {
    let shown = source.describe();
    let text = source.read()?;
    let checked = check_spec(&text, repo.load_binding()?.as_ref())
        .with_context(|| format!("{shown} was not vendored"))?;

    let spec_path = repo.spec();
    let previous = match std::fs::read_to_string(&spec_path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).context(format!("cannot read {}", spec_path.display())),
    };
    let report = previous
        .as_deref()
        .and_then(|p| serde_json::from_str::<Value>(p).ok())
        .map(|old| diff_by_location(&old, &checked.document));

    let provenance_path = repo.provenance();
    let provenance = match std::fs::read_to_string(&provenance_path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            "# Provenance of `playflow.json`\n".to_string()
        }
        Err(e) => return Err(e).context(format!("cannot read {}", provenance_path.display())),
    };
    let summary = summary(&checked.document);
    let provenance = with_last_refreshed(
        &provenance,
        &Refresh {
            source: &shown,
            date: today,
            summary: &summary,
        },
    )?;

    let rewrite_report = checked.generated.normalized.report.to_string();
    let report_path = repo.report_snapshot();
    let rewrite_report_changed =
        std::fs::read_to_string(&report_path).map_or(true, |snapshot| snapshot != rewrite_report);

    if let Some(target) = build_target {
        crate::scratch_build::check_with(
            repo,
            &[("openapi/playflow.json", &checked.canonical)],
            target,
            report.as_ref(),
        )
        .context("the new spec was not vendored")?;
    }

    // Both files are complete on disk before either replaces its original.
    let spec_file = staged(&spec_path, &checked.canonical)?;
    let report_file = staged(&report_path, &rewrite_report)?;
    let provenance_file = staged(&provenance_path, &provenance)?;
    spec_file
        .persist(&spec_path)
        .with_context(|| format!("cannot replace {}", spec_path.display()))?;
    // The snapshot goes with the spec it describes, or `cargo xtask check` fails after a
    // refresh that built and checked clean.
    report_file
        .persist(&report_path)
        .with_context(|| format!("cannot replace {}", report_path.display()))
        .context(ProvenanceNotWritten)?;
    provenance_file
        .persist(&provenance_path)
        .with_context(|| format!("cannot replace {}", provenance_path.display()))
        .context(ProvenanceNotWritten)?;

    Ok(Updated {
        spec_changed: previous.as_deref() != Some(checked.canonical.as_str()),
        report,
        rewrite_report_changed,
        binding: checked.generated.binding.clone(),
        build_checked: build_target.is_some(),
    })
}

/// `text` written to a temporary file beside `target`, ready to be renamed over it.
fn staged(target: &Path, text: &str) -> Result<tempfile::NamedTempFile> {
    let dir = target.parent().unwrap_or(Path::new("."));
    let mut file = tempfile::Builder::new()
        .prefix(".xtask-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.as_file().sync_all())
        .with_context(|| format!("cannot write a temporary file in {}", dir.display()))?;
    Ok(file)
}

/// `OpenAPI 3.1.0, API version 1.0.0, 37 operations, 52 schemas`.
fn summary(doc: &Value) -> String {
    let openapi = doc.get("openapi").and_then(Value::as_str).unwrap_or("?");
    let version = doc
        .pointer("/info/version")
        .and_then(Value::as_str)
        .unwrap_or("?");
    let operations = crate::spec_model::operations(doc).len();
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map_or(0, |s| s.len());
    format!("OpenAPI {openapi}, API version {version}, {operations} operations, {schemas} schemas")
}
