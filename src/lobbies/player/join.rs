//! Joining a lobby, by id or by invite code (exactly one, as the spec requires):
//! [`PlayerLobby::join`] and its builder.

use crate::raw::operations;
use serde::Serialize;
use serde_json::{Map, Value};

use super::PlayerLobby;
use crate::call::send;
use crate::error::{InvalidInput, Result};
use crate::keys::ApiKey;
use crate::model::Lobby;
use crate::validate;

/// Which lobby to join: one of an id or an invite code, never both.
///
/// ```
/// use playflow::lobbies::JoinTarget;
/// let by_code = JoinTarget::Code("WOLF-17".into());
/// assert_ne!(by_code, JoinTarget::Lobby("WOLF-17".into()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum JoinTarget {
    /// The lobby's id, as listed by browse or returned by create.
    Lobby(String),
    /// An invite code shared by the host (how private lobbies are joined).
    Code(String),
}

impl<K: ApiKey> PlayerLobby<K> {
    /// Join a lobby by id or by invite code (`POST /lobbies/{config}/join`).
    ///
    /// ```no_run
    /// use playflow::lobbies::JoinTarget;
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// let me = client.lobbies("casual").player("p-123");
    /// let lobby = me.join(JoinTarget::Code("WOLF-17".into())).send().await?;
    /// # let _ = lobby; Ok(()) }
    /// ```
    pub fn join(&self, target: JoinTarget) -> JoinLobby<K> {
        JoinLobby {
            player: self.clone(),
            target,
            state: None,
        }
    }

    /// Join the lobby with this id (as listed by browse or returned by create).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// let me = client.lobbies("casual").player("p-123");
    /// let lobby = me.join_by_id("3c7e9a52-1f4b-4d2a-9b8e-6a0f5d2c71e4").send().await?;
    /// # let _ = lobby; Ok(()) }
    /// ```
    pub fn join_by_id(&self, lobby_id: impl Into<String>) -> JoinLobby<K> {
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
    pub fn join_by_code(&self, code: impl Into<String>) -> JoinLobby<K> {
        self.join(JoinTarget::Code(code.into()))
    }
}

/// A join. Obtain with [`PlayerLobby::join`], [`PlayerLobby::join_by_id`] or
/// [`PlayerLobby::join_by_code`].
#[derive(Debug, Clone)]
#[must_use]
pub struct JoinLobby<K: ApiKey> {
    player: PlayerLobby<K>,
    target: JoinTarget,
    state: Option<Result<Map<String, Value>, InvalidInput>>,
}

impl<K: ApiKey> JoinLobby<K> {
    /// The joining player's initial state: anything that serializes to a JSON object.
    ///
    /// ```no_run
    /// # async fn demo(me: playflow::lobbies::PlayerLobby<playflow::ClientKey>) -> playflow::Result<()> {
    /// me.join_by_code("WOLF-17").state(serde_json::json!({"team": "red"})).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn state(mut self, state: impl Serialize) -> Self {
        self.state = Some(crate::validate::json_object("state", state));
        self
    }

    /// Join. Fails with [`LobbyFull`](crate::lobbies::LobbyErrorKind::LobbyFull),
    /// [`LobbyNotFound`](crate::lobbies::LobbyErrorKind::LobbyNotFound) or
    /// [`AlreadyInLobby`](crate::lobbies::LobbyErrorKind::AlreadyInLobby) as documented.
    ///
    /// ```no_run
    /// # async fn demo(me: playflow::lobbies::PlayerLobby<playflow::ClientKey>) -> playflow::Result<()> {
    /// let lobby = me.join_by_id("3c7e9a52-1f4b-4d2a-9b8e-6a0f5d2c71e4").send().await?;
    /// # let _ = lobby; Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Lobby> {
        self.player.check()?;
        let (lobby_id, code) = match self.target {
            JoinTarget::Lobby(id) => (Some(validate::non_empty("lobby_id", &id)?.to_owned()), None),
            JoinTarget::Code(code) => (None, Some(validate::non_empty("code", &code)?.to_owned())),
        };
        let body = crate::built::built!(JoinLobbyRequest {
            lobby_id,
            code,
            state: self.state.transpose()?.unwrap_or_default(),
        })?;
        let player = &self.player;
        send(
            operations::JOIN_LOBBY,
            player
                .client()
                .raw()
                .join_lobby()
                .config(player.config())
                .x_player_id(player.player_id())
                .body(body)
                .send(),
        )
        .await
    }
}
