//! Serials that call without a claim: counted and remembered (capped) for
//! the operator, written to the store in batches. Nothing they send is kept.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use jiff::Timestamp;

use crate::domain::UnclaimedDevice;

/// The serials on record and what was learned since the last flush.
pub(super) struct Unclaimed {
    max: usize,
    state: Mutex<State>,
    /// Sightings of new serials not recorded because the registry was full.
    pub(super) dropped: AtomicU64,
}

#[derive(Default)]
struct State {
    /// Serials in the store (as of the last flush).
    recorded: HashSet<String>,
    pending: HashMap<String, UnclaimedDevice>,
}

impl State {
    fn is_new(&self, serial: &str) -> bool {
        !self.recorded.contains(serial)
    }

    fn count(&self) -> usize {
        let new = self.pending.keys().filter(|s| self.is_new(s)).count();
        self.recorded.len() + new
    }
}

/// One sighting.
pub(super) struct Sighting<'a> {
    pub serial: &'a str,
    pub source: String,
    pub at: Timestamp,
    pub push_version: Option<String>,
    pub device_type: Option<String>,
}

impl Unclaimed {
    pub(super) fn new(max: u32) -> Unclaimed {
        Unclaimed {
            max: max as usize,
            state: Mutex::new(State::default()),
            dropped: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Notes a sighting; when the registry is full, a serial it does not
    /// know yet is only counted.
    pub(super) fn note(&self, s: Sighting<'_>) {
        let mut state = self.lock();
        if let Some(d) = state.pending.get_mut(s.serial) {
            d.last_seen = s.at;
            d.source_address = s.source;
            d.requests += 1;
            d.push_version = s.push_version.or(d.push_version.take());
            return;
        }
        if state.is_new(s.serial) && state.count() >= self.max {
            self.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let d = UnclaimedDevice {
            serial_number: s.serial.to_string(),
            source_address: s.source,
            first_seen: s.at,
            last_seen: s.at,
            requests: 1,
            push_version: s.push_version,
            device_type: s.device_type,
        };
        state.pending.insert(d.serial_number.clone(), d);
    }

    /// What to write; sorted, so concurrent writers lock rows in one order.
    pub(super) fn take(&self) -> Vec<UnclaimedDevice> {
        let mut state = self.lock();
        let mut out: Vec<_> = state.pending.drain().map(|(_, d)| d).collect();
        out.sort_by(|a, b| a.serial_number.cmp(&b.serial_number));
        out
    }

    /// After a write: what it stored, or (on failure) back into pending.
    pub(super) fn written(&self, items: Vec<UnclaimedDevice>, ok: bool) {
        let mut state = self.lock();
        for d in items {
            if ok {
                state.recorded.insert(d.serial_number);
            } else {
                state.pending.entry(d.serial_number.clone()).or_insert(d);
            }
        }
    }

    /// The store's serials, when it pruned or someone claimed one.
    pub(super) fn reload(&self, serials: impl IntoIterator<Item = String>) {
        self.lock().recorded = serials.into_iter().collect();
    }

    pub(super) fn recorded(&self) -> usize {
        self.lock().recorded.len()
    }

    /// Unclaimed serials on record, for the metric.
    pub(super) fn count(&self) -> u64 {
        self.lock().count() as u64
    }

    /// A serial that turned out to be claimed.
    pub(super) fn forget(&self, serial: &str) {
        let mut state = self.lock();
        state.pending.remove(serial);
        state.recorded.remove(serial);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(u: &Unclaimed, serial: &str) {
        u.note(Sighting {
            serial,
            source: "203.0.113.9".into(),
            at: Timestamp::UNIX_EPOCH,
            push_version: None,
            device_type: None,
        });
    }

    #[test]
    fn capped_in_number_known_serials_still_counted() {
        let u = Unclaimed::new(2);
        seen(&u, "A");
        seen(&u, "B");
        seen(&u, "C");
        seen(&u, "A");
        assert_eq!(u.count(), 2);
        assert_eq!(u.dropped.load(Ordering::Relaxed), 1);
        let taken = u.take();
        assert_eq!(taken[0].requests, 2, "A called twice");
        u.written(taken, true);
        assert_eq!(u.count(), 2);
        seen(&u, "B");
        seen(&u, "D");
        assert_eq!(u.count(), 2, "B is on record, D does not fit");
        u.forget("A");
        seen(&u, "D");
        assert_eq!(u.count(), 2);
    }
}
