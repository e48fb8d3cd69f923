//! Uploading a ZIP build: checks, upload URL, streamed PUT, a fresh URL on a 403, and waiting.

use std::fmt;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::Stream;
use progenitor_client::ClientInfo as _;
use tokio::io::AsyncRead;
use tokio::sync::watch;
use tokio_util::io::ReaderStream;

use crate::Client;
use crate::error::{InvalidInput, Result};
use crate::keys::ServerKey;
use crate::validate;

use super::BuildOutcome;
use super::archive::{DEFAULT_EXECUTABLE, check_zip_file_async};
use super::presigned::{Progress, ProgressSink, PutError, put_zip};

/// Bytes read from a source per chunk (what main measured at 1.7× `curl -T` for 64 MiB and
/// 1 GiB alike).
const READER_CHUNK: usize = 256 * 1024;

/// What to upload: a ZIP file, or any reader with a known length.
///
/// ```
/// use playflow::builds::UploadSource;
/// let from_path = UploadSource::from("target/server.zip");
/// let from_reader = UploadSource::reader(std::io::Cursor::new(vec![0u8; 16]), 16);
/// # let _ = (from_path, from_reader);
/// ```
pub struct UploadSource(Source);

enum Source {
    Path(PathBuf),
    Reader {
        reader: Pin<Box<dyn AsyncRead + Send>>,
        len: u64,
    },
}

impl UploadSource {
    /// A ZIP file on disk. Checked before any request (exists, non-empty, a ZIP, contains the
    /// executable); re-read from the start if the upload is sent again (a fresh URL, or a
    /// retry after a transient failure).
    ///
    /// ```
    /// let source = playflow::builds::UploadSource::path("build/server.zip");
    /// # let _ = source;
    /// ```
    pub fn path(path: impl Into<PathBuf>) -> Self {
        Self(Source::Path(path.into()))
    }

    /// Exactly `len` bytes of ZIP from `reader` (a pipe, a download, an archive built on the
    /// fly). Only the length can be checked before the request: the central directory sits at
    /// the end of the stream. A reader is read once, so neither a rejected URL nor a transient
    /// failure (5xx, a refused connection) is retried: the error says so, and
    /// [`Error::is_retryable`](crate::Error::is_retryable) tells whether a new upload may succeed.
    ///
    /// ```
    /// let bytes = vec![0u8; 1024];
    /// let source = playflow::builds::UploadSource::reader(std::io::Cursor::new(bytes), 1024);
    /// # let _ = source;
    /// ```
    pub fn reader(reader: impl AsyncRead + Send + 'static, len: u64) -> Self {
        Self(Source::Reader {
            reader: Box::pin(reader),
            len,
        })
    }
}

impl fmt::Debug for UploadSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Source::Path(path) => f.debug_tuple("Path").field(path).finish(),
            Source::Reader { len, .. } => f.debug_struct("Reader").field("len", len).finish(),
        }
    }
}

impl From<PathBuf> for UploadSource {
    fn from(path: PathBuf) -> Self {
        Self::path(path)
    }
}

impl From<&std::path::Path> for UploadSource {
    fn from(path: &std::path::Path) -> Self {
        Self::path(path)
    }
}

impl From<&str> for UploadSource {
    fn from(path: &str) -> Self {
        Self::path(path)
    }
}

impl From<String> for UploadSource {
    fn from(path: String) -> Self {
        Self::path(path)
    }
}

/// A finished upload: the build is registered and its archive stored; PlayFlow processes it
/// next (wait with [`Builds::wait_until_ready`](super::Builds::wait_until_ready)).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadedBuild {
    /// The build's id.
    pub build_id: String,
    /// The build name it was registered under.
    pub name: String,
    /// Bytes uploaded.
    pub bytes: u64,
    /// Whether the first presigned URL was rejected and a fresh one (a new registration, hence
    /// a new `build_id`) was used.
    pub used_fresh_url: bool,
}

/// A build upload. Obtain with [`Builds::upload`](super::Builds::upload).
#[must_use]
pub struct Upload {
    client: Client<ServerKey>,
    source: UploadSource,
    name: Option<String>,
    executable_path: Option<String>,
    progress: ProgressSink,
    timeout: Duration,
}

impl fmt::Debug for Upload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Upload")
            .field("source", &self.source)
            .field("name", &self.name)
            .field("executable_path", &self.executable_path)
            .field("progress", &self.progress)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl Upload {
    pub(super) fn new(client: Client<ServerKey>, source: UploadSource) -> Self {
        Self {
            client,
            source,
            name: None,
            executable_path: None,
            progress: ProgressSink::default(),
            timeout: Duration::from_secs(3600),
        }
    }

    /// The build name to version the upload under (default `default`).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.builds().upload("server.zip").name("beta").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Path of the server executable inside the ZIP (default `Server.x86_64`); a file source
    /// must contain it.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.builds().upload("server.zip").executable_path("Game/Server.x86_64").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn executable_path(mut self, path: impl Into<String>) -> Self {
        self.executable_path = Some(path.into());
        self
    }

    /// Call `callback` as bytes go out (once per chunk: 1 MiB of a file, 256 KiB of a reader;
    /// and with 0 at the start of each attempt).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.builds().upload("server.zip")
    ///     .on_progress(|p| eprint!("\r{:5.1} %", p.fraction() * 100.0))
    ///     .send().await?;
    /// # Ok(()) }
    /// ```
    pub fn on_progress(mut self, callback: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress.callback = Some(Arc::new(callback));
        self
    }

    /// Report progress on a watch channel too; returns the receiving end (for a progress bar in
    /// another task).
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let (upload, mut progress) = client.builds().upload("server.zip").watch_progress();
    /// tokio::spawn(async move {
    ///     while progress.changed().await.is_ok() {
    ///         let p = *progress.borrow();
    ///         eprintln!("{} / {}", p.sent, p.total);
    ///     }
    /// });
    /// upload.send().await?;
    /// # Ok(()) }
    /// ```
    pub fn watch_progress(mut self) -> (Self, watch::Receiver<Progress>) {
        let (sender, receiver) = watch::channel(Progress::default());
        self.progress.channel = Some(sender);
        (self, receiver)
    }

    /// Time limit of the PUT itself (default 1 h), instead of the client's request timeout,
    /// which is meant for API calls, not for gigabytes.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// client.builds().upload("server.zip").timeout(std::time::Duration::from_secs(600)).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Check the archive, register the build, and PUT the archive to the presigned URL,
    /// streamed. If the storage rejects the URL (403: expired or invalid), a fresh URL is
    /// requested once and a file source is sent again. A file source is also sent again after
    /// a transient failure (a refused connection, a timeout, 408, 429, 500–504), under the
    /// client's [`RetryConfig`](crate::RetryConfig): at most its `max_retries`, with its
    /// backoff (or the storage's `Retry-After`), within its `max_elapsed` counted from the
    /// first failure (the PUT itself may take long). Drop the future to cancel.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// let uploaded = client.builds().upload("server.zip").send().await?;
    /// println!("build {} ({} bytes)", uploaded.build_id, uploaded.bytes);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<UploadedBuild> {
        let executable = self
            .executable_path
            .clone()
            .unwrap_or_else(|| DEFAULT_EXECUTABLE.to_owned());
        validate::non_empty("executable_path", &executable)?;
        if let Some(name) = &self.name {
            validate::non_empty("name", name)?;
        }
        let (mut reader, len) = match self.source.0 {
            Source::Path(path) => {
                let len = check_zip_file_async(path.clone(), executable.clone()).await?;
                (Replayable::File(path), len)
            }
            Source::Reader { reader, len } => {
                if len == 0 {
                    return Err(InvalidInput::new("archive", "the reader's length is 0").into());
                }
                (Replayable::Once(Some(reader)), len)
            }
        };
        let builds = self.client.builds();
        let http = self.client.raw().client();
        let retry = self.client.raw().inner().retry_config();
        // Started at the first transient failure; one budget for the whole upload.
        let mut schedule = None;
        let mut attempt = 1u32;
        let mut used_fresh_url = false;
        'register: loop {
            let mut register = builds.create_upload_url().executable_path(&executable);
            if let Some(name) = &self.name {
                register = register.name(name);
            }
            let target = register.await?;
            loop {
                let body = reader.open(len).await?;
                let outcome = put_zip(
                    http,
                    target.upload_url.expose(),
                    body,
                    len,
                    &self.progress,
                    self.timeout,
                )
                .await;
                let (error, reason, server_delay) = match outcome {
                    Ok(()) => {
                        return Ok(UploadedBuild {
                            build_id: target.build_id,
                            name: target.name,
                            bytes: len,
                            used_fresh_url,
                        });
                    }
                    Err(PutError::Rejected(_)) if !used_fresh_url && reader.can_replay() => {
                        used_fresh_url = true;
                        continue 'register;
                    }
                    Err(PutError::Transient {
                        error,
                        reason,
                        server_delay,
                    }) => (error, reason, server_delay),
                    Err(e) => return Err(e.into()),
                };
                if !reader.can_replay() {
                    return Err(read_once(error));
                }
                let delay = retry.as_ref().and_then(|r| {
                    schedule
                        .get_or_insert_with(|| r.schedule())
                        .next_delay(server_delay)
                });
                let Some(delay) = delay else {
                    return Err(error);
                };
                // No URL here: it is the credential.
                tracing::info!(
                    operation = "upload_build",
                    attempt,
                    reason,
                    status = error.status(),
                    delay_ms = delay.as_millis() as u64,
                    "retrying the presigned upload"
                );
                tokio::time::sleep(delay).await;
                attempt += 1;
            }
        }
    }

    /// Upload, then wait until the build is `ready` (or `failed`, with its logs) for at most
    /// `max_wait`, polling every 5–30 s.
    ///
    /// ```no_run
    /// # async fn demo(client: playflow::Client) -> playflow::Result<()> {
    /// use playflow::builds::BuildOutcome;
    /// match client.builds().upload("server.zip").send_and_wait(std::time::Duration::from_secs(600)).await? {
    ///     BuildOutcome::Ready(build) => println!("v{} ready", build.version),
    ///     BuildOutcome::Failed { build, logs } => eprintln!("{} failed: {:?}", build.build_id, logs),
    ///     other => eprintln!("not ready: {:?}", other.status()),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn send_and_wait(self, max_wait: Duration) -> Result<BuildOutcome> {
        let client = self.client.clone();
        let uploaded = self.send().await?;
        client
            .builds()
            .wait_until_ready(uploaded.build_id)
            .wait(max_wait)
            .await
    }
}

/// A transient failure of a reader source, which cannot be sent again: the message says why
/// the client did not retry. Other errors keep their own message.
fn read_once(error: crate::Error) -> crate::Error {
    match error {
        crate::Error::Api(mut api) => {
            api.message = format!(
                "{}; not retried: a reader source is read once (upload from a file to let the client retry)",
                api.message
            );
            crate::Error::Api(api)
        }
        other => other,
    }
}

type Chunks = Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>;

/// The body of each attempt: a file opened afresh, or a reader used once.
enum Replayable {
    File(PathBuf),
    Once(Option<Pin<Box<dyn AsyncRead + Send>>>),
}

impl Replayable {
    fn can_replay(&self) -> bool {
        matches!(self, Self::File(_))
    }

    async fn open(&mut self, len: u64) -> Result<Chunks> {
        match self {
            Self::File(path) => {
                let file = tokio::fs::File::open(&*path).await.map_err(|e| {
                    InvalidInput::new("archive", format!("cannot open `{}`: {e}", path.display()))
                })?;
                let file = tokio::io::AsyncReadExt::take(file, len);
                Ok(Box::pin(ReaderStream::with_capacity(file, READER_CHUNK)))
            }
            Self::Once(reader) => match reader.take() {
                Some(reader) => Ok(Box::pin(ReaderStream::with_capacity(reader, READER_CHUNK))),
                None => Err(InvalidInput::new("archive", "the reader was used already").into()),
            },
        }
    }
}
