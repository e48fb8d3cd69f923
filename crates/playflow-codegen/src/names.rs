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
