//! The service's notion of "now", injectable so tests can move time
//! (trial expiry, poll schedules) without sleeping.

use jiff::{SignedDuration, Timestamp};
use std::sync::{Arc, Mutex};

/// System time, optionally shifted by a test.
#[derive(Clone, Default)]
pub struct Clock {
    offset: Arc<Mutex<SignedDuration>>,
}

impl Clock {
    pub fn system() -> Self {
        Self::default()
    }

    pub fn now(&self) -> Timestamp {
        let offset = *self.offset.lock().unwrap_or_else(|e| e.into_inner());
        Timestamp::now() + offset
    }

    /// Move this clock (and every clone of it) forward or back.
    pub fn advance(&self, by: SignedDuration) {
        let mut o = self.offset.lock().unwrap_or_else(|e| e.into_inner());
        *o += by;
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
}
