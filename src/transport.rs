//! The transport under every request of the generated client.
//!
//! progenitor calls [`ClientHooks::exec`] for each operation; our implementation for
//! [`raw::Client`] hands the request to [`Transport`], which adds the API key (as a sensitive
//! header, never logged) and records the response for error classification.

use std::fmt;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::HeaderValue;

use crate::raw;

/// The header PlayFlow reads the API key from.
pub(crate) const API_KEY_HEADER: &str = "api-key";

/// What runs each request of a [`raw::Client`].
///
/// `Transport::default()` sends requests as they are (set the `api-key` header yourself); the
/// facade's [`Client`](crate::Client) builds one that adds the key.
///
/// ```
/// let transport = playflow::transport::Transport::default();
/// # let _ = transport;
/// ```
#[derive(Clone, Default)]
pub struct Transport {
    api_key: Option<HeaderValue>,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl Transport {
    /// A transport that sends `key` in the `api-key` header of every call but the health check.
    pub(crate) fn with_key(key: &str) -> Result<Self, crate::KeyError> {
        let mut value =
            HeaderValue::from_str(key).map_err(|_| crate::KeyError::InvalidCharacters)?;
        value.set_sensitive(true);
        Ok(Self {
            api_key: Some(value),
        })
    }

    async fn execute(
        &self,
        client: &reqwest::Client,
        mut request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        if let Some(key) = &self.api_key
            && info.operation_id != "get_health"
        {
            request.headers_mut().insert(API_KEY_HEADER, key.clone());
        }
        let response = client.execute(request).await?;
        crate::call::record(response.status().as_u16(), response.headers());
        Ok(response)
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
