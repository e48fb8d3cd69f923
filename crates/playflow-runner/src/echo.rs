//! A tiny UDP + TCP echo game server, and ZIP builds made of it, for quickstarts and tests.
//!
//! The server (`playflow-echo-server`, or [`serve`] from any binary) takes its ports from its
//! command line, which is where PlayFlow puts a server's `startup_args`:
//!
//! | argument | meaning |
//! | --- | --- |
//! | `--udp PORT` | echo datagrams on UDP `PORT` (repeatable) |
//! | `--tcp PORT` | echo bytes on TCP `PORT` (repeatable) |
//! | (none of the above) | `--udp 7777`, the emulator's default `game` port |
//! | `--crash-after-ms MS` | print two log lines and exit with code 3 after `MS` milliseconds |
//! | `--no-bind` | print a line and never bind anything (a server stuck in launching) |
//!
//! It prints one line per bound port to stdout and each peer's first packet to nothing: echoing
//! stays quiet so that benchmarks measure the relay, not logging.

use std::io::{self, Read, Write};
use std::net::{TcpListener, UdpSocket};
use std::path::Path;
use std::time::Duration;

/// The executable name a ZIP build must contain unless told otherwise (PlayFlow's default).
pub const DEFAULT_EXECUTABLE: &str = "Server.x86_64";

/// Runs the echo server with `args` (without the program name); returns only on a bad argument
/// or a failed bind.
///
/// ```no_run
/// // The whole of the `playflow-echo-server` binary:
/// fn main() -> std::io::Result<()> {
///     playflow_runner::echo::serve(std::env::args().skip(1))
/// }
/// ```
pub fn serve(args: impl IntoIterator<Item = String>) -> io::Result<()> {
    let mut udp = Vec::new();
    let mut tcp = Vec::new();
    let mut crash_after = None;
    let mut no_bind = false;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| -> io::Result<u64> {
            args.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| io::Error::other(format!("{name} needs a number")))
        };
        match arg.as_str() {
            "--udp" => udp.push(value("--udp")? as u16),
            "--tcp" => tcp.push(value("--tcp")? as u16),
            "--crash-after-ms" => crash_after = Some(value("--crash-after-ms")?),
            "--no-bind" => no_bind = true,
            other => eprintln!("echo server: ignoring argument `{other}`"),
        }
    }
    if no_bind {
        println!("echo server: not binding anything, as asked");
        loop {
            std::thread::park();
        }
    }
    if udp.is_empty() && tcp.is_empty() {
        udp.push(7777);
    }
    for port in udp {
        let socket = UdpSocket::bind(("0.0.0.0", port))?;
        println!("echo server: listening on udp {port}");
        std::thread::spawn(move || echo_udp(socket));
    }
    for port in tcp {
        let listener = TcpListener::bind(("0.0.0.0", port))?;
        println!("echo server: listening on tcp {port}");
        std::thread::spawn(move || echo_tcp(listener));
    }
    if let Some(ms) = crash_after {
        std::thread::sleep(Duration::from_millis(ms));
        println!("echo server: about to crash");
        eprintln!("echo server: fatal error: crashing on purpose");
        std::process::exit(3);
    }
    loop {
        std::thread::park();
    }
}

fn echo_udp(socket: UdpSocket) {
    let mut buffer = [0u8; 65536];
    while let Ok((size, peer)) = socket.recv_from(&mut buffer) {
        let _ = socket.send_to(&buffer[..size], peer);
    }
}

fn echo_tcp(listener: TcpListener) {
    for stream in listener.incoming().flatten() {
        std::thread::spawn(move || {
            let mut stream = stream;
            let mut buffer = [0u8; 16384];
            while let Ok(size) = stream.read(&mut buffer) {
                if size == 0 || stream.write_all(&buffer[..size]).is_err() {
                    break;
                }
            }
        });
    }
}

/// Packs the echo server binary at `echo_binary` into a ZIP build at `archive`, as
/// [`DEFAULT_EXECUTABLE`] (`Server.x86_64`).
///
/// ```no_run
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// // In an integration test of this crate, Cargo says where the binary is.
/// let echo = std::path::Path::new("target/debug/playflow-echo-server");
/// playflow_runner::echo::zip_build(echo, std::path::Path::new("echo-build.zip"))?;
/// # Ok(()) }
/// ```
pub fn zip_build(echo_binary: &Path, archive: &Path) -> io::Result<()> {
    let bytes = std::fs::read(echo_binary)?;
    zip_build_from_files(archive, &[(DEFAULT_EXECUTABLE, bytes.as_slice())])
}

/// Writes a ZIP build at `archive` holding `files` (`(path in the archive, contents)`), each one
/// with mode `0755`.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let folder = tempfile::tempdir()?;
/// let archive = folder.path().join("build.zip");
/// playflow_runner::echo::zip_build_from_files(
///     &archive,
///     &[("Server.x86_64", b"#!/bin/sh\nexec sleep 60\n".as_slice()), ("Data/level.txt", b"1".as_slice())],
/// )?;
/// assert!(archive.is_file());
/// # Ok(()) }
/// ```
pub fn zip_build_from_files(archive: &Path, files: &[(&str, &[u8])]) -> io::Result<()> {
    let file = std::fs::File::create(archive)?;
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o755);
    for (name, contents) in files {
        zip.start_file(*name, options).map_err(io::Error::other)?;
        zip.write_all(contents)?;
    }
    zip.finish().map_err(io::Error::other)?;
    Ok(())
}
