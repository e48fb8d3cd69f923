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
    let spec = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../openapi/playflow.json"
    ))
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

/// Off by default, until code outside the crate stops building response structs by literal.
#[test]
fn the_default_settings_leave_structs_exhaustive() {
    let spec = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../openapi/playflow.json"
    ))
    .unwrap();
    assert!(
        !generate(&spec)
            .unwrap()
            .client
            .contains("#[non_exhaustive]")
    );
}
