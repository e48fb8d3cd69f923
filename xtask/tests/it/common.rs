//! Helpers shared by the xtask integration tests: a temporary copy of the repository layout, a
//! one-shot loopback HTTP server, and running the `xtask` binary.

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::thread::{self, JoinHandle};

/// The real checkout (read only).
pub fn real_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The spec these tests are written against: the codegen tests' frozen copy of the vendored
/// spec, not `openapi/playflow.json`, so that a refresh to PlayFlow's live spec (other
/// operationIds, fewer of them, another provenance) does not fail them.
pub fn real_spec_text() -> String {
    std::fs::read_to_string(real_root().join(FROZEN[0].0)).unwrap()
}

/// Frozen stand-ins (from the checkout's root) for the files of `openapi/` that `update-spec`
/// rewrites: the spec and its normalizer report (shared with the codegen tests), the provenance.
const FROZEN: [(&str, &str); 3] = [
    (
        "crates/playflow-codegen/tests/data/base.json",
        "playflow.json",
    ),
    (
        "crates/playflow-codegen/tests/data/base.normalize-report.txt",
        "normalize-report.txt",
    ),
    ("xtask/tests/data/PROVENANCE.md", "PROVENANCE.md"),
];

/// A temporary copy of `openapi/` and `src/`, enough for every command, with the files that
/// a refresh rewrites replaced by their frozen copies.
pub fn temp_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let openapi = dir.path().join("openapi");
    copy_tree(&real_root().join("openapi"), &openapi);
    for (frozen, name) in FROZEN {
        std::fs::copy(real_root().join(frozen), openapi.join(name)).unwrap();
    }
    copy_tree(&real_root().join("src"), &dir.path().join("src"));
    dir
}

/// Replace the temporary copy's facade with one file that calls nothing, and allow-list every
/// operation of the spec with the reason "facade pending". Tests of the coverage check start
/// from this fixed state, so they do not change as the real facade grows.
pub fn reset_facade(root: &Path) {
    for entry in std::fs::read_dir(root.join("src")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if ["raw", "emulator"].contains(&name.as_str()) {
            continue;
        }
        if path.is_dir() {
            std::fs::remove_dir_all(&path).unwrap();
        } else {
            std::fs::remove_file(&path).unwrap();
        }
    }
    std::fs::write(root.join("src/lib.rs"), "//! An empty facade.\n").unwrap();
    let spec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("openapi/playflow.json")).unwrap())
            .unwrap();
    let mut list = String::from("# every operation, for the test\n");
    for item in spec["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            if let Some(id) = op.get("operationId").and_then(|v| v.as_str()) {
                list.push_str(&format!("{id}  # facade pending\n"));
            }
        }
    }
    std::fs::write(root.join("openapi/low-level-only.txt"), list).unwrap();
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// Every file of `dir/openapi` with its bytes, to show that nothing changed (temporary files
/// left behind included).
pub fn openapi_snapshot(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(root.join("openapi"))
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&path).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// Run the xtask binary.
pub fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .unwrap()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Serve one HTTP response on a loopback port. Returns the URL to fetch and a handle yielding
/// the request head that was received.
pub fn serve_once(status: &str, body: impl Into<Vec<u8>>) -> (String, JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/api/doc", listener.local_addr().unwrap());
    let status = status.to_string();
    let body = body.into();
    let handle = thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            head.extend_from_slice(&buf[..n]);
        }
        write!(
            stream,
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .unwrap();
        stream.write_all(&body).unwrap();
        String::from_utf8_lossy(&head).into_owned()
    });
    (url, handle)
}
