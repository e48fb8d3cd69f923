//! Rust client for the PlayFlow game-server hosting API.
#![warn(missing_docs)]

#[cfg(feature = "emulator")]
pub mod emulator;
pub mod raw;
pub mod transport;
