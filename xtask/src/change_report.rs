//! The change report between two versions of the spec, and its Markdown form (fit for a
//! changelog or a pull request).

use std::fmt::Write as _;

/// What kind of change an entry describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChangeKind {
    OperationAdded,
    OperationRemoved,
    /// Same operationId, different path or method.
    OperationMoved,
    /// Same path and method, different operationId.
    OperationRenamed,
    ParameterAdded,
    ParameterRemoved,
    RequestBodyAdded,
    RequestBodyRemoved,
    ResponseBodyAdded,
    ResponseBodyRemoved,
    MediaTypeChanged,
    SuccessStatusChanged,
    FieldAdded,
    FieldRemoved,
    TypeChanged,
    RequiredChanged,
    NullabilityChanged,
    EnumValueAdded,
    EnumValueRemoved,
}

/// One entry of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The operationId the change belongs to (`old → new` for a rename).
    pub operation: String,
    /// `METHOD /path` of the operation in the new spec (the old one when it was removed).
    pub endpoint: String,
    pub kind: ChangeKind,
    /// Whether code using this crate may stop compiling or working.
    pub breaking: bool,
    /// What changed, in Markdown, including why it is (not) breaking where that is not obvious.
    pub detail: String,
}

/// Every change found, in the order of the new document.
#[derive(Debug, Clone, Default)]
pub struct ChangeReport {
    pub changes: Vec<Change>,
    /// `info.version` of the old and new documents, when it changed.
    pub api_version: Option<(String, String)>,
}

impl ChangeReport {
    pub fn has_breaking(&self) -> bool {
        self.changes.iter().any(|c| c.breaking)
    }

    pub fn breaking(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| c.breaking)
    }

    pub fn non_breaking(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| !c.breaking)
    }

    /// The report as Markdown; `old` and `new` name the two documents. A change to a component
    /// schema is one entry listing every operation it affects.
    pub fn to_markdown(&self, old: &str, new: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# PlayFlow API changes\n");
        let _ = writeln!(out, "From `{old}` to `{new}`.");
        if let Some((from, to)) = &self.api_version {
            let _ = writeln!(out, "API version `{from}` → `{to}`.");
        }
        if self.changes.is_empty() {
            let _ = writeln!(
                out,
                "\nNo change to the wire, no change to the facade: the operations, their \
                 parameters and their request, response and error bodies are the same."
            );
            return out;
        }
        let breaking = group_same_detail(self.breaking());
        let non_breaking = group_same_detail(self.non_breaking());
        let _ = writeln!(
            out,
            "\n**{} breaking**, {} non-breaking change(s) for users of the `playflow` crate.",
            breaking.len(),
            non_breaking.len()
        );
        for (title, tag, groups) in [
            ("Breaking changes", "breaking", breaking),
            ("Non-breaking changes", "non-breaking", non_breaking),
        ] {
            if groups.is_empty() {
                continue;
            }
            let _ = writeln!(out, "\n## {title}\n");
            for group in groups {
                let _ = match group.as_slice() {
                    [one] => writeln!(
                        out,
                        "- **{tag}** `{}` (`{}`): {}",
                        one.operation, one.endpoint, one.detail
                    ),
                    many => writeln!(
                        out,
                        "- **{tag}** {} — in {}",
                        many[0].detail,
                        many.iter()
                            .map(|c| format!("`{}`", c.operation))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
            }
        }
        out
    }
}

/// Entries with the same kind and text (a change to a component schema, seen by every operation
/// that uses it) become one group, in order of first appearance.
fn group_same_detail<'a>(entries: impl Iterator<Item = &'a Change>) -> Vec<Vec<&'a Change>> {
    let mut groups: Vec<Vec<&Change>> = Vec::new();
    for change in entries {
        match groups
            .iter_mut()
            .find(|g| g[0].kind == change.kind && g[0].detail == change.detail)
        {
            Some(group) => group.push(change),
            None => groups.push(vec![change]),
        }
    }
    groups
}
