//! The router: every spec path, verbatim, with its handlers, behind the gate; plus the upload
//! endpoint and JSON answers for unknown paths and methods.

use std::sync::Arc;

use axum::Router;
use axum::http::{Method, Uri};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};

use super::error::ApiError;
use super::gate::gate;
use super::state::Shared;
use super::{builds, events, lobby_ops, project, server_ops, uploads};

/// Builds the emulator's router.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let api = Router::new()
        .route("/api/health", get(project::health))
        .route("/api/v3/servers", get(server_ops::list))
        .route("/api/v3/servers/start", post(server_ops::start))
        .route(
            "/api/v3/servers/{instance_id}",
            get(server_ops::get).delete(server_ops::stop),
        )
        .route(
            "/api/v3/servers/{instance_id}/update",
            post(server_ops::update),
        )
        .route(
            "/api/v3/servers/{instance_id}/restart",
            post(server_ops::restart),
        )
        .route("/api/v3/servers/{instance_id}/logs", get(server_ops::logs))
        .route(
            "/api/v3/servers/{instance_id}/metrics",
            get(server_ops::metrics),
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
            get(lobby_ops::browse).post(lobby_ops::create),
        )
        .route("/api/v3/lobbies/{config}/join", post(lobby_ops::join))
        .route(
            "/api/v3/lobbies/{config}/me",
            get(lobby_ops::get_mine)
                .patch(lobby_ops::update_state)
                .delete(lobby_ops::leave),
        )
        .route(
            "/api/v3/lobbies/{config}/me/settings",
            axum::routing::patch(lobby_ops::update_settings),
        )
        .route(
            "/api/v3/lobbies/{config}/me/players/{playerId}",
            axum::routing::delete(lobby_ops::kick),
        )
        .route(
            "/api/v3/lobbies/{config}/me/start",
            post(lobby_ops::start_game),
        )
        .route(
            "/api/v3/lobbies/{config}/me/end-match",
            post(lobby_ops::end_match),
        )
        .route(
            "/api/v3/lobbies/{config}/me/matchmaking",
            post(lobby_ops::start_matchmaking).delete(lobby_ops::cancel_matchmaking),
        )
        .route(
            "/api/v3/lobbies/{config}/me/confirm-match",
            post(lobby_ops::confirm_match).delete(lobby_ops::decline_match),
        )
        .route("/api/v3/lobbies/{config}/me/events", get(events::subscribe))
        .route(
            "/api/v3/lobbies/{config}/me/heartbeat",
            post(lobby_ops::heartbeat),
        )
        .route(
            "/api/v3/lobbies/{config}/{lobbyId}",
            get(lobby_ops::get).delete(lobby_ops::delete),
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
