//! A log line in the types the questions take: its time as a UTC time (the spec sends ISO 8601
//! text) and its server's region as a [`Region`], by the rules of `crate::wire`.

use chrono::{DateTime, Utc};

use crate::model::LogEntry;
use crate::{Region, wire};

impl LogEntry {
    /// When the line was written. `None` when not sent or not a time with an offset.
    ///
    /// ```
    /// let line: playflow::model::LogEntry = serde_json::from_value(serde_json::json!({
    ///     "timestamp": "2025-03-14T09:00:01.500Z", "message": "ready"
    /// })).unwrap();
    /// assert_eq!(line.timestamp().unwrap().timestamp_millis(), 1_741_942_801_500);
    /// ```
    pub fn timestamp(&self) -> Option<DateTime<Utc>> {
        wire::timestamp(self.timestamp.as_deref())
    }

    /// The region of the server that wrote the line, as the [`Region`] a start takes.
    ///
    /// ```
    /// use playflow::Region;
    /// let line: playflow::model::LogEntry = serde_json::from_value(serde_json::json!({
    ///     "message": "ready", "region": "us-east"
    /// })).unwrap();
    /// assert_eq!(line.region(), Some(Region::US_EAST));
    /// ```
    pub fn region(&self) -> Option<Region> {
        wire::region(self.region.as_deref())
    }
}
