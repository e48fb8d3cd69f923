//! Log lines across restarts of a process-mode server: the replaced process's exit is logged,
//! and every line keeps the machine (and server name) it was written under.

use reqwest::Method;
use serde_json::{Value, json};

use crate::processes::{Api, echo_build, emulator, id_of};

/// `(machine, message)` of every line of the server's log.
async fn lines(api: &Api<'_>, path: &str) -> Vec<(String, String, Value)> {
    let logs = api.call(Method::GET, path, None).await;
    logs["logs"]
        .as_array()
        .expect("a list of lines")
        .iter()
        .map(|line| {
            (
                line["instance"].as_str().unwrap_or_default().to_owned(),
                line["message"].as_str().unwrap_or_default().to_owned(),
                line["server_name"].clone(),
            )
        })
        .collect()
}

/// The machine that the line starting with `prefix` (the first one) was labelled with.
fn machine_of<'l>(lines: &'l [(String, String, Value)], prefix: &str) -> &'l str {
    lines
        .iter()
        .find(|(_, message, _)| message.starts_with(prefix))
        .map(|(machine, _, _)| machine.as_str())
        .unwrap_or_else(|| panic!("a line starting with `{prefix}` in {lines:?}"))
}

fn pid_started(lines: &[(String, String, Value)], nth: usize) -> String {
    lines
        .iter()
        .filter_map(|(_, message, _)| {
            message
                .strip_prefix("Game process ")?
                .strip_suffix(" started")
        })
        .nth(nth)
        .unwrap_or_else(|| panic!("start {nth} in {lines:?}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_two_restarts_old_lines_keep_their_machine_and_the_old_exit_is_logged() {
    let emulator = emulator().await;
    let api = Api::new(&emulator);
    echo_build(&api).await;
    let id = id_of(&api.start("echo", json!({"name": "first-name"})).await);
    let mut machines = vec![api.status_becomes(&id, "running").await];
    for name in ["second-name", "third-name"] {
        api.call(
            Method::POST,
            &format!("/api/v3/servers/{id}/restart"),
            Some(json!({"name": name})),
        )
        .await;
        machines.push(api.status_becomes(&id, "running").await);
    }
    let server_logs = format!("/api/v3/servers/{id}/logs?limit=1000");
    let machine_ids: Vec<String> = {
        let logs = api.call(Method::GET, &server_logs, None).await;
        let current = logs["machine_id"].as_str().unwrap().to_owned();
        let lines = lines(&api, &server_logs).await;
        let created: Vec<String> = lines
            .iter()
            .filter(|(_, message, _)| message.starts_with("Machine "))
            .map(|(_, message, _)| message.split(' ').nth(1).unwrap().to_owned())
            .collect();
        assert_eq!(created.len(), 3, "{lines:?}");
        assert_eq!(created[2], current);
        created
    };
    assert!(machine_ids[0] != machine_ids[1] && machine_ids[1] != machine_ids[2]);

    // Both replaced processes' exits are logged, under the machine they ran on.
    let pids: Vec<String> = {
        let lines = lines(&api, &server_logs).await;
        (0..3).map(|nth| pid_started(&lines, nth)).collect()
    };
    for (run, pid) in pids.iter().enumerate().take(2) {
        let exit = format!("Game process {pid} killed by signal");
        let lines = api
            .until(&format!("the exit of process {pid}"), async || {
                let lines = lines(&api, &server_logs).await;
                lines
                    .iter()
                    .any(|(_, message, _)| message.starts_with(&exit))
                    .then_some(lines)
            })
            .await;
        assert_eq!(machine_of(&lines, &exit), machine_ids[run]);
    }
    let lines_now = lines(&api, &server_logs).await;
    for (run, pid) in pids.iter().enumerate() {
        assert_eq!(
            machine_of(&lines_now, &format!("Game process {pid} started")),
            machine_ids[run],
            "{lines_now:?}"
        );
    }
    assert_eq!(
        machine_of(&lines_now, "echo server: listening on udp 7777"),
        machine_ids[0]
    );
    assert_eq!(
        machine_of(&lines_now, "Restart requested"),
        machine_ids[0],
        "the request is logged on the machine it replaces"
    );

    // Project logs say the same, with the server's name of the time.
    let project = lines(&api, "/api/v3/projects/logs?limit=1000&start_time=-1h").await;
    let started_first = format!("Game process {} started", pids[0]);
    let first = project
        .iter()
        .find(|(_, message, _)| *message == started_first)
        .unwrap_or_else(|| panic!("{project:?}"));
    assert_eq!(
        (first.0.as_str(), &first.2),
        (machine_ids[0].as_str(), &json!("first-name"))
    );
    let started_last = format!("Game process {} started", pids[2]);
    let last = project
        .iter()
        .find(|(_, message, _)| *message == started_last)
        .unwrap_or_else(|| panic!("{project:?}"));
    assert_eq!(
        (last.0.as_str(), &last.2),
        (machine_ids[2].as_str(), &json!("third-name"))
    );
}
