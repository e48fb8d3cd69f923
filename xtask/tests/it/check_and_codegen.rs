//! `check` on the real checkout and on temporary copies broken in one way each, and `codegen`.

use std::path::Path;

use crate::common::{real_root, reset_facade, stderr, stdout, temp_repo, xtask};
use xtask::Repo;
use xtask::check::check;

fn write(root: &Path, relative: &str, text: &str) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn read(root: &Path, relative: &str) -> String {
    std::fs::read_to_string(root.join(relative)).unwrap()
}

#[test]
fn check_passes_on_the_real_checkout() {
    let outcome = check(&Repo::new(real_root())).unwrap();
    assert!(outcome.passed(), "{}", outcome.log);
    assert!(outcome.log.contains("low-level only ("), "{}", outcome.log);
}

#[test]
fn check_lists_the_allow_listed_operations() {
    let repo = temp_repo();
    reset_facade(repo.path());
    let out = xtask(&["check", "--root", &repo.path().to_string_lossy()]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let printed = stdout(&out);
    assert!(printed.contains("low-level only (37):"), "{printed}");
    assert!(
        printed.contains("  getHealth (facade pending)"),
        "{printed}"
    );
    assert!(printed.contains("check passed"), "{printed}");
}

#[test]
fn check_fails_when_the_report_snapshot_differs() {
    let repo = temp_repo();
    let snapshot = read(repo.path(), "openapi/normalize-report.txt");
    let edited = snapshot.replacen("# normalizer rewrites: ", "# normalizer rewrites: 1", 1);
    write(repo.path(), "openapi/normalize-report.txt", &edited);

    let out = xtask(&["check", "--root", &repo.path().to_string_lossy()]);
    assert_eq!(out.status.code(), Some(1));
    let printed = stdout(&out);
    assert!(
        printed.contains(
            "FAIL  the normalizer's rewrite report differs from openapi/normalize-report.txt"
        ),
        "{printed}"
    );
    // The unified diff shows the line that differs.
    assert!(printed.contains("-# normalizer rewrites: 1"), "{printed}");
    assert!(stderr(&out).contains("check failed: 1 problem(s)"));
}

#[test]
fn check_fails_when_the_spec_is_not_in_its_stable_form() {
    let repo = temp_repo();
    let spec: serde_json::Value =
        serde_json::from_str(&read(repo.path(), "openapi/playflow.json")).unwrap();
    write(
        repo.path(),
        "openapi/playflow.json",
        &serde_json::to_string(&spec).unwrap(),
    );
    let outcome = check(&Repo::new(repo.path())).unwrap();
    assert_eq!(outcome.failures.len(), 1, "{}", outcome.log);
    assert!(
        outcome.failures[0].contains("is not in its stable written form"),
        "{}",
        outcome.log
    );
}

#[test]
fn check_fails_when_the_spec_does_not_generate() {
    let repo = temp_repo();
    let spec = read(repo.path(), "openapi/playflow.json").replacen(
        "\"type\": \"object\"",
        "\"type\": \"object\", \"prefixItems\": []",
        1,
    );
    write(repo.path(), "openapi/playflow.json", &spec);
    let outcome = check(&Repo::new(repo.path())).unwrap();
    assert!(!outcome.passed());
    assert!(
        outcome.failures[0].contains("unsupported OpenAPI construct at"),
        "{}",
        outcome.log
    );
}

#[test]
fn operations_must_be_reached_by_the_facade_or_allow_listed() {
    let repo = temp_repo();
    reset_facade(repo.path());
    // The facade calls two raw methods; a call in src/raw/ does not count.
    write(
        repo.path(),
        "src/servers.rs",
        "pub async fn health(c: &crate::raw::Client) { let _ = c.get_health().send().await; }\n\
         pub async fn build(c: &crate::raw::Client) { let _ = c.get_build().build_id(\"b\").send().await; }\n",
    );
    write(
        repo.path(),
        "src/raw/extra.rs",
        "fn f(c: &Client) { c.list_builds(); }\n",
    );
    // `getBuild` is no longer listed (it is reached: fine); `listBuilds` is not listed and
    // reached only from src/raw/; `getHealth` is listed but reached; `noSuchOp` is unknown.
    let list = read(repo.path(), "openapi/low-level-only.txt")
        .lines()
        .filter(|l| !l.starts_with("getBuild ") && !l.starts_with("listBuilds "))
        .collect::<Vec<_>>()
        .join("\n")
        + "\nnoSuchOp  # left over\n";
    write(repo.path(), "openapi/low-level-only.txt", &list);

    let outcome = check(&Repo::new(repo.path())).unwrap();
    assert_eq!(outcome.failures.len(), 1, "{}", outcome.log);
    let failure = &outcome.failures[0];
    assert!(
        failure.contains("operation coverage (3 problem(s))"),
        "{failure}"
    );
    assert!(
        failure
            .contains("`listBuilds` is neither called by the facade (`.list_builds(`) nor listed"),
        "{failure}"
    );
    assert!(
        failure.contains(
            "`getHealth` is now called by the facade (`.get_health(`); remove it (stale entry)"
        ),
        "{failure}"
    );
    assert!(
        failure.contains("`noSuchOp` is not an operation of the spec (stale entry)"),
        "{failure}"
    );
    assert!(!failure.contains("`getBuild`"), "{failure}");
    assert!(
        outcome
            .log
            .contains("reached by the facade (2): getBuild, getHealth"),
        "{}",
        outcome.log
    );
}

#[test]
fn allow_list_entries_need_a_reason() {
    let repo = temp_repo();
    reset_facade(repo.path());
    let list: String = read(repo.path(), "openapi/low-level-only.txt")
        .lines()
        .map(|l| {
            if l.starts_with("getHealth ") {
                "getHealth"
            } else {
                l
            }
        })
        .map(|l| format!("{l}\n"))
        .collect();
    write(repo.path(), "openapi/low-level-only.txt", &list);
    let outcome = check(&Repo::new(repo.path())).unwrap();
    assert!(!outcome.passed());
    assert!(
        outcome.log.contains("`getHealth` has no reason"),
        "{}",
        outcome.log
    );
}

#[test]
fn codegen_writes_the_reviewable_outputs() {
    let repo = temp_repo();
    let out_dir = repo.path().join("review");
    let out = xtask(&[
        "codegen",
        "--root",
        &repo.path().to_string_lossy(),
        "--out",
        &out_dir.to_string_lossy(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let normalized: serde_json::Value =
        serde_json::from_str(&read(&out_dir, "playflow.3.0.json")).unwrap();
    assert_eq!(normalized["openapi"], "3.0.3");
    assert_eq!(
        read(&out_dir, "normalize-report.txt"),
        read(repo.path(), "openapi/normalize-report.txt")
    );
    assert!(read(&out_dir, "raw_client.rs").contains("pub fn start_server(&self)"));
    assert!(read(&out_dir, "raw_mock.rs").contains("pub trait MockServerExt"));
    assert!(read(&out_dir, "raw_enums.rs").contains("ServerStatus"));
}
