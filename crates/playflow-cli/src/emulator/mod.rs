//! `playflow emulator`: a local PlayFlow on loopback, until Ctrl-C.

pub mod options;

use std::net::{Ipv4Addr, SocketAddr};

use playflow_emulator::{Emulator, EmulatorError, GameServers};
use serde_json::json;

use crate::failure::{Exit, Failure, Outcome};
use crate::output::{Output, print};
use options::EmulatorArgs;

/// Starts the emulator (running uploaded ZIP builds as processes unless `--simulate`), prints
/// where it listens and its keys, and runs until Ctrl-C, which ends every game process.
pub async fn run(args: EmulatorArgs, out: Output) -> Outcome {
    let builder = Emulator::builder()
        .bind(SocketAddr::from((Ipv4Addr::LOCALHOST, args.port)))
        .game_servers(if args.simulate {
            GameServers::Simulated
        } else {
            GameServers::Processes
        });
    let emulator = args
        .configure(builder)
        .start()
        .await
        .map_err(|error| explain(error, args.port))?;
    let shown = if out.json {
        // One line: a script reading the first line of a process that keeps running has it all.
        banner_json(&emulator, &args).to_string()
    } else {
        banner(&emulator, &args)
    };
    let printed = print(&shown);
    if printed.is_ok() {
        out.note("(Ctrl-C stops the emulator)");
        let waited = tokio::signal::ctrl_c().await;
        emulator.shutdown().await;
        waited.map_err(|error| Failure::new(Exit::Other, format!("waiting for Ctrl-C: {error}")))
    } else {
        // Nobody can learn where it listens: no use running it.
        emulator.shutdown().await;
        printed
    }
}

/// A few lines telling a person (or a script reading `label: value`) where the emulator listens
/// and which keys it accepts.
fn banner(emulator: &Emulator, args: &EmulatorArgs) -> String {
    format!(
        "PlayFlow emulator listening on {url}\n\
         base URL:    {url}\n\
         server key:  {server}\n\
         client key:  {client}\n\
         time scale:  {scale}x\n\
         plan:        {plan}\n\
         rate limits: {limits}\n\
         export PLAYFLOW_BASE_URL={url} PLAYFLOW_API_KEY={server}\n\
         game servers: {servers}",
        servers = match (emulator.isolation(), emulator.certificate_pem_path()) {
            (Some(isolation), Some(pem)) => format!(
                "uploaded ZIP builds run as processes; {isolation}; TLS certificate {}",
                pem.display()
            ),
            _ => "simulated (nothing listens on their ports)".to_owned(),
        },
        url = emulator.base_url(),
        server = emulator.server_key(),
        client = emulator.client_key(),
        scale = emulator.time_scale(),
        plan = value_name(args.plan),
        limits = match args.limits() {
            Some(l) => format!("{} reads and {} writes a second per key", l.reads, l.writes),
            None => "off".to_owned(),
        },
    )
}

/// The banner as one JSON object, for `--json`.
fn banner_json(emulator: &Emulator, args: &EmulatorArgs) -> serde_json::Value {
    let processes = emulator.game_servers() == GameServers::Processes;
    json!({
        "base_url": emulator.base_url(),
        "server_key": emulator.server_key(),
        "client_key": emulator.client_key(),
        "time_scale": emulator.time_scale(),
        "plan": value_name(args.plan),
        "rate_limits": args.limits().map(|l| json!({
            "reads_per_second": l.reads,
            "writes_per_second": l.writes,
        })),
        "lobby_server_layout": value_name(args.lobby_server_layout),
        "game_servers": if processes { "processes" } else { "simulated" },
        "isolation": emulator.isolation(),
        "certificate_pem": emulator.certificate_pem_path(),
        "env": {
            "PLAYFLOW_BASE_URL": emulator.base_url(),
            "PLAYFLOW_API_KEY": emulator.server_key(),
        },
    })
}

/// The name clap parses a value from, so that the banner shows what the flag takes.
fn value_name(value: impl clap::ValueEnum) -> String {
    value
        .to_possible_value()
        .map_or_else(String::new, |v| v.get_name().to_owned())
}

fn explain(error: EmulatorError, port: u16) -> Failure {
    match error {
        EmulatorError::Config(_) => Failure::new(Exit::Invalid, error.to_string()),
        EmulatorError::Bind(_) => Failure::new(Exit::Other, error.to_string()).hint(format!(
            "is port {port} taken? choose another with --port, or --port 0"
        )),
        other => Failure::new(Exit::Other, other.to_string()),
    }
}
