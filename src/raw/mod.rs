//! The low-level client, generated at build time from `openapi/playflow.json` by progenitor
//! (after our OpenAPI 3.1 → 3.0 normalization; see `crates/playflow-codegen/`).
//!
//! Every operation of the PlayFlow API is a method of [`Client`] returning a builder:
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use playflow::raw;
//! let client = raw::Client::new_with_client(
//!     "https://api.computeflow.cloud",
//!     reqwest::Client::new(),
//!     playflow::transport::Transport::default(),
//! );
//! let servers = client.list_servers().limit(10).send().await?;
//! println!("{} servers", servers.servers.len());
//! # Ok(()) }
//! ```
//!
//! Send the `api-key` header yourself (a default header of the `reqwest::Client`) when you use
//! this layer directly. Types are in [`types`]; string enums that PlayFlow may extend are open
//! enums in [`enums`], with a sealed `Unknown` variant so that new values still decode.
//!
//! This module follows the spec exactly: when PlayFlow renames an operation, its method here is
//! renamed too. Prefer the facade, whose names stay put.

#![allow(
    missing_docs,
    unused_imports,
    // progenitor emits the `4XX` range arm before a specific code of the same range (`422`);
    // both carry the same body after normalization, so the specific arm is dead but harmless.
    unreachable_patterns,
    clippy::all,
    clippy::pedantic,
    rustdoc::bare_urls,
    rustdoc::broken_intra_doc_links,
    rustdoc::invalid_html_tags
)]

pub mod enums;
pub mod operations;
mod secret;

pub use secret::Secret;
#[cfg(feature = "mock")]
#[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
pub mod mock;

/// The spec this layer was generated from (OpenAPI 3.1), under the names of
/// `openapi/binding.json`: whatever PlayFlow calls its operations and schemas, here they carry
/// the operationIds and component names of this layer. For the emulator, which must serve the
/// spec the client was generated from; not part of the public API.
#[doc(hidden)]
pub const BOUND_SPEC_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/playflow.bound.json"));

include!(concat!(env!("OUT_DIR"), "/raw_client.rs"));
