//! What issue 15 found rough in the CLI: a closed stdout, durations, wide characters, `--json`
//! with `--wait`, the emulator's options and banner, the base-URL error, shell completions.

use std::process::{Command as StdCommand, Stdio};

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;
use serde_json::Value;
use unicode_width::UnicodeWidthStr as _;

use crate::{Local, read_lines, zip_at};

#[test]
fn a_closed_stdout_ends_every_listing_quietly() {
    let local = Local::start();
    local.ready_build();
    local.running_server("piped");
    for args in [
        &["builds", "ls"][..],
        &["--json", "builds", "ls"],
        &["servers", "ls"],
        &["--json", "servers", "ls", "--all"],
        &["lobbies", "browse", "default"],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        // Nobody reads: the first write gets EPIPE, as when `head` has read enough.
        drop(reader);
        let output = StdCommand::new(env!("CARGO_BIN_EXE_playflow"))
            .env("PLAYFLOW_API_KEY", local.emulator.server_key())
            .env("PLAYFLOW_BASE_URL", local.emulator.base_url())
            .args(args)
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(141), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}: nothing to say about it");
    }
}

#[test]
fn ttl_takes_combined_units() {
    let local = Local::start();
    local.ready_build();
    let server = local.json(&[
        "servers",
        "start",
        "--name",
        "long",
        "--region",
        "eu-west",
        "--ttl",
        "1h30m",
        "--wait",
        "--poll-interval",
        "50ms",
        "--max-wait",
        "1m 30s",
    ]);
    assert_eq!(server["ttl"], 5400);
}

#[test]
fn tables_line_up_under_cjk_names() {
    let local = Local::start();
    for name in ["竞技场", "arena"] {
        let zip = zip_at(&local.dir.path().join("s.zip"), "Server.x86_64");
        local.json(&["builds", "upload", zip.to_str().unwrap(), "--name", name]);
    }
    let output = local.playflow(&["builds", "ls"]).assert().success();
    let text = String::from_utf8(output.get_output().stdout.clone()).unwrap();
    // The terminal column where the field after NAME (VERSION) starts, on every line. Fields
    // are separated by two spaces or more; these names hold no spaces.
    let columns: Vec<usize> = text
        .lines()
        .map(|line| {
            let mut at = 0;
            for _ in 0..2 {
                at += line[at..].find(' ').unwrap();
                at += line[at..].len() - line[at..].trim_start().len();
            }
            line[..at].width()
        })
        .collect();
    assert_eq!(columns.len(), 3, "{text}");
    assert!(
        columns.iter().all(|c| *c == columns[0]),
        "{columns:?}\n{text}"
    );
}

#[test]
fn json_wait_keeps_stdout_one_json_document() {
    let local = Local::start();
    let zip = local.server_zip();
    let output = local
        .playflow(&[
            "--json",
            "builds",
            "upload",
            zip.to_str().unwrap(),
            "--wait",
            "--poll-interval",
            "50ms",
        ])
        .assert()
        .success();
    let out = output.get_output();
    let build: Value = serde_json::from_slice(&out.stdout).expect("stdout is only JSON");
    assert_eq!(build["status"], "ready");
    // stderr is not a terminal here: no spinner frames, no notes.
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn the_emulator_takes_fixed_keys_from_the_environment_and_prints_a_json_banner() {
    let server_key = "pf_fixed_for_scripts_0001";
    let client_key = "pfclient_fixed_for_scripts_01";
    let mut child = StdCommand::new(env!("CARGO_BIN_EXE_playflow"))
        .args(["--json", "emulator", "--port", "0", "--simulate"])
        .args(["--rate-limits", "playflow", "--plan", "free"])
        .env_remove("PLAYFLOW_API_KEY")
        .env("PLAYFLOW_EMULATOR_SERVER_KEY", server_key)
        .env("PLAYFLOW_EMULATOR_CLIENT_KEY", client_key)
        .env("PLAYFLOW_EMULATOR_LOBBY_SERVER_LAYOUT", "full")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let line = read_lines(&mut child, 1).remove(0);
    let banner: Value = serde_json::from_str(&line).expect("the banner is one JSON line");
    assert_eq!(banner["server_key"], server_key);
    assert_eq!(banner["client_key"], client_key);
    assert_eq!(banner["plan"], "free");
    assert_eq!(banner["lobby_server_layout"], "full");
    assert_eq!(banner["game_servers"], "simulated");
    assert_eq!(banner["rate_limits"]["reads_per_second"], 100);
    assert_eq!(banner["rate_limits"]["writes_per_second"], 10);
    let url = banner["base_url"].as_str().unwrap();
    assert_eq!(banner["env"]["PLAYFLOW_BASE_URL"], url);
    // A script that fixed the key beforehand talks to it.
    cargo_bin_cmd!("playflow")
        .env("PLAYFLOW_API_KEY", server_key)
        .env("PLAYFLOW_BASE_URL", url)
        .args(["--json", "builds", "ls"])
        .assert()
        .success()
        .stdout(predicate::str::contains("[]"));
    child.kill().unwrap();
    let _ = child.wait();
}

#[test]
fn the_emulator_has_no_rate_limits_by_default_and_scales_them_on_request() {
    let banner = |extra: &[&str]| -> Value {
        let mut child = StdCommand::new(env!("CARGO_BIN_EXE_playflow"))
            .args(["--json", "emulator", "--port", "0", "--simulate"])
            .args(extra)
            .env_remove("PLAYFLOW_EMULATOR_RATE_LIMITS")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let line = read_lines(&mut child, 1).remove(0);
        child.kill().unwrap();
        let _ = child.wait();
        serde_json::from_str(&line).unwrap()
    };
    assert_eq!(banner(&[])["rate_limits"], Value::Null);
    let scaled = banner(&["--time-scale", "30", "--rate-limits", "scaled"]);
    assert_eq!(scaled["rate_limits"]["reads_per_second"], 3000);
    assert_eq!(scaled["rate_limits"]["writes_per_second"], 300);
    let fixed = banner(&["--rate-limits", "40/4"]);
    assert_eq!(fixed["rate_limits"]["writes_per_second"], 4);
}

#[test]
fn a_default_emulator_serves_a_burst_of_writes_without_429() {
    let mut child = StdCommand::new(env!("CARGO_BIN_EXE_playflow"))
        .args(["--json", "emulator", "--port", "0", "--simulate"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let banner: Value = serde_json::from_str(&read_lines(&mut child, 1).remove(0)).unwrap();
    let url = banner["base_url"].as_str().unwrap().to_owned();
    let key = banner["server_key"].as_str().unwrap().to_owned();
    // 30 writes as fast as a client sends them: PlayFlow's 10 a second would refuse most.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let refused = runtime.block_on(raw_writes(&url, &key));
    child.kill().unwrap();
    let _ = child.wait();
    assert_eq!(refused, 0);
}

/// Sends 30 restarts (writes; of no server, so 404 unless refused first) straight over HTTP/1.1 (no client-side pacing) and counts 429s.
async fn raw_writes(url: &str, key: &str) -> usize {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let address = url.trim_start_matches("http://").trim_end_matches('/');
    let mut refused = 0;
    for _ in 0..30 {
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        let body = "{}";
        let request = format!(
            "POST /api/v3/servers/no-such-server/restart HTTP/1.1\r\nhost: {address}\r\napi-key: {key}\r\n\
             content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.unwrap();
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with("HTTP/1.1 "), "{answer}");
        if answer.starts_with("HTTP/1.1 429") {
            refused += 1;
        }
    }
    refused
}

#[test]
fn the_base_url_error_names_the_flag_and_the_variable() {
    cargo_bin_cmd!("playflow")
        .env("PLAYFLOW_API_KEY", "pf_0000000000000000000000000000")
        .args(["--base-url", "http://example.com", "servers", "ls"])
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("PLAYFLOW_BASE_URL")
                .and(predicate::str::contains("--base-url"))
                .and(predicate::str::contains("allow_insecure_http").not()),
        );
}

#[test]
fn completions_for_each_shell_name_the_subcommands() {
    for shell in ["bash", "zsh", "fish"] {
        let output = cargo_bin_cmd!("playflow")
            .args(["completions", shell])
            .assert()
            .success();
        let script = String::from_utf8_lossy(&output.get_output().stdout).into_owned();
        assert!(
            script.contains("servers") && script.contains("emulator"),
            "{shell}"
        );
    }
}

#[test]
fn a_wait_on_a_terminal_shows_a_spinner_with_the_status() {
    // `script` (util-linux) gives the command a terminal, as a person's shell would.
    if !std::path::Path::new("/usr/bin/script").exists() {
        eprintln!("no /usr/bin/script on this machine: the terminal case is not run");
        return;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emulator = runtime
        .block_on(
            playflow_emulator::Emulator::builder()
                .build_processing_delay(std::time::Duration::from_millis(10))
                .server_launch_delay(std::time::Duration::from_secs(2))
                .start(),
        )
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let zip = zip_at(&dir.path().join("s.zip"), "Server.x86_64");
    let run = |args: &str| {
        let command = format!("{} {args}", env!("CARGO_BIN_EXE_playflow"));
        StdCommand::new("/usr/bin/script")
            .args(["-qec", &command, "/dev/null"])
            .env("PLAYFLOW_API_KEY", emulator.server_key())
            .env("PLAYFLOW_BASE_URL", emulator.base_url())
            .env("TERM", "xterm")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let upload = run(&format!(
        "builds upload {} --wait --poll-interval 50ms",
        zip.display()
    ));
    assert!(upload.status.success(), "{upload:?}");
    let start = run("servers start --name spin --region eu-west --wait --poll-interval 200ms");
    let seen = String::from_utf8_lossy(&start.stdout);
    assert!(start.status.success(), "{seen}");
    assert!(seen.contains("waiting for server"), "{seen}");
    assert!(
        seen.contains(": launching ("),
        "the status and the clock: {seen}"
    );
    assert!(
        seen.contains("status    running"),
        "then the result: {seen}"
    );
}
