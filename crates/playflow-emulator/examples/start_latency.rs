//! Start → running latency of one real game server at a time in the emulator
//! (`GameServers::Processes`, time scale 1, the echo build), against the echo process's own start
//! time (spawned directly, one at a time, in the same run), and the first UDP echo after
//! `running`.
//!
//! ```sh
//! cargo run --release -p playflow-emulator --example start_latency
//! ```
//!
//! The ZIP's `Server.x86_64` is this program (an echo server when started as one). Goal
//! (issue 13): start → running ≤ 100 ms plus the game's own start time.

mod support;

use std::time::Duration;

use support::{Bench, BoxError};

const ROUNDS: usize = 20;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    if support::serve_if_echo() {
        return Ok(());
    }
    let mut direct = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        direct.extend(support::direct_at_once(1).await?);
    }
    direct.sort();
    let bench = Bench::start().await?;
    let (mut to_running, mut to_echo): (Vec<Duration>, Vec<Duration>) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        for server in bench.start_at_once(1).await? {
            to_running.push(server.to_running);
            to_echo.push(support::first_echo(server.address()?).await?);
            bench.stop(&server.id).await?;
        }
    }
    to_running.sort();
    to_echo.sort();
    println!("one echo server at a time, {ROUNDS} rounds");
    support::report(&direct, &to_running);
    println!(
        "  running → first UDP echo through the relay:  p50 {:7.2} ms   p95 {:7.2} ms",
        support::ms(support::percentile(&to_echo, 50)),
        support::ms(support::percentile(&to_echo, 95))
    );
    Ok(())
}
