//! The server list: one page, or every page as a [`Paged`](crate::Paged) stream.

use crate::Client;
use crate::call::send;
use crate::error::Result;
use crate::keys::ApiKey;
use crate::model::{Server, ServerList};
use crate::paging::{OffsetList, Window, offset_list_methods};
use crate::raw::operations;

/// A server list request. Obtain with [`Servers::list`](super::Servers::list).
#[derive(Debug, Clone)]
#[must_use]
pub struct ListServers<K: ApiKey> {
    pub(super) client: Client<K>,
    pub(super) include_launching: Option<bool>,
    pub(super) include_pool: Option<bool>,
    pub(super) window: Window,
}

impl<K: ApiKey> ListServers<K> {
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

    /// Fetch this page.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let page = client.servers().list().send().await?;
    /// println!("{} of {:?}", page.servers.len(), page.total);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<ServerList> {
        self.fetch().await
    }
}

offset_list_methods!(
    [K: ApiKey] ListServers<K> => Server,
    playflow::Client,
    "servers().list().include_launching(true)",
    "servers"
);

impl<K: ApiKey> OffsetList for ListServers<K> {
    type Answer = ServerList;
    type Item = Server;

    fn window(&mut self) -> &mut Window {
        &mut self.window
    }

    async fn fetch(&self) -> Result<ServerList> {
        let mut call = self.client.raw().list_servers();
        if let Some(v) = self.include_launching {
            call = call.include_launching(v);
        }
        if let Some(v) = self.include_pool {
            call = call.include_pool(v);
        }
        if let Some(limit) = self.window.checked_limit()? {
            call = call.limit(limit);
        }
        if let Some(v) = self.window.offset {
            call = call.offset(v);
        }
        send(operations::LIST_SERVERS, call.send()).await
    }

    fn split(answer: ServerList) -> (Vec<Server>, Option<bool>, Option<i64>) {
        (answer.servers, answer.has_more, answer.total)
    }
}
