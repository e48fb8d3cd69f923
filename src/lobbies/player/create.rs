//! Creating a lobby: [`PlayerLobby::create`] and its builder over the spec's
//! `CreateLobbyRequest`.

use crate::raw::operations;
use serde::Serialize;
use serde_json::{Map, Value};

use super::PlayerLobby;
use super::fields::{LobbyFields, lobby_field_setters};
use crate::call::send;
use crate::error::{InvalidInput, Result};
use crate::keys::ApiKey;
use crate::model::{CreateLobbyRequest, Lobby};

impl<K: ApiKey> PlayerLobby<K> {
    /// Create a lobby with this player as host (`POST /lobbies/{config}`). Fails with
    /// [`AlreadyInLobby`](crate::lobbies::LobbyErrorKind::AlreadyInLobby) when the player has a
    /// lobby.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// let me = client.lobbies("casual").player("p-123");
    /// let lobby = me.create("Friday night arena").max_players(4).region("eu-west").send().await?;
    /// println!("invite code: {:?}", lobby.code);
    /// # Ok(()) }
    /// ```
    pub fn create(&self, name: impl Into<String>) -> CreateLobby<K> {
        CreateLobby {
            player: self.clone(),
            fields: LobbyFields {
                name: Some(name.into()),
                ..LobbyFields::default()
            },
            state: None,
        }
    }
}

/// A lobby creation. Obtain with [`PlayerLobby::create`]; only the name is required, and
/// options not set are left out of the request (the server's defaults apply: 2 players,
/// public, region `us-east`).
#[derive(Debug, Clone)]
#[must_use]
pub struct CreateLobby<K: ApiKey> {
    player: PlayerLobby<K>,
    fields: LobbyFields,
    state: Option<Result<Map<String, Value>, InvalidInput>>,
}

lobby_field_setters!(CreateLobby, "create(\"Squad\")");

impl<K: ApiKey> CreateLobby<K> {
    /// The host's initial player state: anything that serializes to a JSON object.
    ///
    /// ```no_run
    /// # async fn demo(me: playflow::lobbies::PlayerLobby<playflow::ClientKey>) -> playflow::Result<()> {
    /// me.create("Ranked").state(serde_json::json!({"ready": false, "mmr": 1500})).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn state(mut self, state: impl Serialize) -> Self {
        self.state = Some(crate::validate::json_object("state", state));
        self
    }

    /// The request body this builder sends, after the checks (name 1–100 characters, max
    /// players 1–100, settings and state JSON objects).
    ///
    /// ```
    /// # let client = playflow::Client::for_game_client(playflow::ClientKey::new("pfclient_1234567890abcdef1234")?)?;
    /// let me = client.lobbies("casual").player("p-123");
    /// let body = me.create("Squad").max_players(4).request()?;
    /// assert_eq!(serde_json::to_value(&body).unwrap(), serde_json::json!({"name": "Squad", "maxPlayers": 4}));
    /// assert!(me.create("Squad").max_players(0).request().is_err());
    /// # Ok::<(), playflow::Error>(())
    /// ```
    pub fn request(&self) -> Result<CreateLobbyRequest> {
        let fields = &self.fields;
        // Through the generated builder, not a literal: an optional field a new spec adds is
        // left unset instead of breaking the build.
        let name: crate::raw::types::CreateLobbyRequestName = fields
            .name()?
            .ok_or_else(|| InvalidInput::new("name", "is required"))?;
        let body = crate::raw::types::builder::CreateLobbyRequest::default()
            .name(name)
            .region(fields.region.clone())
            .max_players(fields.max_players()?)
            .is_private(fields.is_private)
            .allow_late_join(fields.allow_late_join)
            .settings(fields.settings()?)
            .state(self.state.clone().transpose()?.unwrap_or_default());
        // Every required field is set above; a failure would name the one a new spec requires.
        Ok(CreateLobbyRequest::try_from(body)
            .map_err(|e| InvalidInput::new("body", e.to_string()))?)
    }

    /// Create the lobby. Nothing is sent when a check fails.
    ///
    /// ```no_run
    /// # async fn demo(me: playflow::lobbies::PlayerLobby<playflow::ClientKey>) -> playflow::Result<()> {
    /// let lobby = me.create("Friday night arena").send().await?;
    /// assert_eq!(lobby.host, me.player_id());
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Lobby> {
        self.player.check()?;
        let body = self.request()?;
        let player = &self.player;
        send(
            operations::CREATE_LOBBY,
            player
                .client()
                .raw()
                .create_lobby()
                .config(player.config())
                .x_player_id(player.player_id())
                .body(body)
                .send(),
        )
        .await
    }
}
