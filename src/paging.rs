//! Every item of an offset-paged list as one stream.

use std::future::Future;

use futures::{Stream, StreamExt as _};

use crate::error::Result;

/// The page size streams ask for when the caller set none: the largest the API allows, to make
/// as few calls as possible.
pub(crate) const STREAM_PAGE_SIZE: u32 = 100;

/// One fetched page and whether another follows it.
pub(crate) struct Page<T> {
    pub(crate) items: Vec<T>,
    pub(crate) has_more: bool,
}

struct State<F> {
    fetch: F,
    offset: u64,
    done: bool,
}

/// Fetch `fetch(offset)` from `offset` on, advancing by each page's length, until a page says
/// it is the last or comes back empty (so a server that keeps saying `has_more` on empty pages
/// cannot make the stream spin). The first error is yielded and ends the stream.
pub(crate) fn offset_stream<T, F, Fut>(
    offset: u64,
    fetch: F,
) -> impl Stream<Item = Result<T>> + Send + 'static
where
    T: Send + 'static,
    F: FnMut(u64) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Page<T>>> + Send + 'static,
{
    let state = State {
        fetch,
        offset,
        done: false,
    };
    futures::stream::unfold(state, |mut state| async move {
        if state.done {
            return None;
        }
        match (state.fetch)(state.offset).await {
            Ok(page) => {
                state.offset += page.items.len() as u64;
                state.done = !page.has_more || page.items.is_empty();
                Some((page.items.into_iter().map(Ok).collect::<Vec<_>>(), state))
            }
            Err(e) => {
                state.done = true;
                Some((vec![Err(e)], state))
            }
        }
    })
    .flat_map(futures::stream::iter)
}

/// Whether a page of `len` items at `offset` is followed by another, from what the answer said:
/// `has_more` when present, else `total`, else whether the page was full.
pub(crate) fn has_more(
    has_more: Option<bool>,
    total: Option<i64>,
    offset: u64,
    len: usize,
    page_size: u32,
) -> bool {
    if len == 0 {
        return false;
    }
    match (has_more, total) {
        (Some(more), _) => more,
        (None, Some(total)) => offset + (len as u64) < u64::try_from(total).unwrap_or(0),
        (None, None) => len >= page_size as usize,
    }
}
