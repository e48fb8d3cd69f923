//! `playflow settings get|set`: the project's settings (server key).

use std::path::Path;

use playflow::Client;
use playflow::model::{ProjectSettings, UpdateProjectSettingsRequest};

use crate::args::SettingsCommand;
use crate::failure::{Exit, Failure, Outcome};
use crate::output::{Output, fields, or_dash};

/// Runs one `settings` command.
pub async fn run(client: &Client, command: SettingsCommand, out: Output) -> Outcome {
    let project = client.project();
    match command {
        SettingsCommand::Get => {
            let settings = project.settings().await?;
            out.show(&settings, describe)
        }
        SettingsCommand::Set { env, file } => {
            if env.is_empty() && file.is_none() {
                return Err(Failure::new(Exit::Invalid, "nothing to change")
                    .hint("give --env KEY=VALUE (repeatable) and/or --file changes.json"));
            }
            let mut changes = match &file {
                Some(path) => read_changes(path)?,
                None => UpdateProjectSettingsRequest::default(),
            };
            if !env.is_empty() {
                // PlayFlow replaces the whole set of variables: start from the current one
                // (or the file's), so that `--env` adds or changes only what it names.
                if changes.environment_variables.is_empty() {
                    changes.environment_variables = project.settings().await?.environment_variables;
                }
                changes.environment_variables.extend(env);
            }
            let settings = project.update_settings(changes).await?;
            out.show(&settings, describe)
        }
    }
}

fn read_changes(path: &Path) -> Outcome<UpdateProjectSettingsRequest> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::new(
            Exit::Other,
            format!("cannot read `{}`: {e}", path.display()),
        )
    })?;
    serde_json::from_str(&text).map_err(|e| {
        Failure::new(
            Exit::Invalid,
            format!("`{}` is not a settings change: {e}", path.display()),
        )
        .hint("see `playflow --json settings get` for the field names")
    })
}

fn describe(settings: &ProjectSettings) -> String {
    let mut env: Vec<_> = settings.environment_variables.iter().collect();
    env.sort();
    let ports: Vec<String> = settings
        .port_configs
        .iter()
        .map(|p| {
            format!(
                "{} {} {}",
                or_dash(p.name.as_deref()),
                or_dash(p.internal_port),
                or_dash(p.protocol.as_ref())
            )
        })
        .collect();
    let lobbies: Vec<String> = settings
        .lobby_configs
        .iter()
        .filter_map(|l| l.name.clone())
        .collect();
    let mut pairs = vec![
        ("ports", ports.join(", ")),
        ("lobby configs", lobbies.join(", ")),
        ("updated", settings.updated_at.to_rfc3339()),
    ];
    for (key, value) in env {
        pairs.push(("env", format!("{key}={value}")));
    }
    fields(&pairs)
}
