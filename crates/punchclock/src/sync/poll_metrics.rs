//! What each recorded poll adds to `/metrics` (see `crate::telemetry`).

use metrics::{counter, histogram};

use crate::domain::PollRecord;

/// Counts a poll by outcome and reason (and mode: full, incremental or
/// unchanged), its duration, its bytes on the wire and the punches it
/// stored new.
pub(super) fn poll_recorded(record: &PollRecord, punches_new: u32) {
    let outcome = record.outcome.as_str();
    let reason = record.reason.as_ref().map_or("none", |r| r.code.as_str());
    counter!("punchclock_polls_total", "outcome" => outcome, "reason" => reason).increment(1);
    histogram!("punchclock_poll_duration_seconds").record(record.duration.as_secs_f64());
    counter!("punchclock_punches_ingested_total").increment(u64::from(punches_new));
    if let Some(mode) = record.sync.mode {
        counter!("punchclock_poll_modes_total", "mode" => mode.as_str()).increment(1);
    }
    let bytes = record.sync.bytes;
    counter!("punchclock_device_bytes_total", "direction" => "received").increment(bytes.received);
    counter!("punchclock_device_bytes_total", "direction" => "sent").increment(bytes.sent);
}
