//! `playflow lobbies browse`: the public lobbies of a lobby configuration (any key).

use playflow::{ApiKey, Client};

use crate::args::LobbiesCommand;
use crate::connect::{Connection, with_any_key};
use crate::failure::Outcome;
use crate::output::{Output, or_dash, table};

/// Runs one `lobbies` command.
pub async fn run(connection: &Connection, command: LobbiesCommand, out: Output) -> Outcome {
    with_any_key!(connection, client => with(client, command, out).await)
}

async fn with<K: ApiKey>(client: &Client<K>, command: LobbiesCommand, out: Output) -> Outcome {
    let LobbiesCommand::Browse {
        config,
        region,
        status,
    } = command;
    let mut browse = client.lobbies(config.as_str()).browse();
    if let Some(region) = region {
        browse = browse.region(region);
    }
    if let Some(status) = status {
        browse = browse.status(status);
    }
    let lobbies = browse.collect_all().await?;
    out.show(&lobbies, |lobbies| {
        let rows = lobbies
            .iter()
            .map(|l| {
                vec![
                    l.id.clone(),
                    or_dash(l.name.as_deref()),
                    l.status.to_string(),
                    format!("{}/{}", l.current_players, l.max_players),
                    or_dash(l.region.as_deref()),
                    l.host.clone(),
                ]
            })
            .collect();
        table(
            &["ID", "NAME", "STATUS", "PLAYERS", "REGION", "HOST"],
            rows,
            &format!("no public lobbies in `{config}`"),
        )
    })
}
