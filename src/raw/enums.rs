//! Open enums: every string enum schema of the spec with two or more values.
//!
//! PlayFlow adds values over time (a new server status, a lobby status `completed`, a new
//! compute size). A closed Rust enum would make a whole response fail to decode on the first new
//! value, so each enum here carries `Unknown(String)`, which keeps the value verbatim and sends it
//! back unchanged. The invocations below are generated (`build.rs`); the macro is handwritten.

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

/// Declares an open string enum: known variants plus `Unknown(String)`, serialized as the string.
macro_rules! open_enum {
    ($(#[doc = $doc:expr])* $name:ident { $first:ident = $first_value:literal, $($variant:ident = $value:literal,)* }) => {
        $(#[doc = $doc])*
        ///
        /// Open: a value this version does not know decodes as `Unknown` and round-trips.
        ///
        /// ```
        #[doc = concat!("use playflow::raw::enums::", stringify!($name), ";")]
        #[doc = concat!("let known: ", stringify!($name), " = \"", $first_value, "\".parse().unwrap();")]
        #[doc = concat!("assert_eq!(known, ", stringify!($name), "::", stringify!($first), ");")]
        #[doc = concat!("let added: ", stringify!($name), " = serde_json::from_str(r#\"\"added-later\"\"#).unwrap();")]
        #[doc = concat!("assert_eq!(added, ", stringify!($name), "::Unknown(\"added-later\".into()));")]
        /// assert_eq!(added.to_string(), "added-later");
        /// ```
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            #[doc = concat!("`", $first_value, "`")]
            $first,
            $(#[doc = concat!("`", $value, "`")] $variant,)*
            /// A value this version of the crate does not know yet, kept verbatim.
            Unknown(String),
        }

        impl $name {
            /// Every value this version knows, in the spec's order.
            pub const KNOWN: &'static [&'static str] = &[$first_value, $($value),*];

            /// The value as PlayFlow spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    Self::$first => $first_value,
                    $(Self::$variant => $value,)*
                    Self::Unknown(other) => other,
                }
            }

            /// Whether this is a value this version of the crate knows.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $first_value => Self::$first,
                    $($value => Self::$variant,)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                match Self::from(value.as_str()) {
                    Self::Unknown(_) => Self::Unknown(value),
                    known => known,
                }
            }
        }

        impl FromStr for $name {
            type Err = Infallible;
            fn from_str(value: &str) -> Result<Self, Infallible> {
                Ok(Self::from(value))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(Self::from)
            }
        }
    };
}

use serde::Deserialize as _;

include!(concat!(env!("OUT_DIR"), "/raw_enums.rs"));
