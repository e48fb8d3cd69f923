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
