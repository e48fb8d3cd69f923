//! Every operation of the spec with its method and path template, generated at build time.
//!
//! progenitor hands the transport only an operation's run-time name
//! (`OperationInfo::operation_id`, the operationId in snake case); traces report the path
//! template from here instead of a concrete path.
//!
//! Every operation is also a constant, named after our operationId (`openapi/binding.json`)
//! in screaming snake case, so code that means one operation names it in a way the compiler
//! checks: a renamed or removed operation is a build error, not a silently missed string.
//!
//! ```
//! use playflow::raw::operations::{self, GET_SERVER};
//! let op = operations::by_name("get_server").unwrap();
//! assert_eq!(*op, GET_SERVER);
//! assert_eq!((op.method, op.path), ("GET", "/api/v3/servers/{instance_id}"));
//! assert_eq!(op.operation_id, "getServer");
//! assert_eq!(operations::SUBSCRIBE_LOBBY_EVENTS.name, "subscribe_lobby_events");
//! ```

/// One operation of the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// progenitor's name for it: the raw method, and `OperationInfo::operation_id`.
    pub name: &'static str,
    /// The spec's operationId.
    pub operation_id: &'static str,
    /// HTTP method, upper case.
    pub method: &'static str,
    /// Path template, e.g. `/api/v3/servers/{instance_id}`.
    pub path: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/raw_operations.rs"));

/// The operation progenitor names `name` (e.g. `get_server`).
///
/// ```
/// assert!(playflow::raw::operations::by_name("no_such_operation").is_none());
/// ```
pub fn by_name(name: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|op| op.name == name)
}
