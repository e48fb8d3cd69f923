//! A local PlayFlow: a stateful, in-process emulator of the whole PlayFlow API, on loopback.
//!
//! Every operation of the spec the `playflow` client was generated from is served with state and the documented lifecycles:
//! builds go `uploading → processing → ready` (or `failed`, with build logs), servers go
//! `launching → running → stopped` (TTL included), lobbies have their event stream and
//! matchmaking. Keys, rate limits and input validation answer the way PlayFlow does, with the
//! `{error, detail, status}` body. Time runs at a configurable speed, so a test of a multi-minute
//! lifecycle takes milliseconds. Add it beside `playflow`, for your tests:
//!
//! ```toml
//! [dev-dependencies]
//! playflow-emulator = "0.1"
//! ```
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use playflow_emulator::Emulator;
//!
//! let emulator = Emulator::start().await?;
//! let client = reqwest::Client::new();
//! let health: serde_json::Value = client
//!     .get(format!("{}/api/health", emulator.base_url()))
//!     .send()
//!     .await?
//!     .json()
//!     .await?;
//! assert_eq!(health["status"], "ok");
//! emulator.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! Durations given to the [`EmulatorBuilder`] (build processing, server launch, TTLs in
//! requests) are PlayFlow time; [`EmulatorBuilder::time_scale`] says how much faster than the
//! wall clock that time runs, and [`Emulator::advance`] skips ahead at once. Rate limits are per
//! wall-clock second, as a client experiences them.
//!
//! What a new emulated project holds: no builds (servers need a `ready` build, as on PlayFlow:
//! upload one, or register an image build), one UDP game port (`game`, 7777), and a lobby
//! configuration `default` with a `1v1` matchmaking mode. Other lobby configurations come from
//! `updateProjectSettings`, as on PlayFlow; an unknown `{config}` gets default lobby settings.
//!
//! Everything listens on loopback: the API under `/api`, and the archive uploads under
//! `/_emulator/uploads/…` (the presigned-style `upload_url`). By default servers are simulated:
//! the ports reported for them are distinct numbers on `127.0.0.1` and nothing listens on them.
//! With [`GameServers::Processes`] (what `playflow emulator` uses) the uploaded ZIP build runs
//! for real: unpacked once when the upload is processed (an executable that is missing or
//! cannot run fails the build, with the reason in its log), started as a child process per
//! server with `startup_args` (as `PLAYFLOW_STARTUP_ARGS` and the command line),
//! `environment_variables` and a `playflow.json` (`instance_id`, `region`, `custom_data`), its
//! `port_configs` reachable at the reported `127.0.0.1:external_port`. A server is `running` once
//! its process listens on all its ports, `stopped` with `PROCESS_EXITED` when it exits (or
//! started again with `auto_restart`), with `LAUNCH_TIMEOUT` when it never listens
//! ([`EmulatorBuilder::launch_timeout`]); stop, restart and the TTL act on the process; its
//! output lines are the server's logs, and its metrics are the process's CPU and memory.
//! Dropping the emulator kills every game process. Docker-image builds are not run (their
//! servers end `stopped`, saying so), and neither are warm pool machines. Start the emulator from within a
//! Tokio runtime (with I/O and timers enabled, as `#[tokio::main]` and `#[tokio::test]` have).
//!
//! Inside, `world` holds the emulated project and its transitions (no HTTP), and `api` serves it:
//! the gate (keys, rate limits, permissions), the routes and one handler file per part of the API.
#![warn(missing_docs)]

#[macro_use]
mod built;
mod api;
mod config;
mod emulator;
mod error;
mod host;
mod world;

pub use config::{EmulatorBuilder, GameServers, LobbyServerLayout, Plan};
pub use emulator::Emulator;
pub use error::EmulatorError;
