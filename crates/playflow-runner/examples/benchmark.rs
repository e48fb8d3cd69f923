//! Start-to-first-echo latency of a game server through the runner, as a ratio to starting the
//! same echo server bare on the host, and 50 echo servers at once (memory per server beyond the
//! game process, and whether every one answers).
//!
//! ```text
//! cargo run --release -p playflow-runner --example benchmark
//! cargo run --release -p playflow-runner --example benchmark -- --user-namespaces
//! ```
//!
//! `--user-namespaces` measures the unprivileged isolation (a socket helper per server) even
//! when run as root.
//!
//! The example is its own echo server: run with `PLAYFLOW_RUNNER_ECHO=1` it serves (the same
//! code as `playflow-echo-server`), so both measurements start the very same binary.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use playflow_runner::{Event, GameSpec, PortSpec, Protocol, Runner, RunnerConfig, RunningServer};

const ROUNDS: usize = 15;
const SERVERS: usize = 50;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::var_os("PLAYFLOW_RUNNER_ECHO").is_some() {
        playflow_runner::echo::serve(std::env::args().skip(1))?;
        return Ok(());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(benchmark())
}

async fn benchmark() -> Result<(), Box<dyn std::error::Error>> {
    let me = std::env::current_exe()?;
    let root = tempfile::tempdir()?;
    let user_namespaces = std::env::args().any(|arg| arg == "--user-namespaces");
    let runner = Runner::new(RunnerConfig::default().prefer_user_namespaces(user_namespaces))?;
    println!("isolation: {}", runner.isolation());

    // Warm the page cache and the runner's threads.
    bare_start(&me).await?;
    let warm = start(&runner, &me, root.path(), "warm").await?;
    first_echo(warm.port("game").unwrap().external).await;
    drop(warm);

    let mut bare = Vec::new();
    let mut relayed = Vec::new();
    let mut listening = Vec::new();
    for round in 0..ROUNDS {
        bare.push(bare_start(&me).await?);
        let began = Instant::now();
        let mut server = start(&runner, &me, root.path(), &format!("r{round}")).await?;
        first_echo(server.port("game").unwrap().external).await;
        relayed.push(began.elapsed());
        listening.push(listening_after(&mut server).await);
        server.stop(Duration::from_secs(5)).await;
    }
    let (bare, relayed, listening) = (median(bare), median(relayed), median(listening));
    println!(
        "start → first echo (median of {ROUNDS}): bare process on the host {bare:?}, through the runner {relayed:?}: ratio {:.2}, overhead {:?}",
        relayed.as_secs_f64() / bare.as_secs_f64(),
        relayed.saturating_sub(bare)
    );
    println!("spawn → Listening event (median): {listening:?}");

    let before = own_rss();
    let mut servers = Vec::with_capacity(SERVERS);
    for index in 0..SERVERS {
        servers.push(start(&runner, &me, root.path(), &format!("many{index}")).await?);
    }
    for server in &mut servers {
        let _ = listening_after(server).await;
    }
    let mut answering = 0;
    for server in &servers {
        if echo_within(
            server.port("game").unwrap().external,
            Duration::from_secs(5),
        )
        .await
        {
            answering += 1;
        }
    }
    let after = own_rss();
    let game_memory: u64 = servers
        .iter()
        .map(|s| s.cpu_and_memory().memory_bytes)
        .sum();
    println!(
        "{SERVERS} servers at once: {answering}/{SERVERS} answer; runner memory per server {:.1} KiB (runner RSS {} → {} KiB); each game process itself {:.1} KiB",
        (after.saturating_sub(before)) as f64 / SERVERS as f64 / 1024.0,
        before / 1024,
        after / 1024,
        game_memory as f64 / SERVERS as f64 / 1024.0
    );
    for server in &servers {
        server.stop(Duration::from_secs(5)).await;
    }
    Ok(())
}

async fn start(
    runner: &Runner,
    me: &std::path::Path,
    root: &std::path::Path,
    name: &str,
) -> Result<RunningServer, playflow_runner::StartError> {
    runner
        .start(
            GameSpec::new(me, root.join(name))
                .startup_args("--udp 7777")
                .env("PLAYFLOW_RUNNER_ECHO", "1")
                .port(PortSpec::new("game", 7777, Protocol::Udp)),
        )
        .await
}

/// Spawns the echo server on the host and times it to its first echo.
async fn bare_start(me: &std::path::Path) -> std::io::Result<Duration> {
    let port = std::net::UdpSocket::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let began = Instant::now();
    let mut child = tokio::process::Command::new(me)
        .args(["--udp", &port.to_string()])
        .env("PLAYFLOW_RUNNER_ECHO", "1")
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    first_echo(SocketAddr::from(([127, 0, 0, 1], port))).await;
    let took = began.elapsed();
    child.kill().await?;
    Ok(took)
}

/// Sends a datagram every millisecond until one comes back.
async fn first_echo(to: SocketAddr) {
    assert!(
        echo_within(to, Duration::from_secs(30)).await,
        "no echo from {to}"
    );
}

async fn echo_within(to: SocketAddr, limit: Duration) -> bool {
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let mut buffer = [0u8; 64];
    let began = Instant::now();
    while began.elapsed() < limit {
        let _ = socket.send_to(b"ping", to).await;
        if let Ok(Ok(_)) =
            tokio::time::timeout(Duration::from_millis(1), socket.recv_from(&mut buffer)).await
        {
            return true;
        }
    }
    false
}

async fn listening_after(server: &mut RunningServer) -> Duration {
    while let Some(event) = server.next_event().await {
        if let Event::Listening { after, .. } = event {
            return after;
        }
    }
    Duration::ZERO
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// This process's resident memory in bytes (`VmRSS` of `/proc/self/status`).
fn own_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmRSS:"))
                .and_then(|value| {
                    value
                        .trim()
                        .trim_end_matches("kB")
                        .trim()
                        .parse::<u64>()
                        .ok()
                })
        })
        .unwrap_or(0)
        * 1024
}
