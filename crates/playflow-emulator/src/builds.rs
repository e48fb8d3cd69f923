//! Builds: records, the `uploading → processing → ready | failed` lifecycle with its logs, soft
//! deletion, and the build operations (the archive upload itself is in `uploads`).

use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Value, json};

use super::clock::{delta, iso};
use super::error::{ApiError, ApiResult};
use super::servers::{LogLine, push_line};
use super::state::{Shared, World};
use super::validate::{Call, issue};
use super::wire;
use crate::raw::enums::{BuildStatus, BuildType};
use crate::raw::types;

/// The executable a ZIP build must contain unless told otherwise.
pub(crate) const DEFAULT_EXECUTABLE: &str = "Server.x86_64";

/// Where a build is in its lifecycle.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Phase {
    /// Registered; the archive may be PUT until `expires`.
    AwaitingUpload {
        expires: DateTime<Utc>,
        receiving: bool,
    },
    /// Being processed until `until`; the outcome is already known.
    Processing {
        until: DateTime<Utc>,
        ready: bool,
    },
    Ready,
    Failed,
}

/// A build.
#[derive(Debug, Clone)]
pub(crate) struct BuildRecord {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) version: i64,
    pub(crate) kind: BuildType,
    pub(crate) executable_path: String,
    pub(crate) image_url: Option<String>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: Option<DateTime<Utc>>,
    pub(crate) phase: Phase,
    pub(crate) deleted: bool,
    pub(crate) archive: Option<PathBuf>,
    /// Processing log; lines dated in the future become visible as time passes.
    pub(crate) logs: Vec<LogLine>,
}

impl BuildRecord {
    pub(crate) fn status(&self) -> BuildStatus {
        if self.deleted {
            return BuildStatus::Deleted;
        }
        match self.phase {
            Phase::AwaitingUpload { .. } => BuildStatus::Uploading,
            Phase::Processing { .. } => BuildStatus::Processing,
            Phase::Ready => BuildStatus::Ready,
            Phase::Failed => BuildStatus::Failed,
        }
    }

    /// The build as the API returns it.
    pub(crate) fn wire(&self) -> Value {
        let build = types::Build {
            build_id: self.id.clone(),
            build_type: Some(self.kind.clone()),
            created_at: self.created_at,
            executable_path: Some(self.executable_path.clone()),
            image_url: self.image_url.clone(),
            name: self.name.clone(),
            status: self.status(),
            updated_at: self.updated_at,
            version: self.version as f64,
        };
        wire::with_nulls(
            wire::value(&build).unwrap_or(Value::Null),
            &["executable_path", "image_url"],
        )
    }

    /// Starts processing at `now`: `steps` are logged spread over the delay, then the outcome.
    pub(crate) fn process(
        &mut self,
        now: DateTime<Utc>,
        delay: TimeDelta,
        ready: bool,
        steps: Vec<(&'static str, String)>,
    ) {
        let until = now + delay;
        let count = steps.len() as i32 + 1;
        for (index, (level, message)) in steps.into_iter().enumerate() {
            let at = now + delay * (index as i32) / count;
            push_line(&mut self.logs, at, level, message);
        }
        let (level, outcome) = if ready {
            ("info", "Build ready")
        } else {
            ("error", "Build failed")
        };
        push_line(&mut self.logs, until, level, outcome.to_owned());
        self.phase = Phase::Processing { until, ready };
        self.updated_at = Some(now);
    }
}

/// Finishes processing that fell due.
pub(crate) fn advance(world: &mut World, now: DateTime<Utc>) {
    for build in world.builds.iter_mut().filter(|build| !build.deleted) {
        if let Phase::Processing { until, ready } = build.phase
            && until <= now
        {
            build.phase = if ready { Phase::Ready } else { Phase::Failed };
            build.updated_at = Some(until);
        }
    }
}

/// The next version number for a build name (numbering never reuses a deleted version).
fn next_version(world: &World, name: &str) -> i64 {
    world
        .builds
        .iter()
        .filter(|build| build.name == name)
        .map(|build| build.version)
        .max()
        .unwrap_or(0)
        + 1
}

/// The build a server deploys: version `version` of `name`, or its newest `ready` version.
pub(crate) fn resolve<'w>(
    world: &'w World,
    name: &str,
    version: Option<i64>,
) -> ApiResult<&'w BuildRecord> {
    let ready = world
        .builds
        .iter()
        .filter(|build| build.name == name && build.status() == BuildStatus::Ready);
    let found = match version {
        Some(version) => ready.into_iter().find(|build| build.version == version),
        None => ready.max_by_key(|build| build.version),
    };
    found.ok_or_else(|| {
        ApiError::not_found(match version {
            Some(version) => format!("No ready build `{name}` version {version} in this project"),
            None => format!(
                "No ready build named `{name}` in this project; upload one and wait until it is ready"
            ),
        })
    })
}

fn find<'w>(world: &'w mut World, id: &str) -> ApiResult<&'w mut BuildRecord> {
    world
        .builds
        .iter_mut()
        .find(|build| build.id == id)
        .ok_or_else(|| ApiError::not_found(format!("No build {id} in this project")))
}

/// `listBuilds`: newest first, optionally one name only; deleted builds are left out.
pub(crate) async fn list(State(shared): State<Arc<Shared>>, call: Call) -> ApiResult<Response> {
    let name = call.text("name").map(str::to_owned);
    let limit = call.int("limit").unwrap_or(50).max(0) as usize;
    let offset = call.int("offset").unwrap_or(0).max(0) as usize;
    shared.with_world(|world, _| {
        let matching: Vec<&BuildRecord> = world
            .builds
            .iter()
            .rev()
            .filter(|build| !build.deleted)
            .filter(|build| name.as_ref().is_none_or(|name| &build.name == name))
            .collect();
        let page: Vec<Value> = matching
            .iter()
            .skip(offset)
            .take(limit)
            .map(|build| build.wire())
            .collect();
        // Written out: the generated BuildList drops an empty `builds`, PlayFlow sends `[]`.
        wire::ok(&json!({"builds": page, "total": matching.len()}))
    })
}

/// `createBuildUploadUrl`: registers a ZIP build and signs an upload URL for it.
pub(crate) async fn create_upload_url(
    State(shared): State<Arc<Shared>>,
    call: Call,
) -> ApiResult<Response> {
    let name = call.text("name").unwrap_or("default").to_owned();
    let executable = call
        .text("executable_path")
        .unwrap_or(DEFAULT_EXECUTABLE)
        .to_owned();
    let mut issues = Vec::new();
    if name.trim().is_empty() {
        issues.push(issue(
            &["query", "name"],
            "String must contain at least 1 character(s)",
            "too_small",
        ));
    }
    if executable.trim().is_empty() {
        issues.push(issue(
            &["query", "executable_path"],
            "String must contain at least 1 character(s)",
            "too_small",
        ));
    }
    if !issues.is_empty() {
        return Err(ApiError::validation(issues));
    }
    let (id, expires) = shared.with_world(|world, now| {
        let id = uuid::Uuid::new_v4().to_string();
        let expires = now + delta(world.timing.upload_url_lifetime);
        let version = next_version(world, &name);
        world.builds.push(BuildRecord {
            id: id.clone(),
            name: name.clone(),
            version,
            kind: BuildType::Zip,
            executable_path: executable,
            image_url: None,
            created_at: now,
            updated_at: None,
            phase: Phase::AwaitingUpload {
                expires,
                receiving: false,
            },
            deleted: false,
            archive: None,
            logs: Vec::new(),
        });
        (id, expires)
    });
    let minutes = (shared.config.upload_url_lifetime.as_secs() / 60).max(1);
    wire::respond(
        StatusCode::CREATED,
        &types::BuildUploadUrl {
            upload_url: shared.uploads.url(&shared.base_url, &id, expires).into(),
            build_id: id,
            name,
            message: format!("Upload URL created; PUT your ZIP to it within {minutes} minutes"),
        },
    )
}

/// `createBuildFromDockerImage`: registers an image build; it processes on its own.
pub(crate) async fn create_from_image(
    State(shared): State<Arc<Shared>>,
    call: Call,
) -> ApiResult<Response> {
    let request: types::DockerImageBuildRequest = call.body()?;
    let image = String::from(request.image_url);
    if image.chars().any(char::is_whitespace) {
        return Err(ApiError::validation(vec![issue(
            &["body", "image_url"],
            "An image reference cannot contain whitespace",
            "value_error",
        )]));
    }
    let name = request.name.unwrap_or_else(|| "default".to_owned());
    let executable = request
        .executable_path
        .unwrap_or_else(|| DEFAULT_EXECUTABLE.to_owned());
    shared.with_world(|world, now| {
        let id = uuid::Uuid::new_v4().to_string();
        let mut steps = Vec::new();
        if let Some(credentials) = &request.registry_credentials {
            let registry = image.split('/').next().unwrap_or_default();
            steps.push((
                "info",
                format!("Logging in to {registry} as {}", credentials.username),
            ));
        }
        steps.push(("info", format!("Pulling image {image}")));
        steps.push(("info", "Image pulled".to_owned()));
        steps.push(("info", format!("Checking for executable {executable}")));
        let mut build = BuildRecord {
            id: id.clone(),
            name: name.clone(),
            version: next_version(world, &name),
            kind: BuildType::DockerImage,
            executable_path: executable,
            image_url: Some(image),
            created_at: now,
            updated_at: None,
            phase: Phase::Ready,
            deleted: false,
            archive: None,
            logs: Vec::new(),
        };
        build.process(now, delta(world.timing.build_delay), true, steps);
        world.builds.push(build);
        wire::ok(&types::BuildActionResponse {
            build_id: id,
            message: "Image build registered; processing started, poll the build for its status"
                .to_owned(),
            status: "accepted".to_owned(),
        })
    })
}

/// `getBuild`.
pub(crate) async fn get(State(shared): State<Arc<Shared>>, call: Call) -> ApiResult<Response> {
    let id = call.path("build_id");
    shared.with_world(|world, _| wire::ok(&find(world, id)?.wire()))
}

/// `deleteBuild`: soft delete; the stored archive is removed.
pub(crate) async fn delete(State(shared): State<Arc<Shared>>, call: Call) -> ApiResult<Response> {
    let id = call.path("build_id");
    let archive = shared.with_world(|world, now| {
        let build = find(world, id)?;
        if !build.deleted {
            build.deleted = true;
            build.updated_at = Some(now);
            build.logs.retain(|line| line.at <= now);
            push_line(&mut build.logs, now, "info", "Build deleted".to_owned());
        }
        Ok::<_, ApiError>(build.archive.take())
    })?;
    if let Some(path) = archive {
        let _ = tokio::fs::remove_file(path).await;
    }
    wire::ok(&types::DeleteBuildResponse {
        message: "Build removed".to_owned(),
        status: "success".to_owned(),
    })
}

/// `processBuild`: processing starts by itself after the upload, so this mostly confirms it.
pub(crate) async fn process(State(shared): State<Arc<Shared>>, call: Call) -> ApiResult<Response> {
    let id = call.path("build_id");
    shared.with_world(|world, _| {
        let build = find(world, id)?;
        if build.deleted {
            return Err(ApiError::conflict(format!("Build {id} is deleted")));
        }
        if let Phase::AwaitingUpload { receiving, .. } = build.phase {
            return Err(ApiError::conflict(if receiving {
                format!("The archive of build {id} is still being uploaded")
            } else {
                format!(
                    "No archive has been uploaded for build {id}; PUT the ZIP to its upload URL first"
                )
            }));
        }
        wire::ok(&types::BuildActionResponse {
            build_id: id.to_owned(),
            message: "Processing started; poll the build for its status".to_owned(),
            status: "accepted".to_owned(),
        })
    })
}

/// `getBuildLogs`: the processing log so far.
pub(crate) async fn logs(State(shared): State<Arc<Shared>>, call: Call) -> ApiResult<Response> {
    let id = call.path("build_id");
    let limit = call.int("limit").unwrap_or(100).max(0) as usize;
    let offset = call.int("offset").unwrap_or(0).max(0) as usize;
    shared.with_world(|world, now| {
        let build = find(world, id)?;
        let visible: Vec<&LogLine> = build.logs.iter().filter(|line| line.at <= now).collect();
        let page: Vec<Value> = visible
            .iter()
            .skip(offset)
            .take(limit)
            .map(|line| json!({"timestamp": iso(line.at), "level": line.level, "message": line.message}))
            .collect();
        wire::ok(&json!({
            "build_id": build.id,
            "status": build.status().as_str(),
            "logs": page,
            "total": visible.len(),
            "limit": limit,
            "offset": offset,
        }))
    })
}
