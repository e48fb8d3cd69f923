//! `playflow emulator`: a local PlayFlow on loopback, until Ctrl-C.

use std::net::{Ipv4Addr, SocketAddr};

use playflow::emulator::{Emulator, EmulatorError};

use crate::args::EmulatorArgs;
use crate::failure::{Exit, Failure, Outcome};

/// Starts the emulator, prints where it listens and its keys, and runs until Ctrl-C.
pub async fn run(args: EmulatorArgs) -> Outcome {
    let emulator = Emulator::builder()
        .bind(SocketAddr::from((Ipv4Addr::LOCALHOST, args.port)))
        .time_scale(args.time_scale)
        .start()
        .await
        .map_err(|error| explain(error, args.port))?;
    eprintln!("(Ctrl-C stops the emulator)");
    emulator
        .run_until_ctrl_c()
        .await
        .map_err(|error| Failure::new(Exit::Other, error.to_string()))
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
