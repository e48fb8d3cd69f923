//! The lobby operations: browse, create, join, the `/me` routes of a player's own lobby, and the
//! admin get and delete.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use playflow::raw::enums::LobbyStatus;
use playflow::raw::types;
use serde_json::{Map, Value, json};

use crate::api::Shared;
use crate::api::extract::{Call, issue};
use crate::api::respond;
use crate::world::World;
use crate::world::lobbies::matchmaking::{self, Matchmaking};
use crate::world::lobbies::{self, ConfigView, LobbyRecord, Member, config_view, my_lobby};
use crate::world::refusal::{ApiError, ApiResult};

fn host_only(lobby: &LobbyRecord, player: &str) -> ApiResult<()> {
    if lobby.host == player {
        return Ok(());
    }
    Err(ApiError::forbidden(format!(
        "Only the host (`{}`) can do this",
        lobby.host
    )))
}

fn lobby_response(world: &World, index: usize, now: DateTime<Utc>) -> ApiResult<Response> {
    respond::ok(&lobbies::wire(world, &world.lobbies[index], now))
}

/// Runs a `/me` operation on the caller's lobby and answers with the lobby afterwards.
fn on_my_lobby(
    shared: &Shared,
    call: &Call,
    change: impl FnOnce(&mut World, usize, &str, DateTime<Utc>) -> ApiResult<()>,
) -> ApiResult<Response> {
    let player = call.player().to_owned();
    shared.with_world(|world, now| {
        let view = config_view(world, call.path("config"));
        let index = my_lobby(world, &view.name, &player, now)?;
        let id = world.lobbies[index].id.clone();
        change(world, index, &player, now)?;
        let index = world
            .lobbies
            .iter()
            .position(|lobby| lobby.id == id)
            .ok_or_else(|| ApiError::not_found("The lobby no longer exists"))?;
        lobby_response(world, index, now)
    })
}

/// `browseLobbies`: public lobbies of the configuration, oldest first.
pub(crate) async fn browse(State(shared): State<Arc<Shared>>, call: Call) -> ApiResult<Response> {
    let limit = call.int("limit").unwrap_or(50).max(0) as usize;
    let offset = call.int("offset").unwrap_or(0).max(0) as usize;
    let region = call.text("region").map(str::to_owned);
    let status = call.text("status").map(str::to_owned);
    shared.with_world(|world, now| {
        let view = config_view(world, call.path("config"));
        let matching: Vec<&LobbyRecord> = world
            .lobbies
            .iter()
            .filter(|lobby| lobby.config == view.name && !lobby.is_private)
            .filter(|lobby| region.as_ref().is_none_or(|region| &lobby.region == region))
            .filter(|lobby| {
                status
                    .as_ref()
                    .is_none_or(|status| lobby.status.as_str() == status)
            })
            .collect();
        let page: Vec<Value> = matching
            .iter()
            .skip(offset)
            .take(limit)
            .map(|lobby| lobbies::wire(world, lobby, now))
            .collect();
        let has_more = offset + page.len() < matching.len();
        // Items are `Lobby` bodies with their nulls, which the generated LobbyList cannot carry.
        respond::ok(&json!({
            "lobbies": page,
            "total": matching.len(),
            "limit": limit,
            "offset": offset,
            "hasMore": has_more,
        }))
    })
}

fn already_in_lobby(world: &World, view: &ConfigView, player: &str) -> ApiResult<()> {
    match world
        .lobbies
        .iter()
        .find(|lobby| lobby.config == view.name && lobby.member(player).is_some())
    {
        Some(lobby) => Err(ApiError::conflict(format!(
            "Player `{player}` is already in lobby {} of `{}`; leave it first",
            lobby.id, view.name
        ))),
        None => Ok(()),
    }
}

/// `createLobby`: a `waiting` lobby with the caller as host.
pub(crate) async fn create(State(shared): State<Arc<Shared>>, call: Call) -> ApiResult<Response> {
    let request: types::CreateLobbyRequest = call.body()?;
    let player = call.player().to_owned();
    shared.with_world(|world, now| {
        let view = config_view(world, call.path("config"));
        if !view.enabled {
            return Err(ApiError::bad_request(format!(
                "Lobby configuration `{}` is disabled",
                view.name
            )));
        }
        already_in_lobby(world, &view, &player)?;
        let lobby = LobbyRecord {
            id: uuid::Uuid::new_v4().to_string(),
            code: lobbies::invite_code(world, &view),
            config: view.name.clone(),
            name: String::from(request.name),
            status: LobbyStatus::Waiting,
            host: player.clone(),
            max_players: request.max_players.map_or(2, |max| max.get()),
            region: request.region.unwrap_or_else(|| "us-east".to_owned()),
            is_private: request.is_private.unwrap_or(false),
            allow_late_join: request.allow_late_join.unwrap_or(false),
            settings: request.settings,
            players: vec![Member {
                id: player,
                state: call.has("state").then_some(request.state),
                last_seen: now,
                streams: 0,
            }],
            server_id: None,
            matchmaking: None,
            match_id: None,
            start_failed: false,
            created_at: now,
            updated_at: now,
        };
        world.lobbies.push(lobby);
        lobby_response(world, world.lobbies.len() - 1, now)
    })
}

/// `joinLobby`: by lobby ID or invite code.
pub(crate) async fn join(State(shared): State<Arc<Shared>>, call: Call) -> ApiResult<Response> {
    let request: types::JoinLobbyRequest = call.body()?;
    let by_id = request.lobby_id.filter(|id| !id.is_empty());
    let by_code = request.code.filter(|code| !code.is_empty());
    if by_id.is_some() == by_code.is_some() {
        return Err(ApiError::validation(vec![issue(
            &["body"],
            "Give exactly one of `lobbyId` and `code`",
            "value_error",
        )]));
    }
    let player = call.player().to_owned();
    shared.with_world(|world, now| {
        let view = config_view(world, call.path("config"));
        already_in_lobby(world, &view, &player)?;
        let index = world
            .lobbies
            .iter()
            .position(|lobby| {
                lobby.config == view.name
                    && (by_id.as_deref() == Some(lobby.id.as_str())
                        || by_code
                            .as_deref()
                            .is_some_and(|code| code.eq_ignore_ascii_case(&lobby.code)))
            })
            .ok_or_else(|| ApiError::not_found("No lobby with that ID or invite code"))?;
        let lobby = &mut world.lobbies[index];
        if lobby.players.len() as u64 >= lobby.max_players {
            return Err(ApiError::bad_request(format!(
                "The lobby is full ({} of {} players)",
                lobby.players.len(),
                lobby.max_players
            )));
        }
        let open = match lobby.status {
            LobbyStatus::Waiting => true,
            LobbyStatus::InGame => lobby.allow_late_join,
            _ => false,
        };
        if !open {
            return Err(ApiError::bad_request(format!(
                "The lobby does not accept players while `{}`",
                lobby.status
            )));
        }
        lobby.players.push(Member {
            id: player,
            state: call.has("state").then_some(request.state),
            last_seen: now,
            streams: 0,
        });
        let id = lobby.id.clone();
        world.touch(&id, now);
        lobby_response(world, index, now)
    })
}

/// `getMyLobby`.
pub(crate) async fn get_mine(State(shared): State<Arc<Shared>>, call: Call) -> ApiResult<Response> {
    on_my_lobby(&shared, &call, |_, _, _, _| Ok(()))
}

/// `updateMyPlayerState`: merges keys into the caller's state.
pub(crate) async fn update_state(
    State(shared): State<Arc<Shared>>,
    call: Call,
) -> ApiResult<Response> {
    let request: types::UpdatePlayerStateRequest = call.body()?;
    on_my_lobby(&shared, &call, |world, index, player, now| {
        let lobby = &mut world.lobbies[index];
        if let Some(member) = lobby.member_mut(player) {
            member
                .state
                .get_or_insert_with(Map::new)
                .extend(request.state);
        }
        let id = lobby.id.clone();
        world.touch(&id, now);
        Ok(())
    })
}

/// `leaveLobby`: the remaining lobby, or `{"status": "lobby_deleted"}` after the last member.
pub(crate) async fn leave(State(shared): State<Arc<Shared>>, call: Call) -> ApiResult<Response> {
    let player = call.player().to_owned();
    shared.with_world(|world, now| {
        let view = config_view(world, call.path("config"));
        let index = my_lobby(world, &view.name, &player, now)?;
        let id = world.lobbies[index].id.clone();
        if lobbies::remove_member(world, &id, &player, now) {
            return respond::ok(&built!(LobbyDeletedStatus {
                status: types::LobbyDeletedStatusStatus::LobbyDeleted,
            }));
        }
        let index = world
            .lobbies
            .iter()
            .position(|lobby| lobby.id == id)
            .ok_or_else(|| ApiError::not_found("The lobby no longer exists"))?;
        lobby_response(world, index, now)
    })
}

/// `updateLobbySettings` (host only).
pub(crate) async fn update_settings(
    State(shared): State<Arc<Shared>>,
    call: Call,
) -> ApiResult<Response> {
    let request: types::UpdateLobbySettingsRequest = call.body()?;
    on_my_lobby(&shared, &call, |world, index, player, now| {
        let lobby = &mut world.lobbies[index];
        host_only(lobby, player)?;
        if let Some(max) = request.max_players {
            if (lobby.players.len() as u64) > max.get() {
                return Err(ApiError::bad_request(format!(
                    "maxPlayers cannot be below the {} players in the lobby",
                    lobby.players.len()
                )));
            }
            lobby.max_players = max.get();
        }
        if let Some(name) = request.name {
            lobby.name = String::from(name);
        }
        if let Some(private) = request.is_private {
            lobby.is_private = private;
        }
        if let Some(late) = request.allow_late_join {
            lobby.allow_late_join = late;
        }
        if let Some(region) = request.region {
            lobby.region = region;
        }
        lobby.settings.extend(request.settings);
        let id = lobby.id.clone();
        world.touch(&id, now);
        Ok(())
    })
}

/// `kickPlayer` (host only): the player's event stream closes.
pub(crate) async fn kick(State(shared): State<Arc<Shared>>, call: Call) -> ApiResult<Response> {
    let target = call.path("playerId").to_owned();
    on_my_lobby(&shared, &call, |world, index, player, now| {
        let lobby = &world.lobbies[index];
        host_only(lobby, player)?;
        if target == player {
            return Err(ApiError::bad_request(
                "The host cannot kick themselves; leave the lobby instead",
            ));
        }
        if lobby.member(&target).is_none() {
            return Err(ApiError::not_found(format!(
                "Player `{target}` is not in this lobby"
            )));
        }
        let id = lobby.id.clone();
        lobbies::remove_member(world, &id, &target, now);
        Ok(())
    })
}

/// `startGame` (host only): `starting`, with a server being provisioned.
pub(crate) async fn start_game(
    State(shared): State<Arc<Shared>>,
    call: Call,
) -> ApiResult<Response> {
    on_my_lobby(&shared, &call, |world, index, player, now| {
        let lobby = &world.lobbies[index];
        host_only(lobby, player)?;
        if lobby.status != LobbyStatus::Waiting {
            return Err(ApiError::conflict(format!(
                "The lobby is `{}`; a game starts from `waiting`",
                lobby.status
            )));
        }
        let id = lobby.id.clone();
        let server = lobbies::provision(world, std::slice::from_ref(&id), None, None, now);
        let lobby = &mut world.lobbies[index];
        lobby.status = LobbyStatus::Starting;
        match server {
            Ok(server_id) => lobby.server_id = Some(server_id),
            // As on PlayFlow, the failure shows as the lobby returning to `waiting`.
            Err(_) => lobby.start_failed = true,
        }
        world.touch(&id, now);
        Ok(())
    })
}

/// `endMatch` (host only): back to `waiting` with the same members.
pub(crate) async fn end_match(
    State(shared): State<Arc<Shared>>,
    call: Call,
) -> ApiResult<Response> {
    on_my_lobby(&shared, &call, |world, index, player, now| {
        let lobby = &mut world.lobbies[index];
        host_only(lobby, player)?;
        if !matches!(
            lobby.status,
            LobbyStatus::InGame | LobbyStatus::Starting | LobbyStatus::Matched
        ) {
            return Err(ApiError::conflict(format!(
                "No match is running (the lobby is `{}`)",
                lobby.status
            )));
        }
        lobby.reset();
        let id = lobby.id.clone();
        world.touch(&id, now);
        Ok(())
    })
}

/// `startMatchmaking` (host only): `in_queue` for a mode of the configuration.
pub(crate) async fn start_matchmaking(
    State(shared): State<Arc<Shared>>,
    call: Call,
) -> ApiResult<Response> {
    let request: types::StartMatchmakingRequest = call.body()?;
    let mode_name = String::from(request.mode);
    on_my_lobby(&shared, &call, |world, index, player, now| {
        let lobby = &world.lobbies[index];
        host_only(lobby, player)?;
        let view = config_view(world, &lobby.config);
        if view.modes.is_empty() {
            return Err(ApiError::bad_request(format!(
                "Lobby configuration `{}` has no matchmaking modes",
                view.name
            )));
        }
        let Some(mode) = matchmaking::mode(&view, &mode_name) else {
            let mut known: Vec<&String> = view.modes.keys().collect();
            known.sort();
            return Err(ApiError::bad_request(format!(
                "Unknown matchmaking mode `{mode_name}`; `{}` has: {}",
                view.name,
                known
                    .iter()
                    .map(|name| name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        };
        if lobby.status != LobbyStatus::Waiting {
            return Err(ApiError::conflict(format!(
                "The lobby is `{}`; matchmaking starts from `waiting`",
                lobby.status
            )));
        }
        if lobby.players.len() as u64 > mode.max_party() {
            return Err(ApiError::bad_request(format!(
                "Mode `{mode_name}` takes parties of at most {} players",
                mode.max_party()
            )));
        }
        let lobby = &mut world.lobbies[index];
        lobby.status = LobbyStatus::InQueue;
        lobby.matchmaking = Some(Matchmaking {
            mode: mode_name,
            started_at: now,
            confirmation: None,
        });
        let id = lobby.id.clone();
        world.touch(&id, now);
        Ok(())
    })
}

/// `cancelMatchmaking` (host only).
pub(crate) async fn cancel_matchmaking(
    State(shared): State<Arc<Shared>>,
    call: Call,
) -> ApiResult<Response> {
    on_my_lobby(&shared, &call, |world, index, player, now| {
        let lobby = &mut world.lobbies[index];
        host_only(lobby, player)?;
        match lobby.status {
            LobbyStatus::InQueue => lobby.reset(),
            LobbyStatus::MatchFound => {
                return Err(ApiError::conflict(
                    "A match was already found; decline it instead",
                ));
            }
            _ => return Err(ApiError::conflict("The lobby is not searching for a match")),
        }
        let id = lobby.id.clone();
        world.touch(&id, now);
        Ok(())
    })
}

/// The mode of a lobby that has a pending match: 409 when there is none or it needs no confirmation.
fn pending_match(world: &World, index: usize) -> ApiResult<String> {
    let lobby = &world.lobbies[index];
    let search = lobby
        .matchmaking
        .as_ref()
        .ok_or_else(|| ApiError::conflict("The lobby has no match to answer"))?;
    let view = config_view(world, &lobby.config);
    if matchmaking::mode(&view, &search.mode).is_none_or(|mode| mode.confirmation.is_none()) {
        return Err(ApiError::conflict(format!(
            "Mode `{}` does not use match confirmation",
            search.mode
        )));
    }
    if lobby.status != LobbyStatus::MatchFound {
        return Err(ApiError::conflict(format!(
            "The lobby is `{}`, not `match_found`",
            lobby.status
        )));
    }
    lobby
        .match_id
        .clone()
        .ok_or_else(|| ApiError::conflict("The lobby has no match to answer"))
}

/// `confirmMatch`: any member confirms for the whole lobby.
pub(crate) async fn confirm_match(
    State(shared): State<Arc<Shared>>,
    call: Call,
) -> ApiResult<Response> {
    on_my_lobby(&shared, &call, |world, index, _, now| {
        pending_match(world, index)?;
        let id = world.lobbies[index].id.clone();
        matchmaking::confirm(world, &id, now);
        Ok(())
    })
}

/// `declineMatch`: calls the match off for every lobby in it.
pub(crate) async fn decline_match(
    State(shared): State<Arc<Shared>>,
    call: Call,
) -> ApiResult<Response> {
    on_my_lobby(&shared, &call, |world, index, _, now| {
        let match_id = pending_match(world, index)?;
        matchmaking::cancel_match(world, &match_id, now);
        Ok(())
    })
}

/// `sendHeartbeat`: the caller is present (no body in the answer).
pub(crate) async fn heartbeat(
    State(shared): State<Arc<Shared>>,
    call: Call,
) -> ApiResult<Response> {
    let player = call.player().to_owned();
    shared.with_world(|world, now| {
        let view = config_view(world, call.path("config"));
        my_lobby(world, &view.name, &player, now)?;
        Ok(axum::http::StatusCode::OK.into_response())
    })
}

fn lobby_by_id(world: &World, call: &Call) -> ApiResult<usize> {
    let view = config_view(world, call.path("config"));
    let id = call.path("lobbyId");
    world
        .lobbies
        .iter()
        .position(|lobby| lobby.config == view.name && lobby.id == id)
        .ok_or_else(|| ApiError::not_found(format!("No lobby {id} in `{}`", view.name)))
}

/// `getLobby` (server key): any lobby by ID.
pub(crate) async fn get(State(shared): State<Arc<Shared>>, call: Call) -> ApiResult<Response> {
    shared.with_world(|world, now| {
        let index = lobby_by_id(world, &call)?;
        lobby_response(world, index, now)
    })
}

/// `deleteLobby` (server key): removes the lobby and stops its server when no other lobby uses it.
pub(crate) async fn delete(State(shared): State<Arc<Shared>>, call: Call) -> ApiResult<Response> {
    shared.with_world(|world, now| {
        let index = lobby_by_id(world, &call)?;
        let lobby = world.lobbies[index].clone();
        if let (LobbyStatus::MatchFound, Some(match_id)) = (&lobby.status, &lobby.match_id) {
            matchmaking::cancel_match(world, match_id, now);
        }
        world.remove_lobby(&lobby.id);
        if let Some(server_id) = &lobby.server_id {
            let shared_server = world
                .lobbies
                .iter()
                .any(|other| other.server_id.as_ref() == Some(server_id));
            if !shared_server {
                let World { servers, ports, .. } = world;
                if let Some(server) = servers.iter_mut().find(|server| &server.id == server_id) {
                    server.stop(now, "LOBBY_DELETED", ports);
                }
            }
        }
        respond::ok(&json!({"status": "lobby_deleted", "id": lobby.id}))
    })
}
