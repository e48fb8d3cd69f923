//! Unpacked ZIP builds, once per build id, shared by every server of that build.

use std::collections::HashMap;
use std::fmt;
use std::fs::{self, File};
use std::io::{self, Read};
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A folder of unpacked builds: each ZIP is unpacked once per build id and then reused.
///
/// Unpacking is blocking work (call it from `spawn_blocking` in async code). Concurrent calls for
/// one build id unpack it once; the others wait for that one.
///
/// ```
/// use playflow_runner::BuildCache;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let folder = tempfile::tempdir()?;
/// // A build holding a tiny shell-script "server".
/// let archive = folder.path().join("build.zip");
/// playflow_runner::echo::zip_build_from_files(
///     &archive,
///     &[("Server.x86_64", b"#!/bin/sh\necho ready\n".as_slice())],
/// )?;
///
/// let cache = BuildCache::new(folder.path().join("builds"))?;
/// let build = cache.unpack("build-1", &archive, "Server.x86_64")?;
/// assert!(build.executable().ends_with("Server.x86_64"));
/// // A second call reuses the folder.
/// assert_eq!(cache.unpack("build-1", &archive, "Server.x86_64")?, build);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct BuildCache {
    root: PathBuf,
    locks: Mutex<HashMap<String, Arc<Mutex<()>>>>,
    /// The builds [`BuildCache::unpack`] has unpacked and checked, by build id: what
    /// [`BuildCache::unpacked`] answers without touching the disk.
    ready: Mutex<HashMap<String, UnpackedBuild>>,
}

/// A build unpacked on disk: its folder and its executable.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let folder = tempfile::tempdir()?;
/// # let archive = folder.path().join("build.zip");
/// # playflow_runner::echo::zip_build_from_files(&archive, &[("Server.x86_64", b"#!/bin/sh\n".as_slice())])?;
/// # let cache = playflow_runner::BuildCache::new(folder.path().join("builds"))?;
/// let build = cache.unpack("build-1", &archive, "Server.x86_64")?;
/// println!("{} runs {}", build.folder().display(), build.executable().display());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnpackedBuild {
    folder: PathBuf,
    executable: PathBuf,
}

impl UnpackedBuild {
    /// The folder the build was unpacked into.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let folder = tempfile::tempdir()?;
    /// # let archive = folder.path().join("build.zip");
    /// # playflow_runner::echo::zip_build_from_files(&archive, &[("Server.x86_64", b"#!/bin/sh\n".as_slice())])?;
    /// # let cache = playflow_runner::BuildCache::new(folder.path().join("builds"))?;
    /// let build = cache.unpack("build-1", &archive, "Server.x86_64")?;
    /// assert!(build.folder().join("Server.x86_64").is_file());
    /// # Ok(()) }
    /// ```
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// The absolute path of the build's executable (inside [`folder`](Self::folder)).
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let folder = tempfile::tempdir()?;
    /// # let archive = folder.path().join("build.zip");
    /// # playflow_runner::echo::zip_build_from_files(&archive, &[("Server.x86_64", b"#!/bin/sh\n".as_slice())])?;
    /// # let cache = playflow_runner::BuildCache::new(folder.path().join("builds"))?;
    /// let build = cache.unpack("build-1", &archive, "Server.x86_64")?;
    /// assert!(build.executable().is_absolute());
    /// # Ok(()) }
    /// ```
    pub fn executable(&self) -> &Path {
        &self.executable
    }
}

/// Why a build could not be unpacked or run. Its `Display` is meant for the build's (or the
/// server's) log line, e.g. "executable `Server.x86_64` not found in the build; it holds: game.x86_64".
///
/// ```
/// use playflow_runner::BuildError;
///
/// let error = BuildError::MissingExecutable {
///     executable: "Server.x86_64".into(),
///     found: vec!["game.x86_64".into()],
/// };
/// assert!(error.to_string().contains("Server.x86_64"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildError {
    /// The archive is not a readable ZIP.
    BadArchive {
        /// What went wrong while reading it.
        detail: String,
    },
    /// An entry's path would land outside the build folder (`../x`, `/etc/x`): the whole archive
    /// is refused.
    UnsafeEntry {
        /// The entry's name as stored in the archive.
        entry: String,
    },
    /// `executable_path` itself is not a relative path inside the build.
    BadExecutablePath {
        /// The executable path asked for.
        executable: String,
    },
    /// The build has no file at `executable_path`.
    MissingExecutable {
        /// The executable path asked for.
        executable: String,
        /// The build's top-level entries, to hint at the right path.
        found: Vec<String>,
    },
    /// `executable_path` names a folder, a link or another non-regular file.
    NotAFile {
        /// The executable path asked for.
        executable: String,
    },
    /// The file at `executable_path` cannot be executed.
    NotExecutable {
        /// The executable path asked for.
        executable: String,
        /// Why (permissions, format).
        detail: String,
    },
    /// Reading or writing the cache folder failed.
    Io {
        /// What the cache was doing.
        doing: String,
        /// The error.
        error: io::Error,
    },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::BadArchive { detail } => {
                write!(f, "the build archive is not a readable ZIP: {detail}")
            }
            BuildError::UnsafeEntry { entry } => write!(
                f,
                "the build archive's entry `{entry}` would be unpacked outside the build folder; the archive is refused"
            ),
            BuildError::BadExecutablePath { executable } => write!(
                f,
                "executable `{executable}` is not a relative path inside the build"
            ),
            BuildError::MissingExecutable { executable, found } => {
                write!(f, "executable `{executable}` not found in the build")?;
                if found.is_empty() {
                    write!(f, "; the build is empty")
                } else {
                    write!(f, "; it holds: {}", found.join(", "))
                }
            }
            BuildError::NotAFile { executable } => {
                write!(f, "executable `{executable}` is not a regular file")
            }
            BuildError::NotExecutable { executable, detail } => {
                write!(f, "executable `{executable}` cannot be run: {detail}")
            }
            BuildError::Io { doing, error } => write!(f, "{doing}: {error}"),
        }
    }
}

impl std::error::Error for BuildError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BuildError::Io { error, .. } => Some(error),
            _ => None,
        }
    }
}

fn io_error(doing: impl Into<String>) -> impl FnOnce(io::Error) -> BuildError {
    let doing = doing.into();
    move |error| BuildError::Io { doing, error }
}

/// Marks a fully unpacked folder; a folder without it is a leftover of an interrupted unpack.
pub(crate) const COMPLETE: &str = ".playflow-unpacked";

impl BuildCache {
    /// A cache in `root` (created if missing).
    ///
    /// ```
    /// # fn main() -> std::io::Result<()> {
    /// let folder = tempfile::tempdir()?;
    /// let cache = playflow_runner::BuildCache::new(folder.path().join("builds"))?;
    /// assert!(cache.root().is_dir());
    /// # Ok(()) }
    /// ```
    pub fn new(root: impl Into<PathBuf>) -> io::Result<BuildCache> {
        let root = root.into();
        fs::create_dir_all(&root)?;
        Ok(BuildCache {
            root,
            locks: Mutex::new(HashMap::new()),
            ready: Mutex::new(HashMap::new()),
        })
    }

    /// The cache's folder.
    ///
    /// ```
    /// # fn main() -> std::io::Result<()> {
    /// # let folder = tempfile::tempdir()?;
    /// let cache = playflow_runner::BuildCache::new(folder.path())?;
    /// assert_eq!(cache.root(), folder.path());
    /// # Ok(()) }
    /// ```
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Unpacks `archive` for `build_id` (unless already done), checks that `executable_path` is a
    /// regular file in it, and makes it executable.
    ///
    /// Entries whose path would escape the folder (zip-slip) refuse the whole archive.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let folder = tempfile::tempdir()?;
    /// # let archive = folder.path().join("build.zip");
    /// playflow_runner::echo::zip_build_from_files(&archive, &[("game.x86_64", b"#!/bin/sh\n".as_slice())])?;
    /// let cache = playflow_runner::BuildCache::new(folder.path().join("builds"))?;
    /// let error = cache.unpack("b", &archive, "Server.x86_64").unwrap_err();
    /// assert_eq!(
    ///     error.to_string(),
    ///     "executable `Server.x86_64` not found in the build; it holds: game.x86_64"
    /// );
    /// # Ok(()) }
    /// ```
    pub fn unpack(
        &self,
        build_id: &str,
        archive: &Path,
        executable_path: &str,
    ) -> Result<UnpackedBuild, BuildError> {
        let relative =
            safe_relative(executable_path).ok_or_else(|| BuildError::BadExecutablePath {
                executable: executable_path.to_owned(),
            })?;
        let folder = self.root.join(folder_name(build_id));
        let lock = {
            let mut locks = self.locks.lock().unwrap_or_else(|p| p.into_inner());
            locks.entry(build_id.to_owned()).or_default().clone()
        };
        let _held = lock.lock().unwrap_or_else(|p| p.into_inner());
        if !folder.join(COMPLETE).exists() {
            unpack_into(archive, &folder)?;
        }
        let executable = folder.join(&relative);
        prepare_executable(&folder, &executable, executable_path)?;
        let build = UnpackedBuild { folder, executable };
        self.ready
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(build_id.to_owned(), build.clone());
        Ok(build)
    }

    /// The build as [`BuildCache::unpack`] left it, if this cache has unpacked it for
    /// `executable_path` and not removed it since. No disk access, so it can run on an async
    /// task; `None` means "call `unpack`" (which blocks).
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let folder = tempfile::tempdir()?;
    /// # let archive = folder.path().join("build.zip");
    /// # playflow_runner::echo::zip_build_from_files(&archive, &[("Server.x86_64", b"#!/bin/sh\n".as_slice())])?;
    /// let cache = playflow_runner::BuildCache::new(folder.path().join("builds"))?;
    /// assert_eq!(cache.unpacked("build-1", "Server.x86_64"), None);
    /// let build = cache.unpack("build-1", &archive, "Server.x86_64")?;
    /// assert_eq!(cache.unpacked("build-1", "Server.x86_64"), Some(build));
    /// assert_eq!(cache.unpacked("build-1", "bin/other"), None);
    /// cache.remove("build-1")?;
    /// assert_eq!(cache.unpacked("build-1", "Server.x86_64"), None);
    /// # Ok(()) }
    /// ```
    pub fn unpacked(&self, build_id: &str, executable_path: &str) -> Option<UnpackedBuild> {
        let relative = safe_relative(executable_path)?;
        let ready = self.ready.lock().unwrap_or_else(|p| p.into_inner());
        ready
            .get(build_id)
            .filter(|build| build.executable == build.folder.join(&relative))
            .cloned()
    }

    /// Forgets a build (after it is deleted): removes its folder.
    ///
    /// ```
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let folder = tempfile::tempdir()?;
    /// # let archive = folder.path().join("build.zip");
    /// # playflow_runner::echo::zip_build_from_files(&archive, &[("Server.x86_64", b"#!/bin/sh\n".as_slice())])?;
    /// # let cache = playflow_runner::BuildCache::new(folder.path().join("builds"))?;
    /// let build = cache.unpack("build-1", &archive, "Server.x86_64")?;
    /// cache.remove("build-1")?;
    /// assert!(!build.folder().exists());
    /// # Ok(()) }
    /// ```
    pub fn remove(&self, build_id: &str) -> io::Result<()> {
        self.ready
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(build_id);
        match fs::remove_dir_all(self.root.join(folder_name(build_id))) {
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }
}

/// A folder name for a build id that cannot climb out of the cache.
fn folder_name(build_id: &str) -> String {
    build_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// `path` as a relative path with no `..`, root or prefix; `None` otherwise.
fn safe_relative(path: &str) -> Option<PathBuf> {
    let path = Path::new(path);
    let mut clean = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => clean.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    (!clean.as_os_str().is_empty()).then_some(clean)
}

fn unpack_into(archive: &Path, folder: &Path) -> Result<(), BuildError> {
    let file = File::open(archive).map_err(io_error(format!(
        "opening the build archive {}",
        archive.display()
    )))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| BuildError::BadArchive {
        detail: e.to_string(),
    })?;
    // Refuse the archive before writing anything if any entry would escape, by its own path or
    // as a link pointing out.
    let bad = |e: zip::result::ZipError| BuildError::BadArchive {
        detail: e.to_string(),
    };
    for index in 0..zip.len() {
        let (name, enclosed, symlink) = {
            let entry = zip.by_index_raw(index).map_err(bad)?;
            (
                entry.name().to_owned(),
                entry.enclosed_name(),
                entry.is_symlink(),
            )
        };
        let Some(enclosed) = enclosed else {
            return Err(BuildError::UnsafeEntry { entry: name });
        };
        if symlink {
            let mut target = String::new();
            zip.by_index(index)
                .map_err(bad)?
                .take(4096)
                .read_to_string(&mut target)
                .map_err(|e| BuildError::BadArchive {
                    detail: format!("reading link `{name}`: {e}"),
                })?;
            if !link_stays_inside(&enclosed, &target) {
                return Err(BuildError::UnsafeEntry {
                    entry: format!("{name} -> {target}"),
                });
            }
        }
    }
    if folder.exists() {
        fs::remove_dir_all(folder).map_err(io_error("clearing a half-unpacked build"))?;
    }
    // Unpack next to the final folder, then rename: a crash mid-way leaves no half folder behind
    // under the final name.
    let parent = folder.parent().unwrap_or(folder);
    let staging = tempfile::Builder::new()
        .prefix(".unpacking-")
        .tempdir_in(parent)
        .map_err(io_error("creating the unpack folder"))?;
    zip.extract(staging.path())
        .map_err(|e| BuildError::BadArchive {
            detail: e.to_string(),
        })?;
    fs::write(staging.path().join(COMPLETE), b"")
        .map_err(io_error("marking the build unpacked"))?;
    let staged = staging.keep();
    fs::rename(&staged, folder).map_err(io_error("moving the unpacked build in place"))?;
    Ok(())
}

/// Whether a link at `link` (relative to the build folder) pointing at `target` stays inside the
/// folder, judged on the paths alone.
fn link_stays_inside(link: &Path, target: &str) -> bool {
    let mut depth = link
        .parent()
        .map_or(0, |parent| parent.components().count());
    for component in Path::new(target).components() {
        match component {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir if depth > 0 => depth -= 1,
            _ => return false,
        }
    }
    true
}

fn prepare_executable(folder: &Path, executable: &Path, asked: &str) -> Result<(), BuildError> {
    // A link is followed, but must land inside the build.
    if let (Ok(real), Ok(root)) = (executable.canonicalize(), folder.canonicalize())
        && !real.starts_with(&root)
    {
        return Err(BuildError::BadExecutablePath {
            executable: asked.to_owned(),
        });
    }
    let metadata = match fs::metadata(executable) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            return Err(BuildError::MissingExecutable {
                executable: asked.to_owned(),
                found: top_level(folder),
            });
        }
        Err(error) => return Err(io_error(format!("reading `{asked}`"))(error)),
    };
    if !metadata.file_type().is_file() {
        return Err(BuildError::NotAFile {
            executable: asked.to_owned(),
        });
    }
    let mut permissions = metadata.permissions();
    let mode = permissions.mode();
    if mode & 0o111 != 0o111 {
        permissions.set_mode(mode | 0o755);
        fs::set_permissions(executable, permissions).map_err(|error| {
            BuildError::NotExecutable {
                executable: asked.to_owned(),
                detail: format!("making it executable failed: {error}"),
            }
        })?;
    }
    Ok(())
}

fn top_level(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(folder)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name != COMPLETE)
        .collect();
    names.sort();
    names.truncate(20);
    names
}
