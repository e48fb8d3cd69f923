//! The handlers, one file per part of the API; each parses its call, then reads or changes the
//! world under its lock.

pub(crate) mod builds;
pub(crate) mod events;
pub(crate) mod lobbies;
mod log_pages;
pub(crate) mod project;
pub(crate) mod servers;
pub(crate) mod uploads;
