//! Rust client for the [PlayFlow](https://playflowcloud.com) game-server hosting API.
//!
//! PlayFlow hosts multiplayer game servers: upload a server build, start servers in 12 regions,
//! read their logs and metrics, and run lobbies and matchmaking for players. This crate has two
//! layers:
//!
//! - a thin, stable **facade** ([`Client`]) with typed keys, typed errors and workflows;
//! - the **generated layer** ([`raw`]), every operation of PlayFlow's OpenAPI spec, regenerated
//!   at build time.
//!
//! ```no_run
//! # async fn demo() -> playflow::Result<()> {
//! let client = playflow::Client::from_env()?; // PLAYFLOW_API_KEY=pf_…
//! for server in client.servers().list().send().await?.servers {
//!     println!("{} {}", server.name, server.status);
//! }
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

mod call;
mod client;
mod error;
mod keys;
mod validate;

pub mod builds;
pub mod lobbies;
pub mod model;
pub mod project;
pub mod raw;
pub mod servers;
pub mod transport;

pub use client::{Client, ClientBuilder, DEFAULT_BASE_URL, USER_AGENT, redirect_policy};
pub use error::{
    ApiError, DecodeError, Error, ErrorDetail, InvalidInput, LocPart, RateLimited, Result,
    TransportError, ValidationIssue,
};
pub use keys::{API_KEY_ENV, ApiKey, ClientKey, KeyError, KeyKind, ServerKey};
pub use transport::{RateLimitConfig, RetryConfig};
