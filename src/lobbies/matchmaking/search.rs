//! A running match search: watches the lobby (events, or polling while they are down) until
//! it is matched with a joinable server, gives up at the max wait, and leaves the queue when
//! cancelled or dropped.

use std::future::Future;
use std::time::Duration;

use futures::stream::{BoxStream, StreamExt};
use tokio::time::Instant;

use super::{FindMatch, FindMatchError, Match};
use crate::error::Error;
use crate::keys::ApiKey;
use crate::lobbies::PlayerLobby;
use crate::lobbies::errors::{LobbyErrorExt, LobbyErrorKind};
use crate::lobbies::events::{LobbyEvent, Signal, signals};
use crate::model::{Lobby, LobbyStatus, QueueStats};

/// A match search in progress. Obtain with [`FindMatch::start`].
///
/// Dropping it before it found a match leaves the queue: a best-effort `cancel_matchmaking`
/// is spawned on the current Tokio runtime (nothing is sent outside one). Use
/// [`Self::cancel`] to leave the queue and see the answer.
pub struct MatchSearch<K: ApiKey> {
    owner: PlayerLobby<K>,
    guard: QueueGuard<K>,
    signals: BoxStream<'static, Signal>,
    signals_ended: bool,
    connected: bool,
    lobby: Lobby,
    queue_stats: Option<QueueStats>,
    max_wait: Option<Duration>,
    deadline: Option<Instant>,
    poll_interval: Duration,
    next_poll: Option<Instant>,
    auto_confirm: bool,
    confirm_sent: bool,
    seen_queue: bool,
}

impl<K: ApiKey> std::fmt::Debug for MatchSearch<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MatchSearch")
            .field("owner", &self.owner)
            .field("in_queue", &self.guard.is_armed())
            .field("status", &self.lobby.status)
            .field("stream_connected", &self.connected)
            .field("max_wait", &self.max_wait)
            .finish_non_exhaustive()
    }
}

/// What woke the waiter.
#[allow(clippy::large_enum_variant)] // one at a time, moved once
enum Wake {
    Deadline,
    Signal(Option<Signal>),
    Poll,
}

type Step = Option<Result<Match, FindMatchError>>;

impl<K: ApiKey> MatchSearch<K> {
    pub(super) async fn start(find: FindMatch<K>) -> Result<Self, FindMatchError> {
        let deadline = find.max_wait.map(|d| Instant::now() + d);
        let player = &find.owner;
        let mut guard = QueueGuard::disarmed();
        let lobby = match &find.mode {
            Some(mode) => {
                // Armed before sending: if this future is dropped mid-request, the queue may
                // have been entered, and the guard leaves it.
                guard.arm(find.owner.clone());
                match player.start_matchmaking(mode).await {
                    Ok(lobby) => lobby,
                    Err(e) => {
                        // Only a request that may have reached the server needs undoing.
                        if !matches!(e, Error::Timeout(_) | Error::Transport(_)) {
                            guard.disarm();
                        }
                        return Err(e.into());
                    }
                }
            }
            None => player.current().await?,
        };
        let now = Instant::now();
        let queue_stats = lobby
            .matchmaking
            .as_ref()
            .and_then(|m| m.queue_stats.clone());
        Ok(Self {
            signals: signals(find.owner.clone(), find.stream),
            owner: find.owner,
            guard,
            signals_ended: false,
            connected: false,
            lobby,
            queue_stats,
            max_wait: find.max_wait,
            deadline,
            poll_interval: find.poll_interval,
            // Until the stream is up, poll.
            next_poll: Some(now + find.poll_interval),
            auto_confirm: find.auto_confirm,
            confirm_sent: false,
            seen_queue: find.mode.is_some(),
        })
    }

    /// The lobby as last seen.
    ///
    /// ```no_run
    /// # async fn demo(me: playflow::lobbies::PlayerLobby<playflow::ClientKey>) -> Result<(), playflow::lobbies::FindMatchError> {
    /// let search = me.find_match("duo_ranked").start().await?;
    /// println!("{}", search.lobby().status);
    /// # Ok(()) }
    /// ```
    pub fn lobby(&self) -> &Lobby {
        &self.lobby
    }

    /// The latest queue statistics (from `queue_stats` events or the lobby's matchmaking
    /// block), for a "players searching" display.
    ///
    /// ```no_run
    /// # async fn demo(search: playflow::lobbies::MatchSearch<playflow::ClientKey>) {
    /// if let Some(stats) = search.queue_stats() {
    ///     println!("{:?} players searching", stats.players_searching);
    /// }
    /// # }
    /// ```
    pub fn queue_stats(&self) -> Option<&QueueStats> {
        self.queue_stats.as_ref()
    }

    /// Leave the queue now (host only) and end the search.
    ///
    /// ```no_run
    /// # async fn demo(me: playflow::lobbies::PlayerLobby<playflow::ClientKey>) -> Result<(), playflow::lobbies::FindMatchError> {
    /// let search = me.find_match("duo_ranked").start().await?;
    /// let lobby = search.cancel().await?;
    /// assert_eq!(lobby.status, playflow::model::LobbyStatus::Waiting);
    /// # Ok(()) }
    /// ```
    pub async fn cancel(mut self) -> crate::Result<Lobby> {
        self.guard.disarm();
        self.owner.cancel_matchmaking().await
    }

    /// Wait for the match. Cancel-safe: dropping this future (in a `select!`) loses nothing,
    /// and `wait` can be called again; the search itself goes on until the [`MatchSearch`] is
    /// dropped or cancelled.
    ///
    /// ```no_run
    /// # async fn demo(me: playflow::lobbies::PlayerLobby<playflow::ClientKey>) -> Result<(), playflow::lobbies::FindMatchError> {
    /// let mut search = me.find_match("duo_ranked").start().await?;
    /// let found = search.wait().await?;
    /// println!("connect to {}", found.endpoints[0]);
    /// # Ok(()) }
    /// ```
    pub async fn wait(&mut self) -> Result<Match, FindMatchError> {
        // The lobby already in hand may be the answer (an instant match, or a second call).
        let lobby = self.lobby.clone();
        if let Some(outcome) = bounded(self.deadline, self.observe(lobby)).await {
            return outcome;
        }
        loop {
            let wake = tokio::select! {
                biased;
                () = sleep_until(self.deadline) => Wake::Deadline,
                signal = self.signals.next(), if !self.signals_ended => Wake::Signal(signal),
                () = sleep_until(self.next_poll) => Wake::Poll,
            };
            let step = match wake {
                Wake::Deadline => return Err(self.exceeded().await),
                Wake::Signal(signal) => bounded(self.deadline, self.on_signal(signal)).await,
                Wake::Poll => bounded(self.deadline, self.poll()).await,
            };
            if let Some(outcome) = step {
                return outcome;
            }
        }
    }

    async fn on_signal(&mut self, signal: Option<Signal>) -> Step {
        match signal {
            Some(Signal::Open) => {
                self.connected = true;
                self.next_poll = None;
            }
            Some(Signal::Down) => {
                self.connected = false;
                self.next_poll
                    .get_or_insert_with(|| Instant::now() + self.poll_interval);
            }
            Some(Signal::Event(Ok(event))) => return self.on_event(event).await,
            // An event that did not decode: resynchronize from the lobby itself.
            Some(Signal::Event(Err(_))) => self.next_poll = Some(Instant::now()),
            // The stream failed for good (or ended): polling takes over, and reports the
            // error if the lobby cannot be read either.
            Some(Signal::Failed(_)) | None => {
                self.signals_ended = true;
                self.connected = false;
                self.next_poll = Some(Instant::now());
            }
        }
        None
    }

    async fn on_event(&mut self, event: LobbyEvent) -> Step {
        match event {
            LobbyEvent::Connected(lobby) | LobbyEvent::LobbyUpdated(lobby) => {
                self.observe(lobby).await
            }
            LobbyEvent::QueueStats(stats) => {
                self.queue_stats = Some(stats);
                None
            }
            LobbyEvent::LobbyDeleted { id } => {
                self.guard.disarm();
                Some(Err(FindMatchError::LobbyDeleted { id }))
            }
            _ => None,
        }
    }

    async fn poll(&mut self) -> Step {
        let step = match self.owner.current().await {
            Ok(lobby) => self.observe(lobby).await,
            Err(e) if e.is_retryable() => None,
            Err(e) => Some(Err(FindMatchError::Request(e))),
        };
        self.next_poll = (!self.connected).then(|| Instant::now() + self.poll_interval);
        step
    }

    /// Take in a new state of the lobby; an outcome when the search is over.
    async fn observe(&mut self, lobby: Lobby) -> Step {
        if let Some(stats) = lobby
            .matchmaking
            .as_ref()
            .and_then(|m| m.queue_stats.clone())
        {
            self.queue_stats = Some(stats);
        }
        self.lobby = lobby;
        if let Some(found) = Match::from_lobby(&self.lobby) {
            self.guard.disarm();
            return Some(Ok(found));
        }
        match self.lobby.status {
            LobbyStatus::Waiting if self.seen_queue => {
                self.guard.disarm();
                return Some(Err(FindMatchError::LeftQueue {
                    lobby: Box::new(self.lobby.clone()),
                }));
            }
            LobbyStatus::Waiting => {}
            _ => self.seen_queue = true,
        }
        if self.auto_confirm && self.lobby.status == LobbyStatus::MatchFound && !self.confirm_sent {
            let confirmed = self
                .lobby
                .matchmaking
                .as_ref()
                .and_then(|m| m.confirmation.as_ref())
                .and_then(|c| c.confirmed)
                .unwrap_or(false);
            if !confirmed {
                self.confirm_sent = true;
                match self.owner.confirm_match().await {
                    Ok(lobby) => self.lobby = lobby,
                    Err(e) if e.lobby_error_kind() == LobbyErrorKind::ConfirmationNotUsed => {}
                    // Try again on the next update.
                    Err(e) if e.is_retryable() => self.confirm_sent = false,
                    Err(e) => return Some(Err(FindMatchError::Request(e))),
                }
            }
        }
        None
    }

    /// The max wait passed: leave the queue (best effort, bounded) and say so.
    async fn exceeded(&mut self) -> FindMatchError {
        if self.guard.is_armed() {
            let player = &self.owner;
            match tokio::time::timeout(Duration::from_secs(10), player.cancel_matchmaking()).await {
                // Left the queue, or the server says there is nothing to leave.
                Ok(Ok(_)) => self.guard.disarm(),
                Ok(Err(e)) if !e.is_retryable() => self.guard.disarm(),
                // Unsure: the guard tries again when the search is dropped.
                _ => {}
            }
        }
        FindMatchError::ExceededMaxWait {
            max_wait: self.max_wait.unwrap_or_default(),
            last_status: self.lobby.status.clone(),
        }
    }
}

/// Run one step of the waiter, but not past the deadline (the loop then sees it passed).
async fn bounded(deadline: Option<Instant>, step: impl Future<Output = Step>) -> Step {
    match deadline {
        Some(deadline) => tokio::time::timeout_at(deadline, step)
            .await
            .unwrap_or(None),
        None => step.await,
    }
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Leaves the queue when dropped while armed (armed = the lobby may be in the queue because
/// of this search).
struct QueueGuard<K: ApiKey> {
    armed: Option<PlayerLobby<K>>,
}

impl<K: ApiKey> QueueGuard<K> {
    fn disarmed() -> Self {
        Self { armed: None }
    }

    fn arm(&mut self, owner: PlayerLobby<K>) {
        self.armed = Some(owner);
    }

    fn disarm(&mut self) {
        self.armed = None;
    }

    fn is_armed(&self) -> bool {
        self.armed.is_some()
    }
}

impl<K: ApiKey> Drop for QueueGuard<K> {
    fn drop(&mut self) {
        let Some(owner) = self.armed.take() else {
            return;
        };
        // Drop cannot await: hand the cancel to the runtime. Outside a runtime there is no
        // way to send it, and the mode's queue timeout will end the search server-side.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let _ = owner.cancel_matchmaking().await;
            });
        }
    }
}
