//! Changing lobby settings (host only).

use serde::Serialize;
use serde_json::{Map, Value};

use super::player::PlayerLobby;
use crate::call::send;
use crate::error::{InvalidInput, Result};
use crate::keys::ApiKey;
use crate::model::{Lobby, UpdateLobbySettingsRequest};
use crate::validate;

/// A settings change. Obtain with [`PlayerLobby::update_settings`]; only the fields set are
/// sent, the others keep their value, and `settings` is merged key by key.
#[derive(Debug, Clone)]
#[must_use]
pub struct UpdateLobbySettings<'a, K: ApiKey> {
    player: PlayerLobby<'a, K>,
    name: Option<String>,
    max_players: Option<u32>,
    is_private: Option<bool>,
    allow_late_join: Option<bool>,
    region: Option<String>,
    settings: Option<Result<Map<String, Value>, InvalidInput>>,
}

impl<'a, K: ApiKey> UpdateLobbySettings<'a, K> {
    pub(super) fn new(player: PlayerLobby<'a, K>) -> Self {
        Self {
            player,
            name: None,
            max_players: None,
            is_private: None,
            allow_late_join: None,
            region: None,
            settings: None,
        }
    }

    /// New lobby name (1–100 characters).
    ///
    /// ```no_run
    /// # async fn demo(me: playflow::lobbies::PlayerLobby<'_, playflow::ClientKey>) -> playflow::Result<()> {
    /// me.update_settings().name("Late night arena").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// New capacity, 1–100.
    ///
    /// ```no_run
    /// # async fn demo(me: playflow::lobbies::PlayerLobby<'_, playflow::ClientKey>) -> playflow::Result<()> {
    /// me.update_settings().max_players(8).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn max_players(mut self, max_players: u32) -> Self {
        self.max_players = Some(max_players);
        self
    }

    /// Switch private mode on or off.
    ///
    /// ```no_run
    /// # async fn demo(me: playflow::lobbies::PlayerLobby<'_, playflow::ClientKey>) -> playflow::Result<()> {
    /// me.update_settings().private(true).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn private(mut self, private: bool) -> Self {
        self.is_private = Some(private);
        self
    }

    /// Switch late joining on or off.
    ///
    /// ```no_run
    /// # async fn demo(me: playflow::lobbies::PlayerLobby<'_, playflow::ClientKey>) -> playflow::Result<()> {
    /// me.update_settings().allow_late_join(false).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn allow_late_join(mut self, allow: bool) -> Self {
        self.allow_late_join = Some(allow);
        self
    }

    /// New preferred region.
    ///
    /// ```no_run
    /// # async fn demo(me: playflow::lobbies::PlayerLobby<'_, playflow::ClientKey>) -> playflow::Result<()> {
    /// me.update_settings().region("ap-south").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Keys to merge into the custom settings: anything that serializes to a JSON object.
    ///
    /// ```no_run
    /// # async fn demo(me: playflow::lobbies::PlayerLobby<'_, playflow::ClientKey>) -> playflow::Result<()> {
    /// me.update_settings().settings(serde_json::json!({"map": "harbor"})).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn settings(mut self, settings: impl Serialize) -> Self {
        self.settings = Some(crate::validate::json_object("settings", settings));
        self
    }

    /// The request body this builder sends, after the checks.
    ///
    /// ```
    /// # let client = playflow::Client::for_game_client(playflow::ClientKey::new("pfclient_1234567890abcdef1234")?)?;
    /// let me = client.lobbies("casual").player("p-123");
    /// let body = me.update_settings().max_players(6).request()?;
    /// assert_eq!(serde_json::to_value(&body).unwrap(), serde_json::json!({"maxPlayers": 6}));
    /// # Ok::<(), playflow::Error>(())
    /// ```
    pub fn request(&self) -> Result<UpdateLobbySettingsRequest> {
        let name = self
            .name
            .as_deref()
            .map(|n| {
                n.parse()
                    .map_err(|_| InvalidInput::new("name", "must be 1 to 100 characters"))
            })
            .transpose()?;
        let max_players = self
            .max_players
            .map(|n| validate::limit("max_players", n, 100))
            .transpose()?;
        Ok(UpdateLobbySettingsRequest {
            name,
            max_players,
            is_private: self.is_private,
            allow_late_join: self.allow_late_join,
            region: self.region.clone(),
            settings: self.settings.clone().transpose()?.unwrap_or_default(),
        })
    }

    /// Apply the change (host only; others get
    /// [`NotHost`](super::LobbyErrorKind::NotHost)).
    ///
    /// ```no_run
    /// # async fn demo(me: playflow::lobbies::PlayerLobby<'_, playflow::ClientKey>) -> playflow::Result<()> {
    /// let lobby = me.update_settings().max_players(6).send().await?;
    /// assert_eq!(lobby.max_players, 6.0);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Lobby> {
        self.player.check()?;
        let body = self.request()?;
        let player = &self.player;
        send(
            "update_lobby_settings",
            player
                .client()
                .raw()
                .update_lobby_settings()
                .config(player.config())
                .x_player_id(player.player_id())
                .body(body)
                .send(),
        )
        .await
    }
}
