//! A server stop: the [`StopServer`] builder (an optional reason) and its [`StopOutcome`].

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use crate::Client;
use crate::call::send;
use crate::error::{Error, Result};
use crate::keys::ServerKey;
use crate::model::StopServerResponse;
use crate::raw::operations;
use crate::validate;

/// What a stop did.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum StopOutcome {
    /// The stop was accepted; the server reports `stopped` from now on.
    Stopped(StopServerResponse),
    /// PlayFlow answered 404: no such server any more. It was stopped (and cleaned up) before,
    /// or the id never existed; either way nothing is running under it.
    AlreadyStopped,
}

/// A server stop (`DELETE /api/v3/servers/{id}`), to give a [`reason`](Self::reason) and then
/// `.await` (or [`send`](Self::send)). Obtain with [`Servers::stop`](super::Servers::stop).
///
/// ```no_run
/// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
/// use playflow::servers::StopOutcome;
/// match client.servers().stop("9b2f6c1e").reason("match over").await? {
///     StopOutcome::Stopped(answer) => println!("{}", answer.status),
///     StopOutcome::AlreadyStopped => println!("already gone"),
///     _ => {}
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a stop does nothing until it is awaited or sent"]
pub struct StopServer {
    client: Client<ServerKey>,
    instance_id: String,
    reason: Option<String>,
}

impl StopServer {
    pub(super) fn new(client: Client<ServerKey>, instance_id: String) -> Self {
        Self {
            client,
            instance_id,
            reason: None,
        }
    }

    /// Why the server is stopped, recorded by PlayFlow for analytics and debugging (free text;
    /// PlayFlow's own include `PROCESS_EXITED`, `TTL_EXPIRED`, `SHUTDOWN_SIGNAL`).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.servers().stop("9b2f6c1e").reason("SHUTDOWN_SIGNAL").await?;
    /// # Ok(()) }
    /// ```
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }

    /// Send the stop. A 404 is not an error here: the server is gone already, and the outcome
    /// says so.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let outcome = client.servers().stop("9b2f6c1e").send().await?;
    /// # let _ = outcome; Ok(()) }
    /// ```
    pub fn send(self) -> impl Future<Output = Result<StopOutcome>> + Send + 'static {
        let Self {
            client,
            instance_id,
            reason,
        } = self;
        async move {
            validate::non_empty("instance_id", &instance_id)?;
            let mut call = client.raw().stop_server().instance_id(&instance_id);
            if let Some(reason) = &reason {
                call = call.shutdown_reason(reason);
            }
            match send(operations::STOP_SERVER, call.send()).await {
                Ok(answer) => Ok(StopOutcome::Stopped(answer)),
                Err(Error::NotFound(_)) => Ok(StopOutcome::AlreadyStopped),
                Err(e) => Err(e),
            }
        }
    }
}

impl IntoFuture for StopServer {
    type Output = Result<StopOutcome>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
