//! `cargo xtask <command>`: see `cargo xtask --help`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use xtask::Repo;
use xtask::spec_source::{DEFAULT_SPEC_URL, SpecSource, read_openapi_file};
use xtask::update_spec::ProvenanceNotWritten;

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    about = "Maintenance commands of the playflow crate",
    version
)]
struct Cli {
    /// Repository root to work on (default: the checkout this xtask belongs to).
    #[arg(long, global = true, value_name = "DIR")]
    root: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fetch or read a new spec, check it, build and check the whole workspace with it on a
    /// scratch copy, and only then vendor it as openapi/playflow.json, record its provenance,
    /// and print what changed.
    UpdateSpec {
        /// An http(s) URL or a file path.
        #[arg(long, value_name = "URL|FILE", default_value = DEFAULT_SPEC_URL)]
        from: String,
        /// Vendor without building the workspace first (the spec is still normalized, bound
        /// and generated).
        #[arg(long)]
        skip_build_check: bool,
        /// Target folder of the scratch build (default: target/update-spec under the root).
        #[arg(long, value_name = "DIR")]
        scratch_target: Option<PathBuf>,
    },
    /// Print the change report between two specs as Markdown. Exit code: 0 when nothing is
    /// breaking, 1 when something is, 2 on a usage or I/O error.
    SpecDiff {
        /// The previous spec (JSON file).
        old: PathBuf,
        /// The new spec (JSON file).
        new: PathBuf,
    },
    /// Write the normalized 3.0 spec, the rewrite report and the generated Rust for review.
    Codegen {
        /// Output folder (default: target/codegen under the repository root).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Check that the vendored spec, the rewrite report snapshot and the facade agree.
    Check,
    /// Print a binding file that binds every operation and schema of a spec to the names it
    /// has now (the start of openapi/binding.json; review before committing).
    DeriveBinding {
        /// The spec (default: the vendored openapi/playflow.json).
        #[arg(long, value_name = "FILE")]
        spec: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let repo = cli.root.map_or_else(Repo::of_this_checkout, Repo::new);
    match cli.command {
        Command::UpdateSpec {
            from,
            skip_build_check,
            scratch_target,
        } => {
            let target = (!skip_build_check).then(|| {
                scratch_target.unwrap_or_else(|| repo.root().join("target").join("update-spec"))
            });
            update_spec(&repo, &from, target.as_deref())
        }
        Command::SpecDiff { old, new } => spec_diff(&old, &new),
        Command::Codegen { out } => codegen(&repo, out),
        Command::Check => check(&repo),
        Command::DeriveBinding { spec } => derive_binding(&spec.unwrap_or_else(|| repo.spec())),
    }
}

fn derive_binding(spec: &std::path::Path) -> ExitCode {
    match read_openapi_file(spec) {
        Ok(doc) => {
            print!("{}", playflow_codegen::binding::derive(&doc).to_json());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn update_spec(repo: &Repo, from: &str, build_target: Option<&std::path::Path>) -> ExitCode {
    let result = SpecSource::parse(from).and_then(|source| {
        let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
        let updated = xtask::update_spec::update_spec(repo, &source, &today, build_target)?;
        Ok((source, updated))
    });
    let (source, updated) = match result {
        Ok(done) => done,
        Err(e) => {
            eprintln!("error: {e:#}");
            if e.downcast_ref::<ProvenanceNotWritten>().is_none() {
                eprintln!("openapi/playflow.json and openapi/PROVENANCE.md were left untouched.");
            }
            return ExitCode::FAILURE;
        }
    };
    let spec = repo.spec();
    println!(
        "{} {} from {} (provenance date refreshed).\n",
        repo.display(&spec),
        if updated.spec_changed {
            "updated"
        } else {
            "unchanged"
        },
        source.describe()
    );
    match &updated.report {
        Some(report) => println!(
            "{}",
            report.to_markdown("previous openapi/playflow.json", &source.describe())
        ),
        None => println!("(no previous spec to compare with)"),
    }
    if updated.build_checked {
        println!("The workspace builds and checks with the new spec (all features, all targets).");
    }
    if let Some(binding) = &updated.binding {
        for (route, name) in &binding.new_operations {
            println!("new operation, not in openapi/binding.json: {route} (generated as `{name}`)");
        }
        for name in &binding.new_schemas {
            println!("new schema, not in openapi/binding.json: {name}");
        }
        for (name, location) in &binding.missing_schemas {
            println!("bound schema no longer found where bound: {name} ({location})");
        }
    }
    if updated.rewrite_report_changed {
        println!(
            "note: the normalizer's rewrite report changed; openapi/normalize-report.txt was \
             rewritten with the spec: review its diff."
        );
    }
    ExitCode::SUCCESS
}

fn spec_diff(old: &std::path::Path, new: &std::path::Path) -> ExitCode {
    let docs = read_openapi_file(old).and_then(|o| Ok((o, read_openapi_file(new)?)));
    match docs {
        Ok((old_doc, new_doc)) => {
            let report = xtask::spec_diff::diff_by_location(&old_doc, &new_doc);
            print!(
                "{}",
                report.to_markdown(&old.display().to_string(), &new.display().to_string())
            );
            ExitCode::from(u8::from(report.has_breaking()))
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn codegen(repo: &Repo, out: Option<PathBuf>) -> ExitCode {
    let out = out.unwrap_or_else(|| repo.default_codegen_out());
    match xtask::codegen_out::write_codegen(repo, &out) {
        Ok(files) => {
            for file in files {
                let size = std::fs::metadata(&file).map_or(0, |m| m.len());
                println!("wrote {} ({size} bytes)", repo.display(&file));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn check(repo: &Repo) -> ExitCode {
    match xtask::check::check(repo) {
        Ok(outcome) => {
            print!("{}", outcome.log);
            if outcome.passed() {
                println!("check passed");
                ExitCode::SUCCESS
            } else {
                eprintln!("check failed: {} problem(s)", outcome.failures.len());
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
