//! Two servers of one build on the same internal port.

use playflow_runner::{Event, Runner, RunnerConfig};

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_bind_the_same_internal_port_side_by_side() {
    let root = tempfile::tempdir().unwrap();
    let runner = runner();
    let spec = |name| {
        echo_spec(root.path(), name, "--udp 7777 --tcp 7777")
            .port(udp("game", 7777))
            .port(tcp("game-tcp", 7777))
    };
    let mut first = runner.start(spec("first")).await.unwrap();
    let mut second = runner.start(spec("second")).await.unwrap();
    until_listening(&mut first).await;
    until_listening(&mut second).await;
    let (a, b) = (
        first.port("game").unwrap().external,
        second.port("game").unwrap().external,
    );
    assert_ne!(a, b);
    assert_eq!(udp_echo(a, b"to first").await, b"to first");
    assert_eq!(udp_echo(b, b"to second").await, b"to second");
    for server in [&first, &second] {
        let stream = tokio::net::TcpStream::connect(server.port("game-tcp").unwrap().external)
            .await
            .unwrap();
        assert_eq!(stream_echo(stream, b"tcp").await, b"tcp");
    }

    // Each external port leads to its own process: stopping the first leaves the second.
    first.stop(std::time::Duration::from_secs(5)).await;
    assert!(!udp_answers(a).await, "the stopped server still answers");
    assert_eq!(udp_echo(b, b"still here").await, b"still here");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_host_reports_the_second_servers_bind_failure() {
    let root = tempfile::tempdir().unwrap();
    let runner = Runner::new(RunnerConfig::default().force_shared_host(true)).unwrap();
    assert!(!runner.isolation().is_isolated());
    assert!(
        runner.isolation().to_string().contains("conflict"),
        "{}",
        runner.isolation()
    );
    let port = free_port();
    let args = format!("--tcp {port}");
    let mut first = runner
        .start(echo_spec(root.path(), "first", &args).port(tcp("game", port)))
        .await
        .unwrap();
    until_listening(&mut first).await;
    let stream = tokio::net::TcpStream::connect(first.port("game").unwrap().external)
        .await
        .unwrap();
    assert_eq!(stream_echo(stream, b"shared").await, b"shared");

    let mut second = runner
        .start(echo_spec(root.path(), "second", &args).port(tcp("game", port)))
        .await
        .unwrap();
    let (events, exit) = until_exited(&mut second).await;
    assert!(
        !events.iter().any(|e| matches!(e, Event::Listening { .. })),
        "{events:?}"
    );
    assert!(!exit.success());
    let log = log_lines(&events).join("\n");
    assert!(
        log.contains("in use"),
        "the bind failure is in the log: {log}"
    );
}

/// Two servers on one port, echoing over UDP and TCP, with `runner`; then both stopped and gone
/// (socket helpers included: the whole group).
async fn two_servers_side_by_side(runner: &Runner) {
    let root = tempfile::tempdir().unwrap();
    let spec = |name| {
        echo_spec(root.path(), name, "--udp 7777 --tcp 7777")
            .port(udp("game", 7777))
            .port(tcp("game-tcp", 7777))
    };
    let mut first = runner.start(spec("first")).await.unwrap();
    let mut second = runner.start(spec("second")).await.unwrap();
    until_listening(&mut first).await;
    until_listening(&mut second).await;
    for server in [&first, &second] {
        let game = server.port("game").unwrap().external;
        assert_eq!(udp_echo(game, b"udp").await, b"udp");
        let stream = tokio::net::TcpStream::connect(server.port("game-tcp").unwrap().external)
            .await
            .unwrap();
        assert_eq!(stream_echo(stream, b"tcp").await, b"tcp");
    }
    let pgids = [first.pid(), second.pid()];
    first.stop(std::time::Duration::from_secs(5)).await;
    second.stop(std::time::Duration::from_secs(5)).await;
    for pgid in pgids {
        for _ in 0..100 {
            if group_members(pgid).is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(
            group_members(pgid),
            Vec::<u32>::new(),
            "group {pgid} left processes"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_namespaces_isolate_servers_too() {
    let runner = Runner::new(RunnerConfig::default().prefer_user_namespaces(true)).unwrap();
    assert_eq!(
        runner.isolation(),
        &playflow_runner::Isolation::UserNamespaces
    );
    two_servers_side_by_side(&runner).await;
}

/// The helper mode: run as an unprivileged user by `without_root_user_namespaces_are_used`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a helper run by without_root_user_namespaces_are_used"]
async fn helper_unprivileged() {
    if std::env::var_os("PLAYFLOW_RUNNER_HELPER").is_none() {
        return;
    }
    assert_ne!(
        nix::unistd::geteuid().as_raw(),
        0,
        "the helper runs unprivileged"
    );
    let runner = Runner::new(RunnerConfig::default()).unwrap();
    assert_eq!(
        runner.isolation(),
        &playflow_runner::Isolation::UserNamespaces,
        "{}",
        runner.isolation()
    );
    two_servers_side_by_side(&runner).await;
    println!("UNPRIVILEGED_OK");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_root_user_namespaces_are_used() {
    // The test binary re-run as `nobody`; it must be able to reach the binaries.
    let output = tokio::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(std::env::current_exe().unwrap())
        .args([
            "isolation::helper_unprivileged",
            "--exact",
            "--ignored",
            "--nocapture",
        ])
        .env("PLAYFLOW_RUNNER_HELPER", "1")
        .env("TMPDIR", "/tmp")
        .output()
        .await
        .expect("setpriv (util-linux) runs the unprivileged helper");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("UNPRIVILEGED_OK"),
        "stdout: {stdout}\nstderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}
