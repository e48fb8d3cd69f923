//! `playflow builds …`: upload (with a progress bar), list, get, delete, logs.

use std::time::Duration;

use playflow::Client;
use playflow::builds::BuildOutcome;
use playflow::model::Build;
use serde_json::json;

use crate::args::BuildsCommand;
use crate::failure::{Exit, Failure, NotFoundHint as _, Outcome};
use crate::output::{Output, fields, or_dash, table};
use crate::progress::UploadBar;
use crate::wait::{configure, until_done};

/// Runs one `builds` command (every one needs a server key).
pub async fn run(client: &Client, command: BuildsCommand, out: Output) -> Outcome {
    let builds = client.builds();
    match command {
        BuildsCommand::Upload {
            file,
            name,
            executable_path,
            wait,
        } => {
            let mut upload = builds
                .upload(file.as_path())
                .executable_path(executable_path);
            if let Some(name) = name {
                upload = upload.name(name);
            }
            let bar = UploadBar::new();
            let progress = bar.clone();
            let uploaded = upload
                .on_progress(move |p| progress.update(p.sent, p.total))
                .send()
                .await?;
            bar.finish();
            if !wait.wait {
                let shown = json!({
                    "build_id": uploaded.build_id,
                    "name": uploaded.name,
                    "bytes": uploaded.bytes,
                    "status": "processing",
                });
                return out.show(&shown, |_| {
                    format!(
                        "uploaded build {} ({}, {} bytes); PlayFlow is processing it\n\
                         follow it with `playflow builds get {}`",
                        uploaded.build_id, uploaded.name, uploaded.bytes, uploaded.build_id
                    )
                });
            }
            let waiter = configure(builds.wait_until_ready(&uploaded.build_id), &wait);
            let outcome = until_done(
                format!("waiting for build {} to be processed", uploaded.build_id),
                &wait,
                out,
                waiter.delays(),
                || waiter.clone().wait(Duration::ZERO),
            )
            .await?;
            match outcome {
                BuildOutcome::Ready(build) => out.show(&build, describe),
                BuildOutcome::Failed { build, logs } => {
                    if let Ok(logs) = &logs {
                        out.note(serde_json::to_string_pretty(logs).unwrap_or_default());
                    }
                    Err(Failure::new(
                        Exit::Other,
                        format!("build {} failed to process", build.build_id),
                    )
                    .hint(format!(
                        "see `playflow builds logs {}`; the ZIP must contain the executable",
                        build.build_id
                    )))
                }
                BuildOutcome::Deleted(build) => Err(Failure::new(
                    Exit::Other,
                    format!("build {} was deleted while processing", build.build_id),
                )),
                other => Err(Failure::new(
                    Exit::Unreachable,
                    format!(
                        "build {} is still {} after {}",
                        uploaded.build_id,
                        or_dash(other.status()),
                        humantime::format_duration(wait.max_wait)
                    ),
                )
                .hint("wait longer with --max-wait, or check later with `playflow builds get`")),
            }
        }
        BuildsCommand::Ls { name } => {
            let mut list = builds.list();
            if let Some(name) = name {
                list = list.name(name);
            }
            let all = list.collect_all().await?;
            out.show(&all, |all| {
                let rows = all
                    .iter()
                    .map(|b| {
                        vec![
                            b.build_id.clone(),
                            b.name.clone(),
                            b.version.to_string(),
                            b.status.to_string(),
                            b.created_at.format("%Y-%m-%d %H:%M").to_string(),
                        ]
                    })
                    .collect();
                table(
                    &["ID", "NAME", "VERSION", "STATUS", "CREATED"],
                    rows,
                    "no builds yet: upload one with `playflow builds upload server.zip`",
                )
            })
        }
        BuildsCommand::Get { id } => {
            let build = builds
                .get(&id)
                .await
                .or_missing("build", &id, "playflow builds ls")?;
            out.show(&build, describe)
        }
        BuildsCommand::Rm { id } => {
            let deleted =
                builds
                    .delete(&id)
                    .await
                    .or_missing("build", &id, "playflow builds ls")?;
            out.show(&deleted, |_| format!("deleted build {id}"))
        }
        BuildsCommand::Logs { id } => {
            let logs = builds.processing_logs(&id).limit(500).await.or_missing(
                "build",
                &id,
                "playflow builds ls",
            )?;
            // The logs' shape is not documented: show them as PlayFlow sent them.
            out.show(&logs, |logs| {
                serde_json::to_string_pretty(logs).unwrap_or_default()
            })
        }
    }
}

fn describe(build: &Build) -> String {
    fields(&[
        ("build", build.build_id.clone()),
        ("name", build.name.clone()),
        ("version", build.version.to_string()),
        ("status", build.status.to_string()),
        ("executable", or_dash(build.executable_path.as_deref())),
        ("created", build.created_at.to_rfc3339()),
    ])
}
