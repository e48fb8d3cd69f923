//! Builds (server key only): upload a ZIP or register a Docker image, wait until ready, list,
//! get, delete, logs, processing.
//!
//! [`Builds`] is the handle; each call with options is a builder of its own child module
//! ([`ListBuilds`], [`Upload`], [`CreateUploadUrl`], [`DockerImageBuild`], [`ProcessBuild`],
//! [`BuildLogsRequest`]), owning a clone of the client.

mod archive;
mod docker;
mod fields;
mod list;
mod logs;
mod presigned;
mod process;
mod upload;
mod upload_url;
mod wait;

use crate::raw::operations;
use std::future::Future;

use crate::Client;
use crate::call::send;
use crate::error::Result;
use crate::keys::ServerKey;
use crate::model::{
    Build, BuildActionResponse, BuildLogs, BuildUploadUrl, DeleteBuildResponse,
    DockerImageBuildRequest,
};
use crate::validate;

pub use archive::DEFAULT_EXECUTABLE;
pub use docker::{DockerImageBuild, RegistryLogin};
pub use list::ListBuilds;
pub use logs::BuildLogsRequest;
pub use presigned::Progress;
pub use process::ProcessBuild;
pub use upload::{Upload, UploadSource, UploadedBuild};
pub use upload_url::CreateUploadUrl;
pub use wait::{BuildOutcome, BuildReady, BuildReadyWaiter};

impl Client<ServerKey> {
    /// Build calls. Server key only: a client-key client has no `builds()`.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let builds = client.builds().list().send().await?;
    /// # let _ = builds; Ok(()) }
    /// ```
    pub fn builds(&self) -> Builds {
        Builds {
            client: self.clone(),
        }
    }
}

/// Build calls of a server-key [`Client`]. Obtain with [`Client::builds`].
///
/// The handle owns a clone of the client, as do its builders, waiters and futures: all are
/// `Send + 'static`.
#[derive(Debug, Clone)]
pub struct Builds {
    client: Client<ServerKey>,
}

impl Builds {
    /// A page of builds, optionally of one name, or all of them as a stream
    /// ([`ListBuilds::stream`]).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let page = client.builds().list().name("default").limit(10).send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub fn list(&self) -> ListBuilds {
        ListBuilds {
            client: self.client.clone(),
            name: None,
            window: Default::default(),
        }
    }

    /// One build by id.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let build = client.builds().get("6f1d2c4b").await?;
    /// println!("{}", build.status);
    /// # Ok(()) }
    /// ```
    pub fn get(&self, build_id: &str) -> impl Future<Output = Result<Build>> + Send + 'static {
        let client = self.client.clone();
        let build_id = build_id.to_owned();
        async move {
            validate::non_empty("build_id", &build_id)?;
            send(
                operations::GET_BUILD,
                client.raw().get_build().build_id(&build_id).send(),
            )
            .await
        }
    }

    /// Delete a build (a soft delete: its status becomes `deleted`).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.builds().delete("6f1d2c4b").await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(
        &self,
        build_id: &str,
    ) -> impl Future<Output = Result<DeleteBuildResponse>> + Send + 'static {
        let client = self.client.clone();
        let build_id = build_id.to_owned();
        async move {
            validate::non_empty("build_id", &build_id)?;
            send(
                operations::DELETE_BUILD,
                client.raw().delete_build().build_id(&build_id).send(),
            )
            .await
        }
    }

    /// A page of a build's processing logs: `.await` the [`BuildLogsRequest`], after an
    /// optional [`limit`](BuildLogsRequest::limit) (1–500) and
    /// [`offset`](BuildLogsRequest::offset).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let logs = client.builds().processing_logs("6f1d2c4b").limit(100).await?;
    /// # let _ = logs; Ok(()) }
    /// ```
    pub fn processing_logs(&self, build_id: impl Into<String>) -> BuildLogsRequest {
        BuildLogsRequest::new(self.client.clone(), build_id.into())
    }

    /// A build's processing logs (`limit` 1–500), with positional options.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// // Instead of `logs("6f1d2c4b", Some(100), None)`:
    /// let logs = client.builds().processing_logs("6f1d2c4b").limit(100).await?;
    /// # let _ = logs; Ok(()) }
    /// ```
    #[deprecated(note = "use the builder: `processing_logs(id).limit(..).offset(..)`")]
    pub fn logs(
        &self,
        build_id: &str,
        limit: Option<u32>,
        offset: Option<u64>,
    ) -> impl Future<Output = Result<BuildLogs>> + Send + 'static {
        let mut request = self.processing_logs(build_id);
        if let Some(limit) = limit {
            request = request.limit(limit);
        }
        if let Some(offset) = offset {
            request = request.offset(offset);
        }
        request.send()
    }

    /// Upload a ZIP build: from a path (`&str`, `String`, `Path`, `PathBuf`) or from any reader
    /// with a length ([`UploadSource::reader`]). The archive is checked before any request,
    /// then streamed to storage; see [`Upload`].
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// use playflow::builds::BuildOutcome;
    /// let outcome = client.builds()
    ///     .upload("target/server.zip")
    ///     .name("beta")
    ///     .on_progress(|p| eprint!("\r{} / {} bytes", p.sent, p.total))
    ///     .send_and_wait(std::time::Duration::from_secs(600))
    ///     .await?;
    /// if let BuildOutcome::Failed { logs, .. } = &outcome { eprintln!("{logs:?}"); }
    /// # Ok(()) }
    /// ```
    pub fn upload(&self, source: impl Into<UploadSource>) -> Upload {
        Upload::new(self.client.clone(), source.into())
    }

    /// Wait until a build is `ready` (done), or `failed` / `deleted`. Polls every 5–30 s by
    /// default; configure, then call [`wait`](crate::waiter::Waiter::wait).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// use playflow::builds::BuildOutcome;
    /// match client.builds().wait_until_ready("6f1d2c4b").wait(std::time::Duration::from_secs(600)).await? {
    ///     BuildOutcome::Ready(build) => println!("v{} ready", build.version),
    ///     BuildOutcome::Failed { logs, .. } => eprintln!("failed: {logs:?}"),
    ///     other => eprintln!("gave up at {:?}", other.status()),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn wait_until_ready(&self, build_id: impl Into<String>) -> BuildReadyWaiter {
        BuildReady::waiter(self.client.clone(), build_id.into())
    }

    /// Register a build and get the presigned URL to PUT its ZIP to (what [`Self::upload`]
    /// does first): `.await` the [`CreateUploadUrl`], after an optional
    /// [`name`](CreateUploadUrl::name) (PlayFlow's default: `default`) and
    /// [`executable_path`](CreateUploadUrl::executable_path) (the server binary inside the
    /// ZIP). The URL is a credential: do not log it.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let target = client.builds().create_upload_url().name("beta").await?;
    /// # let _ = target; Ok(()) }
    /// ```
    pub fn create_upload_url(&self) -> CreateUploadUrl {
        CreateUploadUrl::new(self.client.clone())
    }

    /// Register a build and get its presigned upload URL, with positional options.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// // Instead of `upload_url(Some("default"), Some("Server.x86_64"))`:
    /// let target = client.builds().create_upload_url().name("default").executable_path("Server.x86_64").await?;
    /// # let _ = target; Ok(()) }
    /// ```
    #[deprecated(note = "use the builder: `create_upload_url().name(..).executable_path(..)`")]
    pub fn upload_url(
        &self,
        name: Option<&str>,
        executable_path: Option<&str>,
    ) -> impl Future<Output = Result<BuildUploadUrl>> + Send + 'static {
        let mut request = self.create_upload_url();
        if let Some(name) = name {
            request = request.name(name);
        }
        if let Some(path) = executable_path {
            request = request.executable_path(path);
        }
        request.send()
    }

    /// A build from a container image, to configure (name, registry login) and send; see
    /// [`DockerImageBuild`].
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let accepted = client.builds().create_from_docker_image("ghcr.io/acme/arena-server:2.1.0").send().await?;
    /// # let _ = accepted; Ok(()) }
    /// ```
    pub fn create_from_docker_image(&self, image_url: impl Into<String>) -> DockerImageBuild {
        DockerImageBuild::new(self.client.clone(), image_url.into())
    }

    /// The former name of [`Self::create_from_docker_image`] (it is no constructor).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// # #[allow(deprecated)]
    /// let accepted = client.builds().from_docker_image("ghcr.io/acme/arena-server:2.1.0").send().await?;
    /// # let _ = accepted; Ok(()) }
    /// ```
    #[deprecated(note = "renamed `create_from_docker_image`")]
    pub fn from_docker_image(&self, image_url: impl Into<String>) -> DockerImageBuild {
        self.create_from_docker_image(image_url)
    }

    /// Create a build from a prepared request body. [`Self::create_from_docker_image`] builds that body
    /// for you; either way the registry password is a [`Secret`](crate::raw::Secret) that never
    /// shows in `Debug`.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let request = playflow::model::DockerImageBuildRequest::builder()
    ///     .image_url("ghcr.io/acme/arena-server:2.1.0")
    ///     .try_into()?;
    /// let build = client.builds().from_docker_image_request(request).await?;
    /// # let _ = build; Ok(()) }
    /// ```
    pub fn from_docker_image_request(
        &self,
        request: DockerImageBuildRequest,
    ) -> impl Future<Output = Result<BuildActionResponse>> + Send + 'static {
        let client = self.client.clone();
        async move {
            send(
                operations::CREATE_BUILD_FROM_DOCKER_IMAGE,
                client
                    .raw()
                    .create_build_from_docker_image()
                    .body(request)
                    .send(),
            )
            .await
        }
    }

    /// Start processing an uploaded build (the upload normally triggers this itself):
    /// `.await` the [`ProcessBuild`], after an optional [`name`](ProcessBuild::name).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.builds().start_processing("6f1d2c4b").name("beta").await?;
    /// # Ok(()) }
    /// ```
    pub fn start_processing(&self, build_id: impl Into<String>) -> ProcessBuild {
        ProcessBuild::new(self.client.clone(), build_id.into())
    }

    /// Start processing an uploaded build, with a positional option.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// // Instead of `process("6f1d2c4b", None)`:
    /// client.builds().start_processing("6f1d2c4b").await?;
    /// # Ok(()) }
    /// ```
    #[deprecated(note = "use the builder: `start_processing(id).name(..)`")]
    pub fn process(
        &self,
        build_id: &str,
        name: Option<&str>,
    ) -> impl Future<Output = Result<BuildActionResponse>> + Send + 'static {
        let mut request = self.start_processing(build_id);
        if let Some(name) = name {
            request = request.name(name);
        }
        request.send()
    }
}
