//! Response types that can grow: every generated struct that only ever comes back from
//! PlayFlow (reached from a response body, never from a request body or parameter) is
//! `#[non_exhaustive]`, so a field PlayFlow adds later is not a semver break for code outside
//! the crate. Request types stay plain: they are built through their builders or literals.
//!
//! progenitor and typify have no setting for this (typify's settings add derives and
//! attributes to every type, or to one named type), so it is a pass over the generated syntax
//! tree.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// Mark the response-only structs of `types` in `file`, the client generated from `doc`.
/// Returns their names.
pub fn mark_response_types(file: &mut syn::File, doc: &Value) -> BTreeSet<String> {
    let roots = request_components(doc);
    let Some(types) = file.items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    }) else {
        return BTreeSet::new();
    };
    // Which types each generated type names, to close the request set over the syntax tree
    // (inline request objects get names the spec never spells).
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for item in types.iter() {
        let (name, names) = match item {
            syn::Item::Struct(s) => (s.ident.to_string(), idents_in(&s.fields)),
            syn::Item::Enum(e) => (
                e.ident.to_string(),
                e.variants
                    .iter()
                    .flat_map(|v| idents_in(&v.fields))
                    .collect(),
            ),
            _ => continue,
        };
        uses.insert(name, names);
    }
    let mut request: BTreeSet<String> = BTreeSet::new();
    let mut queue: Vec<String> = roots.into_iter().collect();
    while let Some(name) = queue.pop() {
        if !request.insert(name.clone()) {
            continue;
        }
        queue.extend(uses.get(&name).into_iter().flatten().cloned());
    }
    let mut marked = BTreeSet::new();
    for item in types.iter_mut() {
        if let syn::Item::Struct(s) = item {
            let name = s.ident.to_string();
            // Only structs with named fields can grow one; a newtype (a map's wrapper) cannot,
            // and marking it would only forbid building it.
            let named = matches!(s.fields, syn::Fields::Named(_));
            if named && !request.contains(&name) && matches!(s.vis, syn::Visibility::Public(_)) {
                s.attrs.push(syn::parse_quote!(#[non_exhaustive]));
                marked.insert(name);
            }
        }
    }
    marked
}

fn idents_in(fields: &syn::Fields) -> BTreeSet<String> {
    use syn::visit::Visit;
    struct Idents(BTreeSet<String>);
    impl<'ast> Visit<'ast> for Idents {
        fn visit_path_segment(&mut self, segment: &'ast syn::PathSegment) {
            self.0.insert(segment.ident.to_string());
            syn::visit::visit_path_segment(self, segment);
        }
    }
    let mut v = Idents(BTreeSet::new());
    v.visit_fields(fields);
    v.0
}

/// Component schemas reached from a request body or a parameter, by name.
fn request_components(doc: &Value) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut queue = Vec::new();
    for item in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|p| p.values())
    {
        refs_in(item.get("parameters"), &mut queue);
        for op in item.as_object().into_iter().flat_map(|o| o.values()) {
            refs_in(op.get("requestBody"), &mut queue);
            refs_in(op.get("parameters"), &mut queue);
        }
    }
    while let Some(name) = queue.pop() {
        if found.insert(name.clone()) {
            refs_in(
                doc.pointer(&format!("/components/schemas/{name}")),
                &mut queue,
            );
        }
    }
    found
}

fn refs_in(node: Option<&Value>, out: &mut Vec<String>) {
    match node {
        Some(Value::Object(map)) => {
            if let Some(name) = map
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                out.push(name.to_owned());
            }
            map.values().for_each(|v| refs_in(Some(v), out));
        }
        Some(Value::Array(list)) => list.iter().for_each(|v| refs_in(Some(v), out)),
        _ => {}
    }
}
