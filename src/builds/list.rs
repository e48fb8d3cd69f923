//! The build list: one page, or every page as a [`Paged`](crate::Paged) stream.

use crate::Client;
use crate::call::send;
use crate::error::Result;
use crate::keys::ServerKey;
use crate::model::{Build, BuildList};
use crate::paging::{OffsetList, Window, offset_list_methods};
use crate::raw::operations;

/// A build list request. Obtain with [`Builds::list`](super::Builds::list).
#[derive(Debug, Clone)]
#[must_use]
pub struct ListBuilds {
    pub(super) client: Client<ServerKey>,
    pub(super) name: Option<String>,
    pub(super) window: Window,
}

impl ListBuilds {
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

    /// Fetch this page.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let page = client.builds().list().send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub async fn send(self) -> Result<BuildList> {
        self.fetch().await
    }
}

offset_list_methods!([] ListBuilds => Build, playflow::Client, "builds().list()", "builds");

impl OffsetList for ListBuilds {
    type Answer = BuildList;
    type Item = Build;

    fn window(&mut self) -> &mut Window {
        &mut self.window
    }

    async fn fetch(&self) -> Result<BuildList> {
        let mut call = self.client.raw().list_builds();
        if let Some(name) = &self.name {
            call = call.name(name.as_str());
        }
        if let Some(limit) = self.window.checked_limit()? {
            call = call.limit(limit);
        }
        if let Some(v) = self.window.offset {
            call = call.offset(v);
        }
        send(operations::LIST_BUILDS, call.send()).await
    }

    fn split(answer: BuildList) -> (Vec<Build>, Option<bool>, Option<i64>) {
        (answer.builds, None, answer.total)
    }
}
