//! The whole PlayFlow journey through `playflow::Client`: make a server ZIP, upload it with a
//! progress bar, wait until the build is ready, start a server, wait until it runs, print its
//! address, send it a UDP packet and print the echo, list servers, read its logs, stop it.
//!
//! ```sh
//! cargo run -p playflow-emulator --example quickstart
//! ```
//!
//! Without `PLAYFLOW_API_KEY` it runs against a local emulator started in this process (time
//! runs 60× faster there, so minutes of build processing take a second) that runs game servers
//! for real (`GameServers::Processes`): the ZIP's `Server.x86_64` is this very program, which
//! becomes the tiny UDP echo server of `playflow_runner::echo` when started with
//! `PLAYFLOW_QUICKSTART_ECHO=1` (so no second binary needs building). With
//! `PLAYFLOW_API_KEY=pf_…` it runs against PlayFlow itself (or `PLAYFLOW_BASE_URL`), and
//! uploads the ZIP given as first argument, or a placeholder one: PlayFlow accepts it, but
//! your server binary is what actually runs.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use futures::TryStreamExt as _;
use indicatif::{ProgressBar, ProgressStyle};
use playflow::builds::BuildOutcome;
use playflow::model::ComputeSize;
use playflow::servers::{ServerOutcome, StopOutcome};
use playflow::{Client, Region, ServerKey};
use playflow_emulator::{Emulator, GameServers};

/// Set (through the server's `environment_variables`) when this program runs as the game server.
const ECHO_ROLE: &str = "PLAYFLOW_QUICKSTART_ECHO";

/// PlayFlow time runs this many times faster in the emulator.
const EMULATOR_TIME_SCALE: f64 = 60.0;

type BoxError = Box<dyn std::error::Error>;

/// Where the journey runs, and how patient to be there.
struct Target {
    client: Client,
    /// Kept alive for the run when the emulator is the target.
    _emulator: Option<Emulator>,
    /// Polling delays of the waiters: tight against the fast emulator, the defaults otherwise.
    poll: Option<(Duration, Duration)>,
    description: String,
}

impl Target {
    fn local(&self) -> bool {
        self._emulator.is_some()
    }
}

#[tokio::main]
async fn main() {
    if std::env::var_os(ECHO_ROLE).is_some() {
        // Started by the emulator as the build's game server: echo on the ports in the args.
        if let Err(error) = playflow_runner::echo::serve(std::env::args().skip(1)) {
            eprintln!("echo server: {error}");
            std::process::exit(1);
        }
        return;
    }
    if let Err(error) = run().await {
        eprintln!("\nerror: {error}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), BoxError> {
    let started = Instant::now();
    let target = target().await?;
    println!("PlayFlow quickstart against {}\n", target.description);
    let client = &target.client;

    // 1. A server ZIP: the first argument, or a small placeholder made here.
    let dir = tempfile::tempdir()?;
    let archive = match std::env::args_os().nth(1) {
        Some(path) => PathBuf::from(path),
        None if target.local() => make_echo_zip(dir.path())?,
        None => make_server_zip(dir.path())?,
    };
    let size = std::fs::metadata(&archive)?.len();
    println!("1. server archive  {} ({size} bytes)", archive.display());

    // 2. Upload it, streamed, with a progress bar.
    let bar = ProgressBar::new(size).with_style(
        ProgressStyle::with_template(
            "   uploading       [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
        )?
        .progress_chars("=> "),
    );
    let progress = bar.clone();
    let uploaded = client
        .builds()
        .upload(archive.as_path())
        .name("quickstart")
        .on_progress(move |p| progress.set_position(p.sent))
        .send()
        .await?;
    bar.finish();
    println!(
        "2. uploaded        build {} ({} bytes)",
        uploaded.build_id, uploaded.bytes
    );

    // 3. Wait until PlayFlow has processed it.
    let mut waiter = client.builds().wait_until_ready(&uploaded.build_id);
    if let Some((min, max)) = target.poll {
        waiter = waiter.min_delay(min).max_delay(max);
    }
    let build = match waiter.wait(Duration::from_secs(600)).await? {
        BuildOutcome::Ready(build) => build,
        BuildOutcome::Failed { logs, .. } => {
            return Err(format!("the build failed to process; its logs: {logs:?}").into());
        }
        other => return Err(format!("the build is not ready: {:?}", other.status()).into()),
    };
    println!(
        "3. build ready     {} v{} ({})",
        build.name, build.version, build.status
    );

    // 4. Start a server from it, 5. and wait until it runs.
    let mut start = client
        .servers()
        .start("quickstart-1", Region::US_EAST)
        .compute_size(ComputeSize::Small)
        .version_tag("quickstart")
        .ttl(Duration::from_secs(600));
    if target.local() {
        start = start.env(ECHO_ROLE, "1");
    }
    let start_sent = Instant::now();
    let server = start.send().await?;
    println!(
        "4. server started  {} in {} ({})",
        server.instance_id,
        server.region.as_deref().unwrap_or("?"),
        server.status
    );
    let mut waiter = client.servers().wait_until_running(&server.instance_id);
    if let Some((min, max)) = target.poll {
        waiter = waiter.min_delay(min).max_delay(max);
    }
    let server = match waiter.wait(Duration::from_secs(300)).await? {
        ServerOutcome::Running(server) => server,
        other => return Err(format!("the server is not running: {:?}", other.status()).into()),
    };
    let start_to_running = start_sent.elapsed();
    println!(
        "5. server running  after {:.0} ms; connect to:",
        start_to_running.as_secs_f64() * 1000.0
    );
    for endpoint in server.endpoints().iter() {
        let protocol = endpoint.protocol.as_ref().map_or("?", |p| p.as_str());
        println!(
            "     {:<8} {} ({protocol})",
            endpoint.name,
            endpoint.address()
        );
    }

    // 5b. Against the emulator the game server really runs: one datagram there and back.
    if target.local()
        && let Some(game) = server.endpoints().iter().find(|e| e.name == "game")
    {
        let address = game.address();
        let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await?;
        let sent = Instant::now();
        let mut buffer = [0u8; 512];
        let mut echo = None;
        for _ in 0..20 {
            socket
                .send_to(b"hello from the quickstart", &address)
                .await?;
            if let Ok(received) =
                tokio::time::timeout(Duration::from_millis(250), socket.recv(&mut buffer)).await
            {
                echo = Some(received?);
                break;
            }
        }
        let size = echo.ok_or_else(|| format!("no echo from the game server at {address}"))?;
        println!(
            "   echo from {address}: {:?} ({:.1} ms)",
            String::from_utf8_lossy(&buffer[..size]),
            sent.elapsed().as_secs_f64() * 1000.0
        );
    }

    // 6. The project's running servers.
    let running = client.servers().list().send().await?;
    println!("6. servers         {} running", running.servers.len());
    for listed in &running.servers {
        println!(
            "     {}  {:<14} {}",
            listed.instance_id, listed.name, listed.status
        );
    }

    // 7. Its logs, every page.
    let lines: Vec<_> = client
        .servers()
        .logs(&server.instance_id)
        .stream()
        .try_collect()
        .await?;
    println!("7. server logs     {} lines", lines.len());
    for line in lines.iter().take(5) {
        println!(
            "     {} {}",
            line.timestamp.as_deref().unwrap_or(""),
            line.message.as_deref().unwrap_or("")
        );
    }

    // 8. Stop it.
    match client
        .servers()
        .stop(&server.instance_id)
        .reason("quickstart done")
        .await?
    {
        StopOutcome::Stopped(answer) => println!("8. server stopped  ({})", answer.status),
        StopOutcome::AlreadyStopped => println!("8. server stopped  (it was gone already)"),
        _ => println!("8. server stopped"),
    }

    println!(
        "\nDone in {:.1} s. Next: `cargo run -p playflow-cli -- --help`.",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// PlayFlow when `PLAYFLOW_API_KEY` is set, an in-process emulator otherwise.
async fn target() -> Result<Target, BoxError> {
    if std::env::var_os(playflow::API_KEY_ENV).is_some() {
        let key = ServerKey::from_env()?;
        let mut builder = Client::builder(key);
        let mut description = playflow::DEFAULT_BASE_URL.to_owned();
        if let Ok(url) = std::env::var("PLAYFLOW_BASE_URL") {
            builder = builder.base_url(url.as_str());
            description = url;
        }
        return Ok(Target {
            client: builder.build()?,
            _emulator: None,
            poll: None,
            description,
        });
    }
    let emulator = Emulator::builder()
        .time_scale(EMULATOR_TIME_SCALE)
        .game_servers(GameServers::Processes)
        .start()
        .await?;
    let client = Client::builder(ServerKey::new(emulator.server_key())?)
        .base_url(emulator.base_url())
        .build()?;
    Ok(Target {
        client,
        description: format!(
            "the local emulator at {} (time runs {EMULATOR_TIME_SCALE}x faster; \
             set PLAYFLOW_API_KEY to use PlayFlow)",
            emulator.base_url()
        ),
        _emulator: Some(emulator),
        poll: Some((Duration::from_millis(200), Duration::from_millis(500))),
    })
}

/// The emulator's archive: this program as `Server.x86_64` (it echoes UDP when started with
/// `PLAYFLOW_QUICKSTART_ECHO=1`, see `main`).
fn make_echo_zip(dir: &Path) -> Result<PathBuf, BoxError> {
    let path = dir.join("server.zip");
    let myself = std::fs::read(std::env::current_exe()?)?;
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path)?);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o755);
    zip.start_file("Server.x86_64", options)?;
    zip.write_all(&myself)?;
    zip.finish()?;
    Ok(path)
}

/// A small server archive: `Server.x86_64` (PlayFlow's default executable path) and some data.
fn make_server_zip(dir: &Path) -> Result<PathBuf, BoxError> {
    let path = dir.join("server.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path)?);
    let options = zip::write::SimpleFileOptions::default().unix_permissions(0o755);
    zip.start_file("Server.x86_64", options)?;
    zip.write_all(b"#!/bin/sh\necho 'quickstart server listening on 7777'\nsleep 3600\n")?;
    // Some level data, so the progress bar has something to show.
    zip.start_file(
        "Server_Data/level0",
        zip::write::SimpleFileOptions::default(),
    )?;
    let mut data = vec![0u8; 4 << 20];
    let mut rng = fastrand::Rng::with_seed(7);
    rng.fill(&mut data);
    zip.write_all(&data)?;
    zip.finish()?;
    Ok(path)
}
