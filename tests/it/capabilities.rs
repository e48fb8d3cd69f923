//! What each kind of key can call.
//!
//! - The server-only calls do not exist on `Client<ClientKey>`: `compile_fail` doctests with
//!   their error codes, each with a twin that compiles, in `playflow-test-support`
//!   (`crates/playflow-test-support/src/compile_fail.rs`).
//! - The tests here call every server-only method on `Client<ServerKey>` and every method a
//!   game client may use on `Client<ClientKey>`, against a loopback server, and check that each
//!   sends its operation with the right key.

use playflow::raw::operations as ops;
use playflow::{Client, ClientKey, Error, ServerKey};
use playflow_test_support::*;

/// Every call is answered 404, so each returns `NotFound` naming its operation: proof that the
/// method exists, runs its operation, and sends the key.
async fn not_found_server() -> TestServer {
    TestServer::start(|_| Reply::error(404, "Not Found")).await
}

fn operation_of(result: Result<impl std::fmt::Debug, Error>) -> &'static str {
    match result {
        Err(Error::NotFound(api)) => api.operation,
        other => panic!("expected NotFound, got {other:?}"),
    }
}

#[tokio::test]
async fn a_server_key_client_has_the_server_only_calls() {
    let server = not_found_server().await;
    let client: Client<ServerKey> = client(server.url());
    let servers = client.servers();
    let lobbies = client.lobbies("casual");
    let operations = [
        operation_of(client.builds().list().send().await),
        operation_of(client.builds().get("b-1").await),
        operation_of(client.builds().create_upload_url().await),
        operation_of(client.builds().start_processing("b-1").await),
        operation_of(client.builds().processing_logs("b-1").await),
        operation_of(client.project().settings().await),
        operation_of(client.project().logs("-1h").send().await),
        operation_of(servers.restart("s-1", Default::default()).await),
        operation_of(
            servers
                .update_custom_data("s-1", serde_json::Map::new())
                .await,
        ),
        operation_of(servers.logs("s-1").send().await),
        operation_of(servers.metrics("s-1").await),
        operation_of(lobbies.get("l-1").await),
        operation_of(lobbies.delete("l-1").await),
    ];
    assert_eq!(
        operations,
        [
            ops::LIST_BUILDS.name,
            ops::GET_BUILD.name,
            ops::CREATE_BUILD_UPLOAD_URL.name,
            ops::PROCESS_BUILD.name,
            ops::GET_BUILD_LOGS.name,
            ops::GET_PROJECT_SETTINGS.name,
            ops::GET_PROJECT_LOGS.name,
            ops::RESTART_SERVER.name,
            ops::UPDATE_SERVER_CUSTOM_DATA.name,
            ops::GET_SERVER_LOGS.name,
            ops::GET_SERVER_METRICS.name,
            ops::GET_LOBBY.name,
            ops::DELETE_LOBBY.name,
        ]
    );
    // A 404 on stop means the server is gone: stop says so instead of failing.
    assert_eq!(
        servers.stop("s-1").await.unwrap(),
        playflow::servers::StopOutcome::AlreadyStopped
    );
    let seen = server.requests();
    assert_eq!(seen.len(), operations.len() + 1);
    assert!(seen.iter().all(|s| s.header("api-key") == Some(SERVER_KEY)));
}

#[tokio::test]
async fn a_client_key_client_has_the_game_client_calls() {
    let server = not_found_server().await;
    let client: Client<ClientKey> = Client::builder(ClientKey::new(CLIENT_KEY).unwrap())
        .base_url(server.url())
        .no_rate_limit()
        .build()
        .unwrap();
    let operations = [
        operation_of(client.health().await),
        operation_of(client.servers().list().send().await),
        operation_of(client.servers().get("s-1").await),
        operation_of(client.servers().start_request(start_request()).await),
        operation_of(client.lobbies("casual").browse().send().await),
        operation_of(client.lobbies("casual").player("p-1").current().await),
    ];
    assert_eq!(
        operations,
        [
            ops::GET_HEALTH.name,
            ops::LIST_SERVERS.name,
            ops::GET_SERVER.name,
            ops::START_SERVER.name,
            ops::BROWSE_LOBBIES.name,
            ops::GET_MY_LOBBY.name,
        ]
    );
    let seen = server.requests();
    assert_eq!(
        seen[0].header("api-key"),
        None,
        "the health check needs no key"
    );
    assert!(
        seen[1..]
            .iter()
            .all(|s| s.header("api-key") == Some(CLIENT_KEY))
    );
}

/// The escape hatch: every operation stays callable through `raw()`, whatever the key; the
/// server decides.
#[tokio::test]
async fn the_raw_client_reaches_every_operation() {
    let server = TestServer::start(|_| Reply::error(403, "Forbidden")).await;
    let client: Client<ClientKey> = Client::builder(ClientKey::new(CLIENT_KEY).unwrap())
        .base_url(server.url())
        .no_rate_limit()
        .build()
        .unwrap();
    let answer = client
        .raw()
        .get_project_settings()
        .send()
        .await
        .unwrap_err();
    assert_eq!(answer.status().map(|s| s.as_u16()), Some(403));
    let seen = server.requests();
    assert_eq!(seen[0].path, "/api/v3/projects/settings");
    assert_eq!(seen[0].header("api-key"), Some(CLIENT_KEY));
}
