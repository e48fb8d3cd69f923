//! A tiny UDP + TCP echo game server: see `playflow_runner::echo` for its arguments.

fn main() -> std::io::Result<()> {
    playflow_runner::echo::serve(std::env::args().skip(1))
}
