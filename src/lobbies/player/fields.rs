//! The lobby fields that creating a lobby and changing its settings share: one store, one set
//! of checks, and one set of setters (generated for both builders by [`lobby_field_setters`]).

use std::str::FromStr;

use serde_json::{Map, Value};

use crate::error::{InvalidInput, Result};
use crate::validate;

/// Name, region, capacity, visibility, late joining and custom settings, as set on a builder.
/// Unset fields are left out of the request.
#[derive(Debug, Clone, Default)]
pub(super) struct LobbyFields {
    pub(super) name: Option<String>,
    pub(super) region: Option<String>,
    pub(super) max_players: Option<u32>,
    pub(super) is_private: Option<bool>,
    pub(super) allow_late_join: Option<bool>,
    /// Serialized when set; an error waits for `request()`, so setters stay chainable.
    pub(super) settings: Option<std::result::Result<Map<String, Value>, InvalidInput>>,
}

impl LobbyFields {
    /// The name, checked against the spec's 1–100 characters (its generated type checks it).
    pub(super) fn name<N: FromStr>(&self) -> Result<Option<N>> {
        self.name
            .as_deref()
            .map(|n| {
                n.parse()
                    .map_err(|_| InvalidInput::new("name", "must be 1 to 100 characters").into())
            })
            .transpose()
    }

    /// The capacity, checked against the spec's 1–100.
    pub(super) fn max_players(&self) -> Result<Option<std::num::NonZeroU64>> {
        self.max_players
            .map(|n| validate::limit("max_players", n, 100))
            .transpose()
    }

    /// The custom settings (empty when unset).
    pub(super) fn settings(&self) -> Result<Map<String, Value>> {
        Ok(self.settings.clone().transpose()?.unwrap_or_default())
    }
}

/// The setters of [`LobbyFields`] on a builder with a `fields: LobbyFields` field. `$make` is
/// the doc examples' expression that makes the builder from a `PlayerLobby` named `me`.
macro_rules! lobby_field_setters {
    ($builder:ident, $make:literal) => {
        impl<K: $crate::keys::ApiKey> $builder<K> {
            /// Preferred region of the game server (e.g. `eu-west`).
            ///
            /// ```no_run
            /// # async fn demo(me: playflow::lobbies::PlayerLobby<playflow::ClientKey>) -> playflow::Result<()> {
            #[doc = concat!("me.", $make, ".region(\"eu-west\").send().await?;")]
            /// # Ok(()) }
            /// ```
            pub fn region(mut self, region: impl Into<String>) -> Self {
                self.fields.region = Some(region.into());
                self
            }

            /// Player capacity, 1–100, checked before sending (a new lobby's default is 2).
            ///
            /// ```no_run
            /// # async fn demo(me: playflow::lobbies::PlayerLobby<playflow::ClientKey>) -> playflow::Result<()> {
            #[doc = concat!("me.", $make, ".max_players(4).send().await?;")]
            /// # Ok(()) }
            /// ```
            pub fn max_players(mut self, max_players: u32) -> Self {
                self.fields.max_players = Some(max_players);
                self
            }

            /// Hide the lobby from browsing (players join with its invite code), or show it.
            ///
            /// ```no_run
            /// # async fn demo(me: playflow::lobbies::PlayerLobby<playflow::ClientKey>) -> playflow::Result<()> {
            #[doc = concat!("let lobby = me.", $make, ".private(true).send().await?;")]
            /// println!("share {:?}", lobby.code);
            /// # Ok(()) }
            /// ```
            pub fn private(mut self, private: bool) -> Self {
                self.fields.is_private = Some(private);
                self
            }

            /// Let players join while a match is running, or not.
            ///
            /// ```no_run
            /// # async fn demo(me: playflow::lobbies::PlayerLobby<playflow::ClientKey>) -> playflow::Result<()> {
            #[doc = concat!("me.", $make, ".allow_late_join(true).send().await?;")]
            /// # Ok(()) }
            /// ```
            pub fn allow_late_join(mut self, allow: bool) -> Self {
                self.fields.allow_late_join = Some(allow);
                self
            }

            /// Custom game settings (map, mode, ...): anything that serializes to a JSON
            /// object; a change merges key by key. The game server receives them in its
            /// `custom_data`.
            ///
            /// ```no_run
            /// # async fn demo(me: playflow::lobbies::PlayerLobby<playflow::ClientKey>) -> playflow::Result<()> {
            #[doc = concat!("me.", $make, ".settings(serde_json::json!({\"map\": \"forest\"})).send().await?;")]
            /// # Ok(()) }
            /// ```
            pub fn settings(mut self, settings: impl serde::Serialize) -> Self {
                self.fields.settings = Some($crate::validate::json_object("settings", settings));
                self
            }
        }
    };
}

pub(super) use lobby_field_setters;
