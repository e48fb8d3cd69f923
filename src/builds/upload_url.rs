//! Registering a build: the [`CreateUploadUrl`] builder (an optional name and executable
//! path) that answers with the presigned URL to PUT the ZIP to.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use crate::Client;
use crate::call::send;
use crate::error::Result;
use crate::keys::ServerKey;
use crate::model::BuildUploadUrl;
use crate::raw::operations;
use crate::validate;

/// A build registration (`POST /api/v3/builds/upload-url`), to give a [`name`](Self::name)
/// and an [`executable_path`](Self::executable_path) and then `.await` (or
/// [`send`](Self::send)). Obtain with [`Builds::create_upload_url`](super::Builds::create_upload_url).
///
/// The answer's URL is a credential: it never shows in `Debug`, and should not be logged.
///
/// ```no_run
/// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
/// let target = client.builds().create_upload_url().name("beta").executable_path("Server.x86_64").await?;
/// println!("upload build {} of {}", target.build_id, target.name);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a registration does nothing until it is awaited or sent"]
pub struct CreateUploadUrl {
    client: Client<ServerKey>,
    name: Option<String>,
    executable_path: Option<String>,
}

impl CreateUploadUrl {
    pub(super) fn new(client: Client<ServerKey>) -> Self {
        Self {
            client,
            name: None,
            executable_path: None,
        }
    }

    /// The build name to version the upload under, e.g. `beta` (default: PlayFlow's,
    /// `default`). An empty name is refused before the request.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.builds().create_upload_url().name("staging").await?;
    /// # Ok(()) }
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The server executable inside the ZIP (default: PlayFlow's, `Server.x86_64`). An empty
    /// path is refused before the request.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.builds().create_upload_url().executable_path("bin/arena-server").await?;
    /// # Ok(()) }
    /// ```
    pub fn executable_path(mut self, path: impl Into<String>) -> Self {
        self.executable_path = Some(path.into());
        self
    }

    /// Send the registration.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let target = client.builds().create_upload_url().send().await?;
    /// # let _ = target; Ok(()) }
    /// ```
    pub fn send(self) -> impl Future<Output = Result<BuildUploadUrl>> + Send + 'static {
        let Self {
            client,
            name,
            executable_path,
        } = self;
        async move {
            let mut call = client.raw().create_build_upload_url();
            if let Some(name) = &name {
                call = call.name(validate::non_empty("name", name)?);
            }
            if let Some(path) = &executable_path {
                call = call.executable_path(validate::non_empty("executable_path", path)?);
            }
            send(operations::CREATE_BUILD_UPLOAD_URL, call.send()).await
        }
    }
}

impl IntoFuture for CreateUploadUrl {
    type Output = Result<BuildUploadUrl>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
