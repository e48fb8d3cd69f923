//! Creating a lobby: a builder over the spec's `CreateLobbyRequest`.

use serde::Serialize;
use serde_json::{Map, Value};

use super::player::PlayerLobby;
use crate::call::send;
use crate::error::{InvalidInput, Result};
use crate::keys::ApiKey;
use crate::model::{CreateLobbyRequest, Lobby};
use crate::validate;

/// A lobby creation. Obtain with [`PlayerLobby::create`]; only the name is required, and
/// options not set are left out of the request (the server's defaults apply: 2 players,
/// public, region `us-east`).
#[derive(Debug, Clone)]
#[must_use]
pub struct CreateLobby<'a, K: ApiKey> {
    player: PlayerLobby<'a, K>,
    name: String,
    region: Option<String>,
    max_players: Option<u32>,
    is_private: Option<bool>,
    allow_late_join: Option<bool>,
    settings: Option<Result<Map<String, Value>, InvalidInput>>,
    state: Option<Result<Map<String, Value>, InvalidInput>>,
}

impl<'a, K: ApiKey> CreateLobby<'a, K> {
    pub(super) fn new(player: PlayerLobby<'a, K>, name: String) -> Self {
        Self {
            player,
            name,
            region: None,
            max_players: None,
            is_private: None,
            allow_late_join: None,
            settings: None,
            state: None,
        }
    }

    /// Preferred region of the game server (e.g. `eu-west`).
    ///
    /// ```no_run
    /// # async fn demo(me: playflow::lobbies::PlayerLobby<'_, playflow::ClientKey>) -> playflow::Result<()> {
    /// me.create("EU evening").region("eu-west").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Player capacity, 1–100 (checked before sending; the server's default is 2).
    ///
    /// ```no_run
    /// # async fn demo(me: playflow::lobbies::PlayerLobby<'_, playflow::ClientKey>) -> playflow::Result<()> {
    /// me.create("Squad").max_players(4).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn max_players(mut self, max_players: u32) -> Self {
        self.max_players = Some(max_players);
        self
    }

    /// Hide the lobby from browsing; players join with its invite code.
    ///
    /// ```no_run
    /// # async fn demo(me: playflow::lobbies::PlayerLobby<'_, playflow::ClientKey>) -> playflow::Result<()> {
    /// let lobby = me.create("Friends only").private(true).send().await?;
    /// println!("share {:?}", lobby.code);
    /// # Ok(()) }
    /// ```
    pub fn private(mut self, private: bool) -> Self {
        self.is_private = Some(private);
        self
    }

    /// Let players join while a match is running.
    ///
    /// ```no_run
    /// # async fn demo(me: playflow::lobbies::PlayerLobby<'_, playflow::ClientKey>) -> playflow::Result<()> {
    /// me.create("Drop-in").allow_late_join(true).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn allow_late_join(mut self, allow: bool) -> Self {
        self.allow_late_join = Some(allow);
        self
    }

    /// Custom game settings (map, mode, ...): anything that serializes to a JSON object. The
    /// game server receives them in its `custom_data`.
    ///
    /// ```no_run
    /// # async fn demo(me: playflow::lobbies::PlayerLobby<'_, playflow::ClientKey>) -> playflow::Result<()> {
    /// me.create("CTF").settings(serde_json::json!({"map": "forest", "mode": "ctf"})).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn settings(mut self, settings: impl Serialize) -> Self {
        self.settings = Some(crate::validate::json_object("settings", settings));
        self
    }

    /// The host's initial player state: anything that serializes to a JSON object.
    ///
    /// ```no_run
    /// # async fn demo(me: playflow::lobbies::PlayerLobby<'_, playflow::ClientKey>) -> playflow::Result<()> {
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
        let name = self
            .name
            .parse()
            .map_err(|_| InvalidInput::new("name", "must be 1 to 100 characters"))?;
        let max_players = self
            .max_players
            .map(|n| validate::limit("max_players", n, 100))
            .transpose()?;
        Ok(CreateLobbyRequest {
            name,
            region: self.region.clone(),
            max_players,
            is_private: self.is_private,
            allow_late_join: self.allow_late_join,
            settings: self.settings.clone().transpose()?.unwrap_or_default(),
            state: self.state.clone().transpose()?.unwrap_or_default(),
        })
    }

    /// Create the lobby. Nothing is sent when a check fails.
    ///
    /// ```no_run
    /// # async fn demo(me: playflow::lobbies::PlayerLobby<'_, playflow::ClientKey>) -> playflow::Result<()> {
    /// let lobby = me.create("Friday night arena").send().await?;
    /// assert_eq!(lobby.host, me.player_id());
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Lobby> {
        self.player.check()?;
        let body = self.request()?;
        let player = &self.player;
        send(
            "create_lobby",
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
