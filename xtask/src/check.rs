//! `cargo xtask check`: the vendored spec and the crate agree.
//!
//! 1. The spec is OpenAPI 3.1, normalizes and generates (as `build.rs` will).
//! 2. It is in its stable written form (so `update-spec` re-writing it changes nothing).
//! 3. The normalizer's rewrite report equals the committed snapshot.
//! 4. Every operation is reached by a facade method or allow-listed as low-level only, and the
//!    allow-list has no stale entries.

use std::fmt::Write as _;

use anyhow::{Context as _, Result};
use similar::TextDiff;

use crate::Repo;
use crate::allow_list;
use crate::facade_scan::{facade_method_calls, raw_method_name};
use crate::spec_check::check_spec;
use crate::spec_model::operations;

/// The outcome: what was checked (in order) and what failed.
#[derive(Debug, Default)]
pub struct CheckOutcome {
    /// Human-readable lines, failures included, in the order checked.
    pub log: String,
    /// One message per failed check.
    pub failures: Vec<String>,
}

impl CheckOutcome {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }

    fn ok(&mut self, line: impl AsRef<str>) {
        let _ = writeln!(self.log, "ok    {}", line.as_ref());
    }

    fn note(&mut self, line: impl AsRef<str>) {
        let _ = writeln!(self.log, "      {}", line.as_ref());
    }

    fn fail(&mut self, message: impl Into<String>) {
        let message = message.into();
        for (i, line) in message.lines().enumerate() {
            let tag = if i == 0 { "FAIL  " } else { "      " };
            let _ = writeln!(self.log, "{tag}{line}");
        }
        self.failures.push(message);
    }
}

/// Run every check on `repo`. `Err` only for I/O problems that stop the checks early.
pub fn check(repo: &Repo) -> Result<CheckOutcome> {
    let mut out = CheckOutcome::default();
    let spec_path = repo.spec();
    let shown = repo.display(&spec_path).to_string();
    let text =
        std::fs::read_to_string(&spec_path).with_context(|| format!("cannot read {shown}"))?;
    let checked = match check_spec(&text, repo.load_binding()?.as_ref()) {
        Ok(checked) => checked,
        Err(e) => {
            out.fail(format!("{shown}: {e:#}"));
            return Ok(out);
        }
    };
    // Operations under our names: the facade calls the raw methods the binding names.
    let ops = operations(&checked.generated.bound);
    let report = checked.generated.normalized.report.to_string();
    out.ok(format!(
        "{shown}: OpenAPI 3.1, {} operations; normalizes ({} rewrites) and generates",
        ops.len(),
        checked.generated.normalized.report.rewrites.len()
    ));

    if checked.canonical == text {
        out.ok(format!("{shown} is in its stable written form"));
    } else {
        out.fail(format!(
            "{shown} is not in its stable written form (serde_json pretty, 2-space indent, final newline); \
             rewrite it with `cargo xtask update-spec --from {shown}`"
        ));
    }

    let snapshot_path = repo.report_snapshot();
    let snapshot_shown = repo.display(&snapshot_path).to_string();
    match std::fs::read_to_string(&snapshot_path) {
        Ok(snapshot) if snapshot == report => {
            out.ok(format!("rewrite report matches {snapshot_shown}"));
        }
        Ok(snapshot) => {
            let diff = TextDiff::from_lines(&snapshot, &report)
                .unified_diff()
                .context_radius(1)
                .header(&snapshot_shown, "current normalizer report")
                .to_string();
            out.fail(format!(
                "the normalizer's rewrite report differs from {snapshot_shown}; review, then refresh it with \
                 `cargo xtask codegen` and copy target/codegen/normalize-report.txt over it:\n{diff}"
            ));
        }
        Err(e) => out.fail(format!("cannot read {snapshot_shown}: {e}")),
    }

    binding(repo, &checked, &mut out);
    // Operations a refresh added and the binding does not name yet are listed by `binding`;
    // the facade cannot reach them under a stable name, so coverage asks it of bound ones.
    let unbound: Vec<&str> = checked
        .generated
        .binding
        .iter()
        .flat_map(|r| r.new_operations.iter().map(|(_, name)| name.as_str()))
        .collect();
    let bound_ops: Vec<&str> = ops
        .keys()
        .map(String::as_str)
        .filter(|id| !unbound.contains(id))
        .collect();
    coverage(repo, bound_ops, &mut out)?;
    Ok(out)
}

/// The binding file names every operation and schema of the vendored spec, and every name it
/// holds is found there.
fn binding(repo: &Repo, checked: &crate::spec_check::CheckedSpec, out: &mut CheckOutcome) {
    let path = repo.binding();
    let shown = repo.display(&path).to_string();
    let Some(report) = &checked.generated.binding else {
        out.fail(format!(
            "{shown} is missing; start it with `cargo xtask derive-binding > {shown}`"
        ));
        return;
    };
    // New, unbound operations and schemas are what a purely additive refresh brings: listed
    // for review (bind them to give them stable names), not a failure.
    let mut new = Vec::new();
    for (route, name) in &report.new_operations {
        new.push(format!(
            "new operation `{route}` is not bound yet (generated as `{name}`)"
        ));
    }
    for name in &report.new_schemas {
        new.push(format!("new schema `{name}` is not bound yet"));
    }
    let mut problems = Vec::new();
    for route in &report.missing_operations {
        problems.push(format!("bound operation `{route}` is not in the spec"));
    }
    for (name, location) in &report.missing_schemas {
        problems.push(format!(
            "bound schema `{name}` ({location}) is not in the spec"
        ));
    }
    if problems.is_empty() && new.is_empty() {
        out.ok(format!(
            "{shown} binds every operation and schema of the spec ({} names){}",
            binding_len(repo),
            summary(report)
        ));
    } else if problems.is_empty() {
        out.ok(format!(
            "{shown}: every name it holds is found ({} names){}",
            binding_len(repo),
            summary(report)
        ));
        for line in &new {
            out.note(line);
        }
    } else {
        out.fail(format!("{shown}:\n  {}", problems.join("\n  ")));
    }
}

fn binding_len(repo: &Repo) -> usize {
    repo.load_binding().ok().flatten().map_or(0, |b| b.len())
}

/// `; rewrote: schema-renamed 3, ...`, or nothing when the spec already has our names.
fn summary(report: &playflow_codegen::binding::BindReport) -> String {
    let counts: Vec<String> = report
        .counts()
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(kind, n)| format!("{kind} {n}"))
        .collect();
    if counts.is_empty() {
        String::new()
    } else {
        format!("; rewrote: {}", counts.join(", "))
    }
}

fn coverage(repo: &Repo, op_ids: Vec<&str>, out: &mut CheckOutcome) -> Result<()> {
    let allow_path = repo.allow_list();
    let allow_shown = repo.display(&allow_path).to_string();
    let entries = match std::fs::read_to_string(&allow_path) {
        Ok(text) => match allow_list::parse(&text) {
            Ok(entries) => entries,
            Err(e) => {
                out.fail(format!("{allow_shown}:\n{e}"));
                return Ok(());
            }
        },
        Err(e) => {
            out.fail(format!("cannot read {allow_shown}: {e}"));
            return Ok(());
        }
    };
    let calls = facade_method_calls(&repo.src_dir())?;
    let reached: Vec<&str> = op_ids
        .iter()
        .copied()
        .filter(|id| calls.contains(&raw_method_name(id)))
        .collect();
    let listed = |id: &str| entries.iter().any(|e| e.operation_id == id);

    let mut problems = Vec::new();
    for id in &op_ids {
        if !reached.contains(id) && !listed(id) {
            problems.push(format!(
                "`{id}` is neither called by the facade (`.{}(`) nor listed in {allow_shown}",
                raw_method_name(id)
            ));
        }
    }
    for entry in &entries {
        let id = entry.operation_id.as_str();
        if !op_ids.contains(&id) {
            problems.push(format!(
                "{allow_shown}:{}: `{id}` is not an operation of the spec (stale entry)",
                entry.line
            ));
        } else if reached.contains(&id) {
            problems.push(format!(
                "{allow_shown}:{}: `{id}` is now called by the facade (`.{}(`); remove it (stale entry)",
                entry.line,
                raw_method_name(id)
            ));
        }
    }

    if problems.is_empty() {
        out.ok(format!(
            "every operation is reached by the facade or listed in {allow_shown}: {} reached, {} low-level only",
            reached.len(),
            entries.len()
        ));
    } else {
        out.fail(format!(
            "operation coverage ({} problem(s)):\n{}",
            problems.len(),
            problems
                .iter()
                .map(|p| format!("- {p}"))
                .collect::<Vec<_>>()
                .join("\n")
        ));
    }
    out.note(format!(
        "reached by the facade ({}): {}",
        reached.len(),
        if reached.is_empty() {
            "none".to_string()
        } else {
            reached.join(", ")
        }
    ));
    out.note(format!("low-level only ({}):", entries.len()));
    for entry in &entries {
        out.note(format!("  {} ({})", entry.operation_id, entry.reason));
    }
    Ok(())
}
