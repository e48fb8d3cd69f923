//! The workspace built and checked with a new spec before the spec is vendored: a copy of the
//! repository (without `target/` and `.git/`) with the new files written in, then
//! `cargo check --workspace --all-features --all-targets` with a target folder of its own.
//! The real checkout is not touched, whatever the outcome.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, Result};

use crate::Repo;
use crate::change_report::ChangeReport;

/// Folders never copied: build output and history.
const SKIPPED: &[&str] = &["target", ".git"];

/// The build failed: the compiler's errors and the spec changes that probably caused them.
#[derive(Debug, Clone)]
pub struct BuildFailed {
    /// `file:line:col: error[...]: message`, one per error.
    pub errors: Vec<String>,
    /// The spec changes whose names the errors mention, as report lines (an additive change
    /// breaks code that builds a generated struct by literal).
    pub causes: Vec<String>,
}

impl std::fmt::Display for BuildFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "the workspace does not build with the new spec ({} error(s)):",
            self.errors.len()
        )?;
        for e in &self.errors {
            writeln!(f, "  {e}")?;
        }
        if self.causes.is_empty() {
            write!(f, "no spec change names what the errors name")
        } else {
            writeln!(f, "caused by these spec changes:")?;
            for c in &self.causes {
                writeln!(f, "  {c}")?;
            }
            Ok(())
        }
    }
}

impl std::error::Error for BuildFailed {}

/// Copy `repo` into a fresh temporary folder, write `files` (paths relative to the root) into
/// the copy, and check the workspace there with `target` as its target folder.
pub fn check_with(
    repo: &Repo,
    files: &[(&str, &str)],
    target: &Path,
    report: Option<&ChangeReport>,
) -> Result<()> {
    let scratch = tempfile::Builder::new()
        .prefix("playflow-update-spec-")
        .tempdir()
        .context("cannot create a scratch folder")?;
    copy_tree(repo.root(), scratch.path())?;
    for (relative, text) in files {
        let path = scratch.path().join(relative);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(scratch.path())
        .env("CARGO_TARGET_DIR", target)
        .args([
            "check",
            "--workspace",
            "--all-features",
            "--all-targets",
            "--message-format",
            "short",
        ])
        .output()
        .context("cannot run cargo")?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let scratch_root = format!("{}/", scratch.path().display());
    let errors: Vec<String> = stderr
        .lines()
        .filter(|l| l.contains("error"))
        .filter(|l| !l.starts_with("error: could not compile") && !l.starts_with("warning"))
        .map(|l| l.replace(&scratch_root, ""))
        .collect();
    let causes = report.map(|r| causes(r, &errors)).unwrap_or_default();
    Err(BuildFailed { errors, causes }.into())
}

/// The changes that name something an error names (a type, field or method, in backticks in
/// both), breaking ones first.
fn causes(report: &ChangeReport, errors: &[String]) -> Vec<String> {
    let named: Vec<String> = errors.iter().flat_map(|e| quoted(e)).collect();
    let (breaking, other): (Vec<_>, Vec<_>) = report.changes.iter().partition(|c| c.breaking);
    breaking
        .into_iter()
        .chain(other)
        .filter(|c| {
            let mentioned = quoted(&c.detail);
            let method = crate::facade_scan::raw_method_name(&c.operation);
            // `Type.field` is matched by its field: a type alone is named by many errors.
            mentioned.iter().any(|m| {
                let key = m.rsplit('.').next().unwrap_or(m);
                named.iter().any(|n| n == key)
            }) || named.contains(&method)
        })
        .fold(Vec::<(bool, String, Vec<String>)>::new(), |mut out, c| {
            // A response field shared by several operations is one change, listed once.
            match out.iter_mut().find(|(_, detail, _)| *detail == c.detail) {
                Some((_, _, ops)) => ops.push(c.operation.clone()),
                None => out.push((c.breaking, c.detail.clone(), vec![c.operation.clone()])),
            }
            out
        })
        .into_iter()
        .map(|(breaking, detail, ops)| {
            let kind = if breaking { "breaking" } else { "non-breaking" };
            let ops: Vec<String> = ops.iter().map(|o| format!("`{o}`")).collect();
            format!("{kind}: {detail} (in {})", ops.join(", "))
        })
        .collect()
}

/// The words between backticks.
fn quoted(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .map(|s| s.trim_start_matches("types::").to_owned())
        .collect()
}

fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    for entry in
        std::fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))?
    {
        let entry = entry?;
        let name = entry.file_name();
        if SKIPPED.iter().any(|s| name == *s) {
            continue;
        }
        let path = entry.path();
        let target: PathBuf = to.join(&name);
        if entry.file_type()?.is_dir() {
            copy_tree(&path, &target)?;
        } else {
            std::fs::copy(&path, &target)
                .with_context(|| format!("cannot copy {}", path.display()))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change_report::{Change, ChangeKind};

    #[test]
    fn a_removed_field_is_named_as_the_cause_of_the_error_that_uses_it() {
        let report = ChangeReport {
            changes: vec![
                Change {
                    operation: "getServer".into(),
                    endpoint: "GET /api/v3/servers/{instance_id}".into(),
                    kind: ChangeKind::FieldRemoved,
                    breaking: true,
                    detail: "response field `Server.network_ports` removed".into(),
                },
                Change {
                    operation: "getBuild".into(),
                    endpoint: "GET /api/v3/builds/{build_id}".into(),
                    kind: ChangeKind::FieldRemoved,
                    breaking: true,
                    detail: "response field `Build.size` removed".into(),
                },
            ],
            api_version: None,
        };
        let errors = ["src/servers/model.rs:10:5: error[E0609]: no field `network_ports` on type `types::Server`".to_string()];
        assert_eq!(
            causes(&report, &errors),
            ["breaking: response field `Server.network_ports` removed (in `getServer`)"]
        );
    }

    /// An additive change breaks a struct literal: named too, as non-breaking for users.
    #[test]
    fn a_new_field_is_named_as_the_cause_of_a_struct_literal_missing_it() {
        let report = ChangeReport {
            changes: vec![Change {
                operation: "startServer".into(),
                endpoint: "POST /api/v3/servers/start".into(),
                kind: ChangeKind::FieldAdded,
                breaking: false,
                detail: "request field `StartServerRequest.priority` added (optional, `integer`)"
                    .into(),
            }],
            api_version: None,
        };
        let errors = ["src/servers/start.rs:310:12: error[E0063]: missing field `priority` in initializer of `raw::types::StartServerRequest`: missing `priority`".to_string()];
        assert_eq!(
            causes(&report, &errors),
            [
                "non-breaking: request field `StartServerRequest.priority` added (optional, `integer`) (in `startServer`)"
            ]
        );
    }
}
