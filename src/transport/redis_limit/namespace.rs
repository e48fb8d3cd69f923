//! The Redis key names of one API key's budgets: derived from a hash of the key, never the key.

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use crate::transport::rate_limit::Class;

/// Separates this use of the hash from any other hash of the same key.
const DOMAIN: &[u8] = b"playflow rate limits v1\0";

/// The two Redis keys of each class: its schedule and its hold.
#[derive(Debug, Clone)]
pub(super) struct Namespace {
    read: ClassKeys,
    write: ClassKeys,
}

/// One class's keys.
#[derive(Debug, Clone)]
pub(super) struct ClassKeys {
    /// GCRA's theoretical arrival time of the next call, in Redis microseconds.
    pub(super) schedule: String,
    /// The end of a server-reported hold, in Redis microseconds.
    pub(super) hold: String,
}

impl Namespace {
    /// `{prefix}:{<first 128 bits of SHA-256(domain ‖ key), hex>}:{class}:{schedule|hold}`.
    ///
    /// 128 bits keep distinct keys apart; the API key is random, so its hash reveals nothing of
    /// it. The braces are a Redis Cluster hash tag: all of one key's entries share a slot.
    pub(super) fn new(prefix: &str, api_key: &str) -> Self {
        let digest = Sha256::new()
            .chain_update(DOMAIN)
            .chain_update(api_key.as_bytes())
            .finalize();
        let mut tag = String::with_capacity(32);
        for byte in &digest[..16] {
            let _ = write!(tag, "{byte:02x}");
        }
        let class = |name: &str| ClassKeys {
            schedule: format!("{prefix}:{{{tag}}}:{name}:schedule"),
            hold: format!("{prefix}:{{{tag}}}:{name}:hold"),
        };
        Self {
            read: class(Class::Read.name()),
            write: class(Class::Write.name()),
        }
    }

    pub(super) fn of(&self, class: Class) -> &ClassKeys {
        match class {
            Class::Read => &self.read,
            Class::Write => &self.write,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_name_the_hash_of_the_key_not_the_key() {
        let keys = Namespace::new("pf", "pf_live0123456789abcdef");
        let write = keys.of(Class::Write);
        assert!(write.schedule.starts_with("pf:{"), "{}", write.schedule);
        assert!(write.schedule.ends_with("}:write:schedule"));
        assert!(!write.schedule.contains("0123456789"));
        // Another key, another namespace; the same key, the same one.
        let other = Namespace::new("pf", "pf_live0123456789abcdeg");
        assert_ne!(other.of(Class::Write).schedule, write.schedule);
        assert_eq!(
            Namespace::new("pf", "pf_live0123456789abcdef")
                .of(Class::Read)
                .hold,
            keys.of(Class::Read).hold
        );
    }
}
