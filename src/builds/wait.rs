//! Waiting for a build to be ready.

use std::time::Duration;

use crate::Client;
use crate::error::Result;
use crate::keys::ServerKey;
use crate::model::{Build, BuildLogs, BuildStatus};
use crate::waiter::{ExceededMaxWait, Finished, Verdict, Waiter};

/// How many log entries a failed build's outcome fetches (the API's largest page).
const FAILED_LOG_LIMIT: u32 = 500;

/// The waiter of [`Builds::wait_until_ready`](super::Builds::wait_until_ready).
pub type BuildReadyWaiter = Waiter<BuildReady>;

/// What [`BuildReadyWaiter`] polls: one build, until it is ready.
#[derive(Debug, Clone)]
pub struct BuildReady {
    client: Client<ServerKey>,
    build_id: String,
}

impl BuildReady {
    pub(super) fn waiter(client: Client<ServerKey>, build_id: String) -> BuildReadyWaiter {
        // Processing takes 1–5 minutes: no point polling more often than every few seconds.
        Waiter::new(
            Self { client, build_id },
            Duration::from_secs(5),
            Duration::from_secs(30),
        )
    }
}

impl Waiter<BuildReady> {
    /// Poll until the build is `ready`, `failed` (then its logs are fetched) or `deleted`, or
    /// `max_wait` passes. Errors that may pass (timeouts, 429, 5xx) are waited out; any other
    /// error (404: no such build) ends the wait.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let outcome = client.builds().wait_until_ready("6f1d2c4b")
    ///     .wait(std::time::Duration::from_secs(600))
    ///     .await?;
    /// let build = outcome.ready().expect("build did not get ready");
    /// # let _ = build; Ok(()) }
    /// ```
    pub async fn wait(self, max_wait: Duration) -> Result<BuildOutcome> {
        let builds = self.poller.client.builds();
        let build_id = &self.poller.build_id;
        let finished = self
            .run(
                max_wait,
                || builds.get(build_id),
                |build: &Build| match build.status {
                    BuildStatus::Ready => Verdict::Done,
                    BuildStatus::Failed | BuildStatus::Deleted => Verdict::Failed,
                    // `uploading`, `processing`, or a state this version does not know.
                    _ => Verdict::Pending,
                },
            )
            .await?;
        Ok(match finished {
            Finished::Done(build) => BuildOutcome::Ready(build),
            Finished::Failed(build) if build.status == BuildStatus::Deleted => {
                BuildOutcome::Deleted(build)
            }
            Finished::Failed(build) => {
                let logs = builds
                    .processing_logs(build_id)
                    .limit(FAILED_LOG_LIMIT)
                    .await;
                BuildOutcome::Failed { build, logs }
            }
            Finished::ExceededMaxWait(e) => BuildOutcome::ExceededMaxWait(e),
        })
    }
}

/// How waiting for a build ended.
#[derive(Debug)]
#[non_exhaustive]
pub enum BuildOutcome {
    /// The build is `ready`: servers can run it.
    Ready(Build),
    /// Processing `failed`.
    Failed {
        /// The failed build.
        build: Build,
        /// Its processing logs (first 500 entries), or why they could not be fetched.
        logs: Result<BuildLogs>,
    },
    /// The build was deleted while waiting.
    Deleted(Build),
    /// The maximum wait passed; the build was last seen as in [`ExceededMaxWait::last_seen`].
    ExceededMaxWait(ExceededMaxWait<Build>),
}

impl BuildOutcome {
    /// The ready build, if it is ready.
    ///
    /// ```
    /// # fn f(outcome: playflow::builds::BuildOutcome) {
    /// if let Some(build) = outcome.ready() {
    ///     println!("v{} is ready", build.version);
    /// }
    /// # }
    /// ```
    pub fn ready(self) -> Option<Build> {
        match self {
            Self::Ready(build) => Some(build),
            _ => None,
        }
    }

    /// The last status seen (`None` when no poll succeeded).
    ///
    /// ```
    /// # fn f(outcome: playflow::builds::BuildOutcome) {
    /// println!("last seen: {:?}", outcome.status());
    /// # }
    /// ```
    pub fn status(&self) -> Option<&BuildStatus> {
        match self {
            Self::Ready(b) | Self::Deleted(b) | Self::Failed { build: b, .. } => Some(&b.status),
            Self::ExceededMaxWait(e) => e.last_seen.as_ref().map(|b| &b.status),
        }
    }
}
