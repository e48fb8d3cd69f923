//! A found match: the lobby, its game server, and where to connect.

use crate::Endpoint;
use crate::model::{Lobby, LobbyServer, LobbyStatus, ServerStatus};

/// A lobby whose match is ready to play: its game server's connection endpoints are known.
/// The result of [`FindMatch`](super::FindMatch).
///
/// ```
/// use playflow::lobbies::Match;
/// let lobby: playflow::model::Lobby = serde_json::from_value(serde_json::json!({
///     "id": "l1", "code": null, "config": "casual", "status": "in_game", "host": "p-1",
///     "maxPlayers": 2, "currentPlayers": 2, "region": "us-east",
///     "server": {"status": "running", "ports": [{"name": "game", "host": "203.0.113.10", "port": 30001, "protocol": "udp"}]}
/// })).unwrap();
/// let found = Match::from_lobby(&lobby).expect("ready");
/// assert_eq!(found.endpoint("game").unwrap().to_string(), "203.0.113.10:30001");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Match {
    /// The lobby, as last seen.
    pub lobby: Lobby,
    /// Its game server block (either of PlayFlow's two layouts).
    pub server: LobbyServer,
    /// Where to connect, from whichever port list the server block carries; never empty.
    pub endpoints: Vec<Endpoint>,
}

impl Match {
    /// The match of `lobby`, when it is ready to join.
    ///
    /// Ready means: the lobby has a server block that is not `stopped`, with at least one port
    /// whose host and public port are known, and either the lobby is `in_game` (PlayFlow moves
    /// it there once the server is ready) or the server itself reports `running`. Earlier
    /// states (`in_queue`, `matched`, `match_found` awaiting confirmation, `starting` while
    /// the server is provisioned) are not ready.
    ///
    /// ```
    /// # use playflow::lobbies::Match;
    /// let queued: playflow::model::Lobby = serde_json::from_value(serde_json::json!({
    ///     "id": "l1", "code": null, "config": "casual", "status": "in_queue", "host": "p-1",
    ///     "maxPlayers": 2, "currentPlayers": 1, "region": null
    /// })).unwrap();
    /// assert!(Match::from_lobby(&queued).is_none());
    /// ```
    pub fn from_lobby(lobby: &Lobby) -> Option<Self> {
        let server = lobby.server.as_ref()?;
        let server_status = server.status();
        if server_status == Some(ServerStatus::Stopped) {
            return None;
        }
        let ready =
            lobby.status == LobbyStatus::InGame || server_status == Some(ServerStatus::Running);
        let endpoints = endpoints_of(server);
        (ready && !endpoints.is_empty()).then(|| Self {
            lobby: lobby.clone(),
            server: server.clone(),
            endpoints,
        })
    }

    /// The endpoint of the port named `name` (e.g. `game`).
    ///
    /// ```
    /// # fn demo(found: playflow::lobbies::Match) {
    /// if let Some(game) = found.endpoint("game") {
    ///     println!("connect to {}:{}", game.host, game.port);
    /// }
    /// # }
    /// ```
    pub fn endpoint(&self, name: &str) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.name == name)
    }

    /// The match id shared by all lobbies matched together (none for a lobby started by its
    /// host without matchmaking).
    ///
    /// ```
    /// # fn demo(found: playflow::lobbies::Match) {
    /// println!("match {:?}", found.match_id());
    /// # }
    /// ```
    pub fn match_id(&self) -> Option<&str> {
        self.lobby
            .match_id
            .as_deref()
            .or(self.server.match_id.as_deref())
    }

    /// The game server's instance id, from either server layout (`instance_id` or
    /// `instanceId`).
    ///
    /// ```
    /// # fn demo(found: playflow::lobbies::Match) {
    /// println!("server {:?}", found.instance_id());
    /// # }
    /// ```
    pub fn instance_id(&self) -> Option<&str> {
        self.server
            .instance_id
            .as_deref()
            .or_else(|| self.server.extra.get("instanceId").and_then(|v| v.as_str()))
    }
}

/// The endpoints of `server`: the compact layout's `ports[]` (host, port), then the full
/// layout's `network_ports[]` (host, external port), skipping ports without a host or with a
/// port outside 1–65535; a port in both lists (same name, host and port) is one endpoint.
fn endpoints_of(server: &LobbyServer) -> Vec<Endpoint> {
    let compact = server.ports.iter().filter_map(Endpoint::from_lobby_port);
    let full = server
        .network_ports
        .iter()
        .filter_map(Endpoint::from_network_port);
    let mut endpoints: Vec<Endpoint> = Vec::new();
    for endpoint in compact.chain(full) {
        let seen = endpoints.iter_mut().find(|e| {
            e.host == endpoint.host && e.port == endpoint.port && e.name == endpoint.name
        });
        match seen {
            // The full layout repeats a compact port with more detail: keep one, with all of it.
            Some(known) => {
                known.internal_port = known.internal_port.or(endpoint.internal_port);
                known.protocol = known.protocol.take().or(endpoint.protocol);
                known.tls |= endpoint.tls;
            }
            None => endpoints.push(endpoint),
        }
    }
    endpoints
}
