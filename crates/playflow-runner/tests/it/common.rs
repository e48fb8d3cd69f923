//! Helpers shared by the tests.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use playflow_runner::{
    Event, Exit, GameSpec, PortSpec, Protocol, Runner, RunnerConfig, RunningServer,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::timeout;

/// Generous: the machine is shared; nothing here asserts timing.
pub const PATIENCE: Duration = Duration::from_secs(30);

pub fn echo_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_playflow-echo-server"))
}

pub fn runner() -> Runner {
    let runner = Runner::new(RunnerConfig::default()).expect("runner");
    assert!(
        runner.isolation().is_isolated(),
        "these tests run as root, where namespaces must work: {}",
        runner.isolation()
    );
    runner
}

/// An echo server spec in a fresh folder under `root`.
pub fn echo_spec(root: &Path, name: &str, args: &str) -> GameSpec {
    GameSpec::new(echo_binary(), root.join(name)).startup_args(args)
}

pub fn udp(name: &str, port: u16) -> PortSpec {
    PortSpec::new(name, port, Protocol::Udp)
}

pub fn tcp(name: &str, port: u16) -> PortSpec {
    PortSpec::new(name, port, Protocol::Tcp)
}

/// Waits for `Listening`; panics on `Exited`/`LaunchTimedOut` first, showing the log.
pub async fn until_listening(server: &mut RunningServer) {
    let mut log = Vec::new();
    let outcome = timeout(PATIENCE, async {
        while let Some(event) = server.next_event().await {
            match event {
                Event::Listening { .. } => return Ok(()),
                Event::Log { line, .. } => log.push(line),
                other => return Err(format!("{other:?}")),
            }
        }
        Err("events ended".to_owned())
    })
    .await;
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(event)) => panic!("server ended before listening: {event}; log: {log:?}"),
        Err(_) => panic!("server not listening after {PATIENCE:?}; log: {log:?}"),
    }
}

/// Every event up to and including `Exited`.
pub async fn until_exited(server: &mut RunningServer) -> (Vec<Event>, Exit) {
    let mut seen = Vec::new();
    let exit = timeout(PATIENCE, async {
        while let Some(event) = server.next_event().await {
            let exit = match &event {
                Event::Exited { status, .. } => Some(*status),
                _ => None,
            };
            seen.push(event);
            if let Some(exit) = exit {
                return exit;
            }
        }
        panic!("events ended without Exited: {seen:?}");
    })
    .await
    .expect("server did not exit in time");
    (seen, exit)
}

pub fn log_lines(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|event| match event {
            Event::Log { line, .. } => Some(line.clone()),
            _ => None,
        })
        .collect()
}

/// Sends `payload` to `to` over UDP until the echo comes back (datagrams may be lost).
pub async fn udp_echo(to: SocketAddr, payload: &[u8]) -> Vec<u8> {
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let mut buffer = vec![0u8; 65536];
    for _ in 0..60 {
        socket.send_to(payload, to).await.unwrap();
        if let Ok(Ok((size, _))) =
            timeout(Duration::from_millis(500), socket.recv_from(&mut buffer)).await
        {
            return buffer[..size].to_vec();
        }
    }
    panic!("no UDP echo from {to}");
}

/// Whether anything answers on UDP at `to` within a second and a half.
pub async fn udp_answers(to: SocketAddr) -> bool {
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let mut buffer = [0u8; 64];
    for _ in 0..3 {
        let _ = socket.send_to(b"ping", to).await;
        if let Ok(Ok(_)) = timeout(Duration::from_millis(500), socket.recv_from(&mut buffer)).await
        {
            return true;
        }
    }
    false
}

/// Writes `payload` over TCP (or anything async) and reads as many bytes back.
pub async fn stream_echo<S>(mut stream: S, payload: &[u8]) -> Vec<u8>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    stream.write_all(payload).await.unwrap();
    stream.flush().await.unwrap();
    let mut back = vec![0u8; payload.len()];
    timeout(PATIENCE, stream.read_exact(&mut back))
        .await
        .expect("TCP echo in time")
        .expect("TCP echo");
    back
}

/// Whether process `pid` is gone (or a zombie waiting to be reaped: it no longer runs).
pub fn process_gone(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

pub async fn wait_gone(pid: u32) -> bool {
    for _ in 0..300 {
        if process_gone(pid) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// A loopback port that was free a moment ago.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Live (not zombie) processes of process group `pgid`.
pub fn group_members(pgid: u32) -> Vec<u32> {
    let mut members = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        // state ppid pgrp ...
        if fields.len() > 2 && fields[0] != "Z" && fields[2] == pgid.to_string() {
            members.push(pid);
        }
    }
    members
}
