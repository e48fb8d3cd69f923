//! Start → running latency of a real game server in the emulator (`GameServers::Processes`,
//! time scale 1, the echo build), against a simulated server with no launch delay as the
//! baseline (what the API round trips alone cost), and the first UDP echo after `running`.
//!
//! ```sh
//! cargo run --release -p playflow-emulator --example start_latency
//! ```
//!
//! The ZIP's `Server.x86_64` is this program, an echo server when `PLAYFLOW_LATENCY_ECHO` is set.

use std::time::{Duration, Instant};

use playflow_emulator::{Emulator, GameServers};
use serde_json::{Value, json};

const ROUNDS: usize = 10;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::var_os("PLAYFLOW_LATENCY_ECHO").is_some() {
        playflow_runner::echo::serve(std::env::args().skip(1))?;
        return Ok(());
    }
    let simulated = measure(GameServers::Simulated).await?;
    let processes = measure(GameServers::Processes).await?;
    println!(
        "start → running, median of {ROUNDS}: simulated {:.1} ms, processes {:.1} ms ({:.1}x)",
        ms(simulated.0),
        ms(processes.0),
        processes.0.as_secs_f64() / simulated.0.as_secs_f64()
    );
    println!(
        "running → first UDP echo, median: {:.2} ms",
        ms(processes.1)
    );
    Ok(())
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

async fn measure(mode: GameServers) -> Result<(Duration, Duration), Box<dyn std::error::Error>> {
    let emulator = Emulator::builder()
        .game_servers(mode)
        .build_processing_delay(Duration::ZERO)
        .server_launch_delay(Duration::ZERO)
        .rate_limits(100_000, 100_000)
        .start()
        .await?;
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
    let (mut to_running, mut to_echo) = (Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let started = Instant::now();
        let server = call(
            reqwest::Method::POST,
            "/api/v3/servers/start".into(),
            Some(
                json!({"name": format!("s{round}"), "region": "eu-west", "version_tag": "echo",
                        "environment_variables": {"PLAYFLOW_LATENCY_ECHO": "1"}}),
            ),
        )
        .await?;
        let id = server["instance_id"]
            .as_str()
            .ok_or("no instance id")?
            .to_owned();
        let running = loop {
            let server = call(reqwest::Method::GET, format!("/api/v3/servers/{id}"), None).await?;
            if server["status"] == "running" {
                break server;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        };
        to_running.push(started.elapsed());
        if mode == GameServers::Processes {
            let port = &running["network_ports"][0];
            let address = format!(
                "{}:{}",
                port["host"].as_str().unwrap_or("127.0.0.1"),
                port["external_port"]
            );
            let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await?;
            let sent = Instant::now();
            let mut buffer = [0u8; 64];
            loop {
                socket.send_to(b"ping", &address).await?;
                if tokio::time::timeout(Duration::from_millis(100), socket.recv(&mut buffer))
                    .await
                    .is_ok()
                {
                    break;
                }
            }
            to_echo.push(sent.elapsed());
        }
        call(
            reqwest::Method::DELETE,
            format!("/api/v3/servers/{id}"),
            None,
        )
        .await?;
    }
    to_running.sort();
    to_echo.sort();
    Ok((
        to_running[ROUNDS / 2],
        to_echo.get(ROUNDS / 2).copied().unwrap_or_default(),
    ))
}
