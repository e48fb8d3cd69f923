//! Docker-image builds in `GameServers::Processes`: run through the container CLI with the
//! documented inputs and their ports published on loopback, or `stopped` saying why. The CLI is
//! a fake `docker` (a shell script) that records its command line and environment and runs the
//! echo server on the published ports, so the exact command and the ports are both checked
//! without a daemon.

use std::path::{Path, PathBuf};
use std::time::Duration;

use playflow_emulator::{Emulator, GameServers};
use reqwest::Method;
use serde_json::{Value, json};

use crate::processes::{Api, ECHO, external, id_of, udp_echo};

/// A fake `docker` in a temporary folder; what it was called with lands next to it.
struct FakeDocker {
    folder: tempfile::TempDir,
}

impl FakeDocker {
    fn new(daemon_up: bool) -> FakeDocker {
        use std::os::unix::fs::PermissionsExt as _;
        let folder = tempfile::tempdir().unwrap();
        let dir = folder.path().display();
        let info = if daemon_up {
            "echo 'Server Version: 28.2.2 (fake)'; exit 0".to_owned()
        } else {
            "echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2; exit 1".to_owned()
        };
        let script = format!(
            r#"#!/bin/sh
case "$1" in
  info) {info} ;;
  rm) printf '%s\n' "$@" >> '{dir}/rm.argv'; exit 0 ;;
  run)
    printf '%s\n' "$@" > '{dir}/run.argv'
    env > '{dir}/run.env'
    ports=""; previous=""
    for arg in "$@"; do
      if [ "$previous" = "-p" ]; then
        external=$(echo "$arg" | cut -d: -f2)
        ports="$ports --${{arg##*/}} $external"
      fi
      previous=$arg
    done
    echo "fake docker: publishing$ports"
    exec '{echo}' $ports ;;
esac
echo "fake docker: unexpected $1" >&2
exit 64
"#,
            echo = ECHO
        );
        let cli = folder.path().join("docker");
        std::fs::write(&cli, script).unwrap();
        std::fs::set_permissions(&cli, std::fs::Permissions::from_mode(0o755)).unwrap();
        FakeDocker { folder }
    }

    fn cli(&self) -> PathBuf {
        self.folder.path().join("docker")
    }

    fn recorded(&self, name: &str) -> Option<String> {
        std::fs::read_to_string(self.folder.path().join(name)).ok()
    }
}

async fn emulator_with(cli: &Path) -> Emulator {
    Emulator::builder()
        .game_servers(GameServers::Processes)
        .build_processing_delay(Duration::ZERO)
        .launch_timeout(Duration::from_secs(5))
        .rate_limits(10_000, 10_000)
        .container_cli(cli)
        .start()
        .await
        .expect("the emulator starts")
}

async fn image_build(api: &Api<'_>, emulator: &Emulator) {
    api.call(
        Method::POST,
        "/api/v3/builds/docker-image",
        Some(json!({"name": "image", "image_url": "ghcr.io/acme/arena:1.0"})),
    )
    .await;
    emulator.advance(Duration::from_secs(600));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_docker_image_build_runs_through_the_container_cli_with_its_inputs_and_ports() {
    let docker = FakeDocker::new(true);
    let emulator = emulator_with(&docker.cli()).await;
    let api = Api::new(&emulator);
    image_build(&api, &emulator).await;
    let started = api
        .start(
            "image",
            json!({
                "startup_args": "-map forest",
                "environment_variables": {"MODE": "ranked"},
                "port_configs": [
                    {"name": "game", "internal_port": 7777, "protocol": "udp"},
                    {"name": "admin", "internal_port": 7778, "protocol": "tcp"},
                ],
            }),
        )
        .await;
    let id = id_of(&started);
    let running = api.status_becomes(&id, "running").await;
    let (game, admin) = (external(&running, "game"), external(&running, "admin"));
    assert_eq!(
        external(&started, "game"),
        game,
        "the ports are known at start"
    );
    let argv: Vec<String> = docker
        .recorded("run.argv")
        .expect("`docker run` was called")
        .lines()
        .map(str::to_owned)
        .collect();
    let expected: Vec<String> = [
        "run".to_owned(),
        "--rm".to_owned(),
        "--name".to_owned(),
        format!("playflow-{id}-1"),
        "--label".to_owned(),
        format!("io.playflow.runner={}", std::process::id()),
        "-e".to_owned(),
        "PLAYFLOW_STARTUP_ARGS".to_owned(),
        "-e".to_owned(),
        "MODE".to_owned(),
        "-p".to_owned(),
        format!("127.0.0.1:{}:7777/udp", game.port()),
        "-p".to_owned(),
        format!("127.0.0.1:{}:7778/tcp", admin.port()),
        "ghcr.io/acme/arena:1.0".to_owned(),
        "-map".to_owned(),
        "forest".to_owned(),
    ]
    .into();
    assert_eq!(argv, expected);
    // Values reach the CLI through its environment (`-e NAME`), never its command line.
    let env = docker.recorded("run.env").unwrap();
    assert!(env.lines().any(|line| line == "MODE=ranked"), "{env}");
    assert!(
        env.lines()
            .any(|line| line == "PLAYFLOW_STARTUP_ARGS=-map forest"),
        "{env}"
    );

    assert_eq!(udp_echo(game, b"ping").await, b"ping");
    {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let mut tcp = tokio::net::TcpStream::connect(admin).await.unwrap();
        tcp.write_all(b"hello").await.unwrap();
        let mut back = [0u8; 5];
        tcp.read_exact(&mut back).await.unwrap();
        assert_eq!(&back, b"hello");
    }
    let logs = api.log_text(&id).await;
    assert!(logs.contains("fake docker: publishing"), "{logs}");

    api.call(Method::DELETE, &format!("/api/v3/servers/{id}"), None)
        .await;
    api.until("the container removed", async || {
        docker
            .recorded("rm.argv")
            .filter(|rm| rm.contains(&format!("rm\n-f\nplayflow-{id}-1\n")))
    })
    .await;
    api.until("the game port closed", async || {
        tokio::net::TcpStream::connect(admin)
            .await
            .is_err()
            .then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_container_daemon_docker_image_servers_end_stopped_saying_why() {
    let docker = FakeDocker::new(false);
    let emulator = emulator_with(&docker.cli()).await;
    let api = Api::new(&emulator);
    image_build(&api, &emulator).await;
    let id = id_of(&api.start("image", json!({})).await);
    let stopped: Value = api.status_becomes(&id, "stopped").await;
    assert_eq!(stopped["network_ports"], json!([]));
    let logs = api.log_text(&id).await;
    assert!(
        logs.contains("Docker-image build ghcr.io/acme/arena:1.0 cannot run here")
            && logs
                .contains("info` failed (exited with code 1): Cannot connect to the Docker daemon"),
        "{logs}"
    );
    assert!(docker.recorded("run.argv").is_none(), "no `docker run`");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_container_cli_is_said_too() {
    let emulator = emulator_with(Path::new("/nonexistent/docker")).await;
    let api = Api::new(&emulator);
    image_build(&api, &emulator).await;
    let id = id_of(&api.start("image", json!({})).await);
    api.status_becomes(&id, "stopped").await;
    let logs = api.log_text(&id).await;
    assert!(
        logs.contains("`/nonexistent/docker info` could not be run"),
        "{logs}"
    );
}
