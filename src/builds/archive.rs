//! Checks of a build archive made before any request: it exists, is a non-empty ZIP, and
//! contains the server executable. Only the ZIP's central directory is read, not its entries.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use crate::error::{InvalidInput, Result};

/// The executable PlayFlow runs when the upload names none.
pub const DEFAULT_EXECUTABLE: &str = "Server.x86_64";

/// How many entry names an error suggests at most.
const SUGGESTIONS: usize = 3;

/// Check `path` and return its size. Blocking (file I/O): run it on a blocking thread.
pub(crate) fn check_zip_file(path: &Path, executable: &str) -> Result<u64> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => format!("`{shown}` does not exist"),
            _ => format!("cannot read `{shown}`: {e}"),
        };
        InvalidInput::new("archive", reason)
    })?;
    if !meta.is_file() {
        return Err(InvalidInput::new("archive", format!("`{shown}` is not a file")).into());
    }
    if meta.len() == 0 {
        return Err(InvalidInput::new("archive", format!("`{shown}` is empty")).into());
    }
    let file = File::open(path)
        .map_err(|e| InvalidInput::new("archive", format!("cannot open `{shown}`: {e}")))?;
    let archive = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| {
        InvalidInput::new("archive", format!("`{shown}` is not a ZIP archive ({e})"))
    })?;
    let names: Vec<&str> = archive.file_names().collect();
    check_contains(&names, executable)
        .map_err(|reason| InvalidInput::new("executable_path", format!("`{shown}` {reason}")))?;
    Ok(meta.len())
}

/// Whether the archive's entry `names` contain `executable` (a leading `./` or `/` ignored);
/// else why not, with the entries of the same file name as hints.
fn check_contains(names: &[&str], executable: &str) -> std::result::Result<(), String> {
    let wanted = normalize(executable);
    if names.iter().any(|name| normalize(name) == wanted) {
        return Ok(());
    }
    let file_name = wanted.rsplit('/').next().unwrap_or(wanted);
    let similar: Vec<&str> = names
        .iter()
        .copied()
        .filter(|name| normalize(name).rsplit('/').next() == Some(file_name))
        .take(SUGGESTIONS)
        .collect();
    let mut reason = format!("does not contain `{executable}`");
    if similar.is_empty() {
        reason.push_str(&format!(
            " ({} entries, none named `{file_name}`)",
            names.len()
        ));
    } else {
        reason.push_str(&format!(
            "; it has {}: set the executable path to one of them",
            similar
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Err(reason)
}

fn normalize(path: &str) -> &str {
    path.trim_start_matches("./").trim_start_matches('/')
}

/// A path to check, made owned for the blocking thread.
pub(crate) async fn check_zip_file_async(path: PathBuf, executable: String) -> Result<u64> {
    tokio::task::spawn_blocking(move || check_zip_file(&path, &executable))
        .await
        .map_err(|e| InvalidInput::new("archive", format!("the check did not finish: {e}")))?
}
