//! The addresses a running server hands to players.

use std::fmt;
use std::net::SocketAddr;

use crate::model::{NetworkPort, PortProtocol, Server};

impl Server {
    /// The server's connectable ports: by name, protocol and TLS, as `host:port` strings or
    /// resolved socket addresses. Ports without a host or a valid public port (a server still
    /// launching, or stopped) are left out.
    ///
    /// ```
    /// let server: playflow::model::Server = serde_json::from_value(serde_json::json!({
    ///     "instance_id": "9b2f6c1e", "name": "duel-1", "status": "running",
    ///     "network_ports": [{ "name": "game", "internal_port": 7777, "external_port": 30001,
    ///                         "protocol": "udp", "host": "203.0.113.10", "tls_enabled": false }]
    /// })).unwrap();
    /// let game = server.endpoints().get("game").unwrap().clone();
    /// assert_eq!(game.address(), "203.0.113.10:30001");
    /// ```
    pub fn endpoints(&self) -> Endpoints {
        Endpoints(
            self.network_ports
                .iter()
                .filter_map(Endpoint::from_port)
                .collect(),
        )
    }
}

/// One public port of a server. Obtain with [`Server::endpoints`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Endpoint {
    /// The port's name from the port configuration (empty when PlayFlow gave none).
    pub name: String,
    /// The public host name or IP address.
    pub host: String,
    /// The public port.
    pub port: u16,
    /// The port the game listens on inside the machine, when reported.
    pub internal_port: Option<u16>,
    /// `udp` or `tcp`, when reported.
    pub protocol: Option<PortProtocol>,
    /// Whether TLS is terminated in front of the port.
    pub tls: bool,
}

impl Endpoint {
    fn from_port(port: &NetworkPort) -> Option<Self> {
        let host = port
            .host
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty())?;
        let public = u16::try_from(port.external_port?)
            .ok()
            .filter(|p| *p != 0)?;
        Some(Self {
            name: port.name.clone().unwrap_or_default(),
            host: host.to_owned(),
            port: public,
            internal_port: port.internal_port.and_then(|p| u16::try_from(p).ok()),
            protocol: port.protocol.clone(),
            tls: port.tls_enabled.unwrap_or(false),
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
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.address())
    }
}

/// The public ports of a server. Obtain with [`Server::endpoints`].
///
/// ```
/// # let server: playflow::model::Server = serde_json::from_value(serde_json::json!({
/// #     "instance_id": "i", "name": "n", "status": "running", "network_ports": [] })).unwrap();
/// for endpoint in &server.endpoints() {
///     println!("{} {}", endpoint.name, endpoint);
/// }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Endpoints(Vec<Endpoint>);

impl Endpoints {
    /// The port of this name (as in the port configuration, e.g. `game`).
    ///
    /// ```
    /// # let server: playflow::model::Server = serde_json::from_value(serde_json::json!({
    /// #     "instance_id": "i", "name": "n", "status": "running", "network_ports": [] })).unwrap();
    /// assert!(server.endpoints().get("game").is_none());
    /// ```
    pub fn get(&self, name: &str) -> Option<&Endpoint> {
        self.0.iter().find(|e| e.name == name)
    }

    /// The ports of one protocol.
    ///
    /// ```
    /// # let server: playflow::model::Server = serde_json::from_value(serde_json::json!({
    /// #     "instance_id": "i", "name": "n", "status": "running",
    /// #     "network_ports": [{ "name": "game", "external_port": 30001, "host": "h", "protocol": "udp" }]
    /// # })).unwrap();
    /// use playflow::model::PortProtocol;
    /// assert_eq!(server.endpoints().with_protocol(&PortProtocol::Udp).count(), 1);
    /// ```
    pub fn with_protocol<'a>(
        &'a self,
        protocol: &'a PortProtocol,
    ) -> impl Iterator<Item = &'a Endpoint> + 'a {
        self.0
            .iter()
            .filter(move |e| e.protocol.as_ref() == Some(protocol))
    }

    /// The ports with TLS in front (connect with `wss://` or TLS).
    ///
    /// ```
    /// # let server: playflow::model::Server = serde_json::from_value(serde_json::json!({
    /// #     "instance_id": "i", "name": "n", "status": "running", "network_ports": [] })).unwrap();
    /// assert_eq!(server.endpoints().tls().count(), 0);
    /// ```
    pub fn tls(&self) -> impl Iterator<Item = &Endpoint> + '_ {
        self.0.iter().filter(|e| e.tls)
    }

    /// Every port as `host:port`.
    ///
    /// ```
    /// # let server: playflow::model::Server = serde_json::from_value(serde_json::json!({
    /// #     "instance_id": "i", "name": "n", "status": "running",
    /// #     "network_ports": [{ "name": "game", "external_port": 30001, "host": "203.0.113.10" }]
    /// # })).unwrap();
    /// assert_eq!(server.endpoints().addresses(), ["203.0.113.10:30001"]);
    /// ```
    pub fn addresses(&self) -> Vec<String> {
        self.0.iter().map(Endpoint::address).collect()
    }

    /// Every port, in the server's order.
    ///
    /// ```
    /// # let server: playflow::model::Server = serde_json::from_value(serde_json::json!({
    /// #     "instance_id": "i", "name": "n", "status": "running", "network_ports": [] })).unwrap();
    /// assert_eq!(server.endpoints().iter().count(), 0);
    /// ```
    pub fn iter(&self) -> std::slice::Iter<'_, Endpoint> {
        self.0.iter()
    }

    /// How many ports.
    ///
    /// ```
    /// # let server: playflow::model::Server = serde_json::from_value(serde_json::json!({
    /// #     "instance_id": "i", "name": "n", "status": "running", "network_ports": [] })).unwrap();
    /// assert_eq!(server.endpoints().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is no connectable port.
    ///
    /// ```
    /// # let server: playflow::model::Server = serde_json::from_value(serde_json::json!({
    /// #     "instance_id": "i", "name": "n", "status": "stopped", "network_ports": [] })).unwrap();
    /// assert!(server.endpoints().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> IntoIterator for &'a Endpoints {
    type Item = &'a Endpoint;
    type IntoIter = std::slice::Iter<'a, Endpoint>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl IntoIterator for Endpoints {
    type Item = Endpoint;
    type IntoIter = std::vec::IntoIter<Endpoint>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}
