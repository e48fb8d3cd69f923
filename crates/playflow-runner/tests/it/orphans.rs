//! No game process outlives its runner: dropped, or killed with SIGKILL.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_runner_kills_its_servers() {
    let root = tempfile::tempdir().unwrap();
    let runner = runner();
    let mut pids = Vec::new();
    let mut servers = Vec::new();
    for name in ["a", "b"] {
        let mut server = runner
            .start(echo_spec(root.path(), name, "--udp 7777").port(udp("game", 7777)))
            .await
            .unwrap();
        until_listening(&mut server).await;
        pids.push(server.pid());
        servers.push(server);
    }
    // The runner first, its servers still held: the runner's drop alone must end them.
    drop(runner);
    for pid in &pids {
        assert!(wait_gone(*pid).await, "game {pid} outlived its runner");
    }
    drop(servers);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_a_server_kills_its_process() {
    let root = tempfile::tempdir().unwrap();
    let runner = runner();
    let mut server = runner
        .start(echo_spec(root.path(), "a", "--udp 7777").port(udp("game", 7777)))
        .await
        .unwrap();
    until_listening(&mut server).await;
    let pid = server.pid();
    drop(server);
    assert!(wait_gone(pid).await);
}

/// The helper mode: run by `kill_9_of_the_owning_process_kills_its_servers` in a child process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a helper run by kill_9_of_the_owning_process_kills_its_servers"]
async fn helper_owning_a_server() {
    if std::env::var_os("PLAYFLOW_RUNNER_HELPER").is_none() {
        return;
    }
    let root = tempfile::tempdir().unwrap();
    let runner = if std::env::var_os("PLAYFLOW_RUNNER_HELPER_USERNS").is_some() {
        playflow_runner::Runner::new(
            playflow_runner::RunnerConfig::default().prefer_user_namespaces(true),
        )
        .unwrap()
    } else {
        runner()
    };
    let mut server = runner
        .start(echo_spec(root.path(), "a", "--udp 7777").port(udp("game", 7777)))
        .await
        .unwrap();
    until_listening(&mut server).await;
    println!("GAME_PID={}", server.pid());
    tokio::time::sleep(Duration::from_secs(600)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_of_the_owning_process_kills_its_servers() {
    kill_9_of_the_owner(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_of_the_owning_process_kills_its_servers_in_user_namespaces() {
    kill_9_of_the_owner(true).await;
}

async fn kill_9_of_the_owner(user_namespaces: bool) {
    let mut command = Command::new(std::env::current_exe().unwrap());
    if user_namespaces {
        command.env("PLAYFLOW_RUNNER_HELPER_USERNS", "1");
    }
    let mut helper = command
        .args([
            "orphans::helper_owning_a_server",
            "--exact",
            "--ignored",
            "--nocapture",
        ])
        .env("PLAYFLOW_RUNNER_HELPER", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = helper.stdout.take().unwrap();
    let pid = tokio::task::spawn_blocking(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .find_map(|line| {
                line.strip_prefix("GAME_PID=")
                    .map(|p| p.parse::<u32>().unwrap())
            })
    })
    .await
    .unwrap()
    .expect("the helper printed its game's pid");
    assert!(!process_gone(pid), "the game runs before the kill");
    helper.kill().unwrap(); // SIGKILL: no destructor runs in the helper
    helper.wait().unwrap();
    assert!(
        wait_gone(pid).await,
        "game {pid} outlived the kill -9 of its runner's process"
    );
    // Its whole group too (in user namespaces: the socket helper).
    for _ in 0..100 {
        if group_members(pid).is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(group_members(pid), Vec::<u32>::new());
}
