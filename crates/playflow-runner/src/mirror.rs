//! A server's working folder as a mirror of its (shared) build folder.
//!
//! PlayFlow writes `playflow.json` next to the server's executable, and a game may write files
//! next to itself too. The unpacked build is shared by every server of that build, so each
//! server gets a folder of its own that looks like the build: the executable hard-linked (copied
//! across file systems), the folders on its path made for real, everything else symlinked. The
//! executable then runs from the server's folder (`/proc/self/exe` says so too, which is where
//! Unity looks for its `_Data` folder: the symlink next to it).

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

/// Lays `working_dir` out as a mirror of `build` for the executable at `relative` (a path inside
/// `build`); returns the executable's path in the mirror. Entries already there from an earlier
/// run are replaced when they are links; anything the game wrote is left alone.
pub(crate) fn lay_out(build: &Path, relative: &Path, working_dir: &Path) -> io::Result<PathBuf> {
    let parts: Vec<_> = relative
        .components()
        .filter_map(|c| match c {
            Component::Normal(part) => Some(part.to_owned()),
            _ => None,
        })
        .collect();
    let Some((file, folders)) = parts.split_last() else {
        return Err(io::Error::other("empty executable path"));
    };
    let (mut source, mut target) = (build.to_owned(), working_dir.to_owned());
    fs::create_dir_all(&target)?;
    for step in folders.iter().map(Some).chain([None]) {
        for entry in fs::read_dir(&source)? {
            let entry = entry?;
            let name = entry.file_name();
            if name == crate::build_cache::COMPLETE
                || Some(&name) == step
                || (step.is_none() && &name == file)
            {
                continue;
            }
            let link = target.join(&name);
            if fs::symlink_metadata(&link).is_ok_and(|m| m.file_type().is_symlink()) {
                fs::remove_file(&link)?;
            }
            if fs::symlink_metadata(&link).is_err() {
                std::os::unix::fs::symlink(entry.path(), &link)?;
            }
        }
        if let Some(step) = step {
            source.push(step);
            target.push(step);
            fs::create_dir_all(&target)?;
        }
    }
    let executable = target.join(file);
    let original = source.join(file);
    match fs::remove_file(&executable) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => return Err(error),
        _ => {}
    }
    if fs::hard_link(&original, &executable).is_err() {
        fs::copy(&original, &executable)?;
    }
    Ok(executable)
}
