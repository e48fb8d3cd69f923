//! `GameServers::Processes`: uploaded ZIP builds run for real (the echo server of
//! `playflow_runner::echo`), reachable at the reported `host:external_port`, their lifecycle
//! following the process.

use std::time::{Duration, Instant};

use playflow_emulator::{Emulator, GameServers};
use serde_json::{Value, json};

pub(crate) const ECHO: &str = env!("CARGO_BIN_EXE_playflow-emulator-echo");
/// Upper bound of any one wait (wall clock).
pub(crate) const PATIENCE: Duration = Duration::from_secs(20);

pub(crate) async fn emulator() -> Emulator {
    Emulator::builder()
        .game_servers(GameServers::Processes)
        .build_processing_delay(Duration::ZERO)
        .launch_timeout(Duration::from_secs(2))
        .rate_limits(10_000, 10_000)
        .start()
        .await
        .expect("the emulator starts")
}

pub(crate) struct Api<'e> {
    emulator: &'e Emulator,
    http: reqwest::Client,
}

impl Api<'_> {
    pub(crate) fn new(emulator: &Emulator) -> Api<'_> {
        Api {
            emulator,
            http: reqwest::Client::new(),
        }
    }

    pub(crate) async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Value {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.emulator.base_url()))
            .header("api-key", self.emulator.server_key());
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the emulator answers");
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{path}: {status} {body}");
        body
    }

    /// Uploads `archive` as build `name` and waits for its processing; returns the build.
    pub(crate) async fn upload(&self, name: &str, archive: Vec<u8>) -> Value {
        let url = self
            .call(
                reqwest::Method::POST,
                &format!("/api/v3/builds/upload-url?name={name}"),
                None,
            )
            .await;
        let put = self
            .http
            .put(url["upload_url"].as_str().expect("an upload URL"))
            .body(archive)
            .send()
            .await
            .expect("upload");
        assert!(put.status().is_success());
        let id = url["build_id"].as_str().expect("a build id").to_owned();
        self.until(&format!("build {id} processed"), async || {
            let build = self
                .call(reqwest::Method::GET, &format!("/api/v3/builds/{id}"), None)
                .await;
            (build["status"] != "processing" && build["status"] != "uploading").then_some(build)
        })
        .await
    }

    pub(crate) async fn start(&self, build: &str, extra: Value) -> Value {
        let mut body = json!({"name": "match-1", "region": "eu-west", "version_tag": build});
        if let (Value::Object(body), Value::Object(extra)) = (&mut body, extra) {
            body.extend(extra);
        }
        self.call(reqwest::Method::POST, "/api/v3/servers/start", Some(body))
            .await
    }

    pub(crate) async fn server(&self, id: &str) -> Value {
        self.call(reqwest::Method::GET, &format!("/api/v3/servers/{id}"), None)
            .await
    }

    pub(crate) async fn status_becomes(&self, id: &str, status: &str) -> Value {
        self.until(&format!("server {id} {status}"), async || {
            let server = self.server(id).await;
            (server["status"] == status).then_some(server)
        })
        .await
    }

    pub(crate) async fn log_text(&self, id: &str) -> String {
        let logs = self
            .call(
                reqwest::Method::GET,
                &format!("/api/v3/servers/{id}/logs?limit=1000"),
                None,
            )
            .await;
        logs["logs"]
            .as_array()
            .map(|lines| {
                lines
                    .iter()
                    .map(|line| line["message"].as_str().unwrap_or_default().to_owned())
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default()
    }

    pub(crate) async fn until<T>(
        &self,
        what: &str,
        mut check: impl AsyncFnMut() -> Option<T>,
    ) -> T {
        let start = Instant::now();
        loop {
            if let Some(value) = check().await {
                return value;
            }
            assert!(start.elapsed() < PATIENCE, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

pub(crate) fn echo_zip() -> Vec<u8> {
    let binary = std::fs::read(ECHO).expect("the echo server binary");
    zip_with(&[("Server.x86_64", &binary)])
}

pub(crate) fn zip_with(files: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write as _;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().unix_permissions(0o755);
    for (name, contents) in files {
        zip.start_file(*name, options).unwrap();
        zip.write_all(contents).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

pub(crate) fn external(server: &Value, name: &str) -> std::net::SocketAddr {
    let port = server["network_ports"]
        .as_array()
        .and_then(|ports| ports.iter().find(|port| port["name"] == name))
        .unwrap_or_else(|| panic!("port {name} in {server}"));
    format!(
        "{}:{}",
        port["host"].as_str().unwrap(),
        port["external_port"].as_i64().unwrap()
    )
    .parse()
    .unwrap()
}

pub(crate) async fn udp_echo(address: std::net::SocketAddr, payload: &[u8]) -> Vec<u8> {
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let mut buffer = [0u8; 1500];
    for _ in 0..50 {
        socket.send_to(payload, address).await.unwrap();
        if let Ok(Ok((size, _))) =
            tokio::time::timeout(Duration::from_millis(200), socket.recv_from(&mut buffer)).await
        {
            return buffer[..size].to_vec();
        }
    }
    panic!("no echo from {address}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn udp_and_tcp_echo_through_the_reported_ports() {
    let emulator = emulator().await;
    let api = Api::new(&emulator);
    assert_eq!(api.upload("echo", echo_zip()).await["status"], "ready");
    let started = api
        .start(
            "echo",
            json!({
                "startup_args": "--udp 7777 --tcp 7778",
                "port_configs": [
                    {"name": "game", "internal_port": 7777, "protocol": "udp"},
                    {"name": "admin", "internal_port": 7778, "protocol": "tcp"},
                ],
            }),
        )
        .await;
    assert_eq!(started["status"], "launching");
    let id = started["instance_id"].as_str().unwrap().to_owned();
    let running = api.status_becomes(&id, "running").await;
    assert_eq!(external(&running, "game"), external(&started, "game"));
    assert_eq!(udp_echo(external(&running, "game"), b"ping").await, b"ping");

    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut tcp = tokio::net::TcpStream::connect(external(&running, "admin"))
        .await
        .unwrap();
    tcp.write_all(b"hello").await.unwrap();
    let mut back = [0u8; 5];
    tcp.read_exact(&mut back).await.unwrap();
    assert_eq!(&back, b"hello");

    let logs = api.log_text(&id).await;
    assert!(
        logs.contains("echo server: listening on udp 7777"),
        "{logs}"
    );
    // The process's own memory, not the simulation's wave.
    let metrics = api
        .call(
            reqwest::Method::GET,
            &format!("/api/v3/servers/{id}/metrics?period=5m&step=15s"),
            None,
        )
        .await;
    let memory = metrics["memory"][0]["value"]
        .as_f64()
        .unwrap_or_else(|| panic!("{metrics}"));
    assert!(memory > 0.0 && memory < 200.0, "{metrics}");

    api.call(
        reqwest::Method::DELETE,
        &format!("/api/v3/servers/{id}"),
        None,
    )
    .await;
    assert_eq!(api.server(&id).await["status"], "stopped");
    api.until("the game port closed", async || {
        tcp_refused(external(&running, "admin")).await.then_some(())
    })
    .await;
}

async fn tcp_refused(address: std::net::SocketAddr) -> bool {
    tokio::net::TcpStream::connect(address).await.is_err()
}

pub(crate) async fn echo_build(api: &Api<'_>) {
    assert_eq!(api.upload("echo", echo_zip()).await["status"], "ready");
}

pub(crate) fn id_of(server: &Value) -> String {
    server["instance_id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_the_same_internal_port_each_answer_at_their_own_port() {
    let emulator = emulator().await;
    let api = Api::new(&emulator);
    echo_build(&api).await;
    let first = id_of(&api.start("echo", json!({})).await);
    let second = id_of(&api.start("echo", json!({})).await);
    let first = api.status_becomes(&first, "running").await;
    let second = api.status_becomes(&second, "running").await;
    assert_ne!(external(&first, "game"), external(&second, "game"));
    assert_eq!(udp_echo(external(&first, "game"), b"one").await, b"one");
    assert_eq!(udp_echo(external(&second, "game"), b"two").await, b"two");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_stops_the_server_with_its_last_log_lines() {
    let emulator = emulator().await;
    let api = Api::new(&emulator);
    echo_build(&api).await;
    let id = id_of(
        &api.start(
            "echo",
            json!({"startup_args": "--udp 7777 --crash-after-ms 300"}),
        )
        .await,
    );
    api.status_becomes(&id, "running").await;
    let stopped = api.status_becomes(&id, "stopped").await;
    assert_eq!(stopped["network_ports"], json!([]));
    let logs = api.log_text(&id).await;
    assert!(logs.contains("fatal error: crashing on purpose"), "{logs}");
    assert!(logs.contains("exited with code 3"), "{logs}");
    assert!(logs.contains("PROCESS_EXITED"), "{logs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_restart_starts_the_process_again() {
    let emulator = emulator().await;
    let api = Api::new(&emulator);
    echo_build(&api).await;
    let id = id_of(
        &api.start(
            "echo",
            json!({"startup_args": "--udp 7777 --crash-after-ms 300", "auto_restart": true}),
        )
        .await,
    );
    api.until("a restart after the crash", async || {
        let logs = api.log_text(&id).await;
        (logs.matches("restarting it (auto_restart)").count() >= 1
            && logs.matches("listening on udp 7777").count() >= 2)
            .then_some(())
    })
    .await;
    assert_ne!(api.server(&id).await["status"], "stopped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ttl_stops_the_process() {
    let emulator = emulator().await;
    let api = Api::new(&emulator);
    echo_build(&api).await;
    let running = api.start("echo", json!({"ttl": 60})).await;
    let id = id_of(&running);
    let running = api.status_becomes(&id, "running").await;
    let game = external(&running, "game");
    assert_eq!(udp_echo(game, b"before").await, b"before");
    emulator.advance(Duration::from_secs(61));
    api.status_becomes(&id, "stopped").await;
    api.until("the process ended", async || {
        api.log_text(&id)
            .await
            .contains("Game process killed by signal")
            .then_some(())
    })
    .await;
    assert!(api.log_text(&id).await.contains("TTL_EXPIRED"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_while_launching_and_a_launch_timeout() {
    let emulator = emulator().await;
    let api = Api::new(&emulator);
    echo_build(&api).await;
    let stuck = id_of(
        &api.start("echo", json!({"startup_args": "--no-bind"}))
            .await,
    );
    let stopped_early = id_of(
        &api.start("echo", json!({"startup_args": "--no-bind"}))
            .await,
    );
    assert_eq!(api.server(&stopped_early).await["status"], "launching");
    api.call(
        reqwest::Method::DELETE,
        &format!("/api/v3/servers/{stopped_early}"),
        None,
    )
    .await;
    assert_eq!(api.server(&stopped_early).await["status"], "stopped");
    // The launch timeout is 2 s.
    api.status_becomes(&stuck, "stopped").await;
    let logs = api.log_text(&stuck).await;
    assert!(
        logs.contains("did not listen on all its ports within 2 s"),
        "{logs}"
    );
    assert!(logs.contains("LAUNCH_TIMEOUT"), "{logs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_build_whose_executable_is_missing_or_cannot_run_fails() {
    let emulator = emulator().await;
    let api = Api::new(&emulator);
    let missing = api
        .upload("missing", zip_with(&[("game.x86_64", b"#!/bin/sh\n")]))
        .await;
    assert_eq!(missing["status"], "failed");
    build_log_says(&api, &missing, "executable `Server.x86_64` not found").await;
    // Neither a script nor a program: the kernel could not run it.
    let garbage = api
        .upload("garbage", zip_with(&[("Server.x86_64", b"not a program")]))
        .await;
    assert_eq!(garbage["status"], "failed");
    build_log_says(&api, &garbage, "`Server.x86_64` cannot be run").await;
}

/// Waits until the build's log holds `needle` (its lines are dated a millisecond apart, so
/// the last ones become visible just after the status).
async fn build_log_says(api: &Api<'_>, build: &Value, needle: &str) {
    let id = build["build_id"].as_str().unwrap();
    api.until(
        &format!("`{needle}` in the log of build {id}"),
        async || {
            let log = api
                .call(
                    reqwest::Method::GET,
                    &format!("/api/v3/builds/{id}/logs"),
                    None,
                )
                .await
                .to_string();
            log.contains(needle).then_some(())
        },
    )
    .await;
}

/// Whether a process with this id is alive (and not a zombie).
pub(crate) fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z')
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_emulator_ends_its_game_processes() {
    let emulator = emulator().await;
    let api = Api::new(&emulator);
    echo_build(&api).await;
    let id = id_of(&api.start("echo", json!({})).await);
    api.status_becomes(&id, "running").await;
    let logs = api.log_text(&id).await;
    let pid: u32 = logs
        .split("Game process ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|pid| pid.parse().ok())
        .unwrap_or_else(|| panic!("a pid in {logs}"));
    assert!(alive(pid));
    drop(api);
    drop(emulator);
    let start = Instant::now();
    while alive(pid) {
        assert!(
            start.elapsed() < PATIENCE,
            "game process {pid} outlived the emulator"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn matched_players_both_reach_the_started_game_server() {
    use playflow::{Client, ClientKey};
    let emulator = emulator().await;
    let api = Api::new(&emulator);
    // The `default` lobby configuration runs build `default`.
    assert_eq!(api.upload("default", echo_zip()).await["status"], "ready");
    let game: Client<ClientKey> = Client::builder(ClientKey::new(emulator.client_key()).unwrap())
        .base_url(emulator.base_url())
        .build()
        .unwrap();
    let lobbies = game.lobbies("default");
    let (carol, dave) = (lobbies.player("carol"), lobbies.player("dave"));
    carol.create("carol's").send().await.unwrap();
    dave.create("dave's").send().await.unwrap();
    let search = |player: &playflow::lobbies::PlayerLobby<ClientKey>| {
        player
            .find_match("1v1")
            .poll_interval(Duration::from_millis(50))
            .max_wait(PATIENCE)
    };
    let (carol_match, dave_match) = tokio::join!(search(&carol), search(&dave));
    let (carol_match, dave_match) = (carol_match.unwrap(), dave_match.unwrap());
    assert_eq!(carol_match.instance_id(), dave_match.instance_id());
    let id = carol_match.instance_id().unwrap().to_owned();
    api.status_becomes(&id, "running").await;
    for (player, found) in [("carol", &carol_match), ("dave", &dave_match)] {
        let endpoint = found.endpoints.first().expect("an endpoint");
        let address = format!("{}:{}", endpoint.host, endpoint.port)
            .parse()
            .unwrap();
        let hello = format!("{player} is here");
        assert_eq!(udp_echo(address, hello.as_bytes()).await, hello.as_bytes());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_replaces_the_process() {
    let emulator = emulator().await;
    let api = Api::new(&emulator);
    echo_build(&api).await;
    let id = id_of(&api.start("echo", json!({})).await);
    let before = external(&api.status_becomes(&id, "running").await, "game");
    assert_eq!(udp_echo(before, b"first").await, b"first");
    let restarted = api
        .call(
            reqwest::Method::POST,
            &format!("/api/v3/servers/{id}/restart"),
            Some(json!({})),
        )
        .await;
    assert_eq!(restarted["status"], "launching");
    let after = external(&api.status_becomes(&id, "running").await, "game");
    assert_eq!(udp_echo(after, b"second").await, b"second");
    let logs = api.log_text(&id).await;
    let pids: Vec<u32> = logs
        .lines()
        .filter_map(|line| line.strip_prefix("Game process ")?.strip_suffix(" started"))
        .map(|pid| pid.parse().unwrap())
        .collect();
    assert_eq!(pids.len(), 2, "{logs}");
    assert_ne!(pids[0], pids[1]);
    api.until("the first process ended", async || {
        (!alive(pids[0])).then_some(())
    })
    .await;
    assert!(alive(pids[1]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_ports_are_served_with_the_emulator_certificate() {
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, ServerName};
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let emulator = emulator().await;
    let api = Api::new(&emulator);
    echo_build(&api).await;
    let id = id_of(
        &api.start(
            "echo",
            json!({
                "startup_args": "--tcp 8443",
                "port_configs": [{"name": "secure", "internal_port": 8443, "protocol": "tcp", "tls_enabled": true}],
            }),
        )
        .await,
    );
    let running = api.status_becomes(&id, "running").await;
    let mut roots = rustls::RootCertStore::empty();
    let pem = emulator
        .certificate_pem_path()
        .expect("a certificate in process mode");
    roots
        .add(CertificateDer::from_pem_file(pem).unwrap())
        .unwrap();
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(external(&running, "secure"))
        .await
        .unwrap();
    let mut tls = connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .expect("a TLS handshake with the emulator's certificate");
    tls.write_all(b"secret").await.unwrap();
    let mut back = [0u8; 6];
    tls.read_exact(&mut back).await.unwrap();
    assert_eq!(&back, b"secret");
}
