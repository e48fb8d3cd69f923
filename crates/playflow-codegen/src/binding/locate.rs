//! Following a location of the binding file into a document.

use serde_json::{Map, Value};

use super::{Location, Route, SCHEMA_REF, Step, is_null, token, unescape};

/// Where a location leads in the document.
pub(super) enum Slot {
    /// A `$ref` to this component, at this JSON pointer.
    Component(String, String),
    /// An inline schema at this JSON pointer.
    Inline(String),
}

/// Follow a location to its slot.
pub(super) fn find(doc: &Value, location: &Location) -> Result<Slot, ()> {
    let (mut pointer, steps) = match location {
        Location::Component(name) => {
            return doc
                .pointer(&format!("/components/schemas/{}", token(name)))
                .map(|_| Slot::Component(name.clone(), String::new()))
                .ok_or(());
        }
        Location::Body { route, body, steps } => (body_pointer(doc, route, body).ok_or(())?, steps),
    };
    for step in steps {
        pointer = enter(doc, &pointer)?;
        let node = doc.pointer(&pointer).ok_or(())?;
        pointer = match step {
            Step::Property(p) => {
                node.get("properties").and_then(|ps| ps.get(p)).ok_or(())?;
                format!("{pointer}/properties/{}", token(p))
            }
            Step::Items => {
                node.get("items").filter(|i| i.is_object()).ok_or(())?;
                format!("{pointer}/items")
            }
            Step::Values => {
                node.get("additionalProperties")
                    .filter(|i| i.is_object())
                    .ok_or(())?;
                format!("{pointer}/additionalProperties")
            }
            Step::Branch(n) => {
                let (key, index) = ["oneOf", "anyOf"]
                    .iter()
                    .find_map(|key| {
                        let list = node.get(*key)?.as_array()?;
                        let index = list
                            .iter()
                            .enumerate()
                            .filter(|(_, b)| !is_null(b))
                            .nth(*n)?
                            .0;
                        Some((*key, index))
                    })
                    .ok_or(())?;
                format!("{pointer}/{key}/{index}")
            }
            Step::AllOf(n) => {
                node.get("allOf").and_then(|l| l.get(*n)).ok_or(())?;
                format!("{pointer}/allOf/{n}")
            }
        };
    }
    let slot = unwrap(doc, &pointer);
    match doc
        .pointer(&slot)
        .and_then(|n| n.get("$ref"))
        .and_then(Value::as_str)
    {
        Some(r) => r
            .strip_prefix(SCHEMA_REF)
            .map(|n| Slot::Component(unescape(n), slot.clone()))
            .ok_or(()),
        None => Ok(Slot::Inline(slot)),
    }
}

/// The pointer of the body schema of `route`: `request`, or a response status. A status range
/// (`4XX`) also matches the first concrete status of that class, and a concrete status the
/// range, because upstream may spell one shared error as either.
fn body_pointer(doc: &Value, route: &Route, body: &str) -> Option<String> {
    let paths = doc.get("paths")?.as_object()?;
    let (path, item) = paths
        .iter()
        .find(|(p, item)| route.matches(&route.method, p) && item.get(&route.method).is_some())?;
    let op = item.get(&route.method)?;
    let base = format!("/paths/{}/{}", token(path), route.method);
    if let Some((extension, key)) = body.split_once('/').filter(|(e, _)| e.starts_with("x-")) {
        op.get(extension)?.get(key)?;
        return Some(format!("{base}/{}/{}", token(extension), token(key)));
    }
    let (holder, ptr) = if body == "request" {
        (op.get("requestBody")?, format!("{base}/requestBody"))
    } else {
        let responses = op.get("responses")?.as_object()?;
        let code = if responses.contains_key(body) {
            body.to_owned()
        } else {
            let class = body.chars().next()?;
            let range = format!("{class}XX");
            if responses.contains_key(&range) {
                range
            } else if body.ends_with("XX") {
                shared_status(responses, class)?
            } else {
                return None;
            }
        };
        (
            responses.get(&code)?,
            format!("{base}/responses/{}", token(&code)),
        )
    };
    let content = holder.get("content")?.as_object()?;
    let media = content
        .keys()
        .find(|m| *m == "application/json" || m.starts_with("application/json;"))
        .or_else(|| content.keys().next())?;
    content.get(media)?.get("schema")?;
    Some(format!("{ptr}/content/{}/schema", token(media)))
}

/// For a status range spelled as concrete statuses: the status of that class whose body most
/// of them share (upstream spreads one error schema over 400, 401, ... beside a 422 of its own).
fn shared_status(responses: &Map<String, Value>, class: char) -> Option<String> {
    let concrete: Vec<(&String, Option<&Value>)> = responses
        .iter()
        .filter(|(c, _)| c.starts_with(class) && !c.ends_with("XX"))
        .map(|(c, r)| (c, r.pointer("/content/application~1json/schema")))
        .collect();
    let best = concrete.iter().max_by_key(|(code, schema)| {
        let shared = concrete.iter().filter(|(_, s)| s == schema).count();
        // Ties go to the first status.
        (shared, std::cmp::Reverse(*code))
    })?;
    Some(best.0.clone())
}

/// From a slot to the schema to step into: follow `$ref`s and see through wrappers.
fn enter(doc: &Value, pointer: &str) -> Result<String, ()> {
    let mut pointer = pointer.to_owned();
    for _ in 0..64 {
        pointer = unwrap(doc, &pointer);
        let node = doc.pointer(&pointer).ok_or(())?;
        match node.get("$ref").and_then(Value::as_str) {
            Some(r) => {
                let r = r.strip_prefix('#').ok_or(())?;
                pointer = r.to_owned();
            }
            None => return Ok(pointer),
        }
    }
    Err(())
}

/// See through wrappers that do not change the shape: one non-null branch of an
/// `anyOf`/`oneOf`, a one-element `allOf`, and (3.1) a `$ref` with sibling annotations.
fn unwrap(doc: &Value, pointer: &str) -> String {
    let mut pointer = pointer.to_owned();
    for _ in 0..64 {
        let Some(node) = doc.pointer(&pointer) else {
            return pointer;
        };
        if node.get("properties").is_some() || node.get("$ref").is_some() {
            return pointer;
        }
        let mut next = None;
        for key in ["anyOf", "oneOf", "allOf"] {
            if let Some(list) = node.get(key).and_then(Value::as_array) {
                let real: Vec<usize> = list
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| !is_null(b))
                    .map(|(i, _)| i)
                    .collect();
                if let [one] = real.as_slice() {
                    next = Some(format!("{pointer}/{key}/{one}"));
                }
            }
        }
        match next {
            Some(n) => pointer = n,
            None => return pointer,
        }
    }
    pointer
}
