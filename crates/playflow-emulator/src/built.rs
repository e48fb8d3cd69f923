//! Building the client's generated response types from outside the `playflow` crate.
//!
//! They are `#[non_exhaustive]` (a field PlayFlow adds later must not be a semver break for
//! users), so a struct literal does not compile here; their generated builders
//! (`types::builder::…`) do. [`built!`] keeps the literal's shape and goes through the builder.

/// `built!(Server { instance_id: id, name, … })`: the generated `playflow::raw::types::Server`,
/// through its builder, with the given fields (`name` alone is `name: name`, as in a literal).
///
/// Every required field must be given; a missing one is a bug of the emulator and panics with
/// the type's name (the emulator's tests build every response type).
macro_rules! built {
    ($ty:ident { $($field:ident $(: $value:expr)?),* $(,)? }) => {
        ::playflow::raw::types::$ty::try_from(
            ::playflow::raw::types::builder::$ty::default()
                $(.$field(built!(@value $field $($value)?)))*
        )
        .unwrap_or_else(|e| panic!("emulator bug: {} built without a required field: {e}", stringify!($ty)))
    };
    (@value $field:ident $value:expr) => { $value };
    (@value $field:ident) => { $field };
}
