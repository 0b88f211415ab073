//! Who called when: kept in memory and written in one batch every flush,
//! because every device polls `getrequest` every few seconds and a write
//! per poll would load the database for nothing.

use std::collections::HashMap;
use std::sync::Mutex;

use jiff::Timestamp;

use crate::domain::DeviceId;

#[derive(Default)]
pub(super) struct Presence {
    seen: Mutex<HashMap<DeviceId, Timestamp>>,
}

impl Presence {
    pub(super) fn touch(&self, device: DeviceId, at: Timestamp) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let entry = seen.entry(device).or_insert(at);
        if *entry < at {
            *entry = at;
        }
    }

    /// Everything seen since the last take.
    pub(super) fn take(&self) -> Vec<(DeviceId, Timestamp)> {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let mut out: Vec<_> = seen.drain().collect();
        // Rows updated in id order: concurrent flushes cannot deadlock.
        out.sort_by_key(|(id, _)| *id);
        out
    }

    /// Puts back what a failed write did not store.
    pub(super) fn restore(&self, items: Vec<(DeviceId, Timestamp)>) {
        for (device, at) in items {
            self.touch(device, at);
        }
    }
}
