//! Browsing public lobbies: one page, or every page as a stream that follows `offset`/`hasMore`.

use futures::stream::{BoxStream, StreamExt, TryStreamExt};

use crate::Client;
use crate::call::send;
use crate::error::Result;
use crate::keys::ApiKey;
use crate::model::{Lobby, LobbyList};
use crate::paging::{self, Page, STREAM_PAGE_SIZE};
use crate::validate;

/// A lobby browse request. Obtain with [`Lobbies::browse`](super::Lobbies::browse).
#[derive(Debug, Clone)]
#[must_use]
pub struct BrowseLobbies<'a, K: ApiKey> {
    client: &'a Client<K>,
    config: String,
    region: Option<String>,
    status: Option<String>,
    limit: Option<u32>,
    offset: Option<u64>,
}

impl<'a, K: ApiKey> BrowseLobbies<'a, K> {
    pub(super) fn new(client: &'a Client<K>, config: String) -> Self {
        Self {
            client,
            config,
            region: None,
            status: None,
            limit: None,
            offset: None,
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

    /// Page size, 1–100 (server default 50).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.lobbies("casual").browse().limit(10).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// How many lobbies to skip (where [`Self::stream`] starts).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.lobbies("casual").browse().offset(10).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Fetch this page.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let page = client.lobbies("casual").browse().send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub async fn send(&self) -> Result<LobbyList> {
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
        if let Some(v) = self.limit {
            call = call.limit(validate::limit("limit", v, 100)?);
        }
        if let Some(v) = self.offset {
            call = call.offset(v);
        }
        send("browse_lobbies", call.send()).await
    }

    /// Every matching lobby, page after page (pages of [`Self::limit`], 100 unless set, from
    /// [`Self::offset`]).
    /// The next page is fetched when the previous one is consumed; the stream ends after the
    /// page that says there are no more, or at the first error.
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// let mut lobbies = client.lobbies("casual").browse().status("waiting").stream();
    /// while let Some(lobby) = lobbies.try_next().await? {
    ///     println!("{} {}/{}", lobby.id, lobby.current_players, lobby.max_players);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn stream(self) -> BoxStream<'a, Result<Lobby>> {
        let Self {
            client,
            config,
            region,
            status,
            limit,
            offset,
        } = self;
        let client = client.clone();
        let limit = limit.unwrap_or(STREAM_PAGE_SIZE);
        paging::offset_stream(offset.unwrap_or(0), move |offset| {
            let (client, config, region, status) = (
                client.clone(),
                config.clone(),
                region.clone(),
                status.clone(),
            );
            async move {
                let request = BrowseLobbies {
                    client: &client,
                    config,
                    region,
                    status,
                    limit: Some(limit),
                    offset: Some(offset),
                };
                let page = request.send().await?;
                // `total` is a JSON number in the spec; a fraction or NaN would be a server bug.
                let total = Some(page.total as i64);
                Ok(Page {
                    has_more: paging::has_more(
                        page.has_more,
                        total,
                        offset,
                        page.lobbies.len(),
                        limit,
                    ),
                    items: page.lobbies,
                })
            }
        })
        .boxed()
    }

    /// Every matching lobby, all pages collected.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// let all = client.lobbies("casual").browse().region("eu-west").collect_all().await?;
    /// println!("{} open lobbies", all.len());
    /// # Ok(()) }
    /// ```
    pub async fn collect_all(self) -> Result<Vec<Lobby>> {
        self.stream().try_collect().await
    }
}
