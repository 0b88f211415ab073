//! The service's notion of "now". It is injected everywhere (store, syncer,
//! billing, sessions) so tests can move time: a trial that ends, or a whole
//! day of scheduled polls run in milliseconds. Nothing else in the crate
//! reads the system clock.

use jiff::{SignedDuration, Timestamp};
use std::sync::{Arc, Mutex};

/// Where a clock takes its time from.
#[derive(Debug, Clone, Copy)]
enum Source {
    /// System time plus an offset a test may move.
    System { offset: SignedDuration },
    /// Stands still until a test moves it.
    Manual { now: Timestamp },
}

/// A shared clock: clones read and move the same time.
#[derive(Debug, Clone)]
pub struct Clock {
    source: Arc<Mutex<Source>>,
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}

impl Clock {
    /// The real time (the service's clock).
    pub fn system() -> Self {
        Self::from_source(Source::System {
            offset: SignedDuration::ZERO,
        })
    }

    /// A clock fixed at `start` that moves only when told to, so a test
    /// decides exactly what "now" is at every step.
    pub fn manual(start: Timestamp) -> Self {
        Self::from_source(Source::Manual { now: start })
    }

    fn from_source(source: Source) -> Self {
        Clock {
            source: Arc::new(Mutex::new(source)),
        }
    }

    fn source(&self) -> std::sync::MutexGuard<'_, Source> {
        // The guarded value is plain data: a panic elsewhere cannot leave
        // it half-written, so a poisoned lock is still good to read.
        self.source.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn now(&self) -> Timestamp {
        match *self.source() {
            Source::System { offset } => Timestamp::now() + offset,
            Source::Manual { now } => now,
        }
    }

    /// Move this clock (and every clone of it) forward or back.
    pub fn advance(&self, by: SignedDuration) {
        match &mut *self.source() {
            Source::System { offset } => *offset += by,
            Source::Manual { now } => *now += by,
        }
    }

    /// Set this clock (and every clone of it) to `to`.
    pub fn set(&self, to: Timestamp) {
        let mut source = self.source();
        match &mut *source {
            Source::System { offset } => *offset = to.duration_since(Timestamp::now()),
            Source::Manual { now } => *now = to,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_all_clones() {
        let c = Clock::system();
        let c2 = c.clone();
        let before = c2.now();
        c.advance(SignedDuration::from_hours(24 * 15));
        assert!(c2.now().duration_since(before) >= SignedDuration::from_hours(24 * 15));
    }

    #[test]
    fn a_manual_clock_stands_still_until_moved() {
        let start = Timestamp::from_second(1_700_000_000).unwrap();
        let c = Clock::manual(start);
        let c2 = c.clone();
        assert_eq!(c.now(), start);
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert_eq!(c2.now(), start, "no real time leaks in");
        c.advance(SignedDuration::from_mins(30));
        assert_eq!(c2.now(), start + SignedDuration::from_mins(30));
        c2.set(start);
        assert_eq!(c.now(), start);
    }

    #[test]
    fn setting_a_system_clock_keeps_it_running_from_there() {
        let c = Clock::system();
        let target = Timestamp::from_second(2_000_000_000).unwrap();
        c.set(target);
        let d = c.now().duration_since(target);
        assert!(
            d >= SignedDuration::ZERO && d < SignedDuration::from_secs(5),
            "{d:?}"
        );
    }
}
