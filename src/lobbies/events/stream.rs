//! [`LobbyEvents`]: the user-facing event stream.

use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use futures::stream::{BoxStream, Stream};

use super::LobbyEvent;
use super::connection::{Signal, StreamOptions, signals};
use crate::error::Result;
use crate::keys::ApiKey;
use crate::lobbies::PlayerLobby;

/// The live events of a player's lobby. Obtain with
/// [`PlayerLobby::events`](crate::lobbies::PlayerLobby::events).
///
/// A [`Stream`] of `Result<LobbyEvent>` that connects when first polled and:
///
/// - reconnects when the connection drops, is reset, or stays silent longer than the idle
///   timeout (75 s; PlayFlow pings every 30 s), waiting 1 s, 2 s, 4 s, ... up to 30 s
///   between attempts (jittered; [`Self::reconnect_delays`]). The first event after a
///   reconnect is [`LobbyEvent::Connected`] with the full lobby, so no change is lost;
/// - retries 500–504, 408, 429 (honouring `Retry-After`), timeouts and transport errors
///   silently;
/// - ends after [`LobbyEvent::LobbyDeleted`];
/// - ends with an error on 401, 403, 404 (the player is in no lobby, or was kicked) and any
///   other error that retrying cannot fix.
///
/// An event whose data does not decode is yielded as an [`Error::Decode`](crate::Error::Decode)
/// item and the stream goes on. While the stream is open the player counts as present (no
/// heartbeat calls needed). Dropping it closes the connection.
///
/// A broken or hostile server cannot hold the stream hostage:
///
/// - the reconnect delays grow while connections keep failing, and start over only after a
///   connection stayed open at least as long as the longest delay (so a server that sends one
///   event and drops is not called again every second);
/// - a `200` answer that is not `text/event-stream` (a proxy's HTML page) ends the stream with
///   an [`Error::Decode`](crate::Error::Decode);
/// - a line longer than [`Self::max_line_size`] or an event larger than
///   [`Self::max_event_size`] is an [`Error::Decode`](crate::Error::Decode) item, then the
///   connection is dropped and reopened; no more than that is ever held in memory;
/// - parsing takes time linear in the bytes received and returns to the runtime every 64 KiB
///   or so, so `tokio::time::timeout` around [`next()`](futures::StreamExt::next) fires
///   whatever the server sends.
///
/// Timeouts: the client's whole-request timeout ([`ClientBuilder::timeout`](crate::ClientBuilder::timeout))
/// does **not** apply (it would cut a healthy stream after 30 s). Each connection is bounded
/// instead by the client's connect timeout, then by the [idle timeout](Self::idle_timeout):
/// the answer's headers, and after them every next chunk, must come within it, or the
/// connection is dropped and reopened.
///
/// ```no_run
/// use futures::StreamExt;
/// use playflow::lobbies::LobbyEvent;
/// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
/// let mut events = client.lobbies("casual").player("p-123").events();
/// while let Some(event) = events.next().await {
///     if let LobbyEvent::LobbyUpdated(lobby) = event? {
///         println!("now {}", lobby.status);
///     }
/// }
/// # Ok(()) }
/// ```
#[must_use = "streams do nothing unless polled"]
pub struct LobbyEvents<K: ApiKey> {
    owner: PlayerLobby<K>,
    options: StreamOptions,
    signals: Option<BoxStream<'static, Signal>>,
    connected: bool,
}

impl<K: ApiKey> std::fmt::Debug for LobbyEvents<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LobbyEvents")
            .field("owner", &self.owner)
            .field("options", &self.options)
            .field("started", &self.signals.is_some())
            .field("connected", &self.connected)
            .finish()
    }
}

impl<K: ApiKey> PlayerLobby<K> {
    /// The live events of this player's lobby, as a [`Stream`](futures::Stream) that connects
    /// on first poll and reconnects by itself. While it is open the player counts as present:
    /// no [`PlayerLobby::heartbeat`] calls are needed.
    ///
    /// ```no_run
    /// use futures::StreamExt;
    /// use playflow::lobbies::LobbyEvent;
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// let mut events = client.lobbies("casual").player("p-123").events();
    /// while let Some(event) = events.next().await {
    ///     match event? {
    ///         LobbyEvent::Connected(lobby) | LobbyEvent::LobbyUpdated(lobby) => {
    ///             println!("{}: {} players", lobby.status, lobby.players.len());
    ///         }
    ///         LobbyEvent::QueueStats(stats) => println!("{:?} searching", stats.players_searching),
    ///         LobbyEvent::LobbyDeleted { id } => println!("{id} deleted"),
    ///         _ => {}
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn events(&self) -> LobbyEvents<K> {
        LobbyEvents::new(self.clone())
    }
}

impl<K: ApiKey> LobbyEvents<K> {
    fn new(owner: PlayerLobby<K>) -> Self {
        Self {
            owner,
            options: StreamOptions::default(),
            signals: None,
            connected: false,
        }
    }

    /// Bounds of the reconnect delay: the first wait is `min` (plus up to 100 % jitter), each
    /// next one doubles, and none exceeds `max`. Defaults: 1 s and 30 s. Takes effect if set
    /// before the stream is first polled.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// # fn demo(client: playflow::Client<playflow::ClientKey>) {
    /// let events = client
    ///     .lobbies("casual")
    ///     .player("p-123")
    ///     .events()
    ///     .reconnect_delays(Duration::from_millis(500), Duration::from_secs(10));
    /// # let _ = events; }
    /// ```
    pub fn reconnect_delays(mut self, min: Duration, max: Duration) -> Self {
        self.options = self.options.with_delays(min, max);
        self
    }

    /// How long a connection may deliver nothing at all (not even a keep-alive) before it is
    /// taken as dead and reopened; also the longest wait for the answer's headers. Default
    /// 75 s. Takes effect if set before the first poll.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// # fn demo(client: playflow::Client<playflow::ClientKey>) {
    /// let events = client.lobbies("casual").player("p-123").events().idle_timeout(Duration::from_secs(45));
    /// # let _ = events; }
    /// ```
    pub fn idle_timeout(mut self, idle: Duration) -> Self {
        self.options.idle_timeout = idle;
        self
    }

    /// The longest line of the event stream, in bytes. Default 1 MiB: PlayFlow sends a lobby
    /// as one `data:` line, and a full lobby is 1–2 KB (its custom data and player states
    /// are small JSON objects), so 1 MiB is hundreds of times the largest real line while
    /// small enough to hold for each open stream. A longer line is an
    /// [`Error::Decode`](crate::Error::Decode) item, then a reconnect. Takes effect if set
    /// before the first poll.
    ///
    /// ```no_run
    /// # fn demo(client: playflow::Client<playflow::ClientKey>) {
    /// let events = client.lobbies("casual").player("p-123").events().max_line_size(256 * 1024);
    /// # let _ = events; }
    /// ```
    pub fn max_line_size(mut self, bytes: usize) -> Self {
        self.options.limits.max_line = bytes.max(1);
        self
    }

    /// The largest event of the event stream (its `data` lines together), in bytes. Default
    /// 4 MiB: room for an event spread over several full-size lines, while a server that
    /// sends `data:` lines and never the blank line that ends the event is stopped early.
    /// A larger event is an [`Error::Decode`](crate::Error::Decode) item, then a reconnect.
    /// Takes effect if set before the first poll.
    ///
    /// ```no_run
    /// # fn demo(client: playflow::Client<playflow::ClientKey>) {
    /// let events = client.lobbies("casual").player("p-123").events().max_event_size(1 << 20);
    /// # let _ = events; }
    /// ```
    pub fn max_event_size(mut self, bytes: usize) -> Self {
        self.options.limits.max_event = bytes.max(1);
        self
    }

    /// Whether a connection is open right now (false before the first poll and while
    /// reconnecting). Useful for a "reconnecting…" indicator.
    ///
    /// ```no_run
    /// # fn demo(client: playflow::Client<playflow::ClientKey>) {
    /// let events = client.lobbies("casual").player("p-123").events();
    /// assert!(!events.is_connected());
    /// # }
    /// ```
    pub fn is_connected(&self) -> bool {
        self.connected
    }
}

impl<K: ApiKey> Stream for LobbyEvents<K> {
    type Item = Result<LobbyEvent>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let signals = this
            .signals
            .get_or_insert_with(|| signals(this.owner.clone(), this.options));
        loop {
            match ready!(signals.as_mut().poll_next(cx)) {
                None => {
                    this.connected = false;
                    return Poll::Ready(None);
                }
                Some(Signal::Open) => this.connected = true,
                Some(Signal::Down) => this.connected = false,
                Some(Signal::Event(event)) => return Poll::Ready(Some(event)),
                Some(Signal::Failed(e)) => {
                    this.connected = false;
                    return Poll::Ready(Some(Err(e)));
                }
            }
        }
    }
}
