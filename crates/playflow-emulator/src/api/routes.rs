//! The router: every spec path, verbatim, with its handlers, behind the gate; plus the upload
//! endpoint and JSON answers for unknown paths and methods.

use std::sync::Arc;

use axum::Router;
use axum::http::{Method, Uri};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};

use super::Shared;
use super::gate::gate;
use super::ops::{builds, events, lobbies, project, servers, uploads};
use crate::world::refusal::ApiError;

/// Builds the emulator's router.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let api = Router::new()
        .route("/api/health", get(project::health))
        .route("/api/v3/servers", get(servers::list))
        .route("/api/v3/servers/start", post(servers::start))
        .route(
            "/api/v3/servers/{instance_id}",
            get(servers::get).delete(servers::stop),
        )
        .route(
            "/api/v3/servers/{instance_id}/update",
            post(servers::update),
        )
        .route(
            "/api/v3/servers/{instance_id}/restart",
            post(servers::restart),
        )
        .route("/api/v3/servers/{instance_id}/logs", get(servers::logs))
        .route(
            "/api/v3/servers/{instance_id}/metrics",
            get(servers::metrics),
        )
        .route("/api/v3/builds", get(builds::list))
        .route("/api/v3/builds/upload-url", post(builds::create_upload_url))
        .route(
            "/api/v3/builds/docker-image",
            post(builds::create_from_image),
        )
        .route(
            "/api/v3/builds/{build_id}",
            get(builds::get).delete(builds::delete),
        )
        .route("/api/v3/builds/{build_id}/process", post(builds::process))
        .route("/api/v3/builds/{build_id}/logs", get(builds::logs))
        .route(
            "/api/v3/projects/settings",
            get(project::get_settings).post(project::update_settings),
        )
        .route("/api/v3/projects/logs", get(project::logs))
        .route(
            "/api/v3/lobbies/{config}",
            get(lobbies::browse).post(lobbies::create),
        )
        .route("/api/v3/lobbies/{config}/join", post(lobbies::join))
        .route(
            "/api/v3/lobbies/{config}/me",
            get(lobbies::get_mine)
                .patch(lobbies::update_state)
                .delete(lobbies::leave),
        )
        .route(
            "/api/v3/lobbies/{config}/me/settings",
            axum::routing::patch(lobbies::update_settings),
        )
        .route(
            "/api/v3/lobbies/{config}/me/players/{playerId}",
            axum::routing::delete(lobbies::kick),
        )
        .route(
            "/api/v3/lobbies/{config}/me/start",
            post(lobbies::start_game),
        )
        .route(
            "/api/v3/lobbies/{config}/me/end-match",
            post(lobbies::end_match),
        )
        .route(
            "/api/v3/lobbies/{config}/me/matchmaking",
            post(lobbies::start_matchmaking).delete(lobbies::cancel_matchmaking),
        )
        .route(
            "/api/v3/lobbies/{config}/me/confirm-match",
            post(lobbies::confirm_match).delete(lobbies::decline_match),
        )
        .route("/api/v3/lobbies/{config}/me/events", get(events::subscribe))
        .route(
            "/api/v3/lobbies/{config}/me/heartbeat",
            post(lobbies::heartbeat),
        )
        .route(
            "/api/v3/lobbies/{config}/{lobbyId}",
            get(lobbies::get).delete(lobbies::delete),
        )
        .route_layer(from_fn_with_state(shared.clone(), gate));
    Router::new()
        .route("/_emulator/uploads/{build_id}", put(uploads::receive))
        .merge(api)
        .fallback(unknown_path)
        .method_not_allowed_fallback(unknown_method)
        .with_state(shared)
}

async fn unknown_path(method: Method, uri: Uri) -> Response {
    ApiError::not_found(format!("No route for {method} {}", uri.path())).into_response()
}

async fn unknown_method(method: Method, uri: Uri) -> Response {
    ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        format!("{} does not accept {method}", uri.path()),
    )
    .into_response()
}
