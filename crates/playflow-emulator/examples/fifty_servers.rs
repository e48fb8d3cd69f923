//! Fifty servers of the echo build started at once through the emulator's API
//! (`GameServers::Processes`, time scale 1): start → running against the echo process's own
//! start time (the same fifty processes spawned directly at once, in the same run), whether every
//! one answers an echo at its reported port, and memory per server beyond the game process.
//!
//! ```sh
//! cargo run --release -p playflow-emulator --example fifty_servers
//! ```
//!
//! The ZIP's `Server.x86_64` is this program (an echo server when started as one). Goals
//! (issue 13): start → running ≤ 100 ms plus the game's own start time; all 50 answer.

mod support;

use support::{Bench, BoxError};

const SERVERS: usize = 50;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    if support::serve_if_echo() {
        return Ok(());
    }
    let direct = support::direct_at_once(SERVERS).await?;
    let bench = Bench::start().await?;
    let emulator_before = status_kib("/proc/self/status", "VmRSS:");
    let available_before = status_kib("/proc/meminfo", "MemAvailable:");
    let cpu_before = own_cpu_time();
    let started = bench.start_at_once(SERVERS).await?;
    let cpu_used = own_cpu_time().saturating_sub(cpu_before);

    let mut answering = 0;
    let mut game_rss_kib = 0;
    for server in &started {
        if support::first_echo(server.address()?).await.is_ok() {
            answering += 1;
        }
        let logs = bench
            .call(
                reqwest::Method::GET,
                &format!("/api/v3/servers/{}/logs", server.id),
                None,
            )
            .await?
            .to_string();
        let pid = logs
            .split("Game process ")
            .nth(1)
            .and_then(|rest| rest.split(' ').next())
            .unwrap_or("0");
        game_rss_kib += status_kib(&format!("/proc/{pid}/status"), "VmRSS:");
    }
    let emulator_after = status_kib("/proc/self/status", "VmRSS:");
    let available_after = status_kib("/proc/meminfo", "MemAvailable:");

    println!("{SERVERS} echo servers started at once");
    let to_running: Vec<_> = started.iter().map(|s| s.to_running).collect();
    support::report(&direct, &to_running);
    // A figure the machine's other load hardly changes, unlike the latencies above.
    println!(
        "  CPU time of this process (emulator, client, watcher) per server start: {:.2} ms",
        support::ms(cpu_used) / SERVERS as f64
    );
    println!("  answering an echo through the reported port: {answering}/{SERVERS}");
    println!(
        "  memory: game process RSS {:.1} MiB each (mean); emulator RSS +{:.0} KiB per server; \
         system memory used beyond the games' RSS {:.0} KiB per server (noisy: whole machine)",
        game_rss_kib as f64 / SERVERS as f64 / 1024.0,
        emulator_after.saturating_sub(emulator_before) as f64 / SERVERS as f64,
        available_before
            .saturating_sub(available_after)
            .saturating_sub(game_rss_kib) as f64
            / SERVERS as f64
    );
    Ok(())
}

/// User plus system CPU time of this process so far, all threads (not its children).
fn own_cpu_time() -> std::time::Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name (which may hold spaces) end with `)`.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the name.
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<u64>().ok())
        .sum();
    // /proc counts in USER_HZ clock ticks, which the kernel's ABI fixes at 100 per second.
    std::time::Duration::from_millis(ticks * 10)
}

/// A `kB` field of a `/proc` status file (0 when missing).
fn status_kib(path: &str, field: &str) -> u64 {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|line| line.starts_with(field))?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}
