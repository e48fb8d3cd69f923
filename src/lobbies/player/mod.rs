//! The player-scoped lobby calls: everything under `/lobbies/{config}/me` (plus create and
//! join), sent with the player's `x-player-id`.
//!
//! [`PlayerLobby`] is the handler; its builders live in the child modules (`create`, `join`,
//! `settings`), each with the handler method that makes it. The event stream and the match
//! waiter take an owned `PlayerLobby` and add their methods from their own modules, so this
//! file imports none of them.

mod create;
mod fields;
mod join;
mod settings;

pub use create::CreateLobby;
pub use join::{JoinLobby, JoinTarget};
pub use settings::UpdateLobbySettings;

use crate::raw::operations;
use std::future::Future;

use serde::Serialize;

use crate::Client;
use crate::call::send;
use crate::error::Result;
use crate::keys::ApiKey;
use crate::model::Lobby;
use crate::raw::types;
use crate::validate;

/// Lobby calls made as one player. Obtain with [`Lobbies::player`](crate::lobbies::Lobbies::player).
///
/// Host-only calls fail with [`LobbyErrorKind::NotHost`](crate::lobbies::LobbyErrorKind::NotHost) for
/// other members; see [`LobbyErrorExt`](crate::lobbies::LobbyErrorExt) for the documented errors.
///
/// The handle owns a clone of the client (an `Arc`): it, its builders, futures, event stream
/// and match waiter are all `Send + 'static`, ready for `tokio::spawn`.
#[derive(Debug, Clone)]
pub struct PlayerLobby<K: ApiKey> {
    client: Client<K>,
    config: String,
    player_id: String,
}

/// The answer to [`PlayerLobby::leave`].
// Returned once per call and matched right away, so the size gap between variants costs
// nothing; unboxed, `Left(lobby)` reads as the lobby itself.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum LeaveOutcome {
    /// The player left; the lobby goes on without them (another member became host if they
    /// were the host).
    Left(Lobby),
    /// The player was the last member: the lobby was deleted.
    LobbyDeleted,
}

impl<K: ApiKey> PlayerLobby<K> {
    pub(super) fn new(client: Client<K>, config: String, player_id: String) -> Self {
        Self {
            client,
            config,
            player_id,
        }
    }

    /// The player id sent as `x-player-id`.
    ///
    /// ```
    /// # let client = playflow::Client::for_game_client(playflow::ClientKey::new("pfclient_1234567890abcdef1234")?)?;
    /// let me = client.lobbies("casual").player("p-123");
    /// assert_eq!(me.player_id(), "p-123");
    /// # Ok::<(), playflow::Error>(())
    /// ```
    pub fn player_id(&self) -> &str {
        &self.player_id
    }

    /// The lobby configuration (`{config}` of the paths).
    ///
    /// ```
    /// # let client = playflow::Client::for_game_client(playflow::ClientKey::new("pfclient_1234567890abcdef1234")?)?;
    /// let me = client.lobbies("casual").player("p-123");
    /// assert_eq!(me.config(), "casual");
    /// # Ok::<(), playflow::Error>(())
    /// ```
    pub fn config(&self) -> &str {
        &self.config
    }

    pub(in crate::lobbies) fn client(&self) -> &Client<K> {
        &self.client
    }

    /// The config and player id must be usable before any call.
    pub(in crate::lobbies) fn check(&self) -> Result<()> {
        validate::non_empty("config", &self.config)?;
        validate::non_empty("player_id", &self.player_id)?;
        Ok(())
    }

    /// The lobby this player is in. A player in no lobby gets an error whose
    /// [`lobby_error_kind`](crate::lobbies::LobbyErrorExt::lobby_error_kind) is `NotInLobby`.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// let lobby = client.lobbies("casual").player("p-123").current().await?;
    /// println!("{} players", lobby.players.len());
    /// # Ok(()) }
    /// ```
    pub fn current(&self) -> impl Future<Output = Result<Lobby>> + Send + 'static {
        let me = self.clone();
        async move {
            me.check()?;
            send(
                operations::GET_MY_LOBBY,
                me.client
                    .raw()
                    .get_my_lobby()
                    .config(me.config.as_str())
                    .x_player_id(me.player_id.as_str())
                    .send(),
            )
            .await
        }
    }

    /// Leave the lobby (and any matchmaking queue). The last member to leave deletes it.
    ///
    /// ```no_run
    /// use playflow::lobbies::LeaveOutcome;
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// match client.lobbies("casual").player("p-123").leave().await? {
    ///     LeaveOutcome::Left(lobby) => println!("{} is now host", lobby.host),
    ///     LeaveOutcome::LobbyDeleted => println!("lobby closed"),
    ///     _ => {}
    /// }
    /// # Ok(()) }
    /// ```
    pub fn leave(&self) -> impl Future<Output = Result<LeaveOutcome>> + Send + 'static {
        let me = self.clone();
        async move {
            me.check()?;
            let answer = send(
                operations::LEAVE_LOBBY,
                me.client
                    .raw()
                    .leave_lobby()
                    .config(me.config.as_str())
                    .x_player_id(me.player_id.as_str())
                    .send(),
            )
            .await?;
            Ok(match answer {
                types::LeaveLobbyResponse::Variant0(lobby) => LeaveOutcome::Left(lobby),
                types::LeaveLobbyResponse::Variant1(_) => LeaveOutcome::LobbyDeleted,
            })
        }
    }

    /// Merge keys into this player's state (ready flag, team, loadout, ...); keys not given
    /// keep their value. `state` is anything that serializes to a JSON object.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// let me = client.lobbies("casual").player("p-123");
    /// me.update_state(serde_json::json!({"ready": true, "team": "blue"})).await?;
    /// # Ok(()) }
    /// ```
    pub fn update_state(
        &self,
        state: impl Serialize,
    ) -> impl Future<Output = Result<Lobby>> + Send + 'static {
        let me = self.clone();
        // Serialized now, so the future does not hold (or borrow) the caller's value.
        let state = crate::validate::json_object("state", state);
        async move {
            me.check()?;
            send(
                operations::UPDATE_MY_PLAYER_STATE,
                me.client
                    .raw()
                    .update_my_player_state()
                    .config(me.config.as_str())
                    .x_player_id(me.player_id.as_str())
                    .body(crate::built::built!(UpdatePlayerStateRequest {
                        state: state?
                    })?)
                    .send(),
            )
            .await
        }
    }

    /// Remove another member (host only); their event stream is closed.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// let lobby = client.lobbies("casual").player("p-123").kick("p-456").await?;
    /// # let _ = lobby; Ok(()) }
    /// ```
    pub fn kick(&self, player_id: &str) -> impl Future<Output = Result<Lobby>> + Send + 'static {
        let me = self.clone();
        let player_id = player_id.to_owned();
        async move {
            me.check()?;
            validate::non_empty("kicked player_id", &player_id)?;
            send(
                operations::KICK_PLAYER,
                me.client
                    .raw()
                    .kick_player()
                    .config(me.config.as_str())
                    .x_player_id(me.player_id.as_str())
                    .player_id(&player_id)
                    .send(),
            )
            .await
        }
    }

    /// Start the game (host only): the lobby goes to `starting` while a server is provisioned,
    /// then `in_game` with the server's connection details (watch [`Self::events`]).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// let lobby = client.lobbies("casual").player("p-123").start_game().await?;
    /// println!("{}", lobby.status);
    /// # Ok(()) }
    /// ```
    pub fn start_game(&self) -> impl Future<Output = Result<Lobby>> + Send + 'static {
        let me = self.clone();
        async move {
            me.check()?;
            send(
                operations::START_GAME,
                me.client
                    .raw()
                    .start_game()
                    .config(me.config.as_str())
                    .x_player_id(me.player_id.as_str())
                    .send(),
            )
            .await
        }
    }

    /// End the running match (host only): back to `waiting` with the same members.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// client.lobbies("casual").player("p-123").end_match().await?;
    /// # Ok(()) }
    /// ```
    pub fn end_match(&self) -> impl Future<Output = Result<Lobby>> + Send + 'static {
        let me = self.clone();
        async move {
            me.check()?;
            send(
                operations::END_MATCH,
                me.client
                    .raw()
                    .end_match()
                    .config(me.config.as_str())
                    .x_player_id(me.player_id.as_str())
                    .send(),
            )
            .await
        }
    }

    /// Queue the lobby for a matchmaking mode (host only); the lobby becomes `in_queue`.
    /// [`Self::find_match`] does this and waits for the match.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// let lobby = client.lobbies("casual").player("p-123").start_matchmaking("duo_ranked").await?;
    /// # let _ = lobby; Ok(()) }
    /// ```
    pub fn start_matchmaking(
        &self,
        mode: &str,
    ) -> impl Future<Output = Result<Lobby>> + Send + 'static {
        let me = self.clone();
        let mode = mode.to_owned();
        async move {
            me.check()?;
            validate::non_empty("mode", &mode)?;
            send(
                operations::START_MATCHMAKING,
                me.client
                    .raw()
                    .start_matchmaking()
                    .config(me.config.as_str())
                    .x_player_id(me.player_id.as_str())
                    .body(crate::built::built!(StartMatchmakingRequest {
                        mode: mode
                            .parse::<types::StartMatchmakingRequestMode>()
                            .map_err(|e| crate::InvalidInput::new("mode", format!("{e}")))?,
                    })?)
                    .send(),
            )
            .await
        }
    }

    /// Leave the matchmaking queue (host only): back to `waiting`. Once a match was found this
    /// may no longer be possible.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// client.lobbies("casual").player("p-123").cancel_matchmaking().await?;
    /// # Ok(()) }
    /// ```
    pub fn cancel_matchmaking(&self) -> impl Future<Output = Result<Lobby>> + Send + 'static {
        let me = self.clone();
        async move {
            me.check()?;
            send(
                operations::CANCEL_MATCHMAKING,
                me.client
                    .raw()
                    .cancel_matchmaking()
                    .config(me.config.as_str())
                    .x_player_id(me.player_id.as_str())
                    .send(),
            )
            .await
        }
    }

    /// Accept a found match (lobby status `match_found`); one member's confirmation counts for
    /// the whole lobby.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// client.lobbies("casual").player("p-123").confirm_match().await?;
    /// # Ok(()) }
    /// ```
    pub fn confirm_match(&self) -> impl Future<Output = Result<Lobby>> + Send + 'static {
        let me = self.clone();
        async move {
            me.check()?;
            send(
                operations::CONFIRM_MATCH,
                me.client
                    .raw()
                    .confirm_match()
                    .config(me.config.as_str())
                    .x_player_id(me.player_id.as_str())
                    .send(),
            )
            .await
        }
    }

    /// Reject a found match: it is cancelled for every lobby in it, which all go back to
    /// `waiting` (nobody is re-queued).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// client.lobbies("casual").player("p-123").decline_match().await?;
    /// # Ok(()) }
    /// ```
    pub fn decline_match(&self) -> impl Future<Output = Result<Lobby>> + Send + 'static {
        let me = self.clone();
        async move {
            me.check()?;
            send(
                operations::DECLINE_MATCH,
                me.client
                    .raw()
                    .decline_match()
                    .config(me.config.as_str())
                    .x_player_id(me.player_id.as_str())
                    .send(),
            )
            .await
        }
    }

    /// Mark the player as present. Only needed when you poll instead of keeping
    /// [`Self::events`] open: an open event stream already counts as the heartbeat.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// client.lobbies("casual").player("p-123").heartbeat().await?;
    /// # Ok(()) }
    /// ```
    pub fn heartbeat(&self) -> impl Future<Output = Result<()>> + Send + 'static {
        let me = self.clone();
        async move {
            me.check()?;
            send(
                operations::SEND_HEARTBEAT,
                me.client
                    .raw()
                    .send_heartbeat()
                    .config(me.config.as_str())
                    .x_player_id(me.player_id.as_str())
                    .send(),
            )
            .await
        }
    }
}
