//! Audit trail of commercial/administrative changes to a company.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{AccountId, CompanyId};

id_type!(
    /// Id of an audit event.
    AuditEventId
);

text_enum!(
    /// What happened.
    AuditKind {
        PlanChanged => "plan_changed",
        Blocked => "blocked",
        Unblocked => "unblocked",
        Expired => "expired",
        /// A device's clock was set (by an owner, or automatically).
        DeviceClockSet => "device_clock_set",
        /// A device's attendance log was verified and cleared.
        DeviceLogRotated => "device_log_rotated",
        /// An employee's name was written to a device.
        DeviceNamePushed => "device_name_pushed",
        /// Email or alert settings changed.
        NotifySettingsChanged => "notify_settings_changed",
        PunchAdded => "punch_added",
        PunchVoided => "punch_voided",
        PunchUnvoided => "punch_unvoided",
    }
);

impl AuditKind {
    /// The kinds of the corrections log (attendance), as opposed to the
    /// account's plan and blocking history.
    pub const CORRECTIONS: [AuditKind; 3] = [
        AuditKind::PunchAdded,
        AuditKind::PunchVoided,
        AuditKind::PunchUnvoided,
    ];

    pub fn is_correction(self) -> bool {
        Self::CORRECTIONS.contains(&self)
    }
}

/// A recorded event. `account_id` is `None` when the system acted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub id: AuditEventId,
    pub company_id: CompanyId,
    pub account_id: Option<AccountId>,
    pub kind: AuditKind,
    pub from_value: Option<String>,
    pub to_value: Option<String>,
    pub detail: Option<String>,
    pub created_at: Timestamp,
}

/// Input for recording an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEvent {
    pub account_id: Option<AccountId>,
    pub kind: AuditKind,
    pub from_value: Option<String>,
    pub to_value: Option<String>,
    pub detail: Option<String>,
}
