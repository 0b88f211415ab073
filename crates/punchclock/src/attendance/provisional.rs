//! Provisional days: figures that may still change.
//!
//! A day is final once its shift window has closed (for a day without a
//! shift: once the longest work period that could start that day has
//! ended) and every enabled device of the company has synced successfully
//! after that. Until then no one is marked absent or half-day, and early
//! leave is not judged, because punches may still arrive.

use jiff::Timestamp;

/// What the engine knows about "now" and the devices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncState {
    pub now: Timestamp,
    /// The earliest last successful sync over the company's enabled
    /// devices: every punch before it has been stored.
    pub synced_until: Timestamp,
}

impl SyncState {
    /// From each enabled device's last successful sync (`None` = never).
    /// With no enabled devices nothing is pending, so it is `now`.
    pub fn new(
        now: Timestamp,
        last_syncs: impl IntoIterator<Item = Option<Timestamp>>,
    ) -> SyncState {
        let synced_until = last_syncs
            .into_iter()
            .map(|s| s.unwrap_or(Timestamp::MIN))
            .min()
            .unwrap_or(now)
            .min(now);
        SyncState { now, synced_until }
    }

    /// True while a day closing at `closes_at` may change (what the
    /// engine's `provisional` says for it).
    pub fn is_provisional_at(&self, closes_at: Timestamp) -> bool {
        self.is_provisional(closes_at.as_second())
    }

    /// True while a day closing at `closes_at` (Unix seconds) may change.
    pub(crate) fn is_provisional(&self, closes_at: i64) -> bool {
        self.now.as_second() < closes_at || self.synced_until.as_second() < closes_at
    }
}
