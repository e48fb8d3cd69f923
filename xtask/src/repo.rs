//! Where things live in the repository. Every command takes the root as a parameter, so tests
//! run on a temporary copy and never touch the real `openapi/` folder.

use std::path::{Path, PathBuf};

/// A checkout of the `playflow` repository (or a copy of its layout).
#[derive(Debug, Clone)]
pub struct Repo {
    root: PathBuf,
}

impl Repo {
    /// The repository rooted at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The checkout this xtask was built from (the parent of `xtask/`).
    pub fn of_this_checkout() -> Self {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        Self::new(manifest.parent().unwrap_or(manifest))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `openapi/`, where the vendored spec and its companions live.
    pub fn openapi_dir(&self) -> PathBuf {
        self.root.join("openapi")
    }

    /// The vendored OpenAPI 3.1 spec.
    pub fn spec(&self) -> PathBuf {
        self.openapi_dir().join("playflow.json")
    }

    /// Where the spec came from and when it was last refreshed.
    pub fn provenance(&self) -> PathBuf {
        self.openapi_dir().join("PROVENANCE.md")
    }

    /// The committed snapshot of the normalizer's rewrite report.
    pub fn report_snapshot(&self) -> PathBuf {
        self.openapi_dir().join("normalize-report.txt")
    }

    /// The binding file: our stable names for the spec's operations and schemas.
    pub fn binding(&self) -> PathBuf {
        self.openapi_dir().join("binding.json")
    }

    /// The parsed binding file; `None` when the checkout has none (then the spec's own names
    /// are used).
    pub fn load_binding(&self) -> anyhow::Result<Option<playflow_codegen::binding::Binding>> {
        use anyhow::Context as _;
        let path = self.binding();
        match std::fs::read_to_string(&path) {
            Ok(text) => playflow_codegen::binding::Binding::from_json(&text)
                .map(Some)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    /// Operations that stay reachable only through `playflow::raw`, each with a reason.
    pub fn allow_list(&self) -> PathBuf {
        self.openapi_dir().join("low-level-only.txt")
    }

    /// The library sources, scanned for facade calls of raw methods.
    pub fn src_dir(&self) -> PathBuf {
        self.root.join("src")
    }

    /// Default output folder of `cargo xtask codegen`.
    pub fn default_codegen_out(&self) -> PathBuf {
        self.root.join("target").join("codegen")
    }

    /// `path` relative to the root when it is inside it, for messages.
    pub fn display<'a>(&self, path: &'a Path) -> std::path::Display<'a> {
        path.strip_prefix(&self.root).unwrap_or(path).display()
    }
}
