//! Builds: records, the `uploading → processing → ready | failed` lifecycle with its logs, and
//! soft deletion.

use std::path::PathBuf;

use chrono::{DateTime, TimeDelta, Utc};
use playflow::raw::enums::{BuildStatus, BuildType};
use serde_json::Value;

use super::World;
use super::logs::{LogLine, push_line};
use super::refusal::{ApiError, ApiResult};
use super::wire;

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
        let build = built!(Build {
            build_id: self.id.clone(),
            build_type: Some(self.kind.clone()),
            created_at: self.created_at,
            executable_path: Some(self.executable_path.clone()),
            image_url: self.image_url.clone(),
            name: self.name.clone(),
            status: self.status(),
            updated_at: self.updated_at,
            version: self.version as f64,
        });
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
pub(crate) fn next_version(world: &World, name: &str) -> i64 {
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

pub(crate) fn find<'w>(world: &'w mut World, id: &str) -> ApiResult<&'w mut BuildRecord> {
    world
        .builds
        .iter_mut()
        .find(|build| build.id == id)
        .ok_or_else(|| ApiError::not_found(format!("No build {id} in this project")))
}
