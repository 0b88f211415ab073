//! Bytes exchanged with a device, so a poll can report what it cost on the
//! wire. Counted per packet as framed (TCP wrapper included); bytes that
//! never formed a packet are not counted.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Totals of one connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Traffic {
    /// Bytes we sent.
    pub sent: u64,
    /// Bytes of the packets we received.
    pub received: u64,
}

/// A live view of a connection's [`Traffic`]; it stays readable after the
/// client is closed, so the closing exchange is counted too.
#[derive(Debug, Clone, Default)]
pub struct TrafficMeter {
    counts: Arc<[AtomicU64; 2]>,
}

impl TrafficMeter {
    pub fn traffic(&self) -> Traffic {
        Traffic {
            sent: self.counts[0].load(Ordering::Relaxed),
            received: self.counts[1].load(Ordering::Relaxed),
        }
    }

    pub(crate) fn sent(&self, bytes: usize) {
        self.counts[0].fetch_add(bytes as u64, Ordering::Relaxed);
    }

    pub(crate) fn received(&self, bytes: usize) {
        self.counts[1].fetch_add(bytes as u64, Ordering::Relaxed);
    }
}
