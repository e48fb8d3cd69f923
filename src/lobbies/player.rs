//! The player-scoped lobby calls: everything under `/lobbies/{config}/me`, sent with the
//! player's `x-player-id`.

use crate::Client;
use crate::call::send;
use crate::error::Result;
use crate::keys::ApiKey;
use crate::model::Lobby;

/// Lobby calls made as one player. Obtain with [`Lobbies::player`](super::Lobbies::player).
#[derive(Debug, Clone)]
pub struct PlayerLobby<'a, K: ApiKey> {
    client: &'a Client<K>,
    config: String,
    player_id: String,
}

impl<'a, K: ApiKey> PlayerLobby<'a, K> {
    pub(super) fn new(client: &'a Client<K>, config: String, player_id: String) -> Self {
        Self {
            client,
            config,
            player_id,
        }
    }

    /// The lobby this player is in. A player in no lobby gets [`Error::NotFound`](crate::Error::NotFound).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// let lobby = client.lobbies("casual").player("p-123").current().await?;
    /// println!("{} players", lobby.players.len());
    /// # Ok(()) }
    /// ```
    pub async fn current(&self) -> Result<Lobby> {
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
}
