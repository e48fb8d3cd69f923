//! Fifty servers of the echo build started at once through the emulator's API
//! (`GameServers::Processes`, time scale 1): whether every one answers an echo, start → running
//! latency percentiles against the echo process's own start time (the same fifty processes
//! spawned directly, in the same run), and memory per server beyond the game process itself.
//!
//! ```sh
//! cargo run --release -p playflow-emulator --example fifty_servers
//! ```
//!
//! The ZIP's `Server.x86_64` is this program, an echo server when `PLAYFLOW_FIFTY_ECHO` is set.
//! Goals (issue 13): start → running ≤ 100 ms plus the game's own start time; all 50 answer.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use playflow_emulator::{Emulator, GameServers};
use serde_json::{Value, json};

const SERVERS: usize = 50;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::var_os("PLAYFLOW_FIFTY_ECHO").is_some() {
        playflow_runner::echo::serve(std::env::args().skip(1))?;
        return Ok(());
    }
    let own = own_start_times().await?;
    let run = through_the_emulator().await?;
    println!("{SERVERS} echo servers at once");
    println!(
        "  echo process alone, spawn → first echo: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        ms(percentile(&own, 50)),
        ms(percentile(&own, 95)),
        ms(percentile(&own, 100))
    );
    println!(
        "  emulator, start call → running:        p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        ms(percentile(&run.to_running, 50)),
        ms(percentile(&run.to_running, 95)),
        ms(percentile(&run.to_running, 100))
    );
    println!(
        "  overhead beyond the process's own start: p50 {:.1} ms, p95 {:.1} ms (goal ≤ 100 ms)",
        ms(percentile(&run.to_running, 50).saturating_sub(percentile(&own, 50))),
        ms(percentile(&run.to_running, 95).saturating_sub(percentile(&own, 95)))
    );
    println!(
        "  answering an echo through the reported port: {}/{SERVERS}",
        run.answering
    );
    println!(
        "  memory: game process RSS {:.1} MiB each (mean); emulator RSS +{:.0} KiB per server; \
         system memory used beyond the games' RSS {:.0} KiB per server (noisy: whole machine)",
        run.game_rss_kib as f64 / SERVERS as f64 / 1024.0,
        run.emulator_rss_delta_kib as f64 / SERVERS as f64,
        run.system_used_kib.saturating_sub(run.game_rss_kib) as f64 / SERVERS as f64
    );
    Ok(())
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    let index = ((sorted.len() * p).div_ceil(100)).clamp(1, sorted.len()) - 1;
    sorted[index]
}

/// Sends pings until one comes back; the time it took.
async fn first_echo(address: SocketAddr) -> std::io::Result<Duration> {
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await?;
    let started = Instant::now();
    let mut buffer = [0u8; 64];
    loop {
        socket.send_to(b"ping", address).await?;
        if let Ok(Ok(size)) =
            tokio::time::timeout(Duration::from_millis(2), socket.recv(&mut buffer)).await
            && &buffer[..size] == b"ping"
        {
            return Ok(started.elapsed());
        }
        if started.elapsed() > Duration::from_secs(20) {
            return Err(std::io::Error::other(format!("no echo from {address}")));
        }
    }
}

/// The baseline: the fifty echo processes spawned directly at once, spawn → first echo.
async fn own_start_times() -> Result<Vec<Duration>, Box<dyn std::error::Error>> {
    let exe = std::env::current_exe()?;
    let mut children = Vec::new();
    let mut waits = Vec::new();
    for _ in 0..SERVERS {
        let port = std::net::UdpSocket::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let spawned = Instant::now();
        let child = tokio::process::Command::new(&exe)
            .args(["--udp", &port.to_string()])
            .env("PLAYFLOW_FIFTY_ECHO", "1")
            .stdout(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        children.push(child);
        let address: SocketAddr = ([127, 0, 0, 1], port).into();
        waits.push(tokio::spawn(async move {
            first_echo(address).await.map(|_| spawned.elapsed())
        }));
    }
    let mut times = Vec::new();
    for wait in waits {
        times.push(wait.await??);
    }
    drop(children);
    times.sort();
    Ok(times)
}

/// A server's start → running time, id and `running` body.
type Started = (Duration, String, Value);

struct Run {
    to_running: Vec<Duration>,
    answering: usize,
    game_rss_kib: u64,
    emulator_rss_delta_kib: u64,
    system_used_kib: u64,
}

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

async fn through_the_emulator() -> Result<Run, Box<dyn std::error::Error>> {
    let emulator = Emulator::builder()
        .game_servers(GameServers::Processes)
        .build_processing_delay(Duration::ZERO)
        .rate_limits(100_000, 100_000)
        .start()
        .await?;
    eprintln!("isolation: {}", emulator.isolation().unwrap_or_default());
    let http = reqwest::Client::new();
    let call = |method: reqwest::Method, path: String, body: Option<Value>| {
        let mut request = http
            .request(method, format!("{}{path}", emulator.base_url()))
            .header("api-key", emulator.server_key());
        if let Some(body) = body {
            request = request.json(&body);
        }
        async move { request.send().await?.json::<Value>().await }
    };
    let url = call(
        reqwest::Method::POST,
        "/api/v3/builds/upload-url?name=echo".into(),
        None,
    )
    .await?;
    let archive = {
        use std::io::Write as _;
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        zip.start_file(
            "Server.x86_64",
            zip::write::SimpleFileOptions::default().unix_permissions(0o755),
        )?;
        zip.write_all(&std::fs::read(std::env::current_exe()?)?)?;
        zip.finish()?.into_inner()
    };
    http.put(url["upload_url"].as_str().ok_or("no upload URL")?)
        .body(archive)
        .send()
        .await?;
    let build = url["build_id"].as_str().ok_or("no build id")?.to_owned();
    while call(
        reqwest::Method::GET,
        format!("/api/v3/builds/{build}"),
        None,
    )
    .await?["status"]
        != "ready"
    {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // Warm the client's connection pool and the emulator's allocator before measuring.
    call(reqwest::Method::GET, "/api/v3/servers".into(), None).await?;
    let emulator_before = status_kib("/proc/self/status", "VmRSS:");
    let available_before = status_kib("/proc/meminfo", "MemAvailable:");

    let mut starts = Vec::new();
    for index in 0..SERVERS {
        let call = &call;
        starts.push(async move {
            let started = Instant::now();
            let server = call(
                reqwest::Method::POST,
                "/api/v3/servers/start".into(),
                Some(
                    json!({"name": format!("s{index}"), "region": "eu-west", "version_tag": "echo",
                            "environment_variables": {"PLAYFLOW_FIFTY_ECHO": "1"}}),
                ),
            )
            .await?;
            let id = server["instance_id"]
                .as_str()
                .ok_or("no instance id")?
                .to_owned();
            loop {
                let server =
                    call(reqwest::Method::GET, format!("/api/v3/servers/{id}"), None).await?;
                match server["status"].as_str() {
                    Some("running") => return Ok((started.elapsed(), id, server)),
                    Some("stopped") => return Err(format!("server {id} stopped").into()),
                    _ => tokio::time::sleep(Duration::from_millis(1)).await,
                }
            }
        });
    }
    let results: Vec<Result<Started, Box<dyn std::error::Error>>> =
        futures::future::join_all(starts).await;
    let mut to_running = Vec::new();
    let mut running = Vec::new();
    for result in results {
        let (elapsed, id, server) = result?;
        to_running.push(elapsed);
        running.push((id, server));
    }
    to_running.sort();

    let mut answering = 0;
    let mut game_rss_kib = 0;
    for (id, server) in &running {
        let port = &server["network_ports"][0];
        let address: SocketAddr = format!(
            "{}:{}",
            port["host"].as_str().unwrap_or("127.0.0.1"),
            port["external_port"]
        )
        .parse()?;
        if first_echo(address).await.is_ok() {
            answering += 1;
        }
        let logs = call(
            reqwest::Method::GET,
            format!("/api/v3/servers/{id}/logs"),
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
    Ok(Run {
        to_running,
        answering,
        game_rss_kib,
        emulator_rss_delta_kib: emulator_after.saturating_sub(emulator_before),
        system_used_kib: available_before.saturating_sub(available_after),
    })
}
