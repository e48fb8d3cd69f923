//! The addresses a running server hands to players: [`Server::endpoints`] and [`Endpoints`].

use crate::Endpoint;
use crate::model::{PortProtocol, Server};

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
                .filter_map(Endpoint::from_network_port)
                .collect(),
        )
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
