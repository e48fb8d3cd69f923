//! The Redis side of the shared limiter: one connection, three Lua scripts, each call bounded
//! by the configured timeout.

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{FromRedisValue, Script};

use super::namespace::Namespace;
use crate::error::InvalidInput;
use crate::transport::rate_limit::Class;

/// What the store answers a caller asking for a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Slot {
    /// The slot `wait` from now is the caller's (zero: go now).
    Reserved(Duration),
    /// The class is held for `wait` more; nothing was reserved.
    Held(Duration),
}

/// Redis did not answer in time, or answered with an error.
#[derive(Debug)]
pub(super) struct Unavailable(String);

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The budgets of one API key in one Redis database.
pub(super) struct Store {
    client: redis::Client,
    /// Opened on the first call: it needs a tokio runtime, which `ClientBuilder::build` may
    /// not run on.
    connection: Mutex<Option<ConnectionManager>>,
    timeout: Duration,
    keys: Namespace,
    reserve: Script,
    hold: Script,
    hold_left: Script,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Neither the URL (it may carry a password) nor the key names.
        f.debug_struct("Store")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Store {
    pub(super) fn new(
        url: &str,
        prefix: &str,
        api_key: &str,
        timeout: Duration,
    ) -> Result<Self, InvalidInput> {
        let client = redis::Client::open(url).map_err(|e| {
            InvalidInput::new(
                "redis_rate_limit.url",
                format!("not a Redis URL ({:?})", e.kind()),
            )
        })?;
        Ok(Self {
            client,
            connection: Mutex::new(None),
            timeout,
            keys: Namespace::new(prefix, api_key),
            reserve: Script::new(include_str!("reserve.lua")),
            hold: Script::new(include_str!("hold.lua")),
            hold_left: Script::new(include_str!("hold_left.lua")),
        })
    }

    /// Reserve the next slot of `class`, paced at one call every `interval`.
    pub(super) async fn reserve(
        &self,
        class: Class,
        interval: Duration,
    ) -> Result<Slot, Unavailable> {
        let keys = self.keys.of(class);
        let mut call = self.reserve.key(&keys.schedule);
        call.key(&keys.hold).arg(micros(interval).max(1));
        let (wait, reserved): (u64, u8) = self.run(call).await?;
        let wait = Duration::from_micros(wait);
        Ok(if reserved == 1 {
            Slot::Reserved(wait)
        } else {
            Slot::Held(wait)
        })
    }

    /// How long `class` is still held.
    pub(super) async fn hold_left(&self, class: Class) -> Result<Duration, Unavailable> {
        let call = self.hold_left.key(&self.keys.of(class).hold);
        let left: u64 = self.run(call).await?;
        Ok(Duration::from_micros(left))
    }

    /// Hold `class` for `wait` from now, on every client sharing the store.
    pub(super) async fn hold(&self, class: Class, wait: Duration) -> Result<(), Unavailable> {
        let mut call = self.hold.key(&self.keys.of(class).hold);
        call.arg(micros(wait));
        let _: i64 = self.run(call).await?;
        Ok(())
    }

    /// Run a script (`EVALSHA`, loading it after a Redis restart), within the timeout.
    async fn run<T: FromRedisValue>(
        &self,
        call: redis::ScriptInvocation<'_>,
    ) -> Result<T, Unavailable> {
        let mut connection = self.connection()?;
        match tokio::time::timeout(self.timeout, call.invoke_async(&mut connection)).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(Unavailable(format!("Redis error: {e}"))),
            Err(_) => Err(Unavailable(format!(
                "no answer from Redis within {} ms",
                self.timeout.as_millis()
            ))),
        }
    }

    fn connection(&self) -> Result<ConnectionManager, Unavailable> {
        let mut slot = self.connection.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(connection) = &*slot {
            return Ok(connection.clone());
        }
        // One reconnect attempt per failed call: the limiter decides when to try again, and
        // a call waiting on a long backoff would only hit the timeout.
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(1);
        let connection = ConnectionManager::new_lazy_with_config(self.client.clone(), config)
            .map_err(|e| Unavailable(format!("Redis connection: {e}")))?;
        *slot = Some(connection.clone());
        Ok(connection)
    }
}

fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}
