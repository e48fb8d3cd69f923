//! Lobbies of one lobby configuration: browsing (any key), the player-scoped calls of a game
//! client ([`PlayerLobby`]), and admin get/delete (server key only).

mod player;

pub use player::PlayerLobby;

use std::marker::PhantomData;

use crate::Client;
use crate::call::send;
use crate::error::Result;
use crate::keys::{ApiKey, ServerKey};
use crate::model::{DeleteLobbyResponse, Lobby, LobbyList};
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
    /// Browse public lobbies, with filters.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// let page = client.lobbies("casual").browse().status("waiting").limit(20).send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub fn browse(&self) -> BrowseLobbies<'a, K> {
        BrowseLobbies {
            client: self.client,
            config: self.config.clone(),
            region: None,
            status: None,
            limit: None,
            offset: None,
        }
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

    /// Delete any lobby (admin). Server key only.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
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

/// A lobby browse request. Obtain with [`Lobbies::browse`].
#[derive(Debug)]
#[must_use]
pub struct BrowseLobbies<'a, K: ApiKey> {
    client: &'a Client<K>,
    config: String,
    region: Option<String>,
    status: Option<String>,
    limit: Option<u32>,
    offset: Option<u64>,
}

impl<K: ApiKey> BrowseLobbies<'_, K> {
    /// Only lobbies in this region.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.lobbies("casual").browse().region("us-east").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Only lobbies in this status (e.g. `waiting`).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.lobbies("casual").browse().status("waiting").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn status(mut self, status: impl Into<String>) -> Self {
        self.status = Some(status.into());
        self
    }

    /// Page size, 1–100 (server default 50).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.lobbies("casual").browse().limit(10).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// How many lobbies to skip.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.lobbies("casual").browse().offset(10).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Fetch this page.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let page = client.lobbies("casual").browse().send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub async fn send(self) -> Result<LobbyList> {
        validate::non_empty("config", &self.config)?;
        let mut call = self
            .client
            .raw()
            .browse_lobbies()
            .config(self.config.as_str());
        if let Some(region) = &self.region {
            call = call.region(region.as_str());
        }
        if let Some(status) = &self.status {
            call = call.status(status.as_str());
        }
        if let Some(v) = self.limit {
            call = call.limit(validate::limit("limit", v, 100)?);
        }
        if let Some(v) = self.offset {
            call = call.offset(v);
        }
        send("browse_lobbies", call.send()).await
    }
}
