//! Changing lobby settings (host only): [`PlayerLobby::update_settings`] and its builder.

use super::PlayerLobby;
use super::fields::{LobbyFields, lobby_field_setters};
use crate::call::send;
use crate::error::Result;
use crate::keys::ApiKey;
use crate::model::{Lobby, UpdateLobbySettingsRequest};
use crate::raw::operations;

impl<K: ApiKey> PlayerLobby<K> {
    /// Change lobby settings (host only); fields not set keep their value.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// let me = client.lobbies("casual").player("p-123");
    /// me.update_settings().max_players(6).settings(serde_json::json!({"map": "harbor"})).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn update_settings(&self) -> UpdateLobbySettings<K> {
        UpdateLobbySettings {
            player: self.clone(),
            fields: LobbyFields::default(),
        }
    }
}

/// A settings change. Obtain with [`PlayerLobby::update_settings`]; only the fields set are
/// sent, the others keep their value, and `settings` is merged key by key.
#[derive(Debug, Clone)]
#[must_use]
pub struct UpdateLobbySettings<K: ApiKey> {
    player: PlayerLobby<K>,
    fields: LobbyFields,
}

lobby_field_setters!(UpdateLobbySettings, "update_settings()");

impl<K: ApiKey> UpdateLobbySettings<K> {
    /// New lobby name (1–100 characters).
    ///
    /// ```no_run
    /// # async fn demo(me: playflow::lobbies::PlayerLobby<playflow::ClientKey>) -> playflow::Result<()> {
    /// me.update_settings().name("Late night arena").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.fields.name = Some(name.into());
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
        let fields = &self.fields;
        Ok(crate::built::built!(UpdateLobbySettingsRequest {
            name: fields.name()?,
            max_players: fields.max_players()?,
            is_private: fields.is_private,
            allow_late_join: fields.allow_late_join,
            region: fields.region.clone(),
            settings: fields.settings()?,
        })?)
    }

    /// Apply the change (host only; others get
    /// [`NotHost`](crate::lobbies::LobbyErrorKind::NotHost)).
    ///
    /// ```no_run
    /// # async fn demo(me: playflow::lobbies::PlayerLobby<playflow::ClientKey>) -> playflow::Result<()> {
    /// let lobby = me.update_settings().max_players(6).send().await?;
    /// assert_eq!(lobby.max_players, 6.0);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Lobby> {
        self.player.check()?;
        let body = self.request()?;
        let player = &self.player;
        send(
            operations::UPDATE_LOBBY_SETTINGS,
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
