//! What the tests of the playflow workspace share (not published).
//!
//! - [`server`]: one scripted loopback server for every test that is not a wire test — JSON
//!   answers, event streams written step by step, and faults (connections closed or reset,
//!   bodies cut short, stalls, raw bytes) for tests of hostile servers.
//! - [`clients`]: test clients of both key kinds, made one way.
//! - [`mock`]: scripted answers for tests on an httpmock server.
//! - [`wire`]: the spec-driven harness of the wire tests (httpmock and `playflow::raw`).
//! - [`archive`]: ZIP archives for build uploads. [`fixtures`]: JSON bodies and requests.
//! - [`compile_fail`]: the calls a game-client key cannot make, as `compile_fail` doctests.
//!
//! It depends on `playflow`, and `playflow` has it as a dev-dependency: its integration tests
//! link the same `playflow` library as this crate (the unit tests in `src/` cannot use it).

pub mod archive;
pub mod clients;
pub mod compile_fail;
pub mod fixtures;
pub mod mock;
pub mod reply;
pub mod server;
pub mod wire;

pub use archive::zip_file;
pub use clients::{
    CLIENT_KEY, SERVER_KEY, Target, builder, client, client_builder, client_key, fast_retry,
    game_client, server_key,
};
pub use fixtures::{build_json, lobby, running_server_json, server_json, start_request};
pub use mock::{json_response, script};
pub use reply::{Reply, SERVER_JSON, Step, drain, event, lobby_deleted};
pub use server::{Seen, TestServer, free_addr};
