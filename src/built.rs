//! Request bodies of the generated layer, built through their generated builders.
//!
//! A struct literal of a generated type names every field, so the first optional field a
//! refreshed spec adds to a request body would break the facade's build; the generated
//! builder (`raw::types::builder::…`) leaves a field it is not given unset. [`built!`] keeps
//! the literal's shape and goes through the builder instead.

/// `built!(UpdateServerRequest { custom_data: data, … })`: the generated
/// `raw::types::UpdateServerRequest` through its builder, as a
/// `Result<_, InvalidInput>` (`field` alone is `field: field`, as in a literal).
///
/// Setting a field runs the generated type's checks (a constrained string, a bounded number),
/// and a field a new spec makes required is missing here: both are an [`InvalidInput`] on
/// `body` naming the type, never a panic.
///
/// [`InvalidInput`]: crate::InvalidInput
macro_rules! built {
    ($ty:ident { $($field:ident $(: $value:expr)?),* $(,)? }) => {
        $crate::raw::types::$ty::try_from(
            $crate::raw::types::builder::$ty::default()
                $(.$field($crate::built::built!(@value $field $($value)?)))*
        )
        .map_err(|e| $crate::InvalidInput::new("body", format!("{}: {e}", stringify!($ty))))
    };
    (@value $field:ident $value:expr) => { $value };
    (@value $field:ident) => { $field };
}

pub(crate) use built;
