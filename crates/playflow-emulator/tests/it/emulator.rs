//! The emulator driven through the generated client: builds, servers, keys, limits,
//! validation, lobbies, the event stream and matchmaking.

mod access;
mod builds;
mod lobbies;
mod matchmaking;
mod servers;
