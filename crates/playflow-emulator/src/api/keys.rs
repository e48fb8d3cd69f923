//! API keys: the project's server key and client key, and what a client key may call.

use axum::http::HeaderValue;

use playflow::raw::operations::{self, Operation};

use crate::world::refusal::ApiError;

/// Which of the project's two keys a call presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum KeyKind {
    Server,
    Client,
}

/// The operations a client key may call: health, reading and starting servers, browsing
/// lobbies and everything a player does to their own lobby. The rest needs the server key.
/// The client's generated constants, so a renamed operation cannot silently change hands.
const CLIENT_KEY_OPERATIONS: &[Operation] = &[
    operations::GET_HEALTH,
    operations::LIST_SERVERS,
    operations::GET_SERVER,
    operations::START_SERVER,
    operations::BROWSE_LOBBIES,
    operations::CREATE_LOBBY,
    operations::JOIN_LOBBY,
    operations::GET_MY_LOBBY,
    operations::UPDATE_MY_PLAYER_STATE,
    operations::LEAVE_LOBBY,
    operations::UPDATE_LOBBY_SETTINGS,
    operations::KICK_PLAYER,
    operations::START_GAME,
    operations::END_MATCH,
    operations::START_MATCHMAKING,
    operations::CANCEL_MATCHMAKING,
    operations::CONFIRM_MATCH,
    operations::DECLINE_MATCH,
    operations::SUBSCRIBE_LOBBY_EVENTS,
    operations::SEND_HEARTBEAT,
];

/// The project's keys.
pub(crate) struct Keys {
    server: String,
    client: String,
}

impl Keys {
    /// The given keys, or random ones (`pf_emu_…`, `pfclient_emu_…`).
    pub(crate) fn new(server: Option<String>, client: Option<String>) -> Keys {
        Keys {
            server: server.unwrap_or_else(|| format!("pf_emu_{}", random_hex())),
            client: client.unwrap_or_else(|| format!("pfclient_emu_{}", random_hex())),
        }
    }

    pub(crate) fn server(&self) -> &str {
        &self.server
    }

    pub(crate) fn client(&self) -> &str {
        &self.client
    }

    /// Which key the `api-key` header holds; 401 when it is missing or unknown.
    pub(crate) fn identify(&self, presented: Option<&HeaderValue>) -> Result<KeyKind, ApiError> {
        let Some(presented) = presented else {
            return Err(ApiError::unauthorized(
                "Missing API key: send the project key in the `api-key` header",
            ));
        };
        let presented = presented.as_bytes();
        if presented == self.server.as_bytes() {
            Ok(KeyKind::Server)
        } else if presented == self.client.as_bytes() {
            Ok(KeyKind::Client)
        } else {
            Err(ApiError::unauthorized("Invalid API key"))
        }
    }
}

/// Whether `key` may call the operation `operation_id`; the 403 PlayFlow gives when not.
pub(crate) fn permit(key: KeyKind, operation_id: &str) -> Result<(), ApiError> {
    let for_clients = CLIENT_KEY_OPERATIONS
        .iter()
        .any(|op| op.operation_id == operation_id);
    if key == KeyKind::Server || for_clients {
        return Ok(());
    }
    Err(ApiError::forbidden(format!(
        "The client key (pfclient_…) cannot call {operation_id}; this operation requires the \
         server key (pf_…), which must stay on your backend"
    )))
}

fn random_hex() -> String {
    rand::random::<[u8; 16]>()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_told_apart_and_checked() {
        let keys = Keys::new(None, None);
        assert!(keys.server().starts_with("pf_emu_"));
        assert!(keys.client().starts_with("pfclient_emu_"));
        let server = HeaderValue::from_str(keys.server()).unwrap();
        let client = HeaderValue::from_str(keys.client()).unwrap();
        assert_eq!(keys.identify(Some(&server)).unwrap(), KeyKind::Server);
        assert_eq!(keys.identify(Some(&client)).unwrap(), KeyKind::Client);
        assert_eq!(keys.identify(None).unwrap_err().status(), 401);
        let wrong = HeaderValue::from_static("pf_wrong");
        assert_eq!(keys.identify(Some(&wrong)).unwrap_err().status(), 401);
        assert!(permit(KeyKind::Client, operations::LIST_SERVERS.operation_id).is_ok());
        assert_eq!(
            permit(KeyKind::Client, operations::LIST_BUILDS.operation_id)
                .unwrap_err()
                .status(),
            403
        );
        assert!(permit(KeyKind::Server, operations::LIST_BUILDS.operation_id).is_ok());
    }
}
