//! Crashes, stops while launching, launch timeouts, and what the process is given.

use std::time::Duration;

use playflow_runner::{Event, Exit, GameSpec, SessionInfo, Stream};

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_ends_with_exited_after_its_last_log_lines() {
    let root = tempfile::tempdir().unwrap();
    let runner = runner();
    let spec =
        echo_spec(root.path(), "s1", "--udp 7777 --crash-after-ms 300").port(udp("game", 7777));
    let mut server = runner.start(spec).await.unwrap();
    let (events, exit) = until_exited(&mut server).await;
    assert_eq!(exit, Exit::Code(3));
    assert!(matches!(events.last(), Some(Event::Exited { .. })));
    let stdout: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Log {
                stream: Stream::Stdout,
                line,
                ..
            } => Some(line.as_str()),
            _ => None,
        })
        .collect();
    let stderr: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Log {
                stream: Stream::Stderr,
                line,
                ..
            } => Some(line.as_str()),
            _ => None,
        })
        .collect();
    assert!(
        stdout.contains(&"echo server: about to crash"),
        "{stdout:?}"
    );
    assert!(
        stderr.contains(&"echo server: fatal error: crashing on purpose"),
        "{stderr:?}"
    );
    // Timestamps are real and in order.
    let times: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::Log { at, .. } | Event::Exited { at, .. } => Some(*at),
            _ => None,
        })
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    assert!(
        server.next_event().await.is_none(),
        "Exited is the last event"
    );
    assert!(process_gone(server.pid()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_while_launching_terminates_the_process() {
    let root = tempfile::tempdir().unwrap();
    let runner = runner();
    let spec = echo_spec(root.path(), "s1", "--no-bind").port(udp("game", 7777));
    let mut server = runner.start(spec).await.unwrap();
    // It is up (it printed), but never listens.
    match tokio::time::timeout(PATIENCE, server.next_event())
        .await
        .unwrap()
    {
        Some(Event::Log { line, .. }) => assert!(line.contains("not binding"), "{line}"),
        other => panic!("expected its first log line, got {other:?}"),
    }
    let status = server.stop(Duration::from_secs(10)).await;
    assert_eq!(status, Exit::Signal(15), "SIGTERM ends the echo server");
    let (events, exit) = until_exited(&mut server).await;
    assert_eq!(exit, status);
    assert!(!events.iter().any(|e| matches!(e, Event::Listening { .. })));
    assert!(wait_gone(server.pid()).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_escalates_to_sigkill_after_the_grace_period() {
    let root = tempfile::tempdir().unwrap();
    let script = root.path().join("stubborn.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\ntrap '' TERM\necho ignoring SIGTERM\nwhile :; do sleep 1; done\n",
    )
    .unwrap();
    make_executable(&script);
    let runner = runner();
    let mut server = runner
        .start(GameSpec::new(&script, root.path().join("s1")))
        .await
        .unwrap();
    // Once the trap is set (it says so), SIGTERM does nothing to it.
    tokio::time::timeout(PATIENCE, async {
        loop {
            match server.next_event().await {
                Some(Event::Log { line, .. }) if line == "ignoring SIGTERM" => break,
                Some(Event::Listening { .. } | Event::Log { .. }) => {}
                other => panic!("{other:?}"),
            }
        }
    })
    .await
    .unwrap();
    let status = server.stop(Duration::from_millis(500)).await;
    assert_eq!(status, Exit::Signal(9));
    assert!(wait_gone(server.pid()).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_never_binds_hits_the_launch_timeout() {
    let root = tempfile::tempdir().unwrap();
    let runner = runner();
    let spec = echo_spec(root.path(), "s1", "--no-bind")
        .port(udp("game", 7777))
        .launch_timeout(Duration::from_secs(1))
        .stop_grace(Duration::from_secs(5));
    let mut server = runner.start(spec).await.unwrap();
    let (events, exit) = until_exited(&mut server).await;
    let timed_out = events
        .iter()
        .position(|e| matches!(e, Event::LaunchTimedOut { .. }))
        .expect("a LaunchTimedOut event");
    assert!(!events.iter().any(|e| matches!(e, Event::Listening { .. })));
    assert!(timed_out < events.len() - 1, "Exited comes after it");
    assert_eq!(exit, Exit::Signal(15));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_process_gets_startup_args_session_file_and_only_its_environment() {
    let root = tempfile::tempdir().unwrap();
    let script = root.path().join("Server.x86_64");
    std::fs::write(
        &script,
        "#!/bin/sh\necho \"args=$PLAYFLOW_STARTUP_ARGS\"\necho \"argv=$1|$2|$3\"\necho \"mode=$MODE\"\necho \"pwd=$(pwd)\"\ncat playflow.json; echo\nenv | grep -c '^CARGO' || true\n",
    )
    .unwrap();
    make_executable(&script);
    let runner = runner();
    let work = root.path().join("server-1");
    let spec = GameSpec::new(&script, &work)
        .startup_args("-map forest  -maxplayers")
        .env("MODE", "ranked")
        .session(SessionInfo {
            instance_id: "i-42".into(),
            region: "eu-west".into(),
            custom_data: serde_json::json!({"map": "dust2"}),
        });
    let mut server = runner.start(spec).await.unwrap();
    let (events, exit) = until_exited(&mut server).await;
    assert_eq!(exit, Exit::Code(0));
    let lines = log_lines(&events);
    assert_eq!(lines[0], "args=-map forest  -maxplayers");
    assert_eq!(lines[1], "argv=-map|forest|-maxplayers");
    assert_eq!(lines[2], "mode=ranked");
    assert_eq!(lines[3], format!("pwd={}", work.display()));
    let session: serde_json::Value = serde_json::from_str(&lines[4]).unwrap();
    assert_eq!(
        session,
        serde_json::json!({"instance_id": "i-42", "region": "eu-west", "custom_data": {"map": "dust2"}})
    );
    assert_eq!(
        lines[5], "0",
        "the runner's own environment (CARGO_*) is not passed on"
    );
}

pub fn make_executable(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}
