//! External port numbers of servers: distinct while in use, reused after a server stops.

use playflow::raw::types;
use std::collections::HashSet;

/// Hands out distinct external port numbers (nothing is bound: they only identify).
#[derive(Debug)]
pub(crate) struct PortAllocator {
    next: u16,
    used: HashSet<u16>,
}

impl Default for PortAllocator {
    fn default() -> Self {
        PortAllocator {
            next: Self::FIRST,
            used: HashSet::new(),
        }
    }
}

impl PortAllocator {
    const FIRST: u16 = 30000;
    const LAST: u16 = 60999;

    pub(crate) fn allocate(&mut self) -> u16 {
        for _ in Self::FIRST..=Self::LAST {
            let port = self.next;
            self.next = if port >= Self::LAST {
                Self::FIRST
            } else {
                port + 1
            };
            if self.used.insert(port) {
                return port;
            }
        }
        // Every port is taken (31 000 live ports): share one rather than fail a launch.
        self.next
    }

    pub(crate) fn release(&mut self, ports: &[types::NetworkPort]) {
        for port in ports {
            if let Some(number) = port.external_port.and_then(|p| u16::try_from(p).ok()) {
                self.used.remove(&number);
            }
        }
    }
}
