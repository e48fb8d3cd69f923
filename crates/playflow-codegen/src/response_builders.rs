//! Builders of response-only types behind a cargo feature of `playflow`.
//!
//! typify writes a builder for every struct (`types::builder::X`, plus `X::builder()`): a
//! `Default`, setters, `TryFrom` and `From`, all compiled into every user's build. A client only
//! reads answers, so the builders of the types that only ever come back from PlayFlow (the
//! `#[non_exhaustive]` ones, see [`crate::growable`]) are needed only by code that makes answers:
//! the emulator, test fixtures, a user's own fakes. They are kept under
//! `#[cfg(feature = FEATURE)]`; the request types' builders (the facade builds request bodies
//! through them) stay unconditional.
//!
//! typify has no setting for this either, so, like `growable`, it is a pass over the syntax tree.

use std::collections::BTreeSet;

/// The `playflow` feature that turns the response types' builders on.
pub const FEATURE: &str = "response-builders";

/// Put the builders of `names` (structs of `types`) behind [`FEATURE`]: their items in
/// `types::builder` and their `builder()` functions in `types`. Returns how many items were
/// gated.
pub fn gate(file: &mut syn::File, names: &BTreeSet<String>) -> usize {
    let Some(types) = module_items(&mut file.items, "types") else {
        return 0;
    };
    let mut gated = 0;
    for item in types.iter_mut() {
        if let syn::Item::Impl(imp) = item
            && imp.trait_.is_none()
            && self_type_in(&imp.self_ty, names)
        {
            for member in &mut imp.items {
                if let syn::ImplItem::Fn(f) = member
                    && f.sig.ident == "builder"
                {
                    f.attrs.extend(cfg_attrs());
                    gated += 1;
                }
            }
        }
    }
    let Some(builders) = module_items(types, "builder") else {
        return gated;
    };
    for item in builders.iter_mut() {
        let attrs = match item {
            syn::Item::Struct(s) if names.contains(&s.ident.to_string()) => &mut s.attrs,
            // `impl X`, `impl Default for X`, `impl From<super::X> for X` and
            // `impl TryFrom<X> for super::X` all name X as their self type, bare or as `super::X`.
            syn::Item::Impl(imp) if self_type_in(&imp.self_ty, names) => &mut imp.attrs,
            _ => continue,
        };
        attrs.extend(cfg_attrs());
        gated += 1;
    }
    gated
}

fn module_items<'a>(items: &'a mut [syn::Item], name: &str) -> Option<&'a mut Vec<syn::Item>> {
    items.iter_mut().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}

/// Whether `ty` is a path whose last segment is one of `names` (`X`, `super::X`).
fn self_type_in(ty: &syn::Type, names: &BTreeSet<String>) -> bool {
    match ty {
        syn::Type::Path(p) => p
            .path
            .segments
            .last()
            .is_some_and(|s| names.contains(&s.ident.to_string())),
        _ => false,
    }
}

fn cfg_attrs() -> [syn::Attribute; 2] {
    [
        syn::parse_quote!(#[cfg(feature = "response-builders")]),
        syn::parse_quote!(#[cfg_attr(docsrs, doc(cfg(feature = "response-builders")))]),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_named_types_builders_are_gated() {
        let mut file: syn::File = syn::parse_quote! {
            pub mod types {
                pub struct Answer { pub a: u8 }
                impl Answer { pub fn builder() -> builder::Answer { Default::default() } }
                pub struct Question { pub q: u8 }
                impl Question { pub fn builder() -> builder::Question { Default::default() } }
                impl ::std::fmt::Display for Answer {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { Ok(()) }
                }
                pub mod builder {
                    pub struct Answer { a: Result<u8, String> }
                    impl Default for Answer { fn default() -> Self { todo!() } }
                    impl TryFrom<Answer> for super::Answer { type Error = String; fn try_from(v: Answer) -> Result<Self, String> { todo!() } }
                    impl From<super::Answer> for Answer { fn from(v: super::Answer) -> Self { todo!() } }
                    pub struct Question { q: Result<u8, String> }
                    impl Default for Question { fn default() -> Self { todo!() } }
                }
            }
        };
        let names = BTreeSet::from(["Answer".to_string()]);
        assert_eq!(gate(&mut file, &names), 5);

        let gated = |attrs: &[syn::Attribute]| {
            attrs.iter().any(|a| match &a.meta {
                syn::Meta::List(l) if l.path.is_ident("cfg") => {
                    l.tokens.to_string() == "feature = \"response-builders\""
                }
                _ => false,
            })
        };
        let types = module_items(&mut file.items, "types").unwrap();
        // In `types`: only `Answer::builder` is gated; the struct and its other impls stay.
        let mut seen = Vec::new();
        for item in types.iter() {
            match item {
                syn::Item::Struct(s) => seen.push((format!("struct {}", s.ident), gated(&s.attrs))),
                syn::Item::Impl(imp) => {
                    for member in &imp.items {
                        if let syn::ImplItem::Fn(f) = member {
                            seen.push((format!("fn {}", f.sig.ident), gated(&f.attrs)));
                        }
                    }
                }
                _ => {}
            }
        }
        assert_eq!(
            seen,
            [
                ("struct Answer".to_string(), false),
                ("fn builder".to_string(), true),
                ("struct Question".to_string(), false),
                ("fn builder".to_string(), false),
                ("fn fmt".to_string(), false),
            ]
        );
        // In `types::builder`: every item of Answer's builder, none of Question's.
        let builders = module_items(types, "builder").unwrap();
        let flags: Vec<bool> = builders
            .iter()
            .map(|item| match item {
                syn::Item::Struct(s) => gated(&s.attrs),
                syn::Item::Impl(imp) => gated(&imp.attrs),
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(flags, [true, true, true, true, false, false]);
    }
}
