//! The emulator driven through the generated client: builds, servers, keys, limits,
//! validation, lobbies, the event stream and matchmaking.

mod emulator_support;

#[path = "emulator/access.rs"]
mod access;
#[path = "emulator/builds.rs"]
mod builds;
#[path = "emulator/lobbies.rs"]
mod lobbies;
#[path = "emulator/matchmaking.rs"]
mod matchmaking;
#[path = "emulator/servers.rs"]
mod servers;
