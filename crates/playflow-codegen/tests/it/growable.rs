//! Response structs are `#[non_exhaustive]`, request structs (and what they contain) are not.

use playflow_codegen::generate::{Settings, generate, generate_with};

/// The attribute and doc lines right above `item`.
fn attrs_before(client: &str, item: &str) -> String {
    let at = client
        .find(item)
        .unwrap_or_else(|| panic!("`{item}` is generated"));
    let mut lines: Vec<&str> = client[..at]
        .lines()
        .rev()
        .skip(1)
        .map(str::trim)
        .take_while(|l| l.starts_with("#[") || l.starts_with("///"))
        .collect();
    lines.reverse();
    lines.join("\n")
}

#[test]
fn response_structs_can_grow_and_request_structs_stay_buildable() {
    let spec =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/base.json"))
            .unwrap();
    let settings = Settings {
        non_exhaustive_responses: true,
    };
    let client = generate_with(&spec, None, settings).unwrap().client;
    for response in [
        "pub struct Server {",
        "pub struct Lobby {",
        "pub struct NetworkPort {",
        "pub struct ServerList {",
        "pub struct Error {",
    ] {
        assert!(
            attrs_before(&client, response).contains("#[non_exhaustive]"),
            "{response}"
        );
    }
    // Request bodies, and response types a request body also contains (project settings are
    // read and written with the same port and lobby configs).
    for request in [
        "pub struct StartServerRequest {",
        "pub struct UpdateProjectSettingsRequest {",
        "pub struct PortConfig {",
        "pub struct LobbyConfig {",
        "pub struct RegistryCredentials {",
    ] {
        assert!(
            !attrs_before(&client, request).contains("#[non_exhaustive]"),
            "{request}"
        );
    }
}

/// On by default (what `playflow`'s build script uses); a newtype wrapper (a map) is never
/// marked, since it has no field to add and marking it would only forbid building it.
#[test]
fn the_default_settings_mark_responses_but_not_newtypes() {
    let spec =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/base.json"))
            .unwrap();
    assert!(Settings::default().non_exhaustive_responses);
    let client = generate(&spec).unwrap().client;
    assert!(attrs_before(&client, "pub struct Server {").contains("#[non_exhaustive]"));
    let metrics = client
        .find("pub struct ServerMetrics(")
        .expect("ServerMetrics is a newtype");
    assert!(!attrs_before(&client, &client[metrics..metrics + 26]).contains("#[non_exhaustive]"));
}
