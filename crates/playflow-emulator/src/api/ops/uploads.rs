//! The presigned-style upload endpoint: URLs signed with HMAC-SHA256 over the build and expiry,
//! archives streamed to a temporary folder (never held in memory), then checked: a ZIP that
//! holds the build's executable becomes `ready`, anything else `failed` with a reason in the log.

use std::collections::HashMap;
use std::io;
use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::io::AsyncWriteExt;

use crate::api::Shared;
use crate::world::builds::Phase;
use crate::world::clock::delta;
use crate::world::refusal::{ApiError, ApiResult};

type Signer = Hmac<Sha256>;

/// Where archives go, and the secret upload URLs are signed with.
pub(crate) struct UploadStore {
    folder: tempfile::TempDir,
    secret: [u8; 32],
}

impl UploadStore {
    pub(crate) fn new() -> io::Result<UploadStore> {
        Ok(UploadStore {
            folder: tempfile::Builder::new()
                .prefix("playflow-emulator-")
                .tempdir()?,
            secret: rand::random(),
        })
    }

    fn signature(&self, build_id: &str, expires: i64) -> Signer {
        let mut mac = Signer::new_from_slice(&self.secret).expect("HMAC takes keys of any length");
        mac.update(build_id.as_bytes());
        mac.update(b"\n");
        mac.update(expires.to_string().as_bytes());
        mac
    }

    /// The URL to PUT the archive of `build_id` to, valid until `expires`.
    pub(crate) fn url(&self, base_url: &str, build_id: &str, expires: DateTime<Utc>) -> String {
        let expires = expires.timestamp();
        let signature: String = self
            .signature(build_id, expires)
            .finalize()
            .into_bytes()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        format!("{base_url}/_emulator/uploads/{build_id}?expires={expires}&signature={signature}")
    }

    /// Checks a presented URL: 403 when the signature does not match or the URL has expired.
    fn verify(
        &self,
        build_id: &str,
        query: &HashMap<String, String>,
        now: DateTime<Utc>,
    ) -> ApiResult<()> {
        let refused = || {
            ApiError::forbidden(
                "The request signature does not match; use the upload_url exactly as returned",
            )
        };
        let expires: i64 = query
            .get("expires")
            .and_then(|text| text.parse().ok())
            .ok_or_else(refused)?;
        let signature = query
            .get("signature")
            .and_then(|text| decode_hex(text))
            .ok_or_else(refused)?;
        self.signature(build_id, expires)
            .verify_slice(&signature)
            .map_err(|_| refused())?;
        if now.timestamp() > expires {
            return Err(ApiError::forbidden(
                "The upload URL has expired; request a new one",
            ));
        }
        Ok(())
    }

    fn path(&self, build_id: &str) -> PathBuf {
        self.folder.path().join(format!("{build_id}.zip"))
    }
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|index| u8::from_str_radix(&text[index..index + 2], 16).ok())
        .collect()
}

/// `PUT /_emulator/uploads/{build_id}`: receives a build archive.
pub(crate) async fn receive(
    State(shared): State<Arc<Shared>>,
    Path(build_id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    body: Body,
) -> Response {
    match receive_archive(&shared, &build_id, &query, body).await {
        Ok(()) => StatusCode::OK.into_response(),
        Err(error) => error.into_response(),
    }
}

async fn receive_archive(
    shared: &Shared,
    build_id: &str,
    query: &HashMap<String, String>,
    body: Body,
) -> ApiResult<()> {
    shared.uploads.verify(build_id, query, shared.now())?;
    let executable = shared.with_world(|world, now| {
        let build = world
            .builds
            .iter_mut()
            .find(|build| build.id == build_id)
            .ok_or_else(|| ApiError::not_found(format!("No build {build_id}")))?;
        match &mut build.phase {
            _ if build.deleted => Err(ApiError::conflict("The build was deleted")),
            // The URL carries whole seconds; the stored expiry is compared the same way.
            Phase::AwaitingUpload { expires, .. } if expires.timestamp() < now.timestamp() => Err(
                ApiError::forbidden("The upload URL has expired; request a new one"),
            ),
            Phase::AwaitingUpload {
                receiving: true, ..
            } => Err(ApiError::conflict(
                "An upload of this build is already in progress",
            )),
            Phase::AwaitingUpload { receiving, .. } => {
                *receiving = true;
                Ok(build.executable_path.clone())
            }
            _ => Err(ApiError::conflict(
                "This build already has its archive; register a new build to upload again",
            )),
        }
    })?;

    let path = shared.uploads.path(build_id);
    let stored = store(body, &path, shared.config.max_upload_bytes).await;
    let size = match stored {
        Ok(size) => size,
        Err(error) => {
            let _ = tokio::fs::remove_file(&path).await;
            shared.with_world(|world, _| {
                if let Some(build) = world.builds.iter_mut().find(|b| b.id == build_id)
                    && let Phase::AwaitingUpload { receiving, .. } = &mut build.phase
                {
                    *receiving = false;
                }
            });
            return Err(error);
        }
    };

    let inspected_path = path.clone();
    let host = shared.host.clone();
    let unpacked_id = build_id.to_owned();
    let verdict = tokio::task::spawn_blocking(move || {
        let verdict = inspect(&inspected_path, &executable);
        match host {
            // Running the build: unpack it now, as PlayFlow builds its image at processing
            // time, so that an executable that cannot run fails the build, not a server later.
            Some(host) if verdict.ready => {
                unpack(&host, &unpacked_id, &inspected_path, &executable, verdict)
            }
            _ => verdict,
        }
    })
    .await
    .unwrap_or_else(|e| Verdict::failed(format!("archive check crashed: {e}")));

    let orphan = shared.with_world(|world, now| {
        let delay = delta(world.timing.build_delay);
        let Some(build) = world.builds.iter_mut().find(|b| b.id == build_id) else {
            return true;
        };
        if build.deleted {
            return true;
        }
        let mut steps = vec![
            ("info", format!("Upload complete ({size} bytes)")),
            ("info", "Extracting archive".to_owned()),
        ];
        steps.extend(
            verdict
                .lines
                .iter()
                .map(|(level, line)| (*level, line.clone())),
        );
        build.archive = Some(path.clone());
        build.process(now, delay, verdict.ready, steps);
        false
    });
    if orphan {
        let _ = tokio::fs::remove_file(&path).await;
    }
    Ok(())
}

/// Streams `body` to `path`, chunk by chunk; refuses more than `max` bytes.
async fn store(body: Body, path: &FsPath, max: u64) -> ApiResult<u64> {
    let failed = |e: io::Error| ApiError::internal(format!("could not store the archive: {e}"));
    let mut file = tokio::fs::File::create(path).await.map_err(failed)?;
    let mut stream = body.into_data_stream();
    let mut size: u64 = 0;
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::bad_request(format!("The upload was interrupted: {e}")))?;
        size += chunk.len() as u64;
        if size > max {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("Archives may be at most {max} bytes"),
            ));
        }
        file.write_all(&chunk).await.map_err(failed)?;
    }
    file.flush().await.map_err(failed)?;
    Ok(size)
}

/// What checking an archive found: whether the build can become ready, and the log lines.
struct Verdict {
    ready: bool,
    lines: Vec<(&'static str, String)>,
}

impl Verdict {
    fn failed(reason: String) -> Verdict {
        Verdict {
            ready: false,
            lines: vec![("error", reason)],
        }
    }
}

/// Unpacks a checked archive for running; a build that cannot run becomes `failed` with the
/// runner's reason.
fn unpack(
    host: &crate::host::GameHost,
    build_id: &str,
    archive: &FsPath,
    executable: &str,
    mut verdict: Verdict,
) -> Verdict {
    match host.unpack(build_id, archive, executable) {
        Ok(build) if !runnable(build.executable()) => {
            verdict.ready = false;
            verdict.lines.push((
                "error",
                format!(
                    "error: executable `{executable}` cannot be run: it is neither a Linux program \
                     (ELF) nor a script starting with #!"
                ),
            ));
            verdict
        }
        Ok(_) => {
            verdict
                .lines
                .push(("info", format!("Unpacked; {executable} is executable")));
            verdict
        }
        Err(error) => {
            verdict.ready = false;
            verdict.lines.push(("error", format!("error: {error}")));
            verdict
        }
    }
}

/// Whether the kernel can execute the file: an ELF program or a `#!` script (the first bytes).
fn runnable(path: &FsPath) -> bool {
    use std::io::Read as _;
    let mut head = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut file| file.read_exact(&mut head))
        .is_ok_and(|()| head == *b"\x7fELF" || head.starts_with(b"#!"))
}

/// Opens the archive as a ZIP and looks for the executable (blocking: run off the runtime).
fn inspect(path: &FsPath, executable: &str) -> Verdict {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) => return Verdict::failed(format!("error: could not read the archive: {e}")),
    };
    let archive = match zip::ZipArchive::new(file) {
        Ok(archive) => archive,
        Err(e) => {
            return Verdict::failed(format!(
                "error: the upload is not a valid ZIP archive ({e})"
            ));
        }
    };
    let wanted = normalize(executable);
    let names: Vec<String> = archive.file_names().map(normalize).collect();
    if names.contains(&wanted) {
        return Verdict {
            ready: true,
            lines: vec![
                ("info", format!("Archive holds {} entries", names.len())),
                ("info", format!("Found executable {wanted}")),
                ("info", "Building image".to_owned()),
            ],
        };
    }
    let file_name = wanted.rsplit('/').next().unwrap_or(&wanted).to_owned();
    let elsewhere = names
        .iter()
        .find(|name| name.rsplit('/').next() == Some(file_name.as_str()));
    let mut roots: Vec<&str> = names
        .iter()
        .map(|name| name.split('/').next().unwrap_or(name))
        .filter(|root| !root.is_empty())
        .collect();
    roots.sort_unstable();
    roots.dedup();
    let mut reason = format!("error: executable `{wanted}` not found in the archive");
    match elsewhere {
        Some(found) => reason.push_str(&format!(
            "; it is at `{found}`: pass executable_path={found}, or zip the folder's contents"
        )),
        None if roots.is_empty() => reason.push_str("; the archive is empty"),
        None => reason.push_str(&format!(
            "; entries at the archive root: {}",
            roots
                .iter()
                .take(10)
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
    Verdict {
        ready: false,
        lines: vec![
            ("info", format!("Archive holds {} entries", names.len())),
            ("error", reason),
        ],
    }
}

fn normalize(name: &str) -> String {
    let name = name.replace('\\', "/");
    let mut name = name.as_str();
    loop {
        if let Some(rest) = name.strip_prefix("./") {
            name = rest;
        } else if let Some(rest) = name.strip_prefix('/') {
            name = rest;
        } else {
            break;
        }
    }
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_bind_build_and_expiry() {
        let store = UploadStore::new().unwrap();
        let now = Utc::now();
        let expires = now + chrono::TimeDelta::minutes(5);
        let url = store.url("http://127.0.0.1:1", "b1", expires);
        let query: HashMap<String, String> = url
            .split_once('?')
            .unwrap()
            .1
            .split('&')
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap();
                (k.to_owned(), v.to_owned())
            })
            .collect();
        assert!(store.verify("b1", &query, now).is_ok());
        assert_eq!(store.verify("b2", &query, now).unwrap_err().status(), 403);
        let late = now + chrono::TimeDelta::minutes(6);
        assert_eq!(store.verify("b1", &query, late).unwrap_err().status(), 403);
        let mut tampered = query.clone();
        tampered.insert("expires".into(), (expires.timestamp() + 3600).to_string());
        assert_eq!(
            store.verify("b1", &tampered, now).unwrap_err().status(),
            403
        );
    }

    #[test]
    fn names_are_compared_without_leading_dots() {
        assert_eq!(normalize("./Server.x86_64"), "Server.x86_64");
        assert_eq!(normalize("build\\Server.x86_64"), "build/Server.x86_64");
    }
}
