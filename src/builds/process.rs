//! Processing an uploaded build: the [`ProcessBuild`] builder (an optional build name).

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use crate::Client;
use crate::call::send;
use crate::error::Result;
use crate::keys::ServerKey;
use crate::model::BuildActionResponse;
use crate::raw::operations;
use crate::validate;

/// A request to process an uploaded build (`POST /api/v3/builds/{id}/process`), to give a
/// [`name`](Self::name) and then `.await` (or [`send`](Self::send)). The upload normally
/// triggers processing itself. Obtain with
/// [`Builds::start_processing`](super::Builds::start_processing).
///
/// ```no_run
/// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
/// let answer = client.builds().start_processing("6f1d2c4b").name("beta").await?;
/// println!("{}: {}", answer.status, answer.message);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a processing request does nothing until it is awaited or sent"]
pub struct ProcessBuild {
    client: Client<ServerKey>,
    build_id: String,
    name: Option<String>,
}

impl ProcessBuild {
    pub(super) fn new(client: Client<ServerKey>, build_id: String) -> Self {
        Self {
            client,
            build_id,
            name: None,
        }
    }

    /// The build name the upload URL was created under, which keeps version numbering
    /// consistent (default: PlayFlow's). An empty name is refused before the request.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.builds().start_processing("6f1d2c4b").name("staging").await?;
    /// # Ok(()) }
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Send the request.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let answer = client.builds().start_processing("6f1d2c4b").send().await?;
    /// # let _ = answer; Ok(()) }
    /// ```
    pub fn send(self) -> impl Future<Output = Result<BuildActionResponse>> + Send + 'static {
        let Self {
            client,
            build_id,
            name,
        } = self;
        async move {
            validate::non_empty("build_id", &build_id)?;
            let mut call = client.raw().process_build().build_id(&build_id);
            if let Some(name) = &name {
                call = call.name(validate::non_empty("name", name)?);
            }
            send(operations::PROCESS_BUILD, call.send()).await
        }
    }
}

impl IntoFuture for ProcessBuild {
    type Output = Result<BuildActionResponse>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
