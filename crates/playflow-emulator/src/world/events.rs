//! Lobby changes as the world announces them to open event streams.

use std::sync::Arc;

/// A change to a lobby, as announced to its streams.
#[derive(Debug, Clone)]
pub(crate) enum LobbyEvent {
    /// The lobby changed; `data` is its JSON, `members` who is in it now.
    Updated {
        lobby: String,
        members: Arc<Vec<String>>,
        data: Arc<str>,
    },
    /// The lobby is gone.
    Deleted { lobby: String },
}
