//! The build answers in the types the questions take: a build's version as the `u32` a server
//! start pins ([`StartServer::version`](crate::servers::StartServer::version)), a page's total
//! as the `u64` of the offsets a list takes.
//!
//! The spec sends the version as a JSON `number`, so the generated field is an `f64`; the
//! accessor keeps the rule of `crate::wire` shared with the server answers.

use crate::model::{Build, BuildList};
use crate::wire;

impl Build {
    /// The version within the build name, counting up from 1, as the `u32` a server start
    /// pins. `None` when the answer is not a whole number in `0..=u32::MAX`.
    ///
    /// ```
    /// let build: playflow::model::Build = serde_json::from_value(serde_json::json!({
    ///     "build_id": "6f1d2c4b", "name": "beta", "version": 11, "status": "ready",
    ///     "created_at": "2025-03-14T09:00:00Z", "updated_at": null
    /// })).unwrap();
    /// assert_eq!(build.version(), Some(11));
    /// # fn pin(client: playflow::Client, build: playflow::model::Build) {
    /// let start = client.servers().start("duel", "eu-west").version_tag(build.name.clone());
    /// let start = match build.version() { Some(v) => start.version(v), None => start };
    /// # let _ = start; }
    /// ```
    pub fn version(&self) -> Option<u32> {
        wire::whole(self.version)
    }
}

impl BuildList {
    /// The number of builds across all pages. `None` when not sent or negative.
    ///
    /// ```
    /// let page: playflow::model::BuildList =
    ///     serde_json::from_value(serde_json::json!({ "builds": [], "total": 12 })).unwrap();
    /// assert_eq!(page.total(), Some(12));
    /// ```
    pub fn total(&self) -> Option<u64> {
        wire::count_u64(self.total)
    }
}
