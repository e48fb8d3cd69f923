//! A found match: the lobby, its game server, and where to connect.

use std::fmt;

use crate::model::{Lobby, LobbyServer, LobbyStatus, PortProtocol};

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
        let server_status = server.status.as_deref();
        if server_status == Some("stopped") {
            return None;
        }
        let ready = lobby.status == LobbyStatus::InGame || server_status == Some("running");
        let endpoints = Endpoint::all_of(server);
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
        self.endpoints
            .iter()
            .find(|e| e.name.as_deref() == Some(name))
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

/// One place to connect to a game server: host and public port.
///
/// ```
/// # fn demo(endpoint: &playflow::lobbies::Endpoint) {
/// let addr = endpoint.to_string(); // "203.0.113.10:30001", or "[2001:db8::1]:30001"
/// # let _ = addr; }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Endpoint {
    /// The port's name from the port configuration (e.g. `game`).
    pub name: Option<String>,
    /// Host name or IP address.
    pub host: String,
    /// Public port.
    pub port: u16,
    /// `udp` or `tcp`, when given.
    pub protocol: Option<PortProtocol>,
    /// Whether TLS is terminated in front of the port, when given.
    pub tls: Option<bool>,
}

impl Endpoint {
    /// The endpoints of `server`: the compact layout's `ports[]` (host, port), then the full
    /// layout's `network_ports[]` (host, external port), skipping ports without a host or
    /// with a port outside 1–65535, and duplicates.
    fn all_of(server: &LobbyServer) -> Vec<Self> {
        let compact = server.ports.iter().map(|p| {
            (
                p.name.clone(),
                p.host.clone(),
                p.port,
                p.protocol.clone(),
                None,
            )
        });
        let full = server.network_ports.iter().map(|p| {
            (
                p.name.clone(),
                p.host.clone(),
                p.external_port,
                p.protocol.clone(),
                p.tls_enabled,
            )
        });
        let mut endpoints: Vec<Self> = Vec::new();
        for (name, host, port, protocol, tls) in compact.chain(full) {
            let (Some(host), Some(port)) = (host, port) else {
                continue;
            };
            let Some(port) = u16::try_from(port).ok().filter(|p| *p != 0) else {
                continue;
            };
            if host.trim().is_empty()
                || endpoints
                    .iter()
                    .any(|e| e.host == host && e.port == port && e.name == name)
            {
                continue;
            }
            endpoints.push(Self {
                name,
                host,
                port,
                protocol,
                tls,
            });
        }
        endpoints
    }
}

impl fmt::Display for Endpoint {
    /// `host:port`, with an IPv6 address in brackets.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') && !self.host.starts_with('[') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}
