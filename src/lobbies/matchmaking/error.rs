//! How a match search can end without a match.

use std::fmt;
use std::time::Duration;

use crate::error::Error;
use crate::model::{Lobby, LobbyStatus};

/// Why [`FindMatch`](super::FindMatch) returned without a match.
///
/// ```no_run
/// use playflow::lobbies::FindMatchError;
/// # async fn demo(client: playflow::Client<playflow::ClientKey>) {
/// let me = client.lobbies("casual").player("p-123");
/// match me.find_match("duo_ranked").max_wait(std::time::Duration::from_secs(60)).await {
///     Ok(found) => println!("connect to {}", found.endpoints[0]),
///     Err(FindMatchError::ExceededMaxWait { last_status, .. }) => println!("gave up while {last_status}"),
///     Err(FindMatchError::LeftQueue { .. }) => println!("queue left (declined, cancelled or timed out)"),
///     Err(e) => println!("failed: {e}"),
/// }
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum FindMatchError {
    /// No match within the max wait. The waiter left the queue (best effort) before
    /// returning.
    ExceededMaxWait {
        /// The configured max wait.
        max_wait: Duration,
        /// The lobby status last seen.
        last_status: LobbyStatus,
    },
    /// The lobby went back to `waiting` after it had queued: matchmaking was cancelled (by the
    /// host elsewhere), a match was declined, the mode's queue timeout passed, or the game
    /// server failed to start. Nobody is re-queued automatically.
    LeftQueue {
        /// The lobby as last seen.
        lobby: Box<Lobby>,
    },
    /// The lobby was deleted.
    LobbyDeleted {
        /// Its id.
        id: String,
    },
    /// A call failed (entering the queue, or a check of the lobby that retrying cannot fix:
    /// the player left or was kicked, the key was revoked, ...).
    Request(Error),
}

impl FindMatchError {
    /// The underlying API or transport error, for [`FindMatchError::Request`].
    ///
    /// ```
    /// # use playflow::lobbies::FindMatchError;
    /// let e = FindMatchError::LobbyDeleted { id: "l1".into() };
    /// assert!(e.request_error().is_none());
    /// ```
    pub fn request_error(&self) -> Option<&Error> {
        match self {
            Self::Request(e) => Some(e),
            _ => None,
        }
    }
}

impl fmt::Display for FindMatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ExceededMaxWait {
                max_wait,
                last_status,
            } => write!(
                f,
                "no match within {:.1} s (lobby last seen {last_status})",
                max_wait.as_secs_f64()
            ),
            Self::LeftQueue { lobby } => write!(
                f,
                "lobby {} left the matchmaking queue (now {})",
                lobby.id, lobby.status
            ),
            Self::LobbyDeleted { id } => write!(f, "lobby {id} was deleted"),
            Self::Request(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for FindMatchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Request(e) => Some(e),
            _ => None,
        }
    }
}

impl From<Error> for FindMatchError {
    fn from(e: Error) -> Self {
        Self::Request(e)
    }
}
