//! What a sync saw and cost: enough for the next poll to tell whether the
//! device's log changed without downloading it, and for the device log to
//! say what each poll did.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

text_enum!(
    /// How much of the device's log a sync handed to the store.
    PollMode {
        /// Users and every punch, whatever was stored before.
        Full => "full",
        /// The log grew (or something else changed): downloaded, but only
        /// the punches after the ones already stored went to the store.
        Incremental => "incremental",
        /// The counters matched the last sync: nothing downloaded.
        Unchanged => "unchanged",
    }
);

/// Bytes one contact cost on the wire (frames as sent, TCP wrapper included).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireBytes {
    pub received: u64,
    pub sent: u64,
}

/// The device as the last successful sync found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncMark {
    /// The device's counters when that sync started.
    pub users: u32,
    pub punches: u32,
    /// Operation-log entries: clearing the log (or any administration on
    /// the device) adds one, so a log cleared and refilled to the same
    /// count still shows.
    pub oplog: u32,
    pub user_capacity: u32,
    pub punch_capacity: u32,
    /// Punch records read in that sync, in the device's order: the ones
    /// before this position are stored.
    pub position: u64,
    /// Fingerprint of the records just before `position`: if they differ
    /// next time, the log was cleared and refilled.
    pub tail: String,
    /// Last time every punch was handed to the store.
    pub full_at: Timestamp,
}

/// What a sync did beyond its reading: how much it handed to the store,
/// what it cost on the wire, how many records it read that were stored
/// before (and so not handed to the store), and the mark to keep for the
/// next poll once it is recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PollSync {
    /// `None` for connection tests and attempts that never got counters.
    pub mode: Option<PollMode>,
    pub bytes: WireBytes,
    /// Punch records read and found already stored by an earlier sync
    /// (before the last sync's position), not handed to the store.
    pub known: u64,
    /// Why the sync downloaded what it did, in plain words (for the log).
    pub note: Option<String>,
    /// The device as this sync found it; stored only if it succeeded.
    pub mark: Option<SyncMark>,
}
