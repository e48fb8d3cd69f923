//! Code generation from the vendored OpenAPI spec, shared by `build.rs` and `xtask`.
//!
//! Not a module of the library: both consumers mount this folder with
//! `#[path = ".../src/codegen/mod.rs"] mod codegen;`, so the pipeline exists once.

pub mod generate;
pub mod names;
pub mod normalize;
