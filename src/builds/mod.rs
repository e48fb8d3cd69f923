//! Builds (server key only): list, get, delete, logs, upload URLs, Docker-image builds, processing.

use crate::Client;
use crate::call::send;
use crate::error::Result;
use crate::keys::ServerKey;
use crate::model::{
    Build, BuildActionResponse, BuildList, BuildLogs, BuildUploadUrl, DeleteBuildResponse,
    DockerImageBuildRequest,
};
use crate::validate;

impl Client<ServerKey> {
    /// Build calls. Server key only: a client-key client has no `builds()`.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let builds = client.builds().list().send().await?;
    /// # let _ = builds; Ok(()) }
    /// ```
    pub fn builds(&self) -> Builds<'_> {
        Builds { client: self }
    }
}

/// Build calls of a server-key [`Client`]. Obtain with [`Client::builds`].
#[derive(Debug)]
pub struct Builds<'a> {
    client: &'a Client<ServerKey>,
}

impl<'a> Builds<'a> {
    /// A page of builds, optionally of one name.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let page = client.builds().list().name("default").limit(10).send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub fn list(&self) -> ListBuilds<'a> {
        ListBuilds {
            client: self.client,
            name: None,
            limit: None,
            offset: None,
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
    pub async fn get(&self, build_id: &str) -> Result<Build> {
        validate::non_empty("build_id", build_id)?;
        send(
            "get_build",
            self.client.raw().get_build().build_id(build_id).send(),
        )
        .await
    }

    /// Delete a build (a soft delete: its status becomes `deleted`).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.builds().delete("6f1d2c4b").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(&self, build_id: &str) -> Result<DeleteBuildResponse> {
        validate::non_empty("build_id", build_id)?;
        send(
            "delete_build",
            self.client.raw().delete_build().build_id(build_id).send(),
        )
        .await
    }

    /// A build's processing logs (`limit` 1–500).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let logs = client.builds().logs("6f1d2c4b", Some(100), None).await?;
    /// # let _ = logs; Ok(()) }
    /// ```
    pub async fn logs(
        &self,
        build_id: &str,
        limit: Option<u32>,
        offset: Option<u64>,
    ) -> Result<BuildLogs> {
        validate::non_empty("build_id", build_id)?;
        let mut call = self.client.raw().get_build_logs().build_id(build_id);
        if let Some(limit) = limit {
            call = call.limit(validate::limit("limit", limit, 500)?);
        }
        if let Some(offset) = offset {
            call = call.offset(offset);
        }
        send("get_build_logs", call.send()).await
    }

    /// Register a build and get the presigned URL to PUT its ZIP to. `name` defaults to
    /// `default` on the server; `executable_path` is the server binary inside the ZIP.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let target = client.builds().upload_url(Some("default"), Some("Server.x86_64")).await?;
    /// # let _ = target; Ok(()) }
    /// ```
    pub async fn upload_url(
        &self,
        name: Option<&str>,
        executable_path: Option<&str>,
    ) -> Result<BuildUploadUrl> {
        let mut call = self.client.raw().create_build_upload_url();
        if let Some(name) = name {
            call = call.name(validate::non_empty("name", name)?);
        }
        if let Some(path) = executable_path {
            call = call.executable_path(validate::non_empty("executable_path", path)?);
        }
        send("create_build_upload_url", call.send()).await
    }

    /// Create a build from a container image.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> Result<(), Box<dyn std::error::Error>> {
    /// let request = playflow::model::DockerImageBuildRequest::builder()
    ///     .image_url("ghcr.io/acme/arena-server:2.1.0")
    ///     .try_into()?;
    /// let build = client.builds().from_docker_image(request).await?;
    /// # let _ = build; Ok(()) }
    /// ```
    pub async fn from_docker_image(
        &self,
        request: DockerImageBuildRequest,
    ) -> Result<BuildActionResponse> {
        send(
            "create_build_from_docker_image",
            self.client
                .raw()
                .create_build_from_docker_image()
                .body(request)
                .send(),
        )
        .await
    }

    /// Start processing an uploaded build (the upload normally triggers this itself).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.builds().process("6f1d2c4b", None).await?;
    /// # Ok(()) }
    /// ```
    pub async fn process(&self, build_id: &str, name: Option<&str>) -> Result<BuildActionResponse> {
        validate::non_empty("build_id", build_id)?;
        let mut call = self.client.raw().process_build().build_id(build_id);
        if let Some(name) = name {
            call = call.name(name);
        }
        send("process_build", call.send()).await
    }
}

/// A build list request. Obtain with [`Builds::list`].
#[derive(Debug)]
#[must_use]
pub struct ListBuilds<'a> {
    client: &'a Client<ServerKey>,
    name: Option<String>,
    limit: Option<u32>,
    offset: Option<u64>,
}

impl ListBuilds<'_> {
    /// Only builds of this name.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.builds().list().name("beta").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Page size, 1–100 (server default 50).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.builds().list().limit(100).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// How many builds to skip.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.builds().list().offset(100).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = Some(offset);
        self
    }

    /// Fetch this page.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let page = client.builds().list().send().await?;
    /// # let _ = page; Ok(()) }
    /// ```
    pub async fn send(self) -> Result<BuildList> {
        let mut call = self.client.raw().list_builds();
        if let Some(name) = &self.name {
            call = call.name(name.as_str());
        }
        if let Some(v) = self.limit {
            call = call.limit(validate::limit("limit", v, 100)?);
        }
        if let Some(v) = self.offset {
            call = call.offset(v);
        }
        send("list_builds", call.send()).await
    }
}
