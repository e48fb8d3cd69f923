//! Finding the server a tagged start started, so a start happens once per tag: looked for
//! before the start, and again after an ambiguous failure. Each search is bounded in pages and
//! time, so a list that never ends cannot hold the caller.

use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use crate::Client;
use crate::error::Error;
use crate::keys::ApiKey;
use crate::model::Server;
use crate::paging::{STREAM_PAGE_SIZE, has_more};

/// The `custom_data` key [`StartServer::idempotency_tag`](super::StartServer::idempotency_tag)
/// tags a start with.
pub const IDEMPOTENCY_KEY: &str = "_playflow_start_id";

/// The most pages of [`STREAM_PAGE_SIZE`] servers one search reads (2,000 servers).
pub(super) const MAX_PAGES: u32 = 20;

/// The longest one search takes, retries of its list calls included.
pub(super) const MAX_TIME: Duration = Duration::from_secs(20);

/// What a search for a tag found.
pub(super) enum Search {
    /// The server started under the tag.
    Found(Box<Server>),
    /// The whole list was read: no server has the tag.
    Absent,
    /// A list call failed after `pages` pages.
    Failed { pages: u32, error: Error },
    /// The bound was reached after `pages` pages, before the list ended.
    Unsettled { pages: u32, reason: String },
}

/// Look for the server started under `tag` among every server, launching and pool ones
/// included, within [`MAX_PAGES`] and [`MAX_TIME`].
pub(super) async fn find_tagged<K: ApiKey>(client: &Client<K>, tag: &str) -> Search {
    let deadline = Instant::now() + MAX_TIME;
    let mut offset = 0u64;
    for pages in 0..MAX_PAGES {
        let page = client
            .servers()
            .list()
            .include_launching(true)
            .include_pool(true)
            .limit(STREAM_PAGE_SIZE)
            .offset(offset)
            .send();
        let page = match tokio::time::timeout_at(deadline, page).await {
            Ok(Ok(page)) => page,
            Ok(Err(error)) => return Search::Failed { pages, error },
            Err(_) => {
                return Search::Unsettled {
                    pages,
                    reason: format!("the server list did not end within {MAX_TIME:?}"),
                };
            }
        };
        let len = page.servers.len();
        let more = has_more(page.has_more, page.total, offset, len, STREAM_PAGE_SIZE);
        if let Some(server) = page.servers.into_iter().find(|s| is_tagged(s, tag)) {
            return Search::Found(Box::new(server));
        }
        if !more {
            return Search::Absent;
        }
        offset += len as u64;
    }
    Search::Unsettled {
        pages: MAX_PAGES,
        reason: format!("the server list did not end within {MAX_PAGES} pages"),
    }
}

fn is_tagged(server: &Server, tag: &str) -> bool {
    server
        .custom_data
        .as_ref()
        .and_then(|data| data.get(IDEMPOTENCY_KEY))
        .and_then(Value::as_str)
        == Some(tag)
}
