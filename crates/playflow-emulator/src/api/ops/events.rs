//! The lobby event stream (`subscribeLobbyEvents`): Server-Sent Events with `connected`,
//! `lobby_updated`, `queue_stats` (every 10 s of PlayFlow time while queued), `ping` (every
//! 30 s) and `lobby_deleted`, after which the stream ends.
//!
//! Frames are written here rather than with axum's `Sse`: a `ping` must carry an empty `data:`
//! line, or SSE parsers drop the event, and axum's `Event` cannot express an empty data line.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::header;
use axum::response::Response;
use playflow::raw::enums::LobbyStatus;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, mpsc};
use tokio::time::{Instant, interval_at};

use crate::api::Shared;
use crate::api::extract::Call;
use crate::world::events::LobbyEvent;
use crate::world::lobbies::{self, config_view, matchmaking, my_lobby};
use crate::world::refusal::{ApiError, ApiResult};

/// One SSE frame; `data` must be a single line (compact JSON is).
fn frame(event: &str, data: &str) -> Bytes {
    Bytes::from(format!("event: {event}\ndata: {data}\n\n"))
}

/// `subscribeLobbyEvents`.
pub(crate) async fn subscribe(
    State(shared): State<Arc<Shared>>,
    call: Call,
) -> ApiResult<Response> {
    let player = call.player().to_owned();
    let (lobby_id, connected, events) = shared.with_world(|world, now| {
        let view = config_view(world, call.path("config"));
        let index = my_lobby(world, &view.name, &player, now)?;
        if let Some(member) = world.lobbies[index].member_mut(&player) {
            member.streams += 1;
        }
        // Subscribing under the same lock as the snapshot: no change falls between the two.
        let events = world.events.subscribe();
        let lobby = &world.lobbies[index];
        let connected = lobbies::wire(world, lobby, now).to_string();
        Ok::<_, ApiError>((lobby.id.clone(), connected, events))
    })?;
    let presence = Presence {
        shared: shared.clone(),
        lobby: lobby_id.clone(),
        player: player.clone(),
    };
    let (sender, receiver) = mpsc::channel::<Bytes>(64);
    sender
        .send(frame("connected", &connected))
        .await
        .map_err(|_| ApiError::internal("event stream closed"))?;
    tokio::spawn(pump(shared, presence, events, sender));
    let body = Body::from_stream(futures::stream::unfold(
        receiver,
        |mut receiver| async move {
            receiver
                .recv()
                .await
                .map(|bytes| (Ok::<_, Infallible>(bytes), receiver))
        },
    ));
    Response::builder()
        .header(header::CONTENT_TYPE, "text/event-stream")
        .header(header::CACHE_CONTROL, "no-cache")
        .body(body)
        .map_err(|e| ApiError::internal(format!("could not open the stream: {e}")))
}

/// Forwards the lobby's events to one stream until it ends.
async fn pump(
    shared: Arc<Shared>,
    presence: Presence,
    mut events: broadcast::Receiver<LobbyEvent>,
    sender: mpsc::Sender<Bytes>,
) {
    let lobby_id = presence.lobby.clone();
    let player = presence.player.clone();
    let every = |seconds| {
        shared
            .world
            .clock()
            .real(Duration::from_secs(seconds), Duration::from_millis(5))
    };
    let (queue_every, ping_every) = (every(10), every(30));
    let mut queue_tick = interval_at(Instant::now() + queue_every, queue_every);
    let mut ping_tick = interval_at(Instant::now() + ping_every, ping_every);
    let mut stopped = shared.stopped.clone();
    loop {
        let (next, last) = tokio::select! {
            _ = stopped.wait_for(|stopped| *stopped) => break,
            _ = sender.closed() => break,
            event = events.recv() => match event {
                Ok(LobbyEvent::Updated { lobby, members, data }) if lobby == lobby_id => {
                    if !members.contains(&player) {
                        // Kicked, or left: this stream is over.
                        break;
                    }
                    (frame("lobby_updated", &data), false)
                }
                Ok(LobbyEvent::Deleted { lobby }) if lobby == lobby_id => {
                    (frame("lobby_deleted", &json!({"id": lobby}).to_string()), true)
                }
                Ok(_) => continue,
                Err(RecvError::Lagged(_)) => match current(&shared, &lobby_id, &player) {
                    Some(Some(data)) => (frame("lobby_updated", &data), false),
                    Some(None) => break,
                    None => (frame("lobby_deleted", &json!({"id": lobby_id}).to_string()), true),
                },
                Err(RecvError::Closed) => break,
            },
            _ = queue_tick.tick() => match queue_stats(&shared, &lobby_id) {
                Some(stats) => (frame("queue_stats", &stats), false),
                None => continue,
            },
            _ = ping_tick.tick() => (frame("ping", ""), false),
        };
        if sender.send(next).await.is_err() || last {
            break;
        }
    }
    drop(presence);
}

/// The lobby's current JSON: `None` when it is gone, `Some(None)` when the player left it.
fn current(shared: &Shared, lobby_id: &str, player: &str) -> Option<Option<String>> {
    shared.with_world(|world, now| {
        let lobby = world.lobbies.iter().find(|lobby| lobby.id == lobby_id)?;
        Some(
            lobby
                .member(player)
                .map(|_| lobbies::wire(world, lobby, now).to_string()),
        )
    })
}

/// Queue statistics while the lobby is queued.
fn queue_stats(shared: &Shared, lobby_id: &str) -> Option<String> {
    shared.with_world(|world, now| {
        let lobby = world.lobbies.iter().find(|lobby| lobby.id == lobby_id)?;
        if lobby.status != LobbyStatus::InQueue {
            return None;
        }
        let mode = &lobby.matchmaking.as_ref()?.mode;
        let stats = matchmaking::queue_stats(world, &lobby.config, mode, now);
        crate::world::wire::value(&stats)
            .ok()
            .map(|value| value.to_string())
    })
}

/// A player's open stream: while it lives the player counts as present.
struct Presence {
    shared: Arc<Shared>,
    lobby: String,
    player: String,
}

impl Drop for Presence {
    fn drop(&mut self) {
        self.shared.with_world(|world, now| {
            if let Some(member) = world
                .lobbies
                .iter_mut()
                .find(|lobby| lobby.id == self.lobby)
                .and_then(|lobby| lobby.member_mut(&self.player))
            {
                member.streams = member.streams.saturating_sub(1);
                member.last_seen = now;
            }
        });
    }
}
