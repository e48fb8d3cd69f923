//! The live event stream of a player's lobby (`GET /lobbies/{config}/me/events`, Server-Sent
//! Events): typed events, their decoding, and a stream that reconnects by itself.

mod connection;
mod parser;
mod sse;
mod stream;

pub use stream::LobbyEvents;

pub(super) use connection::{Signal, StreamOptions, signals};

use futures::stream::{BoxStream, StreamExt};
use serde::de::DeserializeOwned;

use crate::error::{DecodeError, Error, Redactor, Result};
use crate::model::{Lobby, QueueStats};
use crate::raw::operations::{self, Operation};
use crate::raw::types::LobbyDeletedEvent;

/// The operation named in decode errors of events.
const OPERATION: Operation = operations::SUBSCRIBE_LOBBY_EVENTS;

/// One event of a lobby's event stream.
///
/// ```
/// use playflow::lobbies::LobbyEvent;
/// let event = LobbyEvent::decode("lobby_deleted", r#"{"id": "3c7e9a52"}"#)?;
/// assert_eq!(event, LobbyEvent::LobbyDeleted { id: "3c7e9a52".into() });
/// # Ok::<(), playflow::Error>(())
/// ```
// Events are matched as they arrive, not stored in bulk, so the size of the lobby variants
// costs nothing; unboxed, `Connected(lobby)` reads as the lobby itself.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum LobbyEvent {
    /// `connected`: sent once on every (re)connection, with the full lobby. After a reconnect
    /// it is the state to resynchronize from.
    Connected(Lobby),
    /// `lobby_updated`: the full lobby after any change (members, player state, settings,
    /// matchmaking, game or server state).
    LobbyUpdated(Lobby),
    /// `queue_stats`: every 10 seconds while the lobby is `in_queue`.
    QueueStats(QueueStats),
    /// `lobby_deleted`: the lobby no longer exists. [`LobbyEvents`] ends after it.
    LobbyDeleted {
        /// The deleted lobby's id.
        id: String,
    },
    /// `ping`: keep-alive (every 30 seconds), no data.
    Ping,
    /// An event this version does not know (PlayFlow added it later), kept verbatim. Events
    /// sent without an `event:` field are named `message`, as in the SSE standard.
    Unknown {
        /// The event name.
        event: String,
        /// The raw `data` (lines joined with `\n`).
        data: String,
    },
}

impl LobbyEvent {
    /// Decode an event from its name and `data`. Known events whose data does not match the
    /// spec give [`Error::Decode`]; unknown names give [`LobbyEvent::Unknown`].
    ///
    /// ```
    /// use playflow::lobbies::LobbyEvent;
    /// let stats = LobbyEvent::decode("queue_stats", r#"{"playersSearching": 18}"#)?;
    /// assert!(matches!(stats, LobbyEvent::QueueStats(s) if s.players_searching == Some(18.0)));
    /// let later = LobbyEvent::decode("party_invite", "{}")?;
    /// assert!(matches!(later, LobbyEvent::Unknown { .. }));
    /// assert!(LobbyEvent::decode("connected", "not json").is_err());
    /// # Ok::<(), playflow::Error>(())
    /// ```
    pub fn decode(event: &str, data: &str) -> Result<Self> {
        Ok(match event {
            "connected" => Self::Connected(json(data)?),
            "lobby_updated" => Self::LobbyUpdated(json(data)?),
            "queue_stats" => Self::QueueStats(json(data)?),
            "lobby_deleted" => Self::LobbyDeleted {
                id: json::<LobbyDeletedEvent>(data)?.id,
            },
            "ping" => Self::Ping,
            _ => Self::Unknown {
                event: event.to_owned(),
                data: data.to_owned(),
            },
        })
    }

    /// [`Self::decode`] of a parsed event: an unknown one keeps its strings (no copy).
    fn from_parsed(event: parser::Event) -> Result<Self> {
        match event.event.as_str() {
            "connected" | "lobby_updated" | "queue_stats" | "lobby_deleted" | "ping" => {
                Self::decode(&event.event, &event.data)
            }
            _ => Ok(Self::Unknown {
                event: event.event,
                data: event.data,
            }),
        }
    }

    /// The lobby carried by `connected` and `lobby_updated`.
    ///
    /// ```
    /// use playflow::lobbies::LobbyEvent;
    /// assert!(LobbyEvent::Ping.lobby().is_none());
    /// ```
    pub fn lobby(&self) -> Option<&Lobby> {
        match self {
            Self::Connected(lobby) | Self::LobbyUpdated(lobby) => Some(lobby),
            _ => None,
        }
    }

    /// The event's name on the wire (`connected`, `lobby_updated`, ...).
    ///
    /// ```
    /// use playflow::lobbies::LobbyEvent;
    /// assert_eq!(LobbyEvent::Ping.name(), "ping");
    /// ```
    pub fn name(&self) -> &str {
        match self {
            Self::Connected(_) => "connected",
            Self::LobbyUpdated(_) => "lobby_updated",
            Self::QueueStats(_) => "queue_stats",
            Self::LobbyDeleted { .. } => "lobby_deleted",
            Self::Ping => "ping",
            Self::Unknown { event, .. } => event,
        }
    }
}

fn json<T: DeserializeOwned>(data: &str) -> Result<T> {
    serde_json::from_str(data).map_err(|e| {
        Error::Decode(DecodeError::new(
            None,
            data.as_bytes(),
            Some(e),
            OPERATION.name,
            &Redactor::default(),
        ))
    })
}

/// The error item of a line or event past its limit (in an answer of `status`).
fn limit_error(status: Option<u16>, limit: &parser::LimitExceeded) -> Error {
    decode_error(status, limit.to_string(), &limit.excerpt)
}

/// An [`Error::Decode`] of the event stream, with `reason` and the start of the offending
/// text.
fn decode_error(status: Option<u16>, reason: String, excerpt: &[u8]) -> Error {
    Error::Decode(DecodeError::with_reason(
        status,
        excerpt,
        reason,
        OPERATION.name,
        &Redactor::default(),
    ))
}

/// Decode a recorded or self-opened lobby event stream: raw bytes, in any chunking, to typed
/// events. Comments, `id:`/`retry:` fields and events without data are skipped as the SSE
/// standard says; invalid UTF-8 is replaced, never fatal. It decodes only: it neither
/// reconnects nor stops after `lobby_deleted` (that is [`LobbyEvents`]' job).
///
/// Time is linear in the input and memory bounded by the default limits of [`LobbyEvents`]
/// (a line of 1 MiB, an event of 4 MiB): a line or event past them is an [`Error::Decode`]
/// item, and the stream ends after it. The stream returns `Pending` every 64 KiB or so of
/// input, also when the input is always ready, so a timeout around `next()` fires.
///
/// ```
/// use futures::{StreamExt, executor::block_on, stream};
/// use playflow::lobbies::{LobbyEvent, decode_event_stream};
/// let chunks = ["event: ping\nda", "ta:\n\n: keep-alive\n\nevent: lobby_deleted\ndata: {\"id\":\"l1\"}\n\n"];
/// let events: Vec<_> = block_on(decode_event_stream(stream::iter(chunks)).collect());
/// assert_eq!(events.len(), 2);
/// assert_eq!(events[0].as_ref().unwrap(), &LobbyEvent::Ping);
/// ```
pub fn decode_event_stream<S, B>(bytes: S) -> BoxStream<'static, Result<LobbyEvent>>
where
    S: futures::Stream<Item = B> + Send + 'static,
    B: AsRef<[u8]> + Send + 'static,
{
    let limits = parser::Limits::default();
    decode_event_stream_with_limits(bytes, limits.max_line, limits.max_event)
}

/// [`decode_event_stream`] with other limits: the longest line and the largest event (its
/// `data` lines together), in bytes (at least 1 each). For recordings of streams with larger
/// events than PlayFlow's.
///
/// ```
/// use futures::{StreamExt, executor::block_on, stream};
/// use playflow::lobbies::decode_event_stream_with_limits;
/// let chunks = ["data: 0123456789\n\ndata: ok\n\n"];
/// let events: Vec<_> = block_on(decode_event_stream_with_limits(stream::iter(chunks), 8, 64).collect());
/// // The 16-byte line is over the limit: an error, and the stream ends.
/// assert_eq!(events.len(), 1);
/// assert!(matches!(&events[0], Err(playflow::Error::Decode(_))));
/// ```
pub fn decode_event_stream_with_limits<S, B>(
    bytes: S,
    max_line: usize,
    max_event: usize,
) -> BoxStream<'static, Result<LobbyEvent>>
where
    S: futures::Stream<Item = B> + Send + 'static,
    B: AsRef<[u8]> + Send + 'static,
{
    let limits = parser::Limits {
        max_line: max_line.max(1),
        max_event: max_event.max(1),
    };
    sse::events(bytes.map(Ok::<B, std::convert::Infallible>), limits)
        .map(|event| match event {
            Ok(event) => LobbyEvent::from_parsed(event),
            Err(sse::SseError::Limit(limit)) => Err(limit_error(None, &limit)),
            Err(sse::SseError::Source(never)) => match never {},
        })
        .boxed()
}
