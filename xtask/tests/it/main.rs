//! The xtask commands, run as a user runs them (the `xtask` binary) and as library calls, on the
//! real checkout and on temporary copies of its layout. One test binary, so one link.

mod check_and_codegen;
mod common;
mod spec_diff;
mod update_spec;
