//! `playflow servers …`: start (and wait), list, get, stop, restart, logs (and follow).

use std::time::Duration;

use futures::{StreamExt as _, TryStreamExt as _};
use playflow::model::{ComputeSize, LogEntry, Server};
use playflow::servers::{ServerOutcome, StopOutcome};
use playflow::{ApiKey, Client};

use crate::args::{ServersCommand, WaitArgs};
use crate::connect::{Connection, with_any_key};
use crate::failure::{Exit, Failure, NotFoundHint as _, Outcome};
use crate::output::{Output, fields, or_dash, print, table};
use crate::wait::{configure, until_done};

const LIST: &str = "playflow servers ls --all";

/// Runs one `servers` command: start, ls and get with any key, the rest with a server key.
pub async fn run(connection: &Connection, command: ServersCommand, out: Output) -> Outcome {
    match command {
        ServersCommand::Start {
            name,
            region,
            size,
            ttl,
            version_tag,
            env,
            wait,
        } => {
            let request = StartArgs {
                name,
                region,
                size,
                ttl,
                version_tag,
                env,
            };
            with_any_key!(connection, client => start(client, request, &wait, out).await)
        }
        ServersCommand::Ls { all } => {
            with_any_key!(connection, client => list(client, all, out).await)
        }
        ServersCommand::Get { id } => {
            let server = with_any_key!(connection, client => client.servers().get(&id).await)
                .or_missing("server", &id, LIST)?;
            out.show(&server, describe)
        }
        ServersCommand::Stop { id, reason } => {
            let client = connection.server_key("servers stop")?;
            let mut stop = client.servers().stop(&id);
            if let Some(reason) = reason {
                stop = stop.reason(reason);
            }
            match stop.await? {
                StopOutcome::Stopped(answer) => {
                    out.show(&answer, |a| format!("server {id}: {}", a.status))
                }
                // A stop of something already gone is not a failure, but the caller may care.
                _ => Err(
                    Failure::new(Exit::NotFound, format!("no server `{id}` is running")).hint(
                        format!("it stopped before, or never existed; `{LIST}` lists them"),
                    ),
                ),
            }
        }
        ServersCommand::Restart { id } => {
            let client = connection.server_key("servers restart")?;
            let server = client
                .servers()
                .restart(&id, Default::default())
                .await
                .or_missing("server", &id, LIST)?;
            out.show(&server, describe)
        }
        ServersCommand::Logs { id, follow } => {
            let client = connection.server_key("servers logs")?;
            logs(client, &id, follow, out).await
        }
    }
}

/// What `servers start` asks for.
struct StartArgs {
    name: String,
    region: String,
    size: Option<String>,
    ttl: Option<Duration>,
    version_tag: Option<String>,
    env: Vec<(String, String)>,
}

async fn start<K: ApiKey>(
    client: &Client<K>,
    args: StartArgs,
    wait: &WaitArgs,
    out: Output,
) -> Outcome {
    let mut start = client.servers().start(args.name, args.region);
    if let Some(size) = args.size {
        let size: ComputeSize = size.parse().unwrap_or_else(|never| match never {});
        start = start.compute_size(size);
    }
    if let Some(ttl) = args.ttl {
        start = start.ttl(ttl);
    }
    if let Some(tag) = args.version_tag {
        start = start.version_tag(tag);
    }
    for (key, value) in args.env {
        start = start.env(key, value);
    }
    let server = start.send().await?;
    if !wait.wait {
        return out.show(&server, describe);
    }
    wait_running(client, &server.instance_id, wait, out).await
}

async fn list<K: ApiKey>(client: &Client<K>, all: bool, out: Output) -> Outcome {
    let all = client
        .servers()
        .list()
        .include_launching(all)
        .collect_all()
        .await?;
    out.show(&all, |all| {
        let rows = all
            .iter()
            .map(|s| {
                vec![
                    s.instance_id.clone(),
                    s.name.clone(),
                    s.status.to_string(),
                    or_dash(s.region.as_deref()),
                    or_dash(s.compute_size.as_deref()),
                    s.endpoints().addresses().join(" "),
                ]
            })
            .collect();
        table(
            &["ID", "NAME", "STATUS", "REGION", "SIZE", "ENDPOINTS"],
            rows,
            "no running servers (--all shows launching ones too)",
        )
    })
}

async fn wait_running<K: ApiKey>(
    client: &Client<K>,
    id: &str,
    wait: &WaitArgs,
    out: Output,
) -> Outcome {
    let waiter = configure(client.servers().wait_until_running(id), wait);
    let outcome = until_done(
        format!("waiting for server {id} to run"),
        wait,
        out,
        waiter.delays(),
        || waiter.clone().wait(Duration::ZERO),
    )
    .await?;
    match outcome {
        ServerOutcome::Running(server) => out.show(&server, describe),
        ServerOutcome::Stopped(server) => Err(Failure::new(
            Exit::Other,
            format!("server {} stopped before it ran", server.instance_id),
        )
        .hint(format!(
            "see `playflow servers logs {}`",
            server.instance_id
        ))),
        other => Err(Failure::new(
            Exit::Unreachable,
            format!(
                "server {id} is still {} after {}",
                or_dash(other.status()),
                humantime::format_duration(wait.max_wait)
            ),
        )
        .hint("wait longer with --max-wait, or check later with `playflow servers get`")),
    }
}

async fn logs(client: &Client, id: &str, follow: bool, out: Output) -> Outcome {
    let lines = client.servers().logs(id);
    if !follow {
        let lines: Vec<LogEntry> = lines
            .stream()
            .try_collect()
            .await
            .or_missing("server", id, LIST)?;
        return out.show(&lines, |lines| {
            lines.iter().map(log_line).collect::<Vec<_>>().join("\n")
        });
    }
    let mut lines = std::pin::pin!(
        lines
            .poll_delay(Duration::from_millis(500), Duration::from_secs(5))
            .follow()
    );
    // Until Ctrl-C (which ends the process) or an error that waiting cannot fix.
    while let Some(line) = lines.next().await {
        let line = line.or_missing("server", id, LIST)?;
        if out.json {
            print(&serde_json::to_string(&line).unwrap_or_default())?;
        } else {
            print(&log_line(&line))?;
        }
    }
    Ok(())
}

fn log_line(line: &LogEntry) -> String {
    format!(
        "{} {}",
        line.timestamp.as_deref().unwrap_or(""),
        line.message.as_deref().unwrap_or("")
    )
}

fn describe(server: &Server) -> String {
    let mut pairs = vec![
        ("server", server.instance_id.clone()),
        ("name", server.name.clone()),
        ("status", server.status.to_string()),
        ("region", or_dash(server.region.as_deref())),
        ("size", or_dash(server.compute_size.as_deref())),
        ("version", or_dash(server.version_tag.as_deref())),
        ("ttl", or_dash(server.ttl.map(|s| format!("{s} s")))),
    ];
    for endpoint in server.endpoints().iter() {
        let protocol = endpoint.protocol.as_ref().map_or("", |p| p.as_str());
        pairs.push((
            "endpoint",
            format!("{} {} {protocol}", endpoint.name, endpoint.address()),
        ));
    }
    fields(&pairs)
}
