//! The runner's tiny UDP/TCP echo game server (see `playflow_runner::echo`), as a binary of this
//! package so that its integration tests can pack it into ZIP builds (`CARGO_BIN_EXE_…`).

fn main() -> std::io::Result<()> {
    playflow_runner::echo::serve(std::env::args().skip(1))
}
