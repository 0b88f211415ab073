//! Corrections: punches added by hand, voided and unvoided, each recorded
//! in the audit log with who, when and why.

use jiff::{civil, Timestamp};
use serde::{Deserialize, Serialize};

use super::{AccountId, AuditEventId, AuditKind, EmployeeId, PunchId, Reason};

/// A missing punch an admin adds. `device_time` is the company's wall
/// clock at `at`, so the punch reads the same as a device's would.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewManualPunch {
    pub employee_id: EmployeeId,
    pub at: Timestamp,
    pub device_time: civil::DateTime,
    pub reason: Reason,
}

/// Voiding a punch or undoing that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoidChange {
    Void,
    Unvoid,
}

impl VoidChange {
    pub fn kind(self) -> AuditKind {
        match self {
            VoidChange::Void => AuditKind::PunchVoided,
            VoidChange::Unvoid => AuditKind::PunchUnvoided,
        }
    }
}

/// One entry of the corrections log, with the names a page shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    pub id: AuditEventId,
    pub kind: AuditKind,
    /// Who; `None` once their account is deleted.
    pub account_id: Option<AccountId>,
    pub account_email: Option<String>,
    pub punch_id: PunchId,
    pub employee_id: EmployeeId,
    pub employee_name: String,
    pub enroll_id: String,
    /// The punch's instant (what was corrected).
    pub punched_at: Timestamp,
    /// Why.
    pub reason: String,
    /// When.
    pub created_at: Timestamp,
}
