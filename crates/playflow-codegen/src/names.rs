//! Rust names of spec items, as progenitor makes them. Shared by the generator (the operations
//! table) and `xtask check` (which facade calls reach which operation).

use heck::ToSnakeCase as _;

/// The name progenitor gives the raw method of `operation_id` (its `sanitize(_, Case::Snake)`).
pub fn raw_method_name(operation_id: &str) -> String {
    let cleaned: String = operation_id
        .replace('\'', "")
        .chars()
        .map(|c| {
            if unicode_ident::is_xid_continue(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    let mut name = cleaned.to_snake_case();
    if name.is_empty() {
        name = "x".into();
    }
    if !name.starts_with(unicode_ident::is_xid_start) {
        name.insert(0, '_');
    }
    // Keywords get a trailing underscore, as progenitor does.
    if syn::parse_str::<syn::Ident>(&name).is_err() {
        name.push('_');
    }
    name
}

/// The operationId given to an operation that has none, or that the binding file does not
/// name: the method and the path's words, parameters as `By<Name>`, in lower camel case
/// (`GET /api/v3/servers/{instance_id}/logs` → `getApiV3ServersByInstanceIdLogs`).
///
/// ```
/// use playflow_codegen::names::route_operation_id;
/// assert_eq!(route_operation_id("get", "/api/v3/servers/{instance_id}/logs"), "getApiV3ServersByInstanceIdLogs");
/// assert_eq!(route_operation_id("POST", "/api/v3/builds/upload-url"), "postApiV3BuildsUploadUrl");
/// ```
pub fn route_operation_id(method: &str, path: &str) -> String {
    use heck::ToUpperCamelCase as _;
    let mut id = method.to_ascii_lowercase();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(param) => {
                id.push_str("By");
                id.push_str(&param.to_upper_camel_case());
            }
            None => id.push_str(&segment.to_upper_camel_case()),
        }
    }
    id
}
