//! The client a command talks through: the key from `PLAYFLOW_API_KEY`, the host from
//! `--base-url` / `PLAYFLOW_BASE_URL`.

use playflow::{API_KEY_ENV, ApiKey, Client, ClientKey, KeyKind, ServerKey};

use crate::failure::{Exit, Failure, Outcome};

/// Runs `$body` with `$client` bound to the connection's client, whichever its key type: for
/// the commands a client key may run too.
macro_rules! with_any_key {
    ($connection:expr, $client:ident => $body:expr) => {
        match $connection {
            $crate::connect::Connection::Server($client) => $body,
            $crate::connect::Connection::Game($client) => $body,
        }
    };
}
pub(crate) use with_any_key;

/// A client for whichever kind of key `PLAYFLOW_API_KEY` holds.
pub enum Connection {
    /// A server key (`pf_…`): every command.
    Server(Client<ServerKey>),
    /// A client key (`pfclient_…`): what a game client may do.
    Game(Client<ClientKey>),
}

impl Connection {
    /// Reads the key from the environment (never from the command line, where other users of
    /// the machine could see it) and builds the client.
    pub fn from_env(base_url: Option<&str>) -> Outcome<Self> {
        let key = std::env::var(API_KEY_ENV).map_err(|_| {
            Failure::new(Exit::Invalid, format!("{API_KEY_ENV} is not set")).hint(format!(
                "export {API_KEY_ENV}=<your project's server key, pf_…>, \
                 or run `playflow emulator` for a local one"
            ))
        })?;
        let key = key.trim();
        if key.starts_with(KeyKind::Client.prefix()) {
            Ok(Self::Game(build(
                ClientKey::new(key).map_err(playflow::Error::from)?,
                base_url,
            )?))
        } else {
            Ok(Self::Server(build(
                ServerKey::new(key).map_err(playflow::Error::from)?,
                base_url,
            )?))
        }
    }

    /// The server-key client, or a refusal naming `command` when the key is a client key.
    pub fn server_key(&self, command: &str) -> Outcome<&Client<ServerKey>> {
        match self {
            Self::Server(client) => Ok(client),
            Self::Game(_) => Err(Failure::new(
                Exit::Denied,
                format!("`playflow {command}` needs a server key, and {API_KEY_ENV} holds a client key (pfclient_…)"),
            )
            .hint("use the project's server key (pf_…) from the PlayFlow dashboard")),
        }
    }
}

fn build<K: ApiKey>(key: K, base_url: Option<&str>) -> Outcome<Client<K>> {
    let mut builder = Client::builder(key);
    if let Some(url) = base_url {
        builder = builder.base_url(url);
    }
    builder.build().map_err(|error| match (base_url, &error) {
        // The library's message names its builder methods; a CLI user sets a flag or a variable.
        (Some(url), playflow::Error::InvalidInput(_)) => {
            let why = if url.trim_start().to_ascii_lowercase().starts_with("http://") {
                "plain http:// is allowed only on loopback (127.0.0.1, ::1, localhost)"
            } else {
                "it is not an https:// URL"
            };
            Failure::new(
                Exit::Invalid,
                format!("the API host `{url}` (from --base-url or PLAYFLOW_BASE_URL) is refused: {why}"),
            )
            .hint(
                "set --base-url or PLAYFLOW_BASE_URL to an https:// URL, or to the http://127.0.0.1:… \
                 URL `playflow emulator` prints; unset PLAYFLOW_BASE_URL to use PlayFlow's API",
            )
        }
        _ => Failure::from(error),
    })
}
