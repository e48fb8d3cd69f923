//! A server's answer in the types its start takes: [`Region`], [`ComputeSize`], a [`Duration`]
//! TTL and a `u32` build version, read from the generated [`Server`]'s wire fields; and a
//! [`ServerList`] page's counts in the types a list takes.
//!
//! Accessors rather than a facade type of their own: every call, list page, waiter outcome
//! and match hands out the generated `Server`, and its fields stay readable as they are. The
//! methods carry the names of the fields they type (`server.region()` next to
//! `server.region`), and keep working whatever the generated struct becomes (more fields,
//! `#[non_exhaustive]`). The rules are those of `crate::wire`, shared with the lobby answers'
//! server block.

use std::time::Duration;

use crate::model::{ComputeSize, Server, ServerList};
use crate::{Region, wire};

impl Server {
    /// The region the server runs in, as the [`Region`] a start takes (regions PlayFlow adds
    /// later come through as they are spelled). `None` when PlayFlow did not say.
    ///
    /// ```
    /// use playflow::Region;
    /// let server: playflow::model::Server = serde_json::from_value(serde_json::json!({
    ///     "instance_id": "9b2f6c1e", "name": "duel-1", "status": "running", "region": "eu-west"
    /// })).unwrap();
    /// assert_eq!(server.region(), Some(Region::EU_WEST));
    /// ```
    pub fn region(&self) -> Option<Region> {
        wire::region(self.region.as_deref())
    }

    /// The machine size, as the open [`ComputeSize`] a start takes: a size this version does
    /// not know yet is kept verbatim (`is_known()` is false). `None` when PlayFlow did not say.
    ///
    /// ```
    /// use playflow::model::ComputeSize;
    /// let server: playflow::model::Server = serde_json::from_value(serde_json::json!({
    ///     "instance_id": "9b2f6c1e", "name": "duel-1", "status": "running",
    ///     "compute_size": "dedicated-small"
    /// })).unwrap();
    /// assert_eq!(server.compute_size(), Some(ComputeSize::DedicatedSmall));
    /// ```
    pub fn compute_size(&self) -> Option<ComputeSize> {
        wire::compute_size(self.compute_size.as_deref())
    }

    /// The lifetime after which the server stops by itself (PlayFlow sends whole seconds).
    /// `None` when no limit applies, or when the answer is not a lifetime (negative).
    ///
    /// ```
    /// use std::time::Duration;
    /// let server: playflow::model::Server = serde_json::from_value(serde_json::json!({
    ///     "instance_id": "9b2f6c1e", "name": "duel-1", "status": "running", "ttl": 3600
    /// })).unwrap();
    /// assert_eq!(server.ttl(), Some(Duration::from_secs(3600)));
    /// ```
    pub fn ttl(&self) -> Option<Duration> {
        wire::lifetime(self.ttl)
    }

    /// The version of the build the server runs: the number, counting up from 1, of one
    /// upload under the build name [`version_tag`](Server::version_tag) (the `version` of a
    /// [`Build`](crate::model::Build), and what
    /// [`StartServer::version`](super::StartServer::version) takes to pin one). `None` when no
    /// specific version was resolved, or the answer is not a version number (below 0 or above
    /// `u32::MAX`).
    ///
    /// ```
    /// let server: playflow::model::Server = serde_json::from_value(serde_json::json!({
    ///     "instance_id": "9b2f6c1e", "name": "duel-1", "status": "running",
    ///     "version_tag": "beta", "version": 11
    /// })).unwrap();
    /// assert_eq!(server.version(), Some(11));
    /// ```
    pub fn version(&self) -> Option<u32> {
        wire::version(self.version)
    }
}

impl ServerList {
    /// The number of matching servers across all pages. `None` when not sent or negative.
    ///
    /// ```
    /// let page: playflow::model::ServerList = serde_json::from_value(serde_json::json!({
    ///     "servers": [], "total": 42, "offset": 40, "limit": 20, "has_more": false
    /// })).unwrap();
    /// assert_eq!((page.total(), page.limit(), page.offset()), (Some(42), Some(20), Some(40)));
    /// ```
    pub fn total(&self) -> Option<u64> {
        wire::count_u64(self.total)
    }

    /// The page size PlayFlow applied, as the `u32` a list takes.
    ///
    /// ```
    /// let page: playflow::model::ServerList =
    ///     serde_json::from_value(serde_json::json!({ "servers": [], "limit": 20 })).unwrap();
    /// assert_eq!(page.limit(), Some(20));
    /// ```
    pub fn limit(&self) -> Option<u32> {
        wire::count(self.limit)
    }

    /// Where this page starts, as the `u64` a list takes.
    ///
    /// ```
    /// let page: playflow::model::ServerList =
    ///     serde_json::from_value(serde_json::json!({ "servers": [], "offset": -3 })).unwrap();
    /// assert_eq!(page.offset(), None);
    /// ```
    pub fn offset(&self) -> Option<u64> {
        wire::count_u64(self.offset)
    }
}
