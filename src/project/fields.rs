//! A lobby configuration of the project settings with its timeouts as [`Duration`]s (the spec
//! sends seconds as a JSON `number`), by the rule of `crate::wire`.

use std::time::Duration;

use crate::model::LobbyConfig;
use crate::wire;

impl LobbyConfig {
    /// How long a lobby may stay idle before PlayFlow closes it. `None` when not set or not a
    /// length of time.
    ///
    /// ```
    /// use std::time::Duration;
    /// let config: playflow::model::LobbyConfig =
    ///     serde_json::from_value(serde_json::json!({ "name": "casual", "timeout": 300 })).unwrap();
    /// assert_eq!(config.timeout(), Some(Duration::from_secs(300)));
    /// ```
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout.and_then(wire::seconds)
    }

    /// How long a player may stay silent (no heartbeat) before being dropped, when heartbeats
    /// are on. The spec gives no unit here; it is read in seconds, as `timeout` is (and as
    /// PlayFlow Local applies it).
    ///
    /// ```
    /// use std::time::Duration;
    /// let config: playflow::model::LobbyConfig = serde_json::from_value(
    ///     serde_json::json!({ "name": "casual", "heartbeat": true, "heartbeatTimeout": 30 })).unwrap();
    /// assert_eq!(config.heartbeat_timeout(), Some(Duration::from_secs(30)));
    /// ```
    pub fn heartbeat_timeout(&self) -> Option<Duration> {
        self.heartbeat_timeout.and_then(wire::seconds)
    }
}
