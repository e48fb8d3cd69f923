//! CPU and memory of a game server: the whole process group, children included.

use std::time::Duration;

use playflow_runner::GameSpec;

use crate::common::*;
use crate::lifecycle::make_executable;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_counts_the_game_and_the_children_it_starts() {
    let root = tempfile::tempdir().unwrap();
    let script = root.path().join("Server.x86_64");
    // A game that starts a helper, which starts one of its own, then waits.
    std::fs::write(
        &script,
        "#!/bin/sh\nsh -c 'sleep 60 & sleep 60' &\necho started\nwait\n",
    )
    .unwrap();
    make_executable(&script);
    let runner = runner();
    let server = runner
        .start(GameSpec::new(&script, root.path().join("s1")))
        .await
        .unwrap();
    let pgid = server.pid();
    // The game, the helper (or the `sleep` it becomes: some shells exec their last command)
    // and the helper's background `sleep`: at least three, all in the game's group.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let usage = loop {
        let usage = server.usage().await;
        let members = group_members(pgid).len();
        if usage.processes >= 3 && usage.processes == members {
            break usage;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "usage saw {} processes, the group has {members}: {usage:?}",
            usage.processes
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(usage.memory_bytes > 0, "{usage:?}");
    assert_eq!(server.cpu_and_memory().processes, group_members(pgid).len());
    server.stop(Duration::from_secs(5)).await;
}
