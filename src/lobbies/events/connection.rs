//! One logical subscription over many HTTP connections: open, read events, and when the
//! connection drops, wait (jittered exponential backoff) and open again.
//!
//! The result is a stream of [`Signal`]s: events plus the connection's ups and downs, which
//! [`LobbyEvents`](super::LobbyEvents) filters for users and the match waiter uses to switch
//! to polling while the stream is down.

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBackoff, ExponentialBuilder};
use bytes::Bytes;
use eventsource_stream::{Event, EventStreamError};
use futures::stream::{self, BoxStream, Stream, StreamExt};

use super::LobbyEvent;
use super::sse;
use crate::call::send;
use crate::error::{Error, Result};
use crate::keys::ApiKey;
use crate::lobbies::PlayerLobby;

/// How the subscription reconnects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::lobbies) struct StreamOptions {
    /// First reconnect delay (before jitter).
    pub min_delay: Duration,
    /// Longest reconnect delay (jitter included).
    pub max_delay: Duration,
    /// A connection that delivers no bytes at all (not even a keep-alive) for this long is
    /// taken as dead and reopened.
    pub idle_timeout: Duration,
}

impl Default for StreamOptions {
    fn default() -> Self {
        Self {
            min_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            // PlayFlow pings every 30 s: two missed pings and a margin.
            idle_timeout: Duration::from_secs(75),
        }
    }
}

impl StreamOptions {
    /// Delays are kept sane: at least 1 ms (no busy reconnect loop) and `max >= min`.
    pub(in crate::lobbies) fn with_delays(mut self, min: Duration, max: Duration) -> Self {
        self.min_delay = min.max(Duration::from_millis(1));
        self.max_delay = max.max(self.min_delay);
        self
    }

    fn backoff(&self) -> ExponentialBackoff {
        ExponentialBuilder::default()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_jitter()
            .without_max_times()
            .build()
    }
}

/// What the subscription reports.
// A few events a minute at most: moving a lobby-sized value costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(in crate::lobbies) enum Signal {
    /// A connection was opened (status 200).
    Open,
    /// An event, or an event whose data did not decode (the stream goes on).
    Event(Result<LobbyEvent>),
    /// The connection dropped or could not be opened; another attempt follows after a delay.
    Down,
    /// The subscription failed for good (401, 403, 404, or another error that retrying cannot
    /// fix); nothing follows.
    Failed(Error),
}

/// Why an open connection stopped delivering bytes.
#[derive(Debug)]
pub(in crate::lobbies) enum Dropped {
    Transport,
    Idle,
}

type SseEvents = BoxStream<'static, std::result::Result<Event, EventStreamError<Dropped>>>;

enum Phase {
    /// Open a connection after this delay.
    Connect(Duration),
    /// Reading; `delivered` once an event arrived on this connection.
    Open {
        events: SseEvents,
        delivered: bool,
    },
    Done,
}

struct State<K: ApiKey> {
    owner: PlayerLobby<K>,
    options: StreamOptions,
    backoff: ExponentialBackoff,
    phase: Phase,
}

/// The signals of `owner`'s subscription. Nothing happens until the stream is polled; after
/// its end it keeps answering `None` (fused).
pub(in crate::lobbies) fn signals<K: ApiKey>(
    owner: PlayerLobby<K>,
    options: StreamOptions,
) -> BoxStream<'static, Signal> {
    let state = State {
        owner,
        backoff: options.backoff(),
        options,
        phase: Phase::Connect(Duration::ZERO),
    };
    stream::unfold(state, step).fuse().boxed()
}

async fn step<K: ApiKey>(mut state: State<K>) -> Option<(Signal, State<K>)> {
    match std::mem::replace(&mut state.phase, Phase::Done) {
        Phase::Done => None,
        Phase::Connect(delay) => {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            match subscribe(&state.owner).await {
                Ok(bytes) => {
                    let bytes = idle_guarded(bytes.into_inner(), state.options.idle_timeout);
                    state.phase = Phase::Open {
                        events: sse::events(bytes).boxed(),
                        delivered: false,
                    };
                    Some((Signal::Open, state))
                }
                Err(e) if e.is_retryable() => {
                    let at_least = match &e {
                        Error::RateLimited(r) => r.retry_after,
                        _ => None,
                    };
                    let retry_in = state.next_delay(at_least);
                    state.phase = Phase::Connect(retry_in);
                    Some((Signal::Down, state))
                }
                // 401/403/404 and other errors a retry cannot fix: phase stays Done.
                Err(e) => Some((Signal::Failed(e), state)),
            }
        }
        Phase::Open {
            mut events,
            delivered,
        } => match events.next().await {
            Some(Ok(event)) => {
                // Reset only once a connection proved useful, so a server that accepts and
                // drops at once is not hammered every `min_delay`.
                if !delivered {
                    state.backoff = state.options.backoff();
                }
                let event = LobbyEvent::decode(&event.event, &event.data);
                if !matches!(event, Ok(LobbyEvent::LobbyDeleted { .. })) {
                    state.phase = Phase::Open {
                        events,
                        delivered: true,
                    };
                }
                Some((Signal::Event(event), state))
            }
            // Closed by the server, reset, silent for too long, or unparsable: reconnect. The
            // `connected` event of the next connection carries the full state again.
            Some(Err(_)) | None => {
                let retry_in = state.next_delay(None);
                state.phase = Phase::Connect(retry_in);
                Some((Signal::Down, state))
            }
        },
    }
}

impl<K: ApiKey> State<K> {
    fn next_delay(&mut self, at_least: Option<Duration>) -> Duration {
        // backon's jitter adds up to 100 % on top of the delay; the cap is a promise.
        let delay = self
            .backoff
            .next()
            .unwrap_or(self.options.max_delay)
            .min(self.options.max_delay);
        at_least.map_or(delay, |floor| delay.max(floor))
    }
}

/// The body's bytes, ending with an error when nothing arrives for `idle` (a half-open TCP
/// connection would otherwise wait forever) or the transport fails.
fn idle_guarded(
    bytes: impl Stream<Item = reqwest::Result<Bytes>> + Send + Unpin + 'static,
    idle: Duration,
) -> impl Stream<Item = std::result::Result<Bytes, Dropped>> + Send + 'static {
    stream::unfold(Some(bytes), move |state| async move {
        let mut bytes = state?;
        match tokio::time::timeout(idle, bytes.next()).await {
            Ok(Some(Ok(chunk))) => Some((Ok(chunk), Some(bytes))),
            Ok(Some(Err(_))) => Some((Err(Dropped::Transport), None)),
            Ok(None) => None,
            Err(_) => Some((Err(Dropped::Idle), None)),
        }
    })
}

/// Open one connection of the event stream (no reconnects): the raw SSE body.
async fn subscribe<K: ApiKey>(player: &PlayerLobby<K>) -> Result<progenitor_client::ByteStream> {
    player.check()?;
    send(
        "subscribe_lobby_events",
        player
            .client()
            .raw()
            .subscribe_lobby_events()
            .config(player.config())
            .x_player_id(player.player_id())
            .send(),
    )
    .await
}
