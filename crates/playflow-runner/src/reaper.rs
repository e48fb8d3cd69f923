//! Removes a container once the process that started it is gone, however it ended.
//!
//! Game processes die with the runner through the kernel's parent-death signal, but a container
//! belongs to the container daemon: killing the CLI that started it (which the parent-death
//! signal does) leaves it running. So each container gets a reaper: a `/bin/sh` in its own
//! process group, without the parent-death signal, blocked reading a pipe whose only write end
//! this process holds. When this process exits (`kill -9` included) the kernel closes that end,
//! the read returns, and the shell runs `<cli> rm -f <name>`. Dropping the [`Reaper`] closes it
//! the same way, so a normal stop removes the container through the same path.
//!
//! Written by hand: the whole mechanism is a pipe and one shell line, smaller than any crate.

use std::io;
use std::io::PipeWriter;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// Runs `$0 rm -f $1` once its standard input ends (the `read` returns at end of file).
const SCRIPT: &str = r#"read -r _; exec "$0" rm -f "$1""#;

/// The guard of one container: dropping it (or this process ending) removes the container.
#[derive(Debug)]
pub(crate) struct Reaper {
    /// The pipe's only write end (std opens pipes close-on-exec, so no other child of this
    /// process inherits it and keeps the reaper waiting).
    write: Option<PipeWriter>,
    shell: Option<Child>,
}

impl Reaper {
    /// Starts the reaper of container `name`, removed through `cli`. Call it before the
    /// container is started, so no moment exists in which the container runs unguarded.
    pub(crate) fn spawn(cli: &Path, name: &str) -> io::Result<Reaper> {
        let (read, write) = io::pipe()?;
        Ok(Reaper {
            write: Some(write),
            shell: Some(shell_waiting_on(read, cli, name)?),
        })
    }
}

/// The reaper's shell: it removes container `name` through `cli` once `read` ends.
fn shell_waiting_on(read: io::PipeReader, cli: &Path, name: &str) -> io::Result<Child> {
    use std::os::unix::process::CommandExt as _;
    Command::new("/bin/sh")
        .args(["-c", SCRIPT])
        .arg(cli)
        .arg(name)
        .stdin(Stdio::from(read))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        // Its own group: a Ctrl-C to the terminal's group does not end it before it acts.
        .process_group(0)
        .spawn()
}

impl Drop for Reaper {
    fn drop(&mut self) {
        drop(self.write.take());
        // The shell now removes the container and exits; a thread reaps it, as `drop` cannot
        // wait for the CLI.
        if let Some(mut shell) = self.shell.take() {
            let _ = std::thread::Builder::new()
                .name("playflow-container-reaper".to_owned())
                .spawn(move || shell.wait());
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    /// A fake container CLI that appends its arguments to `calls` next to it.
    fn fake_cli(dir: &Path) -> std::path::PathBuf {
        use std::os::unix::fs::PermissionsExt as _;
        let cli = dir.join("docker");
        let calls = dir.join("calls");
        std::fs::write(
            &cli,
            format!("#!/bin/sh\necho \"$@\" >> '{}'\n", calls.display()),
        )
        .unwrap();
        std::fs::set_permissions(&cli, std::fs::Permissions::from_mode(0o755)).unwrap();
        cli
    }

    fn calls_within(dir: &Path, patience: Duration) -> Option<String> {
        let start = Instant::now();
        while start.elapsed() < patience {
            if let Ok(calls) = std::fs::read_to_string(dir.join("calls")) {
                return Some(calls);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }

    #[test]
    fn the_container_is_removed_once_the_write_end_closes_and_not_before() {
        let dir = tempfile::tempdir().unwrap();
        let cli = fake_cli(dir.path());
        let reaper = Reaper::spawn(&cli, "playflow-s-1").unwrap();
        // While this process holds the write end, the reaper waits.
        assert_eq!(calls_within(dir.path(), Duration::from_millis(300)), None);
        // Dropping the guard closes it exactly as the kernel does when this process dies.
        drop(reaper);
        assert_eq!(
            calls_within(dir.path(), Duration::from_secs(10)).as_deref(),
            Some("rm -f playflow-s-1\n")
        );
    }

    #[test]
    fn a_process_killed_with_sigkill_still_gets_its_container_removed() {
        // The holder of the write end is a child process that the test kills with SIGKILL:
        // the reaper must act on the kernel closing the pipe, not on any code of the holder.
        let dir = tempfile::tempdir().unwrap();
        let cli = fake_cli(dir.path());
        let (read, write) = io::pipe().unwrap();
        let shell = shell_waiting_on(read, &cli, "playflow-s-2").unwrap();
        let mut holder = Command::new("sleep")
            .arg("60")
            .stdout(Stdio::from(write))
            .spawn()
            .unwrap();
        assert_eq!(calls_within(dir.path(), Duration::from_millis(300)), None);
        holder.kill().unwrap();
        holder.wait().unwrap();
        assert_eq!(
            calls_within(dir.path(), Duration::from_secs(10)).as_deref(),
            Some("rm -f playflow-s-2\n")
        );
        drop(Reaper {
            write: None,
            shell: Some(shell),
        });
    }
}
