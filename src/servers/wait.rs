//! Waiting for a server to run.

use std::time::Duration;

use crate::Client;
use crate::error::Result;
use crate::keys::ApiKey;
use crate::model::{Server, ServerStatus};
use crate::waiter::{ExceededMaxWait, Finished, Verdict, Waiter};

/// The waiter of [`Servers::wait_until_running`](super::Servers::wait_until_running).
pub type ServerRunningWaiter<K> = Waiter<ServerRunning<K>>;

/// What [`ServerRunningWaiter`] polls: one server, until it runs.
#[derive(Debug, Clone)]
pub struct ServerRunning<K: ApiKey> {
    client: Client<K>,
    instance_id: String,
}

impl<K: ApiKey> ServerRunning<K> {
    pub(super) fn waiter(client: Client<K>, instance_id: String) -> ServerRunningWaiter<K> {
        // Servers run 10–30 s after a start (about 5 s from a warm pool): poll often, early.
        Waiter::new(
            Self {
                client,
                instance_id,
            },
            Duration::from_secs(1),
            Duration::from_secs(10),
        )
    }
}

impl<K: ApiKey> Waiter<ServerRunning<K>> {
    /// Poll until the server runs, stops, or `max_wait` passes. Errors that may pass (timeouts,
    /// 429, 5xx) are waited out; any other error (404: no such server) ends the wait.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let outcome = client.servers().wait_until_running("9b2f6c1e")
    ///     .wait(std::time::Duration::from_secs(60))
    ///     .await?;
    /// let server = outcome.running().expect("server did not come up");
    /// # let _ = server; Ok(()) }
    /// ```
    pub async fn wait(self, max_wait: Duration) -> Result<ServerOutcome> {
        let servers = self.poller.client.servers();
        let instance_id = &self.poller.instance_id;
        let finished = self
            .run(
                max_wait,
                || servers.get(instance_id),
                |server: &Server| match server.status {
                    ServerStatus::Running => Verdict::Done,
                    ServerStatus::Stopped => Verdict::Failed,
                    // `launching`, or a state this version does not know: keep polling.
                    _ => Verdict::Pending,
                },
            )
            .await?;
        Ok(match finished {
            Finished::Done(server) => ServerOutcome::Running(server),
            Finished::Failed(server) => ServerOutcome::Stopped(server),
            Finished::ExceededMaxWait(e) => ServerOutcome::ExceededMaxWait(e),
        })
    }
}

/// How waiting for a server ended.
#[derive(Debug)]
#[non_exhaustive]
pub enum ServerOutcome {
    /// The server runs: its ports are open ([`Server::endpoints`]).
    Running(Server),
    /// The server stopped before it ran (a crash at startup, a failed download, a TTL, or
    /// someone stopped it): it will not run under this id any more.
    Stopped(Server),
    /// The maximum wait passed; the server was last seen as in [`ExceededMaxWait::last_seen`].
    ExceededMaxWait(ExceededMaxWait<Server>),
}

impl ServerOutcome {
    /// The running server, if it runs.
    ///
    /// ```
    /// # fn f(outcome: playflow::servers::ServerOutcome) {
    /// if let Some(server) = outcome.running() {
    ///     println!("{:?}", server.endpoints().addresses());
    /// }
    /// # }
    /// ```
    pub fn running(self) -> Option<Server> {
        match self {
            Self::Running(server) => Some(server),
            _ => None,
        }
    }

    /// The last status seen (`None` when no poll succeeded).
    ///
    /// ```
    /// # fn f(outcome: playflow::servers::ServerOutcome) {
    /// println!("last seen: {:?}", outcome.status());
    /// # }
    /// ```
    pub fn status(&self) -> Option<&ServerStatus> {
        match self {
            Self::Running(s) | Self::Stopped(s) => Some(&s.status),
            Self::ExceededMaxWait(e) => e.last_seen.as_ref().map(|s| &s.status),
        }
    }
}
