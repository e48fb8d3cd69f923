//! Recovery from an ambiguous start: find the server a start tagged, instead of starting another.

use futures::TryStreamExt as _;
use serde_json::Value;

use crate::Client;
use crate::error::{Error, Result};
use crate::keys::ApiKey;
use crate::model::Server;

/// The `custom_data` key [`StartServer::idempotent`](super::StartServer::idempotent) tags a
/// start with.
pub const IDEMPOTENCY_KEY: &str = "_playflow_start_id";

/// Whether the start may have happened although the call failed: the request may have
/// reached PlayFlow before the failure.
pub(super) fn is_ambiguous(e: &Error) -> bool {
    match e {
        Error::Timeout(_) => true,
        Error::Transport(t) => !t.is_connect(),
        Error::Api(api) => matches!(api.status, 500 | 502 | 503 | 504),
        Error::Decode(d) => d.status.is_none_or(|s| (200..300).contains(&s)),
        _ => false,
    }
}

/// The server started under `tag`, if any: every server, launching and pool ones included.
pub(super) async fn find_tagged<K: ApiKey>(
    client: &Client<K>,
    tag: &str,
) -> Result<Option<Server>> {
    let servers = client
        .servers()
        .list()
        .include_launching(true)
        .include_pool(true)
        .stream();
    let mut servers = std::pin::pin!(servers);
    while let Some(server) = servers.try_next().await? {
        let tagged = server
            .custom_data
            .as_ref()
            .and_then(|data| data.get(IDEMPOTENCY_KEY))
            .and_then(Value::as_str)
            == Some(tag);
        if tagged {
            return Ok(Some(server));
        }
    }
    Ok(None)
}
