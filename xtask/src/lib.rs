//! Maintenance commands of the `playflow` workspace, run as `cargo xtask <command>`.
//!
//! A library as well as a binary, so that every command can be tested on a temporary copy of the
//! repository layout (see [`Repo`]) instead of the real `openapi/` folder.

pub mod allow_list;
pub mod change_report;
pub mod check;
pub mod codegen_out;
pub mod facade_scan;
pub mod provenance;
pub mod repo;
pub mod schema_fields;
pub mod scratch_build;
pub mod spec_check;
pub mod spec_diff;
pub mod spec_model;
pub mod spec_source;
pub mod update_spec;

pub use repo::Repo;
