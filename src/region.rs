//! Where a server runs.
//!
//! The spec keeps `region` free text ("new regions need no schema change"), so [`Region`] is a
//! string newtype, not an enum: the constants name the documented regions and any other string
//! still goes through unchanged.

use std::borrow::Cow;
use std::fmt;

/// A PlayFlow region, e.g. [`Region::EU_WEST`], or any region PlayFlow adds later.
///
/// ```
/// use playflow::Region;
/// assert_eq!(Region::EU_WEST.as_str(), "eu-west");
/// let added = Region::from("eu-central"); // not documented yet: still accepted
/// assert!(!added.is_documented());
/// assert_eq!(added.to_string(), "eu-central");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Region(Cow<'static, str>);

impl Region {
    /// `us-east` (the default of several PlayFlow calls).
    pub const US_EAST: Region = Region::known("us-east");
    /// `us-west`.
    pub const US_WEST: Region = Region::known("us-west");
    /// `eu-west`.
    pub const EU_WEST: Region = Region::known("eu-west");
    /// `eu-north`.
    pub const EU_NORTH: Region = Region::known("eu-north");
    /// `eu-uk`.
    pub const EU_UK: Region = Region::known("eu-uk");
    /// `ap-south`.
    pub const AP_SOUTH: Region = Region::known("ap-south");
    /// `ap-north`.
    pub const AP_NORTH: Region = Region::known("ap-north");
    /// `sea` (South-East Asia).
    pub const SEA: Region = Region::known("sea");
    /// `ap-southeast`.
    pub const AP_SOUTHEAST: Region = Region::known("ap-southeast");
    /// `south-america`.
    pub const SOUTH_AMERICA: Region = Region::known("south-america");
    /// `south-africa`.
    pub const SOUTH_AFRICA: Region = Region::known("south-africa");

    /// The regions the spec documents for a server start, in its order.
    ///
    /// ```
    /// assert!(playflow::Region::DOCUMENTED.contains(&playflow::Region::SEA));
    /// ```
    pub const DOCUMENTED: &'static [Region] = &[
        Self::US_EAST,
        Self::US_WEST,
        Self::EU_WEST,
        Self::EU_NORTH,
        Self::EU_UK,
        Self::AP_SOUTH,
        Self::AP_NORTH,
        Self::SEA,
        Self::AP_SOUTHEAST,
        Self::SOUTH_AMERICA,
        Self::SOUTH_AFRICA,
    ];

    const fn known(name: &'static str) -> Self {
        Self(Cow::Borrowed(name))
    }

    /// The region as PlayFlow spells it.
    ///
    /// ```
    /// assert_eq!(playflow::Region::US_WEST.as_str(), "us-west");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is one of [`Region::DOCUMENTED`].
    ///
    /// ```
    /// assert!(playflow::Region::from("eu-uk").is_documented());
    /// ```
    pub fn is_documented(&self) -> bool {
        Self::DOCUMENTED.contains(self)
    }
}

impl From<&str> for Region {
    fn from(name: &str) -> Self {
        match Self::DOCUMENTED.iter().find(|r| r.as_str() == name) {
            Some(known) => known.clone(),
            None => Self(Cow::Owned(name.to_owned())),
        }
    }
}

impl From<String> for Region {
    fn from(name: String) -> Self {
        match Self::DOCUMENTED.iter().find(|r| r.as_str() == name) {
            Some(known) => known.clone(),
            None => Self(Cow::Owned(name)),
        }
    }
}

impl From<&Region> for Region {
    fn from(region: &Region) -> Self {
        region.clone()
    }
}

/// The name as PlayFlow spells it, so a [`Region`] goes wherever a region is taken as text:
/// the lobby calls take `impl Into<String>`, and a region read from an answer goes back in.
///
/// ```no_run
/// # async fn demo(client: playflow::Client<playflow::ClientKey>, lobby: playflow::model::Lobby) -> playflow::Result<()> {
/// let me = client.lobbies("casual").player("p-123");
/// me.create("Rematch").region(lobby.region().unwrap_or(playflow::Region::US_EAST)).send().await?;
/// # Ok(()) }
/// ```
///
/// ```
/// assert_eq!(String::from(playflow::Region::from("me-central")), "me-central");
/// ```
impl From<Region> for String {
    fn from(region: Region) -> Self {
        region.0.into_owned()
    }
}

impl AsRef<str> for Region {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Region {
    /// The name, padded to the formatter's width and alignment (`{:<10}` lines up tables).
    ///
    /// ```
    /// assert_eq!(format!("[{:<9}]", playflow::Region::EU_WEST), "[eu-west  ]");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl fmt::Debug for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Region({:?})", self.as_str())
    }
}

impl std::str::FromStr for Region {
    type Err = std::convert::Infallible;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Ok(Self::from(name))
    }
}
