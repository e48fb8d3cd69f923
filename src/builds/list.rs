//! The build list: one page, or every page as a stream.

use futures::{Stream, TryStreamExt as _};

use crate::Client;
use crate::call::send;
use crate::error::Result;
use crate::keys::ServerKey;
use crate::model::{Build, BuildList};
use crate::paging::{self, Page, STREAM_PAGE_SIZE};
use crate::validate;

/// A build list request. Obtain with [`Builds::list`](super::Builds::list).
#[derive(Debug)]
#[must_use]
pub struct ListBuilds<'a> {
    pub(super) client: &'a Client<ServerKey>,
    pub(super) name: Option<String>,
    pub(super) limit: Option<u32>,
    pub(super) offset: Option<u64>,
}

impl ListBuilds<'_> {
    /// Only builds of this name.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.builds().list().name("beta").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Page size, 1–100 (server default 50; [`Self::stream`] asks for 100 unless set).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.builds().list().limit(100).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// How many builds to skip.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.builds().list().offset(100).send().await?;
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
    /// let page = client.builds().list().send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub async fn send(self) -> Result<BuildList> {
        fetch(self.client, self.name.as_deref(), self.limit, self.offset).await
    }

    /// Every build from the offset on, page after page (until `total`, or a short page), as a
    /// stream. Pages are fetched as the stream is read; the first error ends it.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// use futures::TryStreamExt as _;
    /// let mut builds = std::pin::pin!(client.builds().list().name("default").stream());
    /// while let Some(build) = builds.try_next().await? {
    ///     println!("v{} {}", build.version, build.status);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn stream(self) -> impl Stream<Item = Result<Build>> + Send + 'static {
        let client = self.client.clone();
        let name = self.name;
        let limit = self.limit.unwrap_or(STREAM_PAGE_SIZE);
        paging::offset_stream(self.offset.unwrap_or(0), move |offset| {
            let client = client.clone();
            let name = name.clone();
            async move {
                let page = fetch(&client, name.as_deref(), Some(limit), Some(offset)).await?;
                let len = page.builds.len();
                Ok(Page {
                    has_more: paging::has_more(None, page.total, offset, len, limit),
                    items: page.builds,
                })
            }
        })
    }

    /// Every build from the offset on, all pages collected.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let all = client.builds().list().collect_all().await?;
    /// println!("{} builds", all.len());
    /// # Ok(()) }
    /// ```
    pub async fn collect_all(self) -> Result<Vec<Build>> {
        self.stream().try_collect().await
    }
}

async fn fetch(
    client: &Client<ServerKey>,
    name: Option<&str>,
    limit: Option<u32>,
    offset: Option<u64>,
) -> Result<BuildList> {
    let mut call = client.raw().list_builds();
    if let Some(name) = name {
        call = call.name(name);
    }
    if let Some(v) = limit {
        call = call.limit(validate::limit("limit", v, 100)?);
    }
    if let Some(v) = offset {
        call = call.offset(v);
    }
    send("list_builds", call.send()).await
}
