//! A game process's group: signals, exit status, listening probes and resource usage.

use std::collections::HashSet;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use procfs::process::{FDTarget, Process};
use tokio::sync::watch;

use crate::spec::Protocol;

/// How a game process ended.
///
/// ```
/// use playflow_runner::Exit;
///
/// assert_eq!(Exit::Code(3).to_string(), "exited with code 3");
/// assert_eq!(Exit::Signal(9).to_string(), "killed by signal 9 (SIGKILL)");
/// assert!(Exit::Code(0).success());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// It exited with this code.
    Code(i32),
    /// A signal ended it.
    Signal(i32),
}

impl Exit {
    /// Whether it exited with code 0.
    ///
    /// ```
    /// assert!(!playflow_runner::Exit::Signal(15).success());
    /// ```
    pub fn success(self) -> bool {
        self == Exit::Code(0)
    }

    pub(crate) fn from_status(status: std::process::ExitStatus) -> Exit {
        use std::os::unix::process::ExitStatusExt;
        match (status.code(), status.signal()) {
            (Some(code), _) => Exit::Code(code),
            (None, Some(signal)) => Exit::Signal(signal),
            (None, None) => Exit::Signal(Signal::SIGKILL as i32),
        }
    }
}

impl fmt::Display for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Exit::Code(code) => write!(f, "exited with code {code}"),
            Exit::Signal(number) => match Signal::try_from(*number) {
                Ok(signal) => write!(f, "killed by signal {number} ({})", signal.as_str()),
                Err(_) => write!(f, "killed by signal {number}"),
            },
        }
    }
}

/// A game's process group (its id is the game process's pid).
#[derive(Debug)]
pub(crate) struct ProcessGroup {
    pub(crate) pgid: i32,
    /// Set once the leader has exited and the group has been swept: signalling it later could hit
    /// an unrelated group that reused the number.
    done: AtomicBool,
}

impl ProcessGroup {
    pub(crate) fn new(pgid: i32) -> ProcessGroup {
        ProcessGroup {
            pgid,
            done: AtomicBool::new(false),
        }
    }

    pub(crate) fn signal(&self, signal: Signal) {
        if !self.done.load(Ordering::Acquire) {
            let _ = killpg(Pid::from_raw(self.pgid), signal);
        }
    }

    /// The leader has been reaped: kill what is left of the group once, then never again.
    pub(crate) fn sweep(&self) {
        self.signal(Signal::SIGKILL);
        self.done.store(true, Ordering::Release);
    }

    /// SIGTERM, up to `grace` for the leader to exit, then SIGKILL; returns how it ended.
    pub(crate) async fn stop(
        &self,
        grace: Duration,
        mut exit: watch::Receiver<Option<Exit>>,
    ) -> Exit {
        if let Some(done) = *exit.borrow() {
            return done;
        }
        self.signal(Signal::SIGTERM);
        if let Ok(Ok(done)) = tokio::time::timeout(grace, exit.wait_for(Option::is_some)).await
            && let Some(done) = *done
        {
            return done;
        }
        self.signal(Signal::SIGKILL);
        match exit.wait_for(Option::is_some).await {
            Ok(done) => done.unwrap_or(Exit::Signal(Signal::SIGKILL as i32)),
            Err(_) => Exit::Signal(Signal::SIGKILL as i32),
        }
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        self.signal(Signal::SIGKILL);
    }
}

/// Whether the process `pid` listens on every `(port, protocol)`: a TCP socket in LISTEN state
/// or a bound UDP socket on that local port, IPv4 or IPv6.
///
/// `/proc/<pid>/net/*` shows the tables of the process's own network namespace. On the shared
/// host network they show everyone's sockets, so there (`own_sockets_only`) a socket counts only
/// if the process holds it, which tells a game whose bind failed from the server that owns the
/// port.
pub(crate) fn listens_on_all(pid: i32, ports: &[(u16, Protocol)], own_sockets_only: bool) -> bool {
    if ports.is_empty() {
        return true;
    }
    let Ok(process) = Process::new(pid) else {
        return false;
    };
    let owned: Option<HashSet<u64>> = own_sockets_only.then(|| {
        process
            .fd()
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|fd| match fd.target {
                FDTarget::Socket(inode) => Some(inode),
                _ => None,
            })
            .collect()
    });
    let counts = |inode: u64| owned.as_ref().is_none_or(|owned| owned.contains(&inode));
    let wants = |protocol: Protocol| ports.iter().any(|(_, p)| *p == protocol);
    let mut tcp = HashSet::new();
    if wants(Protocol::Tcp) {
        for table in [process.tcp(), process.tcp6()].into_iter().flatten() {
            for entry in table {
                if entry.state == procfs::net::TcpState::Listen && counts(entry.inode) {
                    tcp.insert(entry.local_address.port());
                }
            }
        }
    }
    let mut udp = HashSet::new();
    if wants(Protocol::Udp) {
        for table in [process.udp(), process.udp6()].into_iter().flatten() {
            for entry in table {
                if counts(entry.inode) {
                    udp.insert(entry.local_address.port());
                }
            }
        }
    }
    ports.iter().all(|(port, protocol)| match protocol {
        Protocol::Tcp => tcp.contains(port),
        Protocol::Udp => udp.contains(port),
    })
}

/// CPU time and memory of a game server's processes.
///
/// ```
/// let usage = playflow_runner::Usage {
///     cpu_time: std::time::Duration::from_millis(1500),
///     memory_bytes: 64 << 20,
///     processes: 1,
/// };
/// let later = playflow_runner::Usage { cpu_time: std::time::Duration::from_millis(2000), ..usage };
/// // Half a second of CPU over one second of wall time: 50 %.
/// assert_eq!(later.cpu_percent_since(&usage, std::time::Duration::from_secs(1)), 50.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// User plus system CPU time so far, summed over the process group.
    pub cpu_time: Duration,
    /// Resident memory, summed over the process group.
    pub memory_bytes: u64,
    /// How many processes the group has.
    pub processes: usize,
}

impl Usage {
    /// CPU use between `earlier` and this sample, taken `elapsed` apart, in percent of one core.
    ///
    /// ```
    /// let zero = playflow_runner::Usage { cpu_time: Default::default(), memory_bytes: 0, processes: 1 };
    /// assert_eq!(zero.cpu_percent_since(&zero, std::time::Duration::ZERO), 0.0);
    /// ```
    pub fn cpu_percent_since(&self, earlier: &Usage, elapsed: Duration) -> f64 {
        if elapsed.is_zero() {
            return 0.0;
        }
        let used = self.cpu_time.saturating_sub(earlier.cpu_time);
        used.as_secs_f64() / elapsed.as_secs_f64() * 100.0
    }
}

/// Sums `/proc/<pid>/stat` (utime, stime, rss) over the processes of group `pgid`.
///
/// The group is found from its leader down (`/proc/<pid>/task/<tid>/children`), which reads a
/// few files per game instead of one per process on the machine: sampling fifty servers used to
/// read every process's `stat` fifty times. Where that cannot work (the leader is gone, or the
/// kernel has no `children` files), every process is looked at as before. A member whose parent
/// exited while the leader lives (reparented away from the tree) is not counted.
pub(crate) fn usage(pgid: i32) -> Usage {
    let stats = group_from_leader(pgid).unwrap_or_else(|| group_by_scan(pgid));
    let ticks = procfs::ticks_per_second().max(1);
    let page = procfs::page_size();
    let mut total = Usage {
        cpu_time: Duration::ZERO,
        memory_bytes: 0,
        processes: 0,
    };
    for stat in stats {
        let ticks_used = stat.utime + stat.stime;
        total.cpu_time += Duration::from_secs_f64(ticks_used as f64 / ticks as f64);
        total.memory_bytes += stat.rss * page;
        total.processes += 1;
    }
    total
}

/// The group's processes among the leader and its descendants (`None`: see [`usage`]).
fn group_from_leader(pgid: i32) -> Option<Vec<procfs::process::Stat>> {
    let leader = Process::new(pgid).ok()?;
    let leader_stat = leader.stat().ok()?;
    if leader_stat.pgrp != pgid {
        // The number now belongs to another process: the leader is gone.
        return None;
    }
    let mut found = Vec::new();
    let mut seen = HashSet::new();
    let mut stack = vec![(leader, leader_stat)];
    while let Some((process, stat)) = stack.pop() {
        if !seen.insert(stat.pid) {
            continue;
        }
        for task in process.tasks().ok()?.flatten() {
            // No `children` file on this kernel (CONFIG_PROC_CHILDREN): scan instead. A task
            // that just ended has none either, which is no reason to.
            let children = match task.children() {
                Ok(children) => children,
                Err(procfs::ProcError::NotFound(_)) if task.tid == pgid => return None,
                Err(_) => continue,
            };
            for child in children {
                let Ok(child) = Process::new(child as i32) else {
                    continue;
                };
                if let Ok(child_stat) = child.stat() {
                    stack.push((child, child_stat));
                }
            }
        }
        // Descendants that left the group (setsid) are not counted, but theirs are looked at.
        if stat.pgrp == pgid {
            found.push(stat);
        }
    }
    Some(found)
}

fn group_by_scan(pgid: i32) -> Vec<procfs::process::Stat> {
    let Ok(all) = procfs::process::all_processes() else {
        return Vec::new();
    };
    all.flatten()
        .filter_map(|p| p.stat().ok())
        .filter(|stat| stat.pgrp == pgid)
        .collect()
}
