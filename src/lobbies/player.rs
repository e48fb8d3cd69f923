//! The player-scoped lobby calls: everything under `/lobbies/{config}/me` (plus create and
//! join), sent with the player's `x-player-id`.

use serde::Serialize;

use super::create::CreateLobby;
use super::events::LobbyEvents;
use super::join::{JoinLobby, JoinTarget};
use super::matchmaking::FindMatch;
use super::settings::UpdateLobbySettings;
use crate::Client;
use crate::call::send;
use crate::error::Result;
use crate::keys::ApiKey;
use crate::model::Lobby;
use crate::raw::types;
use crate::validate;

/// Lobby calls made as one player. Obtain with [`Lobbies::player`](super::Lobbies::player).
///
/// Host-only calls fail with [`LobbyErrorKind::NotHost`](super::LobbyErrorKind::NotHost) for
/// other members; see [`LobbyErrorExt`](super::LobbyErrorExt) for the documented errors.
#[derive(Debug, Clone)]
pub struct PlayerLobby<'a, K: ApiKey> {
    client: &'a Client<K>,
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

impl<'a, K: ApiKey> PlayerLobby<'a, K> {
    pub(super) fn new(client: &'a Client<K>, config: String, player_id: String) -> Self {
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

    pub(super) fn client(&self) -> &'a Client<K> {
        self.client
    }

    /// The config and player id must be usable before any call.
    pub(super) fn check(&self) -> Result<()> {
        validate::non_empty("config", &self.config)?;
        validate::non_empty("player_id", &self.player_id)?;
        Ok(())
    }

    /// Create a lobby with this player as host (`POST /lobbies/{config}`). Fails with
    /// [`AlreadyInLobby`](super::LobbyErrorKind::AlreadyInLobby) when the player has a lobby.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// let me = client.lobbies("casual").player("p-123");
    /// let lobby = me.create("Friday night arena").max_players(4).region("eu-west").send().await?;
    /// println!("invite code: {:?}", lobby.code);
    /// # Ok(()) }
    /// ```
    pub fn create(&self, name: impl Into<String>) -> CreateLobby<'a, K> {
        CreateLobby::new(self.clone(), name.into())
    }

    /// Join a lobby by id or by invite code (`POST /lobbies/{config}/join`).
    ///
    /// ```no_run
    /// use playflow::lobbies::JoinTarget;
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// let me = client.lobbies("casual").player("p-123");
    /// let lobby = me.join(JoinTarget::Code("WOLF-17".into())).send().await?;
    /// # let _ = lobby; Ok(()) }
    /// ```
    pub fn join(&self, target: JoinTarget) -> JoinLobby<'a, K> {
        JoinLobby::new(self.clone(), target)
    }

    /// Join the lobby with this id (as listed by browse or returned by create).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// let me = client.lobbies("casual").player("p-123");
    /// let lobby = me.join_by_id("3c7e9a52-1f4b-4d2a-9b8e-6a0f5d2c71e4").send().await?;
    /// # let _ = lobby; Ok(()) }
    /// ```
    pub fn join_by_id(&self, lobby_id: impl Into<String>) -> JoinLobby<'a, K> {
        self.join(JoinTarget::Lobby(lobby_id.into()))
    }

    /// Join the lobby with this invite code (how private lobbies are joined).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// let me = client.lobbies("casual").player("p-123");
    /// let lobby = me.join_by_code("WOLF-17").state(serde_json::json!({"team": "red"})).send().await?;
    /// # let _ = lobby; Ok(()) }
    /// ```
    pub fn join_by_code(&self, code: impl Into<String>) -> JoinLobby<'a, K> {
        self.join(JoinTarget::Code(code.into()))
    }

    /// The lobby this player is in. A player in no lobby gets an error whose
    /// [`lobby_error_kind`](super::LobbyErrorExt::lobby_error_kind) is `NotInLobby`.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// let lobby = client.lobbies("casual").player("p-123").current().await?;
    /// println!("{} players", lobby.players.len());
    /// # Ok(()) }
    /// ```
    pub async fn current(&self) -> Result<Lobby> {
        self.check()?;
        send(
            "get_my_lobby",
            self.client
                .raw()
                .get_my_lobby()
                .config(self.config.as_str())
                .x_player_id(self.player_id.as_str())
                .send(),
        )
        .await
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
    pub async fn leave(&self) -> Result<LeaveOutcome> {
        self.check()?;
        let answer = send(
            "leave_lobby",
            self.client
                .raw()
                .leave_lobby()
                .config(self.config.as_str())
                .x_player_id(self.player_id.as_str())
                .send(),
        )
        .await?;
        Ok(match answer {
            types::LeaveLobbyResponse::Variant0(lobby) => LeaveOutcome::Left(lobby),
            types::LeaveLobbyResponse::Variant1(_) => LeaveOutcome::LobbyDeleted,
        })
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
    pub async fn update_state(&self, state: impl Serialize) -> Result<Lobby> {
        self.check()?;
        let state = crate::validate::json_object("state", state)?;
        send(
            "update_my_player_state",
            self.client
                .raw()
                .update_my_player_state()
                .config(self.config.as_str())
                .x_player_id(self.player_id.as_str())
                .body(types::UpdatePlayerStateRequest { state })
                .send(),
        )
        .await
    }

    /// Change lobby settings (host only); fields not set keep their value.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// let me = client.lobbies("casual").player("p-123");
    /// me.update_settings().max_players(6).settings(serde_json::json!({"map": "harbor"})).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn update_settings(&self) -> UpdateLobbySettings<'a, K> {
        UpdateLobbySettings::new(self.clone())
    }

    /// Remove another member (host only); their event stream is closed.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// let lobby = client.lobbies("casual").player("p-123").kick("p-456").await?;
    /// # let _ = lobby; Ok(()) }
    /// ```
    pub async fn kick(&self, player_id: &str) -> Result<Lobby> {
        self.check()?;
        validate::non_empty("kicked player_id", player_id)?;
        send(
            "kick_player",
            self.client
                .raw()
                .kick_player()
                .config(self.config.as_str())
                .x_player_id(self.player_id.as_str())
                .player_id(player_id)
                .send(),
        )
        .await
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
    pub async fn start_game(&self) -> Result<Lobby> {
        self.check()?;
        send(
            "start_game",
            self.client
                .raw()
                .start_game()
                .config(self.config.as_str())
                .x_player_id(self.player_id.as_str())
                .send(),
        )
        .await
    }

    /// End the running match (host only): back to `waiting` with the same members.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// client.lobbies("casual").player("p-123").end_match().await?;
    /// # Ok(()) }
    /// ```
    pub async fn end_match(&self) -> Result<Lobby> {
        self.check()?;
        send(
            "end_match",
            self.client
                .raw()
                .end_match()
                .config(self.config.as_str())
                .x_player_id(self.player_id.as_str())
                .send(),
        )
        .await
    }

    /// Queue the lobby for a matchmaking mode (host only); the lobby becomes `in_queue`.
    /// [`Self::find_match`] does this and waits for the match.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// let lobby = client.lobbies("casual").player("p-123").start_matchmaking("duo_ranked").await?;
    /// # let _ = lobby; Ok(()) }
    /// ```
    pub async fn start_matchmaking(&self, mode: &str) -> Result<Lobby> {
        self.check()?;
        validate::non_empty("mode", mode)?;
        send(
            "start_matchmaking",
            self.client
                .raw()
                .start_matchmaking()
                .config(self.config.as_str())
                .x_player_id(self.player_id.as_str())
                .body(types::StartMatchmakingRequest {
                    mode: mode
                        .parse()
                        .map_err(|e| crate::InvalidInput::new("mode", format!("{e}")))?,
                })
                .send(),
        )
        .await
    }

    /// Leave the matchmaking queue (host only): back to `waiting`. Once a match was found this
    /// may no longer be possible.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// client.lobbies("casual").player("p-123").cancel_matchmaking().await?;
    /// # Ok(()) }
    /// ```
    pub async fn cancel_matchmaking(&self) -> Result<Lobby> {
        self.check()?;
        send(
            "cancel_matchmaking",
            self.client
                .raw()
                .cancel_matchmaking()
                .config(self.config.as_str())
                .x_player_id(self.player_id.as_str())
                .send(),
        )
        .await
    }

    /// Accept a found match (lobby status `match_found`); one member's confirmation counts for
    /// the whole lobby.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// client.lobbies("casual").player("p-123").confirm_match().await?;
    /// # Ok(()) }
    /// ```
    pub async fn confirm_match(&self) -> Result<Lobby> {
        self.check()?;
        send(
            "confirm_match",
            self.client
                .raw()
                .confirm_match()
                .config(self.config.as_str())
                .x_player_id(self.player_id.as_str())
                .send(),
        )
        .await
    }

    /// Reject a found match: it is cancelled for every lobby in it, which all go back to
    /// `waiting` (nobody is re-queued).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// client.lobbies("casual").player("p-123").decline_match().await?;
    /// # Ok(()) }
    /// ```
    pub async fn decline_match(&self) -> Result<Lobby> {
        self.check()?;
        send(
            "decline_match",
            self.client
                .raw()
                .decline_match()
                .config(self.config.as_str())
                .x_player_id(self.player_id.as_str())
                .send(),
        )
        .await
    }

    /// Mark the player as present. Only needed when you poll instead of keeping
    /// [`Self::events`] open: an open event stream already counts as the heartbeat.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// client.lobbies("casual").player("p-123").heartbeat().await?;
    /// # Ok(()) }
    /// ```
    pub async fn heartbeat(&self) -> Result<()> {
        self.check()?;
        send(
            "send_heartbeat",
            self.client
                .raw()
                .send_heartbeat()
                .config(self.config.as_str())
                .x_player_id(self.player_id.as_str())
                .send(),
        )
        .await
    }

    /// The live events of this player's lobby, as a [`Stream`](futures::Stream) that connects
    /// on first poll and reconnects by itself. While it is open the player counts as present:
    /// no [`Self::heartbeat`] calls are needed.
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
        LobbyEvents::new(self.to_owned_player())
    }

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
        FindMatch::new(self.to_owned_player(), Some(mode.into()))
    }

    /// Wait until the lobby is matched and its server can be connected to, without queueing:
    /// for members who are not the host (the host calls [`Self::find_match`]), or after a
    /// [`Self::start_game`]. Dropping it leaves the queue alone.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> Result<(), playflow::lobbies::FindMatchError> {
    /// let me = client.lobbies("casual").player("p-456");
    /// let found = me.wait_for_match().await?;
    /// println!("connect to {}", found.endpoints[0]);
    /// # Ok(()) }
    /// ```
    pub fn wait_for_match(&self) -> FindMatch<K> {
        FindMatch::new(self.to_owned_player(), None)
    }

    fn to_owned_player(&self) -> OwnedPlayer<K> {
        OwnedPlayer {
            client: self.client.clone(),
            config: self.config.clone(),
            player_id: self.player_id.clone(),
        }
    }
}

/// A player handle that owns its client, for streams and tasks that outlive a borrow.
#[derive(Debug, Clone)]
pub(super) struct OwnedPlayer<K: ApiKey> {
    client: Client<K>,
    config: String,
    player_id: String,
}

impl<K: ApiKey> OwnedPlayer<K> {
    /// The borrowed handle, to make calls.
    pub(super) fn player(&self) -> PlayerLobby<'_, K> {
        PlayerLobby::new(&self.client, self.config.clone(), self.player_id.clone())
    }
}
