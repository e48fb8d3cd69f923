//! Typed PlayFlow API keys.
//!
//! A project has two keys: the **server key** (`pf_…`), with full access, for backends, CI and
//! admin tools; and the **client key** (`pfclient_…`), safe to ship in game builds, limited to
//! what a game client needs. The key's type decides which calls a [`Client`](crate::Client) offers,
//! at compile time.
//!
//! Keys are held in [`secrecy::SecretString`]: `Debug` and `Display` show the kind and at most the
//! last four characters, and parse errors never echo the input.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

/// The environment variable [`ServerKey::from_env`] and [`ClientKey::from_env`] read.
pub const API_KEY_ENV: &str = "PLAYFLOW_API_KEY";

const SERVER_PREFIX: &str = "pf_";
const CLIENT_PREFIX: &str = "pfclient_";

/// Why a string is not a usable API key. Never contains the key itself.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// The string is empty or only whitespace.
    Empty,
    /// The key has the other kind's prefix, or no known prefix at all.
    WrongKind {
        /// The kind that was expected.
        expected: KeyKind,
        /// The kind the string looks like, if any.
        found: Option<KeyKind>,
    },
    /// The key has the right prefix but nothing after it.
    MissingBody {
        /// The kind whose prefix was found.
        kind: KeyKind,
    },
    /// The key contains characters that cannot be sent in an HTTP header (whitespace, controls,
    /// non-ASCII).
    InvalidCharacters,
    /// The environment variable is not set (or not valid Unicode).
    MissingEnv {
        /// The variable's name.
        var: &'static str,
    },
    /// The environment variable is set but does not hold a usable key of the expected kind.
    InvalidEnv {
        /// The variable's name.
        var: &'static str,
        /// What is wrong with its value.
        error: Box<KeyError>,
    },
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("the API key is empty"),
            Self::WrongKind {
                expected,
                found: Some(found),
            } => write!(
                f,
                "expected a {expected} (starting with `{}`), but this is a {found} (starting with `{}`)",
                expected.prefix(),
                found.prefix()
            ),
            Self::WrongKind {
                expected,
                found: None,
            } => write!(
                f,
                "expected a {expected} starting with `{}`; the key has no PlayFlow key prefix",
                expected.prefix()
            ),
            Self::MissingBody { kind } => {
                write!(f, "the {kind} has nothing after its `{}` prefix", kind.prefix())
            }
            Self::InvalidCharacters => f.write_str(
                "the API key contains whitespace, control or non-ASCII characters (copy it again from the PlayFlow dashboard)",
            ),
            Self::MissingEnv { var } => {
                write!(f, "environment variable {var} is not set (or is not valid Unicode)")
            }
            Self::InvalidEnv { var, error } => {
                write!(f, "environment variable {var}: {error}")?;
                match **error {
                    Self::WrongKind {
                        expected: KeyKind::Server,
                        found: Some(KeyKind::Client),
                    } => f.write_str(
                        " (a client key needs `ClientKey::from_env` and `Client::for_game_client`)",
                    ),
                    Self::WrongKind {
                        expected: KeyKind::Client,
                        found: Some(KeyKind::Server),
                    } => f.write_str(" (never ship a server key in a game client)"),
                    _ => Ok(()),
                }
            }
        }
    }
}

impl std::error::Error for KeyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::InvalidEnv { error, .. } => Some(&**error),
            _ => None,
        }
    }
}

/// The two kinds of PlayFlow API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyKind {
    /// `pf_…`: full access.
    Server,
    /// `pfclient_…`: the subset of calls safe for game clients.
    Client,
}

impl KeyKind {
    /// The prefix every key of this kind starts with.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Server => SERVER_PREFIX,
            Self::Client => CLIENT_PREFIX,
        }
    }

    /// The kind a string looks like, from its prefix.
    fn of(s: &str) -> Option<Self> {
        if s.starts_with(CLIENT_PREFIX) {
            Some(Self::Client)
        } else if s.starts_with(SERVER_PREFIX) {
            Some(Self::Server)
        } else {
            None
        }
    }
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Server => "server key",
            Self::Client => "client key",
        })
    }
}

fn parse(s: &str, expected: KeyKind) -> Result<SecretString, KeyError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(KeyError::Empty);
    }
    let found = KeyKind::of(s);
    if found != Some(expected) {
        return Err(KeyError::WrongKind { expected, found });
    }
    if s.len() == expected.prefix().len() {
        return Err(KeyError::MissingBody { kind: expected });
    }
    if !s.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(KeyError::InvalidCharacters);
    }
    Ok(SecretString::from(s.to_owned()))
}

fn env_value() -> Result<String, KeyError> {
    std::env::var(API_KEY_ENV).map_err(|_| KeyError::MissingEnv { var: API_KEY_ENV })
}

/// `…` plus at most the last four characters: enough to tell keys apart in logs, too little to
/// use. Short keys show nothing.
fn redacted(kind: KeyKind, secret: &SecretString, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let s = secret.expose_secret();
    let body = &s[kind.prefix().len()..];
    if body.len() >= 12 {
        write!(f, "{}…{}", kind.prefix(), &body[body.len() - 4..])
    } else {
        write!(f, "{}…", kind.prefix())
    }
}

macro_rules! key_type {
    ($(#[$doc:meta])* $name:ident, $kind:expr, $example:literal) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name(SecretString);

        impl $name {
            /// Parses a key, checking its prefix and characters. The error never contains the key.
            ///
            /// ```
            #[doc = concat!("let key = playflow::", stringify!($name), "::new(\"", $example, "\").unwrap();")]
            #[doc = concat!("assert!(!format!(\"{key:?}\").contains(\"", $example, "\"));")]
            /// ```
            pub fn new(key: impl AsRef<str>) -> Result<Self, KeyError> {
                parse(key.as_ref(), $kind).map(Self)
            }

            /// Reads the key from `PLAYFLOW_API_KEY`, with a clear error when the variable is
            /// missing or holds the other kind of key.
            ///
            /// ```no_run
            #[doc = concat!("let key = playflow::", stringify!($name), "::from_env()?;")]
            /// # Ok::<(), playflow::KeyError>(())
            /// ```
            pub fn from_env() -> Result<Self, KeyError> {
                Self::new(env_value()?).map_err(|error| KeyError::InvalidEnv {
                    var: API_KEY_ENV,
                    error: Box::new(error),
                })
            }

            /// The key's kind.
            ///
            /// ```
            #[doc = concat!("let key = playflow::", stringify!($name), "::new(\"", $example, "\").unwrap();")]
            #[doc = concat!("assert_eq!(key.kind(), playflow::", stringify!($kind), ");")]
            /// ```
            pub fn kind(&self) -> KeyKind {
                $kind
            }
        }

        impl std::str::FromStr for $name {
            type Err = KeyError;
            fn from_str(s: &str) -> Result<Self, KeyError> {
                Self::new(s)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}(", stringify!($name))?;
                redacted($kind, &self.0, f)?;
                f.write_str(")")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                redacted($kind, &self.0, f)
            }
        }

        impl sealed::Sealed for $name {}

        impl ApiKey for $name {
            const KIND: KeyKind = $kind;
            fn expose(&self) -> &str {
                self.0.expose_secret()
            }
        }
    };
}

key_type!(
    /// A server key (`pf_…`): full read/write access. For backends, CI and tools; never ship it in
    /// a game build.
    ServerKey,
    KeyKind::Server,
    "pf_1234567890abcdef1234"
);

key_type!(
    /// A client key (`pfclient_…`): the calls a game client may make (health, list/get/start
    /// servers, lobby browsing and the player-scoped lobby calls).
    ClientKey,
    KeyKind::Client,
    "pfclient_1234567890abcdef1234"
);

mod sealed {
    pub trait Sealed {}
}

/// A PlayFlow API key type: [`ServerKey`] or [`ClientKey`]. Sealed; it is the type parameter of
/// [`Client`](crate::Client) that decides which calls exist.
///
/// ```
/// fn kind_of<K: playflow::ApiKey>() -> playflow::KeyKind { K::KIND }
/// assert_eq!(kind_of::<playflow::ClientKey>(), playflow::KeyKind::Client);
/// ```
pub trait ApiKey: sealed::Sealed + Clone + fmt::Debug + Send + Sync + 'static {
    /// This key type's kind.
    const KIND: KeyKind;
    #[doc(hidden)]
    fn expose(&self) -> &str;
}

impl From<KeyError> for crate::Error {
    fn from(e: KeyError) -> Self {
        Self::InvalidInput(crate::InvalidInput::new("api key", e.to_string()))
    }
}
