//! Every item of an offset-paged list as one stream: the engine behind the `stream()` of
//! builds, servers and lobbies, and the [`Paged`] stream type they all return.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::stream::BoxStream;
use futures::{Stream, StreamExt as _};

use crate::error::Result;

/// Every item of a paged list (builds, servers, lobbies), fetched page by page as the stream is
/// read. The first error is yielded and ends the stream. `Send + 'static` and `Unpin`: it owns
/// a clone of the client, so it can be moved into a task and polled without pinning.
///
/// ```no_run
/// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
/// use futures::TryStreamExt as _;
/// let mut servers: playflow::Paged<playflow::model::Server> = client.servers().list().stream();
/// while let Some(server) = servers.try_next().await? {
///     println!("{}", server.instance_id);
/// }
/// # Ok(()) }
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct Paged<T> {
    items: BoxStream<'static, Result<T>>,
}

impl<T> fmt::Debug for Paged<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Paged").finish_non_exhaustive()
    }
}

impl<T> Stream for Paged<T> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.items.poll_next_unpin(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.items.size_hint()
    }
}

/// The page size streams ask for when the caller set none: the largest the API allows, to make
/// as few calls as possible.
pub(crate) const STREAM_PAGE_SIZE: u32 = 100;

/// One fetched page and whether another follows it.
struct Page<T> {
    items: Vec<T>,
    has_more: bool,
}

/// The page window of a list request: page size and how many items to skip.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Window {
    pub(crate) limit: Option<u32>,
    pub(crate) offset: Option<u64>,
}

impl Window {
    /// The page size, checked against the API's 1–100 (every list call has that range).
    pub(crate) fn checked_limit(&self) -> Result<Option<std::num::NonZeroU64>> {
        self.limit
            .map(|limit| crate::validate::limit("limit", limit, STREAM_PAGE_SIZE.into()))
            .transpose()
    }
}

/// A list request that pages by offset (builds, servers, lobbies): what [`stream_all`] needs
/// of it.
pub(crate) trait OffsetList: Clone + Send + Sync + 'static {
    /// The API's answer for one page.
    type Answer: Send;
    /// One listed item.
    type Item: Send + 'static;

    /// The request's window, to read and to move along.
    fn window(&mut self) -> &mut Window;

    /// Fetch the page of the current window.
    fn fetch(&self) -> impl Future<Output = Result<Self::Answer>> + Send;

    /// An answer's items, and its `has_more` and `total` where it has them.
    fn split(answer: Self::Answer) -> (Vec<Self::Item>, Option<bool>, Option<i64>);
}

/// Every item of `list` from its offset on, in pages of its limit (100 unless set).
pub(crate) fn stream_all<L: OffsetList>(mut list: L) -> Paged<L::Item> {
    let window = *list.window();
    let limit = window.limit.unwrap_or(STREAM_PAGE_SIZE);
    offset_stream(window.offset.unwrap_or(0), move |offset| {
        let mut request = list.clone();
        *request.window() = Window {
            limit: Some(limit),
            offset: Some(offset),
        };
        async move {
            let (items, more, total) = L::split(request.fetch().await?);
            Ok(Page {
                has_more: has_more(more, total, offset, items.len(), limit),
                items,
            })
        }
    })
}

/// The setters of a list request's [`Window`] (field `window`), and `collect_all`, for a
/// builder that implements [`OffsetList`] with `Item = $item`. `$make` is the doc examples'
/// expression that makes the builder from a `client` of type `$client`; `$items` names what
/// is listed.
macro_rules! offset_list_methods {
    ([$($generics:tt)*] $builder:ty => $item:ty, $client:ty, $make:literal, $items:literal) => {
        impl<$($generics)*> $builder {
            /// Page size, 1–100 (server default 50; `stream()` asks for 100 unless set).
            ///
            /// ```no_run
            #[doc = concat!("# async fn demo(client: ", stringify!($client), ") -> playflow::Result<()> {")]
            #[doc = concat!("client.", $make, ".limit(100).send().await?;")]
            /// # Ok(()) }
            /// ```
            pub fn limit(mut self, limit: u32) -> Self {
                self.window.limit = Some(limit);
                self
            }

            #[doc = concat!("How many ", $items, " to skip (where `stream()` starts).")]
            ///
            /// ```no_run
            #[doc = concat!("# async fn demo(client: ", stringify!($client), ") -> playflow::Result<()> {")]
            #[doc = concat!("client.", $make, ".offset(50).send().await?;")]
            /// # Ok(()) }
            /// ```
            pub fn offset(mut self, offset: u64) -> Self {
                self.window.offset = Some(offset);
                self
            }

            #[doc = concat!("Every one of the ", $items, " from the offset on, page after page, as a")]
            /// [`Paged`](crate::Paged) stream. Pages are fetched as the stream is read; it ends
            /// after the page that says it is the last (`has_more`, else `total`, else a short
            /// page), or at the first error.
            ///
            /// ```no_run
            #[doc = concat!("# async fn demo(client: ", stringify!($client), ") -> playflow::Result<()> {")]
            /// use futures::TryStreamExt as _;
            #[doc = concat!("let mut all = client.", $make, ".stream();")]
            /// while let Some(item) = all.try_next().await? {
            ///     # let _ = item;
            /// }
            /// # Ok(()) }
            /// ```
            pub fn stream(self) -> $crate::Paged<$item> {
                $crate::paging::stream_all(self)
            }

            #[doc = concat!("Every one of the ", $items, " from the offset on, all pages collected.")]
            ///
            /// ```no_run
            #[doc = concat!("# async fn demo(client: ", stringify!($client), ") -> playflow::Result<()> {")]
            #[doc = concat!("let all = client.", $make, ".collect_all().await?;")]
            /// println!("{} in all", all.len());
            /// # Ok(()) }
            /// ```
            pub async fn collect_all(self) -> $crate::Result<Vec<$item>> {
                futures::TryStreamExt::try_collect(self.stream()).await
            }
        }
    };
}

pub(crate) use offset_list_methods;

struct State<F> {
    fetch: F,
    offset: u64,
    done: bool,
}

/// Fetch `fetch(offset)` from `offset` on, advancing by each page's length, until a page says
/// it is the last or comes back empty (so a server that keeps saying `has_more` on empty pages
/// cannot make the stream spin). The first error is yielded and ends the stream.
fn offset_stream<T, F, Fut>(offset: u64, fetch: F) -> Paged<T>
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
    let items = futures::stream::unfold(state, |mut state| async move {
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
    .flat_map(futures::stream::iter);
    Paged {
        items: items.boxed(),
    }
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
