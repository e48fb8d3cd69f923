//! Builds from a container image, with registry credentials that never show.

use std::fmt;
use std::time::Duration;

use secrecy::{ExposeSecret as _, SecretString};

use crate::Client;
use crate::error::{InvalidInput, Result};
use crate::keys::ServerKey;
use crate::model::{BuildActionResponse, DockerImageBuildRequest};
use crate::raw::types;

use super::BuildOutcome;

/// A login for a private registry. The password is kept secret: `Debug` shows only the user.
///
/// ```
/// let login = playflow::builds::RegistryLogin::new("acme-ci", "ghp_0123456789abcdef");
/// assert!(!format!("{login:?}").contains("ghp_"));
/// ```
#[derive(Clone)]
pub struct RegistryLogin {
    username: String,
    password: SecretString,
}

impl RegistryLogin {
    /// A user name and a password or access token.
    ///
    /// ```
    /// let login = playflow::builds::RegistryLogin::new("acme-ci", std::env::var("GHCR_TOKEN").unwrap_or_default());
    /// # let _ = login;
    /// ```
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            username: username.into(),
            password: SecretString::from(password.into()),
        }
    }
}

impl fmt::Debug for RegistryLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistryLogin")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// A build from a container image. Obtain with
/// [`Builds::from_docker_image`](super::Builds::from_docker_image).
#[must_use]
pub struct DockerImageBuild {
    client: Client<ServerKey>,
    image_url: String,
    name: Option<String>,
    executable_path: Option<String>,
    login: Option<RegistryLogin>,
}

impl fmt::Debug for DockerImageBuild {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DockerImageBuild")
            .field("image_url", &self.image_url)
            .field("name", &self.name)
            .field("executable_path", &self.executable_path)
            .field("login", &self.login)
            .finish()
    }
}

impl DockerImageBuild {
    pub(super) fn new(client: Client<ServerKey>, image_url: String) -> Self {
        Self {
            client,
            image_url,
            name: None,
            executable_path: None,
            login: None,
        }
    }

    /// The build name to version the image under (default `default`).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.builds().create_from_docker_image("ghcr.io/acme/arena:2.1.0").name("beta").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Path of the server executable inside the image, when not `Server.x86_64`.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.builds().create_from_docker_image("ghcr.io/acme/arena:2.1.0")
    ///     .executable_path("/app/server").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn executable_path(mut self, path: impl Into<String>) -> Self {
        self.executable_path = Some(path.into());
        self
    }

    /// Log in to a private registry (public images need nothing).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// use playflow::builds::RegistryLogin;
    /// client.builds().create_from_docker_image("ghcr.io/acme/arena:2.1.0")
    ///     .registry_login(RegistryLogin::new("acme-ci", std::env::var("GHCR_TOKEN").unwrap_or_default()))
    ///     .send().await?;
    /// # Ok(()) }
    /// ```
    pub fn registry_login(mut self, login: RegistryLogin) -> Self {
        self.login = Some(login);
        self
    }

    fn request(&self) -> Result<DockerImageBuildRequest> {
        let empty = || InvalidInput::new("image_url", "must not be empty");
        if self.image_url.trim().is_empty() {
            return Err(empty().into());
        }
        let image_url = types::DockerImageBuildRequestImageUrl::try_from(self.image_url.as_str())
            .map_err(|_| empty())?;
        let registry_credentials = self
            .login
            .as_ref()
            .map(|login| {
                crate::built::built!(RegistryCredentials {
                    username: login.username.clone(),
                    password: crate::raw::Secret::from(login.password.expose_secret()),
                })
            })
            .transpose()?;
        Ok(crate::built::built!(DockerImageBuildRequest {
            executable_path: self.executable_path.clone(),
            image_url,
            name: self.name.clone(),
            registry_credentials,
        })?)
    }

    /// Register the build; PlayFlow pulls and processes the image on its own.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let accepted = client.builds().create_from_docker_image("ghcr.io/acme/arena:2.1.0").send().await?;
    /// println!("build {}", accepted.build_id);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<BuildActionResponse> {
        let request = self.request()?;
        self.client
            .builds()
            .from_docker_image_request(request)
            .await
    }

    /// Register the build, then wait until it is `ready` (or `failed`, with its logs) for at
    /// most `max_wait`.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let outcome = client.builds().create_from_docker_image("ghcr.io/acme/arena:2.1.0")
    ///     .send_and_wait(std::time::Duration::from_secs(600)).await?;
    /// # let _ = outcome; Ok(()) }
    /// ```
    pub async fn send_and_wait(self, max_wait: Duration) -> Result<BuildOutcome> {
        let client = self.client.clone();
        let accepted = self.send().await?;
        client
            .builds()
            .wait_until_ready(accepted.build_id)
            .wait(max_wait)
            .await
    }
}
