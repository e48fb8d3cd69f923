//! Rust client for the [PlayFlow](https://playflowcloud.com) game-server hosting API.
//!
//! PlayFlow hosts multiplayer game servers: upload a server build, start servers in its regions,
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
//!
//! # Where things are
//!
//! | module | what |
//! |---|---|
//! | [`builds`] | streamed ZIP upload with progress, Docker-image builds, `wait_until_ready` |
//! | [`servers`] | the start builder, `wait_until_running`, endpoints, list and log streams |
//! | [`lobbies`] | player-scoped lobby calls, the live event stream, `find_match` |
//! | [`project`] | project settings and project-wide logs |
//! | [`logs`] | the log-lines builder of server and project logs: pages, streams, `tail -f` |
//! | [`Paged`] | the stream of every item of a paged list (builds, servers, lobbies) |
//! | [`waiter`] | the polling engine and typed outcomes of the waiters |
//! | [`model`] | stable names for the data types |
//! | [`raw`] | the generated client; `raw::mock` (feature `mock`) has typed httpmock mocks |
//!
//! A stateful local PlayFlow for tests and offline work is its own crate, `playflow-emulator`
//! (a dev-dependency), and the `playflow` command line is `playflow-cli`.
//!
//! # Keys decide what compiles
//!
//! A project has a **server key** ([`ServerKey`], `pf_…`) for backends and tools, and a
//! **client key** ([`ClientKey`], `pfclient_…`) that may ship in game builds. A
//! `Client<ClientKey>` (from [`Client::for_game_client`]) has only the calls a game client may
//! make: health, list/get/start servers, lobby browsing and the player-scoped lobby calls.
//! Builds, project settings and logs, server stop/restart/custom data/logs/metrics and the admin
//! lobby calls do not exist on it. The [capability table](Client#capabilities) lists each call
//! with the test that proves it; [`Client::raw`] is the explicit escape hatch.
//!
//! Keys are parsed with errors that name the expected prefix and never echo the key, and print
//! redacted (at most their last four characters).
//!
//! ```
//! let err = playflow::ServerKey::new("pfclient_1234567890abcdef").unwrap_err();
//! assert!(err.to_string().contains("`pf_`"));
//! assert!(!err.to_string().contains("1234567890abcdef"));
//! ```
//!
//! # Owned builders
//!
//! As in aws-sdk-rust, every handle (`client.servers()`, `client.lobbies(..).player(..)`, ...),
//! builder, waiter, future and stream owns a clone of the client (an `Arc`): they are all
//! `Send + 'static`. Join calls made on temporaries, or hand a waiter to a task:
//!
//! ```no_run
//! # async fn demo(client: playflow::Client) -> playflow::Result<()> {
//! use std::time::Duration;
//! let (a, b) = tokio::join!(client.servers().get("9b2f6c1e"), client.servers().get("4a7d0e93"));
//! let wait = client.servers().wait_until_running(a?.instance_id).wait(Duration::from_secs(90));
//! let running = tokio::spawn(wait);
//! # let _ = (b, running); Ok(()) }
//! ```
//!
//! # Errors
//!
//! Every call returns [`Result`], whose [`Error`] says what happened: `Unauthorized`,
//! `Forbidden`, `NotFound`, `RateLimited` (with `Retry-After` and the rate-limit headers), `Api`
//! (any other status, with the typed `detail`: [validation issues](Error::validation_issues)
//! with `loc`, `msg` and `type`), `Timeout`, `Transport`, `Decode` (with a short body excerpt)
//! and `InvalidInput` (refused before any request), and `OutcomeUnknown` (a tagged start the
//! client could not settle). [`Error::is_retryable`] (safe and worth trying again),
//! [`Error::outcome_unknown`] (the server may have acted) and [`Error::status`] answer the
//! usual questions. No error ever contains the API key or a presigned URL's query.
//!
//! # Retries, rate limits, redirects, tracing
//!
//! - **Retries** ([`RetryConfig`]): idempotent calls (`GET`, `DELETE`, ...) are retried with
//!   jittered exponential backoff on connection failures, timeouts, 408, 429 and 500–504,
//!   honouring `Retry-After`, bounded in attempts and in total time. Calls that are not
//!   idempotent, such as starting a server, are never sent twice, except when the connection
//!   could not be made at all.
//! - **Rate limits** ([`RateLimitConfig`]): each client (with its clones) paces reads and writes
//!   below PlayFlow's per-key limits of 100 and 10 per second, and holds a class of calls when
//!   the server reports its budget spent (`X-RateLimit-Remaining: 0`, or a 429).
//! - **Redirects**: the `api-key` header never leaves the base URL's origin; a redirect to
//!   another origin is not followed ([`redirect_policy`]).
//! - **Tracing**: each attempt runs in a `playflow.request` span (operation, method, path,
//!   attempt, status, latency) of the [`tracing`](https://docs.rs/tracing) crate; no key, no
//!   query string.
//!
//! See the [`transport`] module for the details.
//!
//! # Features
//!
//! Items that need a feature say so in these docs (docs.rs builds with every feature).
//!
#![doc = document_features::document_features!()]
#![warn(missing_docs)]
// docs.rs builds with every feature and `--cfg docsrs`: feature-gated items say which feature.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod built;
mod call;
mod client;
mod endpoint;
mod error;
mod keys;
mod paging;
mod region;
mod validate;
mod wire;

pub mod builds;
pub mod lobbies;
pub mod logs;
pub mod model;
pub mod project;
pub mod raw;
pub mod servers;
pub mod transport;
pub mod waiter;

pub use client::{
    BASE_URL_ENV, Client, ClientBuilder, DEFAULT_BASE_URL, USER_AGENT, redirect_policy,
};
pub use endpoint::Endpoint;
pub use error::{
    ApiError, DecodeError, Error, ErrorDetail, InvalidInput, LocPart, OutcomeUnknown, RateLimited,
    Result, TransportError, ValidationIssue,
};
pub use keys::{API_KEY_ENV, ApiKey, ClientKey, KeyError, KeyKind, ServerKey};
pub use paging::Paged;
pub use region::Region;
pub use transport::{RateLimitConfig, RetryConfig};

/// The HTTP client crate this one is built on: [`ClientBuilder::http_client`] and
/// [`redirect_policy`] take its types, so use this re-export to get the matching version.
///
/// ```
/// let http = playflow::reqwest::Client::builder().redirect(playflow::redirect_policy()).build();
/// assert!(http.is_ok());
/// ```
pub use reqwest;

/// Not part of the API: items the workspace's own crates need from this one.
#[doc(hidden)]
pub mod __private {
    /// The vendored OpenAPI spec this crate's generated layer was built from, under the names of
    /// `openapi/binding.json` (so a refresh that renames upstream operationIds or schemas does
    /// not change it), so that `playflow-emulator` serves exactly the API the client speaks.
    pub const OPENAPI_SPEC: &str = crate::raw::BOUND_SPEC_JSON;
}
