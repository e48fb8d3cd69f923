//! An open enum's `Unknown` is sealed: it cannot be built outside the crate (its value's
//! constructor is private), and matching on it is deprecated (denied here, as a user's CI
//! would), so no code can treat a string as a value this version does not know.
#![deny(deprecated)]

use playflow::raw::enums::{ServerStatus, UnknownValue};

fn main() {
    let _forged = ServerStatus::Unknown(UnknownValue("running".to_owned()));
    let status = ServerStatus::from("hibernating");
    let _matched = matches!(status, ServerStatus::Unknown(_));
}
