//! The binding file (`openapi/binding.json`) on variants of the base spec (`tests/data/`, made
//! by `make_variants.py` from `tests/data/base.json`, the vendored spec in our own names; see
//! `spec.rs` for why a frozen copy): a pure renaming of the spec generates the same Rust, an
//! additive one reports what is new, a breaking one reports what is gone.

use std::path::Path;

use playflow_codegen::binding::{BindReport, Binding, bind, derive};
use playflow_codegen::generate::{Generated, generate_bound};
use serde_json::{Value, json};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn read(relative: &str) -> String {
    let path = Path::new(ROOT).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn variant(name: &str) -> String {
    read(&format!("crates/playflow-codegen/tests/data/{name}"))
}

fn binding() -> Binding {
    Binding::from_json(&read("openapi/binding.json")).expect("the binding file parses")
}

fn generated(spec: &str) -> Generated {
    generate_bound(spec, Some(&binding())).unwrap_or_else(|e| panic!("generation fails: {e}"))
}

fn vendored() -> Generated {
    generated(&read("crates/playflow-codegen/tests/data/base.json"))
}

fn report(g: &Generated) -> &BindReport {
    g.binding.as_ref().expect("generated with a binding")
}

/// Every generated file, so a failure names the one that differs.
fn assert_same_rust(expected: &Generated, actual: &Generated, variant: &str) {
    for (file, e, a) in [
        ("client", &expected.client, &actual.client),
        ("mock", &expected.mock, &actual.mock),
        ("open enums", &expected.open_enums, &actual.open_enums),
        ("operations", &expected.operations, &actual.operations),
    ] {
        if e != a {
            let line = e
                .lines()
                .zip(a.lines())
                .position(|(x, y)| x != y)
                .unwrap_or(e.lines().count().min(a.lines().count()));
            let context = |text: &str| {
                text.lines()
                    .skip(line.saturating_sub(3))
                    .take(8)
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            panic!(
                "{variant}: the generated {file} differs from line {}\n--- vendored\n{}\n--- {variant}\n{}",
                line + 1,
                context(e),
                context(a)
            );
        }
    }
}

#[test]
fn the_binding_file_binds_the_base_spec_as_it_is() {
    let g = vendored();
    let r = report(&g);
    assert_eq!(*r, BindReport::default(), "{r}");
    // The file holds what derive makes of the base spec: it was started that way. It may grow
    // (a new operation of the live spec bound later), never lose or change one of these.
    let spec: Value =
        serde_json::from_str(&read("crates/playflow-codegen/tests/data/base.json")).unwrap();
    let file = binding();
    let derived = derive(&spec);
    for entry in &derived.operations {
        assert!(file.operations.contains(entry), "{entry:?} is not bound");
    }
    for entry in &derived.schemas {
        assert!(file.schemas.contains(entry), "{entry:?} is not bound");
    }
}

#[test]
fn renamed_variants_generate_the_same_rust() {
    let expected = vendored();
    for name in ["renamed-snake.json", "renamed-pascal.json"] {
        let actual = generated(&variant(name));
        let r = report(&actual);
        assert!(r.new_operations.is_empty(), "{name}: {r}");
        assert!(r.new_schemas.is_empty(), "{name}: {r}");
        assert!(r.missing_operations.is_empty(), "{name}: {r}");
        assert!(r.missing_schemas.is_empty(), "{name}: {r}");
        assert!(r.operations_renamed >= 30, "{name}: {r}");
        assert!(r.path_params_renamed > 0, "{name}: {r}");
        assert!(r.schemas_renamed >= 40, "{name}: {r}");
        assert!(r.schemas_hoisted >= 5, "{name}: {r}");
        assert_same_rust(&expected, &actual, name);
    }
}

#[test]
fn an_additive_variant_reports_the_new_operation_and_keeps_every_name() {
    let g = generated(&variant("additive.json"));
    let r = report(&g);
    // Named from its route, not from the operationId upstream gave it.
    assert_eq!(
        r.new_operations,
        [(
            "GET /api/v3/servers/{instance_id}/snapshots".to_string(),
            "getApiV3ServersByInstanceIdSnapshots".to_string()
        )]
    );
    assert!(
        r.missing_operations.is_empty() && r.missing_schemas.is_empty(),
        "{r}"
    );
    assert!(r.new_schemas.is_empty(), "{r}");
    assert!(
        g.client
            .contains("pub region_label: ::std::option::Option<::std::string::String>")
    );
    assert!(
        g.client
            .contains("pub priority: ::std::option::Option<i64>")
    );
    assert!(g.open_enums.contains("Hibernating = \"hibernating\""));
    assert!(
        g.client
            .contains("pub fn get_api_v3_servers_by_instance_id_snapshots(")
    );
}

#[test]
fn a_breaking_variant_reports_the_schema_and_operation_it_lost() {
    let g = generated(&variant("breaking.json"));
    let r = report(&g);
    assert_eq!(
        r.missing_operations,
        ["POST /api/v3/servers/{instance_id}/restart"]
    );
    assert_eq!(
        r.missing_schemas,
        [
            (
                "RestartServerRequest".to_string(),
                "POST /api/v3/servers/{instance_id}/restart request".to_string()
            ),
            (
                "NetworkPort".to_string(),
                "POST /api/v3/servers/start 201 .network_ports[]".to_string()
            ),
            (
                "PortProtocol".to_string(),
                "POST /api/v3/servers/start 201 .network_ports[].protocol".to_string()
            ),
        ]
    );
    // What is still there keeps its name; the components no longer reached from there are
    // still bound by name, so they are not reported as new.
    assert!(g.client.contains("pub struct Server {"));
    assert!(r.new_schemas.is_empty(), "{r}");
}

/// The renamed wire in zod-to-openapi's 3.1 idioms goes through binding, the normalizer and
/// progenitor with no error.
#[test]
fn a_zod_to_openapi_document_generates() {
    let g = generated(&variant("zod.json"));
    let r = report(&g);
    assert!(r.missing_operations.is_empty(), "{r}");
    assert!(r.new_operations.is_empty(), "{r}");
    let counts = g.normalized.report.counts();
    assert_eq!(
        counts.get("nullable-component-split"),
        Some(&1),
        "{counts:?}"
    );
    assert_eq!(counts.get("property-names-dropped"), Some(&1), "{counts:?}");
    // The nested enum is open, the nullable component a plain struct used as an Option.
    assert!(
        g.open_enums.contains("ServerHealthState {"),
        "{}",
        g.open_enums
    );
    assert!(g.client.contains("pub struct PoolConfig {"));
    assert!(
        g.client
            .contains("pub pool_config: ::std::option::Option<PoolConfig>")
    );
    // One error type over every error status, as for the vendored spec: the shared error
    // schema, not the 422 body that comes first.
    assert!(g.client.contains("Error<types::Error>"));
    assert!(!g.client.contains("Error<types::ValidationError>"));
    assert!(!g.client.contains("struct ErrorSchema"));
}

fn doc(paths: Value, schemas: Value) -> Value {
    json!({
        "openapi": "3.1.0",
        "info": { "title": "t", "version": "1" },
        "paths": paths,
        "components": { "schemas": schemas },
    })
}

fn body(schema: Value) -> Value {
    json!({ "description": "ok", "content": { "application/json": { "schema": schema } } })
}

#[test]
fn path_parameters_are_matched_by_position_and_renamed_to_ours() {
    let binding =
        Binding::from_json(r#"{ "operations": { "DELETE /a/{a_id}/b/{b_id}": "deleteB" } }"#)
            .unwrap();
    let param = |name: &str| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } });
    let mut d = doc(
        json!({ "/a/{x}/b/{y}": {
            "parameters": [param("x")],
            "delete": { "parameters": [param("y")], "responses": {} },
        } }),
        json!({}),
    );
    let r = bind(&mut d, &binding).unwrap();
    let item = &d["paths"]["/a/{a_id}/b/{b_id}"];
    assert_eq!(item["parameters"][0]["name"], "a_id");
    assert_eq!(item["delete"]["parameters"][0]["name"], "b_id");
    assert_eq!(item["delete"]["operationId"], "deleteB");
    assert_eq!((r.path_params_renamed, r.operations_renamed), (2, 1));
}

#[test]
fn an_unbound_operation_gets_a_name_from_its_route_and_is_reported() {
    let mut d = doc(
        json!({ "/things/{id}": { "get": { "operationId": "theirs", "responses": {} } } }),
        json!({}),
    );
    let r = bind(&mut d, &Binding::default()).unwrap();
    assert_eq!(
        d["paths"]["/things/{id}"]["get"]["operationId"],
        "getThingsById"
    );
    assert_eq!(
        r.new_operations,
        [("GET /things/{id}".to_string(), "getThingsById".to_string())]
    );
}

#[test]
fn an_inline_schema_is_hoisted_under_our_name_and_its_copies_refer_to_it() {
    let binding = Binding::from_json(
        r#"{ "schemas": { "Owner": "GET /things 200 .owner", "Kind": "GET /things 200 .kind" } }"#,
    )
    .unwrap();
    let owner =
        json!({ "type": ["object", "null"], "properties": { "name": { "type": "string" } } });
    let kind = json!({ "type": "string", "enum": ["a", "b"] });
    let mut d = doc(
        json!({ "/things": { "get": { "responses": { "200": body(json!({
            "type": "object",
            "properties": { "owner": owner, "kind": kind, "other_kind": kind },
        })) } } } }),
        json!({}),
    );
    let r = bind(&mut d, &binding).unwrap();
    let schemas = &d["components"]["schemas"];
    // The component is the non-null shape; the use keeps the null.
    assert_eq!(
        schemas["Owner"],
        json!({ "type": "object", "properties": { "name": { "type": "string" } } })
    );
    let props = &d["paths"]["/things"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        ["properties"];
    assert_eq!(
        props["owner"],
        json!({ "anyOf": [{ "$ref": "#/components/schemas/Owner" }, { "type": "null" }] })
    );
    assert_eq!(
        props["kind"],
        json!({ "$ref": "#/components/schemas/Kind" })
    );
    assert_eq!(
        props["other_kind"],
        json!({ "$ref": "#/components/schemas/Kind" })
    );
    assert_eq!((r.schemas_hoisted, r.copies_replaced), (2, 1));
}

#[test]
fn components_are_renamed_and_every_ref_follows() {
    let binding = Binding::from_json(
        r##"{ "schemas": { "Thing": "GET /things 200", "Part": "GET /things 200 .parts[]", "Loose": "#LooseDto" } }"##,
    )
    .unwrap();
    let mut d = doc(
        json!({ "/things": { "get": { "responses": {
            "200": body(json!({ "$ref": "#/components/schemas/ThingDto" })),
        } } } }),
        json!({
            "ThingDto": { "type": "object", "properties": {
                "parts": { "type": "array", "items": { "$ref": "#/components/schemas/PartDto", "description": "a part" } },
            } },
            "PartDto": { "type": "object", "properties": { "n": { "type": "integer" } } },
            "LooseDto": { "type": "string" },
            "Extra": { "type": "boolean" },
        }),
    );
    let r = bind(&mut d, &binding).unwrap();
    let names: Vec<&String> = d["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(names, ["Thing", "Part", "Loose", "Extra"]);
    assert_eq!(
        d["components"]["schemas"]["Thing"]["properties"]["parts"]["items"]["$ref"],
        "#/components/schemas/Part"
    );
    assert_eq!(r.schemas_renamed, 3);
    assert_eq!(r.new_schemas, ["Extra"]);
}

/// Upstream may share one schema where we have two names (one error body for 422 and 4XX):
/// the second place gets its own copy, so both our types stay.
#[test]
fn one_upstream_schema_bound_twice_is_split() {
    let binding = Binding::from_json(
        r#"{ "schemas": { "Error": "GET /a 4XX", "ValidationError": "GET /a 422" } }"#,
    )
    .unwrap();
    let err = json!({ "$ref": "#/components/schemas/ProblemDto" });
    let mut d = doc(
        json!({ "/a": { "get": { "responses": { "400": body(err.clone()), "422": body(err) } } } }),
        json!({ "ProblemDto": { "type": "object", "properties": { "detail": { "type": "string" } } } }),
    );
    let r = bind(&mut d, &binding).unwrap();
    let schemas = d["components"]["schemas"].as_object().unwrap();
    assert!(schemas.contains_key("Error") && schemas.contains_key("ValidationError"));
    assert_eq!(
        d.pointer("/paths/~1a/get/responses/422/content/application~1json/schema/$ref"),
        Some(&json!("#/components/schemas/ValidationError"))
    );
    assert_eq!(r.schemas_split, 1);
}

#[test]
fn a_malformed_binding_file_names_the_entry() {
    let err =
        Binding::from_json(r#"{ "schemas": { "Thing": "GET /things 200 .a[x]" } }"#).unwrap_err();
    assert!(err.contains("`Thing`"), "{err}");
    let err = Binding::from_json(r#"{ "operations": { "FETCH /things": "x" } }"#).unwrap_err();
    assert!(err.contains("FETCH /things"), "{err}");
}

/// The "fresh" variants (`tests/data/fresh/`, made by `make_fresh.py` after everything else
/// here): another naming convention, other operations without id, other components inlined,
/// other path parameter names, nullability spelled the other way, `oneOf` written as `anyOf`
/// and a component nullable as a whole. The generated Rust is the vendored spec's, byte for
/// byte, so the facade compiles unchanged.
#[test]
fn a_fresh_renamed_variant_generates_the_same_rust() {
    let name = "fresh/fresh-renamed.json";
    let actual = generated(&variant(name));
    let r = report(&actual);
    assert!(r.new_operations.is_empty(), "{r}");
    assert!(r.new_schemas.is_empty(), "{r}");
    assert!(r.missing_operations.is_empty(), "{r}");
    assert!(r.missing_schemas.is_empty(), "{r}");
    assert!(r.operations_renamed >= 28, "{r}");
    assert!(r.path_params_renamed > 0, "{r}");
    assert!(r.schemas_hoisted >= 6, "{r}");
    let counts = actual.normalized.report.counts();
    // The one `oneOf` was written as `anyOf`, beside the vendored spec's two unions.
    assert_eq!(counts.get("anyof-as-oneof"), Some(&3), "{counts:?}");
    assert_eq!(
        counts.get("nullable-component-split"),
        Some(&1),
        "{counts:?}"
    );
    assert_same_rust(&vendored(), &actual, name);
}

/// The fresh additive variant: every name the facade uses is kept, the new operation is
/// reported as unbound, and the new fields and enum value are there.
#[test]
fn a_fresh_additive_variant_reports_the_new_operation_only() {
    let g = generated(&variant("fresh/fresh-additive.json"));
    let r = report(&g);
    assert_eq!(
        r.new_operations,
        [(
            "POST /api/v3/lobbies/{config}/me/ready".to_string(),
            "postApiV3LobbiesByConfigMeReady".to_string()
        )]
    );
    assert!(
        r.missing_operations.is_empty() && r.missing_schemas.is_empty(),
        "{r}"
    );
    assert!(
        g.client
            .contains("pub spectators: ::std::option::Option<i64>")
    );
    assert!(
        g.client
            .contains("pub region_hint: ::std::option::Option<::std::string::String>")
    );
    // (The enum list is wrapped at any space.)
    let enums: String = g.open_enums.split_whitespace().collect();
    assert!(enums.contains("Paused=\"paused\""), "{}", g.open_enums);
    // The response that grew stays non_exhaustive, so the new field is no semver break.
    let lobby = g.client.find("pub struct Lobby {").expect("Lobby");
    assert!(g.client[..lobby].trim_end().ends_with("#[non_exhaustive]"));
}
