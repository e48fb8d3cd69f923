//! Every operation of `openapi/playflow.json` on the wire: the generated client (`playflow::raw`)
//! against an httpmock server, asserting the request it sends (method, percent-encoded path,
//! query, `api-key` and `x-player-id` headers, exact JSON body) and that the spec's example
//! response decodes. Then error paths per status class, forward compatibility, the typed mocks
//! (feature `mock`), and a coverage test that fails when a spec operation has no test here.

mod builds;
mod coverage;
mod errors;
mod forward_compat;
mod lobbies;
mod matchmaking;
mod project;
mod servers;
#[cfg(feature = "mock")]
mod typed_mocks;
