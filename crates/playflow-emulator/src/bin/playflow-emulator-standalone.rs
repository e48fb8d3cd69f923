//! An emulator in `GameServers::Processes` mode as a process of its own, for the tests that
//! `kill -9` it: prints `<base URL> <server key>` on one line of stdout, then serves until
//! killed. (The `playflow emulator` command of playflow-cli is the one for people.)

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = playflow_emulator::Emulator::builder()
        .game_servers(playflow_emulator::GameServers::Processes)
        .build_processing_delay(std::time::Duration::ZERO)
        .rate_limits(10_000, 10_000)
        .start()
        .await?;
    println!("{} {}", emulator.base_url(), emulator.server_key());
    std::future::pending::<()>().await;
    Ok(())
}
