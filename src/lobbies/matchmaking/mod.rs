//! The match waiter: queue the lobby, then wait until its match's game server can be joined.
//!
//! Driven by the lobby's event stream; while the stream is down (or before it is up) the lobby
//! is polled instead. Shaped like the aws-sdk waiters: a builder with a max wait, then either
//! `.await` it directly or [`FindMatch::start`] it for a handle that can be cancelled.

mod error;
mod found;
mod search;

pub use error::FindMatchError;
pub use found::Match;
pub use search::MatchSearch;

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use super::PlayerLobby;
use super::events::StreamOptions;
use crate::keys::ApiKey;

/// A match search. Obtain with [`PlayerLobby::find_match`](super::PlayerLobby::find_match)
/// (queues the lobby; host only) or
/// [`PlayerLobby::wait_for_match`](super::PlayerLobby::wait_for_match) (waits only).
///
/// `.await` it to get the [`Match`]; dropping that future before it resolves leaves the queue
/// (a best-effort `cancel_matchmaking` is spawned on the current Tokio runtime). For an
/// explicit cancel button, [`Self::start`] it and keep the [`MatchSearch`].
///
/// ```no_run
/// use std::time::Duration;
/// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> Result<(), playflow::lobbies::FindMatchError> {
/// let me = client.lobbies("casual").player("p-123");
/// let found = me
///     .find_match("duo_ranked")
///     .max_wait(Duration::from_secs(180))
///     .auto_confirm(true)
///     .await?;
/// println!("match {:?} on {}", found.match_id(), found.endpoints[0]);
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use = "a match search does nothing unless awaited or started"]
pub struct FindMatch<K: ApiKey> {
    owner: PlayerLobby<K>,
    mode: Option<String>,
    max_wait: Option<Duration>,
    poll_interval: Duration,
    auto_confirm: bool,
    stream: StreamOptions,
}

impl<K: ApiKey> PlayerLobby<K> {
    /// Queue the lobby for `mode` (host only) and wait until it is matched and its game server
    /// can be connected to. See [`FindMatch`].
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> Result<(), playflow::lobbies::FindMatchError> {
    /// let me = client.lobbies("casual").player("p-123");
    /// let found = me.find_match("duo_ranked").max_wait(Duration::from_secs(180)).await?;
    /// for endpoint in &found.endpoints {
    ///     println!("{endpoint}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn find_match(&self, mode: impl Into<String>) -> FindMatch<K> {
        FindMatch::new(self.clone(), Some(mode.into()))
    }

    /// Wait until the lobby is matched and its server can be connected to, without queueing:
    /// for members who are not the host (the host calls [`Self::find_match`]), or after a
    /// [`PlayerLobby::start_game`]. Dropping it leaves the queue alone.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> Result<(), playflow::lobbies::FindMatchError> {
    /// let me = client.lobbies("casual").player("p-456");
    /// let found = me.wait_for_match().await?;
    /// println!("connect to {}", found.endpoints[0]);
    /// # Ok(()) }
    /// ```
    pub fn wait_for_match(&self) -> FindMatch<K> {
        FindMatch::new(self.clone(), None)
    }
}

impl<K: ApiKey> FindMatch<K> {
    fn new(owner: PlayerLobby<K>, mode: Option<String>) -> Self {
        Self {
            owner,
            mode,
            max_wait: None,
            poll_interval: Duration::from_secs(5),
            auto_confirm: false,
            stream: StreamOptions::default(),
        }
    }

    /// Give up after this long (counted from the start, queueing included) with
    /// [`FindMatchError::ExceededMaxWait`], leaving the queue first. Default: no limit
    /// (the mode's own queue timeout still ends the search with
    /// [`FindMatchError::LeftQueue`]).
    ///
    /// ```no_run
    /// # async fn demo(me: playflow::lobbies::PlayerLobby<playflow::ClientKey>) -> Result<(), playflow::lobbies::FindMatchError> {
    /// me.find_match("duo_ranked").max_wait(std::time::Duration::from_secs(120)).await?;
    /// # Ok(()) }
    /// ```
    pub fn max_wait(mut self, max_wait: Duration) -> Self {
        self.max_wait = Some(max_wait);
        self
    }

    /// How often to poll the lobby while the event stream is down (default 5 s).
    ///
    /// ```no_run
    /// # async fn demo(me: playflow::lobbies::PlayerLobby<playflow::ClientKey>) -> Result<(), playflow::lobbies::FindMatchError> {
    /// me.find_match("duo_ranked").poll_interval(std::time::Duration::from_secs(3)).await?;
    /// # Ok(()) }
    /// ```
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval.max(Duration::from_millis(1));
        self
    }

    /// Confirm a found match (`match_found`) automatically. Off by default: a game that asks
    /// its players calls [`PlayerLobby::confirm_match`](super::PlayerLobby::confirm_match) or
    /// `decline_match` itself, and the search goes on (or ends with
    /// [`FindMatchError::LeftQueue`] after a decline).
    ///
    /// ```no_run
    /// # async fn demo(me: playflow::lobbies::PlayerLobby<playflow::ClientKey>) -> Result<(), playflow::lobbies::FindMatchError> {
    /// me.find_match("duo_ranked").auto_confirm(true).await?;
    /// # Ok(()) }
    /// ```
    pub fn auto_confirm(mut self, auto_confirm: bool) -> Self {
        self.auto_confirm = auto_confirm;
        self
    }

    /// Reconnect delay bounds of the event stream, as in
    /// [`LobbyEvents::reconnect_delays`](super::LobbyEvents::reconnect_delays).
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// # async fn demo(me: playflow::lobbies::PlayerLobby<playflow::ClientKey>) -> Result<(), playflow::lobbies::FindMatchError> {
    /// me.find_match("duo_ranked").reconnect_delays(Duration::from_millis(500), Duration::from_secs(5)).await?;
    /// # Ok(()) }
    /// ```
    pub fn reconnect_delays(mut self, min: Duration, max: Duration) -> Self {
        self.stream = self.stream.with_delays(min, max);
        self
    }

    /// Idle timeout of the event stream, as in
    /// [`LobbyEvents::idle_timeout`](super::LobbyEvents::idle_timeout).
    ///
    /// ```no_run
    /// # async fn demo(me: playflow::lobbies::PlayerLobby<playflow::ClientKey>) -> Result<(), playflow::lobbies::FindMatchError> {
    /// me.find_match("duo_ranked").idle_timeout(std::time::Duration::from_secs(45)).await?;
    /// # Ok(()) }
    /// ```
    pub fn idle_timeout(mut self, idle: Duration) -> Self {
        self.stream.idle_timeout = idle;
        self
    }

    /// Queue the lobby (for [`find_match`](super::PlayerLobby::find_match)) or read it (for
    /// [`wait_for_match`](super::PlayerLobby::wait_for_match)) and return the running search,
    /// to [`MatchSearch::wait`] on and [`MatchSearch::cancel`].
    ///
    /// ```no_run
    /// # async fn demo(me: playflow::lobbies::PlayerLobby<playflow::ClientKey>, cancel_pressed: tokio::sync::oneshot::Receiver<()>) -> Result<(), playflow::lobbies::FindMatchError> {
    /// let mut search = me.find_match("duo_ranked").start().await?;
    /// tokio::select! {
    ///     found = search.wait() => println!("connect to {}", found?.endpoints[0]),
    ///     _ = cancel_pressed => { search.cancel().await?; }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn start(self) -> Result<MatchSearch<K>, super::FindMatchError> {
        MatchSearch::start(self).await
    }
}

impl<K: ApiKey> IntoFuture for FindMatch<K> {
    type Output = Result<Match, FindMatchError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let mut search = self.start().await?;
            search.wait().await
        })
    }
}
