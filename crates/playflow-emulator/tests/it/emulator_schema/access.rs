//! Keys: no key is a 401 everywhere but the health check; the client key is a 403 on server-only operations.

use reqwest::Method;

use super::harness::{Key, Tour, call, every_operation};

pub(crate) async fn access(t: &mut Tour) {
    use Method as M;

    // --- Keys: no key → 401 everywhere but health; the client key → 403 on server-only calls.
    t.expect(200, call("getHealth", M::GET, "/api/health").key(Key::None))
        .await;
    let client_allowed = [
        "getHealth",
        "listServers",
        "getServer",
        "startServer",
        "browseLobbies",
        "createLobby",
        "joinLobby",
        "getMyLobby",
        "updateMyPlayerState",
        "leaveLobby",
        "updateLobbySettings",
        "kickPlayer",
        "startGame",
        "endMatch",
        "startMatchmaking",
        "cancelMatchmaking",
        "confirmMatch",
        "declineMatch",
        "subscribeLobbyEvents",
        "sendHeartbeat",
    ];
    for (op, method, path) in every_operation() {
        if op == "getHealth" {
            continue;
        }
        t.expect(401, call(&op, method.clone(), path.clone()).key(Key::None))
            .await;
        if !client_allowed.contains(&op.as_str()) {
            t.expect(403, call(&op, method, path).key(Key::Client))
                .await;
        }
    }
}
