//! Keys: no key is a 401 everywhere but the health check; the client key is a 403 on server-only operations.

use playflow::raw::operations as ops;

use super::harness::{Key, Tour, call, every_operation};

pub(crate) async fn access(t: &mut Tour) {
    // --- Keys: no key → 401 everywhere but health; the client key → 403 on server-only calls.
    t.expect(200, call(ops::GET_HEALTH, "/api/health").key(Key::None))
        .await;
    let client_allowed = [
        ops::GET_HEALTH.operation_id,
        ops::LIST_SERVERS.operation_id,
        ops::GET_SERVER.operation_id,
        ops::START_SERVER.operation_id,
        ops::BROWSE_LOBBIES.operation_id,
        ops::CREATE_LOBBY.operation_id,
        ops::JOIN_LOBBY.operation_id,
        ops::GET_MY_LOBBY.operation_id,
        ops::UPDATE_MY_PLAYER_STATE.operation_id,
        ops::LEAVE_LOBBY.operation_id,
        ops::UPDATE_LOBBY_SETTINGS.operation_id,
        ops::KICK_PLAYER.operation_id,
        ops::START_GAME.operation_id,
        ops::END_MATCH.operation_id,
        ops::START_MATCHMAKING.operation_id,
        ops::CANCEL_MATCHMAKING.operation_id,
        ops::CONFIRM_MATCH.operation_id,
        ops::DECLINE_MATCH.operation_id,
        ops::SUBSCRIBE_LOBBY_EVENTS.operation_id,
        ops::SEND_HEARTBEAT.operation_id,
    ];
    for (op, path) in every_operation() {
        if op == ops::GET_HEALTH {
            continue;
        }
        t.expect(401, call(op, path.clone()).key(Key::None)).await;
        if !client_allowed.contains(&op.operation_id) {
            t.expect(403, call(op, path).key(Key::Client)).await;
        }
    }
}
