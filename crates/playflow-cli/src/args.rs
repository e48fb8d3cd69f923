//! The command line: every command, option and help text (clap derive).

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

pub use crate::emulator::options::EmulatorArgs;

/// How the exit status tells what happened; shown at the end of `--help`.
const EXIT_CODES: &str = "\
Environment:
  PLAYFLOW_API_KEY    the project's API key: server key (pf_…), or client key (pfclient_…)
                      for the calls a game client may make
  PLAYFLOW_BASE_URL   another API host, e.g. the one `playflow emulator` prints

Exit codes:
  0  success
  1  other failure (a build failed, a server stopped while starting, a file could not be read)
  2  usage error (unknown command or option, bad value)
  3  invalid input, configuration or API key (refused before any request)
  4  not found (no such build, server or lobby)
  5  unauthorized or forbidden (wrong key, or a client key on a server-key command)
  6  rate limited
  7  timeout or network failure (also: a --wait that ran out of time)
  8  other API error, or a response that could not be decoded
  141  stdout was closed early (e.g. `| head`), as for other Unix tools";

/// Manage PlayFlow game servers: builds, servers, project settings, lobbies, and a local emulator.
#[derive(Debug, Parser)]
#[command(name = "playflow", version, after_help = EXIT_CODES)]
pub struct Cli {
    /// Print machine-readable JSON on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,

    /// API host to call instead of PlayFlow's (https, or http on loopback).
    #[arg(long, global = true, env = "PLAYFLOW_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The command groups.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Upload, list, inspect and delete server builds (server key).
    #[command(subcommand)]
    Builds(BuildsCommand),
    /// Start, list, inspect, stop and restart servers, and read their logs.
    #[command(subcommand)]
    Servers(ServersCommand),
    /// Read or change the project's settings (server key).
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// Browse lobbies.
    #[command(subcommand)]
    Lobbies(LobbiesCommand),
    /// Run a local PlayFlow emulator on loopback until Ctrl-C; prints its base URL and keys.
    Emulator(EmulatorArgs),
    /// Print a shell completion script, e.g. `playflow completions bash > ~/.local/share/bash-completion/completions/playflow`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// `playflow builds …`
#[derive(Debug, Subcommand)]
pub enum BuildsCommand {
    /// Upload a server ZIP (streamed, with a progress bar).
    Upload {
        /// The ZIP archive of the server.
        file: PathBuf,
        /// Build name to version the upload under (PlayFlow's default: `default`).
        #[arg(long)]
        name: Option<String>,
        /// Path of the server executable inside the ZIP.
        #[arg(long, default_value = playflow::builds::DEFAULT_EXECUTABLE)]
        executable_path: String,
        /// Wait until the build is processed (ready or failed).
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// List builds.
    #[command(visible_alias = "list")]
    Ls {
        /// Only builds of this name.
        #[arg(long)]
        name: Option<String>,
    },
    /// Show one build.
    Get {
        /// The build id.
        id: String,
    },
    /// Delete a build.
    #[command(visible_alias = "delete")]
    Rm {
        /// The build id.
        id: String,
    },
    /// Show a build's processing logs.
    Logs {
        /// The build id.
        id: String,
    },
}

/// `playflow servers …`
#[derive(Debug, Subcommand)]
pub enum ServersCommand {
    /// Start a server from the latest ready build.
    Start {
        /// The server's name.
        #[arg(long)]
        name: String,
        /// Region: us-east, us-west, eu-west, eu-north, eu-uk, ap-south, ap-north, sea,
        /// ap-southeast, south-america, …
        #[arg(long)]
        region: String,
        /// Machine size: small, medium, large, …
        #[arg(long)]
        size: Option<String>,
        /// Stop the server after this long: seconds, or with units (90s, 30m, 1h30m, 2h).
        #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
        ttl: Option<Duration>,
        /// Run this version tag of the build instead of the latest.
        #[arg(long)]
        version_tag: Option<String>,
        /// An environment variable for the server (repeatable).
        #[arg(long = "env", value_parser = parse_key_value, value_name = "KEY=VALUE")]
        env: Vec<(String, String)>,
        /// Wait until the server runs, then print its endpoints.
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// List servers (running ones, and launching ones with --all).
    #[command(visible_alias = "list")]
    Ls {
        /// Include servers that are still launching.
        #[arg(long)]
        all: bool,
    },
    /// Show one server and its endpoints.
    Get {
        /// The server's instance id.
        id: String,
    },
    /// Stop a server (server key).
    Stop {
        /// The server's instance id.
        id: String,
        /// Why it stops (kept in its history).
        #[arg(long)]
        reason: Option<String>,
    },
    /// Restart a server on a fresh machine, keeping its id (server key).
    Restart {
        /// The server's instance id.
        id: String,
    },
    /// Print a server's logs (server key).
    Logs {
        /// The server's instance id.
        id: String,
        /// Keep printing new lines as they come, until Ctrl-C.
        #[arg(short, long)]
        follow: bool,
    },
}

/// `playflow settings …`
#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Show the project's settings.
    Get,
    /// Change the project's settings; what is not given is kept.
    Set {
        /// Set a default environment variable of every server (repeatable; merged into the
        /// current ones).
        #[arg(long = "env", value_parser = parse_key_value, value_name = "KEY=VALUE")]
        env: Vec<(String, String)>,
        /// A JSON file with the changes, in the API's `updateProjectSettings` shape
        /// (`environment_variables`, `port_configs`, `lobby_configs`, `pool_config`, …).
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
    },
}

/// `playflow lobbies …`
#[derive(Debug, Subcommand)]
pub enum LobbiesCommand {
    /// List the public lobbies of a lobby configuration.
    Browse {
        /// The lobby configuration's name (from the project settings), e.g. `default`.
        config: String,
        /// Only lobbies in this region.
        #[arg(long)]
        region: Option<String>,
        /// Only lobbies in this state: waiting, in_queue, in_game, …
        #[arg(long)]
        status: Option<String>,
    },
}

/// `--wait` and how to wait.
#[derive(Debug, Clone, Args)]
pub struct WaitArgs {
    /// Wait until done before returning.
    #[arg(long)]
    pub wait: bool,
    /// Give up waiting after this long (exit code 7).
    #[arg(long, value_parser = parse_duration, default_value = "10m", value_name = "DURATION")]
    pub max_wait: Duration,
    /// Check this often while waiting (default: backing off from a few seconds).
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub poll_interval: Option<Duration>,
}

/// A positive duration: bare seconds (`90`), or humantime's units, combinable (`250ms`, `30m`,
/// `1h30m`, `1h 30m`, `2days`).
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    // Bare numbers were seconds before humantime parsed the rest; they still are.
    let parsed = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse()
            .map(Duration::from_secs)
            .map_err(|e| e.to_string())
    } else {
        humantime::parse_duration(text).map_err(|e| e.to_string())
    };
    match parsed {
        Ok(duration) if !duration.is_zero() => Ok(duration),
        Ok(_) => Err(format!("`{text}` is not a positive duration")),
        Err(why) => Err(format!(
            "`{text}` is not a duration ({why}); e.g. 90, 90s, 30m, 1h30m, 2h"
        )),
    }
}

/// `KEY=VALUE`, with a non-empty key.
fn parse_key_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        _ => Err(format!("`{text}` is not KEY=VALUE")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_units() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1h 30m 15s"), Ok(Duration::from_secs(5415)));
        assert_eq!(parse_duration("2d"), Ok(Duration::from_secs(2 * 86400)));
        assert!(parse_duration("0").is_err());
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("-5m").is_err());
    }

    #[test]
    fn key_values_need_a_key() {
        assert_eq!(
            parse_key_value("A=b=c"),
            Ok(("A".to_owned(), "b=c".to_owned()))
        );
        assert!(parse_key_value("=x").is_err());
        assert!(parse_key_value("novalue").is_err());
    }

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory as _;
        Cli::command().debug_assert();
    }
}
