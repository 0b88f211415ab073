//! One row per contact attempt with a device.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{CompanyId, DeviceId, PollFailure, PollMode, PushCall, Transport};

id_type!(
    /// Id of a device log row.
    DeviceLogId
);

text_enum!(
    /// Scheduled sync, or a connection test started by a user.
    LogKind {
        Sync => "sync",
        Test => "test",
    }
);

text_enum!(
    /// Whether the attempt succeeded.
    Outcome {
        Ok => "ok",
        Failed => "failed",
    }
);

/// A recorded contact attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceLog {
    pub id: DeviceLogId,
    pub company_id: CompanyId,
    pub device_id: DeviceId,
    pub kind: LogKind,
    pub started_at: Timestamp,
    pub duration_ms: u64,
    /// Host as configured at the time of the attempt.
    pub host: String,
    /// Resolved `ip:port` actually contacted.
    pub address: Option<String>,
    pub transport_used: Option<Transport>,
    pub outcome: Outcome,
    pub users_read: u32,
    pub punches_read: u32,
    pub punches_new: u32,
    pub employees_new: u32,
    /// Plain-words reason for a failure (or a warning on success).
    pub reason: Option<String>,
    /// The reason's code; `None` when there is no reason, or on rows
    /// written before codes were stored.
    pub reason_code: Option<PollFailure>,
    pub serial_number: Option<String>,
    /// What a push device called; `None` for polls and tests.
    pub push_call: Option<PushCall>,
    /// What the device reported beyond counts (operations, command results);
    /// for a sync, why it downloaded what it did.
    pub detail: Option<String>,
    /// How much a sync handed to the store: full, incremental or unchanged
    /// (`None` for tests, pushes, failures before the counters, and older
    /// rows).
    pub mode: Option<PollMode>,
    /// Bytes received from and sent to the device, frames as on the wire.
    pub bytes_received: u64,
    pub bytes_sent: u64,
    /// Punches read that were already stored.
    pub punches_known: u32,
}
