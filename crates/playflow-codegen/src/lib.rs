//! The code generator of the `playflow` crate: the OpenAPI 3.1 → 3.0.3 normalizer, the progenitor
//! run that turns the normalized spec into `playflow::raw`, and the naming rules both share.
//!
//! `playflow`'s `build.rs` runs [`out_dir::write`] on the vendored spec; `xtask` runs the same
//! pipeline to check a new spec before it is vendored and to write the generated code out for
//! review. One library, so the two can never generate from different rules.
//!
//! ```
//! let spec = r#"{
//!     "openapi": "3.1.0",
//!     "info": { "title": "t", "version": "1" },
//!     "paths": {}
//! }"#;
//! let generated = playflow_codegen::generate::generate(spec).unwrap();
//! assert_eq!(generated.normalized.document["openapi"], "3.0.3");
//! ```

pub mod binding;
pub mod generate;
pub mod growable;
pub mod names;
pub mod normalize;
pub mod out_dir;
pub mod response_builders;
