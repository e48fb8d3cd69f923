//! Browsing public lobbies: one page, or every page as a stream that follows `offset`/`hasMore`.

use crate::raw::operations;
use std::future::Future;

use crate::Client;
use crate::call::send;
use crate::error::Result;
use crate::keys::ApiKey;
use crate::model::{Lobby, LobbyList};
use crate::paging::{OffsetList, Window, offset_list_methods};
use crate::validate;

/// A lobby browse request. Obtain with [`Lobbies::browse`](super::Lobbies::browse).
#[derive(Debug, Clone)]
#[must_use]
pub struct BrowseLobbies<K: ApiKey> {
    client: Client<K>,
    config: String,
    region: Option<String>,
    status: Option<String>,
    window: Window,
}

impl<K: ApiKey> BrowseLobbies<K> {
    pub(super) fn new(client: Client<K>, config: String) -> Self {
        Self {
            client,
            config,
            region: None,
            status: None,
            window: Window::default(),
        }
    }

    /// Only lobbies in this region.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.lobbies("casual").browse().region("us-east").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Only lobbies in this status (e.g. `waiting`).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.lobbies("casual").browse().status("waiting").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn status(mut self, status: impl Into<String>) -> Self {
        self.status = Some(status.into());
        self
    }

    /// Fetch this page.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let page = client.lobbies("casual").browse().send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub fn send(&self) -> impl Future<Output = Result<LobbyList>> + Send + 'static {
        let request = self.clone();
        async move { request.fetch().await }
    }
}

offset_list_methods!(
    [K: ApiKey] BrowseLobbies<K> => Lobby,
    playflow::Client<playflow::ClientKey>,
    "lobbies(\"casual\").browse().status(\"waiting\")",
    "lobbies"
);

impl<K: ApiKey> OffsetList for BrowseLobbies<K> {
    type Answer = LobbyList;
    type Item = Lobby;

    fn window(&mut self) -> &mut Window {
        &mut self.window
    }

    async fn fetch(&self) -> Result<LobbyList> {
        validate::non_empty("config", &self.config)?;
        let mut call = self
            .client
            .raw()
            .browse_lobbies()
            .config(self.config.as_str());
        if let Some(region) = &self.region {
            call = call.region(region.as_str());
        }
        if let Some(status) = &self.status {
            call = call.status(status.as_str());
        }
        if let Some(limit) = self.window.checked_limit()? {
            call = call.limit(limit);
        }
        if let Some(v) = self.window.offset {
            call = call.offset(v);
        }
        send(operations::BROWSE_LOBBIES, call.send()).await
    }

    fn split(answer: LobbyList) -> (Vec<Lobby>, Option<bool>, Option<i64>) {
        // `total` is a JSON number in the spec; a fraction or NaN would be a server bug.
        (answer.lobbies, answer.has_more, Some(answer.total as i64))
    }
}
