//! `update-spec` from a file and from a loopback HTTP server, on a temporary copy of the
//! repository layout: good specs are vendored in the stable form with their provenance; bad ones
//! are clear errors that leave every vendored file untouched.

use serde_json::{Value, json};

use crate::common::{openapi_snapshot, serve_once, stderr, stdout, temp_repo, xtask};

/// `update-spec` without the scratch build: these temporary copies hold `openapi/` and `src/`
/// only, not a workspace (the build is tested on a workspace of its own below).
fn update(root: &std::path::Path, from: &str) -> std::process::Output {
    xtask(&[
        "update-spec",
        "--root",
        &root.to_string_lossy(),
        "--from",
        from,
        "--skip-build-check",
    ])
}

/// The vendored spec with one more optional response field on `Server`.
fn spec_with_new_server_field() -> Value {
    let mut spec: Value = serde_json::from_str(&crate::common::real_spec_text()).unwrap();
    spec.pointer_mut("/components/schemas/Server/properties")
        .unwrap()
        .as_object_mut()
        .unwrap()
        .insert(
            "cost_per_hour".into(),
            json!({"type": ["number", "null"], "description": "Price of the instance."}),
        );
    spec
}

fn provenance(root: &std::path::Path) -> String {
    std::fs::read_to_string(root.join("openapi/PROVENANCE.md")).unwrap()
}

#[test]
fn rewriting_the_vendored_spec_from_itself_leaves_it_byte_identical() {
    let repo = temp_repo();
    let spec_path = repo.path().join("openapi/playflow.json");
    let before = std::fs::read(&spec_path).unwrap();
    let old_provenance = provenance(repo.path());

    let out = update(repo.path(), &spec_path.to_string_lossy());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(&spec_path).unwrap(), before);
    assert!(
        stdout(&out).contains("openapi/playflow.json unchanged"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("No change to the wire, no change to the facade"),
        "{}",
        stdout(&out)
    );

    // Provenance: the section is added below the title, everything else kept.
    let first = provenance(repo.path());
    assert!(
        first.contains("## Last refreshed\n\n- Source: `"),
        "{first}"
    );
    assert!(
        first.contains("- Document: OpenAPI 3.1.0, API version"),
        "{first}"
    );
    assert!(first.contains("37 operations, 52 schemas"), "{first}");
    let rest = old_provenance.split_once('\n').unwrap().1.trim_start();
    assert!(
        first.ends_with(rest),
        "the rest of PROVENANCE.md was not kept"
    );

    // A second refresh replaces the section instead of adding another.
    let out = update(repo.path(), &spec_path.to_string_lossy());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(provenance(repo.path()), first);
    assert_eq!(first.matches("## Last refreshed").count(), 1);
}

#[test]
fn a_changed_spec_from_a_file_is_vendored_in_the_stable_form_with_a_change_report() {
    let repo = temp_repo();
    let new_spec = spec_with_new_server_field();
    let source = repo.path().join("downloaded.json");
    // Compact on input: the vendored copy must still be the pretty form.
    std::fs::write(&source, serde_json::to_string(&new_spec).unwrap()).unwrap();

    let out = update(repo.path(), &source.to_string_lossy());
    assert!(out.status.success(), "{}", stderr(&out));
    let vendored = std::fs::read_to_string(repo.path().join("openapi/playflow.json")).unwrap();
    assert_eq!(
        vendored,
        serde_json::to_string_pretty(&new_spec).unwrap() + "\n"
    );
    let printed = stdout(&out);
    assert!(
        printed.contains("openapi/playflow.json updated"),
        "{printed}"
    );
    assert!(
        printed.contains(
            "**non-breaking** response field `Server.cost_per_hour` added (optional, `number`)"
        ),
        "{printed}"
    );
    // `type: [number, null]` is one more normalizer rewrite: the snapshot is rewritten with
    // the spec (so `xtask check` passes) and shown for review.
    assert!(
        printed.contains("note: the normalizer's rewrite report changed"),
        "{printed}"
    );
    let snapshot =
        std::fs::read_to_string(repo.path().join("openapi/normalize-report.txt")).unwrap();
    assert!(
        snapshot.contains("/components/schemas/Server/properties/cost_per_hour"),
        "{snapshot}"
    );
    assert!(
        provenance(repo.path()).contains(&format!("- Source: `{}`", source.display())),
        "{}",
        provenance(repo.path())
    );
}

#[test]
fn a_spec_from_a_loopback_server_is_vendored_and_its_url_recorded_without_query() {
    let repo = temp_repo();
    let body = serde_json::to_string_pretty(&spec_with_new_server_field()).unwrap();
    let (url, server) = serve_once("200 OK", body);
    let out = update(repo.path(), &format!("{url}?token=s3cret"));
    let request = server.join().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        request.starts_with("GET /api/doc?token=s3cret HTTP/1.1\r\n"),
        "{request}"
    );

    let vendored = std::fs::read_to_string(repo.path().join("openapi/playflow.json")).unwrap();
    assert!(vendored.contains("\"cost_per_hour\""));
    let provenance = provenance(repo.path());
    assert!(
        provenance.contains(&format!("- Source: `{url} (query omitted)`")),
        "{provenance}"
    );
    assert!(!provenance.contains("s3cret") && !stdout(&out).contains("s3cret"));
}

/// Run `update-spec` against a source that must be refused; return its stderr after checking
/// the exit code and that `openapi/` is byte-for-byte as before (no temporary files left).
fn refused(root: &std::path::Path, from: &str) -> String {
    let before = openapi_snapshot(root);
    let out = update(root, from);
    assert_eq!(out.status.code(), Some(1), "stdout: {}", stdout(&out));
    assert_eq!(openapi_snapshot(root), before, "openapi/ was modified");
    let err = stderr(&out);
    assert!(err.contains("were left untouched"), "{err}");
    err
}

#[test]
fn an_openapi_3_0_document_is_refused() {
    let repo = temp_repo();
    let mut spec = spec_with_new_server_field();
    spec["openapi"] = json!("3.0.3");
    let (url, server) = serve_once("200 OK", spec.to_string());
    let err = refused(repo.path(), &url);
    server.join().unwrap();
    assert!(
        err.contains("the spec is OpenAPI 3.0.3; expected OpenAPI 3.1.x"),
        "{err}"
    );
}

#[test]
fn a_swagger_2_document_is_refused() {
    let repo = temp_repo();
    let source = repo.path().join("swagger.json");
    std::fs::write(
        &source,
        r#"{"swagger": "2.0", "info": {"title": "x", "version": "1"}, "paths": {}}"#,
    )
    .unwrap();
    let err = refused(repo.path(), &source.to_string_lossy());
    assert!(
        err.contains("the spec is Swagger 2.0; expected OpenAPI 3.1.x"),
        "{err}"
    );
}

#[test]
fn invalid_json_is_refused() {
    let repo = temp_repo();
    let (url, server) = serve_once("200 OK", "<html>maintenance</html>");
    let err = refused(repo.path(), &url);
    server.join().unwrap();
    assert!(err.contains("the spec is not valid JSON"), "{err}");

    let source = repo.path().join("truncated.json");
    let text = crate::common::real_spec_text();
    std::fs::write(&source, &text[..text.len() / 2]).unwrap();
    let err = refused(repo.path(), &source.to_string_lossy());
    assert!(err.contains("the spec is not valid JSON"), "{err}");
}

#[test]
fn a_spec_the_normalizer_rejects_is_refused_with_the_pointer() {
    let repo = temp_repo();
    let mut spec = spec_with_new_server_field();
    spec.pointer_mut("/components/schemas/Server/properties")
        .unwrap()
        .as_object_mut()
        .unwrap()
        .insert(
            "position".into(),
            json!({"type": "array", "prefixItems": [{"type": "number"}, {"type": "number"}]}),
        );
    let (url, server) = serve_once("200 OK", spec.to_string());
    let err = refused(repo.path(), &url);
    server.join().unwrap();
    assert!(err.contains("code generation rejects the spec"), "{err}");
    assert!(
        err.contains(
            "unsupported OpenAPI construct at /components/schemas/Server/properties/position/prefixItems"
        ),
        "{err}"
    );
}

#[test]
fn an_http_error_is_refused() {
    let repo = temp_repo();
    let (url, server) = serve_once("503 Service Unavailable", "{}");
    let err = refused(repo.path(), &url);
    server.join().unwrap();
    assert!(
        err.contains("returned HTTP 503 Service Unavailable"),
        "{err}"
    );
}

#[test]
fn a_missing_file_is_refused() {
    let repo = temp_repo();
    let missing = repo.path().join("nope.json");
    let err = refused(repo.path(), &missing.to_string_lossy());
    assert!(err.contains("cannot read"), "{err}");
}

#[test]
fn a_broken_provenance_section_stops_the_update_before_anything_is_written() {
    let repo = temp_repo();
    let provenance_path = repo.path().join("openapi/PROVENANCE.md");
    let broken = provenance(repo.path()).replacen(
        "\n",
        "\n<!-- last-refreshed: begin (written by `cargo xtask update-spec`, replaced on every refresh) -->\n",
        1,
    );
    std::fs::write(&provenance_path, broken).unwrap();
    let source = repo.path().join("new.json");
    std::fs::write(&source, spec_with_new_server_field().to_string()).unwrap();
    let err = refused(repo.path(), &source.to_string_lossy());
    assert!(err.contains("broken \"Last refreshed\" section"), "{err}");
}

/// A workspace of one crate standing in for the facade: its build script gives `Server` a
/// `network_ports` field only while a schema of the spec has that property, and the library
/// reads that field.
fn fake_workspace(spec: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("openapi")).unwrap();
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(root.join("openapi/playflow.json"), spec).unwrap();
    std::fs::write(
        root.join("Cargo.toml"),
        "[package]\nname = \"facade\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::write(
        root.join("build.rs"),
        r#"fn main() {
    println!("cargo::rerun-if-changed=openapi/playflow.json");
    let spec = std::fs::read_to_string("openapi/playflow.json").unwrap();
    let field = if spec.contains("\"network_ports\": {") { "pub network_ports: ()," } else { "" };
    let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("types.rs");
    std::fs::write(out, format!("pub struct Server {{ {field} }}")).unwrap();
}
"#,
    )
    .unwrap();
    std::fs::write(
        root.join("src/lib.rs"),
        "include!(concat!(env!(\"OUT_DIR\"), \"/types.rs\"));\npub fn ports(s: Server) { let () = s.network_ports; }\n",
    )
    .unwrap();
    dir
}

fn update_with_build(
    root: &std::path::Path,
    from: &str,
    target: &std::path::Path,
) -> std::process::Output {
    xtask(&[
        "update-spec",
        "--root",
        &root.to_string_lossy(),
        "--from",
        from,
        "--scratch-target",
        &target.to_string_lossy(),
    ])
}

#[test]
fn a_spec_the_workspace_builds_with_is_vendored_after_the_scratch_build() {
    let repo = fake_workspace(&crate::common::real_spec_text());
    let target = tempfile::tempdir().unwrap();
    let new = repo.path().join("new.json");
    std::fs::write(&new, spec_with_new_server_field().to_string()).unwrap();
    let out = update_with_build(repo.path(), &new.to_string_lossy(), target.path());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("The workspace builds and checks with the new spec"),
        "{}",
        stdout(&out)
    );
    let vendored = std::fs::read_to_string(repo.path().join("openapi/playflow.json")).unwrap();
    assert!(vendored.contains("\"cost_per_hour\""));
    // The build ran on a copy: the checkout has no build output of its own.
    assert!(!repo.path().join("target").exists());
}

#[test]
fn a_spec_the_workspace_does_not_build_with_leaves_openapi_untouched_and_names_the_cause() {
    let repo = fake_workspace(&crate::common::real_spec_text());
    let before = openapi_snapshot(repo.path());
    let target = tempfile::tempdir().unwrap();
    // `network_ports` removed from `Server` (and from the lobby's server block, which has one
    // too).
    let mut spec: Value = serde_json::from_str(&crate::common::real_spec_text()).unwrap();
    for schema in spec["components"]["schemas"]
        .as_object_mut()
        .unwrap()
        .values_mut()
    {
        if let Some(props) = schema["properties"].as_object_mut() {
            props.shift_remove("network_ports");
        }
        if let Some(required) = schema["required"].as_array_mut() {
            required.retain(|r| r != "network_ports");
        }
    }
    let new = repo.path().join("new.json");
    std::fs::write(&new, spec.to_string()).unwrap();
    let out = update_with_build(repo.path(), &new.to_string_lossy(), target.path());
    let err = stderr(&out);
    assert!(!out.status.success(), "{}", stdout(&out));
    assert_eq!(openapi_snapshot(repo.path()), before);
    assert!(
        err.contains("the workspace does not build with the new spec"),
        "{err}"
    );
    assert!(err.contains("no field `network_ports`"), "{err}");
    assert!(err.contains("caused by these spec changes:"), "{err}");
    assert!(err.contains("`Server.network_ports` removed"), "{err}");
    assert!(err.contains("were left untouched"), "{err}");
}
