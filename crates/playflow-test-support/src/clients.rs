//! Clients for tests, of both key kinds, all made one way ([`builder`]): pointed at a loopback
//! server and not rate limited, so a test's time goes to what it checks.

use std::time::Duration;

use httpmock::MockServer;
use playflow::{ApiKey, Client, ClientBuilder, ClientKey, RetryConfig, ServerKey};

use crate::server::TestServer;

/// The server key the tests use; no output may ever contain it.
pub const SERVER_KEY: &str = "pf_live0123456789abcdefSECRETkey";
/// The game-client key the tests use.
pub const CLIENT_KEY: &str = "pfclient_1234567890abcdef1234";

pub fn server_key() -> ServerKey {
    ServerKey::new(SERVER_KEY).expect("a valid server key")
}

pub fn client_key() -> ClientKey {
    ClientKey::new(CLIENT_KEY).expect("a valid client key")
}

/// What a test client can be pointed at: a URL, or a loopback server of either kind.
pub trait Target {
    /// The base URL of the API there.
    fn url(&self) -> String;
}

impl Target for str {
    fn url(&self) -> String {
        self.to_owned()
    }
}

impl Target for String {
    fn url(&self) -> String {
        self.clone()
    }
}

impl Target for TestServer {
    fn url(&self) -> String {
        TestServer::url(self).to_owned()
    }
}

impl Target for MockServer {
    fn url(&self) -> String {
        self.base_url()
    }
}

/// A client builder with `key`, for `at`, with no rate limiting.
pub fn builder<K: ApiKey>(key: K, at: &(impl Target + ?Sized)) -> ClientBuilder<K> {
    Client::builder(key).base_url(at.url()).no_rate_limit()
}

/// A server-key client builder for `at` (see [`builder`]), retrying with short delays.
pub fn client_builder(at: &(impl Target + ?Sized)) -> ClientBuilder<ServerKey> {
    builder(server_key(), at).retry(fast_retry())
}

/// A server-key client for `at` (see [`builder`]).
pub fn client(at: &(impl Target + ?Sized)) -> Client<ServerKey> {
    client_builder(at).build().expect("a test client")
}

/// A game-client-key client for `at` (see [`builder`]), with no whole-request timeout, so
/// event streams stay open as long as a test holds them. It keeps the default retry policy: the
/// event-stream tests time the stream's own reconnect delays, which short transport retries of
/// a failed connection attempt would blur.
pub fn game_client(at: &(impl Target + ?Sized)) -> Client<ClientKey> {
    builder(client_key(), at)
        .timeout(None)
        .build()
        .expect("a test client")
}

/// The default retry policy with short delays.
pub fn fast_retry() -> RetryConfig {
    RetryConfig::new()
        .initial_backoff(Duration::from_millis(20))
        .max_backoff(Duration::from_millis(100))
}
