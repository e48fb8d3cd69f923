//! The integration tests of `playflow`, one module per concern, linked as one binary (one link
//! instead of one per file) on the shared `playflow-test-support` crate: its scripted loopback
//! server, test clients, fixtures and ZIP builder, and the wire tests' spec harness.

mod builds;
mod builds_builders;
mod builds_upload;
mod capabilities;
mod display_padding;
mod keys;
mod lobbies_calls;
mod lobbies_matchmaking;
mod memory;
mod owned_futures;
mod redaction;
#[cfg(feature = "redis")]
mod redis_limit;
mod response_bodies;
mod servers;
mod servers_start;
mod sse_limits;
mod sse_parsing;
mod sse_reconnect;
mod start_outcomes;
mod start_tags;
mod transport_body_retry;
mod transport_config;
mod transport_errors;
mod transport_rate_limit;
mod transport_redirect;
mod transport_retry;
mod typed_answers;
mod waiter;
mod wire;
