//! `playflow emulator`: a local PlayFlow on loopback, until Ctrl-C.

use std::net::{Ipv4Addr, SocketAddr};

use playflow_emulator::{Emulator, EmulatorError, GameServers};

use crate::args::EmulatorArgs;
use crate::failure::{Exit, Failure, Outcome};

/// Starts the emulator (running uploaded ZIP builds as processes unless `--simulate`), prints
/// where it listens and its keys, and runs until Ctrl-C, which ends every game process.
pub async fn run(args: EmulatorArgs) -> Outcome {
    let emulator = Emulator::builder()
        .bind(SocketAddr::from((Ipv4Addr::LOCALHOST, args.port)))
        .time_scale(args.time_scale)
        .game_servers(if args.simulate {
            GameServers::Simulated
        } else {
            GameServers::Processes
        })
        .start()
        .await
        .map_err(|error| explain(error, args.port))?;
    println!("{}", banner(&emulator));
    eprintln!("(Ctrl-C stops the emulator)");
    let waited = tokio::signal::ctrl_c().await;
    emulator.shutdown().await;
    waited.map_err(|error| Failure::new(Exit::Other, format!("waiting for Ctrl-C: {error}")))
}

/// A few lines telling a person (or a script reading `label: value`) where the emulator listens
/// and which keys it accepts.
fn banner(emulator: &Emulator) -> String {
    format!(
        "PlayFlow emulator listening on {url}\n\
         base URL:    {url}\n\
         server key:  {server}\n\
         client key:  {client}\n\
         time scale:  {scale}x\n\
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
    )
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
