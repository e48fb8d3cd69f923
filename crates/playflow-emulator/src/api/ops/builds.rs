//! The build operations: list, register (ZIP upload URL or Docker image), get, delete, process
//! and logs. Records and their lifecycle are in `world::builds`; the archive upload is `uploads`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use playflow::raw::enums::BuildType;
use playflow::raw::types;
use serde_json::{Value, json};

use crate::api::Shared;
use crate::api::extract::{Call, issue};
use crate::api::respond;
use crate::world::builds::{BuildRecord, DEFAULT_EXECUTABLE, Phase, find, next_version};
use crate::world::clock::{delta, iso};
use crate::world::logs::{LogLine, push_line};
use crate::world::refusal::{ApiError, ApiResult};

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
        respond::ok(&json!({"builds": page, "total": matching.len()}))
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
    respond::with_status(
        StatusCode::CREATED,
        &built!(BuildUploadUrl {
            upload_url: playflow::raw::Secret::from(shared.uploads.url(
                &shared.base_url,
                &id,
                expires
            )),
            build_id: id,
            name,
            message: format!("Upload URL created; PUT your ZIP to it within {minutes} minutes"),
        }),
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
        respond::ok(&built!(BuildActionResponse {
            build_id: id,
            message: "Image build registered; processing started, poll the build for its status"
                .to_owned(),
            status: "accepted".to_owned(),
        }))
    })
}

/// `getBuild`.
pub(crate) async fn get(State(shared): State<Arc<Shared>>, call: Call) -> ApiResult<Response> {
    let id = call.path("build_id");
    shared.with_world(|world, _| respond::ok(&find(world, id)?.wire()))
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
    respond::ok(&built!(DeleteBuildResponse {
        message: "Build removed".to_owned(),
        status: "success".to_owned(),
    }))
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
        respond::ok(&built!(BuildActionResponse {
            build_id: id.to_owned(),
            message: "Processing started; poll the build for its status".to_owned(),
            status: "accepted".to_owned(),
        }))
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
        respond::ok(&json!({
            "build_id": build.id,
            "status": build.status().as_str(),
            "logs": page,
            "total": visible.len(),
            "limit": limit,
            "offset": offset,
        }))
    })
}
