//! One place to connect to a game server: the one `Endpoint` type of the crate, handed out by
//! [`Server::endpoints`](crate::model::Server::endpoints) and by a found match
//! ([`Match::endpoints`](crate::lobbies::Match)) alike.

use std::fmt;
use std::net::SocketAddr;

use crate::model::{NetworkPort, PortProtocol};
use crate::raw::types::LobbyServerPort;

/// One public port of a game server: its name, public host and port. Obtain from
/// [`Server::endpoints`](crate::model::Server::endpoints) or a found
/// [`Match`](crate::lobbies::Match).
///
/// `Display` prints [`address`](Self::address) and honours width and alignment, so endpoints
/// line up in tables:
///
/// ```
/// let server: playflow::model::Server = serde_json::from_value(serde_json::json!({
///     "instance_id": "9b2f6c1e", "name": "duel-1", "status": "running",
///     "network_ports": [{ "name": "game", "external_port": 30001, "host": "203.0.113.10" }]
/// })).unwrap();
/// let endpoints = server.endpoints();
/// let game: &playflow::Endpoint = endpoints.get("game").unwrap();
/// assert_eq!(format!("[{game:>20}]"), "[  203.0.113.10:30001]");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Endpoint {
    /// The port's name from the port configuration, e.g. `game` (empty when PlayFlow gave
    /// none).
    pub name: String,
    /// The public host name or IP address.
    pub host: String,
    /// The public port.
    pub port: u16,
    /// The port the game listens on inside the machine, when reported.
    pub internal_port: Option<u16>,
    /// `udp` or `tcp`, when reported.
    pub protocol: Option<PortProtocol>,
    /// Whether TLS is terminated in front of the port (`false` when not reported).
    pub tls: bool,
}

impl Endpoint {
    /// The endpoint of a server's port, if it has a host and a public port in 1–65535 (a
    /// server still launching, or stopped, has neither).
    pub(crate) fn from_network_port(port: &NetworkPort) -> Option<Self> {
        Some(Self {
            internal_port: port.internal_port.and_then(|p| u16::try_from(p).ok()),
            tls: port.tls_enabled.unwrap_or(false),
            ..Self::checked(
                port.name.as_deref(),
                port.host.as_deref(),
                port.external_port,
                port.protocol.as_ref(),
            )?
        })
    }

    /// The endpoint of a port of a lobby's compact server layout (`ports[]`: host and port).
    pub(crate) fn from_lobby_port(port: &LobbyServerPort) -> Option<Self> {
        Self::checked(
            port.name.as_deref(),
            port.host.as_deref(),
            port.port,
            port.protocol.as_ref(),
        )
    }

    fn checked(
        name: Option<&str>,
        host: Option<&str>,
        port: Option<i64>,
        protocol: Option<&PortProtocol>,
    ) -> Option<Self> {
        let host = host.map(str::trim).filter(|h| !h.is_empty())?;
        let port = u16::try_from(port?).ok().filter(|p| *p != 0)?;
        Some(Self {
            name: name.unwrap_or_default().to_owned(),
            host: host.to_owned(),
            port,
            internal_port: None,
            protocol: protocol.cloned(),
            tls: false,
        })
    }

    /// `host:port`, with an IPv6 host in brackets (`[2001:db8::1]:30001`): what a game client
    /// connects to.
    ///
    /// ```
    /// # let server: playflow::model::Server = serde_json::from_value(serde_json::json!({
    /// #     "instance_id": "i", "name": "n", "status": "running",
    /// #     "network_ports": [{ "name": "game", "external_port": 30001, "host": "2001:db8::1" }]
    /// # })).unwrap();
    /// let game = server.endpoints().get("game").unwrap().clone();
    /// assert_eq!(game.address(), "[2001:db8::1]:30001");
    /// ```
    pub fn address(&self) -> String {
        if self.host.contains(':') && !self.host.starts_with('[') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// The socket addresses the host resolves to (DNS, or the literal IP), with the public port.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
    /// # let server: playflow::model::Server = serde_json::from_value(serde_json::json!({
    /// #     "instance_id": "i", "name": "n", "status": "running",
    /// #     "network_ports": [{ "name": "game", "external_port": 30001, "host": "127.0.0.1" }]
    /// # })).unwrap();
    /// let game = server.endpoints().get("game").unwrap().clone();
    /// let addrs = game.resolve().await?;
    /// assert_eq!(addrs, ["127.0.0.1:30001".parse().unwrap()]);
    /// # Ok(()) }
    /// ```
    pub async fn resolve(&self) -> std::io::Result<Vec<SocketAddr>> {
        let host = self.host.trim_start_matches('[').trim_end_matches(']');
        Ok(tokio::net::lookup_host((host, self.port)).await?.collect())
    }
}

impl fmt::Display for Endpoint {
    /// `host:port` ([`Endpoint::address`]), padded to the formatter's width.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.address())
    }
}
