//! The server list: one page, or every page as a stream.

use futures::{Stream, TryStreamExt as _};

use crate::Client;
use crate::call::send;
use crate::error::Result;
use crate::keys::ApiKey;
use crate::model::{Server, ServerList};
use crate::paging::{self, Page, STREAM_PAGE_SIZE};
use crate::validate;

/// A server list request. Obtain with [`Servers::list`](super::Servers::list).
#[derive(Debug)]
#[must_use]
pub struct ListServers<'a, K: ApiKey> {
    pub(super) client: &'a Client<K>,
    pub(super) include_launching: Option<bool>,
    pub(super) include_pool: Option<bool>,
    pub(super) limit: Option<u32>,
    pub(super) offset: Option<u64>,
}

impl<K: ApiKey> ListServers<'_, K> {
    /// Include servers still `launching` (default: no).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.servers().list().include_launching(true).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn include_launching(mut self, yes: bool) -> Self {
        self.include_launching = Some(yes);
        self
    }

    /// Include idle pool servers (default: no).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.servers().list().include_pool(true).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn include_pool(mut self, yes: bool) -> Self {
        self.include_pool = Some(yes);
        self
    }

    /// Page size, 1–100 (server default 50; [`Self::stream`] asks for 100 unless set).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.servers().list().limit(100).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// How many servers to skip.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.servers().list().offset(50).send().await?;
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
    /// let page = client.servers().list().send().await?;
    /// println!("{} of {:?}", page.servers.len(), page.total);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<ServerList> {
        fetch(
            self.client,
            self.include_launching,
            self.include_pool,
            self.limit,
            self.offset,
        )
        .await
    }

    /// Every server from the offset on, page after page (following `has_more`, else `total`),
    /// as a stream. Pages are fetched as the stream is read; the first error ends it.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// use futures::TryStreamExt as _;
    /// let mut servers = std::pin::pin!(client.servers().list().include_launching(true).stream());
    /// while let Some(server) = servers.try_next().await? {
    ///     println!("{} {}", server.instance_id, server.status);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn stream(self) -> impl Stream<Item = Result<Server>> + Send + 'static {
        let client = self.client.clone();
        let (launching, pool) = (self.include_launching, self.include_pool);
        let limit = self.limit.unwrap_or(STREAM_PAGE_SIZE);
        paging::offset_stream(self.offset.unwrap_or(0), move |offset| {
            let client = client.clone();
            async move {
                let page = fetch(&client, launching, pool, Some(limit), Some(offset)).await?;
                let len = page.servers.len();
                Ok(Page {
                    has_more: paging::has_more(page.has_more, page.total, offset, len, limit),
                    items: page.servers,
                })
            }
        })
    }

    /// Every server from the offset on, all pages collected.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let all = client.servers().list().include_launching(true).collect_all().await?;
    /// println!("{} servers", all.len());
    /// # Ok(()) }
    /// ```
    pub async fn collect_all(self) -> Result<Vec<Server>> {
        self.stream().try_collect().await
    }
}

async fn fetch<K: ApiKey>(
    client: &Client<K>,
    include_launching: Option<bool>,
    include_pool: Option<bool>,
    limit: Option<u32>,
    offset: Option<u64>,
) -> Result<ServerList> {
    let mut call = client.raw().list_servers();
    if let Some(v) = include_launching {
        call = call.include_launching(v);
    }
    if let Some(v) = include_pool {
        call = call.include_pool(v);
    }
    if let Some(v) = limit {
        call = call.limit(validate::limit("limit", v, 100)?);
    }
    if let Some(v) = offset {
        call = call.offset(v);
    }
    send("list_servers", call.send()).await
}
