//! ZIP builds: unpacking once, zip-slip, and executables that cannot run.

use std::time::Duration;

use playflow_runner::{BuildCache, BuildError, GameSpec, StartError, echo};

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_echo_build_unpacks_once_and_runs_from_the_cache() {
    let root = tempfile::tempdir().unwrap();
    let archive = root.path().join("echo.zip");
    echo::zip_build(&echo_binary(), &archive).unwrap();
    let cache = BuildCache::new(root.path().join("cache")).unwrap();
    let build = cache.unpack("build-1", &archive, "Server.x86_64").unwrap();
    // The archive may go away: the second call uses the unpacked folder.
    std::fs::remove_file(&archive).unwrap();
    assert_eq!(
        cache.unpack("build-1", &archive, "Server.x86_64").unwrap(),
        build
    );

    let runner = runner();
    let spec = GameSpec::new(build.executable(), root.path().join("s1")).port(udp("game", 7777));
    let mut server = runner.start(spec).await.unwrap();
    until_listening(&mut server).await;
    assert_eq!(
        udp_echo(server.port("game").unwrap().external, b"zip").await,
        b"zip"
    );
    server.stop(Duration::from_secs(5)).await;
}

#[test]
fn a_build_without_its_executable_says_which_one_is_missing() {
    let root = tempfile::tempdir().unwrap();
    let archive = root.path().join("b.zip");
    echo::zip_build_from_files(&archive, &[("Game/game.x86_64", b"#!/bin/sh\n".as_slice())])
        .unwrap();
    let cache = BuildCache::new(root.path().join("cache")).unwrap();
    let error = cache.unpack("b", &archive, "Server.x86_64").unwrap_err();
    assert!(matches!(error, BuildError::MissingExecutable { .. }));
    assert_eq!(
        error.to_string(),
        "executable `Server.x86_64` not found in the build; it holds: Game"
    );
    let error = cache.unpack("b", &archive, "Game").unwrap_err();
    assert_eq!(error.to_string(), "executable `Game` is not a regular file");
    let error = cache.unpack("b", &archive, "../../etc/passwd").unwrap_err();
    assert!(
        matches!(error, BuildError::BadExecutablePath { .. }),
        "{error}"
    );
}

#[test]
fn zip_slip_entries_refuse_the_archive() {
    let root = tempfile::tempdir().unwrap();
    let archive = root.path().join("evil.zip");
    echo::zip_build_from_files(
        &archive,
        &[
            ("Server.x86_64", b"#!/bin/sh\n".as_slice()),
            ("../escaped.txt", b"gotcha".as_slice()),
        ],
    )
    .unwrap();
    let cache = BuildCache::new(root.path().join("cache")).unwrap();
    let error = cache.unpack("evil", &archive, "Server.x86_64").unwrap_err();
    assert!(matches!(error, BuildError::UnsafeEntry { .. }), "{error}");
    assert!(error.to_string().contains("../escaped.txt"), "{error}");
    assert!(!root.path().join("escaped.txt").exists());
    assert!(!root.path().join("cache").join("escaped.txt").exists());

    // A link pointing out of the folder refuses it too.
    let linked = root.path().join("link.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&linked).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("Server.x86_64", options).unwrap();
    std::io::Write::write_all(&mut zip, b"#!/bin/sh\n").unwrap();
    zip.add_symlink("Data/etc", "../../../etc", options)
        .unwrap();
    zip.finish().unwrap();
    let error = cache
        .unpack("linked", &linked, "Server.x86_64")
        .unwrap_err();
    assert!(matches!(error, BuildError::UnsafeEntry { .. }), "{error}");
    assert!(
        error.to_string().contains("Data/etc -> ../../../etc"),
        "{error}"
    );

    // One that stays inside is fine (libraries often come as links).
    let inside = root.path().join("inside.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&inside).unwrap());
    zip.start_file("lib/libgame.so.1", options).unwrap();
    zip.add_symlink("lib/libgame.so", "libgame.so.1", options)
        .unwrap();
    zip.start_file("Server.x86_64", options).unwrap();
    std::io::Write::write_all(&mut zip, b"#!/bin/sh\n").unwrap();
    zip.finish().unwrap();
    let build = cache.unpack("inside", &inside, "Server.x86_64").unwrap();
    assert!(build.folder().join("lib/libgame.so").exists());
}

#[test]
fn a_broken_archive_is_reported() {
    let root = tempfile::tempdir().unwrap();
    let archive = root.path().join("broken.zip");
    std::fs::write(&archive, b"this is not a zip").unwrap();
    let cache = BuildCache::new(root.path().join("cache")).unwrap();
    let error = cache
        .unpack("broken", &archive, "Server.x86_64")
        .unwrap_err();
    assert!(matches!(error, BuildError::BadArchive { .. }), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_or_non_executable_executables_are_named_in_the_error() {
    let root = tempfile::tempdir().unwrap();
    let runner = runner();
    let missing = root.path().join("Server.x86_64");
    let error = runner
        .start(GameSpec::new(&missing, root.path().join("s1")))
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        StartError::Executable(BuildError::MissingExecutable { .. })
    ));
    assert!(
        error.to_string().contains(&missing.display().to_string()),
        "{error}"
    );

    std::fs::write(&missing, b"#!/bin/sh\necho hi\n").unwrap();
    let error = runner
        .start(GameSpec::new(&missing, root.path().join("s2")))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("Server.x86_64"), "{error}");
    assert!(
        error.to_string().contains("no execute permission"),
        "{error}"
    );

    // Executable bits, but not a program.
    std::fs::write(&missing, b"MZ\x90\x00 a Windows build").unwrap();
    crate::lifecycle::make_executable(&missing);
    let error = runner
        .start(GameSpec::new(&missing, root.path().join("s3")))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("Server.x86_64"), "{error}");
    assert!(error.to_string().contains("cannot be run"), "{error}");

    // An ELF for another machine.
    let mut elf = b"\x7fELF\x02\x01\x01\x00".to_vec();
    elf.resize(18, 0);
    elf.extend_from_slice(&0x1234u16.to_le_bytes());
    std::fs::write(&missing, &elf).unwrap();
    let error = runner
        .start(GameSpec::new(&missing, root.path().join("s4")))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("another machine"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_server_runs_from_its_own_mirror_of_the_build_with_its_playflow_json() {
    let root = tempfile::tempdir().unwrap();
    let archive = root.path().join("game.zip");
    let script = b"#!/bin/sh\necho \"exe=$0\"\necho \"pwd=$(pwd)\"\ncat playflow.json; echo\ncat Data/level.txt; echo\necho written > saved.txt\n";
    echo::zip_build_from_files(
        &archive,
        &[
            ("Linux/Server.x86_64", script.as_slice()),
            ("Linux/Data/level.txt", b"level 1".as_slice()),
        ],
    )
    .unwrap();
    let cache = BuildCache::new(root.path().join("cache")).unwrap();
    let build = cache
        .unpack("game", &archive, "Linux/Server.x86_64")
        .unwrap();
    let runner = runner();
    for (server, round) in [("s1", 1), ("s2", 1), ("s1", 2)] {
        let work = root.path().join(server);
        let spec = GameSpec::for_build(&build, &work).session(playflow_runner::SessionInfo {
            instance_id: format!("{server}-{round}"),
            region: "us-east".into(),
            custom_data: serde_json::Value::Null,
        });
        let mut running = runner.start(spec).await.unwrap();
        let (events, exit) = until_exited(&mut running).await;
        assert!(exit.success(), "{events:?}");
        let lines = log_lines(&events);
        let folder = work.join("Linux");
        assert_eq!(
            lines[0],
            format!("exe={}", folder.join("Server.x86_64").display())
        );
        assert_eq!(lines[1], format!("pwd={}", folder.display()));
        let session: serde_json::Value = serde_json::from_str(&lines[2]).unwrap();
        assert_eq!(session["instance_id"], format!("{server}-{round}"));
        assert_eq!(lines[3], "level 1", "the build's other files are reachable");
        assert!(folder.join("saved.txt").is_file());
    }
    // The shared build is untouched.
    assert!(!build.folder().join("Linux/saved.txt").exists());
    assert!(!build.folder().join("Linux/playflow.json").exists());
}
