//! Rust client for the PlayFlow game-server hosting API.
#![warn(missing_docs)]

pub mod raw;
pub mod transport;
