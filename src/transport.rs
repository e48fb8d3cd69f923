//! The transport under every request of the generated client.
//!
//! progenitor calls [`ClientHooks::exec`] for each operation; our implementation for
//! [`raw::Client`] hands the request to [`Transport`].

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};

use crate::raw;

/// What runs each request: today a plain `reqwest` send.
///
/// ```
/// let transport = playflow::transport::Transport::default();
/// # let _ = transport;
/// ```
#[derive(Debug, Clone, Default)]
pub struct Transport {}

impl Transport {
    async fn execute(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        client.execute(request).await
    }
}

impl ClientHooks<Transport> for raw::Client {
    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        self.inner().execute(self.client(), request, info).await
    }
}
