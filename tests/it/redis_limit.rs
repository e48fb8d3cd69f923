//! Rate limits shared through Redis (feature `redis`) by separate OS processes, as backend
//! replicas are: a real `redis-server` on a free loopback port, and a loopback server that
//! enforces PlayFlow's per-key write window and counts its 429s.
//!
//! Each replica is this test binary again (`current_exe()`), running only
//! [`replica_entry_point`] with its orders in environment variables.

mod support;

use std::time::Duration;

use support::{EnforcingServer, RedisServer, Replicas, Run, SERIAL, Seen};

/// Four replicas, each making this many writes.
const REPLICAS: usize = 4;

/// Not a test: the entry point of the replica processes the tests start (it returns at once
/// when the binary is not running as a replica).
#[test]
fn replica_entry_point() {
    support::replica_main();
}

/// The server's 429s among `seen`.
fn rejected(seen: &[Seen]) -> usize {
    seen.iter().filter(|s| s.status == 429).count()
}

#[test]
fn four_processes_share_one_write_budget_and_get_no_429() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    // A window of 40 writes holds its 40th write 1.05 s after its first at the paced rate,
    // `0.95 × (limit − 1)`/s, whatever the limit: 50 ms of slack for the arrivals' jitter at any
    // scale. This one keeps the run short.
    let limit = 40;
    let writes = 25;

    // Control: each process paces itself to the whole budget; together they exceed it.
    let server = EnforcingServer::start(limit);
    let control = Replicas::run(REPLICAS, &Run::new(&server, limit, 30));
    let seen = server.seen();
    assert_eq!(seen.len(), REPLICAS * 30, "{control:?}");
    assert!(
        rejected(&seen) > 0,
        "without a shared store 4 processes must overrun the limit: {control:?}"
    );

    let redis = RedisServer::start();
    let server = EnforcingServer::start(limit);
    let shared = Replicas::run(REPLICAS, &Run::new(&server, limit, writes).redis(&redis));
    let seen = server.seen();
    assert_eq!(
        seen.len(),
        REPLICAS * writes,
        "every write sent once: {shared:?}"
    );
    assert_eq!(rejected(&seen), 0, "429s with a shared store: {shared:?}");
    assert_eq!(shared.ok(), REPLICAS * writes, "{shared:?}");
    assert!(shared.failures().is_empty(), "{shared:?}");
    // Each process made its own share of the writes: they really ran side by side.
    for replica in 0..REPLICAS {
        let mine = seen.iter().filter(|s| s.replica == replica).count();
        assert_eq!(mine, writes, "replica {replica}");
    }
}

#[test]
fn a_retry_after_seen_by_one_process_holds_all_of_them() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let limit = 10;
    let hold = Duration::from_secs(2);
    let redis = RedisServer::start();
    // The 12th write gets a 429 with `Retry-After: 2`, whatever the window says.
    let server = EnforcingServer::start(limit).reject_nth_write(12, hold);
    let report = Replicas::run(REPLICAS, &Run::new(&server, limit, 8).redis(&redis));
    let seen = server.seen();
    assert_eq!(seen.len(), REPLICAS * 8, "{report:?}");
    let rejected: Vec<_> = seen.iter().filter(|s| s.status == 429).collect();
    assert_eq!(rejected.len(), 1, "only the injected 429: {seen:?}");
    let (held_at, held_by) = (rejected[0].at, rejected[0].replica);
    assert_eq!(report.rejected(), 1, "{report:?}");

    // The hold is stored in Redis when the 429 reaches its replica, so a write another replica
    // had already sent by then may still arrive just after it: allow one slot's worth
    // (50 ms of the 105 ms between two writes). No write may arrive later within the hold.
    let in_flight = Duration::from_millis(50);
    let mut held_others = 0;
    for replica in 0..REPLICAS {
        let next = seen
            .iter()
            .filter(|s| s.replica == replica && s.at > held_at + in_flight)
            .map(|s| s.at)
            .min();
        let Some(next) = next else { continue };
        assert!(
            next >= held_at + hold - Duration::from_millis(20),
            "replica {replica} wrote {:?} after another replica's 429 (replica {held_by}) \
             held writes for {hold:?}",
            next - held_at
        );
        if replica != held_by {
            held_others += 1;
        }
    }
    assert!(held_others >= 2, "the other replicas wrote after the hold");
}

#[test]
fn redis_going_away_paces_locally_and_sharing_resumes_when_it_returns() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    // About 1.3 s shared, 2 s paced locally, then 4 s shared again: 2 s to switch back and 2 s
    // in which no 429 may come.
    let limit = 20;
    let share = 0.2;
    let writes = 32;
    let mut redis = RedisServer::start();
    let server = EnforcingServer::start(limit);
    let run = Run::new(&server, limit, writes)
        .redis(&redis)
        .fallback_share(share);
    let replicas = Replicas::spawn(REPLICAS, &run);

    server.wait_for_writes(24, Duration::from_secs(60));
    let killed_at = server.now();
    redis.kill();
    server.wait_for_writes(24 + 28, Duration::from_secs(60));
    let restarted_at = server.now();
    redis.restart();
    let report = replicas.wait();

    // No call failed because Redis was away (429s during the switch-overs are the server's
    // answers, not failures of the limiter).
    let seen = server.seen();
    assert_eq!(seen.len(), REPLICAS * writes, "{report:?}");
    assert!(report.failures().is_empty(), "{report:?}");
    assert_eq!(
        report.ok() + report.rejected(),
        REPLICAS * writes,
        "{report:?}"
    );

    // While Redis was away the processes paced themselves at `share` of the budget each:
    // after the first local interval, at most 4 × share × 0.95 × (limit − 1) writes per second
    // together (14.4/s; unpaced, they would send hundreds).
    let local_interval = Duration::from_secs_f64(1.0 / (share * 0.95 * (limit as f64 - 1.0)));
    let from = killed_at + local_interval;
    let outage: Vec<_> = seen
        .iter()
        .filter(|s| s.at >= from && s.at < restarted_at)
        .collect();
    let span = (restarted_at - from).as_secs_f64();
    let allowed = REPLICAS as f64 * (span / local_interval.as_secs_f64() + 1.0);
    assert!(
        !outage.is_empty() && outage.len() as f64 <= allowed,
        "{} writes in {span:.2} s of outage (at most {allowed:.1} when paced locally)",
        outage.len()
    );

    // Back on Redis: the restarted server holds the shared schedule again.
    let keys = redis.keys();
    assert!(
        keys.iter().any(|k| k.ends_with(":write:schedule")),
        "no shared schedule in the restarted Redis: {keys:?}"
    );
    let late_rejections = seen
        .iter()
        .filter(|s| s.at > restarted_at + Duration::from_secs(2) && s.status == 429)
        .count();
    assert_eq!(late_rejections, 0, "429s once sharing resumed: {seen:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_keys_hold_no_part_of_the_api_key() {
    let redis = RedisServer::start();
    let server = EnforcingServer::start(10).reject_nth_write(2, Duration::from_millis(200));
    let client = support::Run::new(&server, 10, 0).redis(&redis).client(0);
    for _ in 0..3 {
        let _ = client
            .servers()
            .start_request(support::start_request())
            .await;
    }
    let _ = client.servers().get("s-1").await;
    let keys = redis.keys();
    // The schedules of both classes and the write hold of the injected 429.
    assert!(keys.len() >= 3, "{keys:?}");
    for key in &keys {
        for run in support::KEY.as_bytes().windows(8) {
            let run = std::str::from_utf8(run).unwrap();
            assert!(
                !key.contains(run),
                "Redis key {key:?} contains {run:?} of the API key"
            );
        }
    }
}
