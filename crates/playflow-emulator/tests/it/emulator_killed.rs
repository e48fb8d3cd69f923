//! `kill -9` of an emulator process ends its game processes too (the kernel's parent-death
//! signal): no game server outlives the emulator that started it.

use std::io::BufRead as _;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;

use crate::processes::{PATIENCE, alive, echo_zip, udp_echo};

const STANDALONE: &str = env!("CARGO_BIN_EXE_playflow-emulator-standalone");

/// Kills the child emulator if the test fails before it does.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn call(
    http: &reqwest::Client,
    base: &str,
    key: &str,
    method: Method,
    path: &str,
    body: Option<serde_json::Value>,
) -> serde_json::Value {
    let mut request = http
        .request(method, format!("{base}{path}"))
        .header("api-key", key);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("the emulator answers");
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_of_the_emulator_process_ends_its_game_processes() {
    let mut child = Child(
        std::process::Command::new(STANDALONE)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("the standalone emulator starts"),
    );
    let mut banner = String::new();
    std::io::BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut banner)
        .unwrap();
    let (base, key) = banner.trim().split_once(' ').expect("`<url> <key>`");
    let http = reqwest::Client::new();

    let url = call(
        &http,
        base,
        key,
        Method::POST,
        "/api/v3/builds/upload-url?name=echo",
        None,
    )
    .await;
    let put = http
        .put(url["upload_url"].as_str().unwrap())
        .body(echo_zip())
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success());
    let build = url["build_id"].as_str().unwrap();
    let start = Instant::now();
    while call(
        &http,
        base,
        key,
        Method::GET,
        &format!("/api/v3/builds/{build}"),
        None,
    )
    .await["status"]
        != "ready"
    {
        assert!(start.elapsed() < PATIENCE, "the build never got ready");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let server = call(
        &http,
        base,
        key,
        Method::POST,
        "/api/v3/servers/start",
        Some(json!({"name": "doomed", "region": "eu-west", "version_tag": "echo"})),
    )
    .await;
    let id = server["instance_id"].as_str().unwrap();
    let (game, pid) = loop {
        let server = call(
            &http,
            base,
            key,
            Method::GET,
            &format!("/api/v3/servers/{id}"),
            None,
        )
        .await;
        if server["status"] == "running" {
            let logs = call(
                &http,
                base,
                key,
                Method::GET,
                &format!("/api/v3/servers/{id}/logs"),
                None,
            )
            .await
            .to_string();
            let pid: u32 = logs
                .split("Game process ")
                .nth(1)
                .and_then(|rest| rest.split(' ').next())
                .and_then(|pid| pid.parse().ok())
                .unwrap_or_else(|| panic!("a pid in {logs}"));
            let port = &server["network_ports"][0];
            let game: std::net::SocketAddr = format!(
                "{}:{}",
                port["host"].as_str().unwrap(),
                port["external_port"]
            )
            .parse()
            .unwrap();
            break (game, pid);
        }
        assert!(start.elapsed() < PATIENCE, "the server never ran");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(udp_echo(game, b"alive").await, b"alive");
    assert!(alive(pid));

    // `Child::kill` is SIGKILL on Unix: the emulator gets no chance to clean up.
    child.0.kill().unwrap();
    let _ = child.0.wait();
    let killed = Instant::now();
    while alive(pid) {
        assert!(
            killed.elapsed() < Duration::from_secs(5),
            "game process {pid} outlived its kill -9'd emulator"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
