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

mod answers;
mod browse;
mod errors;
mod events;
mod matchmaking;
mod player;

pub use browse::BrowseLobbies;
pub use errors::{LobbyErrorExt, LobbyErrorKind};
pub use events::{LobbyEvent, LobbyEvents, decode_event_stream, decode_event_stream_with_limits};
pub use matchmaking::{FindMatch, FindMatchError, Match, MatchSearch};

/// The endpoint of a found match: the crate's one [`Endpoint`](crate::Endpoint) type, also
/// [`servers::Endpoint`](crate::servers::Endpoint).
#[deprecated(note = "one type for servers and matches: use `playflow::Endpoint`")]
pub type Endpoint = crate::Endpoint;
pub use player::{
    CreateLobby, JoinLobby, JoinTarget, LeaveOutcome, PlayerLobby, UpdateLobbySettings,
};

use crate::raw::operations;
use std::future::Future;

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
    pub fn lobbies(&self, config: impl Into<String>) -> Lobbies<K> {
        Lobbies {
            client: self.clone(),
            config: config.into(),
        }
    }
}

/// Lobby calls for one lobby configuration. Obtain with [`Client::lobbies`].
///
/// The handle owns a clone of the client, as do the player handles, builders, futures and
/// streams it hands out: all are `Send + 'static`.
#[derive(Debug, Clone)]
pub struct Lobbies<K: ApiKey> {
    client: Client<K>,
    config: String,
}

impl<K: ApiKey> Lobbies<K> {
    /// Browse public lobbies, with filters; one page with `send()`, every page as a stream
    /// with `stream()`.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// let page = client.lobbies("casual").browse().status("waiting").limit(20).send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub fn browse(&self) -> BrowseLobbies<K> {
        BrowseLobbies::new(self.client.clone(), self.config.clone())
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
    pub fn player(&self, player_id: impl Into<String>) -> PlayerLobby<K> {
        PlayerLobby::new(self.client.clone(), self.config.clone(), player_id.into())
    }
}

impl Lobbies<ServerKey> {
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
    pub fn get(&self, lobby_id: &str) -> impl Future<Output = Result<Lobby>> + Send + 'static {
        let lobbies = self.clone();
        let lobby_id = lobby_id.to_owned();
        async move {
            validate::non_empty("lobby_id", &lobby_id)?;
            send(
                operations::GET_LOBBY,
                lobbies
                    .client
                    .raw()
                    .get_lobby()
                    .config(lobbies.config.as_str())
                    .lobby_id(&lobby_id)
                    .send(),
            )
            .await
        }
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
    pub fn delete(
        &self,
        lobby_id: &str,
    ) -> impl Future<Output = Result<DeleteLobbyResponse>> + Send + 'static {
        let lobbies = self.clone();
        let lobby_id = lobby_id.to_owned();
        async move {
            validate::non_empty("lobby_id", &lobby_id)?;
            send(
                operations::DELETE_LOBBY,
                lobbies
                    .client
                    .raw()
                    .delete_lobby()
                    .config(lobbies.config.as_str())
                    .lobby_id(&lobby_id)
                    .send(),
            )
            .await
        }
    }
}
