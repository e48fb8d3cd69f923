//! The lobby answers in the types the questions take: a lobby's region, capacity and times, its
//! game server block (the same accessors as [`Server`](crate::model::Server)'s), its
//! matchmaking progress and queue statistics, and the counts of a lobby page.
//!
//! Accessors next to the generated fields they type, as for `Server`, with the same rules
//! (`crate::wire`): a server read from a lobby answer and from `servers().get()` agree.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::model::{
    ComputeSize, Lobby, LobbyList, LobbyMatchmaking, LobbyServer, MatchConfirmation, QueueStats,
    ServerServiceType, ServerStatus,
};
use crate::{Region, wire};

impl LobbyServer {
    /// The region the game server runs in, as the [`Region`] a start takes. `None` when
    /// PlayFlow did not say.
    ///
    /// ```
    /// use playflow::Region;
    /// let server: playflow::model::LobbyServer =
    ///     serde_json::from_value(serde_json::json!({ "region": "eu-west" })).unwrap();
    /// assert_eq!(server.region(), Some(Region::EU_WEST));
    /// ```
    pub fn region(&self) -> Option<Region> {
        wire::region(self.region.as_deref())
    }

    /// The machine size, as the open [`ComputeSize`] a start takes (a size this version does
    /// not know is kept verbatim, `is_known()` false). `None` when PlayFlow did not say (the
    /// compact layout never does).
    ///
    /// ```
    /// use playflow::model::ComputeSize;
    /// let server: playflow::model::LobbyServer =
    ///     serde_json::from_value(serde_json::json!({ "compute_size": "medium" })).unwrap();
    /// assert_eq!(server.compute_size(), Some(ComputeSize::Medium));
    /// ```
    pub fn compute_size(&self) -> Option<ComputeSize> {
        wire::compute_size(self.compute_size.as_deref())
    }

    /// The game server's state, as the open [`ServerStatus`] of a
    /// [`Server`](crate::model::Server). `None` when PlayFlow did not say.
    ///
    /// ```
    /// use playflow::model::ServerStatus;
    /// let server: playflow::model::LobbyServer =
    ///     serde_json::from_value(serde_json::json!({ "status": "running" })).unwrap();
    /// assert_eq!(server.status(), Some(ServerStatus::Running));
    /// ```
    pub fn status(&self) -> Option<ServerStatus> {
        wire::server_status(self.status.as_deref())
    }

    /// Whether the server hosts matches or a persistent world, as the open
    /// [`ServerServiceType`] of a [`Server`](crate::model::Server) (full layout only).
    ///
    /// ```
    /// use playflow::model::ServerServiceType;
    /// let server: playflow::model::LobbyServer =
    ///     serde_json::from_value(serde_json::json!({ "service_type": "match_based" })).unwrap();
    /// assert_eq!(server.service_type(), Some(ServerServiceType::MatchBased));
    /// ```
    pub fn service_type(&self) -> Option<ServerServiceType> {
        wire::service_type(self.service_type.as_deref())
    }

    /// The lifetime after which the server stops by itself, as the [`Duration`] a start takes.
    /// `None` when no limit applies, or the answer is not a lifetime (negative).
    ///
    /// ```
    /// use std::time::Duration;
    /// let server: playflow::model::LobbyServer =
    ///     serde_json::from_value(serde_json::json!({ "ttl": 1800 })).unwrap();
    /// assert_eq!(server.ttl(), Some(Duration::from_secs(1800)));
    /// ```
    pub fn ttl(&self) -> Option<Duration> {
        wire::lifetime(self.ttl)
    }

    /// The version of the build the server runs under [`version_tag`](Self::version_tag), as
    /// the `u32` a start pins. `None` when none was resolved or the answer is no version.
    ///
    /// ```
    /// let server: playflow::model::LobbyServer =
    ///     serde_json::from_value(serde_json::json!({ "version_tag": "beta", "version": 4 })).unwrap();
    /// assert_eq!(server.version(), Some(4));
    /// ```
    pub fn version(&self) -> Option<u32> {
        wire::version(self.version)
    }

    /// When the server reached `running` (PlayFlow sends ISO 8601 text here). `None` when not
    /// sent or not a time with an offset.
    ///
    /// ```
    /// let server: playflow::model::LobbyServer = serde_json::from_value(
    ///     serde_json::json!({ "started_at": "2025-03-14T09:00:00.000Z" })).unwrap();
    /// assert_eq!(server.started_at().unwrap().to_rfc3339(), "2025-03-14T09:00:00+00:00");
    /// ```
    pub fn started_at(&self) -> Option<DateTime<Utc>> {
        wire::timestamp(self.started_at.as_deref())
    }

    /// When the server stopped, if it did.
    ///
    /// ```
    /// let server: playflow::model::LobbyServer =
    ///     serde_json::from_value(serde_json::json!({ "stopped_at": null })).unwrap();
    /// assert_eq!(server.stopped_at(), None);
    /// ```
    pub fn stopped_at(&self) -> Option<DateTime<Utc>> {
        wire::timestamp(self.stopped_at.as_deref())
    }

    /// When the server was taken from the warm pool, if it came from there.
    ///
    /// ```
    /// let server: playflow::model::LobbyServer = serde_json::from_value(
    ///     serde_json::json!({ "is_pool_server": true, "pool_claimed_at": "2025-03-14T08:59:58Z" })).unwrap();
    /// assert!(server.pool_claimed_at().is_some());
    /// ```
    pub fn pool_claimed_at(&self) -> Option<DateTime<Utc>> {
        wire::timestamp(self.pool_claimed_at.as_deref())
    }

    /// When the server's record was created.
    ///
    /// ```
    /// let server: playflow::model::LobbyServer = serde_json::from_value(
    ///     serde_json::json!({ "created_at": "2025-03-14T08:59:50Z" })).unwrap();
    /// assert!(server.created_at().is_some());
    /// ```
    pub fn created_at(&self) -> Option<DateTime<Utc>> {
        wire::timestamp(self.created_at.as_deref())
    }

    /// When the server's record last changed.
    ///
    /// ```
    /// let server: playflow::model::LobbyServer = serde_json::from_value(
    ///     serde_json::json!({ "updated_at": "2025-03-14T09:00:00Z" })).unwrap();
    /// assert!(server.updated_at().is_some());
    /// ```
    pub fn updated_at(&self) -> Option<DateTime<Utc>> {
        wire::timestamp(self.updated_at.as_deref())
    }
}

impl Lobby {
    /// The preferred region of the lobby's game server, as the [`Region`] a start takes.
    /// `None` when none was chosen.
    ///
    /// ```
    /// use playflow::Region;
    /// let lobby: playflow::model::Lobby = serde_json::from_value(serde_json::json!({
    ///     "id": "l1", "code": null, "config": "casual", "status": "waiting", "host": "p-1",
    ///     "maxPlayers": 4, "currentPlayers": 1, "region": "sea"
    /// })).unwrap();
    /// assert_eq!(lobby.region(), Some(Region::SEA));
    /// ```
    pub fn region(&self) -> Option<Region> {
        wire::region(self.region.as_deref())
    }

    /// The player capacity, as the `u32` a create takes. `None` when the answer is no whole
    /// number of players (PlayFlow sends a JSON number).
    ///
    /// ```
    /// let lobby: playflow::model::Lobby = serde_json::from_value(serde_json::json!({
    ///     "id": "l1", "code": null, "config": "casual", "status": "waiting", "host": "p-1",
    ///     "maxPlayers": 4, "currentPlayers": 1, "region": null
    /// })).unwrap();
    /// assert_eq!(lobby.max_players(), Some(4));
    /// ```
    pub fn max_players(&self) -> Option<u32> {
        wire::whole(self.max_players)
    }

    /// How many players are in the lobby now. `None` when the answer is no whole number.
    ///
    /// ```
    /// let lobby: playflow::model::Lobby = serde_json::from_value(serde_json::json!({
    ///     "id": "l1", "code": null, "config": "casual", "status": "waiting", "host": "p-1",
    ///     "maxPlayers": 4, "currentPlayers": 1, "region": null
    /// })).unwrap();
    /// assert_eq!(lobby.current_players(), Some(1));
    /// ```
    pub fn current_players(&self) -> Option<u32> {
        wire::whole(self.current_players)
    }

    /// When the lobby was created (PlayFlow sends ISO 8601 text). `None` when not sent or not a
    /// time with an offset.
    ///
    /// ```
    /// let lobby: playflow::model::Lobby = serde_json::from_value(serde_json::json!({
    ///     "id": "l1", "code": null, "config": "casual", "status": "waiting", "host": "p-1",
    ///     "maxPlayers": 4, "currentPlayers": 1, "region": null, "createdAt": "2025-03-14T09:00:00.000Z"
    /// })).unwrap();
    /// assert_eq!(lobby.created_at().unwrap().timestamp(), 1_741_942_800);
    /// ```
    pub fn created_at(&self) -> Option<DateTime<Utc>> {
        wire::timestamp(self.created_at.as_deref())
    }

    /// When the lobby last changed.
    ///
    /// ```
    /// let lobby: playflow::model::Lobby = serde_json::from_value(serde_json::json!({
    ///     "id": "l1", "code": null, "config": "casual", "status": "waiting", "host": "p-1",
    ///     "maxPlayers": 4, "currentPlayers": 1, "region": null, "updatedAt": "2025-03-14T09:05:00Z"
    /// })).unwrap();
    /// assert!(lobby.updated_at().is_some());
    /// ```
    pub fn updated_at(&self) -> Option<DateTime<Utc>> {
        wire::timestamp(self.updated_at.as_deref())
    }
}

impl LobbyMatchmaking {
    /// When the search started. `None` when not sent or not a time with an offset.
    ///
    /// ```
    /// let progress: playflow::model::LobbyMatchmaking = serde_json::from_value(
    ///     serde_json::json!({ "mode": "duo", "startedAt": "2025-03-14T09:00:00Z" })).unwrap();
    /// assert!(progress.started_at().is_some());
    /// ```
    pub fn started_at(&self) -> Option<DateTime<Utc>> {
        wire::timestamp(self.started_at.as_deref())
    }
}

impl MatchConfirmation {
    /// The time by which every matched lobby must confirm.
    ///
    /// ```
    /// let confirmation: playflow::model::MatchConfirmation = serde_json::from_value(
    ///     serde_json::json!({ "deadline": "2025-03-14T09:00:30Z", "confirmed": false })).unwrap();
    /// let left = confirmation.deadline().unwrap() - chrono::Utc::now();
    /// # let _ = left;
    /// ```
    pub fn deadline(&self) -> Option<DateTime<Utc>> {
        wire::timestamp(self.deadline.as_deref())
    }
}

impl QueueStats {
    /// Players searching now. `None` when not sent or no whole number.
    ///
    /// ```
    /// let stats: playflow::model::QueueStats =
    ///     serde_json::from_value(serde_json::json!({ "playersSearching": 12 })).unwrap();
    /// assert_eq!(stats.players_searching(), Some(12));
    /// ```
    pub fn players_searching(&self) -> Option<u32> {
        self.players_searching.and_then(wire::whole)
    }

    /// Lobbies queued now. `None` when not sent or no whole number.
    ///
    /// ```
    /// let stats: playflow::model::QueueStats =
    ///     serde_json::from_value(serde_json::json!({ "lobbiesInQueue": 5 })).unwrap();
    /// assert_eq!(stats.lobbies_in_queue(), Some(5));
    /// ```
    pub fn lobbies_in_queue(&self) -> Option<u32> {
        self.lobbies_in_queue.and_then(wire::whole)
    }

    /// The average wait (PlayFlow sends fractional seconds). `None` when not sent or not a
    /// length of time (negative).
    ///
    /// ```
    /// use std::time::Duration;
    /// let stats: playflow::model::QueueStats =
    ///     serde_json::from_value(serde_json::json!({ "avgWaitSeconds": 7.5 })).unwrap();
    /// assert_eq!(stats.avg_wait(), Some(Duration::from_millis(7500)));
    /// ```
    pub fn avg_wait(&self) -> Option<Duration> {
        self.avg_wait_seconds.and_then(wire::seconds)
    }
}

impl LobbyList {
    /// The number of matching lobbies across all pages. `None` when no whole number.
    ///
    /// ```
    /// let page: playflow::model::LobbyList = serde_json::from_value(serde_json::json!({
    ///     "lobbies": [], "total": 42, "limit": 20, "offset": 40, "hasMore": false
    /// })).unwrap();
    /// assert_eq!((page.total(), page.limit(), page.offset()), (Some(42), Some(20), Some(40)));
    /// ```
    pub fn total(&self) -> Option<u64> {
        wire::whole_u64(self.total)
    }

    /// The page size PlayFlow applied, as the `u32` a browse takes.
    ///
    /// ```
    /// let page: playflow::model::LobbyList = serde_json::from_value(serde_json::json!({
    ///     "lobbies": [], "total": 0, "limit": 20
    /// })).unwrap();
    /// assert_eq!(page.limit(), Some(20));
    /// ```
    pub fn limit(&self) -> Option<u32> {
        wire::whole(self.limit)
    }

    /// Where this page starts, as the `u64` a browse takes. `None` when not sent or no whole
    /// number.
    ///
    /// ```
    /// let page: playflow::model::LobbyList = serde_json::from_value(serde_json::json!({
    ///     "lobbies": [], "total": 0, "limit": 20
    /// })).unwrap();
    /// assert_eq!(page.offset(), None);
    /// ```
    pub fn offset(&self) -> Option<u64> {
        self.offset.and_then(wire::whole_u64)
    }
}
