//! One logical subscription over many HTTP connections: open, read events, and when the
//! connection drops, wait (jittered exponential backoff) and open again.
//!
//! The result is a stream of [`Signal`]s: events plus the connection's ups and downs, which
//! [`LobbyEvents`](super::LobbyEvents) filters for users and the match waiter uses to switch
//! to polling while the stream is down.
//!
//! Each connection is bounded in time without a whole-request timeout (which would cut a
//! healthy stream): the answer's headers and then every next chunk must come within the idle
//! timeout. An answer that is not `text/event-stream` ends the subscription with an error (a
//! proxy's or portal's HTML page will not turn into events by reconnecting).

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBackoff, ExponentialBuilder};
use bytes::Bytes;
use futures::stream::{self, BoxStream, Stream, StreamExt};
use progenitor_client::ResponseValue;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use tokio::time::Instant;

use super::parser::{Event, Limits};
use super::sse::{self, SseError};
use super::{LobbyEvent, OPERATION, decode_error, limit_error};
use crate::call::send_any;
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
    /// taken as dead and reopened; also the longest wait for the answer's headers.
    pub idle_timeout: Duration,
    /// How much of the stream is held in memory.
    pub limits: Limits,
}

impl Default for StreamOptions {
    fn default() -> Self {
        Self {
            min_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            // PlayFlow pings every 30 s: two missed pings and a margin.
            idle_timeout: Duration::from_secs(75),
            limits: Limits::default(),
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

    /// How long a connection must have stayed open to count as healthy, so that the next
    /// reconnect starts the backoff over: as long as the longest delay. A connection that
    /// delivers an event and drops at once keeps the delays growing (a server in a crash loop
    /// is not called every `min_delay`), one that lived that long gets a quick reconnect.
    fn healthy_after(&self) -> Duration {
        self.max_delay
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
    /// An event, or an event whose data did not decode (the stream goes on), or a line or
    /// event past its limit (then [`Signal::Down`] and a reconnect follow).
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

type SseEvents = BoxStream<'static, std::result::Result<Event, SseError<Dropped>>>;

enum Phase {
    /// Open a connection after this delay.
    Connect(Duration),
    /// Reading the connection opened at `since`.
    Open {
        events: SseEvents,
        since: Instant,
    },
    /// The connection was given up after an error item: report it down, then reconnect.
    Down(Duration),
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
        Phase::Down(retry_in) => {
            state.phase = Phase::Connect(retry_in);
            Some((Signal::Down, state))
        }
        Phase::Connect(delay) => {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            let opened = tokio::time::timeout(
                state.options.idle_timeout,
                open(&state.owner, &state.options),
            )
            .await;
            match opened {
                Ok(Ok(events)) => {
                    state.phase = Phase::Open {
                        events,
                        since: Instant::now(),
                    };
                    Some((Signal::Open, state))
                }
                // No answer within the idle timeout, or an error worth retrying.
                Err(_) => {
                    state.phase = Phase::Connect(state.next_delay(None));
                    Some((Signal::Down, state))
                }
                Ok(Err(e)) if e.is_retryable() => {
                    let at_least = match &e {
                        Error::RateLimited(r) => r.retry_after,
                        _ => None,
                    };
                    let retry_in = state.next_delay(at_least);
                    state.phase = Phase::Connect(retry_in);
                    Some((Signal::Down, state))
                }
                // 401/403/404, an answer that is no event stream, and other errors a retry
                // cannot fix: phase stays Done.
                Ok(Err(e)) => Some((Signal::Failed(e), state)),
            }
        }
        Phase::Open { mut events, since } => match events.next().await {
            Some(Ok(event)) => {
                let event = LobbyEvent::from_parsed(event);
                if !matches!(event, Ok(LobbyEvent::LobbyDeleted { .. })) {
                    state.phase = Phase::Open { events, since };
                }
                Some((Signal::Event(event), state))
            }
            // Too large to hold: say so, then drop the connection and open another.
            Some(Err(SseError::Limit(limit))) => {
                let retry_in = state.dropped(since);
                state.phase = Phase::Down(retry_in);
                Some((Signal::Event(Err(limit_error(Some(200), &limit))), state))
            }
            // Closed by the server, reset, or silent for too long: reconnect. The `connected`
            // event of the next connection carries the full state again.
            Some(Err(SseError::Source(_))) | None => {
                let retry_in = state.dropped(since);
                state.phase = Phase::Connect(retry_in);
                Some((Signal::Down, state))
            }
        },
    }
}

/// Open one connection: the request, the answer's status and content type, then the parser.
async fn open<K: ApiKey>(player: &PlayerLobby<K>, options: &StreamOptions) -> Result<SseEvents> {
    player.check()?;
    let request = player
        .client()
        .raw()
        .subscribe_lobby_events()
        .config(player.config())
        .x_player_id(player.player_id())
        .send();
    let idle = options.idle_timeout;
    let limits = options.limits;
    // Inside `send`'s scope, so that errors are classified and scrubbed of the key like any
    // call's: the excerpt of a page that is not an event stream included.
    send_any(OPERATION, async move {
        let response = match request.await {
            Ok(response) => response,
            Err(e) => return Err(e),
        };
        let status = response.status();
        let content_type = response.headers().get(CONTENT_TYPE).cloned();
        let mut bytes = Box::pin(idle_guarded(response.into_inner().into_inner(), idle));
        let opened = if is_event_stream(content_type.as_ref()) {
            Ok(sse::events(bytes, limits).boxed())
        } else {
            // The start of the page makes the error recognizable ("502 Bad Gateway", a login
            // form); it is there already, or not worth a long wait.
            let start = match tokio::time::timeout(Duration::from_secs(2), bytes.next()).await {
                Ok(Some(Ok(chunk))) => chunk,
                _ => Bytes::new(),
            };
            Err(not_an_event_stream(content_type.as_ref(), &start))
        };
        Ok(ResponseValue::new(opened, status, HeaderMap::new()))
    })
    .await?
}

/// `text/event-stream`, with or without parameters, in any case.
fn is_event_stream(content_type: Option<&HeaderValue>) -> bool {
    content_type
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("text/event-stream"))
}

/// The error of a 200 answer that is not an event stream.
fn not_an_event_stream(content_type: Option<&HeaderValue>, start: &[u8]) -> Error {
    let got = content_type.map_or_else(
        || "no content type".to_owned(),
        |v| format!("content type {:?}", String::from_utf8_lossy(v.as_bytes())),
    );
    decode_error(
        Some(200),
        format!("expected text/event-stream, got {got}"),
        start,
    )
}

impl<K: ApiKey> State<K> {
    /// The delay before reopening a connection that was open since `since`.
    fn dropped(&mut self, since: Instant) -> Duration {
        if since.elapsed() >= self.options.healthy_after() {
            self.backoff = self.options.backoff();
        }
        self.next_delay(None)
    }

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
