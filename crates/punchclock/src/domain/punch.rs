//! Attendance records read from devices.

use jiff::{civil, Timestamp};
use serde::{Deserialize, Serialize};

use super::{CompanyId, DeviceId, DeviceLogId, EmployeeId};

id_type!(
    /// Id of a stored punch.
    PunchId
);

/// A stored punch. Identity is (company, device serial, enroll id, device
/// time): the same record read twice, or from a re-added device, is one
/// punch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Punch {
    pub id: PunchId,
    pub company_id: CompanyId,
    pub employee_id: EmployeeId,
    pub enroll_id: String,
    /// `None` once the device has been deleted.
    pub device_id: Option<DeviceId>,
    pub device_serial: String,
    /// Wall-clock time as printed by the device.
    pub device_time: civil::DateTime,
    /// `device_time` interpreted in the device's time zone.
    pub punched_at: Timestamp,
    /// Verification method (fingerprint, card, …) as reported.
    pub status: u8,
    /// Keypad state (check-in, check-out, …) as reported.
    pub punch_type: u8,
    /// Device-internal user slot.
    pub uid: u16,
    pub device_log_id: Option<DeviceLogId>,
    pub created_at: Timestamp,
    /// Added by an admin (no device; `device_serial` is empty).
    pub manual: bool,
    /// Voided by an admin: listed, never counted. Can be undone.
    pub voided: bool,
}

impl Punch {
    /// How the person was verified, named by the protocol reference
    /// ("fingerprint", …, "other (code N)" for a code it does not list).
    pub fn verify_method(&self) -> zk_protocol::VerifyMethod {
        zk_protocol::VerifyMethod::from(self.status)
    }
}

/// A punch with the names a listing shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PunchView {
    pub punch: Punch,
    /// Per the employee display name rule.
    pub employee_name: String,
    /// `None` once the device has been deleted.
    pub device_name: Option<String>,
}

/// Filters and paging for punch listings. `from` is inclusive, `to`
/// exclusive, both on `punched_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PunchFilter {
    pub employee_id: Option<EmployeeId>,
    /// Any of these employees (an employee search's matches); none: anyone.
    pub employee_ids: Vec<EmployeeId>,
    pub device_id: Option<DeviceId>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    /// Newest first unless set.
    pub oldest_first: bool,
    pub limit: u32,
    pub offset: u64,
    /// Only punches after this one in the listing's order (its time and
    /// id): paging by key, for exports that read every page.
    pub after: Option<(Timestamp, PunchId)>,
}

impl Default for PunchFilter {
    fn default() -> Self {
        PunchFilter {
            employee_id: None,
            employee_ids: Vec::new(),
            device_id: None,
            from: None,
            to: None,
            oldest_first: false,
            limit: 100,
            offset: 0,
            after: None,
        }
    }
}
