//! `playflow completions bash|zsh|fish`: the shell's completion script, from the clap command.

use clap::CommandFactory as _;
use clap_complete::Shell;

use crate::args::Cli;
use crate::failure::Outcome;
use crate::output::print;

/// Prints the completion script of `shell` on stdout.
pub fn run(shell: Shell) -> Outcome {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "playflow", &mut script);
    print(String::from_utf8_lossy(&script).trim_end())
}
