//! Lobbies and matchmaking.
//!
//! - [`Lobbies`]: the lobbies of one lobby configuration: browsing (any key) and admin get/delete
//!   (server key only).
//! - [`PlayerLobby`]: everything a game client does as one player (sent as `x-player-id`):
//!   create, join, leave, player state, host controls, matchmaking, heartbeat.
//! - [`LobbyEvents`]: the live event stream of the player's lobby, reconnecting by itself.
//! - [`FindMatch`]: a waiter that queues the lobby and resolves with the match's server
//!   endpoints.
//! - [`LobbyErrorExt`]: the documented lobby errors (not in a lobby, not host, ...) as a type.
//!
//! ```no_run
//! # async fn demo(client: playflow::Client<playflow::ClientKey>) -> Result<(), Box<dyn std::error::Error>> {
//! let me = client.lobbies("casual").player("p-123");
//! me.create("Friday night arena").max_players(4).send().await?;
//! let found = me.find_match("duo_ranked").max_wait(std::time::Duration::from_secs(120)).await?;
//! println!("connect to {}", found.endpoints[0]);
//! # Ok(()) }
//! ```

mod browse;
mod create;
mod errors;
mod events;
mod join;
mod matchmaking;
mod player;
mod settings;

pub use browse::BrowseLobbies;
pub use create::CreateLobby;
pub use errors::{LobbyErrorExt, LobbyErrorKind};
pub use events::{LobbyEvent, LobbyEvents, decode_event_stream, decode_event_stream_with_limits};
pub use join::{JoinLobby, JoinTarget};
pub use matchmaking::{Endpoint, FindMatch, FindMatchError, Match, MatchSearch};
pub use player::{LeaveOutcome, PlayerLobby};
pub use settings::UpdateLobbySettings;

use std::marker::PhantomData;

use crate::Client;
use crate::call::send;
use crate::error::Result;
use crate::keys::{ApiKey, ServerKey};
use crate::model::{DeleteLobbyResponse, Lobby};
use crate::validate;

impl<K: ApiKey> Client<K> {
    /// Lobbies of the lobby configuration `config` (its name or id in the project settings,
    /// e.g. `casual`).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// let open = client.lobbies("casual").browse().region("eu-west").send().await?;
    /// # let _ = open; Ok(()) }
    /// ```
    pub fn lobbies(&self, config: impl Into<String>) -> Lobbies<'_, K> {
        Lobbies {
            client: self,
            config: config.into(),
            _key: PhantomData,
        }
    }
}

/// Lobby calls for one lobby configuration. Obtain with [`Client::lobbies`].
#[derive(Debug)]
pub struct Lobbies<'a, K: ApiKey> {
    client: &'a Client<K>,
    config: String,
    _key: PhantomData<K>,
}

impl<'a, K: ApiKey> Lobbies<'a, K> {
    /// Browse public lobbies, with filters; one page with `send()`, every page as a stream
    /// with `stream()`.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// let page = client.lobbies("casual").browse().status("waiting").limit(20).send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub fn browse(&self) -> BrowseLobbies<'a, K> {
        BrowseLobbies::new(self.client, self.config.clone())
    }

    /// Act as the player `player_id` (sent as `x-player-id`): create, join, leave, ready up,
    /// matchmaking and the live event stream.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// let me = client.lobbies("casual").player("p-123");
    /// let lobby = me.current().await?;
    /// # let _ = lobby; Ok(()) }
    /// ```
    pub fn player(&self, player_id: impl Into<String>) -> PlayerLobby<'a, K> {
        PlayerLobby::new(self.client, self.config.clone(), player_id.into())
    }
}

impl Lobbies<'_, ServerKey> {
    /// Any lobby by id (admin). Server key only.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let lobby = client.lobbies("casual").get("3c7e9a52").await?;
    /// # let _ = lobby; Ok(()) }
    /// ```
    ///
    /// A game client's key cannot make admin calls; they do not exist on its client:
    ///
    /// ```compile_fail
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// let lobby = client.lobbies("casual").get("3c7e9a52").await?;
    /// # let _ = lobby; Ok(()) }
    /// ```
    pub async fn get(&self, lobby_id: &str) -> Result<Lobby> {
        validate::non_empty("lobby_id", lobby_id)?;
        send(
            "get_lobby",
            self.client
                .raw()
                .get_lobby()
                .config(self.config.as_str())
                .lobby_id(lobby_id)
                .send(),
        )
        .await
    }

    /// Delete any lobby (admin). Server key only. Members' event streams receive
    /// [`LobbyEvent::LobbyDeleted`] and end.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.lobbies("casual").delete("3c7e9a52").await?;
    /// # Ok(()) }
    /// ```
    ///
    /// ```compile_fail
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// client.lobbies("casual").delete("3c7e9a52").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(&self, lobby_id: &str) -> Result<DeleteLobbyResponse> {
        validate::non_empty("lobby_id", lobby_id)?;
        send(
            "delete_lobby",
            self.client
                .raw()
                .delete_lobby()
                .config(self.config.as_str())
                .lobby_id(lobby_id)
                .send(),
        )
        .await
    }
}
