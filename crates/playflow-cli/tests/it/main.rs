//! The `playflow` binary against an in-process emulator: builds, servers, settings, lobbies,
//! `--json` output, the exit codes by error kind, `servers logs -f` and `playflow emulator`.

mod polish;

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command as StdCommand, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use assert_cmd::Command;
use assert_cmd::cargo::cargo_bin_cmd;
use playflow::{Client, ClientKey};
use playflow_emulator::Emulator;
use predicates::prelude::*;
use serde_json::Value;

/// An emulator on its own runtime, so the tests can run the binary synchronously.
struct Local {
    emulator: Emulator,
    runtime: tokio::runtime::Runtime,
    dir: tempfile::TempDir,
}

impl Local {
    fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let emulator = runtime
            .block_on(Emulator::builder().time_scale(1000.0).start())
            .expect("the emulator starts");
        Self {
            emulator,
            runtime,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// `playflow ARGS` with the server key and the emulator's URL in the environment.
    fn playflow(&self, args: &[&str]) -> Command {
        self.with_key(self.emulator.server_key(), args)
    }

    fn with_key(&self, key: &str, args: &[&str]) -> Command {
        let mut command = cargo_bin_cmd!("playflow");
        command
            .env("PLAYFLOW_API_KEY", key)
            .env("PLAYFLOW_BASE_URL", self.emulator.base_url())
            .args(args)
            .timeout(Duration::from_secs(30));
        command
    }

    /// Runs `playflow --json ARGS`, expects success, and parses stdout.
    fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let output = self.playflow(&all).assert().success().get_output().clone();
        serde_json::from_slice(&output.stdout).expect("stdout is JSON")
    }

    /// A server ZIP with the default executable.
    fn server_zip(&self) -> PathBuf {
        zip_at(&self.dir.path().join("server.zip"), "Server.x86_64")
    }

    /// Uploads a build and waits until it is ready.
    fn ready_build(&self) -> Value {
        let zip = self.server_zip();
        self.json(&[
            "builds",
            "upload",
            zip.to_str().unwrap(),
            "--wait",
            "--poll-interval",
            "50ms",
        ])
    }

    /// Starts a server and waits until it runs.
    fn running_server(&self, name: &str) -> Value {
        self.json(&[
            "servers",
            "start",
            "--name",
            name,
            "--region",
            "eu-west",
            "--size",
            "small",
            "--ttl",
            "1h",
            "--wait",
            "--poll-interval",
            "50ms",
        ])
    }
}

fn zip_at(path: &Path, executable: &str) -> PathBuf {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    zip.start_file(executable, zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(b"\x7fELF a game server").unwrap();
    zip.start_file(
        "Server_Data/level0",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    zip.write_all(&[1u8; 300 * 1024]).unwrap();
    zip.finish().unwrap();
    path.to_owned()
}

#[test]
fn builds_upload_wait_then_list_get_and_logs() {
    let local = Local::start();
    let build = local.ready_build();
    assert_eq!(build["status"], "ready");
    assert_eq!(build["executable_path"], "Server.x86_64");
    let id = build["build_id"].as_str().unwrap();

    let listed = local.json(&["builds", "ls"]);
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["build_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [id]);
    assert_eq!(local.json(&["builds", "get", id])["build_id"], id);
    local
        .playflow(&["builds", "ls"])
        .assert()
        .success()
        .stdout(predicate::str::contains(id).and(predicate::str::contains("ready")));
    local.playflow(&["builds", "logs", id]).assert().success();
}

#[test]
fn a_zip_without_its_executable_is_refused_before_any_upload() {
    let local = Local::start();
    let zip = zip_at(&local.dir.path().join("wrong.zip"), "Game.exe");
    local
        .playflow(&["builds", "upload", zip.to_str().unwrap()])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("Server.x86_64"));
    local
        .playflow(&["builds", "upload", "/nonexistent/server.zip"])
        .assert()
        .code(3);
    assert_eq!(local.json(&["builds", "ls"]), serde_json::json!([]));
}

#[test]
fn servers_start_wait_list_logs_stop() {
    let local = Local::start();
    local.ready_build();
    let server = local.running_server("cli-1");
    assert_eq!(server["status"], "running");
    assert_eq!(server["region"], "eu-west");
    assert_eq!(server["ttl"], 3600);
    let id = server["instance_id"].as_str().unwrap();
    let port = server["network_ports"][0]["external_port"]
        .as_u64()
        .unwrap();

    local
        .playflow(&["servers", "ls"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains(id).and(predicate::str::contains(format!("127.0.0.1:{port}"))),
        );
    assert_eq!(local.json(&["servers", "get", id])["instance_id"], id);
    let logs = local.json(&["servers", "logs", id]);
    assert!(
        logs.as_array().unwrap().iter().any(|line| line["message"]
            .as_str()
            .unwrap_or("")
            .contains("Server ready")),
        "{logs}"
    );
    local
        .playflow(&["servers", "stop", id, "--reason", "test over"])
        .assert()
        .success();
    assert_eq!(
        local.json(&["servers", "get", id])["status"],
        "stopped",
        "the stop took effect"
    );
}

#[test]
fn servers_logs_follow_prints_lines_as_they_come() {
    let local = Local::start();
    local.ready_build();
    let server = local.running_server("tail");
    let id = server["instance_id"].as_str().unwrap();
    let mut child = spawn(&local, &["servers", "logs", id, "-f"]);
    let lines = read_lines(&mut child, 2);
    child.kill().unwrap();
    let _ = child.wait();
    assert!(lines[0].contains("Machine"), "{lines:?}");
}

#[test]
fn settings_get_and_set() {
    let local = Local::start();
    let settings = local.json(&["settings", "get"]);
    assert_eq!(settings["port_configs"][0]["internal_port"], 7777);
    local.json(&["settings", "set", "--env", "MODE=ranked"]);
    let changed = local.json(&["settings", "set", "--env", "REGION_HINT=eu"]);
    assert_eq!(changed["environment_variables"]["MODE"], "ranked", "kept");
    assert_eq!(changed["environment_variables"]["REGION_HINT"], "eu");
    local
        .playflow(&["settings", "set"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("--env"));
}

#[test]
fn lobbies_browse_lists_public_lobbies() {
    let local = Local::start();
    let game = Client::builder(ClientKey::new(local.emulator.client_key()).unwrap())
        .base_url(local.emulator.base_url())
        .build()
        .unwrap();
    let lobby = local
        .runtime
        .block_on(
            game.lobbies("default")
                .player("alice")
                .create("friday arena")
                .send(),
        )
        .unwrap();
    let listed = local.json(&["lobbies", "browse", "default", "--status", "waiting"]);
    assert_eq!(listed[0]["id"], lobby.id.as_str());
    local
        .with_key(
            local.emulator.client_key(),
            &["lobbies", "browse", "default"],
        )
        .assert()
        .success()
        .stdout(predicate::str::contains("friday arena"));
    let none = local.json(&["lobbies", "browse", "default", "--status", "in_game"]);
    assert_eq!(none, serde_json::json!([]));
}

#[test]
fn exit_codes_say_what_went_wrong() {
    let local = Local::start();
    // No key: 3, and what to do.
    cargo_bin_cmd!("playflow")
        .env_remove("PLAYFLOW_API_KEY")
        .env("PLAYFLOW_BASE_URL", local.emulator.base_url())
        .args(["servers", "ls"])
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("PLAYFLOW_API_KEY is not set")
                .and(predicate::str::contains("export")),
        );
    // A malformed key: 3, without echoing it.
    local
        .with_key("not-a-key-12345678", &["servers", "ls"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("12345678").not());
    // A wrong key: 5.
    local
        .with_key("pf_0000000000000000000000000000", &["servers", "ls"])
        .assert()
        .code(5);
    // An unknown server: 4, with how to list them.
    local
        .playflow(&["servers", "get", "no-such-server"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("servers ls"));
    // A client key on builds: 5, saying which key is needed.
    local
        .with_key(local.emulator.client_key(), &["builds", "ls"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("server key"));
    // But a client key may list servers.
    local
        .with_key(local.emulator.client_key(), &["servers", "ls"])
        .assert()
        .success();
    // Plain http to a remote host: 3.
    local
        .playflow(&["--base-url", "http://example.com", "servers", "ls"])
        .assert()
        .code(3);
    // Usage errors: clap's 2.
    local
        .playflow(&["servers", "start", "--name", "x"])
        .assert()
        .code(2);
    local
        .playflow(&[
            "servers", "start", "--name", "x", "--region", "eu-west", "--ttl", "soon",
        ])
        .assert()
        .code(2);
    // Nothing listening: 7.
    local
        .playflow(&["--base-url", "http://127.0.0.1:9", "servers", "ls"])
        .assert()
        .code(7);
    // Every error is one line on stderr, nothing on stdout.
    local
        .playflow(&["servers", "get", "no-such-server"])
        .assert()
        .stdout("")
        .stderr(predicate::function(|err: &str| {
            err.trim().lines().count() == 1
        }));
}

/// An unreachable API: one line with every cause once, down to the OS's own words.
#[test]
fn an_unreachable_api_prints_the_whole_chain_once() {
    let local = Local::start();
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", free.local_addr().unwrap());
    drop(free);
    let output = local
        .playflow(&["--base-url", &url, "servers", "get", "s-1"])
        .assert()
        .code(7)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("could not connect (in get_server)"), "{err}");
    assert!(err.to_lowercase().contains("connection refused"), "{err}");
    assert_eq!(err.matches("error sending request").count(), 1, "{err}");
}

#[test]
fn help_documents_the_exit_codes() {
    cargo_bin_cmd!("playflow")
        .arg("--help")
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Exit codes").and(predicate::str::contains("4  not found")),
        );
}

#[test]
fn the_emulator_command_serves_the_api_and_prints_its_keys() {
    let mut child = StdCommand::new(env!("CARGO_BIN_EXE_playflow"))
        .args(["emulator", "--port", "0", "--time-scale", "100"])
        .env_remove("PLAYFLOW_API_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let banner = read_lines(&mut child, 6);
    let value = |label: &str| {
        banner
            .iter()
            .find_map(|line| line.strip_prefix(label))
            .map(|rest| rest.trim().to_owned())
            .unwrap_or_else(|| panic!("no `{label}` in {banner:?}"))
    };
    let url = value("base URL:");
    let key = value("server key:");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(value("client key:").starts_with("pfclient_"));
    cargo_bin_cmd!("playflow")
        .env("PLAYFLOW_API_KEY", &key)
        .env("PLAYFLOW_BASE_URL", &url)
        .args(["--json", "builds", "ls"])
        .timeout(Duration::from_secs(30))
        .assert()
        .success()
        .stdout(predicate::str::contains("[]"));
    child.kill().unwrap();
    let _ = child.wait();
}

/// `playflow ARGS` as a child whose stdout the test reads line by line.
fn spawn(local: &Local, args: &[&str]) -> Child {
    StdCommand::new(env!("CARGO_BIN_EXE_playflow"))
        .env("PLAYFLOW_API_KEY", local.emulator.server_key())
        .env("PLAYFLOW_BASE_URL", local.emulator.base_url())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// The first `count` lines of a child's stdout, within 20 s.
fn read_lines(child: &mut Child, count: usize) -> Vec<String> {
    let stdout = child.stdout.take().unwrap();
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    (0..count)
        .map(|_| {
            receiver
                .recv_timeout(Duration::from_secs(20))
                .expect("a line within 20 s")
        })
        .collect()
}
