//! What happened to a device besides polls: live capture connecting or
//! refused, its clock set, its log rotated, a name written to it.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{AccountId, DeviceId, Outcome};

text_enum!(
    /// The kind of event.
    DeviceEventKind {
        LiveConnected => "live_connected",
        LiveRefused => "live_refused",
        LiveLost => "live_lost",
        ClockSet => "clock_set",
        LogRotated => "log_rotated",
        NamePushed => "name_pushed",
    }
);

text_enum!(
    /// How a realtime device's live connection stands.
    LiveState {
        Connected => "connected",
        Refused => "refused",
        Retrying => "retrying",
    }
);

/// A recorded device event; `account_id` is `None` when the system acted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceEvent {
    pub device_id: DeviceId,
    pub kind: DeviceEventKind,
    pub outcome: Outcome,
    pub message: String,
    pub account_id: Option<AccountId>,
    pub at: Timestamp,
}
