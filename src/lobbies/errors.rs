//! The documented lobby errors, as a type to branch on.
//!
//! [`Error`] classifies by HTTP status; what a status means for lobbies depends on the call
//! (a 404 from "get my lobby" means "not in a lobby", from "join" it means "no such lobby").
//! The facade records which operation failed, so the meaning can be recovered here.

use crate::error::Error;
use crate::raw::operations::{self, Operation};

/// What a failed lobby call means, for the cases the API documents.
///
/// ```
/// use playflow::lobbies::{LobbyErrorExt, LobbyErrorKind};
/// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
/// let me = client.lobbies("casual").player("p-123");
/// match me.current().await {
///     Ok(lobby) => println!("in {}", lobby.id),
///     Err(e) if e.lobby_error_kind() == LobbyErrorKind::NotInLobby => println!("in no lobby"),
///     Err(e) => return Err(e),
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LobbyErrorKind {
    /// 404 from a `/me` call: the player is in no lobby of this configuration.
    NotInLobby,
    /// 403 from a host-only call (settings, kick, start game, end match, matchmaking): the
    /// player is not the lobby's host.
    NotHost,
    /// 409 from create or join: the player already belongs to a lobby. Leave it first.
    AlreadyInLobby,
    /// 400 from join: the lobby is full or does not accept players right now.
    LobbyFull,
    /// 404 from join: no lobby with that id or invite code.
    LobbyNotFound,
    /// 400 from start matchmaking: the configuration has no matchmaking modes, or not this one.
    UnknownMode,
    /// 409 from confirm match: the mode does not use match confirmation.
    ConfirmationNotUsed,
    /// Anything else: look at the [`Error`] itself.
    Other,
}

/// Calls of the player's own lobby (`/lobbies/{config}/me...`), where a 404 means the player
/// has no lobby. Kick is left out: its 404 may be about the kicked player.
const OWN_LOBBY_CALLS: &[Operation] = &[
    operations::GET_MY_LOBBY,
    operations::UPDATE_MY_PLAYER_STATE,
    operations::LEAVE_LOBBY,
    operations::UPDATE_LOBBY_SETTINGS,
    operations::START_GAME,
    operations::END_MATCH,
    operations::START_MATCHMAKING,
    operations::CANCEL_MATCHMAKING,
    operations::CONFIRM_MATCH,
    operations::DECLINE_MATCH,
    operations::SUBSCRIBE_LOBBY_EVENTS,
    operations::SEND_HEARTBEAT,
];

/// Host-only calls, where a 403 means "not the host".
const HOST_CALLS: &[Operation] = &[
    operations::UPDATE_LOBBY_SETTINGS,
    operations::KICK_PLAYER,
    operations::START_GAME,
    operations::END_MATCH,
    operations::START_MATCHMAKING,
    operations::CANCEL_MATCHMAKING,
];

impl LobbyErrorKind {
    /// The lobby meaning of `error` (`Other` when it has none).
    ///
    /// ```
    /// use playflow::lobbies::LobbyErrorKind;
    /// let err = playflow::Error::InvalidInput(playflow::InvalidInput::new("name", "empty"));
    /// assert_eq!(LobbyErrorKind::of(&err), LobbyErrorKind::Other);
    /// ```
    pub fn of(error: &Error) -> Self {
        let Some(api) = error.api_error() else {
            return Self::Other;
        };
        // The facade records an operation by its generated constant's name, so comparing
        // with the constants here cannot drift from what `send` recorded.
        let op = api.operation;
        let is = |one: Operation| one.name == op;
        let any = |calls: &[Operation]| calls.iter().any(|one| one.name == op);
        match api.status {
            404 if is(operations::JOIN_LOBBY) => Self::LobbyNotFound,
            404 if any(OWN_LOBBY_CALLS) => Self::NotInLobby,
            403 if any(HOST_CALLS) => Self::NotHost,
            409 if is(operations::CREATE_LOBBY) || is(operations::JOIN_LOBBY) => {
                Self::AlreadyInLobby
            }
            400 if is(operations::JOIN_LOBBY) => Self::LobbyFull,
            400 if is(operations::START_MATCHMAKING) => Self::UnknownMode,
            409 if is(operations::CONFIRM_MATCH) => Self::ConfirmationNotUsed,
            _ => Self::Other,
        }
    }
}

/// Lobby queries on [`Error`].
///
/// ```
/// use playflow::lobbies::{LobbyErrorExt, LobbyErrorKind};
/// let err = playflow::Error::InvalidInput(playflow::InvalidInput::new("name", "empty"));
/// assert_eq!(err.lobby_error_kind(), LobbyErrorKind::Other);
/// ```
pub trait LobbyErrorExt {
    /// What this error means for a lobby call; see [`LobbyErrorKind`].
    ///
    /// ```
    /// use playflow::lobbies::{LobbyErrorExt, LobbyErrorKind};
    /// # async fn demo(client: playflow::Client<playflow::ClientKey>) -> playflow::Result<()> {
    /// let me = client.lobbies("casual").player("p-123");
    /// if let Err(e) = me.start_game().await {
    ///     if e.lobby_error_kind() == LobbyErrorKind::NotHost {
    ///         println!("only the host can start");
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    fn lobby_error_kind(&self) -> LobbyErrorKind;
}

impl LobbyErrorExt for Error {
    fn lobby_error_kind(&self) -> LobbyErrorKind {
        LobbyErrorKind::of(self)
    }
}
