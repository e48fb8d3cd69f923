//! Open enums: every string enum schema of the spec with two or more values.
//!
//! PlayFlow adds values over time (a new server status, a lobby status `completed`, a new
//! compute size). A closed Rust enum would make a whole response fail to decode on the first new
//! value, so each enum here carries an `Unknown` variant, which keeps the value verbatim and
//! sends it back unchanged.
//!
//! As in aws-sdk-rust, `Unknown` is sealed: it holds an [`UnknownValue`] that only this crate
//! can make, and matching on it is deprecated. So no code can build or match `Unknown("running")`
//! as if it were a value this version does not know: when a later version learns `running`, a
//! match on it would silently stop matching. Match a value by its string instead, with
//! `other if other.as_str() == "…"`, which keeps working once the value becomes a variant.
//! The invocations below are generated (`build.rs`); the macro is handwritten.

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

/// A value of an open enum that this version of the crate does not know, kept verbatim.
///
/// Only this crate makes one (decoding, `From<&str>`, `FromStr`), and only for strings that
/// are not a known value: an `Unknown` never stands for a known one.
///
/// ```
/// use playflow::raw::enums::ServerStatus;
/// let later = ServerStatus::from("hibernating");
/// assert!(!later.is_known());
/// assert_eq!(later.as_str(), "hibernating");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(String);

impl UnknownValue {
    /// The value as PlayFlow spelled it.
    ///
    /// ```
    /// use playflow::raw::enums::LobbyStatus;
    /// assert_eq!(LobbyStatus::from("completed").as_str(), "completed");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

/// Declares an open string enum: known variants plus a sealed `Unknown(UnknownValue)`,
/// serialized as the string.
macro_rules! open_enum {
    ($(#[doc = $doc:expr])* $name:ident { $first:ident = $first_value:literal, $($variant:ident = $value:literal,)* }) => {
        $(#[doc = $doc])*
        ///
        /// Open: a value this version does not know decodes as `Unknown` and round-trips.
        /// `Unknown` cannot be built or matched as such (see [`UnknownValue`]): match a value
        /// this version does not know by its string, `other if other.as_str() == "…"`.
        ///
        /// ```
        #[doc = concat!("use playflow::raw::enums::", stringify!($name), ";")]
        #[doc = concat!("let known: ", stringify!($name), " = \"", $first_value, "\".parse().unwrap();")]
        #[doc = concat!("assert_eq!(known, ", stringify!($name), "::", stringify!($first), ");")]
        #[doc = concat!("let added: ", stringify!($name), " = serde_json::from_str(r#\"\"added-later\"\"#).unwrap();")]
        /// assert!(!added.is_known());
        /// assert_eq!(added.to_string(), "added-later");
        /// let what = match &added {
        #[doc = concat!("    ", stringify!($name), "::", stringify!($first), " => \"known\",")]
        ///     other if other.as_str() == "added-later" => "the new value",
        ///     _ => "anything else",
        /// };
        /// assert_eq!(what, "the new value");
        /// ```
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            #[doc = concat!("`", $first_value, "`")]
            $first,
            $(#[doc = concat!("`", $value, "`")] $variant,)*
            /// A value this version of the crate does not know yet, kept verbatim. Sealed: only
            /// this crate makes one, and never for a known value.
            #[deprecated(
                note = "Do not match on `Unknown`: a value it holds today may become a variant. Match `other if other.as_str() == \"…\"` instead."
            )]
            Unknown(UnknownValue),
        }

        #[allow(deprecated)]
        impl $name {
            /// Every value this version knows, in the spec's order.
            pub const KNOWN: &'static [&'static str] = &[$first_value, $($value),*];

            /// The value as PlayFlow spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    Self::$first => $first_value,
                    $(Self::$variant => $value,)*
                    Self::Unknown(other) => other.as_str(),
                }
            }

            /// Whether this is a value this version of the crate knows.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }
        }

        #[allow(deprecated)]
        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $first_value => Self::$first,
                    $($value => Self::$variant,)*
                    other => Self::Unknown(UnknownValue(other.to_owned())),
                }
            }
        }

        #[allow(deprecated)]
        impl From<String> for $name {
            fn from(value: String) -> Self {
                match Self::from(value.as_str()) {
                    Self::Unknown(_) => Self::Unknown(UnknownValue(value)),
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
            /// The value, padded to the formatter's width and alignment (`{:<10}`).
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str())
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
