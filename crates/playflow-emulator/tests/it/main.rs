//! The emulator's integration tests, one binary: the emulator driven through the generated
//! client (`emulator`), every response checked against the spec (`emulator_schema`), and the
//! `playflow` facade end to end against it (`e2e`).

mod containers;
mod e2e;
mod emulator;
mod emulator_killed;
mod emulator_schema;
mod process_restarts;
mod processes;
mod support;
