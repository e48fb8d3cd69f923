//! `playflow`: the PlayFlow command line. Builds, servers, project settings and lobbies through
//! the `playflow` crate's facade, and `playflow emulator`, a local PlayFlow.
//!
//! Every module here is private to the binary: none of it is the library's API.

mod args;
mod builds;
mod completions;
mod connect;
mod emulator;
mod failure;
mod lobbies;
mod output;
mod progress;
mod servers;
mod settings;
mod wait;

use std::process::ExitCode;

use clap::Parser as _;

use args::{Cli, Command};
use connect::Connection;
use failure::{Exit, Outcome};
use output::Output;

#[tokio::main]
async fn main() -> ExitCode {
    // Usage errors exit with 2 (clap's own code), `--help` and `--version` with 0.
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of stdout has gone (`| head`): nothing to tell it, as with any Unix tool.
        Err(failure) if failure.exit == Exit::StdoutClosed => failure.exit.into(),
        Err(failure) => {
            eprintln!("{failure}");
            failure.exit.into()
        }
    }
}

async fn run(cli: Cli) -> Outcome {
    let out = Output { json: cli.json };
    let base_url = cli.base_url.as_deref().filter(|url| !url.is_empty());
    match cli.command {
        // The emulator needs no key and no API: it is one.
        Command::Emulator(args) => emulator::run(args, out).await,
        Command::Completions { shell } => completions::run(shell),
        Command::Builds(command) => {
            let connection = Connection::from_env(base_url)?;
            builds::run(connection.server_key("builds")?, command, out).await
        }
        Command::Servers(command) => {
            servers::run(&Connection::from_env(base_url)?, command, out).await
        }
        Command::Settings(command) => {
            let connection = Connection::from_env(base_url)?;
            settings::run(connection.server_key("settings")?, command, out).await
        }
        Command::Lobbies(command) => {
            lobbies::run(&Connection::from_env(base_url)?, command, out).await
        }
    }
}
