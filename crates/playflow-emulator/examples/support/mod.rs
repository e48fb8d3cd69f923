//! What the start-latency examples (`start_latency`, `fifty_servers`) share: the echo build
//! (this very program), the baseline of echo processes started directly, starts through the
//! emulator's API watched until `running`, and the summary both print.
//!
//! Start → running is read from the API: a server's `started_at` (the moment its status turned
//! `running`) minus the emulator's clock when its start call was sent, both in whole
//! milliseconds of the same clock (time scale 1). Watching is thus free of polling delays, and
//! the watcher only lists the servers every [`WATCH`] to learn when all of them run: polling
//! fifty servers every millisecond would starve the emulator it measures of CPU.

// Each example uses part of this module.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use playflow_emulator::{Emulator, GameServers};
use serde_json::{Value, json};

pub type BoxError = Box<dyn std::error::Error>;

/// Set (directly, or through a server's `environment_variables`) when this program runs as the
/// echo game server.
const ECHO_ROLE: &str = "PLAYFLOW_LATENCY_ECHO";

/// How long a server may take to answer or turn `running` before the run is given up.
const PATIENCE: Duration = Duration::from_secs(60);

/// How often the watcher lists the servers.
const WATCH: Duration = Duration::from_millis(25);

/// The goal of issue 13: start → running at most this much beyond the game's own start time.
const GOAL: Duration = Duration::from_millis(100);

/// Runs the echo server when this program was started as one; `false` otherwise.
pub fn serve_if_echo() -> bool {
    if std::env::var_os(ECHO_ROLE).is_none() {
        return false;
    }
    if let Err(error) = playflow_runner::echo::serve(std::env::args().skip(1)) {
        eprintln!("echo server: {error}");
        std::process::exit(1);
    }
    true
}

pub fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// The `p`th percentile (nearest rank) of `sorted`, which must not be empty.
pub fn percentile(sorted: &[Duration], p: usize) -> Duration {
    let index = ((sorted.len() * p).div_ceil(100)).clamp(1, sorted.len()) - 1;
    sorted[index]
}

/// Sends pings to `address` until one comes back; how long that took.
pub async fn first_echo(address: SocketAddr) -> std::io::Result<Duration> {
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await?;
    let started = Instant::now();
    let mut buffer = [0u8; 64];
    loop {
        socket.send_to(b"ping", address).await?;
        if let Ok(Ok(size)) =
            tokio::time::timeout(Duration::from_millis(1), socket.recv(&mut buffer)).await
            && &buffer[..size] == b"ping"
        {
            return Ok(started.elapsed());
        }
        if started.elapsed() > PATIENCE {
            return Err(std::io::Error::other(format!("no echo from {address}")));
        }
    }
}

/// The baseline: `count` echo processes spawned directly at once (one after the other, as fast
/// as this process can), each timed from the moment all were asked for until it says it has
/// bound its port (its first line of output, written after the bind), sorted. This is "the game
/// process's own start time" of the goal, measured as the emulator's starts are: from the ask
/// to bound. Reading that line instead of pinging keeps fifty pinging tasks from slowing the
/// very processes they time; each one's echo is checked afterwards.
pub async fn direct_at_once(count: usize) -> Result<Vec<Duration>, BoxError> {
    use tokio::io::AsyncBufReadExt as _;
    let exe = std::env::current_exe()?;
    let mut children = Vec::new();
    let mut waits = Vec::new();
    let ports = (0..count)
        .map(|_| {
            Ok(std::net::UdpSocket::bind("127.0.0.1:0")?
                .local_addr()?
                .port())
        })
        .collect::<std::io::Result<Vec<u16>>>()?;
    let asked = Instant::now();
    for &port in &ports {
        let mut child = tokio::process::Command::new(&exe)
            .args(["--udp", &port.to_string()])
            .env(ECHO_ROLE, "1")
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        children.push(child);
        waits.push(tokio::spawn(async move {
            let mut lines = tokio::io::BufReader::new(stdout).lines();
            let line = tokio::time::timeout(PATIENCE, lines.next_line()).await;
            let bound = asked.elapsed();
            match line {
                Ok(Ok(Some(line))) if line.contains("listening") => Ok(bound),
                other => Err(format!("the echo process did not bind: {other:?}")),
            }
        }));
    }
    let mut times = Vec::new();
    for wait in waits {
        times.push(wait.await??);
    }
    for port in ports {
        first_echo(([127, 0, 0, 1], port).into()).await?;
    }
    drop(children);
    times.sort();
    Ok(times)
}

/// A server started through the API: how long until it turned `running`, and its body then.
pub struct Started {
    pub to_running: Duration,
    pub id: String,
    pub body: Value,
}

impl Started {
    /// The address its first port is reported at.
    pub fn address(&self) -> Result<SocketAddr, BoxError> {
        let port = &self.body["network_ports"][0];
        Ok(format!(
            "{}:{}",
            port["host"].as_str().unwrap_or("127.0.0.1"),
            port["external_port"]
        )
        .parse()?)
    }
}

/// An emulator at time scale 1 running game servers as processes, with the echo build uploaded
/// and ready under version tag `echo`.
pub struct Bench {
    pub emulator: Emulator,
    http: reqwest::Client,
}

impl Bench {
    pub async fn start() -> Result<Bench, BoxError> {
        let emulator = Emulator::builder()
            .game_servers(GameServers::Processes)
            .build_processing_delay(Duration::ZERO)
            .rate_limits(100_000, 100_000)
            .start()
            .await?;
        eprintln!("isolation: {}", emulator.isolation().unwrap_or_default());
        let bench = Bench {
            emulator,
            http: reqwest::Client::new(),
        };
        let url = bench
            .call(
                reqwest::Method::POST,
                "/api/v3/builds/upload-url?name=echo",
                None,
            )
            .await?;
        let archive = {
            use std::io::Write as _;
            let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            zip.start_file(
                "Server.x86_64",
                // Stored: deflating this program (tens of MB in a debug build) would take longer
                // than the whole measurement.
                zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Stored)
                    .unix_permissions(0o755),
            )?;
            zip.write_all(&std::fs::read(std::env::current_exe()?)?)?;
            zip.finish()?.into_inner()
        };
        bench
            .http
            .put(url["upload_url"].as_str().ok_or("no upload URL")?)
            .body(archive)
            .send()
            .await?
            .error_for_status()?;
        let build = url["build_id"].as_str().ok_or("no build id")?;
        let waiting = Instant::now();
        while bench
            .call(
                reqwest::Method::GET,
                &format!("/api/v3/builds/{build}"),
                None,
            )
            .await?["status"]
            != "ready"
        {
            if waiting.elapsed() > PATIENCE {
                return Err("the echo build never became ready".into());
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        // Warm the client's connection pool before measuring.
        bench
            .call(reqwest::Method::GET, "/api/v3/servers", None)
            .await?;
        Ok(bench)
    }

    /// One API call with the server key; the JSON answer.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, BoxError> {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.emulator.base_url()))
            .header("api-key", self.emulator.server_key());
        if let Some(body) = body {
            request = request.json(&body);
        }
        Ok(request.send().await?.json::<Value>().await?)
    }

    /// Starts `count` echo servers at once (all start calls in flight together) and waits until
    /// the API reports each one `running`; sorted by start → running.
    pub async fn start_at_once(&self, count: usize) -> Result<Vec<Started>, BoxError> {
        // One page of the list must hold them all.
        assert!(count <= 100, "at most 100 servers at once");
        let starts = (0..count).map(|index| async move {
            let sent = self.emulator.now();
            let server = self
                .call(
                    reqwest::Method::POST,
                    "/api/v3/servers/start",
                    Some(json!({
                        "name": format!("s{index}"),
                        "region": "eu-west",
                        "version_tag": "echo",
                        "environment_variables": {ECHO_ROLE: "1"},
                    })),
                )
                .await?;
            let id = server["instance_id"]
                .as_str()
                .ok_or_else(|| format!("the start call failed: {server}"))?;
            Ok::<_, BoxError>((id.to_owned(), sent))
        });
        let (sent, seen) = tokio::join!(futures::future::try_join_all(starts), self.watch(count));
        let (sent, mut seen) = (sent?, seen?);
        let mut started = Vec::with_capacity(count);
        for (id, at) in sent {
            let body = seen
                .remove(&id)
                .ok_or_else(|| format!("server {id} was never seen running"))?;
            let running_at: chrono::DateTime<chrono::Utc> = body["started_at"]
                .as_str()
                .ok_or_else(|| format!("server {id} runs without started_at: {body}"))?
                .parse()?;
            started.push(Started {
                to_running: (running_at - at).to_std().unwrap_or_default(),
                id,
                body,
            });
        }
        started.sort_by_key(|s| s.to_running);
        Ok(started)
    }

    /// Lists servers every [`WATCH`] until `count` of them are `running`; their bodies.
    async fn watch(&self, count: usize) -> Result<HashMap<String, Value>, BoxError> {
        let mut seen = HashMap::new();
        let watching = Instant::now();
        while seen.len() < count {
            let list = self
                .call(reqwest::Method::GET, "/api/v3/servers?limit=100", None)
                .await?;
            for server in list["servers"].as_array().into_iter().flatten() {
                if let Some(id) = server["instance_id"].as_str()
                    && server["status"] == "running"
                {
                    seen.entry(id.to_owned()).or_insert_with(|| server.clone());
                }
            }
            if watching.elapsed() > PATIENCE {
                return Err(
                    format!("only {} of {count} servers became running", seen.len()).into(),
                );
            }
            tokio::time::sleep(WATCH).await;
        }
        Ok(seen)
    }

    pub async fn stop(&self, id: &str) -> Result<(), BoxError> {
        self.call(
            reqwest::Method::DELETE,
            &format!("/api/v3/servers/{id}"),
            None,
        )
        .await?;
        Ok(())
    }
}

/// Prints the direct start times, start → running through the emulator, the overhead (the
/// difference), the ratio, and whether the goal is met (overhead ≤ 100 ms at p50 and p95).
pub fn report(direct: &[Duration], emulator: &[Duration]) {
    let line = |what: &str, sorted: &[Duration]| {
        println!(
            "  {what:<44} p50 {:7.1} ms   p95 {:7.1} ms   max {:7.1} ms",
            ms(percentile(sorted, 50)),
            ms(percentile(sorted, 95)),
            ms(percentile(sorted, 100))
        );
    };
    line("echo process alone, ask → bound:", direct);
    line("through the emulator, start call → running:", emulator);
    let overhead = |p| percentile(emulator, p).saturating_sub(percentile(direct, p));
    let (p50, p95) = (overhead(50), overhead(95));
    println!(
        "  {:<44} p50 {:7.1} ms   p95 {:7.1} ms",
        "overhead (emulator − direct):",
        ms(p50),
        ms(p95)
    );
    println!(
        "  {:<44} p50 {:7.2}x     p95 {:7.2}x",
        "ratio (emulator / direct):",
        ms(percentile(emulator, 50)) / ms(percentile(direct, 50)),
        ms(percentile(emulator, 95)) / ms(percentile(direct, 95))
    );
    let met = p50 <= GOAL && p95 <= GOAL;
    println!(
        "  goal: overhead ≤ {} ms at p50 and p95: {}",
        GOAL.as_millis(),
        if met { "met" } else { "NOT met" }
    );
}
